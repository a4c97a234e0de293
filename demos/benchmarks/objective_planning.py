"""The team's planning alone on the objectives suite: the model-free ``tool`` team given each
scenario's goals and checks as numbers, beside the oracle.

The ``tool`` planner reads no language, so in ``wagents eval`` it plans the sum-rate everywhere.
Here it is given what the texts state, as numbers (the objective, the weights, every floor and
cap of the intents and the device profiles): the figure is what the team's tools and closed loop
reach once the reading is right, with no reading and no model in it. Prints, per scenario, the
mean over seeds of each seed's utility over the oracle's (``ratio_to_oracle_utility`` of the
evaluator, which also scores the runs). Run
``python -m wireless_agents.demos.benchmarks.objective_planning [--suite FILE] [--scenarios A,B]``
(seconds, no model).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

SUITE = "demos/suites/objectives.yaml"


def tool_settings(sc, seed: int) -> dict:
    """The ``tool`` task's episode settings plus the scenario's goals and checks as numbers."""
    from wireless_agents.demos.evaluate.grid import settings_for

    s = settings_for(sc, "tool", seed)
    if sc.objective != "sum_rate" or sc.weights is not None:
        s["objective"] = sc.objective
        s["weights"] = None if sc.weights is None else list(sc.weights)
    s["constraints"] = sc.constraints() or None
    return s


def main(argv: list[str] | None = None) -> int:
    from wireless_agents.demos import evaluate as ev
    from wireless_agents.demos.suite import load_suite
    from wireless_agents.planners.episode import run_episode

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", default=SUITE)
    ap.add_argument("--scenarios", default=None, help="comma-separated names (default: all)")
    args = ap.parse_args(argv)
    suite = load_suite(args.suite, ev.PLANNER_OPTIONS)
    if args.scenarios:
        names = set(args.scenarios.split(","))
        suite = replace(suite, scenarios=tuple(sc for sc in suite.scenarios if sc.name in names))
    tasks = ev.tasks(suite, ["tool", "oracle"])
    traces = {}
    for n, t in enumerate(tasks):
        if t.planner == "oracle":  # the evaluator's oracle, objective by objective
            traces[n] = ev.run_task(t)
        else:
            traces[n] = run_episode(tool_settings(t.scenario, t.env_seed))
    rows = ev.score(suite, tasks, traces)
    print(f"{'scenario':26s} {'objective':18s} {'tool':>9s} {'oracle':>9s} {'tool/oracle':>11s}")
    by = {(r["scenario"], r["planner"]): r for r in rows}
    ratios = []
    for sc in suite.scenarios:
        tool, oracle = by[(sc.name, "tool")], by[(sc.name, "oracle")]
        ratio = tool["ratio_to_oracle_utility"]
        ratios.append(ratio)
        print(f"{sc.name:26s} {sc.objective:18s} {tool['utility']:9.4f} {oracle['utility']:9.4f} "
              f"{'-' if ratio is None else f'{ratio:.1%}':>11s}")  # fmt: skip
    got = [r for r in ratios if r is not None]
    if got:
        print(f"mean over scenarios: {sum(got) / len(got):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
