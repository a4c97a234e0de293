"""The rule agent: an edge agent without a language model, the `tool` planner's device.

A :class:`RuleAgent` has the :class:`~wireless_agents.agents.agent.EdgeAgent` contract
(``decide(view, inbox, slot) -> Decision``, ``remember``, ``memory``) with the model replaced by
a fixed rule:

- it adopts its tool's suggestion: it calls the offered tools in order until one returns a
  ``suggested_power`` (a fraction of p_max) and takes it, clipped to ``[0, cap / p_max]``
  (the default team offers one tool, ``local_wmmse``; zou offers ``min_power``);
- with no tool offered (or none that suggests a power) it keeps its last power, or half its cap
  the first time, as the LLM agent's fallback does; a tool that fails (raises anything) is a
  ``fallback`` to the same power, the error kept in its ``tool_calls``;
- it grants every request addressed to it (a fixed rule, no reading: only a floor of its own,
  from the operator's numbers, makes a grant an offer), and asks what its own floor needs, with
  the same acts as the model agent (:meth:`EdgeAgent.acts_for`) but without a reason: its
  messages are bare acts ("inform 0.35", "grant link 1 lower 0.4"); its note (channel rows,
  prices, the floor request) still goes out, since the neighbours' tools need it;
- it reads no language: no inbox texts, no operator intent, no device profile, no memory in a
  prompt.

Its decisions cost nothing: ``tokens`` 0 and ``model_seconds`` 0 (no model calls).
"""

from __future__ import annotations

from wireless_agents.agents.agent import AgentConfig, Decision, EdgeAgent
from wireless_agents.tools import LocalView, Note, call_tool


class RuleAgent(EdgeAgent):
    """One device's rule agent (no model). ``backend`` is accepted and ignored, so a team
    builds rule agents the way it builds model agents."""

    def __init__(self, agent_id: int, backend=None, config: AgentConfig | None = None):
        super().__init__(agent_id, backend, config)

    def read_profile(self, reader: str = "model") -> None:
        """The rule reads no language: a device profile stays unread."""
        return None

    def decide(
        self,
        view: LocalView,
        inbox: list[tuple[int, str]] = (),
        slot: int | None = None,
        requests: list = (),
        refused_by: list[int] = (),
    ) -> Decision:
        """This agent's power for the coming slot: its first tool's suggestion (see the module),
        every request granted. ``inbox`` and ``slot`` are ignored: the rule reads no language."""
        decision = Decision(self.agent_id, 0.0, "", Note(self.agent_id))
        if not self.config.inbox:
            requests = []
        args = ("grant", requests, refused_by)
        for name in self.config.tools:
            try:
                result = call_tool(name, view)
            except Exception as exc:  # any failing tool (ToolError or other) is a fallback
                decision.tool_calls.append({"tool": name, "arguments": {}, "error": str(exc)})
                return self._keep(decision, view, f"tool error: {exc}", *args)
            decision.tool_calls.append({"tool": name, "arguments": {}, "result": result})
            if result.get("suggested_power") is not None:
                return self._finish(decision, view, result["suggested_power"], "", *args)
        return self._keep(decision, view, None, *args)  # the rule itself: no suggestion, keep

    def _keep(self, decision: Decision, view: LocalView, reason: str | None, *args) -> Decision:
        """The last power (capped), or ``default_power_frac`` of the cap the first time, with
        the rule's acts. ``reason`` None: the rule's own keep (no tool suggests a power), not a
        fallback."""
        decision.power = self.kept_power(view)
        decision.fallback = reason
        return self.acts_for(decision, view, "", *args)

    def _fallback(
        self, decision: Decision, view: LocalView, reason: str, requests=(), refused_by=()
    ) -> Decision:
        """A suggestion that is no power (``_finish``'s check): the rule's keep, acts unchanged."""
        return self._keep(decision, view, reason, "grant", requests, refused_by)
