"""Name -> algorithm. Every algorithm has the same kernel signature::

    fn(gains (B, K, K), caps (B, K), noise (B, K), weights=None, **options)
        -> (powers (B, K), iterations (B,))

``weights`` (B, K) turns the sum-rate into a weighted sum-rate; ``optimal``, ``best``,
``maxmin`` and ``minpower`` also take ``min_rate`` (B, K), and ``optimal`` and ``best`` an
``objective`` (a name of :data:`environment.objectives.OBJECTIVES`). The first docstring line
of each function is its one-line description.

What each algorithm optimizes under each objective (``solve(..., objective=...)``):

==================  =====================================================================
objective           algorithms that optimize it (the others plan as for the sum-rate and
                    are only scored by the objective)
==================  =====================================================================
sum_rate            all but maxpower, random, maxmin, minpower
weighted_sum_rate   wmmse, fp, greedy (weighted, Shi et al. 2011), optimal, best
max_min             maxmin (exact), best (= maxmin), optimal (grid)
min_power           minpower (exact), best (= minpower), optimal (grid)
==================  =====================================================================
"""

from __future__ import annotations

from .best import best
from .fp import fp
from .greedy import greedy
from .maxmin import maxmin
from .maxpower import maxpower
from .minpower import minpower
from .optimal import optimal
from .random_power import random_powers
from .wmmse import wmmse

ALGORITHMS = {
    "maxpower": maxpower,
    "random": random_powers,
    "wmmse": wmmse,
    "fp": fp,
    "greedy": greedy,
    "optimal": optimal,
    "best": best,
    "maxmin": maxmin,
    "minpower": minpower,
}

#: Planners of a (K, L) schedule over L time slices rather than one vector (``solve_detailed``
#: takes them by name, with ``mini_slots=L``; they are not kernels of the signature above).
SCHEDULERS = ("timeshare",)

#: Algorithms that optimise a weighted sum-rate well enough to drive the min-rate penalty loop.
WEIGHTED = ("wmmse", "fp", "best")

#: The exact solver of each objective (``best`` hands over to it; see the table above).
OBJECTIVE_SOLVER = {
    "sum_rate": "best",
    "weighted_sum_rate": "best",
    "max_min": "maxmin",
    "min_power": "minpower",
}

#: Algorithms whose plans already respect the floors (exactly where feasible): ``solve``
#: does not repair them towards the sum-rate (that would trade their objective away).
FLOOR_EXACT = ("maxmin", "minpower")


def describe() -> dict[str, str]:
    """{name: one-line description} of every algorithm, for a CLI listing."""
    return {name: (fn.__doc__ or "").strip().splitlines()[0] for name, fn in ALGORITHMS.items()}
