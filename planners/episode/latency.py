"""A decision's simulated latency: what its calls and exchanges cost on the declared profiles.

Computed from what the decide graph recorded (its ``decisions`` and ``events``), never from the
host's clock (:mod:`.timing` declares the figures):

* **edge compute**: each agent's decision costs its model calls on the edge profile
  (``prompt_tokens / prefill + completion_tokens / decode``, summed over its calls) plus
  ``tool_ms`` per tool it ran. The agents of one Gauss-Seidel wave compute in parallel (a wave
  costs its slowest agent); waves and rounds add up.
* **air**: ``air_ms`` per control-channel exchange (each wave's ``deliver``, the leader's plan),
  ``minislot_ms`` per mini-slot of the closed loop (``validation.minislots``).
* **coordination**: an escalation adds the tier's round trip plus its compute: the solver
  (``classical_ms``) and its model's answer on that tier's profile (the slowest request; requests
  to one tier are served in parallel). The three-tier path pays the cluster coordinators (L1),
  then the cloud (L0) for what L1 could not settle; the ``cloud`` strategy pays the cloud alone.
* ``decision_ms`` (when declared) replaces all of the above for every decision of the run.
* a **classical planner** is central: measurements up, plan down (the cloud's round trip) plus
  ``classical_ms``.

All in seconds.
"""

from __future__ import annotations

from collections import defaultdict

from .settings import TEAM_PLANNERS
from .timing import ComputeProfile, TimingModel


def coordinator_s(profile: ComputeProfile, tokens: int, answer_tokens: int) -> float:
    """A coordinator's model call from its total tokens (prompt + completion, all its events
    keep): up to ``answer_tokens`` of them at the decode rate, the rest at the prefill rate."""
    tokens = int(tokens or 0)
    out = min(tokens, int(answer_tokens))
    return profile.call_s(tokens - out, out)


def agent_s(decision: dict, model: TimingModel) -> float:
    """One agent's decision on its device: its model calls on the edge profile plus its tools."""
    calls = model.edge.call_s(
        int(decision.get("prompt_tokens") or 0), int(decision.get("completion_tokens") or 0)
    )
    return calls + model.tool_ms / 1000.0 * len(decision.get("tool_calls") or [])


def decision_latency(pending: dict, planner: str, model: TimingModel) -> dict:
    """``{"latency_s": total, "latency": {"edge_s", "air_s", "coordination_s"}}`` of one
    decision (``pending``: what the episode's ``decide`` node recorded); with a declared
    ``decision_ms``, ``{"latency_s": it, "latency": {"declared_s": it}}``."""
    if model.decision_ms is not None:
        declared = model.decision_ms / 1000.0
        return {"latency_s": declared, "latency": {"declared_s": declared}}
    if planner not in TEAM_PLANNERS:
        central = model.cloud.round_trip_ms / 1000.0 + model.classical_ms / 1000.0
        return _total(0.0, 0.0, central)
    events = pending.get("events") or []
    sense = next((e for e in events if e.get("type") == "sense"), None)
    wave_of = {}
    for w, group in enumerate((sense or {}).get("groups") or []):
        for i in group:
            wave_of[int(i)] = w
    steps: dict[tuple[int, int], float] = defaultdict(float)
    for d in pending.get("decisions") or []:
        key = (int(d.get("round", 0)), wave_of.get(int(d["agent"]), 0))
        steps[key] = max(steps[key], agent_s(d, model))
    edge = sum(steps.values())
    exchanges = sum(1 for e in events if e.get("type") in ("deliver", "lead"))
    air = exchanges * model.air_ms / 1000.0
    minislots = int(((pending.get("validation") or {}).get("minislots")) or 0)
    air += minislots * model.minislot_ms / 1000.0
    coordination = 0.0
    solver = model.classical_ms / 1000.0
    for e in events:
        t = e.get("type")
        if t == "cloud_plan":
            coordination += _tier(model.cloud, [e.get("cloud_tokens", 0)], solver, model)
        elif t == "escalate":
            toks = [r.get("cloud_tokens", 0) for r in e.get("requests") or []]
            coordination += _tier(model.cloud, toks, solver, model)
        elif t == "cluster":
            toks = [r.get("cluster_tokens", 0) for r in e.get("requests") or []]
            coordination += _tier(model.coordinator, toks, solver, model)
    return _total(edge, air, coordination)


def _tier(profile: ComputeProfile, tokens: list, solver_s: float, model: TimingModel) -> float:
    """One escalation to a tier: its round trip, then its slowest request (solver + model)."""
    if not tokens:
        return 0.0
    slowest = max(coordinator_s(profile, t, model.answer_tokens) for t in tokens)
    return profile.round_trip_ms / 1000.0 + solver_s + slowest


def _total(edge: float, air: float, coordination: float) -> dict:
    return {
        "latency_s": edge + air + coordination,
        "latency": {"edge_s": edge, "air_s": air, "coordination_s": coordination},
    }
