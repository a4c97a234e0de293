"""The contract between the engine (:class:`environment.core.WirelessEnv`) and a topology.

A scenario owns the physical world of one topology: where nodes are, how they move, and the
channel. Per slot it produces the gain matrix ``G`` of shape ``(K, K)``, where ``G[i, j]`` is the
linear power gain from transmitter ``j`` to receiver ``i``. It draws every random number from the
generator the engine passes in, and knows nothing about actions, observations or rewards.
"""

from __future__ import annotations

import numpy as np


class Scenario:
    """Base class of a topology. Subclasses set ``n_agents``, ``p_max`` (W), ``noise`` (W).

    Attributes:
        name: topology name used by ``make_env``.
        n_agents: number of links ``K``.
        p_max: maximum transmit power of every transmitter in watts.
        noise: receiver noise power in watts.
    """

    name = "base"
    n_agents: int
    p_max: float
    noise: float

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        """Make a new drop and return the gains of the first slot, shape ``(K, K)``."""
        raise NotImplementedError

    def step(self, rng: np.random.Generator) -> np.ndarray:
        """Advance one slot (movement, fading) and return the new gains, shape ``(K, K)``."""
        raise NotImplementedError

    @property
    def positions(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(tx, rx)`` positions in metres, each ``(K, 2)``; None without geometry."""
        return None

    @property
    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """``((x_min, y_min), (x_max, y_max))`` of the drawing area in metres, or None."""
        return None

    @property
    def bystanders(self) -> np.ndarray | None:
        """Other nodes to draw (e.g. unscheduled users), ``(N, 2)`` metres, or None."""
        return None
