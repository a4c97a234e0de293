"""Edge or cloud by deadline: per slot, who serves the network's plan (``route`` setting).

With ``timing: realtime`` a team planner (``llm`` or ``tool``) can be served by three sources:
the **edge** team (the agents negotiate on their devices: the run's strategy), the **cloud**
(every device sends its report up, the cloud tier plans every power: the ``cloud`` strategy of
:mod:`wireless_agents.planners.coordination.cloud`, its solver and, when the run has one, its
model, whose tokens are charged on the cloud's declared profile), or the **last plan** (no
decision this slot; the plan on the air keeps serving). Settings key ``route``:

``edge`` (default)  every decision at the edge (today's behaviour).
``cloud``           every decision in the cloud.
``router``          per slot, :func:`choose` (in a slot where no plan is in flight).

The router's rule (:func:`choose`), with the deadline ``D`` = the fading's coherence time
``0.423 / f_d`` (Clarke's; the env's ``doppler_hz``; settings ``deadline_ms`` overrides it):

1. **hold** (the last plan serves) when the plan on the air came from a *settled* decision and
   its measurements are younger than ``D``: the channel has not decorrelated since, a new
   decision would see the same network.
2. else the **edge** when its expected latency fits in ``D`` and its last decision settled
   (nothing unsettled: it agreed, escalated nothing, met its floors);
3. else the **cloud** when its expected latency fits in ``D``;
4. else whichever is expected to be faster (ties: the edge).

An unsettled edge decision sends the next decision to the cloud (when the cloud fits); after
the cloud has served, the edge team gets its turn again.

A decision *settled* when the team agreed within its round budget, nothing escalated and no
floor stayed missed after its closed loop (a cloud plan: when the cloud accepted its plan).
A tier's *expected latency* is its last decision's simulated latency in this run; before it has
one, its declared estimate (:func:`prior_s`): the edge team ``rounds`` rounds of one
``PROMPT_TOKENS``-token call each (the model-free team: one tool run per round) plus one
control exchange per round; the cloud its round trip, its solver and, with a cloud model, one
``PROMPT_TOKENS``-token call on the cloud profile.

All pure functions of the state and the declared figures: a run stays deterministic.
"""

from __future__ import annotations

import math

from .timing import TimingModel

ROUTES = ("edge", "cloud", "router")
TIERS = ("edge", "cloud")
CLARKE = 0.423  # coherence time T_c = 0.423 / f_d (Clarke's model, 50% correlation)
PROMPT_TOKENS = 450  # a decision's call before the tier has a measured latency (issue 12)


def deadline_s(doppler_hz: float, override_ms: float | None = None) -> float:
    """The deadline ``D`` in seconds: ``override_ms`` when given, else ``0.423 / f_d``
    (infinite without fading)."""
    if override_ms is not None:
        return float(override_ms) / 1000.0
    return CLARKE / doppler_hz if doppler_hz > 0 else math.inf


def prior_s(tier: str, model: TimingModel, rounds: int, uses_model: bool,
            cloud_model: bool) -> float:  # fmt: skip
    """A tier's declared latency estimate (s) before it has decided in this run."""
    if model.decision_ms is not None:
        return model.decision_ms / 1000.0
    if tier == "edge":
        call = (model.edge.call_s(PROMPT_TOKENS, model.answer_tokens) if uses_model
                else model.tool_ms / 1000.0)  # fmt: skip
        return rounds * (call + model.air_ms / 1000.0)
    c = model.cloud
    out = c.round_trip_ms / 1000.0 + model.classical_ms / 1000.0
    return out + (c.call_s(PROMPT_TOKENS, model.answer_tokens) if cloud_model else 0.0)


def settled(pending: dict) -> bool:
    """Whether a decision (the episode's ``pending`` record) left nothing unsettled."""
    if not pending.get("agreed"):
        return False
    esc = pending.get("escalation")
    if esc and esc.get("type") != "cloud_plan":
        return False
    if esc and esc.get("type") == "cloud_plan" and not esc.get("accept", True):
        return False
    return int((pending.get("validation") or {}).get("floors_missed_after") or 0) == 0


def choose(held: dict | None, slot: int, slot_s: float, deadline: float,
           expected: dict, edge_settled: bool) -> tuple[str, str]:  # fmt: skip
    """``(source, why)``: ``hold``, ``edge`` or ``cloud`` for a slot with no plan in flight.

    ``held`` the plan on the air (``slot`` decided from, ``settled``); ``expected`` each tier's
    expected latency (s); ``edge_settled`` whether the edge team's last decision settled (True
    before it has decided)."""
    if held is not None and held.get("settled") and (slot - held["slot"]) * slot_s < deadline:
        return "hold", "the plan on the air settled and is younger than the deadline"
    edge, cloud = expected["edge"], expected["cloud"]
    if edge <= deadline and edge_settled:
        return "edge", "the edge team fits the deadline and is settled"
    if cloud <= deadline:
        why = "the edge team is unsettled" if edge <= deadline else "the edge team is too slow"
        return "cloud", f"{why}; the cloud fits the deadline"
    if edge <= cloud:
        return "edge", "neither fits the deadline; the edge team is faster"
    return "cloud", "neither fits the deadline; the cloud is faster"
