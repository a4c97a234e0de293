"""Fractional programming power control (Shen & Yu, IEEE TSP 2018), quadratic transform, batched.

For scalar power control the update coincides with WMMSE's (y_i^2 = w_i u_i^2 in its notation),
so ``fp`` lands on the same powers up to round-off; it is kept as an independently written check.

With gamma_i the SINR at the current powers and link weights a_i (1 for sum-rate):

    y_i = sqrt(a_i (1 + gamma_i) G_ii p_i) / (sum_j G_ij p_j + noise_i)
    p_i = min(cap_i, a_i (1 + gamma_i) G_ii y_i^2 / (sum_j y_j^2 G_ji)^2)

Starts at full power; at most 100 iterations; a sample stops once its weighted sum-rate gains
<= 1e-3 and is frozen, so a batch gives the results of one-by-one runs.
"""

from __future__ import annotations

import numpy as np

from ._common import LN2, as_weights, direct, offdiag, rows


def fp(gains, caps, noise, weights=None, p0=None, max_iter=100, tol=1e-3):
    """FP quadratic transform (Shen & Yu 2018) from full power, <= 100 iterations, tol 1e-3."""
    gains = np.asarray(gains, dtype=float)
    b, k = gains.shape[0], gains.shape[-1]
    caps = np.asarray(caps, dtype=float)
    noise = np.broadcast_to(np.asarray(noise, dtype=float), (b, k))
    a = as_weights(weights, b, k)
    p = (caps if p0 is None else np.clip(p0, 0.0, caps)).copy()
    out = p.copy()
    iters = np.zeros(b, dtype=int)
    idx = np.arange(b)
    g, gd, gx, nz, aa, cp = gains, direct(gains), offdiag(gains), noise, a, caps

    def terms(p, gd, gx, nz):
        interf = np.einsum("bij,bj->bi", gx, p) + nz
        return interf, gd * p / interf

    interf, gam = terms(p, gd, gx, nz)
    obj = (aa * np.log1p(gam)).sum(-1) / LN2
    for it in range(1, max_iter + 1):
        if idx.size == 0:
            break
        total = interf + gd * p
        y = np.sqrt(aa * (1.0 + gam) * gd * p) / total
        den = np.einsum("bji,bj->bi", g, y * y)
        pnew = np.zeros_like(p)
        np.divide(aa * (1.0 + gam) * gd * y * y, den * den, out=pnew, where=den > 0)
        p = np.minimum(pnew, cp)
        interf, gam = terms(p, gd, gx, nz)
        new_obj = (aa * np.log1p(gam)).sum(-1) / LN2
        done = new_obj - obj <= tol
        obj = new_obj
        iters[idx] = it
        if done.any():
            out[idx[done]] = p[done]
            keep = ~done
            idx, g, gd, gx, nz, aa, cp = rows(keep, idx, g, gd, gx, nz, aa, cp)
            p, interf, gam, obj = rows(keep, p, interf, gam, obj)
    out[idx] = p
    return out, iters
