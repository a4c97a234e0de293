"""The tool catalog: name, one-line description, JSON schema of the arguments, function.

Any backend can use it: the agent offers the names (as an enum in its decision grammar) and the
descriptions (in its stable prompt prefix); ``call_tool`` validates the arguments against the
schema's bounds and runs the plain function on the caller's :class:`LocalView`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wireless_agents.tools import functions as f
from wireless_agents.tools.neighbourhood import local_wmmse
from wireless_agents.tools.view import LocalView


class ToolError(ValueError):
    """Unknown tool or arguments outside the tool's schema."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict  # JSON schema of the keyword arguments (object)
    fn: Callable[..., dict]

    def json_schema(self) -> dict:
        """OpenAI-style function description."""
        return {"name": self.name, "description": self.description, "parameters": self.parameters}


_FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
_NO_ARGS = {"type": "object", "properties": {}, "additionalProperties": False}

TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        Tool(
            "what_if",
            "my rate at candidate powers if interference stays as now",
            {
                "type": "object",
                "properties": {"power_fractions": {"type": "array", "items": _FRACTION, "maxItems": 8}},
                "additionalProperties": False,
            },
            f.what_if,
        ),
        Tool("interference_report", "who interferes with me and what neighbours ask", _NO_ARGS, f.interference_report),
        Tool("best_response", "power that maximizes my rate minus neighbours' interference prices", _NO_ARGS, f.best_response),
        Tool("min_power", "least power that keeps my minimum rate against neighbours' planned interference", _NO_ARGS, f.min_power),
        Tool("wmmse_step", "one distributed WMMSE update from my measurements and neighbours' messages", _NO_ARGS, f.wmmse_step),
        Tool("local_wmmse", "my power in the WMMSE plan of the links I hear, from their messages", _NO_ARGS, local_wmmse),
        Tool(
            "check_constraints",
            "does a power respect my cap and minimum rate",
            {"type": "object", "properties": {"power": _FRACTION}, "additionalProperties": False},
            f.check_constraints,
        ),
    )
}  # fmt: skip


def tool_schemas() -> list[dict]:
    """Every tool's OpenAI-style description (for backends that take function specs)."""
    return [t.json_schema() for t in TOOLS.values()]


def call_tool(name: str, view: LocalView, arguments: dict | None = None) -> dict:
    """Run tool ``name`` for the agent of ``view``; arguments are checked and clipped to bounds."""
    tool = TOOLS.get(name)
    if tool is None:
        raise ToolError(f"unknown tool {name!r}; tools: {', '.join(TOOLS)}")
    args = dict(arguments or {})
    allowed = tool.parameters.get("properties", {})
    unknown = set(args) - set(allowed)
    if unknown:
        raise ToolError(f"tool {name} takes no argument(s) {sorted(unknown)}")
    return tool.fn(view, **args)
