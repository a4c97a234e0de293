"""The planner contract shared by the classical optimisers and the (later) LLM planners.

A planner is any object with a ``name`` and ``plan(gains, p_max, noise, constraints) ->
powers``: ``gains`` (K, K) or (B, K, K) linear power gains (``G[..., i, j]`` from transmitter j
to receiver i), ``p_max`` and ``noise`` in watts (scalars or per link), ``constraints`` a
mapping with any of ``max_power``, ``max_power_frac``, ``min_rate``, ``objective`` and
``weights`` (see ``planners.solve``; the LLM team gives its agents the objective and their
weights, ``planners.coordination.inputs``).
It returns powers in watts of shape (K,) or (B, K).

``context`` (keyword, optional) carries the slot's local observations for planners that decide
from them (the LLM team, ``planners.coordination``): ``{"obs", "infos", "slot", ...}``. Classical
planners ignore it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Planner(Protocol):
    name: str

    def plan(
        self,
        gains,
        p_max=1.0,
        noise=1.0,
        constraints: Mapping[str, Any] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class ClassicalPlanner:
    """A classical algorithm of ``planners.ALGORITHMS`` behind the :class:`Planner` contract."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def plan(
        self,
        gains,
        p_max=1.0,
        noise=1.0,
        constraints: Mapping[str, Any] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> np.ndarray:
        """Solve with the classical algorithm; ``context`` (local observations) is ignored."""
        from .api import solve

        return solve(
            gains, p_max, noise, algo=self.name, **dict(constraints or {}), **dict(self.options)
        )

    @property
    def description(self) -> str:
        from .registry import describe

        return describe()[self.name]


def get_planner(name: str, **options) -> ClassicalPlanner:
    """The classical planner ``name`` (a key of ``ALGORITHMS``) with fixed algorithm options."""
    from .errors import PlannerInputError
    from .registry import ALGORITHMS

    if name not in ALGORITHMS:
        raise PlannerInputError(f"unknown planner {name!r}; choose one of: {', '.join(ALGORITHMS)}")
    return ClassicalPlanner(name, dict(options))
