"""Minimum total power subject to per-link minimum rates, exactly, batched.

For SINR targets ``gamma_i = 2^{r_i} - 1`` (``r_i`` the floor in bit/s/Hz) the componentwise
smallest powers meeting every target are

    p* = (I - D F)^-1 D u,   D = diag(gamma),  F_ij = G_ij / G_ii (i != j),  u_i = noise_i / G_ii,

the fixed point of the Foschini-Miljanic iteration (Foschini & Miljanic 1993; Zander 1992;
Yates 1995 for the standard interference function view). The targets are feasible iff the
spectral radius of D F is < 1 and p* <= caps. Any power vector meeting the targets is >= p*
componentwise, so p* also has the least total power: for continuous power control this is the
optimum of the ``min_power`` objective, not an approximation.

Links without a floor get power 0 (they are not asked to carry anything, and transmitting only
adds interference and spends power). So do links whose floor is out of reach even alone at
their cap (``solve`` drops such floors before planning, :func:`planners.constraints.reachable`,
and reports them). Where the remaining floors cannot be met together the plan is the capped
Yates iteration's best effort, and ``solve`` reports the missed floors in
``feasible``/``violations``. Computed by :func:`planners.constraints.feasibility`.
"""

from __future__ import annotations

import numpy as np

from .constraints import feasibility


def minpower(gains, caps, noise, weights=None, min_rate=None):
    """Least total power meeting the floors: the Foschini-Miljanic linear system, exact."""
    b, k = caps.shape
    noise = np.broadcast_to(np.asarray(noise, dtype=float), (b, k))
    if min_rate is None or not np.any(np.asarray(min_rate) > 0):
        return np.zeros((b, k)), np.ones(b, dtype=int)
    _, p = feasibility(np.asarray(gains, dtype=float), noise, caps, np.asarray(min_rate, float))
    return p, np.ones(b, dtype=int)
