"""A straightforward scalar-loop WMMSE, written to behave like the reference code of
"Learning to Optimize" (Sun et al., IEEE TSP 2018): one problem at a time, Python loops over
the links, amplitudes ``h`` (gain = h**2, ``h[i, j]`` from transmitter j to receiver i).

Used only by the benchmark and the tests, as the yardstick for ``planners.wmmse``: the same
iteration (start at full power, Jacobi update of all amplitudes from the previous receivers and
weights, projection onto [0, sqrt(p_max)], at most 100 iterations, stop once the sum of
log2 weights gains <= 1e-3, keeping the last update).
"""

from __future__ import annotations

import math

import numpy as np


def scalar_wmmse(
    h: np.ndarray, p_max: float = 1.0, noise: float = 1.0, max_iter: int = 100, tol: float = 1e-3
) -> np.ndarray:
    """Powers for one problem given amplitude matrix ``h`` (K, K); loops over links."""
    k = h.shape[0]
    amp = np.full(k, math.sqrt(p_max))
    rx = np.zeros(k)
    mse_w = np.zeros(k)

    def receivers() -> float:
        total_obj = 0.0
        for i in range(k):
            received = float(np.dot(h[i, :] ** 2, amp**2)) + noise
            rx[i] = h[i, i] * amp[i] / received
            mse_w[i] = 1.0 / (1.0 - rx[i] * amp[i] * h[i, i])
            total_obj += math.log2(mse_w[i])
        return total_obj

    objective = receivers()
    for _ in range(max_iter):
        previous = objective
        for i in range(k):
            denom = float(np.sum(mse_w * rx**2 * h[:, i] ** 2))
            target = mse_w[i] * rx[i] * h[i, i] / denom
            amp[i] = min(max(target, 0.0), math.sqrt(p_max))
        objective = receivers()
        if objective - previous <= tol:
            break
    return amp**2


def sum_rate_scalar(h: np.ndarray, p: np.ndarray, noise: float = 1.0) -> float:
    """Sum-rate of one problem from amplitudes ``h``, looping over links."""
    k = h.shape[0]
    total = 0.0
    for i in range(k):
        interference = noise + sum(h[i, j] ** 2 * p[j] for j in range(k) if j != i)
        total += math.log2(1.0 + h[i, i] ** 2 * p[i] / interference)
    return total


def gaussian_amplitudes(k: int, samples: int, seed: int = 2017) -> np.ndarray:
    """Amplitudes |CN(0, 1)| drawn like the reference's test generator.

    Per sample a real then an imaginary (K, K) standard normal block from the legacy
    ``np.random.RandomState(seed)``; returns ``h`` of shape (samples, K, K).
    """
    rs = np.random.RandomState(seed)
    draws = rs.standard_normal((samples, 2, k, k))
    return np.abs((draws[:, 0] + 1j * draws[:, 1]) / np.sqrt(2.0))
