"""Clusters of devices for the three-tier team (L2 devices, L1 cluster coordinators, L0 cloud).

A cluster is a neighbourhood that one coordinator (L1) settles. The clustering is geometric and
deterministic, with no random draw: k-means (Lloyd) on the transmitters' positions, with
``n = ceil(K / cluster_size)`` clusters, started by farthest-first traversal from device 0
(the first centre is device 0's transmitter, each next centre the transmitter farthest from the
centres so far, ties to the lowest id), assignment ties to the lowest centre, at most 100
iterations. Clusters are numbered by their lowest member.

Which positions: d2d transmitters and cellular base stations are static, so a drop keeps its
clusters for the whole episode (receivers and users walk; clustering them would reshuffle the
coordinators every slot). In ``cellular`` each agent is one cell (its base station and the user
it serves), so a cluster is a group of neighbouring cells under one coordinator. ``gaussian``
has no geometry, hence no clusters.
"""

from __future__ import annotations

import math

import numpy as np


def n_clusters(k: int, cluster_size: int) -> int:
    """How many clusters K devices form with clusters of about ``cluster_size``."""
    return max(1, math.ceil(k / max(1, int(cluster_size))))


def kmeans_clusters(points, n: int, iters: int = 100) -> list[list[int]]:
    """Deterministic k-means of ``points`` ``(K, 2)`` into ``n`` clusters (lists of ids)."""
    x = np.asarray(points, dtype=float)
    k = len(x)
    n = max(1, min(int(n), k))
    centres = [0]
    d = np.sum((x - x[0]) ** 2, axis=1)
    while len(centres) < n:
        nxt = int(np.argmax(d))  # first maximum: ties go to the lowest id
        centres.append(nxt)
        d = np.minimum(d, np.sum((x - x[nxt]) ** 2, axis=1))
    c = x[centres].copy()
    label = None
    for _ in range(iters):
        dist = np.sum((x[:, None, :] - c[None, :, :]) ** 2, axis=-1)
        new = np.argmin(dist, axis=1)
        if label is not None and np.array_equal(new, label):
            break
        label = new
        for g in range(n):
            members = x[label == g]
            if len(members):  # an emptied cluster keeps its centre
                c[g] = members.mean(axis=0)
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
