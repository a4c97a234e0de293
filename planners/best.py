"""``best``: the strongest classical planner of the project, a multi-start search.

Per sample it runs every candidate below and keeps whichever reaches the largest (weighted)
sum-rate, then polishes the winner:

1. WMMSE from full power (the ``wmmse`` answer itself, so ``best`` is never worse than it).
2. WMMSE from ``starts`` random starting points, uniform in [0, cap] from
   ``np.random.default_rng(seed)`` (default 8 starts, seed 0).
3. Binary power search: every on/off pattern (2^K points) where K <= ``binary_max_k`` (12),
   otherwise greedy bit flips from all-on and from all-off; the best pattern is kept as is and
   also as a WMMSE start (its silent links stay silent, the others get tuned).
4. FP (Shen & Yu quadratic transform) from full power.
5. Polish: best-response sweeps over a 21-level grid (may switch silent links back on), then
   WMMSE to stationarity (tolerance 1e-7); both steps never lower the objective.
6. With minimum rates (``solve(..., min_rate=...)``, K <= ``binary_max_k``): the best grid points
   that meet them (see :func:`_constrained_grids`); the constrained mode then repairs and
   compares as for every algorithm (:mod:`planners.constraints`).

``weights`` (B, K) make every step above maximise the weighted sum-rate ``sum_i w_i rate_i``
(the ``weighted_sum_rate`` objective; weighted WMMSE, Shi et al. 2011). For the other
objectives ``best`` hands over to their exact solvers, optimal for continuous power control:
``objective="max_min"`` to :func:`planners.maxmin.maxmin` (bisection on a common SINR target),
``objective="min_power"`` to :func:`planners.minpower.minpower` (the Foschini-Miljanic linear
system).
"""

from __future__ import annotations

import numpy as np

from ._common import as_weights, direct, offdiag, weighted_sum_rate
from .fp import fp
from .greedy import best_response_sweeps
from .maxmin import maxmin
from .minpower import minpower
from .optimal import grid_search
from .wmmse import wmmse_run


def _greedy_binary(gains, caps, noise, a, on):
    """Flip one link at a time (the best improving flip) until no flip helps."""
    b, k = caps.shape
    gd, gx = direct(gains), offdiag(gains)
    gxt = gx.transpose(0, 2, 1)  # gxt[b, j, i] = G_ij: row j = what link j adds at each receiver
    on = np.array(on, dtype=bool)
    rows = np.arange(b)
    for _ in range(2 * k):
        p = np.where(on, caps, 0.0)
        interf = np.einsum("bij,bj->bi", gx, p) + noise
        base = (a * np.log1p(gd * p / interf)).sum(-1)
        delta = np.where(on, -caps, caps)  # (B, K): power change if link j flips
        icand = interf[:, None, :] + delta[:, :, None] * gxt  # (B, flip j, receiver i)
        pc = np.broadcast_to(p[:, None, :], icand.shape).copy()
        pc[:, np.arange(k), np.arange(k)] = p + delta
        obj = (a[:, None, :] * np.log1p(gd[:, None, :] * pc / icand)).sum(-1)
        j = np.argmax(obj, axis=1)
        improve = obj[rows, j] > base + 1e-12
        if not improve.any():
            break
        on[rows[improve], j[improve]] ^= True
    return np.where(on, caps, 0.0)


def best(gains, caps, noise, weights=None, seed=0, starts=8, binary_max_k=12, levels=21,
         min_rate=None, objective="sum_rate"):  # fmt: skip
    """Multi-start WMMSE (full power, random, on/off), binary search, FP; best per sample, polished."""
    if objective == "max_min":
        return maxmin(gains, caps, noise, min_rate=min_rate)
    if objective == "min_power":
        return minpower(gains, caps, noise, min_rate=min_rate)
    b, k = caps.shape
    noise = np.broadcast_to(np.asarray(noise, dtype=float), (b, k))
    a = as_weights(weights, b, k)
    rng = np.random.default_rng(seed)
    total_iters = np.zeros(b, dtype=int)

    def score(p):
        return weighted_sum_rate(gains, p, noise, a)

    bestp, it = wmmse_run(gains, caps, noise, weights=a)
    total_iters += it
    bestv = score(bestp)

    def offer(p):
        nonlocal bestp, bestv
        v = score(p)
        better = v > bestv
        bestp = np.where(better[:, None], p, bestp)
        bestv = np.where(better, v, bestv)

    for _ in range(starts):
        p0 = rng.uniform(size=(b, k)) * caps
        p, it = wmmse_run(gains, caps, noise, weights=a, p0=p0)
        total_iters += it
        offer(p)

    if k <= binary_max_k:
        binaries = [grid_search(gains, caps, noise, a, np.array([0.0, 1.0]))[0]]
    else:
        binaries = [
            _greedy_binary(gains, caps, noise, a, np.ones((b, k), dtype=bool)),
            _greedy_binary(gains, caps, noise, a, np.zeros((b, k), dtype=bool)),
        ]
    for pb in binaries:
        offer(pb)
        p, it = wmmse_run(gains, caps, noise, weights=a, p0=pb)
        total_iters += it
        offer(p)

    p, it = fp(gains, caps, noise, weights=a)
    total_iters += it
    offer(p)

    p, sw = best_response_sweeps(gains, caps, noise, a, bestp, levels=levels, max_sweeps=10)
    offer(p)
    p, it = wmmse_run(gains, caps, noise, weights=a, p0=bestp, max_iter=300, tol=1e-7)
    total_iters += it + sw
    offer(p)
    if min_rate is not None and np.any(min_rate > 0) and k <= binary_max_k:
        w = None if weights is None else a
        bestp = _constrained_grids(gains, caps, noise, a, np.asarray(min_rate, float), bestp, w)
    return bestp, total_iters


def _constrained_grids(gains, caps, noise, a, min_rate, bestp, weights=None):
    """6. With minimum rates: the best grid point that meets them all (on/off at the caps, and
    quarters of the caps where 5^K <= 20000), each also with its floors' powers raised to meet
    them (Yates); kept over ``bestp`` and its constrained-mode repair when it meets the floors
    better or equally with a larger sum-rate (:func:`planners.constraints.choose`). Floored links at full power with the others
    silent are such points: the multi-start above, scored without the floors, never offers them."""
    from .constraints import choose, enforce, yates

    k = caps.shape[1]
    grids = [np.array([0.0, 1.0])]
    if 5**k <= 20000:
        grids.append(np.linspace(0.0, 1.0, 5))
    cands = [bestp, enforce(gains, noise, caps, min_rate, bestp, penalty=True, weights=weights)[0]]
    for fr in grids:
        p, _ = grid_search(gains, caps, noise, a, fr, min_rate=min_rate)
        cands += [p, yates(gains, noise, caps, min_rate, p, floor=True)]
    return choose(gains, noise, min_rate, cands, weights)


__all__ = ["best"]
