"""``solve`` and ``solve_detailed``: the one entry point to the classical planners."""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field

import numpy as np
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.environment.objectives import ObjectiveError, resolve_objective, utility

from . import constraints as cons
from ._problem import normalize
from .errors import InfeasibleError, PlannerInputError
from .registry import ALGORITHMS, FLOOR_EXACT, OBJECTIVE_SOLVER, SCHEDULERS, WEIGHTED


@dataclass
class Solution:
    """What a planner decided and how good it is.

    Shapes follow the input: one problem gives ``powers``/``rates`` (K,) and scalar
    ``sum_rate``/``feasible``/``iterations``; a batch gives (B, K) and (B,).

    powers      transmit powers in watts
    rates       per-link rates in bit/s/Hz
    sum_rate    sum of the rates, bit/s/Hz
    feasible    every minimum rate met (True where there are none)
    violations  one line per missed minimum rate, e.g.
                "link 2: needs 1.50 bit/s/Hz, best reachable 0.83 under the caps ..."
    algo        algorithm name
    iterations  iterations (or sweeps) the algorithm used, summed over its inner runs
    seconds     wall-clock time of the whole solve
    objective   the objective solved and scored (a name of environment.objectives.OBJECTIVES)
    utility     environment.objectives.utility of the plan under ``objective`` (with the
                weights for weighted_sum_rate, p_max for min_power); scalar or (B,)

    Time-sharing schedules (``algo="timeshare"``, ``mini_slots=L``; ``planners.timeshare``):
    ``powers`` is the (K, L) schedule (W per link and time slice; batched (B, K, L)), ``rates``
    the links' mean rates over the slices, ``feasible`` the time-sharing verdict of the floors
    on the schedule's mean rates, and

    bound          the unrounded LP value, in ``utility``'s units (NaN where the LP finds the
                   floors infeasible)
    lp_feasible    the LP's verdict: the floors can be met on average by time-sharing
    slot_feasible  the per-slot verdict: one power vector meets every floor (the exact
                   Foschini-Miljanic test, ``constraints.feasibility``)
    slices_feasible  the L-slice verdict: True where the schedule meets every floor, False
                   where no schedule of L slices can (proved for K <= 3 by
                   ``planners.timeshare_exact``), None where not known (and for L = 1)
    mini_slots     L (1 for the single-vector algorithms, whose fields above stay None)
    """

    powers: np.ndarray
    rates: np.ndarray
    sum_rate: np.ndarray | float
    feasible: np.ndarray | bool
    violations: list[str] = field(default_factory=list)
    algo: str = ""
    iterations: np.ndarray | int = 0
    seconds: float = 0.0
    objective: str = "sum_rate"
    utility: np.ndarray | float = 0.0
    bound: np.ndarray | float | None = None
    slot_feasible: np.ndarray | bool | None = None
    lp_feasible: np.ndarray | bool | None = None
    slices_feasible: list | bool | None = None
    mini_slots: int = 1

    @property
    def all_feasible(self) -> bool:
        return bool(np.all(self.feasible))


def _options(algo: str, fn, options: dict) -> dict:
    params = inspect.signature(fn).parameters
    hidden = ("gains", "caps", "noise", "weights", "min_rate", "objective")
    allowed = [n for n in params if n not in hidden]
    for key in options:
        if key not in allowed:
            hint = ", ".join(allowed) if allowed else "none"
            raise PlannerInputError(
                f"algo '{algo}' does not take option '{key}' (options: {hint}; constraints: "
                "max_power, max_power_frac, min_rate; objective, weights)"
            )
    return dict(options)


def _weights(weights, batch: int, k: int, single: bool) -> np.ndarray:
    """Link weights as (B, K); (K,) or (B, K) (or a scalar) accepted, finite and >= 0."""
    try:
        w = np.asarray(weights, dtype=float)
        w = np.array(np.broadcast_to(w, (k,) if single else (batch, k)), dtype=float)
    except (TypeError, ValueError):
        raise PlannerInputError(
            f"weights must be numbers broadcastable to {(k,) if single else (batch, k)}"
        ) from None
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise PlannerInputError("weights must be finite and non-negative")
    return np.array(np.broadcast_to(w, (batch, k)))


def solve_detailed(
    gains,
    p_max=1.0,
    noise=1.0,
    algo: str = "wmmse",
    *,
    objective: str | None = None,
    weights=None,
    max_power=None,
    max_power_frac=None,
    min_rate=None,
    **options,
) -> Solution:
    """Plan powers like :func:`solve` and return the full :class:`Solution` report."""
    t0 = time.perf_counter()
    if not isinstance(algo, str) or (algo not in ALGORITHMS and algo not in SCHEDULERS):
        names = ", ".join([*ALGORITHMS, *SCHEDULERS])
        raise PlannerInputError(f"unknown algo {algo!r}; choose one of: {names}")
    try:
        objective = resolve_objective(objective, weights)
    except ObjectiveError as exc:
        raise PlannerInputError(str(exc)) from None
    if algo in SCHEDULERS:
        return _schedule(gains, p_max, noise, objective, weights, max_power, max_power_frac,
                         min_rate, t0, options)  # fmt: skip
    fn = ALGORITHMS[algo]
    opts = _options(algo, fn, options)
    prob = normalize(gains, p_max, noise, max_power, max_power_frac, min_rate)
    g, nz, caps, wanted = prob.gains, prob.noise, prob.caps, prob.min_rate
    a = None  # link weights (B, K): only the weighted sum-rate uses them
    if objective == "weighted_sum_rate":
        a = _weights(1.0 if weights is None else weights, prob.batch, prob.k, prob.single)
        opts["weights"] = a
    params = inspect.signature(fn).parameters
    if "objective" in params:
        opts["objective"] = objective
    tg = cons.reachable(g, nz, caps, wanted)  # out of reach even alone: reported, not chased
    constrained = bool(np.any(tg > 0))
    if constrained and "min_rate" in params:
        opts["min_rate"] = tg
    powers, iters = fn(g, caps, nz, **opts)
    powers = np.clip(np.asarray(powers, dtype=float), 0.0, caps)
    iters = np.asarray(iters, dtype=int)
    # the floors are exact where the plan came from an exact solver (``best`` hands over to one)
    exact = algo in FLOOR_EXACT or (algo == "best" and OBJECTIVE_SOLVER[objective] in FLOOR_EXACT)
    if constrained and not exact:
        powers, extra = cons.enforce(g, nz, caps, tg, powers, penalty=algo in WEIGHTED, weights=a)
        powers = np.clip(powers, 0.0, caps)
        iters = iters + extra
    feasible, violations = cons.report(g, nz, caps, wanted, powers, batched=not prob.single)
    r = link_rates(g, powers, nz)
    u = utility(objective, r, powers, prob.p_max, a)
    un = prob.unbatch
    return Solution(
        powers=un(powers),
        rates=un(r),
        sum_rate=float(r[0].sum()) if prob.single else r.sum(-1),
        feasible=bool(feasible[0]) if prob.single else feasible,
        violations=violations,
        algo=algo,
        iterations=int(iters[0]) if prob.single else iters,
        seconds=time.perf_counter() - t0,
        objective=objective,
        utility=float(u[0]) if prob.single else u,
    )


def _schedule(gains, p_max, noise, objective, weights, max_power, max_power_frac, min_rate, t0,
              options) -> Solution:  # fmt: skip
    """``algo="timeshare"``: the (K, L) schedule (``planners.timeshare_api``), starting from
    the best single vector (``algo="best"`` under the same objective, caps and floors)."""
    from .timeshare_api import check_options, solve_schedule

    opts = check_options(**options)
    prob = normalize(gains, p_max, noise, max_power, max_power_frac, min_rate)
    a = None
    if objective == "weighted_sum_rate":
        a = _weights(1.0 if weights is None else weights, prob.batch, prob.k, prob.single)
    tg = cons.reachable(prob.gains, prob.noise, prob.caps, prob.min_rate)
    single = solve_detailed(
        prob.gains, prob.p_max, prob.noise, "best", objective=objective, weights=a,
        max_power=prob.caps, min_rate=tg,
    ).powers  # fmt: skip
    fields = solve_schedule(prob, objective, a, single, **opts)
    return Solution(**fields, algo="timeshare", seconds=time.perf_counter() - t0)


def solve(
    gains, p_max=1.0, noise=1.0, algo: str = "wmmse", *, strict: bool = False, **constraints
) -> np.ndarray:
    """Joint transmit powers in watts for one (K, K) or a batch (B, K, K) of gain matrices.

    ``gains[..., i, j]`` is the linear power gain from transmitter j to receiver i; ``p_max``
    and ``noise`` (watts) are scalars or arrays broadcastable to (K,) / (B, K). Returns powers
    of shape (K,) or (B, K). ``algo`` is a name from ``ALGORITHMS``.

    ``objective`` (a name of ``environment.objectives.OBJECTIVES``; None: ``weighted_sum_rate``
    when ``weights`` are given, else ``sum_rate``) is what ``best``/``optimal`` optimize and what
    the report's ``utility`` scores; ``weights`` (K,) or (B, K), >= 0, are the per-link
    priorities of ``weighted_sum_rate`` (ignored by the other objectives). ``max_min`` and
    ``min_power`` have exact solvers (``algo="maxmin"`` / ``"minpower"``, which ``best`` uses);
    the other algorithms plan as for the (weighted) sum-rate (see ``planners.registry``).

    Constraints: ``max_power`` (watts per link, 0 = silent), ``max_power_frac`` (fraction of
    p_max per link), ``min_rate`` (bit/s/Hz per link, 0 or NaN = none). Minimum rates are met
    where the caps allow. A floor out of reach even with every other link silent is left out of
    the search (chasing it would only silence the others for a floor still missed); floors each
    reachable alone but not together come as close as the search got. Either way the report
    names the links that miss, and with ``strict=True`` an :class:`InfeasibleError` does. Any other keyword is
    an algorithm option (``seed``, ``levels``, ``max_iter``, ...). Bad input raises a
    ``ValueError`` with a one-line message.
    """
    sol = solve_detailed(gains, p_max, noise, algo, **constraints)
    if strict and not np.all(sol.feasible):
        shown = "; ".join(sol.violations[:3])
        more = f" (+{len(sol.violations) - 3} more)" if len(sol.violations) > 3 else ""
        raise InfeasibleError(f"minimum rates infeasible: {shown}{more}", sol)
    return sol.powers
