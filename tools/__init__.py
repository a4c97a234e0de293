"""tools: plain functions an agent can call, each with a JSON schema.

Every tool sees only the calling agent's :class:`~tools.view.LocalView`: its own measurements and
its mailbox of :class:`~tools.view.Note` from neighbours. Imports only ``environment``.
"""

from wireless_agents.tools.registry import TOOLS, Tool, ToolError, call_tool, tool_schemas
from wireless_agents.tools.view import LocalView, Note

__all__ = ["TOOLS", "LocalView", "Note", "Tool", "ToolError", "call_tool", "tool_schemas"]
