"""The edge agent with the real bundled model: decisions, tools, limits and fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
from wireless_agents.agents.acts import REASON_CHARS, parse_message
from wireless_agents.agents.agent import OWN_FLOOR_REASON, AgentConfig, EdgeAgent
from wireless_agents.agents.memory import Memory
from wireless_agents.agents.models import load_model
from wireless_agents.agents.perception import perceive
from wireless_agents.environment import make_env
from wireless_agents.tools import LocalView


@pytest.fixture(scope="module")
def views():
    """Local views of 3 d2d links after one full-power slot."""
    env = make_env("d2d", n_agents=3, seed=0)
    env.reset()
    obs, _, _, _, infos = env.step(env.actions_from_powers(np.full(3, env.p_max)))
    return [
        LocalView.from_observation(
            i, obs[f"agent_{i}"], infos[f"agent_{i}"]["neighbours"], env.p_max, env.noise
        )
        for i in range(3)
    ]


def test_decision_with_tool_is_valid_and_recorded(model, views):
    v = views[0]
    d = EdgeAgent(0, model, AgentConfig(tools=("wmmse_step",))).decide(v, slot=1)
    assert d.fallback is None, d.raw
    assert 0.0 <= d.power <= v.p_max
    assert d.tool_calls and d.tool_calls[0]["tool"] == "wmmse_step"
    assert "suggested_power" in d.tool_calls[0]["result"]
    acts = parse_message(d.message)  # the message is acts: an inform of the power it chose
    assert (
        acts
        and acts[-1].act == "inform"
        and acts[-1].amount == pytest.approx(d.power / v.p_max, abs=1e-3)
    )
    assert all(len(a.reason) <= REASON_CHARS for a in acts)
    # one tool offered: the agent calls it, the model decides in one call, whose prompt gives
    # the result as a sentence (the compact layout, the default) ...
    assert d.tokens > 0 and d.model_seconds > 0 and len(d.calls) == 1
    chat = d.requests[0][0]
    assert "My tool wmmse_step:" in chat[0]["content"]
    assert "\nMy tool suggests power " in chat[-1]["content"]
    # ... or shows the call it was bound to make and its result (the full layout)
    full = EdgeAgent(0, model, AgentConfig(tools=("wmmse_step",), prompt="full")).decide(v, slot=1)
    chat = full.requests[0][0]
    assert chat[-2] == {"role": "assistant", "content": '{"tool": "wmmse_step"}'}
    assert chat[-1]["content"].startswith('Result: {"suggested_power"')
    assert 0 < d.tokens_evaluated <= d.tokens
    assert d.note.sender == 0 and d.note.power == d.power
    ev = d.as_event()
    assert ev["agent"] == 0 and ev["tool_calls"][0]["tool"] == "wmmse_step"
    # the old path: the model calls the tool itself, two calls
    old = EdgeAgent(0, model, AgentConfig(tools=("wmmse_step",), direct_tool=False)).decide(
        v, slot=1
    )
    assert len(old.calls) == 2 and old.tool_calls[0]["tool"] == "wmmse_step"


def test_same_seed_temperature_zero_same_decision(model, views):
    cfg = AgentConfig(tools=("best_response",))
    a = EdgeAgent(1, model, cfg).decide(views[1], slot=1)
    b = EdgeAgent(1, model, cfg).decide(views[1], slot=1)
    assert a.raw == b.raw and a.power == b.power and a.message == b.message


def test_tools_off_decides_in_one_call(model, views):
    d = EdgeAgent(2, model, AgentConfig(tools=())).decide(views[2], slot=1)
    assert len(d.calls) == 1 and not d.tool_calls
    assert 0.0 <= d.power <= views[2].p_max


def test_cap_is_enforced_whatever_the_model_says(model, views):
    import dataclasses

    v = dataclasses.replace(views[0], cap=0.2 * views[0].p_max)
    d = EdgeAgent(0, model, AgentConfig(tools=())).decide(v, slot=1)
    assert d.power <= 0.2 * v.p_max + 1e-12


def test_answer_cut_short_falls_back_to_last_power(model, views):
    # 3 tokens cannot hold a decision: the real model's answer is unparsable.
    d = EdgeAgent(0, model, AgentConfig(tools=(), max_tokens=3)).decide(views[0], slot=1)
    assert d.fallback and "unparsable" in d.fallback
    assert d.power == pytest.approx(views[0].last_power)
    assert "fallback" in d.message


def test_dead_model_server_falls_back_and_run_goes_on(views):
    dead = load_model("http://127.0.0.1:9/v1", timeout=2.0, probe=False)
    import dataclasses

    fresh = dataclasses.replace(views[1], last_power=0.0)
    d = EdgeAgent(1, dead, AgentConfig()).decide(fresh, slot=1)
    assert d.fallback.startswith("model error")
    assert d.power == pytest.approx(0.5 * fresh.p_max)  # conservative default with no last power
    assert dead.usage.errors >= 1


def test_base_model_is_prompted_as_a_transcript(views):
    gemma = load_model("gemma3")
    assert not gemma.is_chat
    d = EdgeAgent(0, gemma, AgentConfig(tools=())).decide(views[0], slot=1)
    assert 0.0 <= d.power <= views[0].p_max
    assert d.calls[0].prompt_tokens > 0


def test_perception_names_units_and_rounds():
    v = LocalView(
        agent=3, p_max=2.0, noise=1e-14, direct_gain=1e-9, interference_plus_noise=1e-12,
        last_power=1.0, last_sinr=3.0, last_rate=2.0, neighbours=(1,), neighbour_gains=(1e-10,),
        neighbour_rx_last=(1e-13,), min_rate=1.5, cap=0.5,
    )  # fmt: skip
    text = perceive(v, slot=7)
    assert "Slot 7. I am link 3." in text
    assert "-90.0 dB" in text and "0.50 of max" in text and "4.8 dB" in text
    assert "-90.0 dBm" in text and "link 1 -100.0 dBm" in text
    assert "min rate 1.5 bit/s/Hz" in text and "at most 0.25 of max" in text


def test_memory_is_bounded_and_summarized():
    m = Memory(slots=3, messages=2)
    for t in range(5):
        m.record(t, 0.1 * t, float(t))
        m.hear(t, f"msg {t}")
    assert [r.slot for r in m.records] == [2, 3, 4]
    assert m.heard == [(3, "msg 3"), (4, "msg 4")]
    assert m.summary() == "Past powers 0.20, 0.30, 0.40; rates 2.00, 3.00, 4.00 (avg 3.00)."


def test_refusals_are_remembered_for_the_memorys_slots_and_survive_a_resume():
    """A link that refused an agent stays refused for ``slots`` slots (the agent asks the next
    one at once, not the refuser again every slot), and the memory's JSON keeps it."""
    from wireless_agents.planners.coordination.team import Team, TeamConfig
    from wireless_agents.planners.episode.trace import refused_by

    m = Memory(slots=3)
    m.refused(2, slot=1)
    m.refused(4, slot=3)
    assert m.recent_refusers(1) == [] and m.recent_refusers(2) == [2]
    assert m.recent_refusers(4) == [2, 4] and m.recent_refusers(5) == [4]  # 2 forgotten after 3
    events = [{"type": "sense", "hears": []},
              {"type": "proposal", "agent": 2, "acts": [
                  {"act": "refuse", "to": 0, "kind": "lower", "amount": None, "reason": "no"},
                  {"act": "inform", "to": None, "kind": None, "amount": 0.5, "reason": ""}]},
              {"type": "proposal", "agent": 3, "acts": [
                  {"act": "grant", "to": 1, "kind": "lower", "amount": 0.1, "reason": ""},
                  {"act": "refuse", "to": 4, "kind": "lower", "amount": None,
                   "reason": OWN_FLOOR_REASON}]}]  # fmt: skip
    assert refused_by(events) == {0: [2]}  # a refusal for the refuser's own floor is situational
    team = Team(3, None, TeamConfig(decider="rule"))
    team.agents[0].remember(5, 0.5, 1.0, refused_by=[2])
    saved = team.export_memory()
    assert saved["0"]["refused_by"] == [[2, 5]] and "refused_by" not in saved["1"]
    again = Team(3, None, TeamConfig(decider="rule"))
    again.import_memory(saved)
    assert again.agents[0].memory.recent_refusers(6) == [2]
