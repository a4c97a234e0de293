"""Tools: local-only arithmetic that matches the global metrics and the centralized WMMSE."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from wireless_agents.environment import make_env
from wireless_agents.environment.metrics import rates, sum_rate
from wireless_agents.planners import feasibility, solve
from wireless_agents.tools import TOOLS, LocalView, ToolError, call_tool
from wireless_agents.tools.functions import best_response, min_power, outgoing_note, wmmse_step
from wireless_agents.tools.neighbourhood import local_problem, local_wmmse, weighted_local_plan


def _gains(seed, k):
    rng = np.random.default_rng(seed)
    h = (rng.standard_normal((k, k)) + 1j * rng.standard_normal((k, k))) / np.sqrt(2)
    return np.abs(h) ** 2


def _view(g, p, i, notes=(), noise=1.0, p_max=1.0, **kw):
    k = g.shape[0]
    nb = [j for j in range(k) if j != i]
    ipn = noise + float(g[i, nb] @ p[nb])
    return LocalView(
        agent=i, p_max=p_max, noise=noise, direct_gain=float(g[i, i]), interference_plus_noise=ipn,
        last_power=float(p[i]), neighbours=tuple(nb), neighbour_gains=tuple(g[i, nb]),
        neighbour_rx_last=tuple(g[i, nb] * p[nb]), mailbox=tuple(n for n in notes if n.sender != i), **kw,
    )  # fmt: skip


def _notes(g, p):
    return [outgoing_note(_view(g, p, i), float(p[i])) for i in range(g.shape[0])]


def test_wmmse_step_with_all_neighbours_is_one_centralized_iteration():
    g = _gains(3, 5)
    p = np.array([1.0, 0.4, 0.7, 0.2, 0.9])
    notes = _notes(g, p)
    got = np.array([wmmse_step(_view(g, p, i, notes))["suggested_power"] for i in range(5)])
    # centralized WMMSE (Shi et al. 2011), amplitude form, one Jacobi update from p
    v = np.sqrt(p)
    d = np.sqrt(np.diag(g))
    total = g @ p + 1.0
    u = d * v / total
    w = 1.0 / (1.0 - u * d * v)
    v_new = np.minimum(w * u * d / (g.T @ (w * u**2)), 1.0)
    np.testing.assert_allclose(got, v_new**2, atol=1e-4)


@pytest.mark.parametrize("tool", [wmmse_step, best_response])
def test_rounds_of_local_tools_reach_centralized_wmmse(tool):
    k, noise = 6, 1.0
    ratios = []
    for seed in range(10):
        g = _gains(seed, k)
        p = np.ones(k)
        for _ in range(10):
            notes = _notes(g, p)
            p = np.array([tool(_view(g, p, i, notes))["suggested_power"] for i in range(k)])
        ratios.append(sum_rate(g, p, noise) / sum_rate(g, solve(g), noise))
    assert np.mean(ratios) >= 0.97


def test_local_wmmse_with_every_link_heard_plans_the_whole_network_at_least_as_wmmse():
    # every note carries its sender's channel row: with all rows heard, the agent's
    # neighbourhood is the whole network and its plan is the multi-start of centralized WMMSE
    # (full power, the powers heard, the best on/off patterns): every agent finds the same
    # plan, and it is at least as good as WMMSE from full power
    for seed in range(4):
        g = _gains(seed, 6)
        p = np.array([1.0, 0.0, 0.3, 0.7, 0.05, 0.5])  # whatever was announced before
        notes = _notes(g, p)
        got = [local_wmmse(_view(g, p, i, notes)) for i in range(6)]
        assert all(r["neighbourhood"] == 6 for r in got)
        plan = np.array([r["suggested_power"] for r in got])
        ones = np.ones(6)
        want = weighted_local_plan(g, ones, ones, ones, p)
        # (an agent that would fall silent for a link still off keeps transmitting: its entry
        # then comes from its best plan among those it transmits in; seed 0, agent 4: 0.048)
        np.testing.assert_allclose(plan, want, atol=0.05)
        wmmse = solve(g, 1.0, 1.0, algo="wmmse")
        # (within 0.2%: that agent's entry is of another joint plan than the others')
        assert sum_rate(g, plan, 1.0) >= 0.998 * sum_rate(g, wmmse, 1.0) - 1e-3


def test_local_wmmse_answers_the_links_whose_power_is_final():
    # two links that cannot share the band: the agent's own plan keeps itself on and has link
    # 1 fall silent; once 1's power is final (it proposed in the last round already,
    # view.settled) nobody can follow that plan, and the agent's best answer is silence
    g = np.array([[1e4, 1e6], [1e6, 100.0]])
    p = np.array([1.0, 1.0])
    notes = _notes(g, p)
    assert local_wmmse(_view(g, p, 0, notes))["suggested_power"] == 1.0
    assert local_wmmse(_view(g, p, 0, notes, settled=(1,)))["suggested_power"] == 0.0
    # the greedy on/off search of larger neighbourhoods (9 to 16 members) holds them too
    k = 10
    g = np.full((k, k), 1e-3) + np.diag(np.full(k, 1.0))
    g[0, 0], g[0, 1], g[1, 0], g[1, 1] = 1e4, 1e6, 1e6, 100.0
    p = np.ones(k)
    notes = _notes(g, p)
    assert local_wmmse(_view(g, p, 0, notes))["suggested_power"] == 1.0
    assert local_wmmse(_view(g, p, 0, notes, settled=(1,)))["suggested_power"] == 0.0


def test_local_wmmse_sees_only_the_rows_that_reached_it():
    g = _gains(11, 5)
    p = np.array([0.9, 0.2, 0.6, 1.0, 0.4])
    alone = local_wmmse(_view(g, p, 0))
    assert alone["neighbourhood"] == 1 and alone["suggested_power"] == 1.0  # nobody heard yet
    heard = [n for n in _notes(g, p) if n.sender in (2, 4)]
    members, gl, noise, caps = local_problem(_view(g, p, 0, heard))
    assert members == [0, 2, 4]
    np.testing.assert_allclose(gl, g[np.ix_(members, members)])
    # what comes from outside the neighbourhood stays measured interference (the members' noise)
    for a, i in enumerate(members):
        out = [j for j in range(5) if j not in members]
        assert noise[a] == pytest.approx(1.0 + g[i, out] @ p[out])
    assert np.all(caps == 1.0)
    # the row crosses the graph state as JSON and comes back the same
    from wireless_agents.planners.coordination.state import note_from_dict, note_to_dict

    back = note_from_dict(json.loads(json.dumps(note_to_dict(heard[0]))))
    assert back == heard[0]


def test_min_power_rounds_fall_to_the_minimal_power_vector():
    # Foschini-Miljanic from p_max: every link's least power against the others' proposals
    k, noise, floor = 4, 1.0, 0.4
    g = _gains(7, k) + 3.0 * np.eye(k)
    ok, p_star = feasibility(
        g[None], np.full((1, k), noise), np.ones((1, k)), np.full((1, k), floor)
    )
    assert ok[0]
    p = np.ones(k)
    for _ in range(30):
        for i in range(k):  # Gauss-Seidel: each link sees the latest proposals
            notes = _notes(g, p)
            p[i] = min_power(_view(g, p, i, notes, min_rate=floor))["suggested_power"]
    assert np.all(rates(g, p, noise) >= floor - 1e-9)  # rounded up: the floors hold
    np.testing.assert_allclose(p, p_star[0], atol=2e-3)  # within the 0.001 power grid
    assert min_power(_view(g, p, 0))["suggested_power"] == 0.0  # no floor: no power needed
    assert call_tool("min_power", _view(g, p, 0, min_rate=99.0))["reachable"] is False


def test_what_if_matches_global_rates_when_others_stay():
    g = _gains(1, 4)
    p = np.array([0.3, 0.8, 0.5, 1.0])
    out = call_tool("what_if", _view(g, p, 2), {"power_fractions": [0.0, 0.5, 1.0]})
    for row in out["candidates"]:
        q = p.copy()
        q[2] = row["power"]
        assert row["rate"] == pytest.approx(rates(g, q)[2], abs=1e-3)


def test_neighbour_proposals_change_the_estimate():
    g = _gains(2, 3)
    p = np.ones(3)
    silent = [outgoing_note(_view(g, p, j), 0.0) for j in (1, 2)]
    r_loud = call_tool("what_if", _view(g, p, 0), {"power_fractions": [1.0]})["candidates"][0][
        "rate"
    ]
    r_quiet = call_tool("what_if", _view(g, p, 0, silent), {"power_fractions": [1.0]})[
        "candidates"
    ][0]["rate"]
    assert r_quiet == pytest.approx(math.log2(1 + g[0, 0]), abs=1e-3)
    assert r_quiet > r_loud


def test_check_constraints_and_min_rate_floor():
    g = _gains(4, 3)
    p = np.ones(3)
    v = _view(g, p, 0, min_rate=1.0, cap=0.8)
    out = call_tool("check_constraints", v, {"power": 0.9})
    assert out["cap_ok"] is False and out["cap"] == pytest.approx(0.8)
    need = out["power_needed"]
    assert out["reachable"] == (need <= 0.8)
    ok = call_tool("check_constraints", v, {"power": min(need + 1e-3, 0.8)})
    assert ok["min_rate_ok"] == (need + 1e-3 <= 0.8)
    # tools honour the floor and the cap
    for name in ("wmmse_step", "best_response", "local_wmmse"):
        s = call_tool(name, v)["suggested_power"]
        assert s <= 0.8 + 1e-9
        assert s >= min(need, 0.8) - 1e-4


def test_interference_report_shares():
    g = _gains(5, 4)
    p = np.array([1.0, 1.0, 0.0, 0.5])
    out = call_tool("interference_report", _view(g, p, 0))
    shares = {row["agent"]: row["share"] for row in out["top"]}
    assert shares[2] == 0.0
    assert sum(shares.values()) == pytest.approx(out["interference_share"], abs=3e-3)


def test_unknown_tool_and_argument():
    v = _view(_gains(0, 3), np.ones(3), 0)
    with pytest.raises(ToolError, match="unknown tool"):
        call_tool("nope", v)
    with pytest.raises(ToolError, match="takes no argument"):
        call_tool("wmmse_step", v, {"power": 1})


def test_schemas_become_grammars():
    from llama_cpp import LlamaGrammar

    for tool in TOOLS.values():
        LlamaGrammar.from_json_schema(json.dumps(tool.parameters), verbose=False)


def test_view_from_env_observation_is_consistent_with_gains():
    env = make_env("d2d", n_agents=5, seed=0)
    obs, infos = env.reset()
    p = np.full(5, env.p_max)
    obs, *_, infos = env.step(env.actions_from_powers(p))
    a = "agent_1"
    v = LocalView.from_observation(1, obs[a], infos[a]["neighbours"], env.p_max, env.noise)
    g = env.gains
    assert v.direct_gain == pytest.approx(g[1, 1], rel=1e-4)
    for j, gj in zip(v.neighbours, v.neighbour_gains, strict=True):
        assert gj == pytest.approx(g[1, j], rel=1e-4)
    assert v.last_power == pytest.approx(env.p_max, rel=1e-6)
    assert v.last_rate == pytest.approx(infos[a]["rate"], rel=1e-4)


def test_greedy_onoff_is_best_s_greedy_binary_on_the_small_problem():
    from wireless_agents.planners.best import _greedy_binary
    from wireless_agents.tools.neighbourhood import greedy_onoff

    rng = np.random.default_rng(3)
    for _ in range(5):
        n = 12
        g = rng.exponential(size=(n, n)) * 30.0 + np.diag(rng.exponential(size=n) * 300.0)
        noise, caps, ones = np.ones(n), np.full(n, 2.0), np.ones(n)
        for start in (np.ones(n, dtype=bool), np.zeros(n, dtype=bool)):
            want = _greedy_binary(g[None], caps[None], noise[None], ones[None], start[None])[0]
            np.testing.assert_array_equal(greedy_onoff(g, noise, caps, ones, start), want)


def test_best_response_sweeps_are_best_s_polish_on_the_small_problem():
    from wireless_agents.planners.greedy import best_response_sweeps as theirs
    from wireless_agents.tools.neighbourhood import best_response_sweeps, local_utility

    rng = np.random.default_rng(5)
    for _ in range(5):
        n = 12
        g = rng.exponential(size=(n, n)) * 30.0 + np.diag(rng.exponential(size=n) * 300.0)
        noise, caps, ones = np.ones(n), np.full(n, 2.0), np.ones(n)
        p0 = rng.uniform(size=n) * caps
        want = theirs(g[None], caps[None], noise[None], ones[None], p0[None], max_sweeps=10)[0][0]
        got = best_response_sweeps(g, noise, caps, ones, p0)
        np.testing.assert_allclose(got, want)
        assert local_utility(g, noise, got, ones)[0] >= local_utility(g, noise, p0, ones)[0]
        # a held member keeps its power
        held = np.zeros(n, dtype=bool)
        held[3] = True
        assert best_response_sweeps(g, noise, caps, ones, p0, held)[3] == p0[3]


def test_a_settling_agent_may_yield_to_a_link_that_has_yet_to_answer():
    # a neighbourhood of 10 (above ONOFF_MAX_N; smaller ones keep the guard as it was):
    # member 1 is off as heard and much the stronger link beside the agent, the others alone
    n = 10
    g = np.eye(n)
    g[:2, :2] = [[1.0, 10.0], [10.0, 100.0]]
    ones = np.ones(n)
    current = np.ones(n)
    current[1] = 0.0
    # not settling: no silence on a promise (yields_only_to_links_on), the agent stays on
    assert weighted_local_plan(g, ones, ones, ones, current)[0] > 0
    # settling (member 2 proposed in the round already): member 1 has yet to answer, and
    # answers the agent's silence, so the agent may yield to it
    held = np.zeros(n, dtype=bool)
    held[2] = True
    plan = weighted_local_plan(g, ones, ones, ones, current, held)
    assert plan[0] == 0.0 and plan[1] > 0 and plan[2] == current[2]


def test_quiet_outside_noise_leaves_out_the_shares_of_links_outside():
    from wireless_agents.tools.neighbourhood import Note, quiet_outside_noise

    # agent 0 hears member 1; member 1's receiver also hears link 5, which agent 0 does not
    share = 1e-9
    note = Note(sender=1, power=1.0, direct_gain=1e-6, gains={0: 1e-9, 5: 1e-9},
                received={0: 1e-9, 5: share}, interference_plus_noise=1e-12 + 1e-9 + share)  # fmt: skip
    v = LocalView(agent=0, p_max=1.0, noise=1e-12, direct_gain=1e-6, interference_plus_noise=2e-9,
                  last_power=1.0, neighbours=(1,), neighbour_gains=(1e-9,),
                  neighbour_rx_last=(1e-9,), mailbox=(note,))  # fmt: skip
    members, g, noise, caps = local_problem(v)
    quiet = quiet_outside_noise(v, members, noise)
    assert members == [0, 1]
    assert noise[1] == pytest.approx(1e-12 + share, rel=1e-6)  # link 5 at its heard power
    assert quiet[1] == pytest.approx(1e-12, rel=1e-6)  # as if it had fallen silent
    assert quiet[0] == noise[0]


def test_loud_interferers_left_out_of_the_neighbours_stay_in_the_row():
    from dataclasses import replace

    from wireless_agents.planners.coordination.inputs import significant_neighbours
    from wireless_agents.tools.view import Note

    # own SNR 70 dB: neighbours are the 2 strongest; 30 dB and 10 dB interferers are left
    # out (loud: above the noise at full power), -10 dB too (quiet)
    v = LocalView(agent=0, p_max=1.0, noise=1.0, direct_gain=1e7, interference_plus_noise=1.0,
                  neighbours=(1, 2, 3, 4, 5), neighbour_gains=(1e6, 1e5, 1e3, 10.0, 0.1),
                  neighbour_rx_last=(0.0,) * 5)  # fmt: skip
    w = significant_neighbours(v, strongest=2, tin_eta=0.5)
    assert w.neighbours == (1, 2) and w.outside == ((3, 1e3), (4, 10.0))
    assert w.outside_gain == pytest.approx(0.1)
    note = outgoing_note(w, 1.0)
    assert note.gains == {1: 1e6, 2: 1e5, 3: 1e3, 4: 10.0} and note.outside_gain == 0.1
    # a neighbourhood of 0 and 3 (3's note reached 0): the coupling is a column, not noise
    n3 = Note(sender=3, power=1.0, direct_gain=1e7, interference_plus_noise=1.0)
    members, g, noise, _ = local_problem(replace(w, mailbox=(n3,)))
    assert members == [0, 3] and g[0, 1] == 1e3
    assert noise[0] == pytest.approx(1.1)  # thermal + the quiet one at full power
