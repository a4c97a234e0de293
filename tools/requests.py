"""What a link must ask of its neighbours, and what it can give them, from its own view.

Two numbers behind the acts of :mod:`wireless_agents.agents.acts`:

- :func:`floor_request`: a link whose floor ``r`` is out of reach at its cap, as interference
  stands (its neighbours' proposed powers from their notes, else last slot's), but within reach
  were the others silent, asks its loudest interferer that has not refused it to lower. The cut
  asked closes the floor were the rest to stay (the closed loop's request,
  :mod:`wireless_agents.planners.coordination.floor_control`, from the view instead of a pilot):
  with SINR target ``gamma = 2^r - 1``, the link can bear ``allowed = G_ii cap / gamma`` of
  interference plus noise; the excess ``ipn - allowed`` comes off interferer ``j``'s
  ``rx_j = G_ij p_j``: ``p_j <- p_j max(0, 1 - excess / rx_j)``.
- :func:`lowest_keeping_floor`: the least power with which a link still meets its own floor as
  interference stands (what it can grant at most). A floor that even the cap misses is worth
  its cap only while the link may still ask someone to close it; once no one is left (every
  interferer that could refused, or it is out of reach even alone) it is no reason to hold power
  against a neighbour's request.

Units: gains linear, powers and noise in watts, rates in bit/s/Hz; amounts are fractions of
p_max rounded down to 3 decimals (what the act carries).
"""

from __future__ import annotations

import math

from wireless_agents.tools.local_rates import power_for_rate, rate
from wireless_agents.tools.view import LocalView


def _round_down(frac: float) -> float:
    return math.floor(max(frac, 0.0) * 1000.0 + 1e-9) / 1000.0


def floor_request(view: LocalView, skip=()) -> tuple[int, float] | None:
    """``(j, amount)``: ask neighbour ``j`` (not in ``skip``) to lower to ``amount`` of p_max;
    None when the link has no floor, meets it at its cap, cannot meet it even alone, or hears no
    one it may ask."""
    floor = view.min_rate or 0.0
    g, cap = view.direct_gain, view.p_cap
    if floor <= 0 or g <= 0 or cap <= 0:
        return None
    ipn = view.estimated_interference_plus_noise()
    if rate(g, cap, ipn) >= floor - 1e-9:
        return None
    gamma = 2.0**floor - 1.0
    allowed = g * cap / gamma
    if allowed <= view.noise:  # out of reach even alone: silencing others cannot help
        return None
    rx = {j: x for j, x in view.expected_received().items() if j not in set(skip) and x > 0}
    if not rx:
        return None
    j = max(rx, key=lambda k: (rx[k], -k))
    notes = view.latest_notes()
    n = notes.get(j)
    gj = dict(zip(view.neighbours, view.neighbour_gains, strict=True))[j]
    p_j = float(n.power) if n is not None and n.power is not None else rx[j] / gj
    scale = max(0.0, 1.0 - (ipn - allowed) / rx[j])
    return j, _round_down(p_j * scale / view.p_max)


def lowest_keeping_floor(view: LocalView, skip=()) -> float:
    """The least power (W) that keeps this link's own floor as interference stands (0 without a
    floor). When even the cap misses it: the cap while the link may still ask a neighbour not in
    ``skip`` (those that refused it) to close it (:func:`floor_request`), else 0 (the floor is
    lost: holding power for it only takes rate from the others)."""
    if not view.min_rate:
        return 0.0
    ipn = view.estimated_interference_plus_noise()
    need = power_for_rate(view.direct_gain, view.min_rate, ipn)
    if need <= view.p_cap:
        return need
    return view.p_cap if floor_request(view, skip) is not None else 0.0
