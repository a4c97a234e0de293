"""Link-level metrics of the shared band, batched over any leading axes.

Conventions (see ARCHITECTURE.md):

* ``gains[..., i, j]`` is the linear power gain from transmitter ``j`` to receiver ``i``
  (shape ``(..., K, K)``, dimensionless).
* ``powers[..., j]`` is the transmit power of transmitter ``j`` in watts (shape ``(..., K)``).
* ``noise`` is the receiver noise power in watts: a scalar or an array broadcastable to ``(..., K)``.

Every function accepts a single problem (``(K, K)`` gains, ``(K,)`` powers) or a batch
(``(B, K, K)``, ``(B, K)``) and never loops in Python.
"""

from __future__ import annotations

import math

import numpy as np

LN2 = math.log(2.0)


def safe_div(num, den):
    """num / den with 0 where den == 0."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


def received_powers(gains: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """Power in watts that receiver ``i`` gets from transmitter ``j``: ``G[..., i, j] * p[..., j]``.

    Shape ``(..., K, K)``.
    """
    gains = np.asarray(gains, dtype=float)
    powers = np.asarray(powers, dtype=float)
    return gains * powers[..., None, :]


def interference_plus_noise(gains: np.ndarray, powers: np.ndarray, noise=1.0) -> np.ndarray:
    """Interference plus noise at each receiver in watts, shape ``(..., K)``."""
    rx = received_powers(gains, powers)
    total = rx.sum(axis=-1)
    desired = np.diagonal(rx, axis1=-2, axis2=-1)
    # Subtracting the desired power can leave tiny negative round-off; clip at zero interference.
    return np.maximum(total - desired, 0.0) + np.asarray(noise, dtype=float)


def sinr(gains: np.ndarray, powers: np.ndarray, noise=1.0) -> np.ndarray:
    """Signal-to-interference-plus-noise ratio (linear) of each link, shape ``(..., K)``."""
    gains = np.asarray(gains, dtype=float)
    powers = np.asarray(powers, dtype=float)
    desired = np.diagonal(gains, axis1=-2, axis2=-1) * powers
    return desired / interference_plus_noise(gains, powers, noise)


def shannon_rate(sinr):
    """Shannon rate ``log2(1 + SINR)`` in bit/s/Hz of a linear SINR (any shape).

    The one place the formula is written: the env's rates, the agents' tools, the coordinators'
    estimates and the closed loop's measurements all call it. Computed as ``log1p(SINR) / ln 2``
    (accurate for a small SINR); a Python float (one receiver's arithmetic in the tools) stays a
    float through :func:`math.log1p`, anything else goes through :func:`numpy.log1p`.
    """
    if isinstance(sinr, float):
        return math.log1p(sinr) / LN2
    return np.log1p(sinr) / LN2


def rates(gains: np.ndarray, powers: np.ndarray, noise=1.0) -> np.ndarray:
    """Shannon rate of each link in bit/s/Hz: ``log2(1 + SINR)``, shape ``(..., K)``."""
    return shannon_rate(sinr(gains, powers, noise))


def sum_rate(gains: np.ndarray, powers: np.ndarray, noise=1.0) -> np.ndarray:
    """Sum of the link rates in bit/s/Hz, shape ``(...)``."""
    return rates(gains, powers, noise).sum(axis=-1)


def jain_fairness(values: np.ndarray) -> np.ndarray:
    """Jain's fairness index ``(sum x)^2 / (K * sum x^2)`` over the last axis, in ``[1/K, 1]``.

    An all-zero vector counts as perfectly fair (1.0). Shape ``(...)``.
    """
    x = np.asarray(values, dtype=float)
    k = x.shape[-1]
    num = np.square(x.sum(axis=-1))
    den = k * np.square(x).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
    return out


def energy_efficiency(
    gains: np.ndarray,
    powers: np.ndarray,
    noise=1.0,
    bandwidth_hz: float = 1.0,
    circuit_power: float = 0.0,
) -> np.ndarray:
    """Network energy efficiency in bit/J: ``bandwidth * sum_rate / (sum p + K * circuit_power)``.

    With the default ``bandwidth_hz = 1`` the result is in bit/J per Hz of band. A network that
    spends no power at all has efficiency 0 by convention. Shape ``(...)``.
    """
    powers = np.asarray(powers, dtype=float)
    k = powers.shape[-1]
    bits = bandwidth_hz * sum_rate(gains, powers, noise)
    joules = powers.sum(axis=-1) + k * circuit_power
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(joules > 0, bits / np.where(joules > 0, joules, 1.0), 0.0)


def db_to_linear(db):
    """Convert decibels to a linear ratio."""
    return np.power(10.0, np.asarray(db, dtype=float) / 10.0)


def linear_to_db(x, floor: float = 1e-30):
    """Convert a linear ratio to decibels; values below ``floor`` are clipped to it."""
    return 10.0 * np.log10(np.maximum(np.asarray(x, dtype=float), floor))


def dbm_to_watts(dbm):
    """Convert dBm to watts."""
    return np.power(10.0, (np.asarray(dbm, dtype=float) - 30.0) / 10.0)


def watts_to_dbm(watts, floor: float = 1e-30):
    """Convert watts to dBm; values below ``floor`` watts are clipped to it."""
    return 10.0 * np.log10(np.maximum(np.asarray(watts, dtype=float), floor)) + 30.0
