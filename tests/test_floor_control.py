"""The LLM team's floor-control loop: local measurements only, floors met when feasible, every
request counted on the control channel; the real bundled model for the planner path."""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.metrics import rates
from wireless_agents.planners import feasibility
from wireless_agents.planners.coordination import LLMPlanner, TeamConfig, message_bytes
from wireless_agents.planners.coordination.floor_control import RETRIES, close_floors

NO_LOSS = [[0.0] * 8 for _ in range(8)]


def _views(floors, caps, p_max=1.0):
    return [
        {"p_max": p_max, "min_rate": f or None, "cap": c} for f, c in zip(floors, caps, strict=True)
    ]


def _plain(x) -> bool:
    """Only built-in JSON types (LangGraph's checkpointer refuses numpy scalars)."""
    if isinstance(x, dict):
        return all(type(k) is str and _plain(v) for k, v in x.items())
    if isinstance(x, list):
        return all(_plain(v) for v in x)
    return x is None or type(x) in (bool, int, float, str)


def _everyone(k):
    return [[j for j in range(k) if j != i] for i in range(k)]


def test_raises_the_floor_then_asks_the_loudest_interferer_for_the_exact_cut():
    # link 0 needs 2 bit/s/Hz; at full power it gets log2(1 + 10/(1 + 5)) < 2 while links 1 and 2
    # transmit; link 1 is its loud interferer, link 2 a faint one; link 3's floor of 9 bit/s/Hz
    # is out of reach even alone (log2(1 + 4) < 9) and must not silence anyone.
    g = np.array([[10.0, 5.0, 0.1, 0.0], [0.2, 8.0, 0.1, 0.0], [0.1, 0.1, 6.0, 0.0],
                  [0.0, 0.0, 0.0, 4.0]])  # fmt: skip
    views = _views([2.0, 0, 0, 9.0], [None, None, 0.5, None])
    p, rec, counted = close_floors(
        g, [0.2, 1.0, 1.0, 1.0], 1.0, 1.0, views, _everyone(4), NO_LOSS, yield_rounds=0
    )
    r = rates(g, p, 1.0)
    assert r[0] >= 2.0 - 1e-6 and rec["floors_missed_before"] == 2
    assert rec["floors_missed_after"] == 1  # link 3's hopeless floor
    assert rec["clipped"] == [2] and p[2] == 0.5  # the cap holds
    assert rec["raised"] == [0] and rec["lowered"] == [1] and p[3] == 1.0
    # one request, to link 1, for the cut that closes the floor: no more than needed
    [req] = rec["requests"]
    assert (req["from"], req["to"], req["delivered"]) == (0, 1, True)
    assert 0.3 < p[1] < 0.6 and r[0] < 2.01
    assert counted == {"sent": 1, "delivered": 1, "lost": 0, "bytes": req["bytes"]}
    assert rec["messages"] == 1 and rec["bytes"] == req["bytes"] > 0
    assert rec["before"] == [0.2, 1.0, 1.0, 1.0] and rec["minislots"] >= 2
    assert _plain(rec) and _plain(counted)


def test_uses_only_what_each_receiver_measures():
    """Link 0 hears only link 1. Moving interference between links 2 and 3, which it does not
    hear, while their sum at its receiver stays the same, changes nothing it measures: the
    outcome is identical, and its requests go to link 1 although link 2 is louder."""
    k = 5
    base = np.full((k, k), 0.05) + np.diag([10.0, 6.0, 6.0, 6.0, 6.0])
    base[0, 1] = 1.0
    heard = [[1], [0], [3], [2], [0]]
    views = _views([2.5, 0, 0, 0, 0], [None] * k)
    plan = [0.3, 1.0, 1.0, 1.0, 0.5]
    outs = []
    for g02, g03 in [(3.0, 0.5), (0.5, 3.0), (1.75, 1.75)]:
        g = base.copy()
        g[0, 2], g[0, 3] = g02, g03
        outs.append(close_floors(g, plan, 1.0, 1.0, views, heard, NO_LOSS))
    for p, rec, counted in outs[1:]:
        np.testing.assert_array_equal(p, outs[0][0])
        assert rec == outs[0][1] and counted == outs[0][2]
    p, rec, _ = outs[0]
    assert rec["requests"] and {q["to"] for q in rec["requests"]} == {1}
    assert p[2] == 1.0 and p[3] == 1.0  # unheard: never asked


def test_feasible_floors_are_met_and_nothing_moves_without_need():
    rng = np.random.default_rng(3)
    met = tried = 0
    for _ in range(60):
        k = int(rng.integers(3, 7))
        g = rng.exponential(1.0, (k, k)) * 0.3 + np.diag(rng.exponential(3.0, k))
        floors = np.where(rng.random(k) < 0.4, rng.uniform(0.3, 1.5, k), 0.0)
        caps = np.where(rng.random(k) < 0.3, rng.uniform(0.3, 1.0, k), 1.0)
        if not floors.any():
            continue
        ok, _ = feasibility(g[None], np.ones((1, k)), caps[None], floors[None])
        if not ok[0]:
            continue
        tried += 1
        plan = rng.uniform(0.0, 1.0, k)
        views = _views(floors, caps)
        p, rec, _ = close_floors(g, plan, 1.0, 1.0, views, _everyone(k), NO_LOSS)
        r = rates(g, p, 1.0)
        assert np.all(p <= caps + 1e-12) and np.all(p >= 0)
        met += bool(np.all(r >= floors - 1e-6))
        assert rec["floors_missed_after"] == int(np.sum(r < floors - 1e-6))
        if rec["floors_missed_before"] == 0:  # floors that hold need no power control
            q, rec0, _ = close_floors(
                g, plan, 1.0, 1.0, views, _everyone(k), NO_LOSS, yield_rounds=0
            )
            np.testing.assert_allclose(q, np.minimum(plan, caps))
            assert rec0["requests"] == [] and rec["requests"] == []
    assert tried >= 15 and met == tried


def test_lost_requests_are_counted_retried_then_the_next_interferer_is_asked():
    g = np.array([[10.0, 5.0, 3.0], [0.1, 8.0, 0.1], [0.1, 0.1, 8.0]])
    loss = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]  # every message 0 -> 1 is lost
    views = _views([2.0, 0, 0], [None] * 3)
    p, rec, counted = close_floors(  # the requests alone (link 0's floor stays out of reach:
        g,
        [1.0, 1.0, 1.0],
        1.0,
        1.0,
        views,
        _everyone(3),
        loss,
        yield_rounds=0,
        admit=False,  # admission control would give it up, tests/test_admission.py)
    )
    to = [q["to"] for q in rec["requests"]]
    assert to[:RETRIES] == [1] * RETRIES and 2 in to[RETRIES:]
    assert counted["lost"] == RETRIES and counted["sent"] == len(to) == rec["messages"]
    assert counted["bytes"] == sum(q["bytes"] for q in rec["requests"])
    assert p[1] == 1.0 and p[2] < 1.0


def test_without_floors_or_caps_the_plan_is_untouched():
    g = np.eye(3) + 0.1
    p, rec, counted = close_floors(g, [0.1, 0.2, 0.3], 1.0, 1.0, _views([0] * 3, [None] * 3),
                                   _everyone(3), NO_LOSS)  # fmt: skip
    assert rec is None and counted == {} and list(p) == [0.1, 0.2, 0.3]


def test_llm_planner_closes_its_floor_and_counts_the_requests(model):
    """The real model plans a 3-link d2d slot with a floor and a cap; the team's own loop meets
    the floor (feasible here), and its requests are in the team's message accounting."""
    from wireless_agents.environment import make_env

    env = make_env("d2d", n_agents=3, seed=1)
    obs, infos = env.reset(seed=1)
    g = np.asarray(env.gains, dtype=float)
    cons = {"min_rate": np.array([0.0, 4.0, 0.0]), "max_power_frac": np.array([0.5, 1.0, 1.0])}
    ok, _ = feasibility(g[None], np.full((1, 3), env.noise), np.full((1, 3), env.p_max),
                        cons["min_rate"][None])  # fmt: skip
    assert ok[0]
    planner = LLMPlanner(model, TeamConfig(rounds=1, max_tokens=32, tools=()))
    ctx = {"obs": obs, "infos": infos, "slot": 0, "seed": 1}
    tp = planner.plan_detailed(g, env.p_max, env.noise, cons, context=ctx)
    rec = tp.floor_control
    assert rec is not None and len(rec["before"]) == 3
    r = rates(g, tp.powers, env.noise)
    assert r[1] >= 4.0 - 1e-6 and tp.powers[0] <= 0.5 * env.p_max * (1 + 1e-9)
    assert tp.channel["floor_requests"] == len(rec["requests"]) == rec["floor_messages"]
    assert tp.channel["yield_messages"] == rec["yield_messages"]
    priced = rec.get("pricing", {}).get("messages", 0)  # the rebalancing's prices and reports
    assert rec["messages"] == rec["floor_messages"] + rec["yield_messages"] + priced
    sizes = [message_bytes({"from": 0}) < q["bytes"] for q in rec["requests"]]
    assert all(sizes) and tp.channel["floor_bytes"] == sum(q["bytes"] for q in rec["requests"])
    assert tp.channel["sent"] >= rec["messages"]
    # validation is a node of the decide graph: its record comes just before the one commit,
    # whose plan is the validated powers with the loop's messages counted
    fc, plan = tp.events[-2:]
    assert fc["type"] == "floor_control" and plan["type"] == "plan"
    assert plan["powers"] == tp.powers.tolist() and plan["channel"] == tp.channel
    assert _plain(rec) and _plain(tp.channel) and _plain(fc)


def test_a_link_yields_when_its_silence_is_worth_more_to_the_links_it_disturbs():
    """Link 2 gets little (weak direct gain) and drowns links 0 and 1: their offers exceed its
    rate, it goes silent. Link 1 has a floor and never yields; offers and announcements are
    counted as control-channel messages (yielding alone: no pricing rounds, see test_pricing)."""
    from wireless_agents.planners.coordination.yielding import offers

    g = np.array([[1e4, 1.0, 50.0], [1.0, 1e4, 50.0], [1.0, 1.0, 2.0]])
    views = _views([0, 1.0, 0], [None] * 3)
    p, rec, counted = close_floors(g, [1.0, 1.0, 1.0], 1.0, 1.0, views, _everyone(3), NO_LOSS,
                                   price_rounds=0)  # fmt: skip
    assert rec["yielded"] == [2] and p[2] == 0.0 and p[0] == 1.0 and p[1] == 1.0
    assert _plain(rec) and _plain(counted)
    assert rates(g, p, 1.0).sum() > rates(g, np.ones(3), 1.0).sum()
    assert rec["yield_messages"] > 0 and rec["floor_messages"] == 0
    assert counted["sent"] == rec["messages"] == rec["yield_messages"]
    assert counted["bytes"] == rec["bytes"] == rec["yield_bytes"] > 0
    # the offers are each receiver's own: row i changes only with link i's measurements
    from wireless_agents.planners.coordination.minislot import Medium

    m = Medium(g, 1.0, _everyone(3)).measure(np.ones(3))
    before = offers(m, np.ones(3))
    m.ipn[2] *= 3.0
    m.rx[2] *= 2.0
    after = offers(m, np.ones(3))
    np.testing.assert_array_equal(before[:2], after[:2])
    # every offer lost: nobody learns its silence would help, nobody yields
    lost = [[1.0] * 3 for _ in range(3)]
    p, rec, counted = close_floors(g, [1.0, 1.0, 1.0], 1.0, 1.0, views, _everyone(3), lost,
                                   price_rounds=0)  # fmt: skip
    assert rec["yielded"] == [] and counted["lost"] == counted["sent"] > 0


def test_two_rivals_do_not_both_yield():
    """Links 0 and 1 disturb each other equally and both would gain from the other's silence:
    the announcements settle it, one yields, the other keeps the air."""
    g = np.array([[1e3, 1e3], [1e3, 1e3]]) + np.diag([0.0, 1.0])
    views = _views([0, 0], [0.9, None])  # a cap: the closed loop runs
    p, rec, _ = close_floors(g, [0.9, 1.0], 1.0, 1.0, views, _everyone(2), NO_LOSS)
    assert len(rec["yielded"]) == 1 and (p > 0).sum() == 1
