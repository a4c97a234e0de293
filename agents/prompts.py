"""Prompt text and decision schemas of the edge agent.

The system prompt is the stable prefix of every call (llama.cpp then reuses its KV cache across
agents and rounds): it never contains per-agent or per-slot numbers.
"""

from __future__ import annotations

from wireless_agents.tools import TOOLS

SYSTEM_TOOLS = (
    "You set the transmit power of one radio link. All links share one band: more power raises "
    "your rate but hurts your neighbours. Answer with JSON only.\n"
    "Tools: " + "; ".join(f"{t.name}: {t.description}" for t in TOOLS.values()) + ".\n"
    'First call a tool, e.g. {"tool": "wmmse_step"}. After its result, decide: '
    '{"power": "<fraction of max, 0 to 1>", "message": "<short note to neighbours>"}.\n'
    'Example: result {"suggested_power": 0.35} -> {"power": "0.35", "message": "I go to 0.35."}'
)

SYSTEM_NO_TOOLS = (
    "You set the transmit power of one radio link. All links share one band: more power raises "
    "your rate but hurts your neighbours. Answer with JSON only: "
    '{"power": "<fraction of max, 0 to 1>", "message": "<short note to neighbours>"}. '
    "Use less power when neighbours are loud or ask you to lower it; respect your rules."
)

DECIDE = "Decide now."


# Power is a decimal fraction of p_max with at most 3 digits, written as a JSON string: a JSON
# number cannot be bounded in a grammar, and a tiny model left free writes "1.0000000000000000"
# until it runs out of tokens. The value is still parsed, validated and clipped in Python.
POWER_PATTERN = r"^(0|1|1[.]0|0[.][0-9]{1,3})$"


def decision_schema(message_chars: int) -> dict:
    """The final decision: power (fraction of p_max, e.g. "0.35") and a short message."""
    return {
        "type": "object",
        "properties": {
            "power": {"type": "string", "pattern": POWER_PATTERN},
            "message": {"type": "string", "maxLength": message_chars},
        },
        "required": ["power", "message"],
        "additionalProperties": False,
    }


def tool_or_decision_schema(tools: list[str], message_chars: int) -> dict:
    """Either a tool call ``{"tool": name}`` or the final decision."""
    return {
        "anyOf": [
            {
                "type": "object",
                "properties": {"tool": {"enum": list(tools)}},
                "required": ["tool"],
                "additionalProperties": False,
            },
            decision_schema(message_chars),
        ]
    }


def user_prompt(perception: str, memory: str, inbox: list[tuple[int, str]]) -> str:
    """The per-slot part: perception, memory summary and the messages heard this slot."""
    parts = [perception]
    if memory:
        parts.append(memory)
    if inbox:
        parts.append("Messages: " + " ".join(f'link {s}: "{t}"' for s, t in inbox))
    return "\n".join(parts)


def as_completion_prompt(messages: list[dict]) -> str:
    """Flatten a chat into a plain transcript for base models (few-shot style)."""
    lines = []
    for m in messages:
        role = {"system": "Instructions", "user": "Input", "assistant": "Answer"}[m["role"]]
        lines.append(f"### {role}:\n{m['content']}")
    lines.append("### Answer:\n")
    return "\n\n".join(lines)
