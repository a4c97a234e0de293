"""The network's objectives and the utility a plan earns under each, batched over leading axes.

An operator states a goal in words; the edge model reads it into one of these objectives, the
planners optimize it, and every report scores plans by it:

==================  ==========================================================================
objective           utility of one slot (higher is better)
==================  ==========================================================================
sum_rate            ``sum_i rate_i`` (bit/s/Hz); the default
weighted_sum_rate   ``sum_i w_i rate_i`` (bit/s/Hz), per-link priority weights ``w_i >= 0``
max_min             ``min_i rate_i`` (bit/s/Hz): fairness, raise the worst link
min_power           ``1 - sum_i p_i / (K p_max)``: the share of the total power budget saved
                    while every floor holds (a missed floor is a failed check, reported apart)
==================  ==========================================================================

``rates`` ``(..., K)`` in bit/s/Hz, ``powers`` ``(..., K)`` in W, ``p_max`` W (a scalar or
``(..., K)``), ``weights`` ``(K,)`` or ``(..., K)``.
"""

from __future__ import annotations

import numpy as np

OBJECTIVES = ("sum_rate", "weighted_sum_rate", "max_min", "min_power")
DEFAULT_OBJECTIVE = "sum_rate"


class ObjectiveError(ValueError):
    """An unknown objective, or weights that are not finite and non-negative."""


def resolve_objective(objective: str | None, weights=None) -> str:
    """The objective a run is scored and planned on: ``objective`` when given (one of
    :data:`OBJECTIVES`), else ``weighted_sum_rate`` when ``weights`` are given, else
    ``sum_rate``."""
    if objective is None:
        return "weighted_sum_rate" if weights is not None else DEFAULT_OBJECTIVE
    if objective not in OBJECTIVES:
        raise ObjectiveError(
            f"unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}"
        )
    return objective


def link_weights(weights, k: int) -> np.ndarray:
    """Per-link weights of shape ``(K,)`` (all ones for None); refuses negative or non-finite."""
    if weights is None:
        return np.ones(k)
    w = np.broadcast_to(np.asarray(weights, dtype=float), (k,)).copy()
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ObjectiveError("weights must be finite and non-negative")
    return w


def weights_like(weights, shape) -> np.ndarray:
    """Per-link weights broadcast to ``shape`` (``(..., K)``, all ones for None): ``(K,)`` or
    batched ``(..., K)`` weights; refuses negative or non-finite ones."""
    if weights is None:
        return np.ones(shape)
    w = np.broadcast_to(np.asarray(weights, dtype=float), shape)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ObjectiveError("weights must be finite and non-negative")
    return w


def utility(objective: str, rates, powers, p_max, weights=None) -> np.ndarray:
    """Utility of plans under ``objective`` (see the module table), shape ``(...)``.

    ``sum_rate`` ignores ``weights``; ``weighted_sum_rate`` uses them (ones when None).
    """
    objective = resolve_objective(objective)
    rates = np.asarray(rates, dtype=float)
    if objective == "sum_rate":
        return rates.sum(axis=-1)
    if objective == "weighted_sum_rate":
        return (weights_like(weights, rates.shape) * rates).sum(axis=-1)
    if objective == "max_min":
        return rates.min(axis=-1)
    powers = np.asarray(powers, dtype=float)
    budget = np.broadcast_to(np.asarray(p_max, dtype=float), powers.shape).sum(axis=-1)
    return 1.0 - powers.sum(axis=-1) / budget
