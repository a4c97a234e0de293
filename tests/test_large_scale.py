"""Planning on the large-scale gains (``plan_on: large-scale``, planners/episode/largescale.py).

The devices' estimate (an exponentially weighted average of each receiver's measured gains)
converges to the environment's own path loss and shadowing on a static drop with fast fading
(the real d2d env); the team's perception rebuilt on a channel is the env's own observation of
it; the option changes what the team plans from (and, with a time constant that keeps nothing,
changes nothing); bad values end in one line (exit 2 on the CLI, the place in a suite).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from wireless_agents.demos.cli import main
from wireless_agents.environment import make_env
from wireless_agents.environment.channels import pathloss_gain_sq
from wireless_agents.environment.geometry import pairwise_sq_distances
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.planners.episode.context import EpisodeContext, replay_gains
from wireless_agents.planners.episode.largescale import DEFAULT_TAU_MS, perceived

LS = dict(plan_on="large-scale")


def _db(x):
    return 10.0 * np.log10(x)


def _truth(env) -> np.ndarray:
    """The env's own large-scale gains (K, K): path loss of the current distances times the
    drop's shadowing (d2d)."""
    sc = env.scenario
    return pathloss_gain_sq(pairwise_sq_distances(sc.rx, sc.tx), sc.config.min_distance_m) * (
        sc.shadow_gain
    )


def test_estimate_converges_to_the_envs_large_scale_gain_on_a_static_drop_with_fading():
    # receivers standing still, fading at 50 Hz (rho = 0.22 per 20 ms slot), the default 1 s
    s = default_settings(planner="wmmse", agents=5, steps=1500, seed=3, **LS,
                         env={"doppler_hz": 50.0, "speed_mps": 0.0})  # fmt: skip
    rt = EpisodeContext(s)
    rt.env_at([])
    env = rt.env
    truth = _truth(env)
    # the first estimate is the first slot's measurement, fading and all
    assert np.array_equal(rt.large_scale.gains, env.gains)
    worst_measured, errors = 0.0, []
    zeros = np.zeros(env.n_agents)
    for t in range(1, 1400):
        rt.step_env(zeros)
        assert np.array_equal(_truth(env), truth)  # static: the large scale does not move
        worst_measured = max(worst_measured, float(np.abs(_db(env.gains / truth)).max()))
        if t >= 400:  # 8 time constants in
            errors.append(_db(rt.large_scale.gains / truth))
    errors = np.array(errors)  # (slots, K, K) dB
    # a single measurement is off by the fading (Exp(1): tens of dB in deep fades) ...
    assert worst_measured > 10.0
    # ... the estimate stays within 2 dB of path loss and shadowing on every pair, every slot,
    # and is unbiased over time (the fading's mean power is 1)
    assert np.abs(errors).max() < 2.0
    assert np.abs(errors.mean(axis=0)).max() < 0.35
    assert np.abs(10.0 ** (errors / 10.0) - 1.0).mean() < 0.12


def test_estimate_is_the_exponential_average_of_the_pilots_by_hand():
    s = default_settings(planner="tool", agents=4, steps=30, seed=5, **LS, large_scale_ms=100.0)
    gains, _, _ = replay_gains(s, 25)
    a = math.exp(-0.02 / 0.1)  # 20 ms slots, tau 100 ms
    num = sum(a ** (24 - t) * g for t, g in enumerate(gains))
    den = sum(a ** (24 - t) for t in range(25))
    rt = EpisodeContext(s)
    rt.env_at([[1.0] * 4] * 24)  # a resumed run: the replay brings the estimate along
    assert rt.large_scale.gains == pytest.approx(num / den, rel=1e-12)
    assert DEFAULT_TAU_MS == 1000.0


def test_perception_rebuilt_on_the_measured_channel_is_the_envs_own_observation():
    for sliced in ({}, {"mini_slots": 3}):
        env = make_env("d2d", n_agents=5, seed=2, n_interferers=4, **sliced)
        obs, infos = env.reset(seed=2)
        rng = np.random.default_rng(0)
        for _ in range(3):
            p = rng.uniform(0, env.p_max, (5, 3) if sliced else 5)
            obs, _, _, _, infos = env.step(env.actions_from_powers(p))
        last = env._last["gains"]  # the channel the last slot was sent on
        mine, my_infos = perceived(env, np.asarray(env.gains), last)
        for a in env.possible_agents:
            assert set(mine[a]) == set(obs[a])
            for key in obs[a]:
                assert mine[a][key] == pytest.approx(obs[a][key], rel=1e-6, abs=1e-6), key
            assert my_infos[a]["neighbours"] == infos[a]["neighbours"]
            for key in ("rate", "sinr", "power"):
                assert my_infos[a][key] == pytest.approx(infos[a][key], rel=1e-9)


def test_plan_on_large_scale_changes_what_the_team_plans_from():
    kw = dict(planner="tool", agents=6, steps=12, seed=11, env={"doppler_hz": 50.0})
    measured = run_episode(default_settings(**kw))
    # a time constant that keeps nothing: the estimate is each slot's measurement, and the
    # rebuilt perception is the env's own, so the plans are the measured run's, slot for slot
    none_kept = run_episode(default_settings(**kw, **LS, large_scale_ms=1e-6))
    assert [x["powers"] for x in none_kept["steps"]] == [x["powers"] for x in measured["steps"]]
    assert [x["events"] for x in none_kept["steps"]] == [x["events"] for x in measured["steps"]]
    # the default 1 s: the team plans from the average, so its plans (and what it heard) change
    ls = run_episode(default_settings(**kw, **LS))
    pairs = list(zip(ls["steps"], measured["steps"], strict=True))
    assert pairs[0][0]["events"] == pairs[0][1]["events"]  # one pilot: the same perception
    # from the second slot on the agents' proposals (their tools' suggestions) differ ...
    assert all(x["events"] != y["events"] for x, y in pairs[1:])
    # ... and so, where a suggestion crosses an on/off line, do the plans
    assert sum(x["powers"] != y["powers"] for x, y in pairs) >= 2
    # every rate is on the real channel
    assert [x["wmmse_sum_rate"] for x in ls["steps"]] == [
        x["wmmse_sum_rate"] for x in measured["steps"]
    ]
    sm = ls["summary"]
    assert (sm["plan_on"], sm["large_scale_ms"]) == ("large-scale", 1000.0)
    assert "plan_on" not in measured["summary"] and "plan_on" not in measured["settings"]


def test_realtime_with_the_fast_loop_on_large_scale_resumes_to_the_same_trace(killed_and_resumed):
    s = default_settings(planner="tool", agents=4, steps=30, seed=4, timing="realtime",
                         fast_loop=True, env={"doppler_hz": 10.0}, **LS)  # fmt: skip
    full, resumed = killed_and_resumed(s, slot=13)
    assert resumed["steps"] == full["steps"]


# -- bad values ----------------------------------------------------------------------------------


def test_bad_plan_on_settings_are_refused_in_one_line():
    with pytest.raises(ValueError, match="plan_on must be one of measured, large-scale"):
        default_settings(planner="tool", plan_on="slow")
    with pytest.raises(ValueError, match="large_scale_ms .* needs plan_on large-scale"):
        default_settings(planner="tool", large_scale_ms=500)
    for bad in (0, -1, float("inf"), float("nan"), "1s", True):
        with pytest.raises(ValueError, match="large_scale_ms must be a positive number"):
            default_settings(planner="tool", **LS, large_scale_ms=bad)
    # the default leaves the settings document as it was
    assert default_settings(planner="tool", plan_on="measured") == default_settings(planner="tool")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--plan-on", "slow"], "invalid choice: 'slow'"),
        (
            ["--plan-on", "large-scale", "--large-scale-ms", "0"],
            "large_scale_ms must be a positive",
        ),
        (["--large-scale-ms", "300"], "needs plan_on large-scale"),
    ],
)
def test_cli_refuses_bad_plan_on_flags_with_exit_2(capsys, tmp_path, flags, message):
    out = tmp_path / "trace.json"
    argv = ["episode", "--planner", "tool", "--agents", "3", "--steps", "2", "--quiet",
            "--out", str(out), *flags]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0]
    assert not out.exists()


def test_cli_runs_and_states_the_large_scale_plan(capsys):
    assert main(["episode", "--planner", "tool", "--agents", "3", "--steps", "3", "--quiet",
                 "--timing", "realtime", "--fast-loop", "--plan-on", "large-scale"]) == 0  # fmt: skip
    assert "planned on the large-scale gains (tau 1000 ms)" in capsys.readouterr().out


def _suite(timing):
    sc = {"name": "a", "env": {"topology": "d2d", "agents": 4, "seed": 1}, "steps": 4}
    return {"suite": "t", "scenarios": [{**sc, "timing": timing}]}


def test_suite_timing_takes_plan_on_and_checks_it_with_its_place():
    from wireless_agents.demos.evaluate.grid import settings_for
    from wireless_agents.demos.evaluate.scoring import timing_label
    from wireless_agents.demos.suite import SuiteError, parse_suite

    sc = parse_suite(_suite({"mode": "realtime", "fast_loop": True, "plan_on": "large-scale",
                             "large_scale_ms": 500})).scenarios[0]  # fmt: skip
    s = settings_for(sc, "tool")
    assert (s["plan_on"], s["large_scale_ms"]) == ("large-scale", 500)
    assert timing_label(s) == "realtime+fast_loop+plan_on=large-scale"
    with pytest.raises(SuiteError, match=r"scenarios\[0\].timing.plan_on: unknown plan_on 'slow'"):
        parse_suite(_suite({"plan_on": "slow"}))
    with pytest.raises(SuiteError, match=r"timing.large_scale_ms"):
        parse_suite(_suite({"plan_on": "large-scale", "large_scale_ms": -3}))


def test_eval_refuses_large_scale_ms_without_plan_on_before_any_work(tmp_path, capsys):
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_suite({"large_scale_ms": 300})))
    out = tmp_path / "report"
    assert main(["eval", "--suite", str(path), "--planners", "tool", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "needs plan_on large-scale" in err and "Traceback" not in err
    assert not out.exists()
