"""Max-min fairness by time-sharing: a schedule over L mini-slots against the best single vector.

Per K (2, 4, 8) and drop (env seeds 0, 1, ...): the exact max-min power vector
(``algo="maxmin"``, Zander's bisection; the best any single vector does) and the time-sharing
schedule (``algo="timeshare"``, ``mini_slots=L``, ``objective="max_min"``) on the same channels;
and the time-sharing LP's unrounded value (the ``bound``: no schedule over its candidates does
better, whatever L). Prints a markdown table of the means over the drops: the worst link's rate
of each (bit/s/Hz), the ratio of the two means, and the mean rounding gap
``(bound - schedule) / bound``. No model, a few seconds per K. Run
``python -m wireless_agents.demos.benchmarks.timeshare [--topology gaussian] [--drops 5]
[--mini-slots 4] [--ks 2,4,8]``; gaussian links at 20 dB SNR (p_max 100 W, noise 1 W) by
default, strong interference: cross gains as strong as the direct ones.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

TOPOLOGY_ARGS = {"gaussian": {"p_max_w": 100.0}, "d2d": {"area_per_link_m2": 400.0}}


def drop(topology: str, k: int, seed: int):
    """One drop's gains (K, K), p_max and noise (W)."""
    from wireless_agents.environment import make_env

    env = make_env(topology, n_agents=k, seed=seed, **TOPOLOGY_ARGS.get(topology, {}))
    env.reset()
    return np.array(env.gains), env.p_max, env.noise


def row(topology: str, k: int, drops: int, slices: int) -> dict:
    from wireless_agents.planners import solve_detailed

    one, ts, bound, secs = [], [], [], 0.0
    for seed in range(drops):
        g, p_max, noise = drop(topology, k, seed)
        one.append(solve_detailed(g, p_max, noise, algo="maxmin", objective="max_min").utility)
        t0 = time.perf_counter()
        sol = solve_detailed(
            g, p_max, noise, algo="timeshare", mini_slots=slices, objective="max_min"
        )
        secs += time.perf_counter() - t0
        ts.append(sol.utility)
        bound.append(sol.bound)
    one, ts, bound = map(np.array, (one, ts, bound))
    return {
        "k": k,
        "single": float(one.mean()),
        "schedule": float(ts.mean()),
        "ratio": float(ts.mean() / max(one.mean(), 1e-12)),
        "bound": float(bound.mean()),
        "gap": float(np.mean((bound - ts) / np.maximum(bound, 1e-12))),
        "seconds": secs / drops,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topology", default="gaussian", choices=sorted(TOPOLOGY_ARGS))
    ap.add_argument("--drops", type=int, default=5)
    ap.add_argument("--mini-slots", type=int, default=4)
    ap.add_argument("--ks", default="2,4,8")
    args = ap.parse_args(argv)
    if args.drops < 1 or args.mini_slots < 1:
        ap.error("--drops and --mini-slots must be >= 1")
    try:
        ks = [int(x) for x in args.ks.split(",")]
    except ValueError:
        ap.error(f"--ks expects comma-separated integers, got {args.ks!r}")
    n = args.mini_slots
    print(f"{args.topology}, {args.drops} drops per K, L = {n} mini-slots, max-min rate "
          "(bit/s/Hz), means over the drops\n")  # fmt: skip
    print(f"| K | best single vector | schedule (L = {n}) | schedule / single | LP bound "
          "| rounding gap | s per drop |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for k in ks:
        r = row(args.topology, k, args.drops, n)
        print(f"| {k} | {r['single']:.3f} | {r['schedule']:.3f} | {r['ratio']:.2f}x "
              f"| {r['bound']:.3f} | {r['gap']:.1%} | {r['seconds']:.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
