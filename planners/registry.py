"""Name -> algorithm. Every algorithm has the same kernel signature::

    fn(gains (B, K, K), caps (B, K), noise (B, K), weights=None, **options)
        -> (powers (B, K), iterations (B,))

``weights`` (B, K) turns the sum-rate into a weighted sum-rate; ``optimal`` also takes
``min_rate`` (B, K). The first docstring line of each function is its one-line description.
"""

from __future__ import annotations

from .best import best
from .fp import fp
from .greedy import greedy
from .maxpower import maxpower
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
}

#: Algorithms that optimise a weighted sum-rate well enough to drive the min-rate penalty loop.
WEIGHTED = ("wmmse", "fp", "best")


def describe() -> dict[str, str]:
    """{name: one-line description} of every algorithm, for a CLI listing."""
    return {name: (fn.__doc__ or "").strip().splitlines()[0] for name, fn in ALGORITHMS.items()}
