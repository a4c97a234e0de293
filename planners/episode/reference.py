"""The strongest classical reference of a slot: the constrained ``best`` planner on its channel.

WMMSE from full power is a weak yardstick where the best plan silences links (d2d: ``best``
reaches 1.07-1.29 times its sum-rate). Each slot record therefore also carries what ``best``
(:mod:`wireless_agents.planners.best`, the multi-start search) makes on the same channel under the
same constraints the planner was given (floors, caps) and for the same objective (the team's,
when one was stated), and the summary's ``ratio_to_best`` divides the run's figure by it.
"""

from __future__ import annotations

import numpy as np

# a reference utility at or below this is no base for a ratio (a max-min reference that starves
# a link has a minimum rate of ~1e-70)
UTILITY_FLOOR = 1e-6


def best_reference(gains, p_max: float, noise: float, constraints: dict | None,
                   goals: dict | None) -> dict:  # fmt: skip
    """``{"best_sum_rate"}`` (bit/s/Hz) of the constrained ``best`` plan of one slot, with
    ``"best_utility"`` under the objective of ``goals`` (``{"objective", "weights"}``, the
    team's; empty or None: the plain sum-rate, no utility key). ``gains`` (K, K) linear, powers
    and noise in W; ``constraints`` may hold ``min_rate`` and ``max_power_frac`` (per link)."""
    from wireless_agents.planners.api import solve_detailed

    cons = {k: v for k, v in (constraints or {}).items()
            if k in ("min_rate", "max_power_frac", "max_power")}  # fmt: skip
    goals = goals or {}
    sol = solve_detailed(
        np.asarray(gains, dtype=float), p_max, noise, algo="best",
        objective=goals.get("objective"), weights=goals.get("weights"), **cons,
    )  # fmt: skip
    out = {"best_sum_rate": float(sol.sum_rate)}
    if goals:
        out["best_utility"] = float(sol.utility)
    return out


def ratio_to_best(steps: list, objective: str | None) -> dict:
    """The summary's ``best_mean_sum_rate`` and ``ratio_to_best``: the run's mean per-slot
    figure over ``best``'s on the same slots, the objective's utility when the run has one
    (``objective`` not None: the slots' ``utility`` over their ``best_utility``), else the
    sum-rate. None where a slot lacks the reference (a trace of an older run) or the reference
    is no base for a ratio."""
    ref = [x.get("best_sum_rate") for x in steps]
    if not steps or any(r is None for r in ref):
        return {"best_mean_sum_rate": None, "ratio_to_best": None}
    out = {"best_mean_sum_rate": float(np.mean(ref))}
    if objective is None:
        got, base = [x["sum_rate"] for x in steps], ref
    else:
        got = [x.get("utility") for x in steps]
        base = [x.get("best_utility") for x in steps]
        if any(v is None for v in (*got, *base)):
            return {**out, "best_mean_utility": None, "ratio_to_best": None}
        out["best_mean_utility"] = float(np.mean(base))
    b = float(np.mean(base))
    out["ratio_to_best"] = float(np.mean(got)) / b if b > UTILITY_FLOOR else None
    return out
