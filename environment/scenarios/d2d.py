"""Device-to-device links in a square area (the Nasir & Guo 2019 power-control setup).

Each agent is one transmitter-receiver pair. Transmitters are dropped uniformly in a square of
side ``sqrt(K * area_per_link_m2)`` metres, so the link density is the same for every ``K``. Each
receiver starts at a distance uniform-in-area in ``[r_min_m, r_max_m]`` of its transmitter and
then walks (see :mod:`environment.movement`), staying in that annulus and inside the square;
transmitters are static.

Channel (see :mod:`environment.channels`): path loss ``128.1 + 37.6 log10(d / km)`` dB from the
current distances, log-normal shadowing (8 dB std, fixed per drop and pair), Rayleigh fading
correlated over slots by Jakes' model with ``rho = J0(2 pi f_d T)`` (10 Hz, 20 ms: rho = 0.64).
Power up to 38 dBm (6.3 W), noise -114 dBm.

Default density: interference matters. One link per 100 m x 100 m (side 447 m for 20 links)
with link distances in [20, 100] m was calibrated so that full power reaches about a third of
what WMMSE (100 iterations started at full power) gets, the published figure of the setup (full
power 0.35, random power 0.36 of WMMSE). Measured, sum over 500 drops of full-power sum-rate /
WMMSE sum-rate: 20 links 0.35-0.36 (random power 0.35), 6 links 0.31-0.34; WMMSE itself gets
about 2.2 bit/s/Hz per link. The network is interference-limited, so only the ratio of link
distance to link spacing matters: scaling all three lengths together keeps these ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..channels import JakesFading, pathloss_gain_sq, shadowing_db, shadowing_gain
from ..geometry import drop_around, drop_uniform_square, in_square, pairwise_sq_distances
from ..metrics import dbm_to_watts
from ..movement import RandomWalk
from .base import RadioConfig, Scenario


@dataclass
class D2DConfig(RadioConfig):
    """Arguments of the d2d topology (distances in metres, powers in dBm).

    Attributes:
        n_agents: number of links K.
        area_per_link_m2: square metres of area per link; the square's side is
            ``sqrt(K * area_per_link_m2)``, so the density stays fixed as K grows.
        area_side_m: if given, the square's side in metres, overriding the density rule.
        r_min_m: minimum transmitter-receiver distance in metres.
        r_max_m: maximum transmitter-receiver distance in metres.
        and the radio fields of :class:`RadioConfig` (shadowing, Doppler, slot, walk,
        p_max_dbm, noise_dbm, min_distance_m).
    """

    n_agents: int = 6
    area_per_link_m2: float = 100.0**2
    area_side_m: float | None = None
    r_min_m: float = 20.0
    r_max_m: float = 100.0


class D2DScenario(Scenario):
    """Static transmitters, walking receivers, path loss + shadowing + Jakes fading."""

    name = "d2d"
    config_class = D2DConfig

    def __init__(self, config: D2DConfig):
        c = config
        if not 0 <= c.r_min_m <= c.r_max_m:
            raise ValueError("need 0 <= r_min_m <= r_max_m")
        self.config = c
        self.n_agents = int(c.n_agents)
        self.p_max = float(dbm_to_watts(c.p_max_dbm))
        self.noise = float(dbm_to_watts(c.noise_dbm))
        side = c.area_side_m
        self.side_m = float(
            side if side is not None else np.sqrt(self.n_agents * c.area_per_link_m2)
        )
        if self.side_m < c.r_min_m:
            raise ValueError("area too small for the link distance; raise area_per_link_m2")
        self.inside = in_square(self.side_m)
        self.walk = RandomWalk(c.speed_mps, c.slot_s, c.turn_std_rad)
        self.fading = JakesFading((self.n_agents, self.n_agents), c.doppler_hz, c.slot_s)
        self.tx = np.zeros((self.n_agents, 2))
        self.rx = np.zeros((self.n_agents, 2))
        self.shadow_db = np.zeros((self.n_agents, self.n_agents))
        self.shadow_gain = np.ones((self.n_agents, self.n_agents))

    def _gains(self, fading_power: np.ndarray) -> np.ndarray:
        d2 = pairwise_sq_distances(self.rx, self.tx)
        gains = pathloss_gain_sq(d2, self.config.min_distance_m)
        gains *= self.shadow_gain
        gains *= fading_power
        return gains

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        c, k = self.config, self.n_agents
        self.tx = drop_uniform_square(rng, k, self.side_m)
        self.rx = drop_around(rng, self.tx, c.r_min_m, c.r_max_m, self.inside)
        self.shadow_db = shadowing_db(rng, (k, k), c.shadowing_std_db)
        self.shadow_gain = shadowing_gain(self.shadow_db)
        self.walk.reset(rng, k)
        return self._gains(self.fading.reset(rng))

    def step(self, rng: np.random.Generator) -> np.ndarray:
        c = self.config
        self.rx = self.walk.step(rng, self.rx, self.tx, c.r_min_m, c.r_max_m, self.inside)
        return self._gains(self.fading.step(rng))

    @property
    def positions(self):
        return self.tx, self.rx

    @property
    def bounds(self):
        return (0.0, 0.0), (self.side_m, self.side_m)
