"""The edge team: K agents on one shared model, their memory, and the decide graph's context.

Each agent only ever sees its own :class:`~wireless_agents.tools.LocalView` (built by
:mod:`.inputs`). The agents' memories live in the episode state and are restored into the
agents before each slot (:meth:`Team.import_memory`) and saved after it
(:meth:`Team.export_memory`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wireless_agents.agents.agent import AgentConfig, EdgeAgent
from wireless_agents.agents.memory import Memory
from wireless_agents.agents.rule_agent import RuleAgent
from wireless_agents.tools import LocalView

from .config import TeamConfig
from .context import TeamContext


@dataclass
class Team:
    """K edge agents on one shared backend, plus optional cloud (L0) and cluster (L1) backends.

    With ``config.decider == "rule"`` the agents are rule agents and ``backend`` may be None.

    ``context`` is what the decide graph runs with (:class:`~.context.TeamContext`).
    """

    k: int
    backend: object
    config: TeamConfig = field(default_factory=TeamConfig)
    cloud_backend: object | None = None
    cluster_backend: object | None = None

    def __post_init__(self) -> None:
        cfg = self.config
        acfg = AgentConfig(
            tools=tuple(cfg.tools),
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            seed=cfg.seed,
        )
        if cfg.decider == "rule":  # no model, no language: the intent is not read
            cls = RuleAgent
        else:
            cls = EdgeAgent if not cfg.intent else _intent_agent(cfg.intent)
        self.agents = [cls(i, self.backend, acfg) for i in range(self.k)]
        self.context = TeamContext(cfg, self.agents, self.cloud_backend, self.cluster_backend)

    def export_memory(self) -> dict:
        """Every agent's memory as JSON (``{agent id: {records, heard}}``)."""
        return {
            str(a.agent_id): {
                "records": [[r.slot, r.power_frac, r.rate] for r in a.memory.records],
                "heard": [[s, t] for s, t in a.memory.heard],
            }
            for a in self.agents
        }

    def import_memory(self, memory: dict | None) -> None:
        """Restore the agents' memories from :meth:`export_memory`'s JSON (None: empty)."""
        for a in self.agents:
            m = Memory(slots=a.config.memory_slots)
            saved = (memory or {}).get(str(a.agent_id), {})
            for slot, frac, r in saved.get("records", []):
                m.record(int(slot), float(frac), float(r))
            for sender, text in saved.get("heard", []):
                m.hear(int(sender), text)
            a.memory = m


def _intent_agent(intent: str) -> type[EdgeAgent]:
    """An edge agent whose perception ends with the operator's intent (the system prompt, the
    stable KV-cache prefix shared by every agent, stays as it is)."""

    class IntentAgent(EdgeAgent):
        def perceive(self, view: LocalView, slot: int | None = None) -> str:
            return f"{super().perceive(view, slot)} Operator intent: {intent}."

    return IntentAgent
