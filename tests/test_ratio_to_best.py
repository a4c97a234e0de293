"""``ratio_to_best``: every trace summary and report row over the constrained ``best`` planner
on the same channels, constraints and objective (planners/episode/reference.py,
demos/evaluate/scoring.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from wireless_agents.demos.cli import main
from wireless_agents.environment.metrics import rates
from wireless_agents.environment.objectives import utility
from wireless_agents.planners import solve, solve_detailed
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.planners.episode.context import replay_gains


def test_best_planner_episode_is_its_own_reference():
    # plain sum-rate, and zou's floors (the constrained best): the plan is best's own
    for s in (default_settings(planner="best", agents=6, steps=2, seed=1),
              default_settings(planner="best", scenario="zou", agents=4, steps=2, seed=0)):  # fmt: skip
        m = run_episode(s)["summary"]
        assert m["ratio_to_best"] == pytest.approx(1.0, abs=1e-12)
        assert m["best_mean_sum_rate"] == pytest.approx(m["mean_sum_rate"], abs=1e-12)


def test_ratio_to_best_is_the_mean_over_best_on_the_same_slots():
    s = default_settings(planner="wmmse", agents=6, steps=3, seed=1)
    t = run_episode(s)
    gains, p_max, noise = replay_gains(s, 3)
    best = [float(rates(g, solve(g, p_max, noise, algo="best"), noise).sum()) for g in gains]
    assert [x["best_sum_rate"] for x in t["steps"]] == pytest.approx(best, rel=1e-12)
    m = t["summary"]
    assert m["ratio_to_best"] == pytest.approx(m["mean_sum_rate"] / np.mean(best), rel=1e-12)
    # d2d seed 1: WMMSE from full power keeps links on that the best plan silences
    assert m["ratio_to_best"] < 0.95 and m["ratio_to_wmmse"] == pytest.approx(1.0)


def test_ratio_to_best_under_an_objective_is_the_utilities_ratio():
    s = default_settings(planner="tool", agents=4, steps=2, seed=3)
    s["objective"] = "max_min"
    t = run_episode(s)
    gains, p_max, noise = replay_gains(s, 2)
    ref = [solve_detailed(g, p_max, noise, algo="best", objective="max_min").utility
           for g in gains]  # fmt: skip
    got = [float(utility("max_min", rates(g, np.asarray(x["powers"]), noise), None, p_max))
           for g, x in zip(gains, t["steps"], strict=True)]  # fmt: skip
    assert [x["best_utility"] for x in t["steps"]] == pytest.approx(ref, rel=1e-12)
    m = t["summary"]
    assert m["objective"] == "max_min"
    assert m["ratio_to_best"] == pytest.approx(np.mean(got) / np.mean(ref), rel=1e-9)
    assert m["ratio_to_best"] != pytest.approx(m["mean_sum_rate"] / m["best_mean_sum_rate"])


SUITE = """
suite: best
scenarios:
  - name: d2d-6
    env: {topology: d2d, agents: 6, seed: 1}
    steps: 2
    intents:
      - text: "Link 2 needs 1 bit/s/Hz."
        check: {agent: 2, min_rate: 1.0}
  - name: fair-4
    env: {topology: d2d, agents: 4, seed: 0}
    steps: 2
    intents:
      - text: "Share the band fairly."
        check: {objective: max_min}
"""


def test_report_rows_carry_ratio_to_best(tmp_path, capsys):
    p = tmp_path / "suite.yaml"
    p.write_text(SUITE)
    out = tmp_path / "rep"
    assert main(["eval", "--suite", str(p), "--planners", "wmmse,oracle",
                 "--out", str(out)]) == 0  # fmt: skip
    assert "/best" in capsys.readouterr().out  # the printed table's column
    rows = json.loads((out / "report.json").read_text())["results"]
    by = {(r["scenario"], r["planner"]): r for r in rows}
    for scen in ("d2d-6", "fair-4"):  # the oracle is the constrained best: 1 on both
        assert by[(scen, "oracle")]["ratio_to_best"] == pytest.approx(1.0, abs=1e-12)
        w = by[(scen, "wmmse")]
        assert w["ratio_to_best"] == pytest.approx(w["ratio_to_oracle_utility"], rel=1e-12)
        assert w["ratio_to_best"] < 1.0
    assert "ratio_to_best" in (out / "report.csv").read_text().splitlines()[0].split(",")
    # the objective oracle's trace has it too
    trace = json.loads((out / "traces" / "fair-4__oracle.json").read_text())
    assert trace["summary"]["ratio_to_best"] == pytest.approx(1.0, abs=1e-12)
