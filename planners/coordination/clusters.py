"""Clusters of devices for the three-tier team (L2 devices, L1 cluster coordinators, L0 cloud).

A cluster is a neighbourhood that one coordinator (L1) settles. The clustering is geometric and
deterministic, with no random draw: k-means (Lloyd, scipy's ``kmeans2``) on the transmitters'
positions, with ``n = ceil(K / cluster_size)`` clusters, started by farthest-first traversal from
device 0 (the first centre is device 0's transmitter, each next centre the transmitter farthest
from the centres so far, ties to the lowest id), assignment ties to the lowest centre, an emptied
cluster keeps its centre, 100 iterations (once a fixed point is reached they change nothing).
Clusters are numbered by their lowest member.

Which positions: d2d transmitters and cellular base stations are static, so a drop keeps its
clusters for the whole episode (receivers and users walk; clustering them would reshuffle the
coordinators every slot). In ``cellular`` each agent is one cell (its base station and the user
it serves), so a cluster is a group of neighbouring cells under one coordinator. ``gaussian``
has no geometry, hence no clusters.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.cluster.vq import kmeans2


def n_clusters(k: int, cluster_size: int) -> int:
    """How many clusters K devices form with clusters of about ``cluster_size``."""
    return max(1, math.ceil(k / max(1, int(cluster_size))))


def farthest_first(x: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` starting centres among the points ``x`` ``(K, 2)``: device 0, then each
    next the point farthest (squared distance) from the centres so far, ties to the lowest id."""
    centres = [0]
    d = np.sum((x - x[0]) ** 2, axis=1)
    while len(centres) < n:
        nxt = int(np.argmax(d))  # first maximum: ties go to the lowest id
        centres.append(nxt)
        d = np.minimum(d, np.sum((x - x[nxt]) ** 2, axis=1))
    return np.asarray(centres)


def kmeans_clusters(points, n: int, iters: int = 100) -> list[list[int]]:
    """Deterministic k-means of ``points`` ``(K, 2)`` into ``n`` clusters (lists of ids).

    Lloyd's iterations are scipy's ``kmeans2`` started from the farthest-first centres
    (``minit="matrix"``, so no random draw); an emptied cluster keeps its centre.
    """
    x = np.asarray(points, dtype=float)
    n = max(1, min(int(n), len(x)))
    start = x[farthest_first(x, n)]
    with warnings.catch_warnings():  # "one of the clusters is empty": it keeps its centre
        warnings.simplefilter("ignore", UserWarning)
        _, label = kmeans2(x, start, iter=iters, minit="matrix", missing="warn")
    groups = [sorted(int(i) for i in np.flatnonzero(label == g)) for g in range(n)]
    return sorted((g for g in groups if g), key=lambda g: g[0])


def make_clusters(positions, k: int, cluster_size: int) -> list[list[int]] | None:
    """The clusters of ``k`` devices at ``positions`` (None: no geometry, no clusters)."""
    if positions is None:
        return None
    return kmeans_clusters(positions, n_clusters(k, cluster_size))


def cluster_of(clusters: list[list[int]]) -> dict[int, int]:
    """``{device: cluster index}``."""
    return {i: c for c, members in enumerate(clusters) for i in members}
