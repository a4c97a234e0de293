"""The contract between the engine (:class:`environment.core.WirelessEnv`) and a topology.

A scenario owns the physical world of one topology: where nodes are, how they move, and the
channel. Per slot it produces the gain matrix ``G`` of shape ``(K, K)``, where ``G[i, j]`` is the
linear power gain from transmitter ``j`` to receiver ``i``. It draws every random number from the
generator the engine passes in, and knows nothing about actions, observations or rewards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class RadioConfig:
    """Radio and mobility arguments shared by the geometric topologies (d2d, cellular).

    Attributes:
        shadowing_std_db: log-normal shadowing standard deviation in dB.
        doppler_hz: maximum Doppler frequency f_d in Hz.
        slot_s: slot length T in seconds.
        speed_mps: receiver (user) walking speed in m/s.
        turn_std_rad: heading change per slot (std, radians) of the random walk.
        p_max_dbm: maximum transmit power in dBm.
        noise_dbm: receiver noise power in dBm.
        min_distance_m: distances below this are clipped in the path-loss formula.
    """

    shadowing_std_db: float = 8.0
    doppler_hz: float = 10.0
    slot_s: float = 0.02
    speed_mps: float = 1.5
    turn_std_rad: float = 0.3
    p_max_dbm: float = 38.0
    noise_dbm: float = -114.0
    min_distance_m: float = 1.0


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
