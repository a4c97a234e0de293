"""Validation and normalisation of a power-allocation problem to batched float arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import PlannerInputError

CONSTRAINT_KEYS = ("max_power", "max_power_frac", "min_rate")


@dataclass
class Problem:
    """A batch of problems, every array with a leading batch axis.

    ``gains`` (B, K, K), ``p_max``/``noise``/``caps``/``min_rate`` (B, K). ``caps`` is the
    effective per-link power limit in watts (``p_max`` tightened by the constraints);
    ``min_rate`` is 0 where a link has no minimum rate. ``single`` is True when the caller
    passed one ``(K, K)`` problem.
    """

    gains: np.ndarray
    p_max: np.ndarray
    noise: np.ndarray
    caps: np.ndarray
    min_rate: np.ndarray
    single: bool

    @property
    def batch(self) -> int:
        return self.gains.shape[0]

    @property
    def k(self) -> int:
        return self.gains.shape[-1]

    @property
    def constrained(self) -> np.ndarray:
        """(B, K) bool: links with a minimum rate."""
        return self.min_rate > 0

    def unbatch(self, x):
        """Drop the batch axis again when the caller passed a single problem."""
        return x[0] if self.single else x


def _as_float(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise PlannerInputError(f"{name} must be numeric, got {type(value).__name__}") from None
    return arr


def _per_link(name: str, value, batch: int, k: int, single: bool) -> np.ndarray:
    arr = _as_float(name, value)
    target = (k,) if single else (batch, k)
    try:
        out = np.broadcast_to(arr, target)
    except ValueError:
        raise PlannerInputError(
            f"{name} has shape {arr.shape}, which does not broadcast to {target}"
        ) from None
    out = np.array(np.broadcast_to(out, (batch, k)), dtype=float)
    return out


def normalize(gains, p_max=1.0, noise=1.0, max_power=None, max_power_frac=None, min_rate=None):
    """Check the inputs and return a :class:`Problem`; raise PlannerInputError on bad input."""
    g = _as_float("gains", gains)
    if g.ndim not in (2, 3) or g.shape[-1] != g.shape[-2] or g.shape[-1] == 0:
        raise PlannerInputError(
            f"gains must have shape (K, K) or (B, K, K) with K >= 1, got {g.shape}"
        )
    if not np.all(np.isfinite(g)):
        raise PlannerInputError("gains contain NaN or inf")
    if np.any(g < 0):
        raise PlannerInputError("gains must be non-negative linear power gains (not dB)")
    single = g.ndim == 2
    if single:
        g = g[None]
    batch, k = g.shape[0], g.shape[-1]
    if batch == 0:
        raise PlannerInputError("gains hold an empty batch (B = 0)")

    pm = _per_link("p_max", p_max, batch, k, single)
    if not np.all(np.isfinite(pm)) or np.any(pm <= 0):
        raise PlannerInputError("p_max must be finite and > 0 watts")
    nz = _per_link("noise", noise, batch, k, single)
    if not np.all(np.isfinite(nz)) or np.any(nz <= 0):
        raise PlannerInputError("noise must be finite and > 0 watts")

    caps = pm.copy()
    if max_power is not None:
        mp = _per_link("max_power", max_power, batch, k, single)
        if not np.all(np.isfinite(mp)) or np.any(mp < 0):
            raise PlannerInputError("max_power must be finite and >= 0 watts (0 = silent)")
        caps = np.minimum(caps, mp)
    if max_power_frac is not None:
        fr = _per_link("max_power_frac", max_power_frac, batch, k, single)
        if not np.all(np.isfinite(fr)) or np.any(fr < 0) or np.any(fr > 1):
            raise PlannerInputError("max_power_frac must lie in [0, 1] (0 = silent)")
        caps = np.minimum(caps, fr * pm)

    if min_rate is None:
        mr = np.zeros((batch, k))
    else:
        mr = _per_link("min_rate", min_rate, batch, k, single)
        if np.any(np.isinf(mr)) or np.any(mr < 0):
            raise PlannerInputError("min_rate must be >= 0 bit/s/Hz (0 or NaN = none), not inf")
        mr = np.nan_to_num(mr, nan=0.0)
    return Problem(gains=g, p_max=pm, noise=nz, caps=caps, min_rate=mr, single=single)
