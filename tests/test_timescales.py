"""Two timescales and edge or cloud by deadline (realtime timing, the model-free tool team).

The fast loop: every slot each link's own closed loop runs on that slot's channel from the plan
on the air (checked against the real loop run by hand on the replayed channel), and it tracks
fading the plans cannot. The router: its rule by hand, and an episode whose every slot follows
it. Settings and flags: bad values refused in one line (exit 2 on the CLI).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from wireless_agents.demos.cli import main
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.planners.coordination import channel as ch
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.planners.episode.context import replay_gains
from wireless_agents.planners.episode.fastloop import FAST_MINISLOTS, FAST_YIELD_ROUNDS, fast_loop
from wireless_agents.planners.episode.router import choose, deadline_s, prior_s, settled
from wireless_agents.planners.episode.timing import TimingModel

RT = dict(planner="tool", timing="realtime")


# -- settings ------------------------------------------------------------------------------------


def test_bad_timescale_settings_are_refused_in_one_line():
    with pytest.raises(ValueError, match="fast_loop needs timing realtime"):
        default_settings(planner="tool", fast_loop=True)
    with pytest.raises(ValueError, match="fast_loop must be true or false"):
        default_settings(**RT, fast_loop="yes")
    with pytest.raises(ValueError, match="route must be one of edge, cloud, router"):
        default_settings(**RT, route="fog")
    with pytest.raises(ValueError, match="route router needs timing realtime"):
        default_settings(planner="tool", route="router")
    with pytest.raises(ValueError, match="route cloud needs a team planner"):
        default_settings(planner="wmmse", timing="realtime", route="cloud")
    with pytest.raises(ValueError, match="needs an edge team"):
        default_settings(**RT, route="router", strategy="cloud")
    with pytest.raises(ValueError, match="deadline_ms is the router's deadline"):
        default_settings(**RT, deadline_ms=10)
    with pytest.raises(ValueError, match="deadline_ms must be a positive number"):
        default_settings(**RT, route="router", deadline_ms=0)
    # the defaults leave the settings document as it was
    assert default_settings(**RT, fast_loop=False, route="edge") == default_settings(**RT)


def test_cli_refuses_a_fast_loop_without_realtime_with_exit_2(capsys):
    assert main(["episode", "--planner", "tool", "--agents", "3", "--steps", "2", "--quiet",
                 "--fast-loop"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "fast_loop needs timing realtime" in err and "Traceback" not in err


# -- the fast loop -------------------------------------------------------------------------------


def test_fast_loop_runs_each_slot_from_the_plan_on_the_air_on_that_slots_channel():
    s = default_settings(**RT, agents=6, steps=12, seed=2, fast_loop=True,
                         env={"doppler_hz": 50.0}, min_rate=None,
                         constraints=None)  # fmt: skip
    t = run_episode(s)
    gains, p_max, noise = replay_gains(s, len(t["steps"]))
    k = t["agents"]
    on_air = [p_max] * k
    landing = {x["timing"]["lands"]: x["timing"]["plan"] for x in t["steps"]
               if x["timing"]["decided"]}  # fmt: skip
    yields = 0
    for x in t["steps"]:
        on_air = landing.get(x["slot"], on_air)
        f = x["fast_loop"]
        assert f["before"] == pytest.approx(on_air, abs=1e-12)
        g = gains[x["slot"]]
        nb = [[j for j in range(k) if j != i] for i in range(k)]  # every receiver hears all
        p, rec = fast_loop(g, on_air, p_max, noise, {}, {}, nb,
                           ch.loss_matrix(g, p_max, noise, 0.0), s["seed"], x["slot"], 1.0)  # fmt: skip
        assert x["powers"] == pytest.approx(p.tolist(), abs=1e-12)
        assert x["rates"] == pytest.approx(link_rates(g, p, noise).tolist())
        assert rec == f
        assert f["minislots"] <= FAST_MINISLOTS + FAST_YIELD_ROUNDS
        assert f["latency_s"] == pytest.approx(f["minislots"] * 1e-3)
        yields += len(f["yielded"])
    assert yields > 0  # on plain sum-rate the loop's work is yielding
    sm = t["summary"]
    assert sm["fast_loop"] is True and sm["fast_loop_yields"] == yields


def test_fast_loop_tracks_fast_fading_the_late_plans_cannot():
    kw = dict(**RT, agents=6, steps=80, seed=0, env={"doppler_hz": 50.0})
    slow = run_episode(default_settings(**kw))["summary"]["mean_sum_rate"]
    fast = run_episode(default_settings(**kw, fast_loop=True))["summary"]["mean_sum_rate"]
    # 20.94 against 20.79 bit/s/Hz (+0.7%); +1.5% (against 20.62) before the last round held
    # the earlier waves (TeamConfig.settle), +7% before the team's plans searched on/off
    # patterns (tools/neighbourhood.py): the stronger the held plans, the less is left to track
    assert fast > 1.005 * slow


def test_fast_loop_meets_a_floor_the_held_plan_misses():
    # link 0: weak and drowned by link 1 at full power; the held plan is full power everywhere
    g = np.array([[0.1, 0.05], [0.01, 1.0]])
    plan = [1.0, 1.0]
    floors = {"min_rate": [2.0, 0.0]}
    nb = [[1], [0]]
    before = link_rates(g, np.array(plan), 1e-3)
    assert before[0] < 2.0
    p, rec = fast_loop(g, plan, 1.0, 1e-3, floors, {}, nb, [[0.0, 0.0], [0.0, 0.0]], 0, 0, 1.0)
    assert link_rates(g, p, 1e-3)[0] >= 2.0 - 1e-6
    assert rec["lowered"] == [1] and rec["minislots"] <= FAST_MINISLOTS + FAST_YIELD_ROUNDS


# -- the router ----------------------------------------------------------------------------------


def test_router_rule_by_hand():
    d = deadline_s(10.0)
    assert d == pytest.approx(0.0423) and deadline_s(0.0) == math.inf
    assert deadline_s(10.0, 5.0) == 0.005
    fast = {"edge": 0.02, "cloud": 0.05}
    settled_plan = {"slot": 10, "settled": True}
    # a settled plan younger than the deadline holds (2 slots of 20 ms < 42.3 ms)
    assert choose(settled_plan, 12, 0.02, d, fast, True)[0] == "hold"
    assert choose(settled_plan, 13, 0.02, d, fast, True)[0] == "edge"  # 60 ms: stale
    assert choose({"slot": 10, "settled": False}, 11, 0.02, d, fast, True)[0] == "edge"
    # an unsettled edge team hands over to the cloud when the cloud fits
    assert choose(None, 0, 0.02, 0.1, fast, False)[0] == "cloud"
    assert choose(None, 0, 0.02, d, fast, False)[0] == "edge"  # the cloud does not fit
    slow_edge = {"edge": 11.5, "cloud": 0.45}
    assert choose(None, 0, 0.02, 1.0, slow_edge, True)[0] == "cloud"
    assert choose(None, 0, 0.02, 0.01, slow_edge, True)[0] == "cloud"  # neither: the faster
    # the declared priors: the LLM team 2 rounds of a 450-token call, the cloud its round trip
    m = TimingModel()
    assert prior_s("edge", m, 2, True, False) == pytest.approx(2 * (450 / 500 + 30 / 100 + 0.001))
    assert prior_s("cloud", m, 2, True, False) == pytest.approx(0.05)
    assert prior_s("cloud", m, 2, True, True) == pytest.approx(0.05 + 450 / 1e4 + 30 / 75)
    ok = {"agreed": True, "escalation": None, "validation": None}
    assert settled(ok) and not settled({**ok, "agreed": False})
    assert not settled({**ok, "escalation": {"type": "escalate"}})
    assert not settled({**ok, "validation": {"floors_missed_after": 1}})
    assert settled({**ok, "escalation": {"type": "cloud_plan", "accept": True}})


def test_route_cloud_plans_every_power_in_the_cloud_at_its_latency():
    t = run_episode(default_settings(**RT, agents=4, steps=10, seed=1, route="cloud"))
    decided = [x for x in t["steps"] if x["timing"]["decided"]]
    assert decided and all(x["timing"]["source"] == "cloud" for x in decided)
    for x in decided:
        assert [e["type"] for e in x["events"]].count("cloud_plan") == 1
        assert x["latency"]["coordination_s"] == pytest.approx(0.05)  # the solver: round trip
        assert x["latency"]["edge_s"] == 0.0
    assert t["summary"]["sources"] == {"edge": 0, "cloud": len(decided), "hold": 0}


def test_router_episode_follows_its_rule_every_slot():
    s = default_settings(**RT, agents=6, steps=60, seed=0, route="router",
                         env={"doppler_hz": 1.0})  # fmt: skip
    t = run_episode(s)
    steps = t["steps"]
    d = deadline_s(1.0)
    assert {x["timing"]["source"] for x in steps} >= {"edge", "cloud", "hold"}
    held, seen, inflight = None, {}, None
    for x in steps:
        w, slot = x["timing"], x["slot"]
        if inflight is not None and inflight["lands"] <= slot:
            held, inflight = inflight, None
        if inflight is not None:
            assert w["source"] is None and not w["decided"]
            continue
        expected = {tier: seen.get(tier, prior_s(tier, TimingModel(), s["rounds"], False, False))
                    for tier in ("edge", "cloud")}  # fmt: skip
        want, _ = choose(held, slot, 0.02, d, expected, seen.get("edge_settled", True))
        assert w["source"] == want
        assert w["decided"] == (want != "hold")
        if want == "hold":
            continue
        pend = {"agreed": x["agreed"], "escalation": x["escalation"],
                "validation": next((e for e in x["events"] if e["type"] == "floor_control"),
                                   None)}  # fmt: skip
        seen[want] = x["latency_s"]
        seen["edge_settled"] = settled(pend) if want == "edge" else True
        inflight = {"slot": slot, "lands": w["lands"], "settled": settled(pend)}
    sm = t["summary"]
    assert sum(sm["sources"].values()) == sm["decided_slots"] + sm["sources"]["hold"]


# -- timing as a suite option of wagents eval ----------------------------------------------------


def _suite(timing=None, scenario_timing=None):
    sc = {"name": "a", "env": {"topology": "d2d", "agents": 4, "seed": 1}, "steps": 4}
    if scenario_timing is not None:
        sc["timing"] = scenario_timing
    doc = {"suite": "t", "scenarios": [sc, {**sc, "name": "b"}]}
    if timing is not None:
        doc["timing"] = timing
    return doc


def test_suite_timing_at_suite_and_scenario_level_reaches_each_runs_settings():
    from wireless_agents.demos.evaluate.grid import settings_for
    from wireless_agents.demos.suite import parse_suite

    suite = parse_suite(_suite("realtime", {"fast_loop": True, "route": "router"}))
    a = suite.scenarios[0]
    assert a.timing == {"timing": "realtime", "fast_loop": True, "route": "router"}
    tool = settings_for(a, "tool")
    assert (tool["timing"], tool["fast_loop"], tool["route"]) == ("realtime", True, "router")
    wmmse = settings_for(a, "wmmse")  # a classical planner: the timing, no route
    assert wmmse["timing"] == "realtime" and wmmse["fast_loop"] and "route" not in wmmse
    plain = parse_suite(_suite()).scenarios[0]
    assert plain.timing == {} and settings_for(plain, "tool") == default_settings(
        planner="tool", agents=4, steps=4, seed=1
    )


@pytest.mark.parametrize(
    ("timing", "scenario_timing", "message"),
    [
        ("soon", None, "timing.mode: unknown timing 'soon'"),
        (None, {"fast_loop": "yes"}, r"scenarios\[0\].timing.fast_loop: expected true or false"),
        (None, {"route": "fog"}, "unknown route 'fog'"),
        (None, {"speed": 2}, r"timing.speed: unknown key"),
        (None, {"mode": "realtime", "route": "router", "deadline_ms": -1}, "deadline_ms"),
    ],
)
def test_bad_suite_timing_is_refused_with_its_place(timing, scenario_timing, message):
    from wireless_agents.demos.suite import SuiteError, parse_suite

    with pytest.raises(SuiteError, match=message):
        parse_suite(_suite(timing, scenario_timing))


def test_eval_refuses_a_fast_loop_without_realtime_before_any_work(tmp_path, capsys):
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_suite(None, {"fast_loop": True})))
    out = tmp_path / "report"
    assert main(["eval", "--suite", str(path), "--planners", "tool", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "fast_loop needs timing realtime" in err and "Traceback" not in err
    assert not out.exists()


def test_eval_reports_the_timing_per_row(tmp_path):
    import json

    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_suite("realtime", {"route": "cloud"})))
    out = tmp_path / "report"
    assert main(["eval", "--suite", str(path), "--planners", "tool,wmmse", "--out", str(out)]) == 0
    rows = json.loads((out / "report.json").read_text())["results"]
    assert {r["planner"]: r["timing"] for r in rows} == {
        "tool": "realtime+route=cloud",
        "wmmse": "realtime",
    }
    assert "timing" in (out / "report.csv").read_text().splitlines()[0].split(",")


def test_a_killed_router_run_with_the_fast_loop_resumes_to_the_same_trace(killed_and_resumed):
    s = default_settings(**RT, agents=5, steps=40, seed=4, fast_loop=True, route="router",
                         env={"doppler_hz": 1.0})  # fmt: skip
    full, resumed = killed_and_resumed(s, slot=17)
    assert full["summary"]["sources"]["hold"] > 0  # the router's state matters across the kill
    assert resumed["steps"] == full["steps"]
