"""The LLM team as a planner (name ``llm``): :class:`LLMPlanner` and what it returns, :class:`TeamPlan`.

:class:`LLMPlanner` keeps the classical planners' contract, ``plan(gains, p_max, noise,
constraints, context=None) -> powers``, so any evaluation can swap them. ``constraints`` may
state the network objective and the link weights (``objective``, ``weights``, as for
``planners.solve``): each agent's view then carries the objective and its own weight, its tools
plan for them and the closed loop serves them (:mod:`.inputs`, :mod:`.floor_control`); without
them the team plans the sum-rate. ``context`` carries the
slot's local observations (``obs``, ``infos``) from the environment, the slot number, the notes
each agent heard at the end of the last slot (``carry``) and the agents' memories. Agents only
ever see their own :class:`~wireless_agents.tools.LocalView`; the gain matrix is used by the
simulated control channel (loss depends on link gains), by the closed loop's mini-slots, and,
without a context, to synthesize each agent's first measurements (its own row of gains, nobody
transmitting yet). One call runs the decide graph (:mod:`.graph`) once; its ``commit`` is the
plan's one commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from wireless_agents.planners.events import ProfileEvent

from .config import TeamConfig
from .graph import decide_graph, recursion_limit
from .inputs import decide_input
from .stream import emit
from .team import Team


def profile_event(prof, slot: int) -> ProfileEvent:
    """The ``profile`` event: which agent read its device's profile, how, and what it read."""
    return ProfileEvent(
        type="profile",
        slot=slot,
        agent=prof.agent,
        reader=prof.reader,
        text=prof.text,
        readings=[{"kind": r["kind"], "value": r["value"]} for r in prof.readings],
        error=prof.error,
        tokens=prof.tokens,
        seconds=prof.seconds,
    )


@dataclass
class TeamPlan:
    """What the team decided for one slot, with everything that happened on the way."""

    powers: np.ndarray
    agreed: bool
    rounds: int
    events: list
    decisions: list
    channel: dict
    escalation: dict | None
    carry: dict
    llm_tokens: int
    llm_seconds: float
    cluster_escalation: dict | None = None
    clusters: list | None = None
    floor_control: dict | None = None  # what the validate node's closed loop changed
    profiles: list | None = None  # device profiles the agents read this slot (Profile.as_dict)
    timeshare: dict | None = None  # with time slices: who shared time with whom (.sharing)


class LLMPlanner:
    """The LLM team behind the :class:`planners.Planner` contract (name ``llm``; with
    ``TeamConfig(decider="rule")`` the same team of rule agents, no model: name ``tool``)."""

    name = "llm"

    def __init__(
        self, backend, config: TeamConfig | None = None, cloud_backend=None, cluster_backend=None
    ):
        self.backend = backend
        self.config = config or TeamConfig()
        self.cloud_backend = cloud_backend
        self.cluster_backend = cluster_backend
        self._teams: dict[int, Team] = {}
        if self.config.decider == "rule":
            self.name = "tool"

    def team(self, k: int) -> Team:
        """The team of ``k`` agents (built once per ``k``)."""
        if k not in self._teams:
            self._teams[k] = Team(
                k, self.backend, self.config, self.cloud_backend, self.cluster_backend
            )
        return self._teams[k]

    def plan(self, gains, p_max=1.0, noise=1.0, constraints=None, *, context=None) -> np.ndarray:
        g = np.asarray(gains, dtype=float)
        if g.ndim == 3:
            return np.stack([self.plan(x, p_max, noise, constraints, context=context) for x in g])
        return self.plan_detailed(g, p_max, noise, constraints, context).powers

    def plan_detailed(
        self, gains, p_max=1.0, noise=1.0, constraints=None, context=None, config=None
    ) -> TeamPlan:
        """One slot's decision with its record. ``config``: extra LangGraph run config."""
        g = np.asarray(gains, dtype=float)
        k = g.shape[-1]
        team = self.team(k)
        ctx = dict(context or {})
        team.import_memory(ctx.get("memory"))
        # each device's own agent reads its profile once, at its first decision (its own call)
        read = team.read_profiles()
        for prof in read:
            emit(profile_event(prof, int(ctx.get("slot", 0))))
        own = team.own_view if any(a.profile_text for a in team.agents) else None
        inp = decide_input(g, float(p_max), float(noise), constraints, ctx, self.config, own)
        cfg = {"recursion_limit": recursion_limit(k, self.config.rounds), "max_concurrency": 1}
        if config:
            cfg = {**config, **cfg}
        before = _usage(self.backend)
        out = decide_graph().invoke(inp, cfg, context=team.context)
        after = _usage(self.backend)
        kept = ("from", "note", "q", "s", "slot")  # the compact encoding's codes and ages too
        carry = {
            key: {j: {f: e[f] for f in (kept if "q" in e else kept[:2])} for j, e in box.items()}
            for key, box in (out.get("mailbox") or {}).items()
        }
        if (out.get("air") or {}).get("sent"):  # what each sender last sent to each receiver
            carry["air"] = out["air"]["sent"]
        return TeamPlan(
            powers=np.asarray(out["plan"], dtype=float),
            agreed=bool(out.get("agreed")),
            rounds=int(out["round"]),
            events=out["events"],
            decisions=out["decisions"],
            channel=out["channel"],
            escalation=out.get("escalation"),
            carry=carry,
            llm_tokens=sum(d["tokens"] for d in out["decisions"])
            + int((out.get("timeshare") or {}).get("tokens", 0)),
            llm_seconds=after - before,
            cluster_escalation=out.get("tier1"),
            clusters=out.get("clusters"),
            floor_control=out.get("validation"),
            profiles=[p.as_dict() for p in read] or None,
            timeshare=out.get("timeshare"),
        )


def _usage(backend) -> float:
    u = getattr(backend, "usage", None)
    return float(u.seconds) if u is not None else 0.0
