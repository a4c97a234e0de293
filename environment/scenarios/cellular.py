"""Hexagonal multi-cell downlink: one agent per cell, the link from its base station to the user
it schedules in the current slot.

Cells are pointy-top hexagons of circumradius ``cell_radius_m`` laid out in rings around the
origin (7 cells = one ring, 19 = two rings; any count takes the nearest cells). Each cell has a
base station (BS) at its centre and ``users_per_cell`` users dropped uniformly in the hexagon at
least ``r_min_m`` from the BS. Users walk (see :mod:`environment.movement`) and never leave their
cell or come closer than ``r_min_m`` to their BS.

Scheduling is plain round robin: in slot ``t`` (counted from the reset) every cell serves its user
``t mod users_per_cell``. The gain matrix is that of the scheduled users: ``G[i, j]`` is the gain
from BS ``j`` to the user cell ``i`` serves in this slot. Inter-cell interference is what the
agents negotiate; there is no intra-cell interference (one user per cell per slot).

Channel as in :mod:`environment.scenarios.d2d`: path loss ``128.1 + 37.6 log10(d / km)`` dB,
8 dB log-normal shadowing fixed per drop and BS-user pair, Jakes-correlated Rayleigh fading on
every BS-user pair, BS power up to 38 dBm, noise -114 dBm. A user's fading is brought forward
only when it is served, with the exact n-slot transition of the Jakes process (same statistics
as stepping every pair every slot, at 1/users_per_cell of the cost).

Measured with the defaults (200 drops): full power reaches 0.76 of WMMSE's sum-rate with 7 cells
and 19 cells (WMMSE about 4.6 and 3.8 bit/s/Hz per cell): cells of 500 m are less crowded than
the default d2d drop, so power control gains less here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..channels import JakesFading, pathloss_gain_sq, shadowing_db, shadowing_gain
from ..geometry import drop_around, hex_centers, in_hexagon, pairwise_sq_distances
from ..metrics import dbm_to_watts
from ..movement import RandomWalk
from .base import RadioConfig, Scenario


@dataclass
class CellularConfig(RadioConfig):
    """Arguments of the cellular topology (distances in metres, powers in dBm).

    Attributes:
        n_agents: number of cells (= base stations = agents).
        cell_radius_m: hexagon circumradius (centre to corner) in metres.
        users_per_cell: users per cell, served in round robin.
        r_min_m: minimum BS-user distance in metres.
        and the radio fields of :class:`RadioConfig` (shadowing, Doppler, slot, walk,
        p_max_dbm, noise_dbm, min_distance_m).
    """

    n_agents: int = 7
    cell_radius_m: float = 500.0
    users_per_cell: int = 4
    r_min_m: float = 10.0


class CellularScenario(Scenario):
    """Static base stations, walking users, round-robin scheduling, one agent per cell."""

    name = "cellular"
    config_class = CellularConfig

    def __init__(self, config: CellularConfig):
        c = config
        if c.users_per_cell < 1:
            raise ValueError("users_per_cell must be at least 1")
        if not 0 <= c.r_min_m < c.cell_radius_m * np.sqrt(3.0) / 2.0:
            raise ValueError("r_min_m must lie inside the hexagon's inscribed circle")
        self.config = c
        self.n_agents = int(c.n_agents)
        self.p_max = float(dbm_to_watts(c.p_max_dbm))
        self.noise = float(dbm_to_watts(c.noise_dbm))
        self.bs = hex_centers(self.n_agents, c.cell_radius_m)
        u = c.users_per_cell
        self.home = np.repeat(np.arange(self.n_agents), u)  # serving cell of each user
        self.anchor = self.bs[self.home]
        self.walk = RandomWalk(c.speed_mps, c.slot_s, c.turn_std_rad)
        self.fading = JakesFading((self.n_agents * u, self.n_agents), c.doppler_hz, c.slot_s)
        self.users = self.anchor.copy()
        self.shadow_db = np.zeros((self.n_agents * u, self.n_agents))
        self.slot = 0

    def _inside(self, pos: np.ndarray, nodes: np.ndarray | None = None) -> np.ndarray:
        anchor = self.anchor if nodes is None else self.anchor[nodes]
        return in_hexagon(pos, anchor, self.config.cell_radius_m)

    @property
    def scheduled(self) -> np.ndarray:
        """Index (into all users) of the user each cell serves in this slot, shape ``(K,)``."""
        u = self.config.users_per_cell
        return np.arange(self.n_agents) * u + self.slot % u

    def _gains(self, rng: np.random.Generator) -> np.ndarray:
        # Only the scheduled users' fading is advanced (exactly, over the slots since they were
        # last served): the unscheduled ones are never looked at in between.
        rows = self.scheduled
        d2 = pairwise_sq_distances(self.users[rows], self.bs)
        gains = pathloss_gain_sq(d2, self.config.min_distance_m)
        gains *= shadowing_gain(self.shadow_db[rows])
        gains *= self.fading.rows_at(rng, rows, self.slot)
        return gains

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        c = self.config
        self.slot = 0
        self.users = drop_around(rng, self.anchor, c.r_min_m, c.cell_radius_m, self._inside)
        self.shadow_db = shadowing_db(rng, self.shadow_db.shape, c.shadowing_std_db)
        self.walk.reset(rng, len(self.users))
        self.fading.reset(rng, lazy=True)
        return self._gains(rng)

    def step(self, rng: np.random.Generator) -> np.ndarray:
        c = self.config
        self.slot += 1
        self.users = self.walk.step(
            rng, self.users, self.anchor, c.r_min_m, c.cell_radius_m, self._inside
        )
        return self._gains(rng)

    @property
    def positions(self):
        return self.bs, self.users[self.scheduled]

    @property
    def bounds(self):
        r = self.config.cell_radius_m
        return tuple(self.bs.min(axis=0) - r), tuple(self.bs.max(axis=0) + r)

    @property
    def bystanders(self):
        mask = np.ones(len(self.users), dtype=bool)
        mask[self.scheduled] = False
        return self.users[mask]
