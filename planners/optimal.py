"""Exhaustive grid search: the best of ``levels**K`` discrete power vectors, batched and chunked.

Each link takes ``levels`` evenly spaced powers in [0, cap] (default 21). Every combination is
evaluated for every sample in chunks that bound memory; the maximiser of the objective wins:
the (weighted) sum-rate, for ``objective="max_min"`` the smallest rate over the links that can
be served (cap > 0, direct gain > 0; see :mod:`planners.maxmin`), for ``"min_power"`` the
least total power. With ``min_rate`` (from ``solve``) only grid points meeting every minimum
rate compete, where a sample has any. ``refine=True`` (default) then polishes a (weighted)
sum-rate grid winner with WMMSE to stationarity, which never lowers the objective;
``refine=False`` returns the pure grid optimum. The max-min and min-power winners are never
polished: the grid is the yardstick for their exact solvers (``maxmin``, ``minpower``).
Refuses with :class:`ProblemTooLarge` when ``levels**K`` exceeds ``max_points``.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.metrics import rates, shannon_rate

from ._common import as_weights, direct, offdiag, weighted_sum_rate
from .errors import PlannerInputError, ProblemTooLarge
from .maxmin import served as links_served
from .wmmse import wmmse_run

MAX_POINTS = 5_000_000


def check_size(k: int, levels: int, max_points: int = MAX_POINTS) -> None:
    points = levels**k
    if points > max_points:
        raise ProblemTooLarge(
            f"optimal: {levels}^{k} = {points:,} grid points exceeds the limit of "
            f"{max_points:,}; use fewer levels or links, or algo='best'"
        )


def grid_search(gains, caps, noise, weights, fractions, min_rate=None, chunk_elems=4_000_000,
                objective="sum_rate"):  # fmt: skip
    """Best grid point per sample over all combinations of ``fractions`` of each cap.

    Returns (powers (B, K), objective (B,)): bit/s/Hz for the rate objectives, minus the total
    power (W) for ``min_power``. Combinations are enumerated in ``itertools.product`` order
    (link 0 most significant); the first maximiser wins.
    """
    b, k = caps.shape
    fractions = np.asarray(fractions, dtype=float)
    levels = fractions.size
    gd, gx = direct(gains), offdiag(gains)
    gxt = gx.transpose(0, 2, 1)
    noise = np.broadcast_to(np.asarray(noise, dtype=float), (b, k))
    a = as_weights(weights, b, k)
    targets = None
    if min_rate is not None and np.any(min_rate > 0):
        targets = np.asarray(min_rate, dtype=float)
    total = levels**k
    place = levels ** np.arange(k - 1, -1, -1)
    chunk = max(1, chunk_elems // (b * k))
    best_obj = np.full(b, -np.inf)
    best_p = np.zeros((b, k))
    served = links_served(gains, caps)[:, None, :]
    for start in range(0, total, chunk):
        ids = np.arange(start, min(total, start + chunk))
        digits = (ids[:, None] // place[None, :]) % levels
        pw = fractions[digits][None, :, :] * caps[:, None, :]  # (B, C, K)
        interf = np.matmul(pw, gxt) + noise[:, None, :]
        r = shannon_rate(gd[:, None, :] * pw / interf)
        if objective == "max_min":
            obj = np.where(served, r, np.inf).min(-1)
            obj = np.where(np.isfinite(obj), obj, 0.0)
        elif objective == "min_power":
            obj = -pw.sum(-1)
        else:
            obj = (a[:, None, :] * r).sum(-1)
        if targets is not None:
            # Points that miss a minimum rate only win where no point meets them all.
            ok = np.all(r >= targets[:, None, :] - 1e-9, axis=-1)
            obj = np.where(ok, obj, obj - 1e9)
        j = np.argmax(obj, axis=1)
        o = obj[np.arange(b), j]
        better = o > best_obj
        best_obj = np.where(better, o, best_obj)
        best_p[better] = pw[np.arange(b), j][better]
    return best_p, best_obj


def optimal(
    gains, caps, noise, weights=None, levels=21, refine=True, max_points=MAX_POINTS, min_rate=None,
    objective="sum_rate",
):  # fmt: skip
    """Exhaustive search over `levels` powers per link (default 21), then a WMMSE polish."""
    b, k = caps.shape
    if levels < 2:
        raise PlannerInputError("optimal: levels must be an integer >= 2")
    check_size(k, levels, max_points)
    fr = np.linspace(0.0, 1.0, levels)
    p, _ = grid_search(gains, caps, noise, weights, fr, min_rate, objective=objective)
    iters = np.ones(b, dtype=int)
    if refine and objective in ("sum_rate", "weighted_sum_rate"):
        q, it = wmmse_run(gains, caps, noise, weights=weights, p0=p, max_iter=500, tol=1e-9)
        a = as_weights(weights, b, k)
        gain = weighted_sum_rate(gains, q, noise, a) - weighted_sum_rate(gains, p, noise, a)
        use = gain > 0
        if min_rate is not None:
            use &= np.all(rates(gains, q, noise) >= np.asarray(min_rate) - 1e-9, axis=-1)
        p = np.where(use[:, None], q, p)
        iters = iters + it
    return p, iters
