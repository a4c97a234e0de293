"""Time slices of a slot (the setting ``mini_slots``): the env's schedules and the timeshare solver."""

import json

import numpy as np
import pytest
from wireless_agents.environment import make_env
from wireless_agents.environment.metrics import rates
from wireless_agents.planners import PlannerInputError, solve_detailed

STRONG = np.array([[10.0, 9.0], [9.0, 10.0]])  # two links, each hears the other almost as loud


def test_env_schedule_rate_is_the_mean_over_slices():
    env = make_env("gaussian", n_agents=3, seed=1, mini_slots=2)
    env.reset()
    g = np.array(env.gains)
    sched = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]) * env.p_max
    obs, _, _, _, infos = env.step(env.actions_from_powers(sched))
    want = rates(g, sched.T, env.noise).mean(0)
    np.testing.assert_allclose([infos[f"agent_{i}"]["rate"] for i in range(3)], want)
    np.testing.assert_allclose(env.last_schedule, sched)
    np.testing.assert_allclose(obs["agent_0"]["power_schedule_w"], sched[0], rtol=1e-6)
    assert infos["agent_1"]["schedule"] == sched[1].tolist()


def test_env_vector_is_used_in_every_slice_and_l1_is_unchanged():
    plain, sliced = (
        make_env("d2d", n_agents=4, seed=3),
        make_env("d2d", n_agents=4, seed=3, mini_slots=3),
    )
    plain.reset()
    sliced.reset()
    p = np.array([0.1, 0.5, 0.9, 0.3]) * plain.p_max
    o1, r1, *_ = plain.step(plain.actions_from_powers(p))
    o2, r2, *_ = sliced.step(sliced.actions_from_powers(p))
    assert r1 == pytest.approx(r2)
    assert "power_schedule_w" not in o1["agent_0"]
    assert plain.action_space("agent_0").shape == (1,)
    assert sliced.action_space("agent_0").shape == (3,)


def test_env_refuses_a_bad_setting():
    with pytest.raises(ValueError, match="mini_slots"):
        make_env("gaussian", n_agents=2, mini_slots=0)


def test_floors_no_single_vector_meets_are_met_by_time_sharing():
    sol = solve_detailed(STRONG, 1.0, 0.1, algo="timeshare", mini_slots=2, min_rate=[1.5, 1.5])
    assert sol.powers.shape == (2, 2)
    assert sol.slot_feasible is False and sol.lp_feasible is True and sol.feasible is True
    assert np.all(sol.rates >= 1.5 - 1e-6)
    one = solve_detailed(STRONG, 1.0, 0.1, algo="best", min_rate=[1.5, 1.5])
    assert not one.feasible  # the per-slot verdict, as the single-vector solver sees it


def test_missed_floor_names_both_verdicts():
    sol = solve_detailed(STRONG, 1.0, 0.1, algo="timeshare", mini_slots=1, min_rate=[1.5, 1.5])
    assert sol.feasible is False and sol.lp_feasible is True
    assert "time-sharing: feasible; by one power vector: infeasible" in sol.violations[0]


@pytest.mark.parametrize("objective", ["max_min", "sum_rate", "min_power"])
def test_schedule_beats_the_single_vector_and_stays_under_the_bound(objective):
    rng = np.random.default_rng(5)
    g = rng.exponential(size=(3, 4, 4))
    g[:, range(4), range(4)] *= 4
    floors = None if objective != "min_power" else np.full(4, 0.3)
    ts = solve_detailed(
        g, 1.0, 0.1, algo="timeshare", mini_slots=4, objective=objective, min_rate=floors
    )
    one = solve_detailed(g, 1.0, 0.1, algo="best", objective=objective, min_rate=floors)
    assert ts.powers.shape == (3, 4, 4)
    assert np.all(ts.utility >= one.utility - 1e-9)
    assert np.all(ts.utility <= ts.bound + 1e-9)
    r = rates(g[:, None], np.swapaxes(ts.powers, 1, 2), 0.1).mean(1)
    np.testing.assert_allclose(ts.rates, r)


def test_max_min_alternates_two_strong_interferers():
    sol = solve_detailed(STRONG, 1.0, 0.1, algo="timeshare", mini_slots=4, objective="max_min")
    one = solve_detailed(STRONG, 1.0, 0.1, algo="maxmin", objective="max_min")
    assert sol.utility == pytest.approx(sol.bound)
    assert sol.utility > 3 * one.utility


@pytest.mark.parametrize("bad", [0, 2.5, True, "4"])
def test_bad_mini_slots_is_one_clear_error(bad):
    with pytest.raises(PlannerInputError, match="mini_slots"):
        solve_detailed(STRONG, 1.0, 0.1, algo="timeshare", mini_slots=bad)


def test_cli_solve_mini_slots_writes_the_schedule(tmp_path, capsys):
    from wireless_agents.demos.cli import main

    path, out = tmp_path / "g.npy", tmp_path / "s.npy"
    np.save(path, STRONG)
    args = ["solve", "--channels", str(path), "--noise", "0.1", "--mini-slots", "2"]
    assert (
        main([*args, "--min-rate", "0=1.5", "--min-rate", "1=1.5", "--out", str(out), "--json"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["algo"] == "timeshare" and doc["mini_slots"] == 2
    assert doc["slot_feasible"] is False and doc["lp_feasible"] is True and doc["feasible"] is True
    assert doc["slices_feasible"] is True  # the schedule meets them: the 2-slice verdict
    assert np.load(out).shape == (2, 2)
    assert main([*args, "--algo", "wmmse", "--no-save"]) == 2
    assert "--mini-slots" in capsys.readouterr().err


SUITE = """
suite: ts
scenarios:
  - name: pair
    env: {topology: gaussian, agents: 2, p_max_w: 100.0, seed: 401}
    steps: 2
    mini_slots: 4
    intents:
      - text: "Link 0 needs 2 bit/s/Hz."
        check: {agent: 0, min_rate: 2.0}
      - text: "Link 1 needs 2 bit/s/Hz."
        check: {agent: 1, min_rate: 2.0}
  - name: plain
    env: {topology: gaussian, agents: 2, p_max_w: 100.0, seed: 401}
    steps: 2
    intents:
      - text: "Link 0 needs 2 bit/s/Hz."
        check: {agent: 0, min_rate: 2.0}
      - text: "Link 1 needs 2 bit/s/Hz."
        check: {agent: 1, min_rate: 2.0}
"""


def test_eval_reports_mini_slots_and_both_floor_verdicts(tmp_path):
    from wireless_agents.demos.cli import main

    suite, out = tmp_path / "s.yaml", tmp_path / "rep"
    suite.write_text(SUITE)
    assert (
        main(
            [
                "eval",
                "--suite",
                str(suite),
                "--planners",
                "wmmse,oracle",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    rows = json.loads((out / "report.json").read_text())["results"]
    by = {(r["scenario"], r["planner"]): r for r in rows}
    o, plain = by[("pair", "oracle")], by[("plain", "oracle")]
    assert o["mini_slots"] == 4 and plain["mini_slots"] == 1
    # seed 401: one vector meets both floors in one slot of two, time-sharing in both
    assert o["floors_slot_feasible"] == plain["floors_slot_feasible"] == 2
    assert o["floors_timeshare_feasible"] == 4 and plain["floors_timeshare_feasible"] is None
    assert o["checks_met"] == 4 and plain["checks_met"] < 4
    # a single-vector planner's vector fills every slice: the same figures with or without
    assert by[("pair", "wmmse")]["mean_sum_rate"] == by[("plain", "wmmse")]["mean_sum_rate"]
    trace = json.loads((out / "traces" / "pair__oracle.json").read_text())
    assert np.asarray(trace["steps"][0]["schedule"]).shape == (2, 4)
    assert (
        "mini_slots,floors_slot_feasible,floors_timeshare_feasible"
        in (out / "report.csv").read_text()
    )


def test_suite_refuses_bad_mini_slots(tmp_path):
    from wireless_agents.demos.suite import SuiteError, load_suite

    path = tmp_path / "s.yaml"
    path.write_text(SUITE.replace("mini_slots: 4", "mini_slots: 0"))
    with pytest.raises(SuiteError, match="mini_slots"):
        load_suite(path)


def test_benchmark_prints_the_table(capfd):
    from wireless_agents.demos.benchmarks.timeshare import main

    assert main(["--ks", "2", "--drops", "1"]) == 0
    out = capfd.readouterr().out
    assert "| K | best single vector |" in out and "\n| 2 |" in out
