"""Yielding: a link goes silent when its silence is worth more to the links it disturbs.

Local interference-avoidance scheduling in the spirit of FlashLinQ (Wu et al. 2013) and ITLinQ
(Naderializadeh & Avestimehr 2014), run in the team's closed-loop mini-slots
(:mod:`.floor_control`) on the plan that met the floors. One yield round is one mini-slot:

1. *Offers.* Receiver ``i`` knows its own received signal ``S_i = SINR_i (I+N)_i`` and the power
   ``rx_ij`` it receives from each interferer ``j`` it hears. Were ``j`` silent it would gain
   ``offer_ij = log2(1 + S_i / ((I+N)_i - rx_ij)) - log2(1 + S_i / (I+N)_i)`` bit/s/Hz, exactly
   (only ``j`` changing). It sends its offers above ``MIN_OFFER`` to those interferers in one
   message.
2. *Candidates.* Transmitter ``j`` without a floor adds up the offers that reached it and
   compares them with its own rate ``R_j`` (its receiver's feedback): with ``net_j = sum offers -
   R_j > MIN_NET`` its silence raises the sum-rate of the links it heard from, and it announces
   ``net_j`` to the devices it hears on the control channel.
3. *Yield.* A candidate that heard no larger announcement (ties: the lower id wins) goes silent.

Under the ``weighted_sum_rate`` objective (``weights``) rates are weighed: receiver ``i`` offers
``w_i offer_ij`` (its own weight, which it knows) and ``j`` compares the sum with ``w_j R_j``, so
a link yields when its silence raises the weighted sum of the links it heard from.

Links with a floor never yield. Offers from receivers ``j`` does not reach are missing, so the
estimate errs on the side of staying on. Every offer and announcement is a control-channel message
(loss, bytes), counted. Rounds end when no link is a candidate, or after ``rounds``.

Units: rates bit/s/Hz, powers watts.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.metrics import shannon_rate

from . import channel as ch
from .minislot import Measurement, Medium

MIN_OFFER = 0.01  # bit/s/Hz: smaller offers are not worth a message
MIN_NET = 0.05  # bit/s/Hz: a link yields only for a clear gain
ROUNDS = 3


def offers(m: Measurement, p: np.ndarray) -> np.ndarray:
    """``(K, K)`` offers: ``[i, j]`` what receiver ``i`` gains were ``j`` silent (row ``i`` uses
    link ``i``'s own measurements only)."""
    s = (m.sinr(p) * m.ipn)[:, None]
    ipn = m.ipn[:, None]
    rest = np.maximum(ipn - m.rx, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = shannon_rate(s / np.where(rest > 0, rest, np.inf)) - shannon_rate(s / ipn)
        gain = np.where(rest > 0, gain, np.inf)
    return np.where((m.rx > 0) & (s > 0), gain, 0.0)


def yield_rounds(medium: Medium, p: np.ndarray, floors: np.ndarray, hears: list[list[int]],
                 p_loss, seed: int, slot: int, rounds: int = ROUNDS,
                 weights: np.ndarray | None = None) -> tuple[np.ndarray, dict]:  # fmt: skip
    """Run up to ``rounds`` yield rounds from powers ``p``: ``(powers, record)``.

    ``hears`` the control channel's hearing graph (:func:`.channel.listeners`); ``weights``
    ``(K,)`` the links' weights (None: all count alike, the sum-rate). The record has
    ``yielded`` (links that went silent, in order), per-round ``rounds`` details, ``messages``,
    ``bytes`` and the channel ``counters``.
    """
    k = len(p)
    p = np.array(p, dtype=float)
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    yielded: list[int] = []
    log: list[dict] = []
    for n in range(rounds):
        m = medium.measure(p)
        off = offers(m, p)
        if weights is not None:
            off = off * weights[:, None]
        envelopes, to = [], [[] for _ in range(k)]
        for i in range(k):
            mine = {str(j): round(min(float(off[i, j]), 99.0), 3)
                    for j in range(k) if off[i, j] > MIN_OFFER and p[j] > 0 and floors[j] <= 0}  # fmt: skip
            if mine:
                envelopes.append({"from": i, "slot": slot, "offers": mine})
                for j in mine:
                    to[int(j)].append(i)
        if not envelopes:
            break
        inbox, out = ch.deliver(envelopes, to, p_loss, ch.seeded_rng(seed, slot, 8191, n, 0))
        for key, v in out.as_dict().items():
            counters[key] += v
        own = m.rate(p) if weights is None else m.rate(p) * weights
        net = {}
        for j, box in inbox.items():
            got = sum(float(e["offers"][str(j)]) for e in box)
            if got - own[j] > MIN_NET:
                net[int(j)] = round(float(got - own[j]), 3)  # as announced on the air
        quiet = []
        if net:
            announce = [{"from": j, "slot": slot, "net": v} for j, v in net.items()]
            heard, out = ch.deliver(announce, hears, p_loss, ch.seeded_rng(seed, slot, 8191, n, 1))
            for key, v in out.as_dict().items():
                counters[key] += v
            for j, v in sorted(net.items()):
                rivals = [(e["net"], -e["from"]) for e in heard.get(j, []) if e["from"] in net]
                if all((v, -j) > r for r in rivals):
                    quiet.append(j)
            p[quiet] = 0.0
            yielded += [int(j) for j in quiet]
        log.append({"offers": int(sum(len(e["offers"]) for e in envelopes)),
                    "candidates": {str(j): v for j, v in net.items()},
                    "yielded": quiet})  # fmt: skip
        if not quiet:
            break
    record = {"yielded": yielded, "rounds": log, "messages": counters["sent"],
              "bytes": counters["bytes"]}  # fmt: skip
    return p, {**record, "counters": counters}
