"""Scoring the traces against the scenarios' checks (the scorer sees only the checks).

A check holds in a slot when the link's rate is at least its ``min_rate`` (1e-6 bit/s/Hz of
slack) or its power at most ``max_power_frac`` of p_max. ``intent_satisfaction`` is the fraction
of (check, slot) pairs that held, ``met_of_oracle`` the fraction of the pairs the oracle met
that this planner met too, ``infeasible`` the pairs no planner could meet (a minimum rate above
what the link reaches at its cap with every other link silent). ``raw_mean_sum_rate`` (and
``raw_intent_satisfaction``) score the LLM team's plans as its decide graph committed them,
before its closed loop (floor control and yielding) changed them: what the agents planned.

Checks are the scenario's constraint checks, its intents' and its devices' (``Scenario.checks``);
weight and objective checks are not counted as checks: they set the ``objective`` a row is
scored on. ``utility`` is that objective's per-slot value (``environment.objectives.utility``),
averaged over the slots; ``ratio_to_oracle_utility`` divides it by the oracle's on the same seed.
``ratio_to_best`` divides it by the constrained ``best`` planner's on the same slots, under the
same checks and objective (:func:`best_solutions`), whether or not the oracle ran: on plain
sum-rate the sum-rate, 1 for the oracle itself.

Seeds: every planner runs once per env seed of a scenario; each run is scored alone (the
``per_seed`` rows of report.json, compared with the oracle of the same seed), and a report row
gives the mean over seeds. Fractions and per-decision figures are means over seeds; counts
(checks, checks met, infeasible, messages, bytes, tokens) and seconds are totals. The ratios of a
row (:data:`RATIOS`) are ratios of means over the same seeds, the planner's mean over the
reference's (WMMSE's or the oracle's runs on those seeds), not means of per-seed ratios: a seed
whose reference is near 0 (a max-min oracle that must starve a link) would otherwise decide the
row. Every headline figure (:data:`HEADLINE`) also gets ``<name>_ci``, a 95% percentile bootstrap
interval over seeds (:func:`bootstrap_interval`, for the ratios resampling the seeds in pairs:
:func:`ratio_interval`; the point itself with one seed).

``adoption``, ``deviations`` and ``deviation_gain`` (team planners only, from the trace's summary,
:mod:`wireless_agents.planners.episode.adoption`): the share of decisions that took the tool's
suggestion (within 1%, at least 0.001 of p_max), the number that did not, and the mean per-slot
utility (sum-rate, bit/s/Hz) their deviations won or lost against the suggestions.

``mini_slots`` (the scenario's time slices per slot), ``floors_slot_feasible`` and
``floors_timeshare_feasible`` (totals over seeds): of the (floor check, slot) pairs, those whose
slot's floors one power vector can meet together (the exact Foschini-Miljanic test), and those
time-sharing can meet on average (the LP of ``planners.timeshare_lp``; only for scenarios with
``mini_slots > 1``, else None). A time-sharing plan (the oracle's ``schedule``) is scored on its
mean rates over the slices, its mean powers (``min_power``) and its largest slice power (caps).

``acts_asked``/``acts_granted``/``acts_offered``/``acts_refused`` (totals over seeds),
``message_parse_rate`` and ``degenerate_messages`` (team planners only): the requests the
team's messages made and how they were answered, the share of messages that parse as acts and
the count with degenerate text (:mod:`wireless_agents.agents.acts`,
:mod:`wireless_agents.agents.messages`).
"""

from __future__ import annotations

import numpy as np
from wireless_agents.demos.suite import Scenario, Suite
from wireless_agents.planners.constraints import RATE_TOL, alone_rates
from wireless_agents.planners.episode import check_met

from .grid import Task, settings_for

# the figures of a row that get a bootstrap interval over seeds
HEADLINE = ("mean_sum_rate", "utility", "intent_satisfaction", "ratio_to_wmmse", "ratio_to_oracle",
            "ratio_to_oracle_utility", "ratio_to_best")  # fmt: skip
# an oracle utility at or below this is no base for a ratio (a max-min oracle that starves a
# link has a minimum rate of ~1e-70): ratio_to_oracle_utility is then None
UTILITY_FLOOR = 1e-6
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0  # the resampling's Generator seed: the same report gives the same intervals
# a row's ratios: (name, the planner's figure, the reference's figure, the reference's planner
# (None: the figure is in the planner's own run))
RATIOS = (("ratio_to_wmmse", "mean_sum_rate", "wmmse_mean_sum_rate", None),
          ("ratio_to_best", "utility", "best_utility", None),
          ("ratio_to_oracle", "mean_sum_rate", "mean_sum_rate", "oracle"),
          ("ratio_to_oracle_utility", "utility", "utility", "oracle"))  # fmt: skip
# per-seed figures summed over seeds in a report row (the rest are averaged)
TOTALS = ("checks", "checks_met", "infeasible", "messages", "message_bytes", "llm_tokens",
          "llm_seconds", "wall_seconds", "validated_slots", "fallbacks", "deviations",
          "acts_asked", "acts_granted", "acts_offered", "acts_refused",
          "degenerate_messages", "floors_slot_feasible",
          "floors_timeshare_feasible")  # fmt: skip


def channels(sc: Scenario, steps: int | None = None, seed: int | None = None):
    """The scenario's gain matrices slot by slot on env seed ``seed`` (default the first; the
    env's randomness ignores the actions), with ``p_max`` and ``noise``."""
    from wireless_agents.planners.episode.context import replay_gains

    return replay_gains(settings_for(sc, "wmmse", seed), steps or sc.steps)


def _caps_frac(sc: Scenario) -> np.ndarray:
    """Each link's power cap as a fraction of p_max under the scenario's checks, (K,)."""
    caps = np.ones(sc.n_agents)
    for c in sc.constraints():
        if "max_power_frac" in c:
            caps[c["agent"]] = min(caps[c["agent"]], c["max_power_frac"])
    return caps


def floor_verdicts(sc: Scenario, gains, p_max: float, noise: float) -> dict | None:
    """Per slot, the two verdicts of the scenario's floors together: ``slot`` one power vector
    meets them all (exact), ``timeshare`` time-sharing meets them on average (the LP of
    ``planners.timeshare_lp``; None unless the scenario has ``mini_slots > 1``). None for a
    scenario without floors."""
    from wireless_agents.planners.timeshare_api import floor_verdicts as verdicts

    floors = np.zeros(sc.n_agents)
    for c in sc.constraints():
        if "min_rate" in c:
            floors[c["agent"]] = max(floors[c["agent"]], c["min_rate"])
    if not np.any(floors > 0):
        return None
    g = np.asarray(gains, dtype=float)
    n, k = g.shape[0], sc.n_agents
    caps = np.broadcast_to(_caps_frac(sc) * p_max, (n, k))
    slot, ts = verdicts(g, np.full((n, k), noise), caps, np.broadcast_to(floors, (n, k)),
                        time_sharing=sc.mini_slots > 1)  # fmt: skip
    return {"slot": slot.tolist(), "timeshare": None if ts is None else ts.tolist()}


def _verdict_figures(sc: Scenario, verdicts: dict | None) -> dict:
    """The row's ``mini_slots`` and, per (floor check, slot) pair, how many a single vector
    could meet (``floors_slot_feasible``) and how many time-sharing could
    (``floors_timeshare_feasible``; None without mini-slots or floors)."""
    out = {"mini_slots": sc.mini_slots, "floors_slot_feasible": None,
           "floors_timeshare_feasible": None}  # fmt: skip
    if verdicts is None:
        return out
    n = sum("min_rate" in c for c in sc.constraints())
    out["floors_slot_feasible"] = n * int(sum(verdicts["slot"]))
    if verdicts["timeshare"] is not None:
        out["floors_timeshare_feasible"] = n * int(sum(verdicts["timeshare"]))
    return out


def best_solutions(sc, seed: int, gains, p_max: float, noise: float) -> list:
    """The constrained ``best`` plan of each slot of ``sc`` on env seed ``seed``:
    ``planners.api.solve_detailed(..., algo="best")`` for the scenario's objective and weights
    under its own constraints (zou's floors) tightened by every check; one ``Solution`` per
    (K, K) matrix of ``gains``. The oracle's plans, and the base of every row's
    ``ratio_to_best`` (on plain sum-rate the same call as the oracle episode's planner)."""
    from wireless_agents.planners.api import solve_detailed
    from wireless_agents.planners.episode import scenario_setup
    from wireless_agents.planners.episode.intents import merge_constraints

    _, base, _ = scenario_setup(settings_for(sc, "oracle", seed))
    arrays = merge_constraints(base, sc.constraints(), sc.n_agents)
    return [
        solve_detailed(
            g,
            p_max,
            noise,
            algo="best",
            objective=sc.objective,
            weights=sc.weights,
            max_power_frac=arrays.get("max_power_frac"),
            min_rate=arrays.get("min_rate"),
        )  # fmt: skip
        for g in gains
    ]


def infeasible_pairs(sc: Scenario, gains, p_max: float, noise: float) -> list[list[bool]]:
    """Per slot and check: True where no planner could meet it (min rate above what the link
    reaches at its cap, every other link silent)."""
    checks = sc.constraints()
    caps = _caps_frac(sc)
    out = []
    for g in gains:
        alone = alone_rates(g, noise, caps * p_max)
        out.append([bool("min_rate" in c and alone[c["agent"]] < c["min_rate"] - RATE_TOL)
                    for c in checks])  # fmt: skip
    return out


def step_plan(st: dict, g, noise, before: bool = False):
    """A step's (rates (K,), mean powers (K,), peak powers (K,)): a time-sharing ``schedule``
    (K, L) gives the mean rates and powers over its slices and its largest slice power (what
    a power cap is checked on); a power vector gives its own rates, its powers twice.
    ``before``: the plan before the LLM team's closed loop changed it, where there is one."""
    from wireless_agents.environment.metrics import rates as link_rates

    if "schedule" in st and not (before and st.get("validation")):
        sched = np.asarray(st["schedule"], dtype=float)
        r = link_rates(g[None], sched.T, noise).mean(0)
        return r, sched.mean(-1), sched.max(-1)
    p = np.asarray(st["powers"], dtype=float)
    if before and st.get("validation"):
        p = np.asarray(st["validation"]["before"], dtype=float)
    return link_rates(g, p, noise), p, p


def _raw_sum_rate(steps, gains, noise) -> float:
    """Mean sum-rate of the plans as the planner's team committed them, before the LLM team's
    closed loop (floor control, yielding) changed them; the committed one for other planners."""
    out = [float(step_plan(st, g, noise, before=True)[0].sum())
           for st, g in zip(steps, gains, strict=True)]  # fmt: skip
    return float(np.mean(out)) if out else 0.0


def _met(checks, steps, gains, p_max, noise, before: bool = False) -> list[list[bool]]:
    rows = []
    for st, g in zip(steps, gains, strict=True):
        r, _, peak = step_plan(st, g, noise, before)
        rows.append([check_met(c, peak, r, p_max) for c in checks])
    return rows


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(float(a) - float(b)) < 1e-6


def _read_fraction(sc: Scenario, trace: dict) -> float | None:
    """Fraction of the scenario's intent checks (every kind) the model read exactly (agent,
    kind and value)."""
    parsed = trace["settings"].get("parsed_intents")
    if parsed is None or not sc.intents:
        return None
    got = [(x.get("agent"), x.get("kind"), x.get("value")) for x in parsed if "error" not in x]
    ok = 0
    for i in sc.intents:
        hit = next((g for g in got if g[:2] == (i.agent, i.kind) and _same(g[2], i.value)),
                   None)  # fmt: skip
        if hit is not None:
            got.remove(hit)
            ok += 1
    return ok / len(sc.intents)


def _utility(objective: str, weights, steps, gains, p_max: float, noise: float) -> float | None:
    """The objective's per-slot utility of the committed plans, averaged over the slots."""
    from wireless_agents.environment.objectives import utility

    out = []
    for st, g in zip(steps, gains, strict=True):
        r, p, _ = step_plan(st, g, noise)
        out.append(float(utility(objective, r, p, p_max, weights)))
    return float(np.mean(out)) if out else None


def _run_row(t: Task, tr: dict, scene) -> dict:
    """The row of one run (one seed): its checks, figures and cost."""
    sc = t.scenario
    g, p_max, noise, infeasible, verdicts, best = scene
    checks = sc.constraints()
    s = tr["summary"]
    met = _met(checks, tr["steps"], g, p_max, noise)
    raw = _met(checks, tr["steps"], g, p_max, noise, before=True)
    pairs = len(checks) * len(tr["steps"])
    op = s.get("operator_intents") or {}
    dp = s.get("device_profiles") or {}  # each device's own read of its profile
    tokens = s["llm_tokens"] + op.get("parse_tokens", 0) + dp.get("read_tokens", 0)
    seconds = s["llm_seconds"] + s.get("cloud_seconds", 0.0) + op.get("parse_seconds", 0.0)
    seconds += dp.get("read_seconds", 0.0)
    decisions = len(tr["steps"])
    powers = np.array([st["powers"] for st in tr["steps"]], dtype=float)
    row = {
        "scenario": sc.name,
        "planner": t.planner,
        "seed": t.env_seed,
        "model": tr["settings"]["model"] if t.uses_model else None,
        "agents": sc.n_agents,
        "steps": decisions,
        "objective": sc.objective,
        "mean_sum_rate": s["mean_sum_rate"],
        "utility": (u := _utility(sc.objective, sc.weights, tr["steps"], g, p_max, noise)),
        "raw_mean_sum_rate": _raw_sum_rate(tr["steps"], g, noise),
        "wmmse_mean_sum_rate": s["wmmse_mean_sum_rate"],
        "ratio_to_wmmse": s["ratio_to_wmmse"],
        # over the constrained best on the same slots, checks and objective (.oracle)
        "best_utility": best,
        "ratio_to_best": u / best if u is not None and best > UTILITY_FLOOR else None,
        "ratio_to_oracle": None,
        "ratio_to_oracle_utility": None,
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
        # what the team's messages did (None for classical planners; agents/acts.py)
        **_act_figures(s, t.uses_model or t.planner == "tool"),
        "scenario_floors_met": _scenario_floors_met(s),
        # time-sharing (issue 14): the scenario's mini-slots and its floors' two verdicts
        **_verdict_figures(sc, verdicts),
        "timing": timing_label(tr["settings"]),
        "_met": met,
    }
    return row


def timing_label(settings: dict) -> str:
    """How a run's time was simulated: ``frozen`` or ``realtime``, then ``+fast_loop`` and
    ``+route=...``, ``+plan_on=large-scale`` when set (planners/episode/timing.py, fastloop.py,
    router.py, largescale.py)."""
    out = settings.get("timing", "frozen")
    if settings.get("fast_loop"):
        out += "+fast_loop"
    if settings.get("plan_on"):
        out += f"+plan_on={settings['plan_on']}"
    if settings.get("route"):
        out += f"+route={settings['route']}"
    return out


def _act_figures(summary: dict, team: bool) -> dict:
    """``acts_asked``/``_granted``/``_offered``/``_refused`` (requests and their answers),
    ``message_parse_rate`` (share of messages that parse as acts) and ``degenerate_messages`` of
    a team's run; None for a planner that sends no messages."""
    acts = summary.get("acts") if team else None
    out = {f"acts_{k}": None if acts is None else int(acts[k])
           for k in ("asked", "granted", "offered", "refused")}  # fmt: skip
    out["message_parse_rate"] = summary.get("message_parse_rate") if team else None
    out["degenerate_messages"] = summary.get("degenerate_messages") if team else None
    return out


def _compare_with_oracle(runs: list[dict]) -> None:
    """Each run against the oracle's run on the same scenario and seed (in place)."""
    oracle = {(r["scenario"], r["seed"]): r for r in runs if r["planner"] == "oracle"}
    for r in runs:
        o = oracle.get((r["scenario"], r["seed"]))
        if o is None:
            continue
        if o["mean_sum_rate"] > 0:
            r["ratio_to_oracle"] = r["mean_sum_rate"] / o["mean_sum_rate"]
        if o["utility"] is not None and r["utility"] is not None and o["utility"] > UTILITY_FLOOR:
            r["ratio_to_oracle_utility"] = r["utility"] / o["utility"]
        both = sum(a and b for ra, rb in zip(r["_met"], o["_met"], strict=True)
                   for a, b in zip(ra, rb, strict=True))  # fmt: skip
        om = sum(map(sum, o["_met"]))
        r["met_of_oracle"] = both / om if om else None


def bootstrap_interval(values, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED):
    """95% percentile bootstrap interval ``[lo, hi]`` of the mean of ``values`` (one per seed),
    resampled with a ``numpy.random.Generator`` seeded with ``seed``; ``[v, v]`` for one value,
    None for none."""
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if v.size == 0:
        return None
    if v.size == 1:
        return [float(v[0]), float(v[0])]
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(resamples, v.size))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return [float(lo), float(hi)]


def ratio_interval(num, den, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED):
    """95% percentile bootstrap interval of ``mean(num) / mean(den)``, the seeds resampled in
    pairs (one ``(num, den)`` per seed); ``[r, r]`` for one pair, None for none."""
    n, d = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if n.size == 0:
        return None
    if n.size == 1:
        return [float(n[0] / d[0])] * 2
    idx = np.random.default_rng(seed).integers(0, n.size, size=(resamples, n.size))
    dens = d[idx].sum(axis=1)
    ratios = n[idx].sum(axis=1)[dens > 0] / dens[dens > 0]
    if ratios.size == 0:
        return None
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return [float(lo), float(hi)]


def _ratios_of_means(row: dict, runs: list[dict], by_ref: dict) -> None:
    """Set ``row``'s :data:`RATIOS` (and their intervals) to ratios of means over the seeds
    its runs share with the reference (``by_ref[(planner, scenario, seed)]``: that run)."""
    for name, mine, theirs, ref in RATIOS:
        pairs = []
        for r in runs:
            o = r if ref is None else by_ref.get((ref, r["scenario"], r["seed"]))
            if o is None:
                continue
            if r.get(mine) is not None and o.get(theirs) is not None:
                pairs.append((r[mine], o[theirs]))
        den = sum(b for _, b in pairs) / len(pairs) if pairs else 0.0
        floor = UTILITY_FLOOR if theirs in ("utility", "best_utility") else 0.0
        if not pairs or den <= floor:
            row[name], row[f"{name}_ci"] = None, None
            continue
        row[name] = sum(a for a, _ in pairs) / len(pairs) / den
        row[f"{name}_ci"] = ratio_interval(*zip(*pairs, strict=True))


def _mean(values):
    v = [x for x in values if x is not None]
    return sum(v) / len(v) if v else None


FIXED = ("scenario", "planner", "model", "agents", "steps", "objective", "mini_slots", "timing")


def _aggregate(runs: list[dict]) -> dict:
    """A report row from the runs of one (scenario, planner), one per seed (see the module)."""
    row = {}
    for key in runs[0]:
        if key.startswith("_") or key in ("seed", "note"):  # "note": reports before 2026-12-02
            continue
        if key in FIXED:
            row[key] = runs[0][key]
        elif key in TOTALS:  # None where no run has it (deviations of a classical planner)
            vals = [r[key] for r in runs if r[key] is not None]
            row[key] = sum(vals) if vals else None
        else:
            row[key] = _mean(r[key] for r in runs)
    row["seeds"] = [r["seed"] for r in runs]
    row["n_seeds"] = len(runs)
    for key in HEADLINE:
        row[f"{key}_ci"] = bootstrap_interval([r[key] for r in runs])
    row["per_seed"] = [{k: v for k, v in r.items() if not k.startswith("_")} for r in runs]
    return row


def score(suite: Suite, all_tasks: list[Task], traces: dict[int, dict]) -> list[dict]:
    """One report row per (scenario, planner), in suite order: the mean over the scenario's
    seeds of its runs, each compared with WMMSE and with the oracle of the same seed."""
    cache = {}
    runs = []
    for n, t in enumerate(all_tasks):
        sc = t.scenario
        key = (sc.name, t.env_seed)
        if key not in cache:
            g, p_max, noise = channels(sc, seed=t.env_seed)
            best = np.mean([x.utility for x in best_solutions(sc, t.env_seed, g, p_max, noise)])
            cache[key] = (g, p_max, noise, infeasible_pairs(sc, g, p_max, noise),
                          floor_verdicts(sc, g, p_max, noise), float(best))  # fmt: skip
        runs.append(_run_row(t, traces[n], cache[key]))
    _compare_with_oracle(runs)
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        groups.setdefault((r["scenario"], r["planner"]), []).append(r)
    by_ref = {(r["planner"], r["scenario"], r["seed"]): r for r in runs}
    rows = []
    for g in groups.values():
        row = _aggregate(g)
        _ratios_of_means(row, g, by_ref)
        rows.append(row)
    return rows


def _scenario_floors_met(summary: dict) -> float | None:
    """Fraction of slots in which a scenario's own intent (zou's rate floors) held; None for
    scenarios without one (the operator's intents are the checks, scored above)."""
    intent = summary.get("intent_satisfaction") or {}
    return None if intent.get("kind") == "operator" else intent.get("fraction")


def planner_totals(rows: list[dict]) -> dict:
    """Per planner over the whole suite (every scenario and seed): checks met, the share of the
    oracle's met checks it also met, its summed sum-rate over the oracle's on the same runs, and
    its mean ``ratio_to_oracle_utility`` over the runs that have one (utilities of different
    objectives are not summed)."""
    runs = [x for r in rows for x in r.get("per_seed", [r])]
    oracle = {(r["scenario"], r.get("seed")): r for r in runs
              if r["planner"] == "oracle"}  # fmt: skip
    out = {}
    for p in dict.fromkeys(r["planner"] for r in rows):
        mine = [r for r in runs if r["planner"] == p]
        pairs = sum(r["checks"] for r in mine)
        tot = {
            "checks": pairs,
            "checks_met": sum(r["checks_met"] for r in mine),
            "intent_satisfaction": sum(r["checks_met"] for r in mine) / pairs if pairs else None,
        }
        if oracle:
            both = [(r, oracle[r["scenario"], r.get("seed")]) for r in mine
                    if (r["scenario"], r.get("seed")) in oracle]  # fmt: skip
            o_sr = sum(o["mean_sum_rate"] for _, o in both)
            tot["ratio_to_oracle"] = (
                sum(r["mean_sum_rate"] for r, _ in both) / o_sr if o_sr else None
            )
            raw = sum(r.get("raw_mean_sum_rate", r["mean_sum_rate"]) for r, _ in both)
            tot["raw_ratio_to_oracle"] = raw / o_sr if o_sr else None
            o_met = sum(o["checks_met"] for _, o in both)
            shared = sum((r["met_of_oracle"] or 0.0) * o["checks_met"] for r, o in both)
            tot["met_of_oracle"] = shared / o_met if o_met else None
            tot["ratio_to_oracle_utility"] = _mean(
                r.get("ratio_to_oracle_utility") for r, _ in both
            )
        out[p] = tot
    return out
