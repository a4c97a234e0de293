"""The model's answer: its JSON schema (the grammar it is decoded under) and its decoding.

The answer is ``{"agent": <id>, "value": "<decimal>", "unit": "bit/s/Hz" | "power"}`` or
``{"agent": <id>, "value": "off"}``: the model labels the number with a unit it can mostly copy
from the text, and Python maps the unit to the constraint kind (:data:`UNIT_KINDS`); ``"off"``
(silent, turn off, mute) stands for ``max_power_frac`` 0.
"""

from __future__ import annotations

import json

from .intent import IntentError

# the unit the model writes after the number -> the constraint kind it stands for
UNIT_KINDS = {"bit/s/Hz": "min_rate", "power": "max_power_frac"}
OFF = "off"
# A decimal with at most 3 integer and 4 fraction digits, as a JSON string: a free JSON number
# lets a tiny model write digits until it runs out of tokens.
VALUE_PATTERN = r"^(0|[1-9][0-9]{0,2})([.][0-9]{1,4})?$"


def intent_schema(agent_ids, values=None, units=tuple(UNIT_KINDS), off: bool = True) -> dict:
    """The answer's JSON schema, fields in the order the model writes them.

    ``{"agent": <id>, "value": "<decimal>", "unit": "bit/s/Hz" | "power"}`` or
    ``{"agent": <id>, "value": "off"}``; ``agent`` is an enum of ``agent_ids``. With ``values``
    (decimal strings, see :func:`~.mentions.candidates`) the value is an enum of those instead of
    any decimal; an empty ``values`` leaves only ``"off"``. ``units`` narrows the unit enum.
    ``off`` False leaves out the ``"off"`` answer (a text with a number and no word of silence).
    """
    ids = sorted({int(a) for a in agent_ids})
    if not ids:
        raise ValueError("agent_ids is empty")
    agent = {"enum": ids}
    value = (
        {"type": "string", "pattern": VALUE_PATTERN} if values is None else {"enum": list(values)}
    )
    number = {
        "type": "object",
        "properties": {"agent": agent, "value": value, "unit": {"enum": list(units)}},
        "required": ["agent", "value", "unit"],
        "additionalProperties": False,
    }
    silent = {
        "type": "object",
        "properties": {"agent": agent, "value": {"const": OFF}},
        "required": ["agent", "value"],
        "additionalProperties": False,
    }
    if values is not None and not values:
        return {"anyOf": [silent]}
    return {"anyOf": [number, silent]} if off else {"anyOf": [number]}


def decode_answer(answer: dict) -> dict:
    """The model's ``{agent, value, unit}`` as ``{agent, kind, value}`` (``"off"`` -> 0)."""
    if not isinstance(answer, dict):
        raise IntentError(f"model answer is not a JSON object: {answer!r}")
    value = answer.get("value")
    if value == OFF:
        return {"agent": answer.get("agent"), "kind": "max_power_frac", "value": 0.0}
    return {
        "agent": answer.get("agent"),
        "kind": UNIT_KINDS.get(answer.get("unit")),
        "value": value,
    }


def encode_answer(agent: int, kind: str, value: str) -> str:
    """The answer the model should write for ``(agent, kind, value)``, as JSON text (the
    few-shot turns): ``max_power_frac`` 0 is ``"off"``."""
    if kind == "max_power_frac" and float(value) == 0.0:
        return json.dumps({"agent": agent, "value": OFF})
    unit = next(u for u, k in UNIT_KINDS.items() if k == kind)
    return json.dumps({"agent": agent, "value": value, "unit": unit})
