"""The time-sharing optimum: a linear program over candidate power vectors, with column generation.

A slot split into time slices (the setting ``mini_slots``; not the closed loop's pilot
mini-slots of ``planners.coordination.minislot``) lets the network use power vector ``p^c`` for
a fraction ``x_c`` of the slot. Link ``i`` then carries the average rate ``R_i = sum_c x_c
r_i^c`` and spends the average power ``P_i = sum_c x_c p_i^c`` (``r^c`` the rates of ``p^c``, one
interference pattern per slice). Over a fixed set of candidates this is a linear program in
``x`` (``x >= 0``, ``sum_c x_c = 1``), solved with ``scipy.optimize.linprog`` (HiGHS):

==================  ===================================================================
objective           LP (every floor ``R_i >= f_i`` added as a row)
==================  ===================================================================
sum_rate            max ``sum_i R_i``
weighted_sum_rate   max ``sum_i w_i R_i``
max_min             max ``t`` subject to ``R_i >= t`` on every served link (cap > 0, G_ii > 0)
min_power           min ``sum_i P_i``
==================  ===================================================================

Time-sharing convexifies the rate region: floors that no single power vector meets together
(two strong interferers each asking for more than half of what it gets alone) can be met on
average. Candidates: every on/off pattern at the caps for ``K <= ENUMERATE_MAX_K`` (2^K
vectors; with ``min_power`` also at scaled-down caps), else each link alone and all on; plus
the best single vector of the objective (``planners.best``) and the WMMSE answer. Then column
generation (Dantzig-Wolfe / Gilmore-Gomory): with the LP's dual prices ``lambda_i >= 0`` on the
rate rows, a vector ``p`` improves the LP iff its reduced cost is negative, i.e. iff
``sum_i (w_i + lambda_i) r_i(p) - mu sum_i p_i`` exceeds the convexity row's dual. The pricing
problem is a weighted sum-rate (minus a power price under ``min_power``): weighted WMMSE (Shi
et al., IEEE TSP 2011) from full power and from the LP's support, and best-response sweeps on a
grid (which also handle the power price), and under ``min_power`` each link alone at its
water-filling power ``a_i / ln 2 - noise_i / G_ii`` and ``min_power`` each support column's rates at
their least powers (Foschini-Miljanic). New columns are added until none improves (reduced
cost below ``-PRICE_TOL``) or ``max_rounds`` pass. The pricing is a heuristic (the weighted
sum-rate is not concave), so the LP value is the optimum over the candidates found, exact over
the whole region only when the pricing finds the best column.

One problem at a time (the LP does not batch); :func:`timeshare` loops over the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
from scipy.optimize import linprog
from wireless_agents.environment.metrics import rates as link_rates

from ._common import direct
from .constraints import min_powers
from .greedy import best_response_sweeps
from .wmmse import wmmse_run

ENUMERATE_MAX_K = 10  # every on/off pattern up to 2^10 = 1024 candidates
POWER_SCALES = (1.0, 0.5, 0.25, 0.125, 0.0625)  # min_power: on/off patterns at these cap scales
PRICE_TOL = 1e-9  # reduced cost a new column must beat
RATE_TOL = 1e-6  # bit/s/Hz a link's average rate may fall short of its floor by round-off


@dataclass
class LPResult:
    """The LP over one problem's candidates.

    ``columns`` (C, K) candidate powers (W), ``rates`` (C, K) their rates (bit/s/Hz),
    ``fractions`` (C,) the time fractions (sum 1; the fallback's when not ``feasible``),
    ``value`` the LP optimum in the objective's utility units (sum-rate / weighted / min rate
    in bit/s/Hz, min_power ``1 - sum P / (K p_max)``; NaN when infeasible), ``feasible``
    whether the floors can be met on average over the candidates, ``rounds`` the column
    generation rounds, ``reduced`` (C,) each column's reduced cost at the final LP's duals
    (0 on the support, >= 0 elsewhere; None when infeasible).
    """

    columns: np.ndarray
    rates: np.ndarray
    fractions: np.ndarray
    value: float
    feasible: bool
    rounds: int
    reduced: np.ndarray | None = None


def initial_columns(gains, caps, objective: str, extra=()) -> np.ndarray:
    """The starting candidates (C, K): on/off patterns (see the module docstring) and ``extra``."""
    k = caps.shape[0]
    if k <= ENUMERATE_MAX_K:
        pats = np.array(list(product((0.0, 1.0), repeat=k)))
    else:
        pats = np.vstack([np.zeros(k), np.eye(k), np.ones(k)])
    scales = POWER_SCALES if objective == "min_power" else (1.0,)
    cols = [pats * caps * s for s in scales] + [np.atleast_2d(e) for e in extra]
    return _unique(np.vstack(cols))


def _unique(cols: np.ndarray) -> np.ndarray:
    _, idx = np.unique(np.round(cols, 12), axis=0, return_index=True)
    return cols[np.sort(idx)]


def objective_cost(objective: str, r, p, w) -> np.ndarray:
    """The cost vector a minimizing LP/MILP over the columns' shares puts on ``objective``:
    (C,) for the columns' rates ``r`` (C, K) and powers ``p`` (C, K) (``w`` (K,) the weights),
    plus one last entry, the common rate ``t``, for ``max_min`` (C + 1,)."""
    c_n = r.shape[0]
    cost = np.zeros(c_n + int(objective == "max_min"))
    if objective == "sum_rate":
        cost[:c_n] = -r.sum(1)
    elif objective == "weighted_sum_rate":
        cost[:c_n] = -(r @ w)
    elif objective == "max_min":
        cost[-1] = -1.0
    else:  # min_power
        cost[:c_n] = p.sum(1)
    return cost


def _solve_lp(objective, r, p, w, floors, served, p_max_total):
    """One LP over the columns; returns (fractions, value, duals lambda (K,), dual mu0) or None."""
    c_n, k = r.shape
    has_t = objective == "max_min"
    nv = c_n + (1 if has_t else 0)
    cost = objective_cost(objective, r, p, w)
    rows, rhs, links = [], [], []
    for i in np.flatnonzero(floors > 0):
        row = np.zeros(nv)
        row[:c_n] = -r[:, i]
        rows.append(row)
        rhs.append(-floors[i])
        links.append(i)
    if has_t:
        for i in np.flatnonzero(served):
            row = np.zeros(nv)
            row[:c_n] = -r[:, i]
            row[-1] = 1.0
            rows.append(row)
            rhs.append(0.0)
            links.append(i)
    a_eq = np.zeros((1, nv))
    a_eq[0, :c_n] = 1.0
    bounds = [(0, None)] * c_n + ([(0, None)] if has_t else [])
    res = linprog(
        cost,
        A_ub=np.array(rows) if rows else None,
        b_ub=np.array(rhs) if rows else None,
        A_eq=a_eq,
        b_eq=[1.0],
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        return None
    lam = np.zeros(k)
    if rows:
        np.add.at(lam, links, -np.asarray(res.ineqlin.marginals))
    x = np.clip(res.x[:c_n], 0.0, None)
    x = x / x.sum()
    if objective == "min_power":
        value = 1.0 - float(res.fun) / p_max_total
    else:
        value = -float(res.fun)
    return x, value, np.maximum(lam, 0.0), float(res.eqlin.marginals[0])


def _price(objective, gains, caps, noise, w, lam, starts):
    """Pricing: candidate columns (N, K) that may raise the LP (weighted WMMSE and sweeps)."""
    k = caps.shape[0]
    a = lam + (w if objective in ("sum_rate", "weighted_sum_rate") else 0.0)
    if not np.any(a > 0):
        return np.zeros((0, k))
    starts = np.vstack([caps[None], starts])
    n = starts.shape[0]
    g = np.broadcast_to(gains, (n, k, k))
    cp = np.broadcast_to(caps, (n, k))
    nz = np.broadcast_to(noise, (n, k))
    ab = np.broadcast_to(a, (n, k))
    out = []
    if objective != "min_power":
        p, _ = wmmse_run(g, cp, nz, weights=ab, p0=starts, max_iter=200, tol=1e-6)
        out.append(p)
        p, _ = best_response_sweeps(g, cp, nz, ab, p, levels=21, max_sweeps=10)
        out.append(p)
    else:
        swept = _priced_sweeps(gains, caps, noise, a, starts)
        out.append(swept)
        gd = direct(gains[None])[0]
        solo = np.clip(a / np.log(2.0) - noise / np.where(gd > 0, gd, np.inf), 0.0, caps)
        out.append(np.diag(solo))  # each link alone: water-filling of a_i r_i(p_i) - p_i
        out.append(_least_powers(gains, caps, noise, np.vstack([starts, swept])))
    return np.vstack(out)


def powers_for_rates(gains, caps, noise, cols, want):
    """The least powers (N, K) (Foschini-Miljanic, ``constraints.min_powers``) that give each
    column (N, K) of powers on ``gains`` the rates ``want`` (N, K), and whether each column
    could (N,)."""
    n = cols.shape[0]
    p, ok, _ = min_powers(
        np.broadcast_to(gains, (n, *gains.shape)),
        np.broadcast_to(noise, cols.shape),
        np.broadcast_to(caps, cols.shape),
        want,
        np.zeros(cols.shape),
    )
    return p, ok


def _least_powers(gains, caps, noise, cols):
    """The same rates at the least powers for each column (N, K): a cheaper column for
    ``min_power`` (a column out of reach, by round-off, keeps its powers)."""
    want = link_rates(gains[None], cols, noise) * (1.0 - 1e-12)
    p, ok = powers_for_rates(gains, caps, noise, cols, want)
    return np.where(ok[:, None], p, cols)


def _priced_sweeps(gains, caps, noise, a, starts, levels=33, max_sweeps=20):
    """Coordinate ascent of ``sum_i a_i r_i(p) - sum_i p_i`` (W) over a grid of each cap, from
    each start (N, K); the power price of ``min_power``'s pricing problem."""
    out = []
    frac = np.linspace(0.0, 1.0, levels)
    for p in starts:
        p = p.copy()
        for _ in range(max_sweeps):
            moved = False
            for i in range(p.size):
                cand = np.repeat(p[None], levels, 0)
                cand[:, i] = frac * caps[i]
                val = link_rates(gains[None], cand, noise) @ a - cand.sum(1)
                j = int(np.argmax(val))
                if val[j] > link_rates(gains, p, noise) @ a - p.sum() + 1e-12:
                    p = cand[j]
                    moved = True
            if not moved:
                break
        out.append(p)
    return np.array(out)


def _reduced(objective, r, p, w, lam, mu0):
    """Reduced costs (N,) of columns with rates ``r`` and powers ``p`` (negative = improving)."""
    if objective == "sum_rate":
        cost = -r.sum(1)
    elif objective == "weighted_sum_rate":
        cost = -(r @ w)
    elif objective == "max_min":
        cost = np.zeros(r.shape[0])
    else:
        cost = p.sum(1)
    return cost - r @ lam - mu0


def _fallback(r, floors):
    """Fractions that miss the floors by the least total (LP infeasible): min sum_i s_i with
    ``R_i + s_i >= f_i``."""
    c_n, k = r.shape
    idx = np.flatnonzero(floors > 0)
    m = idx.size
    cost = np.concatenate([np.zeros(c_n), np.ones(m)])
    a_ub = np.hstack([-r[:, idx].T, -np.eye(m)])
    a_eq = np.concatenate([np.ones(c_n), np.zeros(m)])[None]
    res = linprog(cost, A_ub=a_ub, b_ub=-floors[idx], A_eq=a_eq, b_eq=[1.0], method="highs")
    x = np.clip(res.x[:c_n], 0.0, None)
    return x / x.sum()


def solve_lp(
    gains, caps, noise, objective, weights, floors, budget=1.0, extra=(), max_rounds=30
) -> LPResult:
    """The time-sharing LP of one problem (``gains`` (K, K), ``caps``/``noise``/``weights``/
    ``floors`` (K,)) with column generation; ``budget`` the total power budget ``sum p_max``
    (W) of ``min_power``'s utility; ``extra`` (N, K) more starting candidates."""
    k = caps.shape[0]
    w = np.ones(k) if weights is None else np.asarray(weights, dtype=float)
    served = (caps > 0) & (direct(gains[None])[0] > 0)
    cols = initial_columns(gains, caps, objective, extra)
    r = link_rates(gains[None], cols, noise)
    total = max(float(budget), 1e-300)
    rounds = 0
    out = _solve_lp(objective, r, cols, w, floors, served, total)
    while out is not None and rounds < max_rounds:
        x, _, lam, mu0 = out
        support = cols[x > 1e-9]
        new = _price(objective, gains, caps, noise, w, lam, support)
        if new.size == 0:
            break
        rn = link_rates(gains[None], new, noise)
        red = _reduced(objective, rn, new, w, lam, mu0)
        keep = red < -PRICE_TOL * max(1.0, abs(mu0))
        if not keep.any():
            break
        cols = np.vstack([cols, new[keep]])
        r = np.vstack([r, rn[keep]])
        rounds += 1
        out = _solve_lp(objective, r, cols, w, floors, served, total)
    if out is None:
        x = _fallback(r, floors)
        return LPResult(cols, r, x, float("nan"), False, rounds)
    red = _reduced(objective, r, cols, w, out[2], out[3])
    return LPResult(cols, r, out[0], out[1], True, rounds, red)
