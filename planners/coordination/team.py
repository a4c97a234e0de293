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
            inbox=cfg.inbox,
            reader=cfg.profile_reader,
            direct_tool=cfg.direct_tool,
            skip_forced=cfg.skip_forced,
            prompt=cfg.prompt,
        )
        if cfg.decider == "rule":  # no model, no language: the intent is not read
            cls = RuleAgent
        else:
            cls = EdgeAgent if not cfg.intent else _intent_agent(cfg.intent)
        self.agents = [cls(i, self.backend, acfg) for i in range(self.k)]
        for key, text in (cfg.devices or {}).items():
            if 0 <= int(key) < self.k:
                self.agents[int(key)].profile_text = str(text)
        self.context = TeamContext(cfg, self.agents, self.cloud_backend, self.cluster_backend)

    def export_memory(self) -> dict:
        """Every agent's memory as JSON (``{agent id: {records, heard}}``, plus ``profile``
        for an agent that read its device's profile and ``refused_by`` for one that was
        refused)."""
        out = {}
        for a in self.agents:
            out[str(a.agent_id)] = {
                "records": [[r.slot, r.power_frac, r.rate] for r in a.memory.records],
                "heard": [[s, t] for s, t in a.memory.heard],
            }
            if a.memory.profile is not None:
                out[str(a.agent_id)]["profile"] = a.memory.profile
            if a.memory.refusers:  # [[link, slot of its last refusal]]
                out[str(a.agent_id)]["refused_by"] = sorted(map(list, a.memory.refusers.items()))
        return out

    def read_profiles(self) -> list:
        """Each agent that has a profile text and has not read it yet reads it now, in its own
        call (:meth:`~wireless_agents.agents.agent.EdgeAgent.read_profile`); returns the new
        :class:`~wireless_agents.agents.profile.Profile` s (empty on every later slot)."""
        reader = self.config.profile_reader
        return [p for a in self.agents if (p := a.read_profile(reader)) is not None]

    def own_view(self, i: int, view: LocalView) -> LocalView:
        """Agent ``i``'s view tightened by its own profile (unchanged without one)."""
        return self.agents[i].own_view(view)

    def import_memory(self, memory: dict | None) -> None:
        """Restore the agents' memories from :meth:`export_memory`'s JSON (None: empty)."""
        for a in self.agents:
            m = Memory(slots=a.config.memory_slots)
            saved = (memory or {}).get(str(a.agent_id), {})
            for slot, frac, r in saved.get("records", []):
                m.record(int(slot), float(frac), float(r))
            for sender, text in saved.get("heard", []):
                m.hear(int(sender), text)
            m.profile = saved.get("profile")
            for link, slot in saved.get("refused_by", []):
                m.refused(int(link), int(slot))
            a.memory = m


def _intent_agent(intent: str) -> type[EdgeAgent]:
    """An edge agent whose perception ends with the operator's intent (the system prompt, the
    stable KV-cache prefix shared by every agent, stays as it is)."""

    class IntentAgent(EdgeAgent):
        operator_intent = intent

        def perceive(self, view: LocalView, slot: int | None = None) -> str:
            return f"{super().perceive(view, slot)} Operator intent: {intent}."

    return IntentAgent
