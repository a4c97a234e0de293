"""Mobility of receivers: a correlated random walk tied to an anchor and kept inside a region.

Each mobile node walks ``speed_mps * slot_s`` metres per slot along a heading that turns by
``N(0, turn_std_rad^2)`` every slot. A move that would leave the allowed set (distance to its
anchor within ``[r_min_m, r_max_m]`` and inside the region test) is refused: the node stays put
for that slot and turns around. Starting from a valid position, nodes therefore never leave it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import Region


@dataclass
class RandomWalk:
    """Random walk parameters.

    Attributes:
        speed_mps: walking speed in m/s (1.5 m/s is the 10 Hz Doppler of 2 GHz pedestrians).
        slot_s: slot length in seconds; the step length is ``speed_mps * slot_s`` metres.
        turn_std_rad: standard deviation of the heading change per slot, in radians.
    """

    speed_mps: float = 1.5
    slot_s: float = 0.02
    turn_std_rad: float = 0.3

    def __post_init__(self):
        self.heading = np.zeros(0)

    def reset(self, rng: np.random.Generator, n: int) -> None:
        """Draw uniform initial headings for ``n`` nodes."""
        self.heading = rng.uniform(0.0, 2.0 * np.pi, size=n)

    def step(
        self,
        rng: np.random.Generator,
        pos: np.ndarray,
        anchors: np.ndarray,
        r_min_m: float,
        r_max_m: float,
        inside: Region | None = None,
    ) -> np.ndarray:
        """Return the positions after one slot (``pos`` is not modified)."""
        self.heading = self.heading + rng.normal(0.0, self.turn_std_rad, size=len(pos))
        length = self.speed_mps * self.slot_s
        cand = pos + length * np.stack([np.cos(self.heading), np.sin(self.heading)], axis=-1)
        dist = np.linalg.norm(cand - anchors, axis=-1)
        ok = (dist >= r_min_m) & (dist <= r_max_m)
        if inside is not None:
            ok &= inside(cand, None)
        self.heading = np.where(ok, self.heading, self.heading + np.pi)
        return np.where(ok[:, None], cand, pos)
