"""perceive: an agent's local view as a compact text the model can use.

Numbers are rounded and their units named; powers are fractions of the agent's p_max (the
unit the model answers in). Nothing here is global knowledge: only the :class:`LocalView`.
"""

from __future__ import annotations

import math

from wireless_agents.tools.view import LocalView

# the network objective in a few words (environment.objectives.OBJECTIVES)
GOALS = {
    "sum_rate": "most total rate",
    "weighted_sum_rate": "most weighted total rate",
    "max_min": "raise the worst link's rate",
    "min_power": "least total power keeping every minimum rate",
}


def _db(x: float, digits: int = 1) -> str:
    return f"{10 * math.log10(x):.{digits}f} dB" if x > 0 else "off"


def _dbm(w: float, digits: int = 1) -> str:
    return f"{10 * math.log10(w) + 30:.{digits}f} dBm" if w > 0 else "nothing"


def perceive(view: LocalView, slot: int | None = None) -> str:
    """One short paragraph: own link, last slot, loudest interferers, own constraints, and the
    network goal with this link's weight when the operator stated them."""
    head = f"Slot {slot}. " if slot is not None else ""
    lines = [
        f"{head}I am link {view.agent}. My channel gain {_db(view.direct_gain)}.",
        f"Last slot: power {view.last_power / view.p_max:.2f} of max, SINR {_db(view.last_sinr)}, "
        f"rate {view.last_rate:.2f} bit/s/Hz.",
        f"Interference+noise {_dbm(view.interference_plus_noise)} (noise {_dbm(view.noise)}).",
    ]
    lines += loudest(view) + rules_and_goal(view)
    return " ".join(lines)


def loudest(view: LocalView, digits: int = 1) -> list[str]:
    """The (at most three) loudest interferers heard in the last slot, received power in dBm
    with ``digits`` decimals: ``["Loudest: link 2 -67.6 dBm."]``, or ``[]`` when none was
    heard (the compact layout writes whole dBm)."""
    loud = [
        (j, rx) for j, rx in zip(view.neighbours, view.neighbour_rx_last, strict=True) if rx > 0
    ][:3]
    if not loud:
        return []
    return ["Loudest: " + ", ".join(f"link {j} {_dbm(rx, digits)}" for j, rx in loud) + "."]


def rules_and_goal(view: LocalView) -> list[str]:
    """The link's own constraints (floor in bit/s/Hz, cap as a fraction of p_max) and the
    network goal with its weight, as sentences; ``[]`` when the operator stated none."""
    lines, rules = [], []
    if view.min_rate:
        rules.append(f"min rate {view.min_rate:g} bit/s/Hz")
    if view.cap is not None and view.cap < view.p_max:
        rules.append(f"power at most {view.p_cap / view.p_max:.2f} of max")
    if rules:
        lines.append("My rules: " + "; ".join(rules) + ".")
    if view.objective is not None or view.weight is not None:
        goal = GOALS.get(view.objective or "sum_rate", view.objective)
        mine = f", my weight {view.weight:g}" if view.weight is not None else ""
        lines.append(f"Goal: {goal}{mine}.")
    return lines
