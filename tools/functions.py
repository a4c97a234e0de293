"""The tools an agent can call. Each takes the agent's :class:`LocalView` (and small arguments)
and returns a JSON-able dict; none sees anything beyond the view.

Powers in results are given both in watts and as a fraction of ``p_max`` (what the LLM handles).
"""

from __future__ import annotations

import math

from wireless_agents.tools.local_rates import (
    LN2,
    interference_price,
    power_for_rate,
    rate,
    wmmse_receiver,
)
from wireless_agents.tools.neighbourhood import channel_row
from wireless_agents.tools.view import LocalView, Note, up_to_grid


def _dbm(watts: float) -> float:
    return round(10.0 * math.log10(max(watts, 1e-30)) + 30.0, 1)


def _proposal(view: LocalView) -> float:
    """The agent's current own power: its last proposal this slot, else last slot's power."""
    return min(view.last_power, view.p_cap)


def what_if(view: LocalView, power_fractions: list[float] | None = None) -> dict:
    """Rates the agent would get at candidate powers, if interference stays as estimated."""
    fracs = [0.0, 0.25, 0.5, 0.75, 1.0] if not power_fractions else list(power_fractions)[:8]
    ipn = view.estimated_interference_plus_noise()
    rows = []
    for f in fracs:
        f = min(max(float(f), 0.0), 1.0)
        p = min(f * view.p_max, view.p_cap)
        rows.append(
            {"power": round(p / view.p_max, 3), "rate": round(rate(view.direct_gain, p, ipn), 3)}
        )
    return {"interference_plus_noise_dbm": _dbm(ipn), "candidates": rows}


def interference_report(view: LocalView) -> dict:
    """Who interferes with this receiver, how much, and what the neighbours asked for."""
    ipn = view.estimated_interference_plus_noise()
    notes = view.latest_notes()
    top = []
    for j, rx in view.expected_received().items():
        n = notes.get(j)
        top.append(
            {
                "agent": j,
                "share": round(rx / ipn, 3),
                "planned_power": None
                if n is None or n.power is None
                else round(n.power / view.p_max, 3),
            }
        )
    interference = max(ipn - view.noise, 0.0)
    return {
        "interference_plus_noise_dbm": _dbm(ipn),
        "noise_dbm": _dbm(view.noise),
        "interference_share": round(interference / ipn, 3),
        "top": top,
        "requests": [{"agent": s, "request": n.request} for s, n in notes.items() if n.request],
    }


def incoming_price(view: LocalView) -> float:
    """Sum of the neighbours' interference prices for this agent's power, bit/s/Hz/W."""
    return sum(n.prices.get(view.agent, 0.0) for n in view.latest_notes().values())


def best_response(view: LocalView) -> dict:
    """Pricing best response: maximize own rate minus the neighbours' interference prices.

    ``max_p log2(1 + G_ii p / (I+N)) - p * sum_k price_k`` has the closed form
    ``p = 1 / (ln2 * price) - (I+N) / G_ii``, clipped to ``[0, cap]`` (``cap`` with no prices),
    then raised to the agent's own minimum-rate power if it has a floor.
    """
    ipn = view.estimated_interference_plus_noise()
    price = incoming_price(view)
    p = view.p_cap if price <= 0 else 1.0 / (LN2 * price) - ipn / view.direct_gain
    if view.min_rate:
        p = max(p, power_for_rate(view.direct_gain, view.min_rate, ipn))
    p = min(max(p, 0.0), view.p_cap)
    return {
        "suggested_power": round(p / view.p_max, 4),
        "price": price,
        "rate": round(rate(view.direct_gain, p, ipn), 3),
    }


def min_power(view: LocalView) -> dict:
    """The least power that keeps my minimum rate against the interference I expect.

    ``p = (2^r_min - 1) (I+N) / G_ii`` with ``I+N`` estimated from the neighbours' latest
    proposals (:meth:`LocalView.estimated_interference_plus_noise`), rounded *up* to the
    0.001 p_max grid the model writes powers on (rounding down would miss the floor), capped.
    Repeated by every link as the others' proposals arrive this is the Foschini-Miljanic
    iteration: started from above it falls monotonically to the minimal power vector when the
    floors are feasible. Without a floor the least power is 0.
    """
    ipn = view.estimated_interference_plus_noise()
    need = power_for_rate(view.direct_gain, view.min_rate, ipn) if view.min_rate else 0.0
    frac = up_to_grid(need / view.p_max)
    p = min(max(frac * view.p_max, 0.0), view.p_cap)
    return {
        "suggested_power": round(p / view.p_max, 4),
        "rate": round(rate(view.direct_gain, p, ipn), 3),
        "reachable": need <= view.p_cap,
    }


def wmmse_step(view: LocalView) -> dict:
    """One distributed WMMSE update from local measurements plus the neighbours' WMMSE terms.

    ``v_i = w_i u_i sqrt(G_ii) / (w_i u_i^2 G_ii + sum_k w_k u_k^2 G_ki)`` with ``u_i, w_i`` at the
    agent's current power against the estimated interference, ``p_i = min(v_i^2, cap)``. With
    every neighbour heard this is exactly the centralized WMMSE iteration. A minimum rate raises
    the result to the power that meets it where the cap allows.
    """
    ipn = view.estimated_interference_plus_noise()
    p0 = _proposal(view)
    if p0 <= 0.0:
        p0 = view.p_cap
    u, w = wmmse_receiver(view.direct_gain, p0, ipn)
    others = sum(n.wmmse.get(view.agent, 0.0) for n in view.latest_notes().values())
    den = w * u * u * view.direct_gain + others
    v = w * u * math.sqrt(view.direct_gain) / den if den > 0 else math.sqrt(view.p_cap)
    p = min(v * v, view.p_cap)
    if view.min_rate:
        p = min(max(p, power_for_rate(view.direct_gain, view.min_rate, ipn)), view.p_cap)
    return {
        "suggested_power": round(p / view.p_max, 4),
        "rate": round(rate(view.direct_gain, p, ipn), 3),
    }


def check_constraints(view: LocalView, power: float | None = None) -> dict:
    """Whether a power (fraction of p_max; default the current one) respects cap and min rate."""
    frac = _proposal(view) / view.p_max if power is None else min(max(float(power), 0.0), 1.0)
    p = frac * view.p_max
    ipn = view.estimated_interference_plus_noise()
    r = rate(view.direct_gain, p, ipn)
    out = {"power": round(frac, 4), "rate": round(r, 3), "cap_ok": p <= view.p_cap + 1e-12}
    out["cap"] = round(view.p_cap / view.p_max, 4)
    if view.min_rate:
        need = power_for_rate(view.direct_gain, view.min_rate, ipn)
        out.update(
            min_rate=view.min_rate,
            min_rate_ok=r >= view.min_rate - 1e-9,
            power_needed=round(need / view.p_max, 4),
            reachable=need <= view.p_cap,
        )
    return out


def outgoing_note(view: LocalView, power: float, request: str = "") -> Note:
    """The machine-readable note an agent sends with its proposal ``power`` (W).

    For each neighbour ``k`` it hears, the note carries ``k``'s interference price and WMMSE term
    at this receiver: ``price * G[i, k]`` and ``w u^2 G[i, k]``.
    """
    ipn = view.estimated_interference_plus_noise()
    u, w = wmmse_receiver(view.direct_gain, power, ipn)
    pi = interference_price(view.direct_gain, power, ipn)
    row = channel_row(view, power)
    return Note(
        **row,
        sender=view.agent,
        power=float(power),
        # over the row's gains (the neighbours' and the loud ones it does not talk to): one
        # factor times the gains, the compact encoding sends the factor alone
        prices={k: pi * g for k, g in row["gains"].items()},
        wmmse={k: w * u * u * g for k, g in row["gains"].items()},
        min_rate=view.min_rate,
        request=request,
        weight=view.weight,
    )
