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
    return pathloss_gain(distance_m, min_distance_m) * shadowing_gain(shadow_db)


def shadowing_gain(shadow_db: np.ndarray | float) -> np.ndarray:
    """Linear gain ``10^(-X / 10)`` of a shadowing loss ``X`` in dB."""
    return np.power(10.0, -np.asarray(shadow_db, dtype=float) / 10.0)


def pathloss_gain(distance_m: np.ndarray, min_distance_m: float = 1.0) -> np.ndarray:
    """Linear gain ``10^(-PL(d) / 10) = 10^-12.81 (d / km)^-3.76`` (one power per entry, fast)."""
    d = np.asarray(distance_m, dtype=float)
    return pathloss_gain_sq(d * d, min_distance_m)


def pathloss_gain_sq(sq_distance_m2: np.ndarray, min_distance_m: float = 1.0) -> np.ndarray:
    """:func:`pathloss_gain` from squared distances in m^2 (saves the square root)."""
    d2_km2 = np.maximum(np.asarray(sq_distance_m2, dtype=float), min_distance_m**2) * 1e-6
    return 10.0**-12.81 * d2_km2 ** (-3.76 / 2.0)


def rayleigh(rng: np.random.Generator, shape, dtype=np.float64) -> np.ndarray:
    """Complex Gaussian samples ``CN(0, 1)`` (unit mean power).

    ``dtype`` is the real dtype of the draw (float32 gives complex64, about twice as fast).
    """
    shape = tuple(np.atleast_1d(shape)) if not isinstance(shape, tuple) else shape
    x = rng.standard_normal((*shape, 2), dtype=dtype)
    x *= np.sqrt(0.5, dtype=dtype)
    return x.view(np.complex64 if dtype == np.float32 else np.complex128)[..., 0]


def jakes_rho(doppler_hz: float, slot_s: float) -> float:
    """Lag-one correlation of the fading, ``J0(2 pi f_d T)``."""
    return float(j0(2.0 * np.pi * doppler_hz * slot_s))


class JakesFading:
    """Rayleigh fading of a block of links, correlated over slots by Jakes' model.

    ``state`` is the complex coefficient array ``h`` of shape ``(rows, cols)`` (complex64: the
    fading needs no more precision and draws twice as fast); ``power`` is ``|h|^2`` (float64).

    Two ways to run it. Eager: :meth:`reset` then :meth:`step` once per slot updates every
    entry. Lazy (for rows that are only looked at now and then, e.g. users served in round
    robin): :meth:`reset` with ``lazy=True`` draws nothing, and :meth:`rows_at` brings only the
    requested rows to slot ``t`` using the exact n-slot transition of the same process,
    ``h_t = rho^n h_{t-n} + sqrt(1 - rho^(2n)) e`` (a row never drawn gets a fresh CN(0, 1)).
    """

    def __init__(self, shape, doppler_hz: float = 10.0, slot_s: float = 0.02):
        self.shape = tuple(shape)
        self.rho = jakes_rho(doppler_hz, slot_s)
        self.state = np.zeros(self.shape, dtype=np.complex64)
        self.row_slot = np.full(self.shape[0], -1, dtype=np.int64)  # slot of each row's state
        self.slot = 0

    def reset(self, rng: np.random.Generator, lazy: bool = False) -> np.ndarray | None:
        """Start at slot 0: draw a fresh CN(0, 1) state (or nothing if ``lazy``)."""
        self.slot = 0
        if lazy:
            self.row_slot[:] = -1
            return None
        self.state = rayleigh(rng, self.shape, np.float32)
        self.row_slot[:] = 0
        return self.power

    def step(self, rng: np.random.Generator) -> np.ndarray:
        """Advance every entry one slot and return the new power gain ``|h_t|^2``."""
        self.slot += 1
        innovation = rayleigh(rng, self.shape, np.float32)
        innovation *= np.float32(np.sqrt(1.0 - self.rho**2))
        self.state *= np.float32(self.rho)
        self.state += innovation
        self.row_slot[:] = self.slot
        return self.power

    def rows_at(self, rng: np.random.Generator, rows: np.ndarray, slot: int) -> np.ndarray:
        """Power gain ``(len(rows), cols)`` of ``rows`` at ``slot``, advancing only those rows."""
        rows = np.asarray(rows)
        self.slot = slot
        lag = slot - self.row_slot[rows]
        fresh = self.row_slot[rows] < 0
        if np.any(lag < 0):
            raise ValueError("rows_at cannot go back in time")
        keep = np.where(fresh, 0.0, np.power(self.rho, np.where(fresh, 1, lag)))
        new = np.sqrt(np.maximum(1.0 - keep**2, 0.0))
        innovation = rayleigh(rng, (len(rows), self.shape[1]), np.float32)
        h = (keep[:, None] * self.state[rows] + new[:, None] * innovation).astype(np.complex64)
        self.state[rows] = h
        self.row_slot[rows] = slot
        return h.real.astype(float) ** 2 + h.imag.astype(float) ** 2

    @property
    def power(self) -> np.ndarray:
        """Power gain ``|h|^2`` of the current state, float64."""
        re = self.state.real.astype(float)
        im = self.state.imag.astype(float)
        return re * re + im * im
