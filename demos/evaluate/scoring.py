"""Scoring the traces against the scenarios' checks (the scorer sees only the checks).

A check holds in a slot when the link's rate is at least its ``min_rate`` (1e-6 bit/s/Hz of
slack) or its power at most ``max_power_frac`` of p_max. ``intent_satisfaction`` is the fraction
of (check, slot) pairs that held, ``met_of_oracle`` the fraction of the pairs the oracle met
that this planner met too, ``infeasible`` the pairs no planner could meet (a minimum rate above
what the link reaches at its cap with every other link silent). ``raw_mean_sum_rate`` (and
``raw_intent_satisfaction``) score the LLM team's plans as its decide graph committed them,
before its closed loop (floor control and yielding) changed them: what the agents planned.
``adoption``, ``deviations`` and ``deviation_gain`` (team planners only, from the trace's summary,
:mod:`wireless_agents.planners.episode.adoption`): the share of decisions that took the tool's
suggestion (within 1%, at least 0.001 of p_max), the number that did not, and the mean per-slot
utility (sum-rate, bit/s/Hz) their deviations won or lost against the suggestions.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.demos.suite import Scenario, Suite
from wireless_agents.planners.constraints import RATE_TOL, alone_rates
from wireless_agents.planners.episode import check_met

from .grid import Task, settings_for


def channels(sc: Scenario, steps: int | None = None):
    """The scenario's gain matrices slot by slot (the env's randomness ignores the actions)."""
    from wireless_agents.planners.episode import EpisodeContext

    s = settings_for(sc, "wmmse")
    rt = EpisodeContext(s)
    rt.env_at([])
    env = rt.env
    out = []
    for _ in range(steps or sc.steps):
        out.append(np.asarray(env.gains, dtype=float).copy())
        env.step(env.actions_from_powers(np.zeros(env.n_agents)))
    return out, float(env.p_max), float(env.noise)


def infeasible_pairs(sc: Scenario, gains, p_max: float, noise: float) -> list[list[bool]]:
    """Per slot and check: True where no planner could meet it (min rate above what the link
    reaches at its cap, every other link silent)."""
    checks = [i.as_constraint() for i in sc.intents]
    caps = np.ones(sc.n_agents)
    for c in checks:
        if "max_power_frac" in c:
            caps[c["agent"]] = min(caps[c["agent"]], c["max_power_frac"])
    out = []
    for g in gains:
        alone = alone_rates(g, noise, caps * p_max)
        out.append([bool("min_rate" in c and alone[c["agent"]] < c["min_rate"] - RATE_TOL)
                    for c in checks])  # fmt: skip
    return out


def _raw_sum_rate(steps, gains, noise) -> float:
    """Mean sum-rate of the plans as the planner's team committed them, before the LLM team's
    closed loop (floor control, yielding) changed them; the committed one for other planners."""
    from wireless_agents.environment.metrics import rates as link_rates

    out = []
    for st, g in zip(steps, gains, strict=True):
        p = np.asarray((st.get("validation") or {}).get("before", st["powers"]), dtype=float)
        out.append(float(link_rates(g, p, noise).sum()))
    return float(np.mean(out)) if out else 0.0


def _met(checks, steps, gains, p_max, noise, before: bool = False) -> list[list[bool]]:
    from wireless_agents.environment.metrics import rates as link_rates

    rows = []
    for st, g in zip(steps, gains, strict=True):
        p = np.asarray(st["powers"], dtype=float)
        if before and st.get("validation"):
            p = np.asarray(st["validation"]["before"], dtype=float)
        r = link_rates(g, p, noise)
        rows.append([check_met(c, p, r, p_max) for c in checks])
    return rows


def _read_fraction(sc: Scenario, trace: dict) -> float | None:
    """Fraction of the scenario's checks the model read exactly (agent, kind and value)."""
    parsed = trace["settings"].get("parsed_intents")
    if parsed is None or not sc.intents:
        return None
    got = [(x["agent"], x["kind"], x["value"]) for x in parsed if "error" not in x]
    ok = 0
    for i in sc.intents:
        hit = next((g for g in got if g[:2] == (i.agent, i.kind) and abs(g[2] - i.value) < 1e-6),
                   None)  # fmt: skip
        if hit is not None:
            got.remove(hit)
            ok += 1
    return ok / len(sc.intents)


def score(suite: Suite, all_tasks: list[Task], traces: dict[int, dict]) -> list[dict]:
    """One report row per task (in suite order), compared with WMMSE and the oracle."""
    rows = []
    cache = {}
    for n, t in enumerate(all_tasks):
        sc, tr = t.scenario, traces[n]
        if sc.name not in cache:
            g, p_max, noise = channels(sc)
            cache[sc.name] = (g, p_max, noise, infeasible_pairs(sc, g, p_max, noise))
        g, p_max, noise, infeasible = cache[sc.name]
        checks = [i.as_constraint() for i in sc.intents]
        s = tr["summary"]
        met = _met(checks, tr["steps"], g, p_max, noise)
        raw = _met(checks, tr["steps"], g, p_max, noise, before=True)
        pairs = len(checks) * len(tr["steps"])
        op = s.get("operator_intents") or {}
        tokens = s["llm_tokens"] + op.get("parse_tokens", 0)
        seconds = s["llm_seconds"] + s.get("cloud_seconds", 0.0) + op.get("parse_seconds", 0.0)
        decisions = len(tr["steps"])
        powers = np.array([st["powers"] for st in tr["steps"]], dtype=float)
        rows.append(
            {
                "scenario": sc.name,
                "planner": t.planner,
                "model": tr["settings"]["model"] if t.uses_model else None,
                "agents": sc.n_agents,
                "steps": decisions,
                "mean_sum_rate": s["mean_sum_rate"],
                "raw_mean_sum_rate": _raw_sum_rate(tr["steps"], g, noise),
                "wmmse_mean_sum_rate": s["wmmse_mean_sum_rate"],
                "ratio_to_wmmse": s["ratio_to_wmmse"],
                "ratio_to_oracle": None,
                "intent_satisfaction": sum(map(sum, met)) / pairs if pairs else None,
                "raw_intent_satisfaction": sum(map(sum, raw)) / pairs if pairs else None,
                "met_of_oracle": None,
                "checks": pairs,
                "checks_met": int(sum(map(sum, met))),
                "infeasible": int(sum(map(sum, infeasible))),
                "intents_read": _read_fraction(sc, tr) if t.uses_model else None,
                "mean_power_frac": float(powers.mean() / p_max) if powers.size else None,
                "messages": s["messages"],
                "message_bytes": s["message_bytes"],
                "messages_per_decision": s["messages"] / decisions if decisions else 0.0,
                "llm_tokens": int(tokens),
                "tokens_per_decision": tokens / decisions if decisions else 0.0,
                "llm_seconds": float(seconds),
                "wall_seconds": float(tr.get("task_seconds", s["wall_seconds"])),
                "validated_slots": op.get("validated_slots", 0),
                "fallbacks": s.get("fallbacks", 0),
                # what the team's deciders added to their tools (None for classical planners;
                # planners/episode/adoption.py defines them)
                "adoption": s.get("adoption"),
                "deviations": s.get("deviations"),
                "deviation_gain": s.get("deviation_gain"),
                "scenario_floors_met": _scenario_floors_met(s),
                "_met": met,
            }
        )
    oracle = {r["scenario"]: r for r in rows if r["planner"] == "oracle"}
    for r in rows:
        o = oracle.get(r["scenario"])
        if o is not None:
            if o["mean_sum_rate"] > 0:
                r["ratio_to_oracle"] = r["mean_sum_rate"] / o["mean_sum_rate"]
            both = sum(a and b for ra, rb in zip(r["_met"], o["_met"], strict=True)
                       for a, b in zip(ra, rb, strict=True))  # fmt: skip
            om = sum(map(sum, o["_met"]))
            r["met_of_oracle"] = both / om if om else None
    for r in rows:
        del r["_met"]
    return rows


def _scenario_floors_met(summary: dict) -> float | None:
    """Fraction of slots in which a scenario's own intent (zou's rate floors) held; None for
    scenarios without one (the operator's intents are the checks, scored above)."""
    intent = summary.get("intent_satisfaction") or {}
    return None if intent.get("kind") == "operator" else intent.get("fraction")


def planner_totals(rows: list[dict]) -> dict:
    """Per planner over the whole suite: checks met, the share of the oracle's met checks it
    also met, and its summed mean sum-rate over the oracle's (same scenarios)."""
    out = {}
    for p in dict.fromkeys(r["planner"] for r in rows):
        mine = [r for r in rows if r["planner"] == p]
        pairs = sum(r["checks"] for r in mine)
        tot = {
            "checks": pairs,
            "checks_met": sum(r["checks_met"] for r in mine),
            "intent_satisfaction": sum(r["checks_met"] for r in mine) / pairs if pairs else None,
        }
        oracle = {r["scenario"]: r for r in rows if r["planner"] == "oracle"}
        if oracle:
            both = [r for r in mine if r["scenario"] in oracle]
            o_sr = sum(oracle[r["scenario"]]["mean_sum_rate"] for r in both)
            tot["ratio_to_oracle"] = sum(r["mean_sum_rate"] for r in both) / o_sr if o_sr else None
            raw = sum(r.get("raw_mean_sum_rate", r["mean_sum_rate"]) for r in both)
            tot["raw_ratio_to_oracle"] = raw / o_sr if o_sr else None
            o_met = sum(oracle[r["scenario"]]["checks_met"] for r in both)
            shared = sum((r["met_of_oracle"] or 0.0) * oracle[r["scenario"]]["checks_met"]
                         for r in both)  # fmt: skip
            tot["met_of_oracle"] = shared / o_met if o_met else None
        out[p] = tot
    return out
