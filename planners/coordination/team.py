"""The LLM team as a planner: edge agents + the decide graph (+ an optional cloud coordinator).

:class:`LLMPlanner` keeps the classical planners' contract, ``plan(gains, p_max, noise,
constraints, context=None) -> powers``, so any evaluation can swap them. ``context`` carries the
slot's local observations (``obs``, ``infos``) from the environment, the slot number, the notes
each agent heard at the end of the last slot (``carry``) and the agents' memories. Agents only
ever see their own :class:`~tools.LocalView`; the gain matrix is used by the simulated control
channel (loss depends on link gains) and, without a context, to synthesize each agent's first
measurements (its own row of gains, nobody transmitting yet).

Edge/cloud (after NetGPT): when a slot does not settle (no agreement within the round budget, or
a minimum-rate floor unmet), the agents concerned escalate. What the cloud knows: only what the
requests carry, i.e. each escalating agent's own report (direct gain, its neighbours' gains at its
receiver, measured interference plus noise, its proposal and its floor). Requests of agents that
hear each other are merged into one (duplicates removed, contexts joined). The request also pulls
in the reports and proposals of the settled devices whose receivers hear an escalating device
(it is in their neighbour list): the victims of whatever the cloud plans. The cloud builds the
partial gain matrix of the escalating devices and their victims (interference from outside stays
as measured noise; a victim may be lowered, never raised, so no device outside the problem is
harmed), runs the classical constrained solver on it as its tool, and keeps the team's proposals
unless its plan is better on that same problem (floors first, then the estimated sum-rate of
every link in it): escalating never makes the plan worse than what the edge team had, as far as
the cloud can tell from what it was sent. Its model (``cloud_model``) writes the short answer that
goes back down. Every request/answer is counted (requests, bytes with the pulled reports, seconds).

Three tiers (``tiers=3``, L2/L1/L0 of the network-large-model literature): unsettled devices go to
their cluster's coordinator first (:mod:`.tiers`); only what a cluster cannot settle goes on to
the cloud (L0). Clusters come from the devices' positions (:mod:`.clusters`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace

import numpy as np
from wireless_agents.agents.agent import AgentConfig, EdgeAgent
from wireless_agents.agents.backends.base import BackendError, GenerationConfig
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.tools import LocalView

from . import channel as ch
from .clusters import make_clusters
from .floor_control import close_team_floors
from .graph import STRATEGIES, build_decide_graph, recursion_limit
from .state import view_to_dict
from .stream import emit

DEFAULT_TOOLS = ("local_wmmse",)


@dataclass
class TeamConfig:
    """How the LLM team plans one slot.

    ``strategy``: negotiation | independent | leader. ``rounds``: round budget per slot.
    ``tol``: agreement tolerance (largest move of a proposal, fraction of p_max). ``loss``: base
    message-loss probability of the control channel. ``tools``: tools offered to the agents
    (empty = tools off). ``cloud``: escalate unsettled slots to the cloud coordinator.
    ``intent``: the operator's goal in one sentence, appended to every agent's perception
    (e.g. zou: "cut total transmit power while every link keeps its minimum rate").
    ``ctrl_power``: transmit power of the control channel (W; default the data p_max).
    ``tiers``: 2 = edge + cloud; 3 = edge, cluster coordinators (L1), cloud (L0); 3 turns
    escalation on and needs clusters (the context's ``positions`` or ``clusters``).
    ``cluster_size``: devices per cluster (about; ``ceil(K / cluster_size)`` clusters).
    ``conflict_tol``: a cluster escalates to L0 when a neighbouring cluster's plan would cut one
    of its devices' planned rates by more than this fraction.
    ``strongest``, ``tin_eta``: an agent's neighbours (whom it talks to, whose rows its tools
    use) are the ``strongest`` interferers it senses plus every other one that is too strong to be
    treated as noise: ``INR >= SNR ** tin_eta`` at full power (Geng et al. 2015: treating
    interference as noise is optimal when it is below ``sqrt(SNR)``; ``tin_eta`` 0.5). How many
    that is follows the geometry, not K. ``None`` keeps only the strongest. The agent can only
    pick among the interferers its observation carries (the env's ``n_interferers``).
    ``inbox_messages``: the model reads the texts of at most this many neighbours, loudest first
    (its tools still get every note).
    """

    strategy: str = "negotiation"
    rounds: int = 2
    tol: float = 0.02
    loss: float = 0.0
    tools: tuple[str, ...] = DEFAULT_TOOLS
    temperature: float = 0.0
    max_tokens: int = 40
    seed: int = 0
    cloud: bool = False
    n_interferers: int | None = None
    strongest: int = 5
    tin_eta: float | None = 0.5
    inbox_messages: int = 5
    intent: str | None = None
    ctrl_power: float | None = None
    tiers: int = 2
    cluster_size: int = 4
    conflict_tol: float = 0.1

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; choose one of {STRATEGIES}")
        if self.rounds < 1:
            raise ValueError("rounds must be at least 1")
        if not 0.0 <= self.loss <= 1.0:
            raise ValueError("loss must be a probability in [0, 1]")
        if self.tiers not in (2, 3):
            raise ValueError("tiers must be 2 (edge, cloud) or 3 (edge, cluster, cloud)")
        if self.tiers == 3 and self.strategy == "cloud":
            raise ValueError("tiers=3 needs an edge team; the cloud strategy has none")
        if self.cluster_size < 1:
            raise ValueError("cluster_size must be at least 1")

    def settings(self) -> dict:
        return {
            "strategy": self.strategy,
            "rounds": self.rounds,
            "tol": self.tol,
            "loss": self.loss,
            "cloud": self.cloud or self.tiers == 3,
            "tiers": self.tiers,
            "conflict_tol": self.conflict_tol,
        }


CLOUD_SCHEMA = {
    "type": "object",
    "properties": {"accept": {"type": "boolean"}, "note": {"type": "string", "maxLength": 40}},
    "required": ["accept", "note"],
    "additionalProperties": False,
}
CLOUD_SYSTEM = (
    "You are the cloud coordinator of a radio network. Edge devices could not agree on transmit "
    "powers and sent you their measurements. Your solver proposed a joint plan. Answer JSON "
    '{"accept": true|false, "note": "<short reason>"}; accept unless the plan breaks a rule.'
)
CLUSTER_SYSTEM = (
    "You coordinate one cluster of a radio network. Devices of your cluster could not agree on "
    "transmit powers and sent you their measurements. Your solver proposed a plan for them. "
    'Answer JSON {"accept": true|false, "note": "<short reason>"}; accept unless the plan breaks '
    "a rule."
)


@dataclass
class Team:
    """K edge agents on one shared backend, plus optional cloud (L0) and cluster (L1) backends."""

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
        cls = EdgeAgent if not cfg.intent else _intent_agent(cfg.intent)
        self.agents = [cls(i, self.backend, acfg) for i in range(self.k)]
        self.graph = build_decide_graph(self)

    # -- memory (lives in the episode state, restored before each slot) -------------------------
    def export_memory(self) -> dict:
        return {
            str(a.agent_id): {
                "records": [[r.slot, r.power_frac, r.rate] for r in a.memory.records],
                "heard": [[s, t] for s, t in a.memory.heard],
            }
            for a in self.agents
        }

    def import_memory(self, memory: dict | None) -> None:
        from wireless_agents.agents.memory import Memory

        for a in self.agents:
            m = Memory(slots=a.config.memory_slots)
            saved = (memory or {}).get(str(a.agent_id), {})
            for slot, frac, r in saved.get("records", []):
                m.record(int(slot), float(frac), float(r))
            for sender, text in saved.get("heard", []):
                m.hear(int(sender), text)
            a.memory = m

    # -- cloud ----------------------------------------------------------------------------------
    def cloud_answer(self, state: dict) -> dict:
        """Merge the escalating agents' requests, solve on the cloud, answer (graph node body)."""
        props = dict(state["proposals"])
        p_max = state["p_max"]
        tier1 = state.get("tier1")
        unsettled = tier1["to_cloud"] if tier1 else unsettled_agents(state)
        # merge: one request per connected group of escalating agents that hear each other
        hears = state["hears"]
        groups, seen = [], set()
        for i in unsettled:
            if i in seen:
                continue
            comp, todo = [], [i]
            seen.add(i)
            while todo:
                a = todo.pop()
                comp.append(a)
                for b in hears[a]:
                    if b in unsettled and b not in seen:
                        seen.add(b)
                        todo.append(b)
            groups.append(sorted(comp))
        counters = dict(state["channel"])
        answers = []
        views = state["views"]
        for comp in groups:
            # victims: settled devices whose receivers hear an escalating device (it is in their
            # neighbour list). The request pulls in their reports and proposals (a pull message to
            # each, its report back), so the cloud sees the harm its plan does to them; they
            # travel in the merged request and count in its bytes.
            victims = [v for v in range(len(views)) if v not in comp
                       and any(j in comp for j in views[v]["neighbours"])]  # fmt: skip
            reports = {i: views[i] for i in comp + victims}
            request = {
                "agents": comp,
                "reason": "no agreement" if not state["agreed"] else "min-rate floor unmet",
                "reports": {i: reports[i] for i in comp},
                "proposals": {str(i): props[str(i)]["power"] for i in comp},
            }
            if tier1:  # what the cluster coordinators forwarded: their plans and why
                request["reason"] = "cluster could not settle"
                request["clusters"] = {str(c): r for c, r in tier1["reasons"].items()}
            pull_bytes = sum(
                ch.message_bytes({"to": v, "pull": comp})
                + ch.message_bytes({"from": v, "report": reports[v],
                                    "proposal": props[str(v)]["power"]})
                for v in victims
            )  # fmt: skip
            req_bytes = ch.message_bytes(request) + pull_bytes
            raw_bytes = sum(ch.message_bytes({"from": i, "report": reports[i]}) for i in comp)
            plan, sol, accept, note, secs, toks, est = self._cloud_solve(
                reports, comp, props, p_max, request["reason"], victims=victims, guard=True
            )
            # the answer goes to the escalating devices and to the victims it lowered
            moved = comp + [v for v in victims
                            if abs(plan[v] - props[str(v)]["power"]) > 1e-9 * p_max]  # fmt: skip
            answer = {"plan": {str(i): plan[i] for i in moved}, "accept": accept, "note": note}
            ans_bytes = ch.message_bytes(answer)
            if accept:
                for i in moved:
                    props[str(i)] = {**props[str(i)], "power": plan[i], "cloud": True}
            if not tier1:  # with clusters, each forwarding cluster counts once (below)
                counters["cloud_requests"] += 1
            counters["cloud_bytes"] += req_bytes + ans_bytes
            counters["cloud_seconds"] += secs
            answers.append(
                {
                    "agents": comp,
                    "merged_from": len(comp),
                    "victims": victims,
                    "request_bytes": req_bytes,
                    "pull_bytes": pull_bytes,  # part of request_bytes
                    "unmerged_bytes": raw_bytes,
                    "answer_bytes": ans_bytes,
                    "accept": accept,
                    "note": note,
                    "feasible": bool(sol.feasible),
                    "estimate": est,
                    "cloud_tokens": toks,
                    "cloud_seconds": secs,
                }
            )
        if tier1:
            counters["cloud_requests"] += len(tier1["reasons"])
        ev = {"type": "escalate", "tier": 0, "slot": state["slot"], "requests": answers}
        emit(ev)
        return {"proposals": props, "escalation": ev, "channel": counters, "events": [ev]}

    def cluster_answer(self, state: dict) -> dict:
        """L1: each cluster coordinator settles its unsettled devices (graph node body)."""
        from .tiers import cluster_answer

        return cluster_answer(self, state)

    def _cloud_solve(self, reports, comp, props, p_max, reason, tier=0, victims=(), guard=False):
        """A coordinator's solver on the reports of ``comp`` (+ ``victims``), then its model's
        accept/note.

        ``tier`` 0: the cloud (``cloud_backend``); 1: a cluster coordinator (``cluster_backend``).
        ``victims``: non-escalated devices whose reports were pulled in (see
        :func:`_partial_problem`). ``guard``: keep the team's proposals (``props``) unless the
        solver's plan is better on the same problem (fewer floor bit/s/Hz short, then a higher
        estimated sum-rate over every link of the problem): escalating never makes the plan the
        coordinator can judge worse. Returns ``(plan W per link, solution, accept, note,
        model seconds, model tokens, estimate)``.
        """
        from wireless_agents.planners.api import solve_detailed

        links = list(comp) + [v for v in victims if v not in comp]
        g, noise_eff, mins, caps = _partial_problem(reports, comp, props, victims)
        sol = solve_detailed(
            g, 1.0, noise_eff, algo="wmmse", max_power=caps,
            min_rate=mins if np.any(mins > 0) else None,
        )  # fmt: skip
        x = np.asarray(sol.powers, dtype=float)
        note = "solver plan"
        est = None
        if guard:
            x0 = np.clip([float(props[str(i)]["power"]) / p_max for i in links], 0.0, caps)
            rate_s, short_s = _estimate(g, noise_eff, mins, x)
            rate_t, short_t = _estimate(g, noise_eff, mins, x0)
            better = short_s < short_t - 1e-6 or (
                short_s <= short_t + 1e-6 and rate_s > rate_t + 1e-6
            )
            est = {"solver_sum_rate": rate_s, "team_sum_rate": rate_t,
                   "solver_short": short_s, "team_short": short_t, "kept_team": not better}  # fmt: skip
            if not better:
                x, note = x0, "team plan kept"
        # the problem is in units of p_max: the solver's powers are fractions; scale to watts
        plan = {i: float(x[n]) * p_max for n, i in enumerate(links)}
        accept, secs, toks = True, 0.0, 0
        backend = self.cluster_backend if tier == 1 else self.cloud_backend
        system = CLUSTER_SYSTEM if tier == 1 else CLOUD_SYSTEM
        if backend is not None:
            t0 = time.perf_counter()
            try:
                prompt = json.dumps(
                    {
                        "request": reason,
                        "agents": comp,
                        "plan": {str(i): round(plan[i] / p_max, 3) for i in links},
                        "feasible": bool(sol.feasible),
                    }
                )
                msgs = [
                    {"role": "system", "content": system},
                    {"role": "user", "content": prompt},
                ]
                cfg = GenerationConfig(max_tokens=30, temperature=0.0, seed=0)
                be = backend
                if be.is_chat:
                    out = be.chat(msgs, schema=CLOUD_SCHEMA, config=cfg)
                else:
                    from wireless_agents.agents.prompts import as_completion_prompt

                    out = be.complete(as_completion_prompt(msgs), schema=CLOUD_SCHEMA, config=cfg)
                ans = json.loads(out.text)
                accept, note = bool(ans.get("accept", True)), str(ans.get("note", ""))[:40]
                toks = out.prompt_tokens + out.completion_tokens
                secs = out.seconds
            except (BackendError, ValueError, TypeError) as exc:
                accept, note = True, f"coordinator model unavailable: {str(exc)[:60]}"
                secs = time.perf_counter() - t0
        return plan, sol, accept, note, secs, toks, est

    def cloud_plan(self, state: dict) -> dict:
        """Cloud-only strategy: every agent sends its report up, the cloud plans every power.

        Counted as one request per agent (its report) and one answer per agent (its power),
        all across the edge/cloud link; one solver run and one cloud-model call per slot.
        """
        k = len(state["views"])
        comp = list(range(k))
        p_max = state["p_max"]
        reports = {i: state["views"][i] for i in comp}
        props = {str(i): {"power": float(reports[i]["last_power"]), "floor_ok": True}
                 for i in comp}  # fmt: skip
        plan, sol, accept, note, secs, toks, _ = self._cloud_solve(
            reports, comp, props, p_max, "cloud-only plan"
        )
        up = sum(ch.message_bytes({"from": i, "report": reports[i]}) for i in comp)
        down = sum(
            ch.message_bytes({"to": i, "power": plan[i], "accept": accept, "note": note})
            for i in comp
        )
        counters = dict(state["channel"])
        counters["cloud_requests"] += k
        counters["cloud_bytes"] += up + down
        counters["cloud_seconds"] += secs
        if not accept:  # a rejected plan: every device keeps its last power
            plan = {i: float(reports[i]["last_power"]) for i in comp}
        ev = {
            "type": "cloud_plan", "slot": state["slot"], "requests": k, "request_bytes": up,
            "answer_bytes": down, "accept": accept, "note": note, "feasible": bool(sol.feasible),
            "cloud_tokens": toks, "cloud_seconds": secs,
        }  # fmt: skip
        emit(ev)
        out = {str(i): {"power": plan[i], "floor_ok": True, "cloud": True} for i in comp}
        return {"proposals": out, "agreed": accept, "floors_ok": bool(sol.feasible),
                "channel": counters, "events": [ev], "escalation": ev}  # fmt: skip


def unsettled_agents(state: dict) -> list[int]:
    """Devices that did not settle: still moving by more than ``tol``, or their floor unmet
    (every device when the team did not agree and no one stands out)."""
    k = len(state["views"])
    props = state["proposals"]
    tol = state["settings"]["tol"]
    rp = state["rounds_powers"]
    prev = rp[-2] if len(rp) > 1 else [float(v["last_power"]) for v in state["views"]]
    p_max = state["p_max"]
    out = [
        i
        for i in range(k)
        if abs(rp[-1][i] - prev[i]) / p_max > tol or not props[str(i)]["floor_ok"]
    ]
    if not state["agreed"] and not out:
        out = list(range(k))
    return out


def _intent_agent(intent: str) -> type[EdgeAgent]:
    """An edge agent whose perception ends with the operator's intent (the system prompt, the
    stable KV-cache prefix shared by every agent, stays as it is)."""

    class IntentAgent(EdgeAgent):
        def perceive(self, view: LocalView, slot: int | None = None) -> str:
            return f"{super().perceive(view, slot)} Operator intent: {intent}."

    return IntentAgent


def _partial_problem(reports: dict, comp: list[int], props: dict, victims=()):
    """The problem a coordinator can build from the reports it holds (normalized by p_max).

    Links: ``comp`` (the escalating devices), then ``victims`` (devices that list one of them
    as a neighbour: their receivers hear it). Row ``a`` comes from that link's own report: its
    direct gain, the gains of its neighbours among the links (W/W), and the rest of what it
    measured last slot (noise plus interference from transmitters outside the links) as its
    effective noise (W). A victim's cap is its current proposal: the coordinator may lower a
    victim (which only helps the devices outside the problem) but never raise it, so every
    device its plan can harm has its rate in the objective. Returns ``(g, noise, mins, caps)``:
    gains scaled by p_max, noise in W, floors in bit/s/Hz, caps as fractions of p_max.
    """
    links = list(comp) + [v for v in victims if v not in comp]
    n = len(links)
    idx = {i: a for a, i in enumerate(links)}
    p_max = float(next(iter(reports.values()))["p_max"])
    g = np.zeros((n, n))
    noise = np.zeros(n)
    mins = np.zeros(n)
    caps = np.ones(n)
    for i in links:
        r = reports[i]
        a = idx[i]
        g[a, a] = r["direct_gain"] * p_max
        outside = float(r["interference_plus_noise"])
        for j, gij, rx in zip(
            r["neighbours"], r["neighbour_gains"], r["neighbour_rx_last"], strict=True
        ):
            if j in idx:
                g[a, idx[j]] = gij * p_max
                outside -= rx
        noise[a] = max(outside, r["noise"])
        mins[a] = r.get("min_rate") or 0.0
        cap = r["p_max"] if r.get("cap") is None else min(r["p_max"], r["cap"])
        if a >= len(comp):
            cap = min(cap, max(float(props[str(i)]["power"]), 0.0))
        caps[a] = cap / r["p_max"]
    # solve in units of p_max: powers come back as fractions; scale to watts
    return g, noise, mins, caps


def _estimate(g, noise, mins, x) -> tuple[float, float]:
    """Estimated (sum-rate in bit/s/Hz, total floor shortfall in bit/s/Hz) of fractions ``x``
    on a coordinator's problem (:func:`_partial_problem`)."""
    r = link_rates(g, x, noise)
    return float(r.sum()), float(np.maximum(mins - r, 0.0).sum())


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
    floor_control: dict | None = None  # what the floor-control loop changed (:mod:`.floor_control`)


class LLMPlanner:
    """The LLM team behind the :class:`planners.Planner` contract (name ``llm``)."""

    name = "llm"

    def __init__(
        self, backend, config: TeamConfig | None = None, cloud_backend=None, cluster_backend=None
    ):
        self.backend = backend
        self.config = config or TeamConfig()
        self.cloud_backend = cloud_backend
        self.cluster_backend = cluster_backend
        self._teams: dict[int, Team] = {}

    def team(self, k: int) -> Team:
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
        g = np.asarray(gains, dtype=float)
        k = g.shape[-1]
        team = self.team(k)
        ctx = dict(context or {})
        team.import_memory(ctx.get("memory"))
        inp = decide_input(g, float(p_max), float(noise), constraints, ctx, self.config)
        cfg = {"recursion_limit": recursion_limit(k, self.config.rounds), "max_concurrency": 1}
        if config:
            cfg = {**config, **cfg}
        before = _usage(self.backend)
        out = team.graph.invoke(inp, cfg)
        after = _usage(self.backend)
        carry = {
            key: {j: {"from": e["from"], "note": e["note"]} for j, e in box.items()}
            for key, box in (out.get("mailbox") or {}).items()
        }
        powers, floor, channel = close_team_floors(g, out, inp)
        return TeamPlan(
            powers=powers,
            agreed=bool(out.get("agreed")),
            rounds=int(out["round"]),
            events=out["events"] + ([{"type": "floor_control", **floor}] if floor else []),
            decisions=out["decisions"],
            channel=channel,
            escalation=out.get("escalation"),
            carry=carry,
            llm_tokens=sum(d["tokens"] for d in out["decisions"]),
            llm_seconds=after - before,
            cluster_escalation=out.get("tier1"),
            clusters=out.get("clusters"),
            floor_control=floor,
        )


def _usage(backend) -> float:
    u = getattr(backend, "usage", None)
    return float(u.seconds) if u is not None else 0.0


def _per_link(value, k: int, default=None):
    if value is None:
        return [default] * k
    arr = np.broadcast_to(np.asarray(value, dtype=float), (k,))
    return [default if not np.isfinite(v) else float(v) for v in arr]


def significant_neighbours(view: LocalView, strongest: int, tin_eta: float | None) -> LocalView:
    """``view`` keeping the ``strongest`` interferers it senses (strongest first, as observed) and
    any other whose interference-to-noise ratio at full power reaches ``SNR ** tin_eta`` (own
    signal-to-noise ratio at full power). The others stay in the measured interference."""
    snr = view.direct_gain * view.p_max / view.noise
    keep = [
        a
        for a, g in enumerate(view.neighbour_gains)
        if a < strongest or (tin_eta is not None and g * view.p_max / view.noise >= snr**tin_eta)
    ]
    if len(keep) == len(view.neighbours):
        return view
    return replace(
        view,
        neighbours=tuple(view.neighbours[a] for a in keep),
        neighbour_gains=tuple(view.neighbour_gains[a] for a in keep),
        neighbour_rx_last=tuple(view.neighbour_rx_last[a] for a in keep),
    )


def decide_input(gains, p_max, noise, constraints, ctx: dict, cfg: TeamConfig) -> dict:
    """The decide graph's input for one slot (JSON-able)."""
    k = gains.shape[-1]
    cons = dict(constraints or {})
    mins = [m if m and m > 0 else None for m in _per_link(cons.get("min_rate"), k)]
    caps = _per_link(cons.get("max_power"), k)
    fracs = _per_link(cons.get("max_power_frac"), k)
    caps = [
        c if f is None else (f * p_max if c is None else min(c, f * p_max))
        for c, f in zip(caps, fracs, strict=True)
    ]
    obs, infos = ctx.get("obs"), ctx.get("infos")
    views = []
    neighbours = []
    for i in range(k):
        name = f"agent_{i}"
        if obs is not None and infos is not None:
            nb = [int(j) for j in infos[name]["neighbours"]]
            v = LocalView.from_observation(
                i, obs[name], nb, p_max, noise, min_rate=mins[i], cap=caps[i]
            )
            v = significant_neighbours(v, cfg.strongest, cfg.tin_eta)
            nb = list(v.neighbours)
        else:  # no observation: the agent's own row of gains, nobody transmitted yet
            n = min(5, k - 1) if cfg.n_interferers is None else cfg.n_interferers
            order = [j for j in np.argsort(-gains[i], kind="stable") if j != i][:n]
            nb = [int(j) for j in order]
            v = LocalView(
                agent=i, p_max=p_max, noise=noise, direct_gain=float(gains[i, i]),
                interference_plus_noise=noise, neighbours=tuple(nb),
                neighbour_gains=tuple(float(gains[i, j]) for j in nb),
                neighbour_rx_last=tuple(0.0 for _ in nb), min_rate=mins[i], cap=caps[i],
            )  # fmt: skip
        views.append(view_to_dict(v))
        neighbours.append(nb)
    clusters = None
    if cfg.tiers == 3:
        clusters = ctx.get("clusters") or make_clusters(ctx.get("positions"), k, cfg.cluster_size)
        if clusters is None:
            raise ValueError(
                "tiers=3 needs clusters: pass context positions (the scenario's geometry) "
                "or clusters; a scenario without geometry has none"
            )
        clusters = [sorted(int(i) for i in c) for c in clusters]
        if sorted(i for c in clusters for i in c) != list(range(k)):
            raise ValueError("clusters must partition the devices 0..K-1")
    return {
        "slot": int(ctx.get("slot", 0)),
        "seed": int(ctx.get("seed", cfg.seed)),
        "clusters": clusters,
        "p_max": p_max,
        "noise": noise,
        "views": views,
        "neighbours": neighbours,
        "p_loss": ch.loss_matrix(gains, cfg.ctrl_power or p_max, noise, cfg.loss),
        "carry": ctx.get("carry") or {},
        "settings": cfg.settings(),
        "proposals": {},
        "events": [],
        "decisions": [],
    }
