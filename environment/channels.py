"""Channel models of the shared band: path loss, log-normal shadowing, Rayleigh fading, Jakes.

All functions are batched numpy; every random draw takes the caller's ``np.random.Generator``.

* Path loss (3GPP TR 36.814 urban macro, 2 GHz): ``PL(d) = 128.1 + 37.6 log10(d / 1 km)`` dB.
* Shadowing: log-normal, ``X ~ N(0, sigma^2)`` dB, drawn once per drop and per tx-rx pair.
* Small-scale fading: Rayleigh, ``h ~ CN(0, 1)``, so the power gain ``|h|^2`` is Exp(1).
* Jakes' model as a first-order Gauss-Markov process (Nasir & Guo 2019):
  ``h_t = rho h_{t-1} + sqrt(1 - rho^2) e_t`` with ``e_t ~ CN(0, 1)`` and
  ``rho = J0(2 pi f_d T)`` (``f_d`` maximum Doppler frequency in Hz, ``T`` slot length in s).
  The marginal of ``h_t`` stays CN(0, 1) at every step.

The linear power gain of a pair is ``10^((-PL - X) / 10) * |h|^2`` (see :func:`large_scale_gain`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import j0


def pathloss_db(distance_m: np.ndarray, min_distance_m: float = 1.0) -> np.ndarray:
    """Path loss in dB, ``128.1 + 37.6 log10(d / km)``; distances below ``min_distance_m`` are clipped."""
    d_km = np.maximum(np.asarray(distance_m, dtype=float), min_distance_m) / 1000.0
    return 128.1 + 37.6 * np.log10(d_km)


def shadowing_db(rng: np.random.Generator, shape, std_db: float = 8.0) -> np.ndarray:
    """Log-normal shadowing in dB: zero-mean Gaussian with ``std_db`` standard deviation."""
    return rng.normal(0.0, std_db, size=shape)


def large_scale_gain(
    distance_m: np.ndarray, shadow_db: np.ndarray | float = 0.0, min_distance_m: float = 1.0
) -> np.ndarray:
    """Linear power gain from path loss and shadowing: ``10^(-(PL(d) + X) / 10)``.

    ``shadow_db`` is added to the loss, so a positive value means a deeper shadow. Since the
    shadowing is zero-mean and symmetric the sign convention does not change the statistics.
    """
    loss_db = pathloss_db(distance_m, min_distance_m) + shadow_db
    return np.power(10.0, -loss_db / 10.0)


def rayleigh(rng: np.random.Generator, shape) -> np.ndarray:
    """Complex Gaussian samples ``CN(0, 1)`` (unit mean power), complex128."""
    scale = np.sqrt(0.5)
    re = rng.normal(0.0, scale, size=shape)
    im = rng.normal(0.0, scale, size=shape)
    return re + 1j * im


def jakes_rho(doppler_hz: float, slot_s: float) -> float:
    """Lag-one correlation of the fading, ``J0(2 pi f_d T)``."""
    return float(j0(2.0 * np.pi * doppler_hz * slot_s))


class JakesFading:
    """Rayleigh fading of a block of links, correlated over slots by Jakes' model.

    ``state`` is the complex coefficient array ``h`` (any shape); ``power`` is ``|h|^2``.
    """

    def __init__(self, shape, doppler_hz: float = 10.0, slot_s: float = 0.02):
        self.shape = tuple(shape)
        self.rho = jakes_rho(doppler_hz, slot_s)
        self.state = np.zeros(self.shape, dtype=complex)

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        """Draw a fresh CN(0, 1) state and return its power gain."""
        self.state = rayleigh(rng, self.shape)
        return self.power

    def step(self, rng: np.random.Generator) -> np.ndarray:
        """Advance one slot and return the new power gain ``|h_t|^2``."""
        innovation = rayleigh(rng, self.shape)
        self.state = self.rho * self.state + np.sqrt(1.0 - self.rho**2) * innovation
        return self.power

    @property
    def power(self) -> np.ndarray:
        """Power gain ``|h|^2`` of the current state."""
        return self.state.real**2 + self.state.imag**2
