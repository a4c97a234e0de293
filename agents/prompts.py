"""Prompt text and decision schemas of the edge agent.

The system prompt is the stable prefix of every call (llama.cpp then reuses its KV cache across
agents and rounds): it never contains per-agent or per-slot numbers.
"""

from __future__ import annotations

import json

from wireless_agents.agents.acts import ANSWERS, REASON_PATTERN
from wireless_agents.tools import TOOLS

# the reason the system prompt's example gives for taking the tool's power
TOOL_REASON = "my tool suggests it"

SYSTEM_TOOLS = (
    "You set the transmit power of one radio link. All links share one band: more power raises "
    "your rate but hurts your neighbours. Answer with JSON only.\n"
    "Tools: " + "; ".join(f"{t.name}: {t.description}" for t in TOOLS.values()) + ".\n"
    'First call a tool, e.g. {"tool": "wmmse_step"}. After its result, decide: '
    '{"power": "<fraction of max, 0 to 1>", "reason": "<a few words why>"}.\n'
    'Example: result {"suggested_power": 0.35} -> {"power": "0.35", "reason": "'
    + TOOL_REASON
    + '"}'
)

SYSTEM_NO_TOOLS = (
    "You set the transmit power of one radio link. All links share one band: more power raises "
    "your rate but hurts your neighbours. Answer with JSON only: "
    '{"power": "<fraction of max, 0 to 1>", "message": "<short note to neighbours>"}. '
    "Use less power when neighbours are loud or ask you to lower it; respect your rules."
)

DECIDE = "Decide now."
ANSWER = (
    'Answer the requests: {"answer": "grant" or "refuse", "power": "<fraction of max>", '
    '"reason": "<a few words why>"}. Grant unless your profile forbids it.'
)


# Power is a decimal fraction of p_max with at most 3 digits, written as a JSON string: a JSON
# number cannot be bounded in a grammar, and a tiny model left free writes "1.0000000000000000"
# until it runs out of tokens. The value is still parsed, validated and clipped in Python.
POWER_PATTERN = r"^(0|1|1[.]0|0[.][0-9]{1,3})$"


REASON = {"type": "string", "pattern": REASON_PATTERN}


def decision_schema(answer: bool = False) -> dict:
    """The final decision: power (fraction of p_max, e.g. "0.35") and a short reason (letters
    only, at most 40 characters: the numbers live in the act). ``answer``: the agent has
    requests to answer, and says ``grant`` or ``refuse`` first."""
    props = {"power": {"type": "string", "pattern": POWER_PATTERN}, "reason": REASON}
    if answer:
        props = {"answer": {"enum": list(ANSWERS)}, **props}
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def tool_or_decision_schema(tools: list[str], answer: bool = False) -> dict:
    """Either a tool call ``{"tool": name}`` or the final decision."""
    return {
        "anyOf": [
            {
                "type": "object",
                "properties": {"tool": {"enum": list(tools)}},
                "required": ["tool"],
                "additionalProperties": False,
            },
            decision_schema(answer),
        ]
    }


def user_prompt(
    perception: str,
    memory: str,
    inbox: list[tuple[int, str]],
    requests: list[str] = (),
    profile: str | None = None,
) -> str:
    """The per-slot part: perception, memory summary, the messages heard this slot and, when
    neighbours asked this agent something, the requests and its device's profile in its own
    words (what it answers them by)."""
    parts = [perception]
    if memory:
        parts.append(memory)
    if inbox:
        parts.append("Messages: " + " ".join(f'link {s}: "{t}"' for s, t in inbox))
    if requests:
        if profile:
            parts.append(f'My profile: "{profile}"')
        parts.append("Requests to me: " + " ".join(requests))
    return "\n".join(parts)


def power_text(frac: float) -> str:
    """A power fraction as the decision writes it (:data:`POWER_PATTERN`): at most 3 decimals,
    at least one (``0.0``, ``0.35``, ``1.0``)."""
    text = f"{min(max(float(frac), 0.0), 1.0):.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def answer_guess(result: dict | None, answer: bool = False) -> str:
    """The decision the system prompt's example leads to after ``result`` (a tool's result
    with a ``suggested_power``): its power with :data:`TOOL_REASON`, granting first when
    ``answer``; "" when the result suggests no power. Only a guess, for the backend to check
    (:attr:`GenerationConfig.draft`): the model still writes its own answer."""
    power = result.get("suggested_power") if isinstance(result, dict) else None
    if isinstance(power, bool) or not isinstance(power, (int, float)) or power != power:
        return ""
    guess = {"power": power_text(power), "reason": TOOL_REASON}
    return json.dumps({"answer": "grant", **guess} if answer else guess)


def tool_turns(name: str, result: dict, decide_now: str, call: str | None = None) -> list[dict]:
    """The chat turns of a tool call and its result: the assistant's call (``call``, the
    model's own text, or the call it was bound to make, ``{"tool": name}``) and the result
    with the instruction to decide."""
    call = call if call is not None else json.dumps({"tool": name})
    return [
        {"role": "assistant", "content": call},
        {"role": "user", "content": f"Result: {json.dumps(result)}. {decide_now}"},
    ]


def as_completion_prompt(messages: list[dict]) -> str:
    """Flatten a chat into a plain transcript for base models (few-shot style)."""
    lines = []
    for m in messages:
        role = {"system": "Instructions", "user": "Input", "assistant": "Answer"}[m["role"]]
        lines.append(f"### {role}:\n{m['content']}")
    lines.append("### Answer:\n")
    return "\n\n".join(lines)
