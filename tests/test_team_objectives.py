"""The team optimizes the objective it was given: views carry it, the tools plan for it (weighted
WMMSE, the local max-min and minimum-power plans), the closed loop serves it, and an episode
whose operator states it plans under it (the real bundled model). Without an objective nothing
changes (the views, notes, prompts and plans of the sum-rate team)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from wireless_agents.environment.metrics import rates
from wireless_agents.planners import feasibility, solve
from wireless_agents.planners.api import solve_detailed
from wireless_agents.planners.coordination import LLMPlanner, TeamConfig
from wireless_agents.planners.coordination.floor_control import close_floors
from wireless_agents.planners.coordination.inputs import decide_input, goals
from wireless_agents.planners.coordination.state import (
    note_from_dict,
    note_to_dict,
    view_from_dict,
    view_to_dict,
)
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.tools import LocalView
from wireless_agents.tools.functions import outgoing_note
from wireless_agents.tools.local_objectives import max_min_local, min_power_local
from wireless_agents.tools.neighbourhood import local_wmmse, wmmse_local

NO_LOSS = [[0.0] * 8 for _ in range(8)]


def _gains(seed, k):
    rng = np.random.default_rng(seed)
    h = (rng.standard_normal((k, k)) + 1j * rng.standard_normal((k, k))) / np.sqrt(2)
    return np.abs(h) ** 2


def _view(g, p, i, notes=(), **kw) -> LocalView:
    k = g.shape[0]
    nb = [j for j in range(k) if j != i]
    return LocalView(
        agent=i, p_max=1.0, noise=1.0, direct_gain=float(g[i, i]),
        interference_plus_noise=1.0 + float(g[i, nb] @ p[nb]), last_power=float(p[i]),
        neighbours=tuple(nb), neighbour_gains=tuple(g[i, nb]),
        neighbour_rx_last=tuple(g[i, nb] * p[nb]),
        mailbox=tuple(n for n in notes if n.sender != i), **kw,
    )  # fmt: skip


def _notes(g, p, **kw):
    """Every link's note at powers ``p``; ``kw`` per-link view fields (lists)."""
    k = g.shape[0]
    return [
        outgoing_note(_view(g, p, i, **{f: v[i] for f, v in kw.items()}), float(p[i]))
        for i in range(k)
    ]


def _team_plan(g, objective, weights=None, floors=None):
    """Every agent's local_wmmse suggestion with every row heard (the whole network)."""
    k = g.shape[0]
    p = np.ones(k)
    w = [None] * k if weights is None else list(weights)
    f = [None] * k if floors is None else [x or None for x in floors]
    notes = _notes(g, p, weight=w, min_rate=f)
    return np.array([
        local_wmmse(_view(g, p, i, notes, objective=objective, weight=w[i], min_rate=f[i]))[
            "suggested_power"]
        for i in range(k)
    ])  # fmt: skip


# -- the tools ----------------------------------------------------------------------------------


def test_weighted_local_wmmse_differs_from_the_sum_rate_one_and_is_the_weighted_wmmse():
    g = _gains(5, 5)
    weights = [1.0, 1.0, 8.0, 1.0, 0.2]
    plain = _team_plan(g, None)
    weighted = _team_plan(g, "weighted_sum_rate", weights)
    assert np.max(np.abs(weighted - plain)) > 0.05
    # with every row heard the local problem is the network: at least the centralized weighted
    # WMMSE's weighted sum-rate (the multi-start keeps the best of several local WMMSE runs)
    want = solve(g, 1.0, 1.0, algo="wmmse", weights=weights)
    assert np.dot(weights, rates(g, weighted, 1.0)) >= np.dot(weights, rates(g, want, 1.0)) - 1e-3
    np.testing.assert_allclose(plain, solve(g, 1.0, 1.0, algo="wmmse"), atol=1e-4)
    # the heavy link gets more of its rate than under the sum-rate plan
    assert rates(g, weighted, 1.0)[2] > rates(g, plain, 1.0)[2]
    # all-ones weights are the sum-rate plan, number for number
    np.testing.assert_array_equal(
        wmmse_local(g, np.ones(5), np.ones(5)),
        wmmse_local(g, np.ones(5), np.ones(5), weights=np.ones(5)),
    )


def test_weighted_local_plan_finds_the_heavy_link_plan_full_power_wmmse_misses():
    """High SNR, link 2 weighs 3: WMMSE from full power stalls with every link on (seed 4), the
    multi-start local plan reaches the multi-start centralized optimum on every seed."""
    w = np.array([1.0, 1.0, 3.0, 1.0, 1.0])
    for seed in range(6):
        g = _gains(seed, 5) * 1e3
        team = w @ rates(g, _team_plan(g, "weighted_sum_rate", w), 1.0)
        best = w @ rates(g, solve(g, 1.0, 1.0, algo="best", weights=w), 1.0)
        assert team >= 0.99 * best
    g = _gains(4, 5) * 1e3
    best = w @ rates(g, solve(g, 1.0, 1.0, algo="best", weights=w), 1.0)
    assert w @ rates(g, solve(g, 1.0, 1.0, algo="wmmse", weights=w), 1.0) < 0.5 * best


def test_local_max_min_with_every_row_heard_is_the_exact_max_min_plan():
    for seed in range(3):
        g = _gains(seed, 4)
        got = _team_plan(g, "max_min")
        exact = solve_detailed(g, 1.0, 1.0, algo="best", objective="max_min")
        assert rates(g, got, 1.0).min() == pytest.approx(exact.utility, abs=2e-3)
        # and well above the sum-rate plan's worst link
        assert rates(g, got, 1.0).min() >= rates(g, solve(g), 1.0).min() - 1e-9


def test_local_min_power_meets_the_floors_with_the_least_power():
    g = _gains(7, 4) + 3.0 * np.eye(4)
    floors = [0.4, 0.0, 0.8, 0.4]
    got = _team_plan(g, "min_power", floors=floors)
    r = rates(g, got, 1.0)
    assert np.all(r >= np.asarray(floors) - 1e-9)  # rounded up to the grid: the floors hold
    assert got[1] == 0.0  # no floor: no reason to transmit
    ok, p_star = feasibility(g[None], np.ones((1, 4)), np.ones((1, 4)), np.array([floors]))
    assert ok[0]
    np.testing.assert_allclose(got, p_star[0], atol=1.1e-3)  # within the 0.001 power grid
    # floors that cannot be met together: no plan (the tool falls back on its own floor)
    assert min_power_local(g, np.ones(4), np.ones(4), np.full(4, 9.0)) is None
    assert max_min_local(g, np.ones(4), np.ones(4), np.full(4, 9.0)) is None


# -- views, notes, the decide input -------------------------------------------------------------


def test_views_and_notes_carry_the_goals_only_when_stated():
    g = _gains(2, 3)
    plain = decide_input(g, 1.0, 1.0, {}, {}, TeamConfig())
    assert all("objective" not in v and "weight" not in v for v in plain["views"])
    assert goals({}, 3) == (None, [None] * 3)
    inp = decide_input(g, 1.0, 1.0, {"weights": [1, 3, 1]}, {}, TeamConfig())
    assert [v["objective"] for v in inp["views"]] == ["weighted_sum_rate"] * 3
    assert [v["weight"] for v in inp["views"]] == [1.0, 3.0, 1.0]
    v = view_from_dict(json.loads(json.dumps(inp["views"][1])))
    assert v.objective == "weighted_sum_rate" and v.weight == 3.0
    note = outgoing_note(v, 0.5)
    assert note.weight == 3.0 and note_from_dict(json.loads(json.dumps(note_to_dict(note)))) == note
    bare = outgoing_note(view_from_dict(plain["views"][1]), 0.5)
    assert "weight" not in note_to_dict(bare) and "objective" not in view_to_dict(bare_view(g))
    with pytest.raises(ValueError, match="unknown objective"):
        decide_input(g, 1.0, 1.0, {"objective": "fastest"}, {}, TeamConfig())


def bare_view(g):
    return _view(g, np.ones(3), 0)


def test_perception_mentions_the_goal_and_the_weight_briefly():
    from wireless_agents.agents.perception import perceive

    g = _gains(2, 3)
    plain = perceive(bare_view(g))
    assert "Goal" not in plain
    text = perceive(_view(g, np.ones(3), 0, objective="weighted_sum_rate", weight=3.0))
    assert text.startswith(plain) and text.endswith("Goal: most weighted total rate, my weight 3.")
    assert perceive(_view(g, np.ones(3), 0, objective="max_min")).endswith(
        "Goal: raise the worst link's rate."
    )


# -- the closed loop ----------------------------------------------------------------------------


def _views(floors, objective=None, weights=None):
    out = []
    for i, f in enumerate(floors):
        v = {"p_max": 1.0, "min_rate": f or None, "cap": None}
        if objective:
            v["objective"] = objective
        if weights is not None:
            v["weight"] = weights[i]
        out.append(v)
    return out


def _everyone(k):
    return [[j for j in range(k) if j != i] for i in range(k)]


def test_min_power_loop_meets_the_floors_with_the_least_power_and_silences_the_rest():
    g = _gains(7, 4) + 3.0 * np.eye(4)
    floors = np.array([0.4, 0.0, 0.8, 0.4])
    ok, p_star = feasibility(g[None], np.ones((1, 4)), np.ones((1, 4)), floors[None])
    assert ok[0]
    p, rec, _ = close_floors(g, np.ones(4), 1.0, 1.0, _views(floors, "min_power"), _everyone(4),
                             NO_LOSS)  # fmt: skip
    assert rec["objective"] == "min_power" and rec["floors_missed_after"] == 0
    assert np.all(rates(g, p, 1.0) >= floors - 1e-6)
    assert p[1] == 0.0 and 1 in rec["yielded"]
    np.testing.assert_allclose(p, p_star[0], rtol=1e-3)
    assert rec["yield"]["rounds"] == []
    # no floor anywhere: under min_power every link goes silent (the loop runs all the same)
    p, rec, _ = close_floors(g, np.ones(4), 1.0, 1.0, _views([0] * 4, "min_power"), _everyone(4),
                             NO_LOSS)  # fmt: skip
    assert rec is not None and np.all(p == 0.0)
    # the sum-rate loop with the same floors keeps the plan's extra power
    q, rec, _ = close_floors(g, np.ones(4), 1.0, 1.0, _views(floors), _everyone(4), NO_LOSS)
    assert "objective" not in rec and q.sum() > p_star[0].sum() * 2


def test_max_min_loop_does_not_yield_and_weighted_loop_weighs_the_offers():
    # link 2 is weak and drowns links 0 and 1: the sum-rate loop silences it (see
    # test_floor_control); under max-min its silence would make the minimum 0: it stays on
    g = np.array([[1e4, 1.0, 50.0], [1.0, 1e4, 50.0], [1.0, 1.0, 2.0]])
    ones = [1.0, 1.0, 1.0]
    p, rec, _ = close_floors(g, ones, 1.0, 1.0, _views([0, 1.0, 0]), _everyone(3), NO_LOSS)
    assert rec["yielded"] == [2]
    p, rec, _ = close_floors(g, ones, 1.0, 1.0, _views([0, 1.0, 0], "max_min"), _everyone(3),
                             NO_LOSS)  # fmt: skip
    # (the max-min phase then sets every power: the weak link 2 ends near its cap)
    assert rec["yielded"] == [] and p[2] > 0.99 and rec["yield"]["messages"] == 0
    # weighted: link 2 counts 40 times a normal link: it keeps the air, and link 0 (no floor)
    # yields to it instead, since 40 x what link 2 gains beats link 0's own rate (yielding
    # alone; with pricing link 0 comes down instead of going silent, see test_pricing)
    w = np.array([1.0, 1.0, 40.0])
    heavy = _views([0, 1.0, 0], "weighted_sum_rate", list(w))
    p, rec, _ = close_floors(g, ones, 1.0, 1.0, heavy, _everyone(3), NO_LOSS, price_rounds=0)
    assert rec["yielded"] == [0] and p[2] == 1.0
    assert w @ rates(g, p, 1.0) > w @ rates(g, np.ones(3), 1.0)
    light = _views([0, 1.0, 0], "weighted_sum_rate", [1.0, 1.0, 1.0])
    p, rec, _ = close_floors(g, ones, 1.0, 1.0, light, _everyone(3), NO_LOSS)
    assert rec["yielded"] == [2]


def test_max_min_loop_reaches_the_max_min_optimum_whatever_the_plan():
    """The closed loop's max-min phase: the committed plan's smallest rate is within 1% of the
    exact max-min solver's, from any proposal, with the floors and caps held."""
    for seed in range(6):
        k = 3 + seed % 3
        g = _gains(100 + seed, k) + 2.0 * np.eye(k)
        exact = rates(g, solve_detailed(g, 1.0, 1.0, algo="maxmin").powers, 1.0).min()
        for plan in (np.zeros(k), np.ones(k), np.linspace(0.1, 1.0, k)):
            p, rec, _ = close_floors(g, list(plan), 1.0, 1.0, _views([0] * k, "max_min"),
                                     _everyone(k), NO_LOSS)  # fmt: skip
            got = rates(g, p, 1.0).min()
            assert got == pytest.approx(exact, rel=1e-2) and got <= exact * (1 + 1e-9)
            assert rec["max_min"]["target"] == pytest.approx(exact, rel=1e-2)
            assert rec["messages"] >= rec["max_min"]["messages"] > 0
    # a floor above the common rate and a cap: both hold, the rest is the constrained optimum
    g = _gains(7, 4) + 3.0 * np.eye(4)
    floors = np.array([0.0, 0.0, 1.2, 0.0])
    views = _views(floors, "max_min")
    views[1]["cap"] = 0.4
    caps = np.array([1.0, 0.4, 1.0, 1.0])
    exact = solve_detailed(g, 1.0, 1.0, algo="maxmin", min_rate=floors,
                           max_power_frac=caps).powers  # fmt: skip
    p, rec, _ = close_floors(g, [1.0] * 4, 1.0, 1.0, views, _everyone(4), NO_LOSS)
    r = rates(g, p, 1.0)
    assert r[2] >= 1.2 - 1e-6 and p[1] <= 0.4 * (1 + 1e-9) and rec["floors_missed_after"] == 0
    assert r.min() == pytest.approx(rates(g, exact, 1.0).min(), rel=1e-2)


# -- the team and the episode -------------------------------------------------------------------


def test_tool_team_plans_the_objective_given_as_numbers():
    """A suite-less API call: the objective as numbers reaches the rule team's tools."""
    g = _gains(4, 4) * 10
    team = LLMPlanner(None, TeamConfig(decider="rule", rounds=3))
    plain = team.plan(g, 1.0, 1.0)
    fair = team.plan(g, 1.0, 1.0, {"objective": "max_min"})
    assert rates(g, fair, 1.0).min() > rates(g, plain, 1.0).min()
    least = team.plan(g, 1.0, 1.0, {"objective": "min_power", "min_rate": [0.5, 0, 0, 0.5]})
    r = rates(g, least, 1.0)
    assert r[0] >= 0.5 - 1e-6 and r[3] >= 0.5 - 1e-6 and least[1] == least[2] == 0.0


def test_tool_episode_reads_no_objective_sentence_but_takes_numbers():
    s = default_settings(planner="tool", agents=4, steps=1, seed=3,
                         intents=["Raise the worst link as high as you can."])  # fmt: skip
    tr = run_episode(s)
    assert "objective" not in tr["summary"] and "utility" not in tr["steps"][0]
    s = default_settings(planner="tool", agents=4, steps=1, seed=3, objective="max_min")
    tr2 = run_episode(s)
    assert tr2["summary"]["objective"] == "max_min"
    u = tr2["steps"][0]["utility"]
    assert u == pytest.approx(min(tr2["steps"][0]["rates"]))
    assert u > min(tr["steps"][0]["rates"])
    assert tr2["summary"]["mean_utility"] == pytest.approx(u)


def test_llm_episode_with_a_max_min_sentence_plans_under_max_min(model):
    """The real model reads the operator's fairness sentence (or the episode says it did not);
    the team plans under what was read: views, tools, the summary's objective and utility."""
    s = default_settings(agents=3, steps=1, seed=1, rounds=1,
                         intents=["Raise the worst link as high as you can."])  # fmt: skip
    tr = run_episode(s, backend=model)
    read = tr["summary"]["operator_intents"]
    assert read.get("objective") == "max_min", read["parsed"]
    assert tr["summary"]["objective"] == "max_min"
    st = tr["steps"][0]
    assert st["utility"] == pytest.approx(min(st["rates"]))
    assert tr["summary"]["mean_utility"] == pytest.approx(st["utility"])
    # every agent's tool planned for it (a local max-min plan, not WMMSE's)
    calls = [c for d in st["decisions"] for c in d["tool_calls"]]
    assert calls and all(c["tool"] == "local_wmmse" for c in calls)
