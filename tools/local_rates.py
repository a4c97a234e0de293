"""Rate arithmetic from one receiver's point of view (bit/s/Hz, watts, linear gains)."""

from __future__ import annotations

import math

from wireless_agents.environment.metrics import LN2, shannon_rate

__all__ = ["LN2", "interference_price", "power_for_rate", "rate", "wmmse_receiver"]


def rate(direct_gain: float, power: float, interference_plus_noise: float) -> float:
    """``log2(1 + G_ii p / (I + N))`` in bit/s/Hz (:func:`~environment.metrics.shannon_rate`)."""
    return shannon_rate(direct_gain * max(power, 0.0) / interference_plus_noise)


def power_for_rate(direct_gain: float, target_rate: float, interference_plus_noise: float) -> float:
    """Smallest power (W) that reaches ``target_rate`` against ``interference_plus_noise``."""
    return (2.0 ** max(target_rate, 0.0) - 1.0) * interference_plus_noise / direct_gain


def wmmse_receiver(
    direct_gain: float, power: float, interference_plus_noise: float
) -> tuple[float, float]:
    """WMMSE receiver coefficient ``u`` and weight ``w`` of one link at ``power``.

    With amplitude ``v = sqrt(p)``, total received power ``T = G_ii p + I + N``:
    ``u = sqrt(G_ii) v / T`` and ``w = 1 / (1 - u sqrt(G_ii) v)`` (= 1 + SINR).
    """
    v = math.sqrt(max(power, 0.0))
    total = direct_gain * v * v + interference_plus_noise
    u = math.sqrt(direct_gain) * v / total
    w = 1.0 / max(1.0 - u * math.sqrt(direct_gain) * v, 1e-300)
    return u, w


def interference_price(direct_gain: float, power: float, interference_plus_noise: float) -> float:
    """Marginal rate loss per watt of extra interference, ``-dR/dI`` in bit/s/Hz/W.

    ``R = log2(1 + S / I)`` with ``S = G_ii p``: ``-dR/dI = S / (ln2 I (I + S))``.
    """
    s = direct_gain * max(power, 0.0)
    i = interference_plus_noise
    return s / (LN2 * i * (i + s))
