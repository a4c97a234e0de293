"""Greedy sampling under a grammar, top token first (agents/backends/greedy.py): the same
answers as llama-cpp-python's full chain over the vocabulary, with the grammar consulted for one
token where the top token is allowed and the full chain run where it is refused."""

from __future__ import annotations

import json

import pytest
from wireless_agents.agents.backends.base import GenerationConfig
from wireless_agents.agents.backends.llama import LlamaCppBackend
from wireless_agents.agents.prompts import DECIDE, SYSTEM_TOOLS, decision_schema, tool_turns

USER = "Slot 4. I am link 1. My channel gain -92.3 dB. Last slot: power 0.20 of max."
REFUSING = {  # the model left free would write prose; the grammar refuses its first words
    "type": "object",
    "properties": {"colour": {"enum": ["teal", "amber"]}},
    "required": ["colour"],
    "additionalProperties": False,
}


def _chat(model, greedy_first: bool, schema: dict, tool_result: dict | None = None):
    model.greedy_first = greedy_first
    model.llama.reset()
    chat = [{"role": "system", "content": SYSTEM_TOOLS}, {"role": "user", "content": USER}]
    if tool_result is not None:
        chat += tool_turns("local_wmmse", tool_result, DECIDE)
    top, full = model.sampling.top, model.sampling.full
    try:
        out = model.chat(chat, schema=schema, config=GenerationConfig(max_tokens=40))
    finally:
        model.greedy_first = True
    return out.text, model.sampling.top - top, model.sampling.full - full


@pytest.mark.parametrize("power", [0.35, 0.0071])
def test_top_token_first_writes_the_full_chains_answer(model, power):
    assert isinstance(model, LlamaCppBackend)
    result = {"suggested_power": power, "rate": 1.5, "neighbourhood": 3}
    text, top, full = _chat(model, False, decision_schema(), result)
    assert top == 0 and full > 0  # switched off: every position through the full chain
    fast, top, full = _chat(model, True, decision_schema(), result)
    assert fast == text
    assert top > full  # most positions: the top token was allowed


def test_a_refused_top_token_falls_back_to_the_full_chain(model):
    text, _, _ = _chat(model, False, REFUSING)
    fast, top, full = _chat(model, True, REFUSING)
    assert fast == text and json.loads(fast)["colour"] in ("teal", "amber")
    assert full >= 1  # at least one position the top token broke the grammar


def test_sampled_calls_keep_the_full_chain(model):
    model.llama.reset()
    full = model.sampling.full
    model.chat([{"role": "user", "content": USER}], schema=decision_schema(),
               config=GenerationConfig(max_tokens=24, temperature=0.7, seed=3))  # fmt: skip
    assert model.sampling.full - full > 0
