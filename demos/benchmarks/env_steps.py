"""Environment throughput: env steps per second for each topology at K = 10, 100, 1000 links.

Run ``python -m wireless_agents.demos.benchmarks.env_steps`` (``--quick`` for a shorter run). Each step is a full
``env.step`` with a fixed random power vector: channel update, rates, observations and infos of
every agent. Reset time is reported apart.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from wireless_agents.environment import make_env

TOPOLOGIES = ("gaussian", "d2d", "cellular")
SIZES = (10, 100, 1000)


def measure(
    topology: str, k: int, min_time_s: float = 1.0, max_steps: int = 2000
) -> tuple[float, float]:
    """Return (steps per second, reset seconds) for one topology and size."""
    env = make_env(topology, n_agents=k, seed=0, max_steps=10**9)
    t0 = time.perf_counter()
    env.reset()
    reset_s = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    actions = env.actions_from_powers(rng.uniform(0.0, env.p_max, size=k))
    env.step(actions)  # warm-up
    n, t0 = 0, time.perf_counter()
    while n < max_steps:
        env.step(actions)
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time_s:
            break
    return n / (time.perf_counter() - t0), reset_s


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.2 s per cell instead of 1 s")
    args = parser.parse_args(argv)
    min_time = 0.2 if args.quick else 1.0
    header = f"{'topology':<10}" + "".join(f"{f'K={k} steps/s':>18}" for k in SIZES)
    print(header)
    print("-" * len(header))
    resets = []
    for topology in TOPOLOGIES:
        row = f"{topology:<10}"
        for k in SIZES:
            sps, reset_s = measure(topology, k, min_time)
            row += f"{sps:>18.1f}"
            resets.append(f"{topology} K={k}: {reset_s * 1e3:.1f} ms")
        print(row, flush=True)
    print("reset times: " + ", ".join(resets))


if __name__ == "__main__":
    main()
