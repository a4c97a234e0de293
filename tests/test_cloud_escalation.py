"""Escalation to the cloud never makes the plan worse for the devices that did not escalate.

No model: the cloud runs its solver only (``--cloud-model solver``); the team, its cloud node and
the solver are the real ones, the slot's reports are built from a known gain matrix.
"""

from __future__ import annotations

import numpy as np
from langgraph.runtime import Runtime
from wireless_agents.planners.api import solve_detailed
from wireless_agents.planners.coordination import Team, TeamConfig
from wireless_agents.planners.coordination.cloud import escalate
from wireless_agents.planners.coordination.coordinator import partial_problem
from wireless_agents.planners.coordination.state import view_to_dict
from wireless_agents.tools import LocalView

P_MAX, NOISE = 1.0, 1e-3
# G[i, j]: gain from transmitter j to receiver i. Link 0 is weak and its transmitter drowns
# receiver 1; link 1 barely hears anyone else; link 2 is on its own.
G = np.array(
    [
        [0.1, 0.01, 0.0],
        [1.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
    ]
)


def _rates(p):
    sig = np.diag(G) * p
    return np.log2(1.0 + sig / (NOISE + G @ p - sig))


def _cold_state(proposal):
    """The first slot (nobody transmitted yet: every receiver measured noise alone); the team
    proposed ``proposal`` (W); link 0 was still moving when the round budget ran out."""
    views = []
    for i in range(3):
        nb = [j for j in range(3) if j != i and G[i, j] > 0]
        v = LocalView(
            agent=i, p_max=P_MAX, noise=NOISE, direct_gain=float(G[i, i]),
            interference_plus_noise=NOISE, neighbours=tuple(nb),
            neighbour_gains=tuple(float(G[i, j]) for j in nb),
            neighbour_rx_last=tuple(0.0 for _ in nb),
        )  # fmt: skip
        views.append(view_to_dict(v))
    hears = [[1], [0], []]
    moved = [P_MAX - proposal[0], proposal[1], proposal[2]]
    return {
        "slot": 0,
        "p_max": P_MAX,
        "views": views,
        "hears": hears,
        "agreed": False,
        "settings": {"tol": 0.02},
        "rounds_powers": [moved, list(proposal)],
        "proposals": {str(i): {"power": float(proposal[i]), "floor_ok": True} for i in range(3)},
        "channel": {"cloud_requests": 0, "cloud_bytes": 0, "cloud_seconds": 0.0},
    }


def _escalate(state):
    """The decide graph's escalate node on ``state``, run with a 3-agent team's context (no
    cloud model: the solver alone)."""
    team = Team(3, backend=None, config=TeamConfig(cloud=True, tools=()))
    return escalate(state, Runtime(context=team.context))


def test_old_partial_problem_harms_the_victim_and_the_cloud_now_does_not():
    team_plan = np.array([0.0, P_MAX, P_MAX])  # what WMMSE does here: link 0 off
    state = _cold_state(team_plan)
    # the old request: link 0's report alone; receiver 1 is nowhere in the problem
    g, nz, mins, caps = partial_problem({0: state["views"][0]}, [0], state["proposals"])
    old = team_plan.copy()
    old[0] = solve_detailed(g, 1.0, nz, algo="wmmse", max_power=caps).powers[0] * P_MAX
    assert old[0] > 0.5 * P_MAX  # switched link 0 back on ...
    assert _rates(old)[1] < 0.5 * _rates(team_plan)[1]  # ... and drowned link 1
    assert _rates(old).sum() < _rates(team_plan).sum() - 1.0

    out = _escalate(state)
    new = np.array([out["proposals"][str(i)]["power"] for i in range(3)])
    assert np.all((new >= 0) & (new <= P_MAX))
    assert _rates(new)[1] >= _rates(team_plan)[1] - 1e-9
    assert _rates(new).sum() >= _rates(team_plan).sum() - 1e-9
    (req,) = out["escalation"]["requests"]
    assert req["agents"] == [0] and req["victims"] == [1]  # receiver 1 lists link 0
    # the pulled report rides in the one request and counts in its bytes on the edge/cloud link
    assert out["channel"]["cloud_requests"] == 1 and req["pull_bytes"] > 0
    assert req["request_bytes"] > req["pull_bytes"]
    assert out["channel"]["cloud_bytes"] == req["request_bytes"] + req["answer_bytes"]


def test_cloud_still_improves_a_bad_team_plan():
    # the team left link 0 at full power and link 1 at a tenth: the cloud, with link 1's rate
    # in its objective, does better than that on what it was told
    team_plan = np.array([P_MAX, 0.1 * P_MAX, P_MAX])
    state = _cold_state(team_plan)
    out = _escalate(state)
    (req,) = out["escalation"]["requests"]
    assert not req["estimate"]["kept_team"]
    new = np.array([out["proposals"][str(i)]["power"] for i in range(3)])
    assert new[1] <= 0.1 * P_MAX + 1e-12  # a victim may be lowered, never raised
    assert _rates(new).sum() > _rates(team_plan).sum() + 0.5
