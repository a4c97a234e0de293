"""Max-min fairness: the power control that maximizes the smallest rate, exactly, batched.

Maximize ``t`` subject to ``SINR_i(p) >= max(t, f_i)`` on every served link and
``0 <= p_i <= cap_i`` (``f_i = 2^{r_i} - 1`` for a floor ``r_i`` in bit/s/Hz, else 0). A
common SINR target vector ``gamma`` is reachable iff the smallest powers that reach it,

    p = (I - Gamma F)^-1 Gamma u,   F_ij = G_ij / G_ii (i != j),  u_i = noise_i / G_ii,

exist (spectral radius of Gamma F < 1) and fit under the caps (J. Zander, "Performance of
optimum transmitter power control in cellular radio systems", IEEE TVT 1992; G. J. Foschini &
Z. Miljanic, "A simple distributed autonomous power control algorithm and its convergence",
IEEE TVT 1993; see :func:`planners.constraints.sinr_target_powers`). Reachability is monotone
in ``t``, so bisection on ``t`` converges to the optimum: the max-min SINR balancing of Zander
(1992) and H. Boche & M. Schubert ("Resource allocation in multiantenna systems: achieving
max-min fairness by optimizing a sum of inverse SIR", IEEE TSP 2006) under per-link caps, with
floors as extra lower bounds on the targets. Without floors its value equals the
Perron-Frobenius closed form ``t* = 1 / max_i rho(F + u e_i^T / cap_i)`` (C. W. Tan, "Wireless
network optimization by Perron-Frobenius theory", Found. Trends Netw. 2015; the tests check
it). For continuous powers in ``[0, cap]`` it is optimal (up to the bisection's tolerance,
1e-12 bit/s/Hz); its plan is the least-power vector reaching the optimal targets (links with a
floor above the common rate get exactly their floor).

Links that cannot be served (cap 0 or direct gain 0) are silent and left out of the minimum:
the solver raises the worst *served* link. The objective
(:func:`environment.objectives.utility`, the minimum over all links) is then 0 whatever the
plan. Floors out of reach under the caps even with every other link silent are dropped before
(``solve``'s rule, :func:`planners.constraints.reachable`); when the remaining floors cannot be
met together, the plan is the capped Yates iteration's best effort and ``solve`` reports the
misses.
"""

from __future__ import annotations

import numpy as np

from ._common import direct
from .constraints import min_powers, sinr_target_powers

BISECTIONS = 64  # halvings of the rate interval: far below 1e-12 bit/s/Hz for any sane range


def served(gains, caps) -> np.ndarray:
    """(B, K) bool: links that can carry a positive rate (cap > 0 and direct gain > 0)."""
    return (caps > 0) & (direct(gains) > 0)


def maxmin(gains, caps, noise, weights=None, min_rate=None, tol=1e-12):
    """Max-min rate power control: bisection on a common SINR target (Zander 1992), exact."""
    gains = np.asarray(gains, dtype=float)
    b, k = caps.shape
    noise = np.broadcast_to(np.asarray(noise, dtype=float), (b, k))
    on = served(gains, caps)
    floors = np.zeros((b, k)) if min_rate is None else np.asarray(min_rate, dtype=float)
    f = np.where(floors > 0, np.exp2(floors) - 1.0, 0.0)
    zero = np.zeros((b, k))

    def reach(t):
        """Powers and reachability of the rate target ``t`` (B,) on the served links."""
        gamma = np.where(on, np.maximum(np.exp2(t)[:, None] - 1.0, f), f)
        p, ok, _ = sinr_target_powers(
            gains, noise, caps, gamma, zero, gamma > 0, cap_tol=0.0, spectral=False
        )
        return p, ok

    p0, ok0 = reach(np.zeros(b))  # the floors alone (or nothing): t = 0
    alone = np.log2(1.0 + direct(gains) * caps / noise)
    hi = np.where(on, alone, np.inf).min(-1)
    hi = np.where(np.isfinite(hi), hi, 0.0)
    lo = np.zeros(b)
    best = p0
    iters = np.zeros(b, dtype=int)
    active = ok0 & on.any(-1) & (hi > tol)
    for _ in range(BISECTIONS):
        if not active.any():
            break
        mid = 0.5 * (lo + hi)
        p, ok = reach(np.where(active, mid, 0.0))
        up = active & ok
        lo = np.where(up, mid, lo)
        hi = np.where(active & ~ok, mid, hi)
        best = np.where(up[:, None], p, best)
        iters += active
        active &= hi - lo > tol
    if not ok0.all():  # floors that cannot be met together: the capped Yates best effort
        bad = np.flatnonzero(~ok0)
        best = best.copy()
        best[bad] = min_powers(gains[bad], noise[bad], caps[bad], floors[bad], zero[bad])[0]
    return np.where(on, best, 0.0), iters
