"""Local observations: what one device can measure at its own receiver, for all agents at once.

Before the action of slot ``t`` the receiver of link ``i`` knows, from pilots and its own
measurements:

===========================  =======  ==========================================================
key                          shape    meaning (float32, clipped to the space bounds)
===========================  =======  ==========================================================
direct_gain_db               (1,)     own direct gain ``G_t[i, i]`` of the coming slot, dB
interference_plus_noise_dbm  (1,)     interference plus noise received in the last slot, dBm
sinr_db                      (1,)     SINR of the last slot, dB
rate                         (1,)     rate of the last slot, bit/s/Hz
power_w                      (1,)     own transmit power in the last slot, W
interferer_gain_db           (n,)     gains ``G_t[i, j]`` of the n strongest interferers j, dB,
                                      strongest first (these j are the agent's neighbours)
interferer_rx_dbm            (n,)     power received from those same j in the last slot, dBm
power_schedule_w             (L,)     only with L > 1 time slices: own powers in the last slot's
                                      slices, W (then ``power_w`` is their mean and the other
                                      last-slot values are the slot's means, see
                                      ``environment.core``)
===========================  =======  ==========================================================

"Last slot" values are those of the previous ``step``; right after ``reset`` there was no
transmission: powers 0, SINR and rate 0, interference plus noise = noise. Every dB/dBm value is
clipped to ``[DB_LOW, DB_HIGH]``; ``DB_LOW`` (-200) stands for "nothing" (zero power or SINR).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from .metrics import linear_to_db, watts_to_dbm

DB_LOW, DB_HIGH = -200.0, 200.0
RATE_HIGH = 200.0
_DB_FLOOR = 10.0 ** (DB_LOW / 10.0)
_DBM_FLOOR = 10.0 ** ((DB_LOW - 30.0) / 10.0)

SCALAR_KEYS = ("direct_gain_db", "interference_plus_noise_dbm", "sinr_db", "rate", "power_w")
VECTOR_KEYS = ("interferer_gain_db", "interferer_rx_dbm")


def observation_space(n_interferers: int, p_max: float, time_slices: int = 1) -> spaces.Dict:
    """The Dict space of one agent's observation (see the module table)."""

    def box(low, high, n=1):
        return spaces.Box(low=low, high=high, shape=(n,), dtype=np.float32)

    extra = {"power_schedule_w": box(0.0, p_max, time_slices)} if time_slices > 1 else {}
    return spaces.Dict(
        {
            "direct_gain_db": box(DB_LOW, DB_HIGH),
            "interference_plus_noise_dbm": box(DB_LOW, DB_HIGH),
            "sinr_db": box(DB_LOW, DB_HIGH),
            "rate": box(0.0, RATE_HIGH),
            "power_w": box(0.0, p_max),
            "interferer_gain_db": box(DB_LOW, DB_HIGH, n_interferers),
            "interferer_rx_dbm": box(DB_LOW, DB_HIGH, n_interferers),
            **extra,
        }
    )


def strongest_interferers(gains: np.ndarray, n: int) -> np.ndarray:
    """Indices ``(K, n)`` of the ``n`` transmitters j != i with the largest ``G[i, j]``, strongest first."""
    k = gains.shape[0]
    if n <= 0:
        return np.zeros((k, 0), dtype=np.int64)
    off = gains.copy()
    np.fill_diagonal(off, -np.inf)
    if n < k - 1:
        idx = np.argpartition(-off, n - 1, axis=1)[:, :n]
    else:
        idx = np.broadcast_to(np.arange(k), (k, k)).copy()
    vals = np.take_along_axis(off, idx, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")[:, :n]
    return np.take_along_axis(idx, order, axis=1)


def build_observations(
    gains: np.ndarray,
    last_gains: np.ndarray,
    last_powers: np.ndarray,
    last_ipn: np.ndarray,
    last_sinr: np.ndarray,
    last_rate: np.ndarray,
    neighbours: np.ndarray,
    p_max: float,
) -> dict[str, np.ndarray]:
    """All agents' observations as batched float32 arrays, key -> ``(K, dim)``.

    ``neighbours`` is the ``(K, n)`` output of :func:`strongest_interferers` on ``gains``.
    """
    rows = np.arange(gains.shape[0])[:, None]
    rx_last = last_gains[rows, neighbours] * last_powers[neighbours]
    cols = {
        "direct_gain_db": linear_to_db(np.diagonal(gains), _DB_FLOOR)[:, None],
        "interference_plus_noise_dbm": watts_to_dbm(last_ipn, _DBM_FLOOR)[:, None],
        "sinr_db": linear_to_db(last_sinr, _DB_FLOOR)[:, None],
        "rate": np.clip(last_rate, 0.0, RATE_HIGH)[:, None],
        "power_w": np.clip(last_powers, 0.0, p_max)[:, None],
        "interferer_gain_db": linear_to_db(gains[rows, neighbours], _DB_FLOOR),
        "interferer_rx_dbm": watts_to_dbm(rx_last, _DBM_FLOOR),
    }
    out = {}
    for key, val in cols.items():
        if key.endswith(("_db", "_dbm")):
            val = np.clip(val, DB_LOW, DB_HIGH)
        out[key] = np.ascontiguousarray(val, dtype=np.float32)
    return out


def split_per_agent(batched: dict[str, np.ndarray], agents: list[str]) -> dict[str, dict]:
    """Turn ``key -> (K, dim)`` arrays into ``agent -> {key: (dim,)}`` (row views, no copies)."""
    keys = list(batched)
    arrays = [batched[k] for k in keys]
    return {
        a: {k: arr[i] for k, arr in zip(keys, arrays, strict=True)} for i, a in enumerate(agents)
    }
