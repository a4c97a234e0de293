"""``solve_detailed(..., algo="timeshare", mini_slots=L)``: the schedule and its report.

The floors follow ``solve``'s rule (a floor out of reach even alone is left out of the search
and reported); the best single vector is ``algo="best"`` under the same objective, floors and
caps (:mod:`planners.timeshare` keeps it when no schedule beats it).
"""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.environment.objectives import utility

from . import constraints as cons
from ._problem import Problem
from .errors import PlannerInputError
from .timeshare import timeshare
from .timeshare_lp import RATE_TOL


def _slices(mini_slots) -> int:
    if isinstance(mini_slots, bool) or not isinstance(mini_slots, (int, np.integer)):
        raise PlannerInputError(f"mini_slots must be an integer >= 1, got {mini_slots!r}")
    if mini_slots < 1:
        raise PlannerInputError(f"mini_slots must be an integer >= 1, got {mini_slots}")
    return int(mini_slots)


def schedule_rates(gains, schedule, noise) -> np.ndarray:
    """Mean rates (B, K) over the slices of schedules (B, K, L), bit/s/Hz."""
    per = np.swapaxes(schedule, -1, -2)  # (B, L, K)
    return link_rates(gains[:, None], per, noise[:, None]).mean(axis=1)


def violations(min_rate, mean_rate, lp_ok, slot_ok, batched, slices_ok=None, slices=1
               ) -> list[str]:  # fmt: skip
    """One line per floor the schedule misses on average, with both verdicts (and, where
    ``slices_ok`` (B,) proves it, that no schedule of ``slices`` slices meets them)."""
    miss = (min_rate > 0) & (mean_rate < min_rate - RATE_TOL)
    lines = []
    for bi, li in zip(*np.nonzero(miss), strict=True):
        pre = f"problem {bi}, " if batched else ""
        lp = "feasible" if lp_ok[bi] else "infeasible"
        one = "feasible" if slot_ok[bi] else "infeasible"
        lines.append(
            f"{pre}link {li}: needs {min_rate[bi, li]:.2f} bit/s/Hz, the schedule gives "
            f"{mean_rate[bi, li]:.2f} on average (floors by time-sharing: {lp}; by one power "
            f"vector: {one}"
            + (f"; by {slices} slices: impossible, proved" if _proved(slices_ok, bi) else "")
            + ")"
        )
    return lines


def _proved(slices_ok, bi) -> bool:
    return slices_ok is not None and slices_ok[bi] is False


def slices_verdicts(gains, noise, caps, floors, feasible, slices) -> list:
    """Per problem, the L-slice verdict of the floors: True where the schedule meets them
    (``feasible`` (B,)), False where no schedule of ``slices`` slices can (proved by
    :func:`timeshare_exact.slices_can_meet`, K <= 3), else None (not known)."""
    from .timeshare_exact import slices_can_meet

    out = []
    for b in range(gains.shape[0]):
        if feasible[b]:
            out.append(True)
        else:
            out.append(slices_can_meet(gains[b], caps[b], noise[b], floors[b], slices))
    return out


def check_options(mini_slots=1, max_rounds=30, **unknown) -> dict:
    """The options of ``algo="timeshare"``, checked (PlannerInputError on a bad one)."""
    if unknown:
        raise PlannerInputError(
            f"algo 'timeshare' does not take option '{next(iter(unknown))}' (options: "
            "mini_slots, max_rounds; constraints: max_power, max_power_frac, min_rate; "
            "objective, weights)"
        )
    ok = isinstance(max_rounds, (int, np.integer)) and not isinstance(max_rounds, bool)
    if not ok or max_rounds < 0:
        raise PlannerInputError(f"max_rounds must be an integer >= 0, got {max_rounds!r}")
    return {"mini_slots": _slices(mini_slots), "max_rounds": int(max_rounds)}


def solve_schedule(prob: Problem, objective: str, weights, single, mini_slots=1, max_rounds=30):
    """The fields of ``algo="timeshare"``'s :class:`~planners.api.Solution` (all but ``algo``
    and ``seconds``) for a normalized problem; ``single`` (B, K) the best single vectors."""
    slices = mini_slots
    g, nz, caps, wanted = prob.gains, prob.noise, prob.caps, prob.min_rate
    tg = cons.reachable(g, nz, caps, wanted)
    single = np.asarray(single, dtype=float).reshape(prob.batch, prob.k)
    sched, bound, lp_ok, rounds = timeshare(
        g, caps, nz, prob.p_max, objective, weights, tg, slices, single, max_rounds
    )
    sched = np.clip(sched, 0.0, caps[:, :, None])
    slot_ok, _ = cons.feasibility(g, nz, caps, wanted)
    lp_ok = lp_ok & np.all((wanted <= 0) | (tg > 0), axis=-1)  # a dropped floor: never met
    r = schedule_rates(g, sched, nz)
    feasible = ~np.any((wanted > 0) & (r < wanted - RATE_TOL), axis=-1)
    u = utility(objective, r, sched.mean(-1), prob.p_max, weights)
    slices_ok = None
    if slices > 1:
        slices_ok = slices_verdicts(g, nz, caps, wanted, feasible, slices)
    lines = violations(wanted, r, lp_ok, slot_ok, not prob.single, slices_ok, slices)
    un = prob.unbatch

    def scalar(x, kind):
        return kind(x[0]) if prob.single else x

    return dict(
        powers=un(sched),
        rates=un(r),
        sum_rate=float(r[0].sum()) if prob.single else r.sum(-1),
        feasible=scalar(feasible, bool),
        violations=lines,
        iterations=scalar(rounds.astype(int), int),
        objective=objective,
        utility=scalar(u, float),
        bound=scalar(bound, float),
        slot_feasible=scalar(slot_ok, bool),
        lp_feasible=scalar(lp_ok, bool),
        slices_feasible=None if slices_ok is None else (slices_ok[0] if prob.single else slices_ok),
        mini_slots=slices,
    )


def floor_verdicts(gains, noise, caps, floors, time_sharing: bool = True):
    """Per problem: can one power vector meet every floor together (the exact Foschini-Miljanic
    test), and can time-sharing (the LP over candidate vectors, :func:`timeshare_lp.solve_lp`;
    None when ``time_sharing`` is False)? ``gains`` (B, K, K), ``noise``/``caps``/``floors``
    (B, K). Returns (slot (B,) bool, timeshare (B,) bool or None)."""
    from .timeshare_lp import solve_lp

    gains = np.asarray(gains, dtype=float)
    floors = np.asarray(floors, dtype=float)
    slot_ok, _ = cons.feasibility(gains, noise, caps, floors)
    if not time_sharing:
        return slot_ok, None
    tg = cons.reachable(gains, noise, caps, floors)
    ts = []
    for b in range(gains.shape[0]):
        if np.any((floors[b] > 0) & (tg[b] <= 0)):  # a floor out of reach even alone
            ts.append(False)
            continue
        lp = solve_lp(gains[b], caps[b], noise[b], "sum_rate", None, tg[b], max_rounds=10)
        ts.append(bool(lp.feasible))
    return slot_ok, np.array(ts)
