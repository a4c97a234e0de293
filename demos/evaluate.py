"""The evaluator behind ``wagents eval``: every scenario of a suite with every planner, scored.

One *task* is one (scenario, planner) pair: one episode (:func:`planners.episode.run_episode`) on
the scenario's channels and seed, so every planner of a scenario sees the same channels. Tasks
run on a local process pool (classical planners, in parallel) while the LLM tasks run one after
the other in the main process (one model instance, calls serialized; parallel model runs would
only fight over the cores), or as Ray tasks.

Planners
========

``llm``      the LLM team. It reads the scenario's intent *texts* once (the edge model parses
             each sentence into a constraint; tokens and seconds count in its row), plans with
             those constraints (each agent sees its own minimum rate and power cap) and closes
             its floors by its own distributed floor-control loop (see
             :mod:`planners.coordination.floor_control`; the trace's ``validation``).
``oracle``   the constrained classical solver (``best``) given the *checks* themselves: the
             upper reference for intent-aware planning.
others       the classical planners (``maxpower``, ``random``, ``wmmse``, ``fp``, ``greedy``,
             ``optimal``, ``best``), intent-blind references.

Scoring (the scorer sees only the checks)
=========================================

A check holds in a slot when the link's rate is at least its ``min_rate`` (1e-6 bit/s/Hz of
slack) or its power at most ``max_power_frac`` of p_max. ``intent_satisfaction`` is the fraction
of (check, slot) pairs that held, ``met_of_oracle`` the fraction of the pairs the oracle met
that this planner met too, ``infeasible`` the pairs no planner could meet (a minimum rate above
what the link reaches at its cap with every other link silent). ``raw_mean_sum_rate`` (and
``raw_intent_satisfaction``) score the LLM team's plans as its decide graph committed them,
before its closed loop (floor control and yielding) changed them: what the agents planned.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import time
from dataclasses import asdict, dataclass

import numpy as np
from wireless_agents.demos.suite import Scenario, Suite
from wireless_agents.planners.constraints import RATE_TOL, alone_rates
from wireless_agents.planners.episode import CLASSICAL, check_met, default_settings

PLANNERS = ("llm", "oracle", *CLASSICAL)
# suite ``planner_options`` the LLM team takes (classical planners take none)
PLANNER_OPTIONS = {
    "model", "rounds", "strategy", "loss", "tools", "temperature", "max_tokens", "cloud_model",
}  # fmt: skip
CSV_FIELDS = (
    "scenario", "planner", "model", "agents", "steps", "mean_sum_rate", "raw_mean_sum_rate",
    "wmmse_mean_sum_rate",
    "ratio_to_wmmse", "ratio_to_oracle", "intent_satisfaction", "raw_intent_satisfaction",
    "met_of_oracle", "checks", "checks_met", "infeasible", "intents_read", "mean_power_frac",
    "messages", "message_bytes", "messages_per_decision", "llm_tokens", "tokens_per_decision",
    "llm_seconds", "wall_seconds", "validated_slots", "fallbacks", "scenario_floors_met",
)  # fmt: skip


@dataclass(frozen=True)
class Task:
    scenario: Scenario
    planner: str

    @property
    def label(self) -> str:
        return f"{self.scenario.name}/{self.planner}"

    @property
    def uses_model(self) -> bool:
        return self.planner == "llm"


def tasks(suite: Suite, planners: list[str]) -> list[Task]:
    return [Task(sc, p) for sc in suite.scenarios for p in planners]


def settings_for(sc: Scenario, planner: str) -> dict:
    """Episode settings of one task: same env, seed and steps for every planner of a scenario."""
    base = dict(
        scenario=sc.topology, agents=sc.n_agents, steps=sc.steps, seed=sc.seed,
        env=dict(sc.env_kwargs) or None,
    )  # fmt: skip
    if planner == "llm":
        opts = dict(sc.planner_options)
        cloud = opts.pop("cloud_model", None)
        if cloud is not None:
            opts.update(cloud=True, cloud_model=cloud)
        if "tools" in opts and opts["tools"] is not None:
            opts["tools"] = list(opts["tools"])
        return default_settings(
            planner="llm", intents=[i.text for i in sc.intents] or None, **base, **opts
        )
    if planner == "oracle":
        cons = [i.as_constraint() for i in sc.intents]
        return default_settings(planner="best", constraints=cons or None, **base)
    return default_settings(planner=planner, **base)


def models_needed(suite: Suite, planners: list[str]) -> list[tuple[str, ...]]:
    """The model specs (edge model, cloud model or None) the LLM tasks will load."""
    if "llm" not in planners:
        return []
    out = []
    for sc in suite.scenarios:
        s = settings_for(sc, "llm")
        spec = (s["model"], s["cloud_model"] if s.get("cloud") else None)
        if spec not in out:
            out.append(spec)
    return out


def load_backends(model: str, cloud_model: str | None):
    from wireless_agents.agents.models import load_model

    backend = load_model(model)
    cloud = None if cloud_model in (None, "solver") else load_model(cloud_model)
    return backend, cloud


def run_task(task: Task, on_event=None) -> dict:
    """Run one task's episode; returns its trace (with what scoring needs)."""
    from wireless_agents.planners.episode import run_episode

    s = settings_for(task.scenario, task.planner)
    backend = cloud = None
    if task.uses_model:
        backend, cloud = load_backends(s["model"], s["cloud_model"] if s.get("cloud") else None)
    t0 = time.perf_counter()
    trace = run_episode(s, backend=backend, cloud_backend=cloud, on_event=on_event)
    trace["task_seconds"] = time.perf_counter() - t0
    return trace


# -- running the grid ----------------------------------------------------------------------------


def _quiet_worker() -> None:
    """Pool workers leave Ctrl-C to the main process (which cancels them), no tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def run_local(all_tasks: list[Task], workers: int, on_done, on_event=None) -> dict:
    """Classical tasks on a process pool of ``workers``, LLM tasks one by one in this process.

    The pool's workers are spawned (not forked from a process that may hold a model and its
    threads) and ignore Ctrl-C: the main process gets it, terminates them and re-raises.
    """
    import multiprocessing as mp

    results: dict[int, dict] = {}
    classical = [(n, t) for n, t in enumerate(all_tasks) if not t.uses_model]
    llm = [(n, t) for n, t in enumerate(all_tasks) if t.uses_model]
    if workers <= 1 or len(classical) <= 1:
        for n, t in classical + llm:
            results[n] = run_task(t, on_event if t.uses_model else None)
            on_done(t, results[n])
        return results
    pool = mp.get_context("spawn").Pool(min(workers, len(classical)), initializer=_quiet_worker)
    try:
        pending = {n: pool.apply_async(run_task, (t,)) for n, t in classical}
        for n, t in llm:  # the model runs here while the pool works through the rest
            results[n] = run_task(t, on_event)
            on_done(t, results[n])
        while pending:
            for n in [n for n, r in pending.items() if r.ready()]:
                results[n] = pending.pop(n).get()
                on_done(all_tasks[n], results[n])
            time.sleep(0.05)
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.close()
        pool.join()
    return results


def run_ray(all_tasks: list[Task], address: str | None, on_done) -> dict:
    """The same tasks as Ray tasks (a local Ray by default, ``address`` for a cluster)."""
    import ray

    started = False
    if not ray.is_initialized():
        env = {k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ}
        ray.init(
            address=address, include_dashboard=False, log_to_driver=False,
            runtime_env={"env_vars": env} if env else None, logging_level="ERROR",
        )  # fmt: skip
        started = True
    try:
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        remote = ray.remote(max_retries=0)(run_task)
        refs = {}
        for n, t in enumerate(all_tasks):
            # an LLM task takes a whole (2-core) machine: its model calls and the classical
            # work around them would only contend with another model run on the same cores
            need = min(2.0, cpus) if t.uses_model else 1.0
            refs[remote.options(num_cpus=need).remote(t)] = (n, t)
        results: dict[int, dict] = {}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            n, t = refs[done[0]]
            results[n] = ray.get(done[0])
            on_done(t, results[n])
        return results
    except BaseException:
        for r in refs if "refs" in locals() else ():
            ray.cancel(r, force=True)
        raise
    finally:
        if started:
            ray.shutdown()


# -- scoring -------------------------------------------------------------------------------------


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


# -- writing the report --------------------------------------------------------------------------


def report_document(suite: Suite, planners: list[str], rows: list[dict], meta: dict) -> dict:
    return {
        "suite": suite.name,
        "suite_file": suite.path,
        "planners": planners,
        "scenarios": [
            {
                **{k: v for k, v in asdict(sc).items() if k != "intents"},
                "intents": [asdict(i) for i in sc.intents],
            }
            for sc in suite.scenarios
        ],  # fmt: skip
        **meta,
        "totals": planner_totals(rows),
        "results": rows,
    }


def csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r.get(k) is None else r[k] for k in CSV_FIELDS})
    return buf.getvalue()


def _bars(ax, rows, key, planners, scenarios, ylabel):
    width = 0.8 / max(1, len(planners))
    x = np.arange(len(scenarios))
    for n, p in enumerate(planners):
        vals = []
        for sc in scenarios:
            r = next((r for r in rows if r["scenario"] == sc and r["planner"] == p), None)
            v = None if r is None else r.get(key)
            vals.append(np.nan if v is None else float(v))
        ax.bar(x + (n - (len(planners) - 1) / 2) * width, vals, width, label=p)
    ax.set_xticks(x, scenarios, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


def write_plots(folder, rows: list[dict], planners: list[str], suite_name: str) -> list[str]:
    """sum_rate.png, intent_satisfaction.png (scenarios with intents), overhead.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    written = []

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(os.path.join(folder, name), dpi=110)
        plt.close(fig)
        written.append(name)

    fig, ax = plt.subplots(figsize=(max(5, 1.4 * len(scenarios) + 2), 3.6))
    _bars(ax, rows, "mean_sum_rate", planners, scenarios, "mean sum-rate (bit/s/Hz)")
    ax.set_title(f"{suite_name}: sum-rate per planner")
    ax.legend(fontsize=7, ncol=min(4, len(planners)))
    save(fig, "sum_rate.png")

    with_intents = [s for s in scenarios
                    if any(r["scenario"] == s and r["checks"] for r in rows)]  # fmt: skip
    fig, ax = plt.subplots(figsize=(max(5, 1.4 * len(with_intents) + 2), 3.6))
    if with_intents:
        _bars(ax, rows, "intent_satisfaction", planners, with_intents, "checks met (fraction)")
        ax.set_ylim(0, 1.05)
        ax.legend(fontsize=7, ncol=min(4, len(planners)))
    else:
        ax.text(0.5, 0.5, "no intents in this suite", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title(f"{suite_name}: intent satisfaction")
    save(fig, "intent_satisfaction.png")

    fig, axes = plt.subplots(1, 2, figsize=(max(8, 2.4 * len(scenarios) + 2), 3.6))
    _bars(axes[0], rows, "messages_per_decision", planners, scenarios, "messages per decision")
    _bars(axes[1], rows, "tokens_per_decision", planners, scenarios, "LLM tokens per decision")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{suite_name}: messages and tokens per decision")
    save(fig, "overhead.png")
    return written


def write_report(folder, doc: dict, traces: dict[int, dict], all_tasks: list[Task]) -> None:
    """report.json, report.csv, the plots and one trace per task into ``folder``."""
    # plain writes: the whole folder is renamed into place at the end (see ``wagents eval``)
    with open(os.path.join(folder, "report.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(os.path.join(folder, "report.csv"), "w", encoding="utf-8") as f:
        f.write(csv_text(doc["results"]))
    write_plots(folder, doc["results"], doc["planners"], doc["suite"])
    tdir = os.path.join(folder, "traces")
    os.makedirs(tdir, exist_ok=True)
    for n, t in enumerate(all_tasks):
        name = f"{t.scenario.name}__{t.planner}.json".replace("/", "_")
        with open(os.path.join(tdir, name), "w", encoding="utf-8") as f:
            json.dump(traces[n], f, default=float)
