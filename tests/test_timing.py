"""Simulated time: a decision's latency from the declared compute profiles (hand-computed),
realtime timing (a plan lands at t + ceil(latency / slot), the previous plan holds until then;
the model-free tool team, no model), frozen timing as before, and the optional Jakes fading of
the gaussian channel (its correlation against J0 over many draws)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import j0
from wireless_agents.agents.agent import Decision
from wireless_agents.agents.backends.base import Completion
from wireless_agents.demos.cli import main
from wireless_agents.environment import make_env
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.planners.episode import default_settings, run_episode, strip_timings
from wireless_agents.planners.episode.context import replay_gains
from wireless_agents.planners.episode.latency import decision_latency
from wireless_agents.planners.episode.timing import TimingModel, slots_late, timing_model
from wireless_agents.tools import Note

# -- the latency of one decision -----------------------------------------------------------------


def _decision(agent, rnd, prompt, completion, tools):
    return {"agent": agent, "round": rnd, "prompt_tokens": prompt,
            "completion_tokens": completion, "tool_calls": [{"tool": "t"}] * tools}  # fmt: skip


def test_decision_latency_is_the_calls_cost_on_the_declared_profiles_by_hand():
    # two waves ({0, 2} then {1}), two rounds, four deliveries, three mini-slots, one escalation
    pending = {
        "events": [
            {"type": "sense", "groups": [[0, 2], [1]]},
            *[{"type": "deliver"}] * 4,
            {"type": "escalate", "requests": [{"cloud_tokens": 330}, {"cloud_tokens": 20}]},
        ],
        "decisions": [
            _decision(0, 0, 400, 20, 1),  # 400/500 + 20/100 + 1 ms = 1.001 s
            _decision(2, 0, 300, 40, 0),  # 0.6 + 0.4 = 1.0 s (same wave: in parallel)
            _decision(1, 0, 450, 10, 1),  # 0.9 + 0.1 + 0.001 = 1.001 s
            _decision(0, 1, 100, 10, 0),  # 0.2 + 0.1 = 0.3 s
            _decision(2, 1, 200, 30, 0),  # 0.4 + 0.3 = 0.7 s
            _decision(1, 1, 50, 5, 0),  # 0.1 + 0.05 = 0.15 s
        ],
        "validation": {"minislots": 3},
    }
    out = decision_latency(pending, "llm", TimingModel())
    edge = 1.001 + 1.001 + 0.7 + 0.15
    air = 4 * 0.001 + 3 * 0.001
    # the cloud: 50 ms round trip + solver (0) + its slowest answer: 330 tokens = 300 prompt at
    # 10,000 tok/s + 30 generated at 75 tok/s = 0.43 s (the other: 20 generated, 0.267 s)
    cloud = 0.05 + 300 / 10000 + 30 / 75
    assert out["latency"] == pytest.approx({"edge_s": edge, "air_s": air, "coordination_s": cloud})
    assert out["latency_s"] == pytest.approx(3.339)
    # a classical planner is central: the cloud's round trip plus its declared compute
    assert decision_latency({}, "wmmse", TimingModel())["latency_s"] == pytest.approx(0.05)
    slow = timing_model({"classical_ms": 5, "cloud": {"round_trip_ms": 20}})
    assert decision_latency({}, "wmmse", slow)["latency_s"] == pytest.approx(0.025)
    # a declared latency replaces the computed one
    fixed = decision_latency(pending, "tool", timing_model({"decision_ms": 11500}))
    assert fixed == {"latency_s": 11.5, "latency": {"declared_s": 11.5}}
    # host wall time never enters: the recorded model seconds change nothing
    timed = {**pending, "decisions": [{**d, "model_seconds": 99.0} for d in pending["decisions"]]}
    assert decision_latency(timed, "llm", TimingModel()) == out


def test_decision_records_split_prompt_and_completion_tokens():
    d = Decision(0, 1.0, "", Note(0))
    d.calls += [Completion("{}", 400, 20, 1.5), Completion("{}", 50, 7, 0.5)]
    e = d.as_event()
    assert (e["prompt_tokens"], e["completion_tokens"], e["tokens"]) == (450, 27, 477)


def test_bad_timing_settings_are_refused_in_one_line():
    with pytest.raises(ValueError, match="timing must be one of frozen, realtime"):
        default_settings(timing="soon")
    with pytest.raises(ValueError, match="unknown timing_model field 'gpu_ms'"):
        default_settings(timing_model={"gpu_ms": 1})
    with pytest.raises(ValueError, match=r"timing_model.edge.decode_tps must be positive"):
        default_settings(timing_model={"edge": {"decode_tps": 0}})
    assert slots_late(0.0, 0.02) == 0 and slots_late(0.02, 0.02) == 1
    # a hair of round-off costs no slot: 0.07 / 0.01 = 7.000000000000001
    assert slots_late(0.021, 0.02) == 2 and slots_late(0.07, 0.01) == 7


# -- realtime and frozen episodes (the tool team: no model) -----------------------------------------


def test_realtime_plan_lands_at_t_plus_ceil_latency_and_the_previous_plan_holds():
    # 10 ms per tool run on the device: a decision takes several 20 ms slots
    s = default_settings(planner="tool", agents=4, steps=14, seed=3, timing="realtime",
                         timing_model={"tool_ms": 10})  # fmt: skip
    t = run_episode(s)
    steps, k, p_max = t["steps"], t["agents"], t["p_max"]
    slot_s = 0.02  # the d2d env's slot
    decided = [x for x in steps if x["timing"]["decided"]]
    assert len(decided) >= 2
    landing = {}
    for x in decided:
        late = math.ceil(round(x["latency_s"] / slot_s, 9))
        assert x["timing"]["lands"] == x["slot"] + late
        landing[x["timing"]["lands"]] = x["timing"]["plan"]
    assert any(x["timing"]["lands"] - x["slot"] >= 2 for x in decided)
    # the team decides again exactly when its previous plan landed
    slots = [x["slot"] for x in decided]
    assert slots[0] == 0 and slots[1:] == [x["timing"]["lands"] for x in decided[:-1]]
    assert all(x["latency_s"] is None for x in steps if not x["timing"]["decided"])
    # what is on the air: full power until the first plan lands, then the last landed plan,
    # on the channel of that slot (the env went on stepping)
    gains, _, noise = replay_gains(s, len(steps))
    on_air = [p_max] * k
    for x in steps:
        on_air = landing.get(x["slot"], on_air)
        assert x["powers"] == pytest.approx(on_air, abs=1e-12)
        assert x["rates"] == pytest.approx(
            link_rates(gains[x["slot"]], np.array(on_air), noise).tolist()
        )
    first = min(landing)
    assert first >= 2 and all(x["timing"]["applied_from"] is None for x in steps[:first])
    assert t["summary"]["timing"] == "realtime"
    assert t["summary"]["decided_slots"] == len(decided)


def test_realtime_with_zero_latency_is_frozen_timing():
    zero = {"air_ms": 0, "minislot_ms": 0, "tool_ms": 0}
    kw = dict(planner="tool", agents=5, steps=4, seed=7, timing_model=zero)
    a = run_episode(default_settings(**kw))
    b = run_episode(default_settings(**kw, timing="realtime"))
    assert [x["powers"] for x in a["steps"]] == [x["powers"] for x in b["steps"]]
    assert [x["sum_rate"] for x in a["steps"]] == [x["sum_rate"] for x in b["steps"]]
    assert all(x["timing"]["decided"] and x["timing"]["age_slots"] == 0 for x in b["steps"])


def test_frozen_is_the_default_and_the_trace_is_as_before():
    s = default_settings(planner="tool", agents=6, steps=4, seed=11)
    assert "timing" not in s and "timing_model" not in s  # the settings document is unchanged
    t = run_episode(s)
    # the per-slot sum-rates of this run before simulated time existed
    before = [26.674680605, 26.812700993, 27.74439398, 26.632988408]
    assert [x["sum_rate"] for x in t["steps"]] == pytest.approx(before, abs=1e-8)
    assert t["steps"][0]["powers"] == pytest.approx([0, 0, 0, 0, 6.309573445, 0], abs=1e-8)
    assert all("timing" not in x for x in t["steps"])
    lat = [x["latency_s"] for x in t["steps"]]
    assert all(v > 0 for v in lat)
    sm = t["summary"]
    assert sm["timing"] == "frozen"
    assert (sm["latency_mean_s"], sm["latency_max_s"]) == pytest.approx((np.mean(lat), max(lat)))
    explicit = run_episode(default_settings(planner="tool", agents=6, steps=4, seed=11,
                                            timing="frozen"))  # fmt: skip
    assert strip_timings(explicit) == strip_timings(t)


def test_cli_states_the_timing(capsys):
    assert main(["episode", "--planner", "tool", "--agents", "3", "--steps", "2", "--quiet"]) == 0
    assert "timing: frozen" in capsys.readouterr().out
    assert main(["episode", "--planner", "wmmse", "--agents", "3", "--steps", "4", "--quiet",
                 "--timing", "realtime", "--json"]) == 0  # fmt: skip
    cap = capsys.readouterr()
    assert "timing: realtime" in cap.err
    import json

    doc = json.loads(cap.out)
    assert doc["settings"]["timing"] == "realtime"
    # WMMSE in the cloud: 50 ms round trip = 3 slots late, full power until then
    assert [x["timing"]["decided"] for x in doc["steps"]] == [True, False, False, True]
    assert doc["steps"][1]["powers"] == pytest.approx([doc["p_max"]] * 3)


# -- the gaussian channel's optional Jakes fading --------------------------------------------------


def _lag_corr(x: np.ndarray, lag: int) -> float:
    a, b = x[:-lag].ravel(), x[lag:].ravel()
    return float(np.corrcoef(a, b)[0, 1])


@pytest.mark.parametrize("doppler_hz", [1.0, 10.0, 50.0])
def test_gaussian_jakes_fading_correlates_as_j0(doppler_hz):
    env = make_env("gaussian", n_agents=20, seed=5, max_steps=600, doppler_hz=doppler_hz)
    env.reset()
    zeros = env.actions_from_powers(np.zeros(20))
    g = [np.asarray(env.gains).copy()]
    for _ in range(599):
        env.step(zeros)
        g.append(np.asarray(env.gains).copy())
    g = np.array(g)  # (slots, K, K), Exp(1) marginals
    rho = j0(2 * np.pi * doppler_hz * 0.02)
    assert g.mean() == pytest.approx(1.0, abs=0.03)
    # |h|^2 of a CN(0, 1) Gauss-Markov process: lag-n correlation rho^(2n)
    assert _lag_corr(g, 1) == pytest.approx(rho**2, abs=0.03)
    assert _lag_corr(g, 2) == pytest.approx(rho**4, abs=0.03)


def test_gaussian_stays_iid_by_default():
    env = make_env("gaussian", n_agents=20, seed=5, max_steps=300)
    env.reset()
    g = [np.asarray(env.gains).copy()]
    for _ in range(299):
        env.step(env.actions_from_powers(np.zeros(20)))
        g.append(np.asarray(env.gains).copy())
    assert abs(_lag_corr(np.array(g), 1)) < 0.02
