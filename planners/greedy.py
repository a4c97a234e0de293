"""Greedy power control: iterated best response over a power grid, batched.

Links take turns (0, 1, ..., K-1, then again): each picks, from ``levels`` evenly spaced
powers in [0, cap] plus its current power, the one that maximises the weighted sum-rate of the
whole network with the others held. Stops when a full sweep changes nothing or after
``max_sweeps``. The objective never decreases (the current power is always a candidate).
"""

from __future__ import annotations

import numpy as np

from ._common import as_weights, direct, offdiag


def best_response_sweeps(gains, caps, noise, weights, p, levels=21, max_sweeps=20):
    """Run best-response sweeps from ``p``; return (powers, sweeps used per sample)."""
    b, k = p.shape
    gd, gx = direct(gains), offdiag(gains)
    noise = np.broadcast_to(np.asarray(noise, dtype=float), (b, k))
    a = as_weights(weights, b, k)
    frac = np.linspace(0.0, 1.0, levels)
    p = np.array(p, dtype=float, copy=True)
    sweeps = np.zeros(b, dtype=int)
    active = np.ones(b, dtype=bool)
    rows = np.arange(b)
    for s in range(1, max_sweeps + 1):
        changed = np.zeros(b, dtype=bool)
        for i in range(k):
            # Candidate powers of link i: the current one first, so ties keep it.
            cand = np.concatenate([p[:, i : i + 1], frac[None, :] * caps[:, i : i + 1]], axis=1)
            interf = np.einsum("bij,bj->bi", gx, p) + noise - gx[:, :, i] * p[:, i : i + 1]
            # (B, C, K): interference at every receiver for each candidate power of link i.
            icand = interf[:, None, :] + gx[:, None, :, i] * cand[:, :, None]
            sig = np.broadcast_to((gd * p)[:, None, :], icand.shape).copy()
            sig[:, :, i] = gd[:, i : i + 1] * cand
            obj = (a[:, None, :] * np.log1p(sig / icand)).sum(-1)
            pick = np.argmax(obj, axis=1)
            gain = obj[rows, pick] - obj[:, 0]
            move = active & (pick > 0) & (gain > 1e-12)
            p[move, i] = cand[rows, pick][move]
            changed |= move
        sweeps[active] = s
        active &= changed
        if not active.any():
            break
    return p, sweeps


def greedy(gains, caps, noise, weights=None, levels=21, max_sweeps=20):
    """Iterated best response from full power over `levels` powers in [0, cap] (default 21)."""
    return best_response_sweeps(gains, caps, noise, weights, np.array(caps), levels, max_sweeps)
