"""The trace document of an episode: per-slot records summed into the ``summary``."""

from __future__ import annotations

import numpy as np
from wireless_agents.agents.agent import OWN_FLOOR_REASON
from wireless_agents.agents.messages import message_quality
from wireless_agents.planners.events import Event

from .adoption import adoption_summary
from .intents import operator_satisfaction, operator_summary, team_goals
from .largescale import DEFAULT_TAU_MS
from .profiles import profile_summary
from .reference import ratio_to_best
from .settings import scenario_setup

# what depends on the host and the process, not on the run: wall times, and the tokens the
# model computed (its prefix cache is process state: a resumed run starts it cold)
TIMING_KEYS = ("seconds", "wall", "tokens_evaluated")


def slot_messages(events: list[Event]) -> list:
    """The proposals' texts with what became of them on the control channel."""
    out = []
    lost = {}
    for e in events:
        if e.get("type") == "deliver":
            for j, i in e.get("lost_links", []):
                lost.setdefault((e["round"], j), []).append(i)
    for e in events:
        if e.get("type") == "proposal":
            out.append(
                {
                    "round": e["round"],
                    "from": e["agent"],
                    "text": e["message"],
                    "lost_to": lost.get((e["round"], e["agent"]), []),
                }
            )
    return out


def refused_by(events: list[Event]) -> dict:
    """{agent: [links that refused its requests this slot]}, from the proposals' refuse acts;
    a refusal because the refuser's own floor needed its power is left out (it holds for this
    slot's interference only: the next slot the refuser may grant)."""
    out: dict = {}
    props = [e for e in events if e.get("type") == "proposal"]
    for e in props:
        for a in e.get("acts") or []:
            if a["act"] == "refuse" and a["to"] is not None and a["reason"] != OWN_FLOOR_REASON:
                out.setdefault(int(a["to"]), set()).add(int(e["agent"]))
    return {i: sorted(v) for i, v in out.items()}


def heard_by(events: list[Event], k: int) -> dict:
    """{agent: [(sender, text)]}: the last-round messages that reached each agent."""
    hears = next((e["hears"] for e in events if e.get("type") == "sense"), None)
    props = [e for e in events if e.get("type") == "proposal"]
    if not hears or not props:
        return {}
    last = max(e["round"] for e in props)
    lost = {
        (j, i)
        for e in events
        if e.get("type") == "deliver" and e["round"] == last
        for j, i in e.get("lost_links", [])
    }
    out: dict = {}
    for e in props:
        if e["round"] != last or not e["message"]:
            continue
        for i in range(k):
            if e["agent"] in hears[i] and (e["agent"], i) not in lost:
                out.setdefault(i, []).append((e["agent"], e["message"]))
    return out


def summarize(
    state: dict, wall_seconds: float, p_max: float, noise: float, gains: list | None = None
) -> dict:
    """The trace document of a finished (or partial) episode state. ``gains`` the slots'
    (K, K) channels, for the deviation gain (None: replayed from the settings; see
    :mod:`.adoption`)."""
    s = state["settings"]
    steps = state.get("steps") or []
    sr = [x["sum_rate"] for x in steps]
    wr = [x["wmmse_sum_rate"] for x in steps]
    mean = float(np.mean(sr)) if sr else 0.0
    wmean = float(np.mean(wr)) if wr else 0.0
    ch = [x.get("channel") or {} for x in steps]
    llm_seconds = float(sum(x.get("llm_seconds", 0.0) for x in steps))
    cloud_seconds = float(sum(c.get("cloud_seconds", 0.0) for c in ch))
    cluster_seconds = float(sum(c.get("cluster_seconds", 0.0) for c in ch))
    model_seconds = llm_seconds + cloud_seconds + cluster_seconds
    intent = None
    _, _, intent_def = scenario_setup(s)
    if intent_def is not None and steps:
        met = [all(x.get("floors_met", [])) for x in steps]
        p_max_total = s["agents"] * float(p_max)
        intent = {
            **intent_def,
            "satisfied_slots": int(sum(met)),
            "slots": len(met),
            "fraction": sum(met) / len(met),
            "mean_total_power_w": float(np.mean([x["total_power"] for x in steps])),
            "max_total_power_w": p_max_total,
            "power_saved_fraction": 1.0
            - float(np.mean([x["total_power"] for x in steps])) / p_max_total
            if p_max_total
            else None,
        }
        # the classical optimum: the minimal power vector meeting every floor (when feasible)
        opt = [(x["total_power"], x["min_total_power"]) for x in steps
               if x.get("min_total_power") is not None]  # fmt: skip
        intent["feasible_slots"] = len(opt)
        if opt:
            used, least = (float(np.mean(v)) for v in zip(*opt, strict=True))
            intent["optimal_total_power_w"] = least
            intent["optimal_saved_fraction"] = 1.0 - least / p_max_total
            intent["power_over_optimal"] = used / least if least > 0 else None
    if intent is None:
        intent = operator_satisfaction(steps)
    quality = message_quality([d for x in steps for d in x["decisions"]], p_max)
    summary = {
        "mean_sum_rate": mean,
        "wmmse_mean_sum_rate": wmean,
        "ratio_to_wmmse": mean / wmean if wmean > 0 else None,
        # the constrained best planner on the same slots (its utility's when an objective was
        # stated to the team): .reference
        **ratio_to_best(steps, (team_goals(s) or {}).get("objective")),
        "messages": int(sum(c.get("sent", 0) for c in ch)),
        "messages_delivered": int(sum(c.get("delivered", 0) for c in ch)),
        "messages_lost": int(sum(c.get("lost", 0) for c in ch)),
        "message_bytes": int(sum(c.get("bytes", 0) for c in ch)),
        "cloud_requests": int(sum(c.get("cloud_requests", 0) for c in ch)),
        "cloud_bytes": int(sum(c.get("cloud_bytes", 0) for c in ch)),
        "cloud_only_bytes": int(sum(c.get("cloud_only_bytes", 0) for c in ch)),
        "cluster_requests": int(sum(c.get("cluster_requests", 0) for c in ch)),
        "cluster_bytes": int(sum(c.get("cluster_bytes", 0) for c in ch)),
        "cluster_peer_bytes": int(sum(c.get("cluster_peer_bytes", 0) for c in ch)),
        "floor_requests": int(sum(c.get("floor_requests", 0) for c in ch)),
        "floor_bytes": int(sum(c.get("floor_bytes", 0) for c in ch)),
        "yield_messages": int(sum(c.get("yield_messages", 0) for c in ch)),
        "yield_bytes": int(sum(c.get("yield_bytes", 0) for c in ch)),
        "rerequests": int(sum(c.get("rerequests", 0) for c in ch)),
        "agreed_slots": int(sum(bool(x.get("agreed")) for x in steps)),
        "fallbacks": int(sum(bool(d.get("fallback")) for x in steps for d in x["decisions"])),
        "llm_calls": int(sum(len(d.get("raw", [])) for x in steps for d in x["decisions"])),
        # decisions that left language nothing to settle: the tool's power, no model call
        "forced_decisions": int(sum(bool(d.get("forced")) for x in steps for d in x["decisions"])),
        "llm_tokens": int(sum(x.get("llm_tokens", 0) for x in steps)),
        # what the edge model computed: prefill after its cache plus generated (agents' calls)
        "tokens_evaluated": int(
            sum(d.get("tokens_evaluated", 0) for x in steps for d in x["decisions"])
        ),  # fmt: skip
        "tokens_evaluated_per_decision": _per_decision(steps, "tokens_evaluated"),
        "llm_seconds": llm_seconds,
        "cloud_seconds": cloud_seconds,
        "cluster_seconds": cluster_seconds,
        "model_seconds": model_seconds,
        "links": _links(s, ch, llm_seconds),
        **timing_summary(s, steps),
        "wall_seconds": wall_seconds,
        "overhead_seconds": max(wall_seconds - model_seconds, 0.0),
        "overhead_fraction": max(wall_seconds - model_seconds, 0.0) / wall_seconds
        if wall_seconds > 0
        else None,
        "intent_satisfaction": intent,
        # the agents' messages: acts sent, asked, granted, refused; how many parse as acts and
        # how many carry degenerate text (agents/messages.py)
        "message_quality": quality,
        "acts": quality["acts"],
        "message_parse_rate": quality["parse_rate"],
        "degenerate_messages": quality["degenerate"],
        **operator_summary(s, steps),
        # device profiles: what each device's own agent read, and how often it held
        **profile_summary(s, steps),
        **goal_summary(s, steps),
        # time slices (mini_slots > 1): the rates above are the schedules' mean rates
        **slice_summary(s, steps),
        # what the deciders added to their tools (None for classical planners): .adoption
        **adoption_summary(s, steps, gains, p_max, noise),
    }
    doc = {
        "scenario": s["scenario"],
        "seed": s["seed"],
        "agents": s["agents"],
        "planner": s["planner"],
        "settings": s,
        "p_max": p_max,
        "noise": noise,
        "steps": steps,
        "summary": summary,
    }
    if state.get("intents"):  # typed at the pauses: what the model read, or why it could not
        doc["intents"] = state["intents"]
    return doc


def timing_summary(settings: dict, steps: list) -> dict:
    """How time was simulated (:mod:`.timing`): ``timing`` (frozen: each plan applied on the
    channel it was computed on; realtime: when it lands), the decisions' simulated
    ``latency_mean_s``/``latency_max_s`` (declared profiles, :mod:`.latency`), and with realtime
    timing ``decided_slots`` (slots the planner decided in) and ``mean_age_slots`` (how old the
    measurements behind the applied plans were, over the slots a plan was applied); with
    ``fast_loop`` its mean mini-slots, yields and messages per run; with a ``route`` the
    slots each source served a decision in (``sources``: edge, cloud, hold); with ``plan_on``
    large-scale ``plan_on`` and the estimate's time constant ``large_scale_ms`` (.largescale)."""
    lat = [x["latency_s"] for x in steps if x.get("latency_s") is not None]
    out = {
        "timing": settings.get("timing", "frozen"),
        "latency_mean_s": float(np.mean(lat)) if lat else None,
        "latency_max_s": float(np.max(lat)) if lat else None,
    }
    if out["timing"] == "realtime":
        when = [x.get("timing") or {} for x in steps]
        ages = [w["age_slots"] for w in when if w.get("age_slots") is not None]
        out["decided_slots"] = int(sum(bool(w.get("decided")) for w in when))
        out["mean_age_slots"] = float(np.mean(ages)) if ages else None
    if settings.get("fast_loop"):  # the fast timescale (.fastloop): what its loop did per slot
        loops = [x["fast_loop"] for x in steps if x.get("fast_loop")]
        out["fast_loop"] = True
        out["fast_loop_minislots_mean"] = (
            float(np.mean([f["minislots"] for f in loops])) if loops else 0.0
        )
        out["fast_loop_yields"] = int(sum(len(f["yielded"]) for f in loops))
        out["fast_loop_messages"] = int(sum(f["messages"] for f in loops))
    if settings.get("plan_on"):  # the team planned on the large-scale gains (.largescale)
        out["plan_on"] = settings["plan_on"]
        out["large_scale_ms"] = float(settings.get("large_scale_ms") or DEFAULT_TAU_MS)
    if settings.get("route"):  # who served the plans (.router): decisions per source, holds
        when = [x.get("timing") or {} for x in steps]
        out["route"] = settings["route"]
        out["sources"] = {src: int(sum(w.get("source") == src for w in when))
                          for src in ("edge", "cloud", "hold")}  # fmt: skip
    return out


def goal_summary(settings: dict, steps: list) -> dict:
    """The objective the team planned for and its mean per-slot ``utility``
    (``environment.objectives.utility``, recorded per slot), with the weights; empty when no
    objective was stated to it (the plain sum-rate: ``mean_sum_rate`` says it all)."""
    goals = team_goals(settings)
    if not goals:
        return {}
    u = [x["utility"] for x in steps if x.get("utility") is not None]
    return {
        "objective": goals["objective"],
        "weights": goals.get("weights"),
        "mean_utility": float(np.mean(u)) if u else None,
    }


def _links(settings: dict, ch: list, llm_seconds: float) -> dict:
    """What crossed each link of the tiers: requests, bytes, model seconds at the receiving end
    (edge: device-to-device messages and the devices' own model time)."""

    def tot(key):
        return sum(c.get(key, 0) for c in ch)

    edge = {"messages": int(tot("sent")), "bytes": int(tot("bytes")), "model_seconds": llm_seconds}
    cloud = {"requests": int(tot("cloud_requests")), "bytes": int(tot("cloud_bytes")),
             "model_seconds": float(tot("cloud_seconds"))}  # fmt: skip
    if settings.get("tiers") == 3:
        return {
            "edge": edge,
            "edge->L1": {"requests": int(tot("cluster_requests")),
                         "bytes": int(tot("cluster_bytes")),
                         "model_seconds": float(tot("cluster_seconds"))},
            "L1<->L1": {"bytes": int(tot("cluster_peer_bytes"))},
            "L1->L0": cloud,
        }  # fmt: skip
    return {"edge": edge, "edge->cloud": cloud}


def strip_timings(obj):
    """A trace without its timing fields and its ``tokens_evaluated`` (for comparing runs:
    :data:`TIMING_KEYS`)."""
    if isinstance(obj, dict):
        return {
            k: strip_timings(v)
            for k, v in obj.items()
            if not any(t in k for t in TIMING_KEYS) and k != "overhead_fraction"
        }
    if isinstance(obj, list):
        return [strip_timings(v) for v in obj]
    return obj


def _per_decision(steps: list, key: str) -> float | None:
    """Mean of the decisions' ``key`` over the decisions that made a model call (None: none)."""
    vals = [d.get(key, 0) for x in steps for d in x["decisions"] if d.get("raw")]
    return sum(vals) / len(vals) if vals else None


def slice_summary(settings: dict, steps: list) -> dict:
    """With ``mini_slots`` L > 1: ``mini_slots`` and ``shared_slots``, the slots whose schedule
    gave some link different powers in different slices (time-sharing, not one vector); the
    sum-rates and utilities of the summary are then means over the slices. Empty with L = 1."""
    n = int(settings.get("mini_slots") or 1)
    if n <= 1:
        return {}
    shared = sum(
        bool(np.ptp(np.asarray(x["schedule"], dtype=float), axis=-1).max(initial=0.0) > 0)
        for x in steps
        if x.get("schedule") is not None
    )
    return {"mini_slots": n, "shared_slots": int(shared)}
