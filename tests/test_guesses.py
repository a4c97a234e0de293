"""Guessed answers checked in one batch by the llama.cpp backend: the model's answer, token for
token, whatever the guess; a right guess costs one decode instead of one per token."""

from __future__ import annotations

import json

import pytest
from wireless_agents.agents.backends.base import GenerationConfig
from wireless_agents.agents.backends.llama import LlamaCppBackend
from wireless_agents.agents.prompts import (
    DECIDE,
    SYSTEM_TOOLS,
    answer_guess,
    decision_schema,
    power_text,
    tool_turns,
)

USER = (
    "Slot 2. I am link 3. My channel gain -88.4 dB. Last slot: power 0.40 of max, SINR 6.1 dB, "
    "rate 2.31 bit/s/Hz. Interference+noise -101.2 dBm (noise -114.0 dBm)."
)
RESULT = {"suggested_power": 0.35, "rate": 2.5, "neighbourhood": 4}
CHAT = [
    {"role": "system", "content": SYSTEM_TOOLS},
    {"role": "user", "content": USER},
    *tool_turns("local_wmmse", RESULT, DECIDE),
]


def _call(model, draft: str, guesses: bool = True):
    """One decision call on a cold cache: the completion and the decode batches it ran."""
    model.guesses = guesses
    model.llama.reset()  # nothing cached: every variant computes the same prompt
    before = model.decodes
    try:
        out = model.chat(CHAT, schema=decision_schema(), config=GenerationConfig(max_tokens=40,
                         draft=draft))  # fmt: skip
    finally:
        model.guesses = True
    return out, model.decodes - before


@pytest.fixture
def plain(model):
    assert isinstance(model, LlamaCppBackend)
    return _call(model, "", guesses=False)


def test_a_right_guess_gives_the_same_answer_in_one_decode(model, plain):
    out, steps = plain
    assert steps == 1 + out.completion_tokens  # the prompt, then one step per token
    guessed, one = _call(model, out.text)
    assert guessed.text == out.text
    assert guessed.completion_tokens == out.completion_tokens
    assert one == 1  # prompt and answer in one batch, the end read from its last logits
    assert guessed.evaluated == out.evaluated


@pytest.mark.parametrize("wrong", ["tail", "head"])
def test_a_wrong_guess_changes_no_token_of_the_answer(model, plain, wrong):
    out, steps = plain
    answer = json.loads(out.text)
    if wrong == "tail":  # the right power, another reason: kept up to the reason
        guess = json.dumps({"power": answer["power"], "reason": "zz nothing like it"})
    else:  # wrong from the first token on
        guess = '{ "reason": "zz", "power": "0.999"}'
    guessed, n = _call(model, guess)
    assert guessed.text == out.text
    assert guessed.completion_tokens == out.completion_tokens
    assert guessed.evaluated > out.evaluated  # the guessed tokens it dropped were computed
    if wrong == "tail":
        assert n < steps


def test_guesses_off_or_sampled_calls_generate_token_by_token(model, plain):
    out, steps = plain
    off, n = _call(model, out.text, guesses=False)
    assert (off.text, n) == (out.text, steps)


def test_the_guess_is_the_system_prompts_example_with_the_tools_power():
    assert power_text(0.0) == "0.0" and power_text(1.0) == "1.0" and power_text(0.35) == "0.35"
    assert power_text(0.3472) == "0.347" and power_text(1.2) == "1.0"
    assert answer_guess(RESULT) == '{"power": "0.35", "reason": "my tool suggests it"}'
    assert answer_guess(RESULT, answer=True).startswith('{"answer": "grant", "power": "0.35"')
    assert answer_guess({"rate": 1.0}) == "" and answer_guess(None) == ""
    assert '"reason": "my tool suggests it"}' in SYSTEM_TOOLS  # the example it follows


def test_an_agent_taking_its_tools_power_decides_in_one_decode(model, view):
    """The quick start's decision (one tool, called by the agent itself): the model takes the
    tool's power with the example's reason, as the agent guessed, so the whole answer is
    checked in the prompt's batch; without guesses the same answer takes a step per token."""
    from wireless_agents.agents.agent import AgentConfig, EdgeAgent

    runs = []
    for guesses in (False, True):
        model.guesses = guesses
        model.llama.reset()
        before = model.decodes
        try:
            d = EdgeAgent(0, model, AgentConfig(tools=("local_wmmse",))).decide(view, slot=1)
        finally:
            model.guesses = True
        runs.append((d, model.decodes - before))
    (off, steps), (on, one) = runs
    assert on.raw == off.raw and on.power == off.power and on.message == off.message
    assert off.fallback is None and len(on.calls) == 1
    assert on.raw[0] == answer_guess(on.tool_calls[0]["result"])
    assert (one, steps) == (1, 1 + off.calls[0].completion_tokens)


def test_an_agent_answering_requests_guesses_nothing(model, view):
    """With requests to answer the model weighs its profile: no guess, a step per token."""
    from wireless_agents.agents.acts import Act
    from wireless_agents.agents.agent import AgentConfig, EdgeAgent

    agent = EdgeAgent(0, model, AgentConfig(tools=("local_wmmse",)))
    agent.profile_text = "I carry the emergency line and I refuse any request to lower my power."
    model.llama.reset()
    before = model.decodes
    d = agent.decide(view, slot=1, requests=[(2, Act("request", 0, "lower", 0.4, "my floor"))])
    assert d.fallback is None and len(d.calls) == 1
    assert model.decodes - before == 1 + d.calls[0].completion_tokens
