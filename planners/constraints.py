"""Per-link minimum rates: feasibility test, repair and the constrained mode of ``solve``.

A minimum rate r_i is the SINR target gamma_i = 2^r_i - 1. With F_ij = G_ij / G_ii (j != i)
and u_i = noise_i / G_ii, the smallest powers meeting the targets of the constrained set C,
the other links held at fixed powers, solve

    p_C = (I - Gamma F_CC)^-1 Gamma (u_C + F_CU p_U)

which exists (and is non-negative) iff the spectral radius of Gamma F_CC is < 1. The targets
are reachable at all iff that vector, with every unconstrained link silent (the strict test),
also fits under the caps: silencing other links only removes interference.

The constrained mode tries, per sample: the algorithm's answer; for weighted algorithms a
dual/penalty loop of WMMSE runs whose link weights grow while a link misses its target; and
for every such candidate a Yates (Foschini-Miljanic) raise of the violated links towards their
targets and the minimal-power vector above with the unconstrained links scaled by
1, 0.5, 0.2, 0. It keeps the feasible candidate with the largest (weighted) sum-rate, else the
one that misses the targets by the least total.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.metrics import interference_plus_noise, rates, shannon_rate
from wireless_agents.environment.power_control import sinr_target_powers  # noqa: F401 - re-exported

from ._common import direct
from .wmmse import wmmse_run

RATE_TOL = 1e-6  # bit/s/Hz a link may fall short of its minimum by round-off


def min_powers(gains, noise, caps, min_rate, fixed):
    """Smallest powers meeting the minimum rates, links without one held at ``fixed``.

    Returns (powers (B, K), ok (B,), rho (B,)). ``ok`` says the vector exists (spectral radius
    < 1, direct gains > 0) and fits under the caps. Where not ok, powers are the capped Yates
    iteration's best effort.
    """
    gains = np.asarray(gains, dtype=float)
    c = min_rate > 0
    gamma = np.where(c, np.exp2(min_rate) - 1.0, 0.0)
    exact, ok, rho = sinr_target_powers(gains, noise, caps, gamma, fixed, targeted=c)
    out = exact
    bad = np.flatnonzero(~ok)
    if bad.size:
        out = exact.copy()
        out[bad] = yates(
            gains[bad],
            noise[bad],
            caps[bad],
            min_rate[bad],
            np.where(c, 0.0, fixed)[bad],
            floor=False,
        )
    return out, ok, rho


def yates(gains, noise, caps, min_rate, p, floor=True, iters=300):
    """Capped standard interference-function iteration on the constrained links.

    p_i <- min(cap_i, max(p_i^0 if floor else 0, gamma_i I_i(p) / G_ii)) for links with a
    minimum rate; the others keep their powers. From p^0 it rises monotonically.
    """
    c = min_rate > 0
    gamma = np.where(c, np.exp2(min_rate) - 1.0, 0.0)
    gd = direct(gains)
    p0 = np.array(p, dtype=float)
    low = np.where(c, p0, 0.0) if floor else np.zeros_like(p0)
    p = p0.copy()
    for _ in range(iters):
        need = np.where(
            gd > 0, gamma * interference_plus_noise(gains, p, noise) / np.where(gd > 0, gd, 1), caps
        )
        q = np.where(c, np.minimum(caps, np.maximum(low, need)), p0)
        if np.allclose(q, p, rtol=1e-12, atol=0):
            p = q
            break
        p = q
    return p


def feasibility(gains, noise, caps, min_rate):
    """Strict test: can all minimum rates be met under the caps? Returns (ok (B,), p* (B, K))."""
    p, ok, _ = min_powers(gains, noise, caps, min_rate, np.zeros_like(caps))
    return ok, p


def alone_rates(gains, noise, caps):
    """Each link's rate at its cap with every other link silent, bit/s/Hz, shape (..., K)."""
    return shannon_rate(direct(gains) * caps / noise)


def reachable(gains, noise, caps, min_rate):
    """The minimum rates with those out of reach even alone set to 0, shape (B, K).

    A floor above ``log2(1 + G_ii cap_i / noise_i)`` (the link at its cap with every other link
    silent) cannot be met by any power vector: searching for it would only silence the other
    links to bring one link closer to a floor it still misses. It stays in the report.
    """
    return np.where(alone_rates(gains, noise, caps) >= min_rate - RATE_TOL, min_rate, 0.0)


def shortfall(gains, powers, noise, min_rate):
    """Sum over links of the rate missing to the minimum, bit/s/Hz, shape (B,)."""
    r = rates(gains, powers, noise)
    return np.where(min_rate > 0, np.maximum(min_rate - r, 0.0), 0.0).sum(-1)


def choose(gains, noise, min_rate, candidates, weights=None):
    """Per sample: the feasible candidate with the largest (``weights``: weighted) sum-rate,
    else the least shortfall. ``weights`` (B, K) or None (the plain sum-rate)."""
    cands = np.stack(candidates)  # (N, B, K)
    r = rates(gains[None], cands, noise)
    miss = np.where(min_rate > 0, np.maximum(min_rate - r, 0.0), 0.0)
    miss = np.where(miss > RATE_TOL, miss, 0.0).sum(-1)  # (N, B)
    sr = r.sum(-1) if weights is None else (np.asarray(weights) * r).sum(-1)
    mask = miss <= miss.min(0, keepdims=True) + 1e-12
    pick = np.argmax(np.where(mask, sr, -np.inf), axis=0)
    return cands[pick, np.arange(cands.shape[1])]


def enforce(gains, noise, caps, min_rate, powers, penalty=True, rounds=20, weights=None):
    """Constrained mode: return powers meeting the minimum rates where the problem allows it.

    ``weights`` (B, K) or None: the objective is the weighted sum-rate (the penalty loop's
    link weights are ``weights + lambda``, candidates compared by the weighted sum-rate).
    """
    c = min_rate > 0
    candidates = [powers]
    extra = np.zeros(caps.shape[0], dtype=int)
    if penalty:
        r = rates(gains, powers, noise)
        sel = np.flatnonzero(np.any(c & (r < min_rate - RATE_TOL), axis=-1))
        if sel.size:
            g, nz, cp, tg = gains[sel], noise[sel], caps[sel], min_rate[sel]
            cs = tg > 0
            lam = np.zeros_like(cp)
            q = powers[sel]
            for _ in range(rounds):
                rq = rates(g, q, nz)
                lam = np.where(cs, np.maximum(0.0, lam + 2.0 * (tg - rq)), 0.0)
                q0 = np.where(cs, np.maximum(q, 0.05 * cp), q)
                base = 1.0 if weights is None else np.asarray(weights)[sel]
                q, it = wmmse_run(g, cp, nz, weights=base + lam, p0=q0, tol=1e-4)
                extra[sel] += it
                full = powers.copy()
                full[sel] = q
                candidates.append(full)
    repaired = []
    for p in candidates:
        repaired.append(yates(gains, noise, caps, min_rate, p, floor=True))
        for scale in (1.0, 0.5, 0.2, 0.0):
            repaired.append(min_powers(gains, noise, caps, min_rate, p * scale)[0])
    return choose(gains, noise, min_rate, candidates + repaired, weights), extra


def report(gains, noise, caps, min_rate, powers, batched):
    """(feasible (B,), violations): one human-readable line per link that misses its minimum."""
    c = min_rate > 0
    r = rates(gains, powers, noise)
    miss = c & (r < min_rate - RATE_TOL)
    feasible = ~miss.any(-1)
    alone = alone_rates(gains, noise, caps)
    lines = []
    for bi, li in zip(*np.nonzero(miss), strict=True):
        pre = f"problem {bi}, " if batched else ""
        need, got = min_rate[bi, li], r[bi, li]
        if caps[bi, li] <= 0:
            why = "its power cap is 0 W (silent)"
        elif alone[bi, li] < need - RATE_TOL:
            why = f"best reachable {alone[bi, li]:.2f} under the caps even with all other links silent"
        else:
            others = ", ".join(str(j) for j in np.flatnonzero(c[bi]))
            why = (
                f"best reachable {got:.2f} under the caps: the minimum rates of links {others} "
                "cannot all be met together"
            )
        lines.append(f"{pre}link {li}: needs {need:.2f} bit/s/Hz, {why}")
    return feasible, lines
