"""Geometry of a drop: areas, hexagonal cell layouts and placing nodes, in metres.

Positions are ``(N, 2)`` float arrays of ``(x, y)`` in metres. Every random draw takes the caller's
``np.random.Generator``; rejection sampling loops over rounds, never over nodes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Region = Callable[[np.ndarray, np.ndarray | None], np.ndarray]
"""A region test ``inside(pos, nodes)``: positions ``(N, 2)`` of the nodes with indices ``nodes``
(``(N,)`` ints, or None for all nodes in order) -> ``(N,)`` bool, True inside. The indices let a
region depend on the node (e.g. each user's own cell)."""

_SQRT3 = np.sqrt(3.0)


def pairwise_distances(rx: np.ndarray, tx: np.ndarray) -> np.ndarray:
    """``D[i, j]`` = distance in metres from transmitter ``j`` to receiver ``i``, shape ``(R, T)``."""
    return np.sqrt(pairwise_sq_distances(rx, tx))


def pairwise_sq_distances(rx: np.ndarray, tx: np.ndarray) -> np.ndarray:
    """Squared distances in m^2, ``D2[i, j] = |rx_i - tx_j|^2``, shape ``(R, T)``."""
    dx = rx[:, None, 0] - tx[None, :, 0]
    dy = rx[:, None, 1] - tx[None, :, 1]
    dx *= dx
    dy *= dy
    dx += dy
    return dx


def in_square(side_m: float) -> Region:
    """Region test of the square ``[0, side_m]^2``."""

    def inside(pos: np.ndarray, nodes: np.ndarray | None = None) -> np.ndarray:
        return np.all((pos >= 0.0) & (pos <= side_m), axis=-1)

    return inside


def hex_centers(n_cells: int, radius_m: float) -> np.ndarray:
    """Centres of ``n_cells`` pointy-top hexagons of circumradius ``radius_m``, nearest first.

    Cell 0 is at the origin; then the first ring (6 cells), the second ring (12), ... so 7 cells
    form the classic one-ring cluster and 19 the two-ring one. Shape ``(n_cells, 2)``.
    """
    rings = 0
    while 1 + 3 * rings * (rings + 1) < n_cells:
        rings += 1
    q, r = np.meshgrid(np.arange(-rings, rings + 1), np.arange(-rings, rings + 1))
    q, r = q.ravel(), r.ravel()
    ring = np.maximum.reduce([np.abs(q), np.abs(r), np.abs(q + r)])
    keep = ring <= rings
    q, r, ring = q[keep], r[keep], ring[keep]
    x = radius_m * _SQRT3 * (q + r / 2.0)
    y = radius_m * 1.5 * r
    angle = np.mod(np.arctan2(y, x), 2 * np.pi)
    order = np.lexsort((angle, ring))[:n_cells]
    return np.stack([x[order], y[order]], axis=-1)


def in_hexagon(pos: np.ndarray, centers: np.ndarray, radius_m: float) -> np.ndarray:
    """True where ``pos[k]`` lies inside the pointy-top hexagon around ``centers[k]``."""
    d = np.abs(pos - centers)
    dx, dy = d[..., 0], d[..., 1]
    half_width = radius_m * _SQRT3 / 2.0
    return (dx <= half_width) & (dy <= radius_m) & (dx / _SQRT3 + dy <= radius_m)


def drop_uniform_square(rng: np.random.Generator, n: int, side_m: float) -> np.ndarray:
    """``n`` points uniform in the square ``[0, side_m]^2``."""
    return rng.uniform(0.0, side_m, size=(n, 2))


def drop_around(
    rng: np.random.Generator,
    anchors: np.ndarray,
    r_min_m: float,
    r_max_m: float,
    inside: Region | None = None,
    max_rounds: int = 1000,
) -> np.ndarray:
    """One point per anchor, uniform in area over the annulus ``[r_min_m, r_max_m]`` around it.

    Points failing ``inside`` are redrawn (all failing points at once per round). Raises
    ``RuntimeError`` if some anchor has no valid point after ``max_rounds`` rounds.
    """
    anchors = np.asarray(anchors, dtype=float)
    out = np.empty_like(anchors)
    todo = np.arange(len(anchors))
    for _ in range(max_rounds):
        if todo.size == 0:
            return out
        # Uniform in area over the annulus: r^2 uniform in [r_min^2, r_max^2].
        r = np.sqrt(rng.uniform(r_min_m**2, r_max_m**2, size=todo.size))
        phi = rng.uniform(0.0, 2.0 * np.pi, size=todo.size)
        cand = anchors[todo] + np.stack([r * np.cos(phi), r * np.sin(phi)], axis=-1)
        ok = np.ones(todo.size, dtype=bool) if inside is None else inside(cand, todo)
        out[todo[ok]] = cand[ok]
        todo = todo[~ok]
    if todo.size:
        raise RuntimeError(f"could not place {todo.size} node(s) inside the region")
    return out
