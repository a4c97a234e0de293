"""Continuous polish of a (K, L) schedule: every slice's powers free within the caps.

The rounding of :mod:`planners.timeshare` keeps whole slices of the LP's candidate vectors, and
the LP's fractions need not be multiples of ``1 / L``: a floor the LP meets on average can fall
short after rounding. Here each slice's power vector is a free variable (it need not be an LP
candidate) and a local solver (``scipy.optimize.minimize``, SLSQP, analytic gradients) moves
the K x L powers:

1. *Floors.* When the schedule misses a floor: maximize ``s`` subject to ``R_i(P) >= s f_i``
   on every floored link ``i`` (``R_i`` the mean rate over the slices, ``f_i`` the floor),
   from the schedule; the floors are met when ``s >= 1``.
2. *Objective.* The objective (sum-rate, weighted, max-min ``t <= R_i``, or the least mean
   power) subject to ``R_i(P) >= f_i`` (a floor the start misses: ``R_i`` at least the start's).

Each step's answer is kept only when it scores better (less floor shortfall, then a larger
utility) by the caller's measure, so the polish never makes a schedule worse. Deterministic
(SLSQP from the given start, fixed iterations). Units: gains linear, powers and noise W,
rates bit/s/Hz.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from wireless_agents.environment.metrics import LN2, shannon_rate

MAX_ITER = 200  # SLSQP iterations per step
FLOOR_MARGIN = 1e-7  # bit/s/Hz aimed above each floor (its check allows RATE_TOL below)
SHORT_TOL = 1e-4  # bit/s/Hz of total floor shortfall that counts as less (not round-off)


def slice_rates(gains, sched, noise):
    """Per-slice rates (K, L) of a schedule (K, L) and their gradients (K, L, K): d r_it / d
    p_kt (``gains`` (K, K) receiver by transmitter, ``noise`` (K,))."""
    rx = gains[:, :, None] * sched[None, :, :]  # (K rx, K tx, L)
    total = rx.sum(1) + noise[:, None]  # (K, L): received plus noise
    own = np.diagonal(rx, axis1=0, axis2=1).T  # (K, L)
    ipn = np.maximum(total - own, 1e-300)
    r = shannon_rate(own / ipn)
    # d r_i / d p_k = g_ik (1 / total_i - [k != i] / ipn_i) / ln 2
    d = gains[:, None, :] / total[:, :, None]  # (K, L, K)
    k = gains.shape[0]
    off = 1.0 - np.eye(k)
    d = d - off[:, None, :] * gains[:, None, :] / ipn[:, :, None]
    return r, d / LN2


def _mean_rates(gains, caps, noise, x, shape):
    """Mean rates (K,) and their Jacobian (K, K*L) in the scaled variables ``x = P / caps``."""
    k, n_sl = shape
    sched = x.reshape(shape) * caps[:, None]
    r, d = slice_rates(gains, sched, noise)
    jac = d.transpose(0, 2, 1) * caps[None, :, None]  # (link, transmitter, slice)
    return r.mean(1), jac.reshape(k, k * n_sl) / n_sl


def _run(fun, x0, bounds, cons):
    res = minimize(fun, x0, jac=True, method="SLSQP", bounds=bounds, constraints=cons,
                   options={"maxiter": MAX_ITER, "ftol": 1e-10})  # fmt: skip
    return res.x


def meet_floors(gains, caps, noise, sched, floors):
    """Step 1: a schedule (K, L) raising ``min_i R_i / f_i`` over the floored links (the
    start ``sched`` (K, L) W); ``floors`` (K,) (0: none)."""
    k, n_sl = sched.shape
    live = caps > 0
    on = np.flatnonzero(floors > 0)
    if on.size == 0 or not live.any():
        return sched
    x0 = np.r_[np.where(live[:, None], sched / np.where(live, caps, 1.0)[:, None], 0.0).ravel(),
               0.0]  # fmt: skip
    shape = (k, n_sl)
    cp = np.where(live, caps, 0.0)

    def fun(z):
        g = np.zeros_like(z)
        g[-1] = -1.0
        return -z[-1], g

    def con(z):
        rate, _ = _mean_rates(gains, cp, noise, z[:-1], shape)
        return rate[on] - z[-1] * floors[on]

    def con_jac(z):
        _, jac = _mean_rates(gains, cp, noise, z[:-1], shape)
        return np.c_[jac[on], -floors[on]]

    rate0, _ = _mean_rates(gains, cp, noise, x0[:-1], shape)
    x0[-1] = float(np.min(rate0[on] / floors[on]))
    bounds = [(0.0, 1.0 if live[i] else 0.0) for i in range(k) for _ in range(n_sl)]
    z = _run(fun, x0, bounds + [(None, None)], [{"type": "ineq", "fun": con, "jac": con_jac}])
    return np.clip(z[:-1], 0.0, 1.0).reshape(shape) * cp[:, None]


def improve_objective(gains, caps, noise, sched, floors, objective, weights):
    """Step 2: the objective over free per-slice powers under the mean-rate floors, from
    ``sched`` (K, L) W (``weights`` (K,) or None; ``objective`` one of the four)."""
    k, n_sl = sched.shape
    live = caps > 0
    cp = np.where(live, caps, 0.0)
    shape = (k, n_sl)
    x0 = np.where(live[:, None], sched / np.where(live, caps, 1.0)[:, None], 0.0).ravel()
    on = np.flatnonzero(floors > 0)
    # a floor the start misses: its rate may not fall below the start's (no floor gets worse)
    floors = np.minimum(floors, _mean_rates(gains, cp, noise, x0, shape)[0] - FLOOR_MARGIN)
    served = np.flatnonzero(live & (np.diagonal(gains) > 0))
    has_t = objective == "max_min"
    w = np.ones(k) if weights is None else np.asarray(weights, dtype=float)
    if objective == "sum_rate":
        w = np.ones(k)

    def split(z):
        return (z[:-1], z[-1]) if has_t else (z, 0.0)

    def fun(z):
        x, t = split(z)
        g = np.zeros_like(z)
        if has_t:
            g[-1] = -1.0
            return -t, g
        if objective == "min_power":
            g[:] = np.repeat(cp, n_sl) / n_sl
            return float(x @ g), g
        rate, jac = _mean_rates(gains, cp, noise, x, shape)
        return -float(w @ rate), -(w @ jac)

    def con(z):
        x, t = split(z)
        rate, _ = _mean_rates(gains, cp, noise, x, shape)
        parts = [rate[on] - floors[on] - FLOOR_MARGIN]
        if has_t:
            parts.append(rate[served] - t)
        return np.concatenate(parts)

    def con_jac(z):
        x, _ = split(z)
        _, jac = _mean_rates(gains, cp, noise, x, shape)
        rows = [np.c_[jac[on], np.zeros(on.size)] if has_t else jac[on]]
        if has_t:
            rows.append(np.c_[jac[served], -np.ones(served.size)])
        return np.vstack(rows)

    bounds = [(0.0, 1.0 if live[i] else 0.0) for i in range(k) for _ in range(n_sl)]
    if has_t:
        rate0, _ = _mean_rates(gains, cp, noise, x0, shape)
        x0 = np.r_[x0, float(rate0[served].min()) if served.size else 0.0]
        bounds.append((None, None))
    cons = [{"type": "ineq", "fun": con, "jac": con_jac}] if (on.size or has_t) else []
    z = _run(fun, x0, bounds, cons)
    x, _ = split(z)
    return np.clip(x, 0.0, 1.0).reshape(shape) * cp[:, None]


def turn_starts(cols: np.ndarray, slices: int, limit: int) -> list[np.ndarray]:
    """Schedules (K, L) giving the ``slices`` slices to columns (C, K) in every way (multisets,
    in lexicographic order), at most ``limit`` of them: the multi-start's turn-taking starts."""
    from itertools import combinations_with_replacement, islice

    combos = islice(combinations_with_replacement(range(len(cols)), slices), limit)
    return [cols[list(c)].T.copy() for c in combos]


def polish(gains, caps, noise, starts, floors, objective, weights, score):
    """Steps 1-2 from every start (N schedules (K, L) W; the first the rounding's pick): the
    best schedule by ``score(schedule) -> (misses, shortfall, utility)`` (fewer floors missed,
    then less total shortfall, then more utility), never worse than the first start. Step 1
    runs only from starts that miss a floor; step 2 from the best schedule found."""
    best = starts[0]
    best_s = score(best)
    for s in starts:
        cands = [s]
        if score(s)[0] > 0:
            cands.append(meet_floors(gains, caps, noise, s, floors))
        for c in cands:
            sc = score(c)
            if _before(sc, best_s):
                best, best_s = c, sc
    c = improve_objective(gains, caps, noise, best, floors, objective, weights)
    if _before(score(c), best_s):
        best = c
    return best


def _before(s, t) -> bool:
    if s[0] != t[0]:
        return s[0] < t[0]
    return s[1] < t[1] - SHORT_TOL or (s[1] <= t[1] + SHORT_TOL and s[2] > t[2] + 1e-12)
