"""What the agents' deciders add to their tools: adoption, deviations and what they gained.

A team agent (``llm`` or ``tool`` planner) that calls a tool gets a ``suggested_power`` (a
fraction of p_max) and then decides a power of its own; each ``proposal`` event carries both
(``power_frac``, ``suggested``). Per run:

``adoption``
    Among the decisions that carry a suggestion (one agent's proposal in one negotiation round
    of one slot; a decision whose agent called no tool carries none and is counted apart as
    ``unsuggested``), the share whose power is the suggestion:
    ``|power_frac - suggested| <= max(ADOPT_REL * suggested, ADOPT_FLOOR)``, i.e. within 1% of
    the suggestion, and never closer than 0.001 of p_max, the grid the model writes powers on.
    None when no decision carries a suggestion. The ``tool`` planner adopts by construction
    (1.0), except that its power is clipped to the link's cap.
``deviations``
    The number of decisions with a suggestion that did not adopt it.
``deviation_gain``
    What the deviations gained (positive) or lost (negative) against the suggestions, per slot,
    in the objective's unit (bit/s/Hz for ``sum_rate``, the default; the run's ``objective``
    and ``weights`` settings when given, :mod:`wireless_agents.environment.objectives`): the
    utility of the team's plan as it reached the closed loop (``validate``: the floor-control
    record's ``before``, else the committed plan), minus the utility of the same plan with each
    deviating agent's final proposal (its proposal in the last round it proposed in that slot)
    replaced by that proposal's suggestion, both on the slot's true channel. A final proposal
    that a leader or a coordinator overruled is not in the plan and is not replaced. The mean
    over the run's slots (0.0 without deviations); ``deviation_gain_total`` is the sum.

Classical planners make no such decisions: every key is None for them.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.environment.objectives import resolve_objective, utility

ADOPT_REL = 0.01  # relative tolerance of an adopted suggestion
ADOPT_FLOOR = 0.001  # absolute tolerance floor, fraction of p_max (the model's power grid)

KEYS = ("adoption", "deviations", "suggested_decisions", "unsuggested", "deviation_gain",
        "deviation_gain_total")  # fmt: skip


def adopted(power_frac: float, suggested: float) -> bool:
    """Whether a decided power (fraction of p_max) is the tool's suggestion (see the module)."""
    return abs(power_frac - suggested) <= max(ADOPT_REL * abs(suggested), ADOPT_FLOOR)


def proposals(step: dict) -> list[dict]:
    """The slot's ``proposal`` events (every agent, every round)."""
    return [e for e in step.get("events", []) if e.get("type") == "proposal"]


def plan_at_validation(step: dict) -> list[float] | None:
    """The team's plan (W per link) as it reached the closed loop: the ``floor_control``
    record's ``before``, else the committed ``plan`` event's powers (no loop ran)."""
    events = step.get("events", [])
    fc = next((e for e in events if e.get("type") == "floor_control"), None)
    if fc is not None:
        return list(fc["before"])
    plan = next((e for e in events if e.get("type") == "plan"), None)
    return None if plan is None else list(plan["powers"])


def final_deviations(step: dict) -> dict[int, tuple[float, float]]:
    """``{agent: (power_frac, suggested)}`` of the agents whose final proposal of the slot
    carries a suggestion and did not adopt it."""
    last: dict[int, dict] = {}
    for e in proposals(step):
        if e["agent"] not in last or e["round"] >= last[e["agent"]]["round"]:
            last[e["agent"]] = e
    return {
        a: (float(e["power_frac"]), float(e["suggested"]))
        for a, e in last.items()
        if e.get("suggested") is not None and not adopted(e["power_frac"], e["suggested"])
    }


def slot_gain(step: dict, gains, p_max: float, noise: float, objective: str = "sum_rate",
              weights=None) -> float:  # fmt: skip
    """One slot's deviation gain (see the module): utility of the plan at validation minus
    that of the same plan with the deviating final proposals replaced by their suggestions.
    ``gains`` (K, K) the slot's true channel, ``p_max`` and ``noise`` in W."""
    plan = plan_at_validation(step)
    dev = final_deviations(step)
    if plan is None or not dev:
        return 0.0
    p = np.asarray(plan, dtype=float)
    q = p.copy()
    for a, (frac, suggested) in dev.items():
        if np.isclose(p[a], frac * p_max, rtol=1e-9, atol=1e-12 * p_max):  # still in the plan
            q[a] = suggested * p_max
    g = np.asarray(gains, dtype=float)
    both = np.stack([p, q])
    u = utility(objective, link_rates(g[None], both, noise), both, p_max, weights)
    return float(u[0] - u[1])


def adoption_summary(settings: dict, steps: list, gains: list | None, p_max: float,
                     noise: float) -> dict:  # fmt: skip
    """The summary's adoption keys (:data:`KEYS`) of a run's slot records; ``gains`` the
    slots' true channels ((K, K) each; None: replayed from the settings, :func:`~.context.replay_gains`).
    Every key None for a classical planner."""
    from .settings import TEAM_PLANNERS

    if settings["planner"] not in TEAM_PLANNERS:
        return dict.fromkeys(KEYS)
    decisions = [e for st in steps for e in proposals(st)]
    with_s = [e for e in decisions if e.get("suggested") is not None]
    n_adopted = sum(adopted(e["power_frac"], e["suggested"]) for e in with_s)
    if gains is None:
        from .context import replay_gains

        gains, _, _ = replay_gains(settings, len(steps))
    objective = resolve_objective(settings.get("objective"), settings.get("weights"))
    per_slot = [slot_gain(st, g, p_max, noise, objective, settings.get("weights"))
                for st, g in zip(steps, gains, strict=True)]  # fmt: skip
    return {
        "adoption": n_adopted / len(with_s) if with_s else None,
        "deviations": len(with_s) - n_adopted,
        "suggested_decisions": len(with_s),
        "unsuggested": len(decisions) - len(with_s),
        "deviation_gain": float(np.mean(per_slot)) if per_slot else 0.0,
        "deviation_gain_total": float(np.sum(per_slot)),
    }
