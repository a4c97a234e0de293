"""Prompts and narrowed grammars for what the network optimizes: a link's weight and the
network objective (the constraint prompt is :mod:`.prompt`, left as it was so constraint
sentences read exactly as before).

Same approach as constraints: a stable prompt prefix of a system prompt and few-shot turns
(written apart from every phrasing set in ``agents/data/``), and an answer grammar narrowed to
what the sentence names: for a weight, ``{"agent": <an id it names>, "value": "<a number it
contains>"}``; for the objective, ``{"goal": <the label of one of the objectives it names>}``
(:data:`OBJECTIVE_LABELS`, plain words: "most data", "fairness", "least power", "weighted
total"; the reader narrows the labels, see :mod:`.reader`).
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
# the words the model answers with for each objective: plain words a tiny model can match to
# the sentence's meaning (on a scratch list of 21 goal sentences, SmolLM2-135M choosing among all
# four picked 11 right with these labels, 6 with the objective names, 3 with the names and a
# longer system prompt)
OBJECTIVE_LABELS = {
    "sum_rate": "most data",
    "weighted_sum_rate": "weighted total",
    "max_min": "fairness",
    "min_power": "least power",
}
OBJECTIVE_SYSTEM = (
    'You name the goal of a request about a radio network: "most data" (throughput, capacity, '
    'traffic), "fairness" (equal rates, the worst or slowest link), "least power" (energy, '
    'battery) or "weighted total" (links with weights or priorities).'
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
    """``{"goal": <the label of one of names>}`` (:data:`OBJECTIVE_LABELS`)."""
    return {
        "type": "object",
        "properties": {"goal": {"enum": [OBJECTIVE_LABELS[n] for n in names]}},
        "required": ["goal"],
        "additionalProperties": False,
    }


def decode_objective(answer) -> str | None:
    """The objective an answer ``{"goal": <label>}`` names, or None."""
    label = answer.get("goal") if isinstance(answer, dict) else None
    return next((n for n, lab in OBJECTIVE_LABELS.items() if lab == label), None)


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
        msgs.append({"role": "assistant", "content": json.dumps({"goal": OBJECTIVE_LABELS[name]})})
    return [*msgs, {"role": "user", "content": text}]


def as_completion(messages: list[dict]) -> str:
    """The same turns as a plain few-shot transcript, for base models."""
    lines = [messages[0]["content"], ""]
    for m in messages[1:]:
        lines.append(f"{'Request' if m['role'] == 'user' else 'JSON'}: {m['content']}")
    return "\n".join([*lines, "JSON: "])
