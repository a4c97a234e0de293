"""The closed loop's max-min phase: the links raise a common rate target until it breaks.

Under the ``max_min`` objective the validate node (:mod:`.floor_control`) runs this phase after
the floors are closed. Whatever the team proposed, the links then search for the largest common
rate ``t`` (bit/s/Hz) they can all reach, each acting on its own receiver's measurements only
(:mod:`.minislot`): max-min SINR balancing by bisection on a common target (J. Zander,
"Performance of optimum transmitter power control in cellular radio systems", IEEE TVT 1992),
each trial target reached or refuted by the distributed Foschini-Miljanic iteration
(G. J. Foschini & Z. Miljanic, "A simple distributed autonomous power control algorithm and its
convergence", IEEE TVT 1993; with power caps, R. D. Yates, "A framework for uplink power control
in cellular radio systems", IEEE JSAC 1995). It is the distributed twin of
``planners.maxmin.maxmin`` (which solves the same bisection with the gain matrix).

1. *Bounds.* Each served link (cap > 0, direct gain > 0) reports its alone rate
   ``log2(1 + G_ii cap_i / noise)``, its own knowledge; the smallest is the search's upper end
   ``hi``. A floor out of reach even alone is dropped (``planners.solve``'s rule); the others
   stay lower bounds on each link's target. ``lo = 0``: the floors alone.
2. *Trial.* A target ``t`` is announced (one control message). Link ``i`` aims at
   ``gamma_i = max(2^t - 1, 2^{r_i} - 1)`` (``AIM`` above it) and runs
   ``p_i <- min(cap_i, gamma_i (I+N)_i / G_ii)`` mini-slot by mini-slot from its last good
   power. From powers that met a lower target the iteration rises monotonically to the least
   powers reaching ``t`` when they exist (Yates 1995), so a link at its cap still below its
   target proves ``t`` out of reach: it raises an alarm. When every link reaches its target it
   reports so. Each link's report (met, or the alarm) is one control message.
3. *Bisection.* Reached: ``lo = t``, the links keep these powers. Refuted (or not settled in
   ``TRIAL_MINISLOTS``, counted as refuted): ``hi = t``, every link returns to its last good
   power. ``t`` is the middle of ``[lo, hi]``; the search stops when ``hi - lo <= REL_TOL * lo``
   or after ``TRIALS`` trials. The first trial is ``t = 0`` (the floors alone, from silence):
   when it fails the floors cannot be met together and the phase leaves the powers as the floor
   loop left them.

The committed powers reach ``lo`` on every served link (the minimum rate is within ``REL_TOL``
of the optimum when the search ends by tolerance), meet every floor the phase kept, and stay
within the caps. The announcements and reports are counted control messages (sent once each:
the count is what a loss-free channel needs); the SINR feedback rides on each link itself.

Units: gains linear, powers and noise in watts, rates in bit/s/Hz.
"""

from __future__ import annotations

import numpy as np

from . import channel as ch
from .minislot import Medium

AIM = 1e-3  # relative SINR headroom each link aims above its trial target
REL_TOL = 1e-3  # the search ends when its interval is this share of the reached rate
TRIALS = 40
TRIAL_MINISLOTS = 300
AT_CAP = 1e-9  # relative: a power this close to its cap is at the cap


def _trial(medium: Medium, p: np.ndarray, gamma: np.ndarray, caps: np.ndarray,
           limit: int) -> tuple[np.ndarray, bool, int]:  # fmt: skip
    """Foschini-Miljanic from ``p`` towards SINR targets ``gamma`` (aimed ``AIM`` above):
    ``(powers, reached, minislots)``. ``reached`` when every link with a target meets it; not
    when a link at its cap misses it, or after ``limit`` mini-slots."""
    on = gamma > 0
    aim = gamma * (1.0 + AIM)
    p = np.where(on, p, 0.0)
    for t in range(1, limit + 1):
        m = medium.measure(p)
        sinr = m.sinr(p)
        if np.all(sinr[on] >= gamma[on]):
            return p, True, t - 1
        if np.any(on & (p >= caps * (1 - AT_CAP)) & (sinr < gamma)):
            return p, False, t - 1
        p = np.where(on, np.minimum(caps, aim * m.ipn / np.where(m.direct > 0, m.direct, 1.0)),
                     0.0)  # fmt: skip
    m = medium.measure(p)
    return p, bool(np.all(m.sinr(p)[on] >= gamma[on])), limit


def max_min_phase(medium: Medium, p, caps, floors, noise: float,
                  slot: int = 0) -> tuple[np.ndarray, dict]:  # fmt: skip
    """Steps 1-3 (module docstring) from powers ``p`` (W, (K,)): ``(powers, record)``.

    ``caps`` (K,) W; ``floors`` (K,) bit/s/Hz (0 = none). The record has ``target`` the common
    rate reached (bit/s/Hz; None when the floors cannot be met together and the powers are
    ``p`` unchanged), ``trials``, ``minislots``, ``messages``, ``bytes``.
    """
    caps = np.asarray(caps, dtype=float)
    floors = np.asarray(floors, dtype=float)
    k = len(caps)
    direct = np.diagonal(medium.gains)
    served = (caps > 0) & (direct > 0)
    alone = np.where(served, np.log2(1.0 + direct * caps / noise), np.inf)
    f = np.where((floors > 0) & (alone >= floors), np.exp2(floors) - 1.0, 0.0)
    messages = int(served.sum())  # the alone rates, one report per served link
    nbytes = sum(ch.message_bytes({"from": int(i), "slot": slot, "alone": round(float(alone[i]), 4)})
                 for i in np.flatnonzero(served))  # fmt: skip
    record = {"target": None, "trials": 0, "minislots": 0, "messages": messages, "bytes": nbytes}
    if not served.any():
        return np.asarray(p, dtype=float), record
    hi = float(alone[served].min())
    lo, t = 0.0, 0.0
    good = np.zeros(k)
    reached_any = False
    for n in range(TRIALS):
        gamma = np.where(served, np.maximum(np.exp2(t) - 1.0, f), 0.0)
        q, reached, used = _trial(medium, good, gamma, caps, TRIAL_MINISLOTS)
        record["trials"] += 1
        record["minislots"] += used
        record["messages"] += 1 + int(served.sum())  # the announcement, every link's report
        record["bytes"] += ch.message_bytes({"slot": slot, "trial": n, "target": round(t, 6)})
        record["bytes"] += int(served.sum()) * ch.message_bytes({"from": k, "trial": n, "met": 1})
        if reached:
            good, lo, reached_any = q, t, True
        elif n == 0:  # the floors alone cannot be met together: leave the loop's powers
            return np.asarray(p, dtype=float), record
        else:
            hi = t
        if n > 0 and hi - lo <= REL_TOL * lo:
            break
        t = 0.5 * (lo + hi)
    record["target"] = float(lo) if reached_any else None
    return good, record


__all__ = ["max_min_phase"]
