"""The oracle of a scenario with a non-default objective (weights, max-min, min-power).

On plain sum-rate the oracle is an episode of the ``best`` planner given the checks (see
:func:`.grid.settings_for`). The episode's planners take no objective, so a scenario whose
objective is not ``sum_rate`` gets its oracle here: slot by slot on the same channels,
``planners.api.solve_detailed(..., algo="best", objective=..., weights=...)`` with the same
constraints (the scenario's own, such as zou's floors, tightened by every check).

With ``mini_slots: L > 1`` the oracle is ``algo="timeshare"`` with ``mini_slots=L`` under the
scenario's objective: each step keeps the (K, L) ``schedule``, its ``powers`` are the links'
mean powers over the slices and its ``rates`` their mean rates; ``bound`` is the LP value and
``slot_feasible``/``lp_feasible`` the two verdicts of the floors, ``slices_feasible`` the L-slice
verdict (True: met; False: no L-slice schedule can, proved for K <= 3; None: not known).
"""

from __future__ import annotations

import time

import numpy as np

from .grid import Task, settings_for


def run_objective_oracle(task: Task) -> dict:
    """The oracle's trace on ``task``'s seed: the shape of an episode trace (``settings``,
    ``steps`` with powers, rates and checks met, ``summary``)."""
    from wireless_agents.environment.metrics import rates as link_rates
    from wireless_agents.planners.api import solve, solve_detailed
    from wireless_agents.planners.episode import check_met, scenario_setup
    from wireless_agents.planners.episode.intents import merge_constraints
    from wireless_agents.planners.episode.reference import ratio_to_best

    from .scoring import best_solutions, channels

    sc = task.scenario
    s = settings_for(sc, "oracle", task.seed)
    s["objective"] = sc.objective
    s["weights"] = None if sc.weights is None else list(sc.weights)
    t0 = time.perf_counter()
    gains, p_max, noise = channels(sc, seed=task.env_seed)
    _, base, own = scenario_setup(s)  # own: the scenario's intent (zou's floors), if any
    checks = sc.constraints()
    arrays = merge_constraints(base, checks, sc.n_agents)
    steps = []
    sliced = {"mini_slots": sc.mini_slots} if sc.mini_slots > 1 else {}
    if sliced:
        s["mini_slots"] = sc.mini_slots
    refs = best_solutions(sc, task.env_seed, gains, p_max, noise)  # the constrained best
    for slot, (g, ref) in enumerate(zip(gains, refs, strict=True)):
        sol = ref
        if sliced:  # time-sharing over the mini-slots: the LP's schedule
            sol = solve_detailed(
                g, p_max, noise, algo="timeshare", objective=sc.objective, weights=sc.weights,
                max_power_frac=arrays.get("max_power_frac"), min_rate=arrays.get("min_rate"),
                **sliced,
            )  # fmt: skip
        sched = np.clip(np.asarray(sol.powers, dtype=float), 0.0, p_max)
        p = sched.mean(-1) if sliced else sched
        peak = sched.max(-1) if sliced else sched
        r = np.asarray(sol.rates, dtype=float) if sliced else link_rates(g, p, noise)
        w = solve(g, p_max, noise, algo="wmmse")
        step = {
            "slot": slot,
            "powers": p.tolist(),
            "rates": r.tolist(),
            "sum_rate": float(r.sum()),
            "wmmse_sum_rate": float(link_rates(g, w, noise).sum()),
            "total_power": float(p.sum()),
            "feasible": bool(sol.feasible),
            "violations": list(sol.violations),
            "constraints_met": [check_met(c, peak, r, p_max) for c in checks],
            # the constrained best of one power vector (.reference's keys): the oracle itself
            # unless it time-shares
            "utility": float(sol.utility),
            "best_sum_rate": float(ref.sum_rate),
            "best_utility": float(ref.utility),
        }
        if sliced:
            step.update(schedule=sched.tolist(), bound=sol.bound,
                        slot_feasible=sol.slot_feasible, lp_feasible=sol.lp_feasible,
                        slices_feasible=sol.slices_feasible)  # fmt: skip
        steps.append(step)
    if own is not None:  # the slots in which every floor of the scenario's own intent held
        floors = np.asarray(base["min_rate"], dtype=float)
        for x in steps:
            x["floors_met"] = (np.asarray(x["rates"]) >= floors - 1e-9).tolist()
    trace = _trace(s, steps, time.perf_counter() - t0, own=own)
    trace["summary"].update(ratio_to_best(steps, sc.objective))
    return trace


def _trace(settings, steps, seconds, own: dict | None = None) -> dict:
    sr = [x["sum_rate"] for x in steps]
    wr = [x["wmmse_sum_rate"] for x in steps]
    mean = float(np.mean(sr)) if sr else 0.0
    wmean = float(np.mean(wr)) if wr else 0.0
    held = [bool(m) for x in steps for m in x["constraints_met"]]
    summary = {
        "mean_sum_rate": mean,
        "wmmse_mean_sum_rate": wmean,
        "ratio_to_wmmse": mean / wmean if wmean > 0 else None,
        "messages": 0,
        "message_bytes": 0,
        "llm_tokens": 0,
        "llm_seconds": 0.0,
        "fallbacks": 0,
        "wall_seconds": seconds,
        "intent_satisfaction": {"kind": "operator", "held": int(sum(held)), "checks": len(held),
                                "fraction": sum(held) / len(held)} if held else None,
    }  # fmt: skip
    if own is not None and steps:
        met = [all(x["floors_met"]) for x in steps]
        summary["intent_satisfaction"] = {**own, "satisfied_slots": int(sum(met)),
                                          "slots": len(met), "fraction": sum(met) / len(met)}  # fmt: skip
    return {"settings": settings, "steps": steps, "summary": summary}
