"""Pricing: the links rebalance their powers for the (weighted) sum-rate by interference prices.

The team's plan reaches the closed loop as the agents left it, and the loop's own moves (floors
raised, floors given up, links that yielded) change what every other power is worth: a link
planned loud beside a heavier neighbour keeps hurting it once its floor is met, and a link left
alone after its neighbours went silent keeps the low power it had beside them. A few mini-slots
of asynchronous distributed pricing (ADP, Huang, Berry & Honig 2006, "Distributed interference
compensation for wireless networks", IEEE JSAC 24(5)) rebalance them, each link acting on its
own measurements and the prices it hears:

1. *Prices.* The receiver of each transmitting link ``i`` announces its interference price
   ``pi_i = w_i SINR_i / (ln 2 (1 + SINR_i) (I+N)_i)`` (bit/s/Hz of its weighted rate lost per W
   of interference) with the power ``rx_ij`` it receives from each interferer ``j`` it hears.
2. *Best response.* Transmitter ``j`` adds up ``t_j = sum_i pi_i rx_ij / p_j`` (the price of
   its own power, per W) over the prices that reached it and sets
   ``p_j <- min(cap_j, max(need_j, w_j / (ln 2 t_j) - (I+N)_j / G_jj))`` (``t_j = 0``: its cap),
   the power maximizing ``w_j R_j - t_j p_j``, never below what its floor needs at the
   interference it measures (``need_j``, Foschini-Miljanic). Silent links stay silent (they
   yielded or gave up their floor for the slot).
3. *Floors and reports.* The floor loop (:func:`.floor_control.floor_loop`) closes any floor the
   moves broke, then every link broadcasts its weighted rate and whether its floor holds (one
   report each, counted); the round's powers are kept when the reported weighted sum rose and no
   floor that held was lost, else the links go back to the powers before the round and stop.

Pricing first can also hold off a yield worth more than the rebalancing: the closed loop
(:func:`.floor_control.close_floors`) runs it as a second trial beside yielding first, and the
links keep the trial they report better (:func:`better`).

``weights`` None is the sum-rate (every ``w_i`` 1). Every price and report is a control-channel
message (loss, bytes); a link acts on the prices that reached it, and a lost report is sent
again (the decision to keep a round needs every report). Rounds end when no power moves, a round
is not kept, or after ``rounds``.

Units: rates bit/s/Hz, powers and noise watts, prices bit/s/Hz per W.
"""

from __future__ import annotations

import math

import numpy as np

from . import channel as ch
from .minislot import Measurement, Medium

ROUNDS = 8
GAIN_TOL = 1e-6  # relative rise of the weighted sum-rate a round must bring to be kept
RATE_TOL = 1e-6  # bit/s/Hz a rate may fall short of a floor by round-off
MARGIN = 1e-4  # relative SINR headroom above the floor's target (as the floor loop's)


def prices(m: Measurement, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``(K,)`` each link's interference price (0 for a silent link): element ``i`` reads row
    ``i`` of ``m`` and the link's own weight only."""
    sinr = m.sinr(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        pi = w * sinr / (math.log(2) * (1.0 + sinr) * m.ipn)
    return np.where((p > 0) & (m.ipn > 0), pi, 0.0)


def best_response(m: Measurement, p, caps, floors, w, cost) -> np.ndarray:
    """Step 2 for every transmitting link: ``cost[j]`` its price per W (``t_j``)."""
    gamma = np.where(floors > 0, np.exp2(floors) - 1.0, 0.0) * (1.0 + MARGIN)
    direct = np.where(m.direct > 0, m.direct, np.inf)
    need = gamma * m.ipn / direct
    with np.errstate(divide="ignore"):
        want = np.where(cost > 0, w / (math.log(2) * cost), np.inf) - m.ipn / direct
    new = np.minimum(caps, np.maximum(need, want))
    return np.where(p > 0, new, 0.0)


def price_rounds(medium: Medium, p, caps, floors, weights, noise: float, hears: list[list[int]],
                 p_loss, seed: int, slot: int, close, rounds: int = ROUNDS,
                 ) -> tuple[np.ndarray, dict]:  # fmt: skip
    """Run up to ``rounds`` pricing rounds from powers ``p``: ``(powers, record)``.

    ``close(p, start)`` the floor loop from powers ``p`` (``start``: mini-slots run so far),
    returning ``(powers, loop record)``. The record has ``rounds`` (per round: ``kept``, the
    ``utility`` reported), ``minislots`` (prices, reports and the floor loop's), the floor
    loops' ``runs`` and the channel ``counters`` of the prices and reports.
    """
    k = len(p)
    p = np.array(p, dtype=float)
    w = link_weights(weights, k)
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    log: list[dict] = []
    runs: list[dict] = []
    minislots = 0

    def count(out) -> None:
        for key, v in out.as_dict().items():
            counters[key] += v

    utility, held, _ = standing(medium, p, floors, w)
    for n in range(rounds):
        m = medium.measure(p)
        pi = prices(m, p, w)
        envelopes = []
        for i in np.flatnonzero(pi > 0):
            rx = {str(j): float(m.rx[i, j]) for j in range(k) if m.rx[i, j] > 0 and p[j] > 0}
            if rx:
                envelopes.append({"from": int(i), "slot": slot, "price": float(pi[i]), "rx": rx})
        inbox = {}
        if envelopes:  # a link that hears no price goes to its cap
            inbox, out = ch.deliver(envelopes, hears, p_loss, ch.seeded_rng(seed, slot, 4099, n, 0))
            count(out)
        cost = np.zeros(k)
        for j, box in inbox.items():
            if p[j] > 0:
                cost[j] = sum(e["price"] * e["rx"].get(str(j), 0.0) for e in box) / p[j]
        q = best_response(m, p, caps, floors, w, cost)
        minislots += 1
        if float(np.max(np.abs(q - p), initial=0.0)) <= 1e-9 * float(caps.max(initial=1.0)):
            break
        q, run = close(q, minislots)
        runs.append(run)
        minislots += run["minislots"]
        got, now, out = report(medium, q, floors, w, hears, slot,
                               ch.seeded_rng(seed, slot, 4099, n, 1))  # fmt: skip
        count(out)
        minislots += 1
        kept = got > utility * (1.0 + GAIN_TOL) and bool(np.all(now[held]))
        log.append({"kept": kept, "utility": round(got, 6)})
        if not kept:
            break
        p, utility, held = q, got, held | now
    return p, {"rounds": log, "minislots": minislots, "runs": runs, "counters": counters}


def link_weights(weights, k: int) -> np.ndarray:
    """``(K,)`` the links' weights (``weights`` None: the sum-rate, every weight 1)."""
    return np.ones(k) if weights is None else np.asarray(weights, dtype=float)


def standing(medium: Medium, q, floors, w) -> tuple[float, np.ndarray, np.ndarray]:
    """What powers ``q`` give when transmitted in a mini-slot: the weighted sum-rate (weights
    ``w``, (K,)), ``(K,)`` which floors hold, and the ``(K,)`` rates (bit/s/Hz)."""
    q = np.asarray(q, dtype=float)
    rate = medium.measure(q).rate(q)
    return float(np.sum(w * rate)), (floors > 0) & (rate >= floors - RATE_TOL), rate


def report(medium: Medium, q, floors, w, hears: list[list[int]], slot: int, rng):
    """Every link broadcasts its weighted rate under powers ``q`` and whether its floor holds
    (a lost report is sent again: counted once, as delivered): ``(weighted sum-rate, (K,)
    floors held, channel counters of the reports)``."""
    got, held, rate = standing(medium, q, floors, w)
    k = len(rate)
    reports = [{"from": i, "slot": slot, "rate": round(float(w[i] * rate[i]), 3),
                "floor": bool(held[i])} for i in range(k)]  # fmt: skip
    _, out = ch.deliver(reports, hears, np.zeros((k, k)), rng)
    return got, held, out


def better(medium: Medium, plans: list, floors, weights, hears: list[list[int]], seed: int,
           slot: int) -> tuple[int, dict]:  # fmt: skip
    """Which of the closed loop's trial ``plans`` the links keep: each is transmitted in one
    mini-slot and every link reports it (:func:`report`); a later plan replaces the first only
    with a higher weighted sum (by ``GAIN_TOL``) and as many floors held. ``(index, record)``,
    the record with each plan's reported ``utilities``, ``minislots`` and the reports' channel
    ``counters``."""
    w = link_weights(weights, len(floors))
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    said = []
    for n, q in enumerate(plans):
        got, held, out = report(medium, q, floors, w, hears, slot,
                                ch.seeded_rng(seed, slot, 4099, 99, n))  # fmt: skip
        for key, v in out.as_dict().items():
            counters[key] += v
        said.append((got, int(held.sum())))
    best = 0
    for n, (got, held) in enumerate(said[1:], start=1):
        if got > said[best][0] * (1.0 + GAIN_TOL) and held >= said[best][1]:
            best = n
    record = {"utilities": [round(u, 6) for u, _ in said], "minislots": len(plans),
              "counters": counters}  # fmt: skip
    return best, record
