"""The slow timescale's channel: the large-scale gains each device estimates from its pilots.

With ``plan_on: large-scale`` (CLI ``--plan-on large-scale``; the default ``measured`` plans on
the slot's measurements as they are, fading included) the team plans on what changes slowly:
path loss and shadowing, as a device would estimate them. The fast loop
(:mod:`.fastloop`, ``fast_loop: true``) tracks the per-slot fading under the plan.

The estimate is what a real device can measure, not the environment's own large-scale
component: every receiver ``i`` measures, each slot, the pilot of every transmitter ``j``
(``G_t[i, j]``, the same measurements the team's observations are made of) and keeps their
exponentially weighted average in the linear power domain,

    ``S_t = a S_{t-1} + G_t``,  ``W_t = a W_{t-1} + 1``,  ``Ghat_t = S_t / W_t``,

with ``a = exp(-T / tau)`` (``T`` the slot, ``tau`` the time constant ``large_scale_ms``,
default :data:`DEFAULT_TAU_MS`). Dividing by the summed weights ``W_t`` makes the first slots'
estimate the plain mean of the pilots seen so far (one slot: the measurement itself) and the
later ones the exponential average. Rayleigh fading has unit mean power, so ``Ghat`` tends to
``10^(-(PL + X) / 10)`` as the fading decorrelates over ``tau``; it carries the fading's
residue where it does not (f_d = 1 Hz: the coherence time 0.423 s is close to ``tau``) and lags
the path loss of a walking receiver by about ``tau``.

The default ``tau`` = 1 s (50 slots of 20 ms), declared, not tuned: it spans 2.4 / 24 / 118
coherence times (0.423 / f_d) at f_d = 1 / 10 / 50 Hz, and a receiver walking at 1.5 m/s moves
1.5 m in it (under 0.5 dB of path loss at 50 m). Its order is that of the LTE layer-3 filter on
RSRP (TS 36.331 ``filterCoefficient`` 4: weight 1/2 per 200 ms measurement period).

What the team perceives from it (:func:`perceived`): each device's observation is rebuilt on
``Ghat`` (its direct gain, its interferers' gains and which are the strongest, and the last
slot's interference, SINR and rate as the last powers made them on the last slot's
``Ghat``), and the decide
graph gets ``Ghat`` as its gain matrix: the agents' views, their notes' channel rows, their
tools' local problems, the validate node's closed loop (it settles floors on the large-scale
channel; the fast loop settles them on each slot's) and the control channel's loss
probabilities (its mean link quality). A classical planner plans on ``Ghat`` too. Every rate
the run reports is on the slot's real channel.

Units: gains linear (power), powers and noise in watts, times in seconds unless named ``_ms``.
"""

from __future__ import annotations

import math

import numpy as np

PLAN_ON = ("measured", "large-scale")
DEFAULT_TAU_MS = 1000.0


def forgetting(slot_s: float, tau_s: float) -> float:
    """The weight ``a = exp(-T / tau)`` the last estimate keeps per slot of ``slot_s`` seconds."""
    return math.exp(-slot_s / tau_s)


class LargeScaleEstimate:
    """Each receiver's exponentially weighted average of its measured gains (module docstring).

    ``slot_s`` the slot T (s), ``tau_s`` the time constant (s). :meth:`reset` with the first
    slot's gains ``(K, K)``, :meth:`update` with each next slot's; :attr:`gains` the estimate
    ``(K, K)`` (row ``i``: what receiver ``i`` estimates of every transmitter), :attr:`last`
    the estimate of the slot before (the one the last slot's transmissions are perceived on).
    """

    def __init__(self, slot_s: float, tau_s: float):
        self.keep = forgetting(slot_s, tau_s)
        self.sum = None
        self.weight = 0.0
        self.last = None

    def reset(self, gains) -> None:
        self.sum = np.array(gains, dtype=float)
        self.weight = 1.0
        self.last = self.gains  # nothing was sent before the first slot

    def update(self, gains) -> None:
        self.last = self.gains
        self.sum = self.keep * self.sum + np.asarray(gains, dtype=float)
        self.weight = self.keep * self.weight + 1.0

    @property
    def gains(self) -> np.ndarray:
        return self.sum / self.weight


def perceived(env, gains: np.ndarray, last_gains: np.ndarray) -> tuple[dict, dict]:
    """``(obs, infos)`` of every agent as the env would give them were ``gains`` (K, K) the
    coming slot's channel and ``last_gains`` (K, K) the last slot's (the env's observation
    keys; see :mod:`wireless_agents.environment.observations`): the last slot's interference
    plus noise, SINR, rate and received powers are what the last powers (or the last
    ``(K, L)`` schedule) made on ``last_gains``; ``infos`` carry ``gains``, the neighbours
    (strongest on ``gains``) and the last powers, rates and SINRs so computed."""
    g, last = np.asarray(gains, dtype=float), np.asarray(last_gains, dtype=float)
    schedule = np.asarray(env.last_schedule, dtype=float)  # (K, L); L = 1 without slices
    powers = schedule if env.time_slices > 1 else schedule[:, 0]
    return env.observe_on(g, env.slot_record(last, powers))


def check(s: dict) -> None:
    """Check (in place) ``plan_on`` and ``large_scale_ms``; only a run that plans on the
    large-scale gains keeps them (so every other run's settings and trace stay as they were).
    Raises ValueError (one line)."""
    if s.get("plan_on", "measured") == "measured":
        s.pop("plan_on", None)
    elif s["plan_on"] not in PLAN_ON:
        raise ValueError(f"plan_on must be one of {', '.join(PLAN_ON)}, got {s['plan_on']!r}")
    tau = s.get("large_scale_ms")
    if tau is None:
        s.pop("large_scale_ms", None)
    elif s.get("plan_on") != "large-scale":
        raise ValueError("large_scale_ms is the large-scale estimate's time constant: it needs "
                         "plan_on large-scale")  # fmt: skip
    elif isinstance(tau, bool) or not isinstance(tau, (int, float)) or not 0 < tau < math.inf:
        raise ValueError(f"large_scale_ms must be a positive number, got {tau!r}")
