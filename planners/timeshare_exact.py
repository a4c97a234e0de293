"""Can any schedule of L whole slices meet the floors? A proof of "no" for small K.

The time-sharing LP answers for unrestricted fractions; with L slices the mean rate vector is
the mean of L points of the one-slot rate region ``R``, and the floors ``f`` can be met iff some
L points ``r^1..r^L`` of ``R`` have ``sum_t r^t >= L f``. Every rate vector is dominated by one
with some link at its cap (scaling every power up by ``a > 1`` raises every SINR), so it
suffices to cover those faces: each face (link ``k`` at its cap) is cut into cells, the other
links' powers in intervals of a geometric grid (ratio ``ratio``, from ``FLOOR_FRAC`` of the cap,
plus the interval from 0), and each cell's rates are bounded above (own power at the top of
its interval, interferers at the bottom). Normalized by the floors (``v_i = u_i / f_i``, the
target ``L`` per link) and rounded *up* to bins of ``delta`` on all floored links but the last,
the question becomes a max-plus convolution over a small table; if even these upper bounds
cannot sum to the target, no schedule can (a proof). If they can, the answer is unknown (the
bounds are loose by about ``log2(ratio)`` bit/s/Hz per slice and ``delta`` per bin).

:func:`slices_can_meet` returns False (proved impossible) or None (not proved); the caller
says True when it holds a schedule that meets them. Limited to K <= ``EXACT_MAX_K`` links and
at most ``EXACT_MAX_K`` floors. Units: gains linear, powers and noise W, rates bit/s/Hz.
"""

from __future__ import annotations

import numpy as np

EXACT_MAX_K = 3  # links (cells grow as levels^(K-1) per face)
FLOOR_FRAC = 1e-5  # the grid's lowest level as a fraction of the cap (below: the cell from 0)
# (ratio of the geometric power grid, bin of the normalized rates u_i / f_i): coarse first
# (about a second for K = 3, L = 4), the fine one only when the coarse one proves nothing
RESOLUTIONS = ((1.05, 0.05), (1.02, 0.02))


def _levels(cap: float, ratio: float) -> np.ndarray:
    n = int(np.ceil(np.log(1.0 / FLOOR_FRAC) / np.log(ratio)))
    return np.r_[0.0, cap * FLOOR_FRAC * ratio ** np.arange(n), cap]


def cell_bounds(gains, caps, noise, ratio: float) -> np.ndarray:
    """Upper bounds (M, K) on the rates of every cell of every face (see the module)."""
    k = caps.shape[0]
    out = []
    for face in range(k):
        if caps[face] <= 0:
            continue
        lo_hi = []
        for j in range(k):
            if j == face:
                lo_hi.append((np.array([caps[j]]), np.array([caps[j]])))
            elif caps[j] <= 0:
                lo_hi.append((np.zeros(1), np.zeros(1)))
            else:
                lv = np.unique(np.clip(_levels(caps[j], ratio), 0.0, caps[j]))
                lo_hi.append((lv[:-1], lv[1:]))
        idx = np.meshgrid(*[np.arange(len(a)) for a, _ in lo_hi], indexing="ij")
        lo = np.stack([lo_hi[j][0][idx[j].ravel()] for j in range(k)], -1)  # (M, K)
        hi = np.stack([lo_hi[j][1][idx[j].ravel()] for j in range(k)], -1)
        own = np.diagonal(gains) * hi
        interf = lo @ gains.T - np.diagonal(gains) * lo
        out.append(np.log2(1.0 + own / (noise + np.maximum(interf, 0.0))))
    return np.vstack(out) if out else np.zeros((0, k))


def _closure(t: np.ndarray) -> np.ndarray:
    """Suffix maxima along every axis: t[a] = max over a' >= a (componentwise)."""
    for ax in range(t.ndim):
        t = np.flip(np.maximum.accumulate(np.flip(t, ax), axis=ax), ax)
    return t


def _table(v: np.ndarray, n: int, delta: float) -> np.ndarray:
    """The closed table of points ``v`` (M, d): bins of the first d-1 coordinates (rounded
    up, clipped at ``n``), the largest last coordinate in each."""
    d = v.shape[1]
    t = np.full((n + 1,) * (d - 1), -np.inf)
    b = np.minimum(np.ceil(v[:, :-1] / delta - 1e-12), n).astype(int)
    np.maximum.at(t, tuple(b.T), v[:, -1])
    return _closure(t)


def _convolve(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Max-plus sum of two closed tables: c[x] = max over y of a[y] + b[max(x - y, 0)]."""
    ar = np.arange(n + 1)
    c = np.full(a.shape, -np.inf)
    corners = np.argwhere(np.isfinite(a))
    for y in corners:
        if any(y[ax] < n and a[tuple(y)] <= a[tuple(y + np.eye(a.ndim, dtype=int)[ax])]
               for ax in range(a.ndim)):  # fmt: skip
            continue  # dominated by a neighbour: not a corner of the staircase
        sel = np.ix_(*[np.maximum(ar - y[ax], 0) for ax in range(a.ndim)])
        c = np.maximum(c, a[tuple(y)] + b[sel])
    return c


def _power(t: np.ndarray, times: int, n: int) -> np.ndarray:
    """The max-plus sum of ``times`` copies of the closed table ``t`` (by doubling)."""
    out, base = None, t
    while times:
        if times & 1:
            out = base if out is None else _convolve(out, base, n)
        times >>= 1
        if times:
            base = _convolve(base, base, n)
    return out


def proved_impossible(gains, caps, noise, floors, slices, ratio, delta) -> bool:
    """One resolution's test: True when the cells' upper bounds cannot reach the floors."""
    on = np.flatnonzero(floors > 0)
    u = cell_bounds(gains, caps, noise, ratio)
    v = np.minimum(u[:, on] / floors[on], float(slices))  # (M, d), target: sum >= slices
    if v.shape[1] == 1:
        return bool(v[:, 0].max() < 1.0 - 1e-12)
    n = int(np.ceil(slices / delta - 1e-9))
    total = _power(_table(v, n, delta), slices, n)
    return bool(total[(n,) * (v.shape[1] - 1)] < slices - 1e-12)


def slices_can_meet(gains, caps, noise, floors, slices: int) -> bool | None:
    """False when no schedule of ``slices`` slices meets ``floors`` (K,) on average (proved),
    None when not proved (or K > ``EXACT_MAX_K``). ``gains`` (K, K), ``caps``/``noise`` (K,)."""
    gains = np.asarray(gains, dtype=float)
    caps, noise, floors = (np.asarray(x, dtype=float) for x in (caps, noise, floors))
    if caps.shape[0] > EXACT_MAX_K or not np.any(floors > 0):
        return None
    for ratio, delta in RESOLUTIONS:
        if proved_impossible(gains, caps, noise, floors, slices, ratio, delta):
            return False
    return None
