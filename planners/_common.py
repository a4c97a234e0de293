"""Small batched helpers shared by the algorithms (no Python loops over samples)."""

from __future__ import annotations

import numpy as np
from wireless_agents.environment.metrics import (  # noqa: F401 - re-exported to the kernels
    LN2,
    rates,
    safe_div,
)


def weighted_sum_rate(gains, powers, noise, weights=None) -> np.ndarray:
    """sum_i w_i * rate_i over the last axis; ``weights`` None means all ones."""
    r = rates(gains, powers, noise)
    if weights is None:
        return r.sum(axis=-1)
    return (np.asarray(weights) * r).sum(axis=-1)


def offdiag(gains: np.ndarray) -> np.ndarray:
    """Copy of ``gains`` with the diagonal (desired links) zeroed: the cross gains only."""
    out = np.array(gains, dtype=float, copy=True)
    k = out.shape[-1]
    out[..., np.arange(k), np.arange(k)] = 0.0
    return out


def direct(gains: np.ndarray) -> np.ndarray:
    """Direct gains G_ii, shape (..., K)."""
    return np.diagonal(gains, axis1=-2, axis2=-1).copy()


def as_weights(weights, batch: int, k: int) -> np.ndarray:
    if weights is None:
        return np.ones((batch, k))
    return np.array(np.broadcast_to(np.asarray(weights, dtype=float), (batch, k)))


def rows(keep: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows ``keep`` (a boolean mask over the batch) of every array, in order.

    Iterative solvers use it to drop converged samples from the working batch.
    """
    return tuple(a[keep] for a in arrays)
