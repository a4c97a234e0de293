"""The fast timescale: each link's own closed loop, every slot, between the team's plans.

With ``timing: realtime`` a team plan lands slots (an LLM team: hundreds of slots) after the
measurements it was made from, and the fading it saw has long decorrelated. With ``fast_loop:
true`` the team's plan is the slow layer (which links transmit and at what level, from the
intents, the objective and the channel as measured), and every slot, before its data, the links
run the closed loop the team already runs in its ``validate`` node
(:mod:`wireless_agents.planners.coordination.floor_control`) on the slot's own channel, starting
from the plan on the air (full power before the first lands):

1. floors: Foschini-Miljanic power control on each link's own measured SINR, with ``lower``
   requests to the loudest interferer (:func:`~.floor_control.floor_loop`), at most
   ``FAST_MINISLOTS`` mini-slots;
2. yielding: ``FAST_YIELD_ROUNDS`` round(s) in which a link without a floor goes silent when
   the links it disturbs, as they report it, gain more than its own rate
   (:mod:`~wireless_agents.planners.coordination.yielding`; weighed under
   ``weighted_sum_rate``, none under ``max_min`` or ``min_power``);
3. floors again if a link went silent (the remaining mini-slots of the budget).

No model call: pilots, each receiver's feedback and the control channel's short requests (loss
and bytes as the team's). Each slot starts again from the plan on the air, so the loop keeps no
state of its own (a resumed run replays it exactly). Its latency is its mini-slots times the
declared ``minislot_ms`` (1 ms each: at most ``FAST_MINISLOTS + FAST_YIELD_ROUNDS`` ms of the
20 ms slot, at its head; the data part of the slot is not shortened in the rates). The slot's
record keeps the loop's ``fast_loop`` part: the plan ``before`` it, the links it ``raised``,
``lowered`` or ``yielded``, its ``minislots``, ``messages``, ``bytes`` and ``latency_s``.

Units: gains linear, powers and noise in watts, rates bit/s/Hz.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.planners.coordination import channel as ch
from wireless_agents.planners.coordination import yielding
from wireless_agents.planners.coordination.floor_control import floor_loop
from wireless_agents.planners.coordination.inputs import link_caps, per_link
from wireless_agents.planners.coordination.minislot import Medium

FAST_MINISLOTS = 4  # floor mini-slots per slot (each side of a yield round, 4 at most in all)
FAST_YIELD_ROUNDS = 1  # yield rounds per slot


def fast_loop(gains, plan, p_max: float, noise: float, constraints: dict, goals: dict,
              neighbours: list[list[int]], p_loss, seed: int, slot: int,
              minislot_ms: float) -> tuple[np.ndarray, dict]:  # fmt: skip
    """The slot's powers ``(K,)`` W after the fast loop from ``plan`` (W), and its record.

    ``gains`` (K, K) the slot's channel (the :class:`Medium` measures it for the receivers);
    ``constraints`` the slot's per-link ``min_rate``/``max_power``/``max_power_frac``;
    ``goals`` the team's objective and weights (empty: sum-rate); ``neighbours[i]`` the
    interferers receiver ``i`` hears; ``p_loss`` the control channel's loss matrix.
    """
    g = np.asarray(gains, dtype=float)
    k = g.shape[-1]
    caps = np.array([p_max if c is None else min(c, p_max)
                     for c in link_caps(constraints, k, p_max)])  # fmt: skip
    floors = np.array(per_link(constraints.get("min_rate"), k, 0.0), dtype=float)
    objective = (goals or {}).get("objective")
    weights = None
    if objective == "weighted_sum_rate" and (goals or {}).get("weights") is not None:
        weights = np.asarray(goals["weights"], dtype=float)
    before = np.clip(np.nan_to_num(np.asarray(plan, dtype=float), nan=0.0), 0.0, caps)
    medium = Medium(g, noise, neighbours)
    args = (caps, floors, noise, p_loss, seed, slot)
    base = np.zeros_like(before) if objective == "min_power" else before
    p, first = floor_loop(medium, before, base, *args, FAST_MINISLOTS)
    runs = [first]
    used = first["minislots"] if np.any(floors > 0) or objective == "min_power" else 0
    rounds = 0 if objective in ("max_min", "min_power") else FAST_YIELD_ROUNDS
    q, yrec = yielding.yield_rounds(medium, p, floors, ch.listeners(neighbours), p_loss, seed,
                                    slot, rounds, weights=weights)  # fmt: skip
    used += len(yrec["rounds"])
    if yrec["yielded"] and used < FAST_MINISLOTS + FAST_YIELD_ROUNDS and np.any(floors > 0):
        left = FAST_MINISLOTS + FAST_YIELD_ROUNDS - used
        q, again = floor_loop(medium, q, q, *args, left, start=used)
        runs.append(again)
        used += again["minislots"]
    p = q
    msgs = sum(r["counters"]["sent"] for r in runs) + yrec["counters"]["sent"]
    nbytes = sum(r["counters"]["bytes"] for r in runs) + yrec["counters"]["bytes"]
    record = {
        "before": before.tolist(),
        "raised": [int(i) for i in np.flatnonzero(p > before * (1 + 1e-9))],
        "lowered": [int(i) for i in np.flatnonzero((p < before * (1 - 1e-9)) & (p > 0))],
        "yielded": [int(i) for i in np.flatnonzero((p <= 0) & (before > 0))],
        "minislots": int(used),
        "messages": int(msgs),
        "bytes": int(nbytes),
        "latency_s": used * minislot_ms / 1000.0,
    }
    return p, record
