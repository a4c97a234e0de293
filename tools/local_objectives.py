"""The other objectives on an agent's small problem: max-min and minimum power (no planners).

:func:`~wireless_agents.tools.neighbourhood.local_wmmse` solves the problem of the links the agent
hears, ``(G, noise, caps)`` of :func:`~wireless_agents.tools.neighbourhood.local_problem`
(``n`` members, agent first; gains linear, powers and noise in watts). For the sum-rate and the
weighted sum-rate it runs WMMSE; for the two objectives below it solves the local problem
exactly with the linear algebra of SINR targets that the planners' network-wide solvers use too
(:mod:`wireless_agents.environment.power_control`):

For SINR targets ``gamma`` (n,), the least powers reaching them are the fixed point of the
Foschini-Miljanic iteration (Foschini & Miljanic 1993; Zander 1992)::

    p = (I - diag(gamma) F)^-1 diag(gamma) u,   F_ab = G_ab / G_aa (a != b),  u_a = noise_a / G_aa,

reachable iff this ``p`` is positive (then the spectral radius of ``diag(gamma) F`` is < 1) and
within the caps.

- ``min_power``: ``gamma_a = 2^{r_a} - 1`` for the members with a floor ``r_a`` (bit/s/Hz);
  members without one transmit nothing (:func:`min_power_local`).
- ``max_min``: the largest common rate ``t`` such that the targets ``max(2^t - 1, gamma_a)``
  are reachable, by bisection on ``t`` (reachability is monotone in ``t``; Zander 1992),
  :func:`max_min_local`.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.power_control import sinr_target_powers

BISECTIONS = 50  # halvings of the rate interval: ~1e-15 of the alone rate


def target_powers(g: np.ndarray, noise: np.ndarray, gamma: np.ndarray) -> np.ndarray | None:
    """The least powers (W, (n,)) reaching SINR targets ``gamma`` (n,) on gains ``g`` (n, n)
    with ``noise`` (n,): the Foschini-Miljanic fixed point
    (:func:`~wireless_agents.environment.power_control.sinr_target_powers` on this one problem,
    uncapped); None when no power vector reaches them. Members with ``gamma == 0`` get 0 and do
    not count."""
    n = len(gamma)
    p, ok, _ = sinr_target_powers(
        np.asarray(g, dtype=float)[None], np.asarray(noise, dtype=float)[None],
        np.full((1, n), np.inf), np.asarray(gamma, dtype=float)[None], np.zeros((1, n)),
        spectral=False,
    )  # fmt: skip
    return p[0] if ok[0] else None


def min_power_local(g, noise, caps, floors) -> np.ndarray | None:
    """Least powers (W, (n,)) meeting every member's floor (bit/s/Hz, 0 = none) within the
    caps; None when the floors cannot be met together."""
    floors = np.asarray(floors, dtype=float)
    gamma = np.where(floors > 0, np.exp2(floors) - 1.0, 0.0)
    p = target_powers(g, noise, gamma)
    if p is None or np.any(p > caps * (1 + 1e-9)):
        return None
    return np.minimum(p, caps)


def max_min_local(g, noise, caps, floors=None) -> np.ndarray | None:
    """Powers (W, (n,)) that maximize the smallest rate of the served members (cap > 0 and
    direct gain > 0; the others get 0), each floor still met: the least powers reaching the
    largest common rate, by bisection. None when the floors alone cannot be met."""
    n = len(caps)
    floors = np.zeros(n) if floors is None else np.asarray(floors, dtype=float)
    gd = np.diag(g)
    on = (caps > 0) & (gd > 0)
    f = np.where(floors > 0, np.exp2(floors) - 1.0, 0.0)

    def reach(t: float) -> np.ndarray | None:
        gamma = np.where(on, np.maximum(np.exp2(t) - 1.0, f), 0.0)
        p = target_powers(g, noise, gamma)
        return None if p is None or np.any(p > caps * (1 + 1e-12)) else np.minimum(p, caps)

    best = reach(0.0)
    if best is None or not on.any():
        return best
    lo = 0.0
    hi = float(np.min(np.log2(1.0 + gd[on] * caps[on] / noise[on])))
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        p = reach(mid)
        if p is None:
            hi = mid
        else:
            lo, best = mid, p
    return best


__all__ = ["max_min_local", "min_power_local", "target_powers"]
