"""One episode as one LangGraph graph: the outer slot loop around the team's decide graph.

::

    START -> sense -> decide -> [approve] -> step --slots left--> sense
                                                +--> END

``sense`` brings the environment to the slot (rebuilding it after a resume by ``reset(seed)`` and
replaying the committed powers: the env's randomness does not depend on actions, so the replay is
exact), ``decide`` runs the planner (the LLM team's decide graph, whose own ``commit`` is the
plan's one commit after its ``validate``; or a classical planner through the same contract),
``approve`` pauses with LangGraph ``interrupt`` so a person can approve or override the plan,
``step`` applies the decided powers to the env (clipped to ``[0, p_max]``), steps it and records
the slot (its live event is ``commit``: the slot's powers are now on the air).

Timing (:mod:`.timing`): every decision gets its simulated latency (``latency_s``, from the
declared compute profiles, :mod:`.latency`). With ``timing: frozen`` (the default) the plan is
applied in the slot it was decided from, as before. With ``timing: realtime`` the graph routes
``sense`` straight to ``step`` while a plan is in flight: ``step`` applies the plan on the air
(the last one that landed; full power before the first) and lands the plan in flight when its
slot comes (:func:`realtime_powers`); the planner decides again in the slot its last plan landed.

Everything a resumed run needs is in the state, which is plain JSON: the settings, the committed
powers, the agents' memories, the notes carried into the next slot, and the trace so far. With a
``SqliteSaver`` checkpointer an episode killed mid-way (even SIGKILL) resumes where the last
checkpoint left it and ends with the same trace as an uninterrupted run.
"""

from __future__ import annotations

import operator
import time
from typing import Annotated, TypedDict

import numpy as np
from langgraph.channels import DeltaChannel
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from wireless_agents.environment.metrics import jain_fairness
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.environment.objectives import utility
from wireless_agents.planners import get_planner, solve
from wireless_agents.planners.coordination import channel as ch
from wireless_agents.planners.coordination.stream import emit
from wireless_agents.planners.events import CommitEvent

from .context import EpisodeContext
from .display import commit_view, scene_event
from .fastloop import fast_loop
from .intents import (
    active_intents,
    constraint_record,
    intent_report,
    read_intents,
    with_intents,
)
from .largescale import perceived
from .latency import decision_latency
from .profiles import profiles_met, with_new_profiles
from .reference import best_reference
from .router import TIERS, choose, deadline_s, prior_s, settled
from .settings import TEAM_PLANNERS, slices
from .timing import landing_slot, slot_seconds
from .trace import heard_by, refused_by, slot_messages


def _append(records: list, writes: list) -> list:
    """The ``steps`` channel's reducer: the slots' records appended in order. A delta channel:
    a checkpoint stores the slot's new record, not the whole list again (with the whole list
    every slot, a checkpoint file grew with the square of the slots: 25 MB at 200 wmmse slots)."""
    return [*records, *(r for w in writes for r in w)]


class EpisodeState(TypedDict, total=False):
    """The outer graph's state (all JSON).

    ``settings`` how the episode was started; ``slot`` the slot being decided; ``committed`` the
    power vector committed per slot (W); ``memory`` each agent's memory; ``carry`` the notes each
    agent heard at the end of the last slot; ``plan``/``pending`` the slot's plan awaiting
    approval and its step on the env; ``steps`` the trace records, one per slot; ``intents`` the operator
    intents typed during the episode (answers to the approval pause), read by the model into
    constraints that hold from the slot after the one they were typed in (see :func:`read_intents`).
    With realtime timing: ``inflight`` the plan decided but not landed yet (``plan`` W, ``slot``
    decided from, ``lands`` the slot it is applied from, ``latency_s``), ``held`` the plan on the
    air (``plan``, ``slot`` decided from); both None until there is one.
    With a ``route`` (:mod:`.router`): ``source`` who serves this slot's decision (``source``
    hold/edge/cloud, ``why``; None while a plan is in flight), ``router`` what the router has
    seen (each tier's last latency, whether the edge team settled); ``inflight``/``held`` add
    the plan's ``source`` and whether its decision ``settled``.
    """

    settings: dict
    slot: int
    committed: list
    memory: dict
    carry: dict
    plan: list | None
    pending: dict | None
    steps: Annotated[list, DeltaChannel(_append)]
    intents: Annotated[list, operator.add]
    inflight: dict | None
    held: dict | None
    source: dict | None
    router: dict


def sense(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> dict:
    rt = runtime.context
    rt.env_at(state["committed"])
    slot = len(state["committed"])
    emit(scene_event(rt, slot, state["settings"]["steps"], state.get("intents") or []))
    route = state["settings"].get("route")
    if route is None:
        return {"slot": slot}
    return {"slot": slot, "source": route_source(state, slot, rt)}


def route_source(state: EpisodeState, slot: int, rt: EpisodeContext) -> dict | None:
    """With a ``route``: who serves this slot's decision (:mod:`.router`), ``{"source": hold |
    edge | cloud, "why"}``; None while a plan is in flight (no decision this slot)."""
    s = state["settings"]
    inflight, held = state.get("inflight"), state.get("held")
    if inflight is not None:
        if inflight["lands"] > slot:
            return None
        held = inflight  # it lands this slot: the plan on the air from now on
    if s["route"] == "cloud":
        return {"source": "cloud", "why": "route cloud"}
    seen = state.get("router") or {}
    slot_s = slot_seconds(rt.env)
    doppler = float(getattr(rt.env.scenario.config, "doppler_hz", 0.0) or 0.0)
    deadline = deadline_s(doppler, s.get("deadline_ms"))
    uses_model = s["planner"] == "llm"
    expected = {
        tier: seen.get(f"{tier}_s", prior_s(tier, rt.timing, s["rounds"], uses_model,
                                            rt.cloud_backend is not None))
        for tier in TIERS
    }  # fmt: skip
    source, why = choose(held, slot, slot_s, deadline, expected, seen.get("edge_settled", True))
    return {"source": source, "why": why, "deadline_s": deadline, "expected_s": expected}


def decide(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> dict:
    rt = runtime.context
    rt.env_at(state["committed"])
    s = state["settings"]
    env, slot = rt.env, state["slot"]
    g = np.asarray(env.gains, dtype=float)
    obs, infos = rt.obs, rt.infos
    if rt.large_scale is not None:  # plan_on large-scale: the devices' estimate (.largescale)
        g = rt.large_scale.gains
        obs, infos = perceived(env, g, rt.large_scale.last)
    constraints = with_intents(rt.constraints, state.get("intents"), env.n_agents, slot)
    t0 = time.perf_counter()
    source = (state.get("source") or {}).get("source")
    if s["planner"] in TEAM_PLANNERS:
        planner = rt.cloud_planner if source == "cloud" else rt.planner
        ctx = {
            "obs": obs,
            "infos": infos,
            "slot": slot,
            "seed": s["seed"],
            "carry": state.get("carry") or {},
            "memory": state.get("memory") or {},
            # transmitters / base stations (static): the three-tier team's clusters
            "positions": None if env.positions is None else env.positions[0],
        }
        cons = {**constraints, **rt.goals}  # the objective the operator stated (the team's)
        tp = planner.plan_detailed(g, env.p_max, env.noise, cons, context=ctx)
        powers = tp.powers
        pending = {
            "agreed": tp.agreed,
            "rounds": tp.rounds,
            "events": tp.events,
            "decisions": tp.decisions,
            "channel": tp.channel,
            "escalation": tp.escalation,
            "cluster_escalation": tp.cluster_escalation,
            "clusters": tp.clusters,
            "llm_tokens": tp.llm_tokens,
            "llm_seconds": tp.llm_seconds,
            "carry": tp.carry,
            "validation": tp.floor_control,
        }
        if tp.timeshare is not None:  # time slices: who shared time with whom
            pending["timeshare"] = tp.timeshare
        if tp.profiles:  # device profiles the agents read this slot (once per device)
            pending["profiles"] = tp.profiles
    else:
        if s["planner"] == "timeshare":  # a (K, L) schedule over the slot's time slices
            powers = timeshare_plan(g, env.p_max, env.noise, constraints, rt.goals, slices(s))
        else:
            opts = {"seed": s["seed"] * 100003 + slot} if s["planner"] == "random" else {}
            powers = get_planner(s["planner"], **opts).plan(
                g, env.p_max, env.noise, constraints, context=None
            )
        pending = {"agreed": True, "rounds": 0, "events": [], "decisions": [], "channel": {}}
        pending.update(llm_tokens=0, llm_seconds=0.0, escalation=None, carry={})
    pending["decide_seconds"] = time.perf_counter() - t0
    pending.update(decision_latency(pending, s["planner"], rt.timing))  # simulated, not wall
    if source is not None:
        pending["source"] = source
    return {"plan": plan_json(powers, slices(s)), "pending": pending}


def plan_json(powers, n_slices: int) -> list:
    """A plan as the state keeps it: ``(K,)`` watts, or with ``n_slices > 1`` and a schedule
    ``(K, L)`` nested lists (a single vector stays ``(K,)``: the env uses it in every slice)."""
    arr = np.asarray(powers, dtype=float)
    if n_slices > 1 and arr.ndim == 2 and arr.shape[1] > 1:
        return [[float(x) for x in row] for row in arr]
    return [float(x) for x in arr.reshape(-1)]


def timeshare_plan(g, p_max: float, noise: float, constraints: dict, goals: dict, n_slices):
    """The ``timeshare`` planner's (K, L) schedule (W) under the run's objective and the slot's
    floors and caps (``planners.timeshare_api``)."""
    from wireless_agents.planners.api import solve_detailed

    keys = ("min_rate", "max_power_frac", "max_power")
    cons = {k: v for k, v in constraints.items() if k in keys and v is not None}
    sol = solve_detailed(g, p_max, noise, algo="timeshare", mini_slots=int(n_slices),
                         objective=goals.get("objective", "sum_rate"),
                         weights=goals.get("weights"), **cons)  # fmt: skip
    return np.asarray(sol.powers, dtype=float).reshape(g.shape[0], int(n_slices))


def applied(plan, env) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """What a plan does on the slot's channel: ``(powers, schedule, peak, rates)``. A ``(K,)``
    plan: its powers, no schedule, its powers as the peak, its rates. A ``(K, L)`` schedule
    (the env has L time slices): the links' mean powers over the slices, the schedule, each
    link's largest slice power (what a cap is checked on) and its mean rate (bit/s/Hz)."""
    p = np.clip(np.nan_to_num(np.asarray(plan, dtype=float), nan=0.0), 0.0, env.p_max)
    g = np.asarray(env.gains, dtype=float)
    if p.ndim == 1:
        return p, None, p, link_rates(g, p, env.noise)
    r = link_rates(g[None], p.T, env.noise).mean(axis=0)
    return p.mean(axis=-1), p, p.max(axis=-1), r


def approve(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> dict:
    rt = runtime.context
    p_max = rt.env.p_max if rt.env is not None else None
    answer = interrupt(
        {
            "slot": state["slot"],
            "plan": state["plan"],
            "plan_frac": (np.asarray(state["plan"], dtype=float) / p_max).tolist()
            if p_max
            else None,
            "p_max": p_max,
            "question": "approve this plan? (yes / no / comma-separated powers as fractions)",
        }
    )
    pending = dict(state["pending"])
    plan = list(state["plan"])
    if isinstance(answer, dict) and answer.get("powers") is not None:
        plan = [float(x) for x in answer["powers"]]
        pending["approval"] = {"approved": False, "override": plan, "by": answer.get("by")}
    else:
        ok = bool(answer.get("approved", True)) if isinstance(answer, dict) else bool(answer)
        pending["approval"] = {"approved": ok, "by": (answer or {}).get("by")
                               if isinstance(answer, dict) else None}  # fmt: skip
        if not ok:  # rejected without an override: keep last slot's powers
            plan = list(state["committed"][-1]) if state["committed"] else [0.0] * len(plan)
    typed = answer.get("intents") if isinstance(answer, dict) else None
    if typed:
        return {
            "plan": plan,
            "pending": pending,
            "intents": read_intents(typed, state["slot"], rt.settings, rt.backend),
        }
    return {"plan": plan, "pending": pending}


def step(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> dict:
    """Node: the decided (or approved) powers go on the air: step the env, record the slot, and
    keep the agents' memories and the notes they carry into the next slot."""
    rt = runtime.context
    rt.env_at(state["committed"])
    s = state["settings"]
    env, slot = rt.env, state["slot"]
    g = np.asarray(env.gains, dtype=float)
    realtime = s.get("timing") == "realtime"
    if realtime:
        p, timing_update, when = realtime_powers(state, slot, env, rt)
    else:
        p = state["plan"]
    p, sched, peak, r = applied(p, env)
    fast = None
    if s.get("fast_loop") and sched is None:  # each link's own closed loop on this slot's
        p, fast = slot_fast_loop(state, p, g, rt)  # channel (.fastloop); a schedule holds
        peak, r = p, link_rates(g, p, env.noise)
    if sched is None and env.time_slices > 1:  # a single vector, used in every slice
        sched = np.repeat(p[:, None], env.time_slices, axis=1)
    w = solve(g, env.p_max, env.noise, algo="wmmse")
    wr = float(link_rates(g, w, env.noise).sum())
    pend = state["pending"] or {}
    record = {
        "slot": slot,
        "powers": p.tolist(),
        "rates": r.tolist(),
        "sum_rate": float(r.sum()),
        "wmmse_sum_rate": wr,
        "total_power": float(p.sum()),
        "fairness": float(jain_fairness(r)),
        "agreed": pend.get("agreed"),
        "rounds": pend.get("rounds"),
        "channel": pend.get("channel"),
        "escalation": pend.get("escalation"),
        "cluster_escalation": pend.get("cluster_escalation"),
        "clusters": pend.get("clusters"),
        "approval": pend.get("approval"),
        "llm_tokens": pend.get("llm_tokens", 0),
        "llm_seconds": pend.get("llm_seconds", 0.0),
        "decide_seconds": pend.get("decide_seconds", 0.0),
        # the decision's simulated latency (declared profiles, .latency; None: no decision)
        "latency_s": pend.get("latency_s"),
        "latency": pend.get("latency"),
        "messages": slot_messages(pend.get("events", [])),
        "decisions": pend.get("decisions", []),
        "events": pend.get("events", []),
    }
    if sched is not None:  # the slot's (K, L) schedule: powers and rates are its means
        record["schedule"] = sched.tolist()
        if pend.get("timeshare") is not None:
            record["timeshare"] = pend["timeshare"]
    if realtime:
        record["timing"] = when
    # the constrained best planner on the same channel, constraints and objective (.reference)
    cons = with_intents(rt.constraints, state.get("intents"), env.n_agents, slot)
    record.update(best_reference(g, env.p_max, env.noise, cons, rt.goals))
    if fast is not None:
        record["fast_loop"] = fast
    record.update(constraint_record(s, pend, peak, r, env.p_max))
    if rt.goals:  # the slot's value under the objective the team planned for
        record["utility"] = float(
            utility(rt.goals["objective"], r, p, env.p_max, rt.goals.get("weights"))
        )
    if rt.intent is not None:
        from wireless_agents.planners import feasibility

        floors = np.asarray(rt.constraints["min_rate"], dtype=float)
        record["floors_met"] = (r >= floors - 1e-9).tolist()
        k = len(p)
        ok, p_star = feasibility(
            g[None], np.full((1, k), env.noise), np.full((1, k), env.p_max), floors[None]
        )
        record["floors_feasible"] = bool(ok[0])
        record["min_total_power"] = float(p_star[0].sum()) if ok[0] else None
    active = active_intents(state.get("intents"), slot)
    if active:
        record["intents"] = intent_report(active, r, p, env.p_max)
    memory = state.get("memory") or {}
    if s["planner"] in TEAM_PLANNERS:
        team = rt.planner.team(env.n_agents)
        team.import_memory(memory)
        heard = heard_by(pend.get("events", []), env.n_agents)
        refusals = refused_by(pend.get("events", []))
        for i, a in enumerate(team.agents):
            a.remember(slot, float(p[i] / env.p_max), float(r[i]), heard.get(i, []),
                       refusals.get(i, []))  # fmt: skip
        memory = with_new_profiles(team.export_memory(), pend.get("profiles"))
        if pend.get("profiles"):
            record["profile_reads"] = pend["profiles"]
        if s.get("devices") and s["planner"] == "llm":
            record["profiles_met"] = profiles_met(memory, p, r, env.p_max)
    on_air = p if sched is None else sched
    rt.step_env(on_air)
    emit(
        CommitEvent(
            type="commit",
            slot=slot,
            sum_rate=record["sum_rate"],
            wmmse_sum_rate=wr,
            powers=record["powers"],
            **commit_view(record, g, env.p_max, env.noise),
        )
    )
    out = {
        "committed": [*state["committed"], on_air.tolist()],
        "memory": memory,
        "carry": pend.get("carry") or {},
        "plan": None,
        "pending": None,
        "steps": [record],
    }
    if realtime:
        out.update(timing_update)
        if s.get("route") is not None:
            out["router"] = router_seen(state)
        if state["pending"] is None:  # no decision this slot: the carried notes stay
            out["carry"] = state.get("carry") or {}
    return out


def realtime_powers(state: EpisodeState, slot: int, env, rt: EpisodeContext):
    """Realtime timing: the powers on the air in ``slot``, the state's new ``inflight``/``held``,
    and the record's ``timing`` part.

    A plan decided this slot (``state["plan"]``) is put in flight to land in
    ``landing_slot(slot, latency, T)``; the plan in flight lands when its slot has come; the
    held plan is applied (full power before any landed). Record: ``decided`` whether the planner
    decided this slot, ``plan`` what it decided (W; None: no decision), ``lands`` that
    decision's landing slot (None: no decision),
    ``applied_from`` the slot the applied plan was decided from (None: full power, none landed
    yet), ``age_slots`` how many slots old the measurements behind it are, ``slot_s`` T."""
    slot_s = slot_seconds(env)
    inflight, held = state.get("inflight"), state.get("held")
    decided = state.get("pending") is not None
    lands = None

    def land(inflight, held):
        if inflight is not None and inflight["lands"] <= slot:
            kept = ("plan", "slot", "settled", "source")  # the last two only with a route
            return None, {key: inflight[key] for key in kept if key in inflight}
        return inflight, held

    inflight, held = land(inflight, held)  # the last plan first (its slot came: we decided)
    if decided:
        latency = float(state["pending"].get("latency_s") or 0.0)
        lands = landing_slot(slot, latency, slot_s)
        inflight = {"plan": list(state["plan"]), "slot": slot, "lands": lands,
                    "latency_s": latency}  # fmt: skip
        if "source" in state["pending"]:  # a route: who decided, and whether it settled
            inflight.update(source=state["pending"]["source"],
                            settled=settled(state["pending"]))  # fmt: skip
        inflight, held = land(inflight, held)  # at once when it takes no time
    p = held["plan"] if held is not None else [env.p_max] * env.n_agents
    when = {
        "decided": decided,
        "plan": list(state["plan"]) if decided else None,
        "lands": lands,
        "applied_from": held["slot"] if held is not None else None,
        "age_slots": slot - held["slot"] if held is not None else None,
        "slot_s": slot_s,
    }
    if state["settings"].get("route") is not None:
        src = state.get("source") or {}
        when["source"] = src.get("source")  # hold / edge / cloud; None: a plan was in flight
        when["why"] = src.get("why")
        when["applied_source"] = held.get("source") if held is not None else None
    return p, {"inflight": inflight, "held": held}, when


def router_seen(state: EpisodeState) -> dict:
    """What the router knows after this slot: each tier's last simulated latency
    (``edge_s``/``cloud_s``) and whether the edge team's last decision settled (a cloud
    decision clears it: the edge team gets the next turn)."""
    seen = dict(state.get("router") or {})
    pend = state.get("pending")
    if pend is not None and pend.get("source") in TIERS:
        seen[f"{pend['source']}_s"] = float(pend.get("latency_s") or 0.0)
        # an unsettled edge team hands the next decision to the cloud, then gets its turn again
        seen["edge_settled"] = settled(pend) if pend["source"] == "edge" else True
    return seen


def slot_fast_loop(state: EpisodeState, p: np.ndarray, g: np.ndarray, rt: EpisodeContext):
    """The fast timescale (:mod:`.fastloop`): the links' closed loop on this slot's channel from
    the powers ``p`` on the air; ``(powers, record)``."""
    env, s, slot = rt.env, state["settings"], state["slot"]
    k = env.n_agents
    constraints = with_intents(rt.constraints, state.get("intents"), k, slot)
    names = list(rt.infos)
    neighbours = [[int(j) for j in rt.infos[a]["neighbours"]] for a in names]
    cfg = rt.planner.config if rt.planner is not None else None
    ctrl = (cfg.ctrl_power if cfg is not None else None) or env.p_max
    p_loss = ch.loss_matrix(g, ctrl, env.noise, float(s.get("loss") or 0.0))
    return fast_loop(g, p, env.p_max, env.noise, constraints, rt.goals, neighbours, p_loss,
                     s["seed"], slot, rt.timing.minislot_ms)  # fmt: skip


def route_sense(state: EpisodeState):
    """Realtime timing: decide only when no plan is in flight (the last one landed)."""
    inflight = state.get("inflight")
    if inflight is not None and inflight["lands"] > len(state["committed"]):
        return "step"
    if (state.get("source") or {}).get("source") == "hold":  # the router: the last plan serves
        return "step"
    return "decide"


def next_slot(state: EpisodeState):
    return "sense" if len(state["committed"]) < state["settings"]["steps"] else END


def build_episode_graph(settings: dict, checkpointer=None):
    """Compile the outer slot loop for a run with ``settings`` (the approval pause is a node
    only with ``settings["approve"]``); run it with ``context=EpisodeContext(settings, ...)``."""
    g = StateGraph(EpisodeState, context_schema=EpisodeContext)
    g.add_node("sense", sense)
    g.add_node("decide", decide)
    g.add_node("step", step)
    g.add_edge(START, "sense")
    if settings.get("timing") == "realtime":  # decide only when the last plan has landed
        g.add_conditional_edges("sense", route_sense, ["decide", "step"])
    else:
        g.add_edge("sense", "decide")
    if settings.get("approve"):
        g.add_node("approve", approve)
        g.add_edge("decide", "approve")
        g.add_edge("approve", "step")
    else:
        g.add_edge("decide", "step")
    g.add_conditional_edges("step", next_slot, ["sense", END])
    return g.compile(checkpointer=checkpointer, name="episode")


def recursion_limit(steps: int) -> int:
    """Supersteps of the outer loop: sense, decide, approve, step per slot, plus headroom."""
    return 4 * steps + 10


def initial_state(settings: dict) -> dict:
    return {
        "settings": settings,
        "slot": 0,
        "committed": [],
        "memory": {},
        "carry": {},
        "plan": None,
        "pending": None,
        "steps": [],
        "intents": [],
    }
