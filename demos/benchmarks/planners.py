"""Benchmark of the classical power planners against the published WMMSE reference.

Run ``python -m wireless_agents.demos.benchmarks.planners`` (a few minutes) or add ``--quick`` (well under a
minute, fewer samples). Prints markdown tables the README quotes:

1. Reproduction of "Learning to Optimize" (Sun et al. 2018), Gaussian IC, K = 10, 20, 30,
   1000 samples from the legacy ``np.random.RandomState(2017)`` exactly as its generator
   draws them, gains = |h|^2, p_max = noise = 1: the published WMMSE means, a scalar-loop
   re-implementation of that WMMSE, our batched ``wmmse`` and ``best``. Target: wmmse >= 99.5%
   of the published mean; best >= 101%.
2. Speed, same samples: seconds per problem of the scalar loop and of batched ``wmmse``.
   Target: >= 30x.
3. Small K against an exhaustive fine grid (``optimal``: K = 3 with 41 levels, K = 4 with 21
   levels, each polished by WMMSE) on Gaussian channels and on strongly interfering ones (cross
   gains 20x the direct ones on average). Target: best >= 99.5% of the grid optimum.
4. Context: every algorithm's mean sum-rate relative to ``wmmse``.
5. Objectives (``solve(..., objective=...)``): per objective, on Gaussian K = 3, 4 (as in 3) and
   on d2d drops (``make_env("d2d")`` gains, p_max and noise, one drop per seed), each planner's
   mean utility relative to the reference: the exhaustive grid (``optimal``, WMMSE-polished)
   for ``sum_rate`` and ``weighted_sum_rate`` (weights uniform in [0.5, 3] per link, seeded),
   the exact solver for ``max_min`` (``maxmin``) and ``min_power`` (``minpower``; floors on
   links 0 and 1, 0.3 bit/s/Hz on Gaussian, 1 bit/s/Hz on d2d, the other links free; samples
   whose floors are infeasible left out and counted). Every planner is given the same floors;
   ``wmmse``, ``fp`` and
   ``maxpower`` plan as for the (weighted) sum-rate and are scored by the objective. Target:
   ``best`` >= 99.5% of the grid on the rate objectives, and the exact solvers >= the grid.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from wireless_agents.environment.metrics import sum_rate
from wireless_agents.planners import solve
from wireless_agents.planners._reference import gaussian_amplitudes, scalar_wmmse

PUBLISHED = {10: 2.8474, 20: 3.6178, 30: 4.1251}
INTERFERENCE_FACTOR = 20.0


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def small_k_channels(k: int, samples: int, factor: float, seed: int) -> np.ndarray:
    """|CN(0,1)|^2 gains from a seeded Generator; cross gains multiplied by ``factor``."""
    rng = np.random.default_rng(seed)
    g = rng.exponential(size=(samples, k, k))
    g[:, ~np.eye(k, dtype=bool)] *= factor
    return g


def scalar_batch(h: np.ndarray) -> np.ndarray:
    """The scalar-loop reference WMMSE, one problem after the other."""
    return np.array([scalar_wmmse(x) for x in h])


def reference_section(samples: int) -> tuple[list[str], list[str], dict]:
    ref_rows, speed_rows, context = [], [], {}
    for k in (10, 20, 30):
        h = gaussian_amplitudes(k, samples, seed=2017)
        g = h**2
        ref_p, t_ref = timed(scalar_batch, h)
        ours, t_ours = timed(solve, g, algo="wmmse")
        best_p, t_best = timed(solve, g, algo="best")
        ref_m, our_m, best_m = (float(sum_rate(g, p).mean()) for p in (ref_p, ours, best_p))
        pub = PUBLISHED[k]
        ref_rows.append(
            f"| {k} | {pub:.4f} | {ref_m:.4f} | {our_m:.4f} | {our_m / pub:.2%} | "
            f"{best_m:.4f} | {best_m / pub:.2%} | {t_best / samples * 1e3:.2f} |"
        )
        speed_rows.append(
            f"| {k} | {samples} | {t_ref / samples * 1e3:.3f} | {t_ours / samples * 1e3:.4f} | "
            f"{t_ref / t_ours:.0f}x |"
        )
        ctx = {"wmmse": our_m, "best": best_m}
        for algo in ("fp", "greedy", "maxpower", "random"):
            ctx[algo] = float(sum_rate(g, solve(g, algo=algo)).mean())
        context[f"Gaussian K={k}"] = ctx
    return ref_rows, speed_rows, context


def small_k_section(samples: int) -> tuple[list[str], dict]:
    rows, context = [], {}
    for name, factor in (
        ("Gaussian", 1.0),
        (f"interfering x{INTERFERENCE_FACTOR:g}", INTERFERENCE_FACTOR),
    ):
        for k, levels in ((3, 41), (4, 21)):
            g = small_k_channels(k, samples, factor, seed=100 + k)
            opt_p, t_opt = timed(solve, g, algo="optimal", levels=levels)
            opt_s = sum_rate(g, opt_p)
            opt = opt_s.mean()
            worst = float((sum_rate(g, solve(g, algo="best")) / opt_s).min())
            means = {
                a: float(sum_rate(g, solve(g, algo=a)).mean())
                for a in ("wmmse", "best", "fp", "greedy", "maxpower", "random")
            }
            rows.append(
                f"| {name} | {k} | {levels} | {opt:.4f} | {means['wmmse'] / opt:.2%} | "
                f"{means['best'] / opt:.2%} | {worst:.2%} | {means['fp'] / opt:.2%} | "
                f"{means['greedy'] / opt:.2%} | {t_opt:.1f} |"
            )
            context[f"{name} K={k}"] = means
    return rows, context


OBJECTIVE_PLANNERS = ("wmmse", "fp", "maxpower", "best", "exact", "grid")
FLOORS = {"Gaussian": 0.3, "d2d": 1.0}  # bit/s/Hz on links 0 and 1 under min_power


def d2d_drops(k: int, samples: int, seed: int) -> tuple[np.ndarray, float, float]:
    """Gains (samples, K, K) of ``samples`` d2d drops (env seeds seed, seed+1, ...), p_max, noise."""
    from wireless_agents.environment import make_env

    env = make_env("d2d", n_agents=k, seed=seed)
    g = []
    for s in range(samples):
        env.reset(seed=seed + s)
        g.append(np.array(env.gains))
    return np.stack(g), env.p_max, env.noise


def objective_rows(name, g, p_max, noise, levels, seed) -> list[str]:
    """One table row per objective on the channels ``g`` (B, K, K)."""
    from wireless_agents.planners import solve_detailed

    b, k = g.shape[:2]
    weights = np.random.default_rng(seed).uniform(0.5, 3.0, size=(b, k))
    floors = np.zeros((b, k))
    floors[:, :2] = FLOORS[name.split()[0]]
    rows = []
    for objective in ("sum_rate", "weighted_sum_rate", "max_min", "min_power"):
        kw = dict(objective=objective, p_max=p_max, noise=noise)
        if objective == "weighted_sum_rate":
            kw["weights"] = weights
        if objective == "min_power":
            kw["min_rate"] = floors
        sols = {a: solve_detailed(g, algo=a, **kw) for a in ("wmmse", "fp", "maxpower", "best")}
        sols["grid"] = solve_detailed(g, algo="optimal", levels=levels, **kw)
        exact = {"max_min": "maxmin", "min_power": "minpower"}.get(objective)
        if exact:
            sols["exact"] = solve_detailed(g, algo=exact, **kw)
        ref = sols["exact" if exact else "grid"]
        use = np.asarray(ref.feasible, dtype=bool)
        ref_u = np.asarray(ref.utility)[use]
        cells = []
        for a in OBJECTIVE_PLANNERS:
            if a not in sols:
                cells.append("-")
                continue
            u = np.asarray(sols[a].utility)[use]
            cell = f"{u.mean() / ref_u.mean():.2%}"
            if objective == "min_power":
                watts = np.asarray(sols[a].powers)[use].sum()
                cell += f" (power x{watts / np.asarray(ref.powers)[use].sum():.3g})"
                met = np.mean(np.asarray(sols[a].feasible)[use])
                cell += f" ({met:.0%} met)" if met < 1 else ""
            cells.append(cell)
        pos = ref_u > 0
        worst = float(np.min(np.asarray(sols["best"].utility)[use][pos] / ref_u[pos]))
        refname = f"{exact} (exact)" if exact else f"grid {levels} levels"
        rows.append(
            f"| {objective} | {name} | {refname} | {ref_u.mean():.4f} | {use.sum()}/{b} | "
            + " | ".join(cells)
            + f" | {worst:.2%} |"
        )
    return rows


def objectives_section(samples: int) -> list[str]:
    rows = []
    for k, levels in ((3, 41), (4, 21)):
        g = small_k_channels(k, samples, 1.0, seed=200 + k)
        rows += objective_rows(f"Gaussian K={k}", g, 1.0, 1.0, levels, seed=300 + k)
        g, p_max, noise = d2d_drops(k, samples, seed=1000 * k)
        rows += objective_rows(f"d2d K={k}", g, p_max, noise, levels, seed=400 + k)
    order = ("sum_rate", "weighted_sum_rate", "max_min", "min_power")
    return sorted(rows, key=lambda r: order.index(r.split(" | ")[0].strip("| ")))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples, under a minute")
    args = parser.parse_args(argv)
    n_ref = 200 if args.quick else 1000
    n_small = 40 if args.quick else 200
    t0 = time.perf_counter()

    ref_rows, speed_rows, ctx1 = reference_section(n_ref)
    print(f"## 1. Gaussian IC (Sun et al. 2018 test set: seed 2017, {n_ref} samples per K)\n")
    if args.quick:
        print("(--quick: the first 200 samples only; the published means are over 1000)\n")
    print(
        "| K | published WMMSE | scalar-loop WMMSE | wmmse | wmmse / published | best | "
        "best / published | best ms/problem |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(ref_rows))

    print("\n## 2. Speed: scalar-loop WMMSE vs batched wmmse (same samples, one run)\n")
    print("| K | problems | scalar ms/problem | batched ms/problem | speedup |")
    print("|---|---|---|---|---|")
    print("\n".join(speed_rows))

    rows, ctx2 = small_k_section(n_small)
    print(
        f"\n## 3. Small K against the exhaustive grid optimum ({n_small} samples each, "
        "p_max = noise = 1)\n"
    )
    print(
        "| channels | K | levels | optimum | wmmse / opt | best / opt | best worst sample | "
        "fp / opt | greedy / opt | grid seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))

    print("\n## 4. Mean sum-rate relative to wmmse\n")
    algos = ("best", "fp", "greedy", "maxpower", "random")
    print("| setup | " + " | ".join(algos) + " |")
    print("|---|" + "---|" * len(algos))
    for setup, m in {**ctx1, **ctx2}.items():
        print(f"| {setup} | " + " | ".join(f"{m[a] / m['wmmse']:.1%}" for a in algos) + " |")

    n_obj = 20 if args.quick else 100
    obj_rows = objectives_section(n_obj)
    print(f"\n## 5. Objectives: mean utility relative to the reference ({n_obj} samples each)\n")
    print(
        "utility: sum-rate, weighted sum-rate, worst link's rate (bit/s/Hz), or for min_power "
        "the share of the power budget saved with every floor kept; (power xN): the planner's "
        "total power over the exact solver's; (x% met): samples whose floors the planner met, "
        "where not all\n"
    )
    print(
        "| objective | channels | reference | reference utility | samples | "
        + " | ".join(OBJECTIVE_PLANNERS)
        + " | best worst sample |"
    )
    print("|---|---|---|---|---|" + "---|" * (len(OBJECTIVE_PLANNERS) + 1))
    print("\n".join(obj_rows))
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
