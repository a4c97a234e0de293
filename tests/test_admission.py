"""Admission control in the team's closed loop: when floors cannot all be met together, the
lowest-priority floor (weight x floor) in the conflict is given up, its link says so with an
inform act and goes silent for the slot, and the floors kept are met (real env gains, the real
team graph through the model-free ``tool`` planner)."""

from __future__ import annotations

import numpy as np
from wireless_agents.agents.acts import parse_message
from wireless_agents.environment.metrics import rates
from wireless_agents.planners.coordination.floor_control import close_floors
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.planners.events import check_event

NO_LOSS = [[0.0] * 4 for _ in range(4)]
EVERYONE = [[j for j in range(2) if j != i] for i in range(2)]


def _views(floors, weights=None):
    w = weights or [None] * len(floors)
    goal = "weighted_sum_rate" if weights else None
    return [{"p_max": 1.0, "min_rate": f, "cap": None, "objective": goal, "weight": x}
            for f, x in zip(floors, w, strict=True)]  # fmt: skip


# two links that drown each other: alone each reaches log2(1 + 100) = 6.7 bit/s/Hz, together at
# full power log2(1 + 100 / 51) = 1.6; floors of 3 and 1 bit/s/Hz need SINRs 7 and 1, whose
# product 7 exceeds 1 / (0.5 * 0.5) = 4: no power vector meets both.
G = np.array([[100.0, 50.0], [50.0, 100.0]])


def test_the_lower_priority_floor_is_given_up_and_the_other_met():
    p, rec, counted = close_floors(G, [1.0, 1.0], 1.0, 1.0, _views([3.0, 1.0]), EVERYONE, NO_LOSS)
    r = rates(G, p, 1.0)
    assert r[0] >= 3.0 - 1e-6 and p[1] == 0.0 and rec["dropped"] == [1]
    [first] = rec["admission"]["rounds"]
    assert first["candidates"] == {"0": 3.0, "1": 1.0} and first["dropped"] == [1]
    [inform] = first["informs"]
    [act] = parse_message(inform)
    assert act.act == "inform" and act.reason == "my floor is given up"
    assert rec["admission"]["messages"] > 0 and counted["sent"] >= rec["admission"]["messages"]
    assert rec["messages"] == counted["sent"]


def test_weights_decide_which_floor_goes():
    # weighted sum-rate: link 1 counts 4 times as much, so its 1 bit/s/Hz (priority 4) outranks
    # link 0's 3 bit/s/Hz (priority 3)
    views = _views([3.0, 1.0], weights=[1.0, 4.0])
    p, rec, _ = close_floors(G, [1.0, 1.0], 1.0, 1.0, views, EVERYONE, NO_LOSS)
    assert rates(G, p, 1.0)[1] >= 1.0 - 1e-6 and p[0] == 0.0 and rec["dropped"] == [0]


def test_feasible_floors_run_no_admission():
    p, rec, _ = close_floors(G, [1.0, 1.0], 1.0, 1.0, _views([1.0, 0.5]), EVERYONE, NO_LOSS)
    assert "dropped" not in rec and "admission" not in rec
    r = rates(G, p, 1.0)
    assert r[0] >= 1.0 - 1e-6 and r[1] >= 0.5 - 1e-6


def _episode(seed, constraints, **over):
    s = default_settings(planner="tool", scenario="d2d", agents=5, steps=1, seed=seed, rounds=2,
                         constraints=constraints, **over)  # fmt: skip
    tr = run_episode(s)
    [step] = tr["steps"]
    return step, step["validation"]


def test_tool_team_gives_up_the_gateway_floor_for_the_camera():
    """d2d K=5, seed 372: a camera on link 1 needs 2 bit/s/Hz, a gateway on link 3 keeps 0.3;
    not both can hold. Before admission control the camera sat at its cap at 0.09 bit/s/Hz while
    the gateway held its 0.3 at 2 W; the oracle gives up the gateway's floor."""
    floors = [{"agent": 1, "min_rate": 2.0}, {"agent": 3, "min_rate": 0.3}]
    step, rec = _episode(372, floors)
    assert step["rates"][1] >= 2.0 - 1e-6 and step["constraints_met"] == [True, False]
    assert rec["dropped"] == [3] and step["powers"][3] == 0.0
    [event] = [e for e in step["events"] if e["type"] == "floor_control"]
    assert check_event(event) == "floor_control"  # the new keys are declared


def test_tool_team_keeps_the_emergency_floor_under_its_weight():
    """d2d K=5, seed 382, weighted sum-rate with link 2 at weight 3: the floors of links 0 (0.3,
    capped at 20% of p_max), 2 (1.5) and 4 (1.0) cannot all hold. Before, the emergency line got
    0.35 bit/s/Hz; now the meter's floor goes first and the emergency line's holds."""
    floors = [{"agent": 2, "min_rate": 1.5}, {"agent": 0, "min_rate": 0.3},
              {"agent": 0, "max_power_frac": 0.2}, {"agent": 4, "min_rate": 1.0}]  # fmt: skip
    step, rec = _episode(382, floors, objective="weighted_sum_rate", weights=[1, 1, 3, 1, 1])
    assert step["rates"][2] >= 1.5 - 1e-6 and step["constraints_met"][:3] == [True, False, True]
    assert 2 not in rec["dropped"] and 0 in rec["dropped"]
    assert rec["admission"]["rounds"][0]["dropped"] == [0]


def test_a_cap_of_zero_beside_the_devices_own_floor_is_not_applied():
    """The model read "I can turn down for a neighbour who asks, as long as I keep 0.3 bit/s/Hz"
    as a cap of 0 ("off") and a floor of 0.3: a silent link meets no floor, so the floor stands."""
    from wireless_agents.agents.profile import Profile

    read = [{"kind": "max_power_frac", "value": 0.0, "raw": "", "note": "", "tokens": 1,
             "seconds": 0.0},
            {"kind": "min_rate", "value": 0.3, "raw": "", "note": "", "tokens": 1,
             "seconds": 0.0}]  # fmt: skip
    prof = Profile(3, "gateway", "model", read)
    assert prof.max_power_frac is None and prof.constraints() == [{"agent": 3, "min_rate": 0.3}]
    sensor = Profile(4, "sensor", "model", [{**read[0], "value": 0.3}, read[1]])
    assert sensor.max_power_frac == 0.3  # a real cap beside a floor stays
    off = Profile(2, "off", "model", [read[0]])
    assert off.max_power_frac == 0.0  # a cap of 0 alone is what it says
