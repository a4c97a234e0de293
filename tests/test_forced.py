"""Forced decisions (``skip_forced``): with nothing for language to settle the agent takes its
tool's power with no model call, says so, and the plan and messages are the model's own."""

from __future__ import annotations

import dataclasses

from wireless_agents.agents.acts import Act
from wireless_agents.agents.agent import AgentConfig, EdgeAgent
from wireless_agents.planners.episode import default_settings, run_episode

TOOL = ("local_wmmse",)


def test_forced_decision_is_the_models_own_without_a_call(model, view):
    asked = EdgeAgent(0, model, AgentConfig(tools=TOOL)).decide(view, slot=1)
    agent = EdgeAgent(0, model, AgentConfig(tools=TOOL, skip_forced=True))
    forced = agent.decide(view, slot=1)
    assert not asked.forced and len(asked.calls) == 1
    assert forced.forced and forced.calls == [] and forced.raw == [] and forced.tokens == 0
    assert forced.fallback is None and forced.as_event()["forced"] is True
    # the model, asked, took the tool's power and wrote the same words
    assert (forced.power, forced.message) == (asked.power, asked.message)
    # a request to answer is language to settle: the model is asked
    req = [(1, Act("request", 0, "lower", 0.2, "my floor is missed"))]
    answered = agent.decide(view, slot=1, requests=req)
    assert not answered.forced and len(answered.calls) == 1


def test_what_leaves_language_something_to_settle(model, view):
    agent = EdgeAgent(0, model, AgentConfig(tools=TOOL, skip_forced=True))
    ok = {"suggested_power": 0.4}
    assert agent.forced(view, [], ok)
    req = [(1, Act("request", 0, "silence"))]
    assert not agent.forced(view, req, ok)
    for change in ({"min_rate": 1.0}, {"cap": 0.5 * view.p_max}, {"objective": "max_min"},
                   {"weight": 2.0}):  # fmt: skip
        assert not agent.forced(dataclasses.replace(view, **change), [], ok), change
    # a suggestion above the cap, or none at all
    assert not agent.forced(view, [], {"suggested_power": 1.5})
    assert not agent.forced(view, [], {"suggested_power": None})
    agent.profile_text = "I am a sensor: at most 30% of my power."
    assert not agent.forced(view, [], ok)
    agent.profile_text, agent.operator_intent = None, "Link 0 needs at least 1 bit/s/Hz."
    assert not agent.forced(view, [], ok)


def test_episode_counts_forced_decisions_and_keeps_the_plan(model):
    s = dict(agents=4, steps=2, seed=0)
    asked = run_episode(default_settings(**s), backend=model)
    forced = run_episode(default_settings(**s, skip_forced=True), backend=model)
    assert forced["settings"]["skip_forced"] is True
    assert "skip_forced" not in asked["settings"]  # the default run's settings as before
    m, f = asked["summary"], forced["summary"]
    n = sum(len(x["decisions"]) for x in forced["steps"])
    assert m["forced_decisions"] == 0 and m["llm_calls"] == n
    # every decision of the quick-start team is forced: no model call at all
    assert f["forced_decisions"] == n and f["llm_calls"] == 0 and f["llm_tokens"] == 0
    plan = [[(d["power"], d["message"]) for d in x["decisions"]] for x in asked["steps"]]
    assert plan == [[(d["power"], d["message"]) for d in x["decisions"]] for x in forced["steps"]]
    assert f["ratio_to_wmmse"] == m["ratio_to_wmmse"]
