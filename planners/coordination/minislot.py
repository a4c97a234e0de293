"""The mini-slots of the team's closed loop: what each receiver measures at given powers.

Before a data slot the links can run a few mini-slots of pilots and feedback (closed-loop power
control, as in cellular systems). :class:`Medium` is the simulated world of those mini-slots: it
turns the transmit powers into each receiver's own measurements and nothing more. Like the
control channel (:mod:`.channel`) it may use the gain matrix; the link rules that read a
:class:`Measurement` see one row of it, their own.

Units: gains linear, powers and noise in watts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from wireless_agents.environment.metrics import shannon_rate


@dataclass
class Measurement:
    """What the receivers measure in one mini-slot, one row per link.

    ``direct`` (K,) own direct gain (pilots); ``ipn`` (K,) interference plus noise, W; ``rx``
    (K, K) power received from each heard interferer, W (``rx[i, j]`` is 0 where receiver ``i``
    does not hear transmitter ``j``).
    """

    direct: np.ndarray
    ipn: np.ndarray
    rx: np.ndarray

    def sinr(self, p: np.ndarray) -> np.ndarray:
        """Each link's SINR (linear) at its own power ``p_i``."""
        return np.where(self.ipn > 0, self.direct * p / np.where(self.ipn > 0, self.ipn, 1), 0.0)

    def rate(self, p: np.ndarray) -> np.ndarray:
        """Each link's rate (bit/s/Hz) at its own power ``p_i``."""
        return shannon_rate(self.sinr(p))


class Medium:
    """Transmit powers in, local measurements out.

    ``heard[i]`` are the interferers receiver ``i`` measures one by one (its observation's list).
    """

    def __init__(self, gains, noise: float, heard: list[list[int]]):
        self.gains = np.asarray(gains, dtype=float)
        self.noise = float(noise)
        k = self.gains.shape[-1]
        self.mask = np.zeros((k, k), dtype=bool)
        for i, js in enumerate(heard):
            for j in js:
                if int(j) != i:
                    self.mask[i, int(j)] = True

    def measure(self, p: np.ndarray) -> Measurement:
        rx_all = self.gains * p[None, :]
        direct = np.diagonal(self.gains).copy()
        ipn = self.noise + rx_all.sum(axis=1) - direct * p
        return Measurement(direct, ipn, np.where(self.mask, rx_all, 0.0))
