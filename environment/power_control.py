"""Power control for SINR targets: the least powers that reach them, by one linear system.

For links with SINR targets ``gamma`` (the set C; a rate floor r is the target ``2^r - 1``) and the
other links U held at fixed powers, the least powers reaching the targets are the fixed point of
the Foschini-Miljanic iteration (Foschini & Miljanic 1993; Zander 1992). It is the physics of
the shared band that both sides use: the planners' network-wide solvers
(``planners.constraints``, ``planners.maxmin``, ``planners.minpower``) and an agent's tools on its
small local problem (``tools.local_objectives``).

Gains linear ``G[..., i, j]`` (transmitter j to receiver i), powers and noise in W.
"""

from __future__ import annotations

import numpy as np

from .metrics import safe_div


def _spectral_radius(m: np.ndarray) -> np.ndarray:
    return np.abs(np.linalg.eigvals(m)).max(axis=-1) if m.shape[-1] else np.zeros(m.shape[0])


def sinr_target_powers(gains, noise, caps, gamma, fixed, targeted=None, cap_tol=1e-9,
                       spectral=True):  # fmt: skip
    """The smallest powers reaching SINR targets ``gamma`` exactly, by the linear system.

    ``gamma`` (B, K) linear SINR targets (0 = no target: that link holds its ``fixed`` power,
    W); ``gains`` (B, K, K); ``noise``, ``caps`` (B, K) W. Solves

        p_C = (I - Gamma F_CC)^-1 Gamma (u_C + F_CU p_U)

    (the fixed point of the Foschini-Miljanic iteration, Foschini & Miljanic 1993; Zander
    1992). Returns (powers (B, K) clipped to [0, caps], ok (B,), rho (B,)): ``ok`` says the
    vector exists (spectral radius ``rho`` of Gamma F_CC < 1, direct gains > 0 on the targeted
    links) and fits under the caps; where not ok the powers are not meaningful. ``targeted``
    (B, K) bool, the set C, defaults to ``gamma > 0``; ``cap_tol`` is the relative round-off
    a power may exceed its cap by and still count as fitting (it is then clipped).

    ``spectral=False`` skips the eigenvalues (``rho`` is then NaN) and decides existence by the
    sign of the solution instead, which is exact for these non-negative systems: with
    ``b = Gamma u > 0`` on C, a solution ``x_C > 0`` of ``x = M x + b`` gives ``M x < x``, so
    rho(M) < 1 (subinvariance, Perron-Frobenius); if rho(M) < 1 then ``x = sum_n M^n b > 0``.
    """
    b, k = caps.shape
    c = gamma > 0 if targeted is None else targeted
    gd = np.diagonal(gains, axis1=-2, axis2=-1).copy()
    reach = ~c | (gd > 0)
    f = safe_div(gains, gd[:, :, None])
    f[:, np.arange(k), np.arange(k)] = 0.0
    u = safe_div(noise, gd)
    cc = c[:, :, None] & c[:, None, :]
    m = np.where(cc, gamma[:, :, None] * f, 0.0)
    fixed = np.where(c, 0.0, fixed)
    rhs = np.where(
        c, gamma * (u + np.einsum("bij,bj->bi", np.where(c[:, None, :], 0.0, f), fixed)), fixed
    )
    if not spectral:
        try:
            with np.errstate(all="ignore"):
                x = np.linalg.solve(np.eye(k)[None] - m, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a singular system (rho exactly 1): decide by eigenvalues
            return sinr_target_powers(gains, noise, caps, gamma, fixed, c, cap_tol, True)
        ok = reach.all(-1) & np.all(np.isfinite(x), axis=-1)
        ok &= np.all(np.where(c, x > 0, x >= 0), axis=-1)
        ok &= np.all(x <= caps * (1 + cap_tol) + 1e-300, axis=-1)
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        return np.clip(x, 0.0, caps), ok, np.full(b, np.nan)
    rho = _spectral_radius(m)
    good = (rho < 1.0 - 1e-12) & reach.all(-1)
    a = np.eye(k)[None] - np.where(good[:, None, None], m, 0.0)
    x = np.linalg.solve(a, rhs[..., None])[..., 0]
    ok = good & np.all(x >= -1e-12, axis=-1) & np.all(x <= caps * (1 + cap_tol) + 1e-300, axis=-1)
    return np.clip(x, 0.0, caps), ok, rho
