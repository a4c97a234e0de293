"""What one agent is allowed to know: its own measurements and its mailbox.

Tools take a :class:`LocalView` and nothing else, so no tool can peek at the global gain matrix.
A view is built from the agent's PettingZoo observation (see ``environment.observations``) and
the messages that reached it over the control channel.

Units: gains linear (dimensionless), powers and noise in watts, rates in bit/s/Hz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def power_cap(p_max: float, cap: float | None) -> float:
    """The most a link may transmit (W): ``p_max``, or its own ``cap`` (W) if lower (a negative
    cap counts as 0). The one place the cap is derived: views, notes, the team's validation and
    the coordinators' problems use it."""
    return p_max if cap is None else min(p_max, max(cap, 0.0))


def up_to_grid(frac: float) -> float:
    """A power fraction of p_max rounded up to the 0.001 grid the model writes powers on (a
    hair of round-off below a grid point stays on it): a least power stays enough."""
    return math.ceil(frac * 1000.0 - 1e-9) / 1000.0


@dataclass(frozen=True)
class Note:
    """The machine-readable part of a message from agent ``sender`` (what tools can use).

    ``power`` is the sender's proposed transmit power for the coming slot (W). For each
    recipient ``k`` the sender can hear, ``prices[k]`` is its interference price: the sender's
    rate loss per watt of ``k``'s power, ``pi_sender * G[sender, k]`` in bit/s/Hz/W (Huang,
    Berry & Honig's distributed interference compensation), and ``wmmse[k]`` is the distributed
    WMMSE term ``w u^2 G[sender, k]`` (Shi et al. 2011). ``min_rate`` is the sender's own rate
    floor, if it has one (bit/s/Hz).

    The sender's channel row as its receiver sees it (for :mod:`tools.neighbourhood`):
    ``direct_gain`` ``G[sender, sender]``, ``gains[k]`` ``G[sender, k]`` for the interferers it
    hears, ``received[k]`` the power it expects from each of them (W), ``interference_plus_noise``
    its expected total (W), ``cap`` its own power cap (W, None = p_max). ``weight`` the sender's
    priority weight (None when the operator stated none; the weighted local WMMSE reads it).
    ``outside_gain`` the summed gain ``sum_k G[sender, k]`` of the interferers its receiver
    senses but does not count as neighbours (None: none left out): the planners of its
    neighbourhood assume they may transmit at full power (:func:`tools.neighbourhood.local_problem`).
    """

    sender: int
    power: float | None = None
    prices: dict[int, float] = field(default_factory=dict)
    wmmse: dict[int, float] = field(default_factory=dict)
    min_rate: float | None = None
    request: str = ""  # e.g. "lower" when the sender asks its neighbours to back off
    direct_gain: float | None = None
    gains: dict[int, float] = field(default_factory=dict)
    received: dict[int, float] = field(default_factory=dict)
    interference_plus_noise: float | None = None
    cap: float | None = None
    weight: float | None = None
    outside_gain: float | None = None


@dataclass(frozen=True)
class LocalView:
    """One agent's local knowledge before it decides a slot.

    ``direct_gain`` G[i, i] of the coming slot; ``interference_plus_noise`` measured in the last
    slot (W); ``last_power`` (W), ``last_sinr`` (linear) and ``last_rate`` of the last slot;
    ``neighbours`` the ids of the transmitters it hears best, strongest first, with
    ``neighbour_gains`` G[i, j] (coming slot) and ``neighbour_rx_last`` G[i, j] p_j received in the
    last slot (W); ``mailbox`` the notes that reached it this slot; ``min_rate`` and ``cap`` its
    own constraints (bit/s/Hz, W). ``objective`` the network's objective (a name of
    ``environment.objectives.OBJECTIVES``) and ``weight`` this link's priority weight, as the
    operator stated them (None: not stated, plain sum-rate). Interferers it senses but keeps out
    of ``neighbours`` (it does not talk to them; they stay in the measured interference):
    ``outside`` the ``(j, G[i, j])`` pairs of those above the noise at full power (its notes'
    channel row carries them beside the neighbours'), ``outside_gain`` the summed gain of the
    others (None: none left out). ``settled`` the senders that proposed in the round under way
    already (an earlier wave) when the team settles (``TeamConfig.settle``: every round after
    the first; a plan that has them move may never be followed, in the last round no round
    follows at all); the agent's (weighted) sum-rate plan of its neighbourhood holds their
    powers as heard.
    """

    agent: int
    p_max: float
    noise: float
    direct_gain: float
    interference_plus_noise: float
    last_power: float = 0.0
    last_sinr: float = 0.0
    last_rate: float = 0.0
    neighbours: tuple[int, ...] = ()
    neighbour_gains: tuple[float, ...] = ()
    neighbour_rx_last: tuple[float, ...] = ()
    mailbox: tuple[Note, ...] = ()
    min_rate: float | None = None
    cap: float | None = None
    objective: str | None = None
    weight: float | None = None
    outside: tuple[tuple[int, float], ...] = ()
    outside_gain: float | None = None
    settled: tuple[int, ...] = ()

    @property
    def p_cap(self) -> float:
        """The most this agent may transmit (W): p_max or its own cap, whichever is lower."""
        return power_cap(self.p_max, self.cap)

    def latest_notes(self) -> dict[int, Note]:
        """The newest note of each sender (later notes replace earlier ones)."""
        out: dict[int, Note] = {}
        for n in self.mailbox:
            out[n.sender] = n
        return out

    def expected_received(self) -> dict[int, float]:
        """``{j: G[i, j] p_j}`` (W) expected from each neighbour in the coming slot: ``p_j`` its
        proposed power from its latest note when one arrived, else last slot's received power."""
        notes = self.latest_notes()
        out = {}
        for j, g, rx_last in zip(
            self.neighbours, self.neighbour_gains, self.neighbour_rx_last, strict=True
        ):
            n = notes.get(j)
            out[j] = g * n.power if n is not None and n.power is not None else rx_last
        return out

    def estimated_interference_plus_noise(self) -> float:
        """Interference plus noise (W) expected in the coming slot.

        Starts from last slot's measurement, and for each neighbour whose proposed power arrived
        replaces its last contribution with ``G[i, j] * proposed``; interference from
        transmitters it cannot hear stays as measured.
        """
        est = float(self.interference_plus_noise)
        notes = self.latest_notes()
        for j, g, rx_last in zip(
            self.neighbours, self.neighbour_gains, self.neighbour_rx_last, strict=True
        ):
            n = notes.get(j)
            if n is not None and n.power is not None:
                est += g * float(n.power) - rx_last
        return max(est, self.noise)

    @classmethod
    def from_observation(
        cls,
        agent: int,
        obs: dict,
        neighbours,
        p_max: float,
        noise: float,
        mailbox=(),
        min_rate: float | None = None,
        cap: float | None = None,
    ) -> LocalView:
        """Build a view from one agent's env observation (dB/dBm fields, see environment)."""

        def lin(db):
            return 10.0 ** (np.asarray(db, dtype=float) / 10.0)

        def watts(dbm):
            return 10.0 ** ((np.asarray(dbm, dtype=float) - 30.0) / 10.0)

        sinr_db = float(np.asarray(obs["sinr_db"]).ravel()[0])
        return cls(
            agent=int(agent),
            p_max=float(p_max),
            noise=float(noise),
            direct_gain=float(lin(np.asarray(obs["direct_gain_db"]).ravel()[0])),
            interference_plus_noise=float(
                watts(np.asarray(obs["interference_plus_noise_dbm"]).ravel()[0])
            ),
            last_power=float(np.asarray(obs["power_w"]).ravel()[0]),
            last_sinr=0.0 if sinr_db <= -199.0 else float(lin(sinr_db)),
            last_rate=float(np.asarray(obs["rate"]).ravel()[0]),
            neighbours=tuple(int(j) for j in neighbours),
            neighbour_gains=tuple(float(x) for x in lin(obs["interferer_gain_db"]).ravel()),
            neighbour_rx_last=tuple(
                0.0 if x <= -199.0 else float(watts(x))
                for x in np.asarray(obs["interferer_rx_dbm"]).ravel()
            ),
            mailbox=tuple(mailbox),
            min_rate=min_rate,
            cap=cap,
        )
