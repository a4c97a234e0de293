"""Prompts and narrowed grammars for what the network optimizes: a link's weight and the
network objective (the constraint prompt is :mod:`.prompt`, left as it was so constraint
sentences read exactly as before).

Same approach as constraints: a stable prompt prefix of a system prompt and few-shot turns
(written apart from every phrasing set in ``agents/data/``), and an answer grammar narrowed to
what the sentence names: for a weight, ``{"agent": <an id it names>, "value": "<a number it
contains>"}``; for the objective, ``{"objective": <one of the objectives it names>}`` (every
objective of :data:`environment.objectives.OBJECTIVES` when its words name none).
"""

from __future__ import annotations

import json

from wireless_agents.environment.objectives import OBJECTIVES

WEIGHT_SYSTEM = (
    "You read how much a radio link counts compared with the others. "
    '"agent" is the number of the link, user, device or transmitter named. '
    '"value" is how many times it counts.'
)
# (sentence, agent, value); never sentences of agents/data/intent_phrasings*.yaml
WEIGHT_SHOTS: tuple[tuple[str, int, str], ...] = (
    ("Node 8 is 3 times as important as the others.", 8, "3"),
    ("Weigh device 1 at 2.5 when you add up rates.", 1, "2.5"),
    ("agent_4 counts for 0.25 of a normal link.", 4, "0.25"),
)
OBJECTIVE_SYSTEM = (
    "You name the goal of a request about a radio network. "
    '"objective" is "sum_rate" for the most total data, "weighted_sum_rate" for a total with '
    'priority weights, "max_min" for fairness and the slowest link, "min_power" for the least '
    "power or energy."
)
# (sentence, objective); never sentences of agents/data/intent_phrasings*.yaml
OBJECTIVE_SHOTS: tuple[tuple[str, str], ...] = (
    ("Push as much data through the cell as possible.", "sum_rate"),
    ("Every device deserves an equal share of the spectrum.", "max_min"),
    ("Conserve battery across the whole deployment.", "min_power"),
    ("Optimize throughput using each link's priority weight.", "weighted_sum_rate"),
)


def weight_schema(ids, values) -> dict:
    """``{"agent": <one of ids>, "value": <one of values>}`` (values: decimal strings)."""
    return {
        "type": "object",
        "properties": {
            "agent": {"enum": sorted({int(a) for a in ids})},
            "value": {"enum": list(values)},
        },
        "required": ["agent", "value"],
        "additionalProperties": False,
    }


def objective_schema(names=OBJECTIVES) -> dict:
    """``{"objective": <one of names>}``."""
    return {
        "type": "object",
        "properties": {"objective": {"enum": list(names)}},
        "required": ["objective"],
        "additionalProperties": False,
    }


def weight_messages(text: str) -> list[dict]:
    """System prompt, the weight few-shot turns, then ``text``."""
    msgs = [{"role": "system", "content": WEIGHT_SYSTEM}]
    for shot, agent, value in WEIGHT_SHOTS:
        msgs.append({"role": "user", "content": shot})
        msgs.append({"role": "assistant", "content": json.dumps({"agent": agent, "value": value})})
    return [*msgs, {"role": "user", "content": text}]


def objective_messages(text: str) -> list[dict]:
    """System prompt, the objective few-shot turns, then ``text``."""
    msgs = [{"role": "system", "content": OBJECTIVE_SYSTEM}]
    for shot, name in OBJECTIVE_SHOTS:
        msgs.append({"role": "user", "content": shot})
        msgs.append({"role": "assistant", "content": json.dumps({"objective": name})})
    return [*msgs, {"role": "user", "content": text}]


def as_completion(messages: list[dict]) -> str:
    """The same turns as a plain few-shot transcript, for base models."""
    lines = [messages[0]["content"], ""]
    for m in messages[1:]:
        lines.append(f"{'Request' if m['role'] == 'user' else 'JSON'}: {m['content']}")
    return "\n".join([*lines, "JSON: "])
