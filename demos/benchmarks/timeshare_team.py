"""The team's time-sharing with the checks given as numbers: the model-free twin of the LLM team.

``wagents eval`` runs the ``tool`` team as the LLM team's twin without a model, so it reads no
language: on the timeshare suite it plans the sum-rate without the floors or the objective the
sentences state. This benchmark gives the same team (``planner`` ``tool``, or ``llm`` with its
model choosing share or reuse) each scenario's checks as numbers (``constraints``, the
``objective``; no sentence is read) and scores it as the evaluator does against the
scenario's oracle (the time-sharing solver): per scenario the mean utility over its seeds and
slots of each, their ratio, and the floor checks each met. Run
``python -m wireless_agents.demos.benchmarks.timeshare_team [--planner tool|llm]
[--suite demos/suites/timeshare.yaml] [--scenarios a,b]``; markdown on stdout.
"""

from __future__ import annotations

import argparse

import numpy as np


def scenario_row(sc, planner: str, backend=None) -> dict:
    """One scenario's figures: the team's and the oracle's mean utility, checks met."""
    from wireless_agents.demos.evaluate.grid import Task, settings_for
    from wireless_agents.demos.evaluate.oracle import run_objective_oracle
    from wireless_agents.demos.evaluate.scoring import _met, _utility, channels
    from wireless_agents.planners.episode import run_episode

    team, oracle, met, met_oracle, checks = [], [], 0, 0, 0
    for seed in sc.seeds:
        g, p_max, noise = channels(sc, seed=seed)
        orc = run_objective_oracle(Task(sc, "oracle", seed))
        s = settings_for(sc, "tool", seed)
        s.update(planner=planner, intents=None, constraints=sc.constraints() or None,
                 objective=sc.objective, weights=None if sc.weights is None else list(sc.weights))  # fmt: skip
        tr = run_episode(s, backend=backend)
        team.append(_utility(sc.objective, sc.weights, tr["steps"], g, p_max, noise))
        oracle.append(_utility(sc.objective, sc.weights, orc["steps"], g, p_max, noise))
        rows = _met(sc.constraints(), tr["steps"], g, p_max, noise)
        met += sum(map(sum, rows))
        met_oracle += sum(map(sum, _met(sc.constraints(), orc["steps"], g, p_max, noise)))
        checks += sum(map(len, rows))
    u, uo = float(np.mean(team)), float(np.mean(oracle))
    return {"scenario": sc.name, "team": u, "oracle": uo, "ratio": u / uo if uo else None,
            "met": met, "met_oracle": met_oracle, "checks": checks}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--planner", default="tool", choices=("tool", "llm"))
    ap.add_argument("--suite", default="demos/suites/timeshare.yaml")
    ap.add_argument("--scenarios", default=None, help="comma-separated names (default all)")
    args = ap.parse_args(argv)
    from wireless_agents.demos.suite import load_suite

    backend = None
    if args.planner == "llm":
        from wireless_agents.agents.models import DEFAULT_MODEL, load_model

        backend = load_model(DEFAULT_MODEL)
    only = set(args.scenarios.split(",")) if args.scenarios else None
    print(f"| scenario | objective | team ({args.planner}) | oracle | team / oracle | checks met "
          "(team / oracle / all) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    ratios = []
    for sc in load_suite(args.suite).scenarios:
        if only and sc.name not in only:
            continue
        r = scenario_row(sc, args.planner, backend)
        ratios.append(r["ratio"])
        print(f"| {r['scenario']} | {sc.objective} | {r['team']:.3f} | {r['oracle']:.3f} | "
              f"{r['ratio']:.1%} | {r['met']} / {r['met_oracle']} / {r['checks']} |", flush=True)  # fmt: skip
    good = [x for x in ratios if x is not None]
    if good:
        print(f"\nmean of the ratios: {np.mean(good):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
