"""The simulated control channel between devices: who hears whom, what gets lost, what it costs.

Topology: device ``i`` hears device ``j`` when ``j`` is one of ``i``'s neighbours (its strongest
interferers plus any too strong to be treated as noise, see ``TeamConfig``) or ``i`` is one of
``j``'s. Both directions are needed: ``i`` must learn
``j``'s proposed power (it interferes with ``i``), and ``j`` must learn the price ``i`` puts on it.

Loss: one message from ``j`` to ``i`` is lost with probability

    p = loss + (1 - loss) * 1 / (1 + snr / snr_ref),    snr = G[i, j] * p_ctrl / noise

``loss`` is the base probability (``--loss``), the second term grows as the control link's gain
falls (``snr_ref`` = 10 dB: a link 10 dB above the noise loses half its messages; the strong links
between neighbours, 40-60 dB up in the d2d scenario, lose almost none). The draws come from a
generator seeded by ``(seed, slot, round, wave)``, so a replayed slot loses the same messages.

Cost: every (sender, receiver) transmission counts once (device-to-device unicast); its size is
the UTF-8 length of its JSON encoding (text and machine-readable note).

The channel is part of the simulated world: it may use the full gain matrix. Agents never see it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

SNR_REF = 10.0  # linear, 10 dB


def listeners(neighbours: list[list[int]]) -> list[list[int]]:
    """``hears[i]``: the devices ``i`` hears, the symmetric closure of the neighbour lists."""
    k = len(neighbours)
    hears = [set(nb) for nb in neighbours]
    for j, nb in enumerate(neighbours):
        for i in nb:
            hears[i].add(j)
    return [sorted(h - {i}) for i, h in enumerate(hears)] if k else []


def loss_matrix(gains, p_ctrl: float, noise: float, loss: float) -> list[list[float]]:
    """``P[i][j]``: probability that a message from ``j`` to ``i`` is lost (JSON-able)."""
    g = np.asarray(gains, dtype=float)
    snr = g * float(p_ctrl) / float(noise)
    p = loss + (1.0 - loss) / (1.0 + snr / SNR_REF)
    return np.round(np.clip(p, 0.0, 1.0), 6).tolist()


def message_bytes(envelope: dict) -> int:
    """Size of one message on the air: its compact JSON encoding in bytes."""
    return len(json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode())


@dataclass
class Delivery:
    """Outcome of one delivery wave (JSON-able via :meth:`as_dict`)."""

    delivered: list[dict]  # {"from", "to", "bytes"} per delivered message
    lost: list[dict]
    sent: int = 0
    bytes: int = 0

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "delivered": len(self.delivered),
            "lost": len(self.lost),
            "bytes": self.bytes,
        }


def deliver(envelopes: list[dict], hears: list[list[int]], p_loss, rng) -> tuple[dict, Delivery]:
    """Send each envelope (``{"from": j, ...}``) to every device that hears ``j``.

    Returns ``({receiver: [envelope, ...]}, Delivery)``. Receivers are visited in id order, so
    the draws do not depend on dict order.
    """
    inbox: dict[int, list[dict]] = {}
    out = Delivery([], [])
    for env in sorted(envelopes, key=lambda e: e["from"]):
        j = int(env["from"])
        size = message_bytes(env)
        for i in range(len(hears)):
            if j not in hears[i]:
                continue
            out.sent += 1
            out.bytes += size
            rec = {"from": j, "to": i, "bytes": size}
            if rng.random() < p_loss[i][j]:
                out.lost.append(rec)
            else:
                out.delivered.append(rec)
                inbox.setdefault(i, []).append(env)
    return inbox, out


def seeded_rng(seed: int, *parts: int) -> np.random.Generator:
    """The generator of one delivery: a pure function of the run seed and where we are."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, *[int(p) for p in parts], 0xC7])


def colour_groups(hears: list[list[int]]) -> list[list[int]]:
    """Greedy colouring of the hearing graph: agents in one group never hear each other.

    Agents of one group can propose at the same time (their proposals do not see each other);
    groups go one after another (Gauss-Seidel), each seeing the latest notes of the others.
    """
    colour: dict[int, int] = {}
    order = sorted(range(len(hears)), key=lambda i: (-len(hears[i]), i))
    for i in order:
        used = {colour[j] for j in hears[i] if j in colour}
        c = 0
        while c in used:
            c += 1
        colour[i] = c
    n = max(colour.values()) + 1 if colour else 0
    return [sorted(i for i, c in colour.items() if c == g) for g in range(n)]
