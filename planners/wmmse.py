"""WMMSE power control (Shi, Razaviyayn, Luo, He, IEEE TSP 2011), batched.

For the scalar interference channel with amplitudes h_ij = sqrt(G_ij) and v_i = sqrt(p_i):

    u_i = h_ii v_i / (sum_j G_ij v_j^2 + noise_i)           (MMSE receiver)
    w_i = 1 / (1 - u_i h_ii v_i) = 1 + SINR_i                 (MSE weight)
    v_i = clip(a_i w_i u_i h_ii / sum_j a_j w_j u_j^2 G_ji, 0, sqrt(cap_i))

with link weights a_i (1 for sum-rate). All v_i are updated together from the previous
(u, w) (Jacobi), as in the reference code of Sun et al. 2018; the weighted sum-rate
sum_i a_i log2 w_i never decreases. Defaults follow that code: start at full power, at most
100 iterations, stop a sample once its objective gains <= 1e-3 (its last update is kept).
Converged samples are frozen, so a batch gives the results of one-by-one runs.
"""

from __future__ import annotations

import numpy as np

from ._common import LN2, as_weights, direct, offdiag, rows


def _receivers(gd, gx, noise, v):
    """(u, w, objective terms log2 w) for amplitudes v."""
    p = v * v
    interf = np.einsum("bij,bj->bi", gx, p) + noise
    total = interf + gd * p
    u = np.sqrt(gd) * v / total
    w = total / interf
    return u, w


def wmmse_run(gains, caps, noise, weights=None, p0=None, max_iter=100, tol=1e-3, history=False):
    """Run batched WMMSE; return (powers (B, K), iterations (B,)[, history]).

    ``history`` (if True) is an array (max_iter + 1, B) of the weighted objective (in bit/s/Hz)
    after each iteration, NaN once a sample stopped; row 0 is the starting point.
    """
    gains = np.asarray(gains, dtype=float)
    b, k = gains.shape[0], gains.shape[-1]
    caps = np.asarray(caps, dtype=float)
    noise = np.broadcast_to(np.asarray(noise, dtype=float), (b, k))
    a = as_weights(weights, b, k)
    p0 = caps if p0 is None else np.minimum(np.maximum(np.asarray(p0, dtype=float), 0.0), caps)
    gd_all = direct(gains)
    gx_all = offdiag(gains)

    v_out = np.sqrt(p0).copy()
    iters = np.zeros(b, dtype=int)
    hist = np.full((max_iter + 1, b), np.nan) if history else None

    idx = np.arange(b)
    g, gd, gx, nz, aa = gains, gd_all, gx_all, noise, a
    vmax = np.sqrt(caps)
    v = v_out.copy()
    u, w = _receivers(gd, gx, nz, v)
    obj = (aa * np.log(w)).sum(-1) / LN2
    if history:
        hist[0] = obj
    for it in range(1, max_iter + 1):
        if idx.size == 0:
            break
        awu = aa * w * u
        den = np.einsum("bji,bj->bi", g, awu * u)
        num = awu * np.sqrt(gd)
        vnew = np.zeros_like(v)
        np.divide(num, den, out=vnew, where=den > 0)
        v = np.clip(vnew, 0.0, vmax)
        u, w = _receivers(gd, gx, nz, v)
        new_obj = (aa * np.log(w)).sum(-1) / LN2
        if history:
            hist[it, idx] = new_obj
        done = new_obj - obj <= tol
        obj = new_obj
        iters[idx] = it
        if done.any():
            v_out[idx[done]] = v[done]
            keep = ~done
            idx, g, gd, gx, nz, aa, vmax = rows(keep, idx, g, gd, gx, nz, aa, vmax)
            v, u, w, obj = rows(keep, v, u, w, obj)
    v_out[idx] = v
    powers = np.minimum(v_out * v_out, caps)
    if history:
        return powers, iters, hist
    return powers, iters


def wmmse(gains, caps, noise, weights=None, max_iter=100, tol=1e-3):
    """WMMSE (Shi et al. 2011) from full power, Jacobi updates, <= 100 iterations, tol 1e-3."""
    return wmmse_run(gains, caps, noise, weights=weights, max_iter=max_iter, tol=tol)
