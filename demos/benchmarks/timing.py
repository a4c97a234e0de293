"""Plans that land late: sum-rate on the realized channel over a Doppler sweep, realtime timing.

Run ``python -m wireless_agents.demos.benchmarks.timing`` (``--quick``: 1 seed, 300 slots).
d2d, K = 6, 20 ms slots, Jakes fading at f_d = 1, 10, 50 Hz (lag-one fading correlation
rho = J0(2 pi f_d T) = 0.996, 0.64, 0.22); every planner runs with ``timing: realtime``
(:mod:`wireless_agents.planners.episode.timing`) on the same channels (the env's randomness does
not depend on the powers). Rows:

``genie``            WMMSE with zero latency on each slot's own channel (the record's
                     ``wmmse_sum_rate``): the reference every ratio is taken to.
``wmmse+latency``    WMMSE in the cloud: the measurements go up, the plan comes back (the declared
                     50 ms round trip, compute 0): 3 slots late.
``edge team``        the model-free ``tool`` team (the LLM team's graph, channel and tools, no
                     model) at its own simulated latency: 1 ms per tool run, 1 ms per control
                     exchange and mini-slot (declared), about 1-2 slots.
``edge team, LLM latency``
                     the same team given the LLM team's latency, declared
                     ``LLM_DECISION_S`` (the mean simulated latency of the bundled SmolLM2 team
                     on the declared phone profile). The model-free team stands in for the LLM
                     team so that the sweep runs in minutes, not hours.
``full power``       every link at p_max, what any team holds before its first plan lands.
``edge team, frozen``the same team with frozen timing (thinking takes no time), for scale.

All figures rest on the DECLARED compute profiles and figures of ``timing.py``; none is a
measurement of real hardware.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy.special import j0
from wireless_agents.planners.episode import default_settings, run_episode

DOPPLERS = (1.0, 10.0, 50.0)
SLOT_S = 0.02
# simulated latency of one LLM team decision on the declared edge profile: mean over the slots of
# `wagents episode --agents 4 --steps 2 --seed 11` (bundled SmolLM2, frozen timing): 11.46 s
# (max 15.0 s), i.e. about 573 slots of 20 ms.
LLM_DECISION_S = 11.46

ROWS = (
    ("wmmse+latency", dict(planner="wmmse", timing="realtime")),
    ("edge team", dict(planner="tool", timing="realtime")),
    (
        "edge team, LLM latency",
        dict(planner="tool", timing="realtime", timing_model={"decision_ms": LLM_DECISION_S * 1e3}),
    ),
    ("full power", dict(planner="maxpower", timing="realtime", timing_model={"decision_ms": 0})),
    ("edge team, frozen", dict(planner="tool")),
)


def run(doppler_hz: float, seed: int, slots: int, k: int) -> dict:
    """``{row: (mean sum-rate, mean plan age in slots or None, decisions)}`` plus ``genie``."""
    out = {}
    genie = None
    for name, kw in ROWS:
        s = default_settings(
            scenario="d2d", agents=k, steps=slots, seed=seed, env={"doppler_hz": doppler_hz}, **kw
        )
        t = run_episode(s)
        sm = t["summary"]
        out[name] = (sm["mean_sum_rate"], sm.get("mean_age_slots"), sm.get("decided_slots", slots))
        genie = sm["wmmse_mean_sum_rate"]  # the same channels in every run
    out["genie"] = (genie, 0.0, slots)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 300 slots")
    parser.add_argument("--seeds", type=int, default=3, help="env seeds 0..N-1 (default 3)")
    parser.add_argument("--slots", type=int, default=700, help="slots per episode (default 700)")
    parser.add_argument("--agents", type=int, default=6)
    args = parser.parse_args(argv)
    seeds, slots = (1, 300) if args.quick else (args.seeds, args.slots)
    t0 = time.perf_counter()
    names = ["genie", *(n for n, _ in ROWS)]
    print(f"d2d K={args.agents}, {slots} slots of {SLOT_S * 1e3:.0f} ms, seeds 0..{seeds - 1}, "
          f"timing realtime; ratio = mean sum-rate / genie's")  # fmt: skip
    print(f"{'f_d (Hz)':>8} {'rho':>5}  {'planner':<24} {'sum-rate':>9} {'ratio':>6} "
          f"{'plan age':>9} {'decisions':>9}")  # fmt: skip
    for fd in DOPPLERS:
        runs = [run(fd, seed, slots, args.agents) for seed in range(seeds)]
        genie = float(np.mean([r["genie"][0] for r in runs]))
        rho = float(j0(2 * math.pi * fd * SLOT_S))
        for name in names:
            rate = float(np.mean([r[name][0] for r in runs]))
            ages = [r[name][1] for r in runs if r[name][1] is not None]
            age = f"{np.mean(ages):.1f}" if ages else "-"
            dec = float(np.mean([r[name][2] for r in runs]))
            print(f"{fd:>8g} {rho:>5.2f}  {name:<24} {rate:>9.2f} {rate / genie:>6.2f} "
                  f"{age:>9} {dec:>9.0f}", flush=True)  # fmt: skip
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
