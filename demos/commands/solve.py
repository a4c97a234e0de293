"""``wagents solve``: classical joint power allocation on a user's own channels."""

from __future__ import annotations

import json
import time

import numpy as np
from wireless_agents.demos.errors import UsageError
from wireless_agents.demos.files import check_writable, load_gains, save_npy

# A link below this fraction of p_max is shown as "off" (WMMSE drives silenced links to ~1e-19 W).
OFF_FRACTION = 1e-6


def add_parser(sub) -> None:
    from wireless_agents.environment.objectives import OBJECTIVES
    from wireless_agents.planners import ALGORITHMS
    from wireless_agents.planners.registry import SCHEDULERS

    p = sub.add_parser(
        "solve",
        help="solve joint transmit powers for your own channel gains (.npy)",
        description=(
            "Solve transmit powers for an interference channel under an objective (the sum-rate "
            "by default). FILE.npy holds power gains of shape (K, K) or (B, K, K), G[..., i, j] "
            "from transmitter j to receiver i."
        ),
    )
    p.add_argument(
        "--channels", required=True, metavar="FILE.npy", help="power gains, (K,K) or (B,K,K)"
    )
    p.add_argument(
        "--algo",
        default=None,
        choices=sorted([*ALGORITHMS, *SCHEDULERS]),
        help="algorithm (default wmmse; maxmin / minpower under --objective max_min / min_power;"
        " timeshare under --mini-slots)",
    )
    p.add_argument(
        "--mini-slots",
        type=int,
        default=None,
        metavar="L",
        help="split the slot into L time slices and plan a links x slices schedule by "
        "time-sharing (algo timeshare: an LP over power vectors, rounded to L slices; the "
        "report adds the LP bound and whether the floors hold per slot and by time-sharing)",
    )
    p.add_argument(
        "--p-max", type=float, default=1.0, help="power budget per transmitter in watts (default 1)"
    )
    p.add_argument(
        "--noise", type=float, default=1.0, help="receiver noise power in watts (default 1)"
    )
    p.add_argument(
        "--out",
        default="powers.npy",
        metavar="FILE.npy",
        help="where to write the powers (default powers.npy)",
    )
    p.add_argument("--no-save", action="store_true", help="do not write a powers file")
    p.add_argument(
        "--min-rate",
        action="append",
        default=[],
        metavar="LINK=RATE",
        help="minimum rate of a link in bit/s/Hz, e.g. 2=1.5 (repeatable)",
    )
    p.add_argument(
        "--max-power-frac",
        action="append",
        default=[],
        metavar="LINK=FRAC",
        help="cap a link's power at FRAC of p-max, 0 = silent (repeatable)",
    )
    p.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default=None,
        help="what to optimize: sum_rate (default), weighted_sum_rate, max_min (raise the worst "
        "link) or min_power (least power keeping every --min-rate); best and optimal optimize "
        "it, maxmin/minpower are the exact solvers of the last two",
    )
    p.add_argument(
        "--weights",
        default=None,
        metavar="W0,W1,...",
        help="per-link priority weights for weighted_sum_rate, one per link, >= 0 "
        "(implies --objective weighted_sum_rate)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for randomized algorithms (default 0)")
    p.add_argument("--json", action="store_true", help="print a JSON result instead of a table")
    p.set_defaults(func=run)


def _parse_link_values(
    items: list[str], k: int, flag: str, lo: float, hi: float
) -> np.ndarray | None:
    """Turn ``["2=1.5", ...]`` into a length-K array (NaN where not given)."""
    if not items:
        return None
    out = np.full(k, np.nan)
    for item in items:
        link, sep, value = item.partition("=")
        try:
            i = int(link)
            v = float(value)
        except ValueError:
            raise UsageError(f"{flag} expects LINK=VALUE, got {item!r}") from None
        if not sep or not 0 <= i < k:
            raise UsageError(f"{flag} {item!r}: link must be an index in 0..{k - 1}")
        if not (np.isfinite(v) and lo <= v <= hi):
            raise UsageError(f"{flag} {item!r}: value must be in [{lo:g}, {hi:g}]")
        out[i] = v
    return out


def _parse_weights(text: str | None, k: int, objective: str | None) -> np.ndarray | None:
    """``"3,1,1"`` -> array (K,); one line of UsageError on anything else."""
    if text is None:
        return None
    if objective not in (None, "weighted_sum_rate"):
        raise UsageError(f"--weights apply to --objective weighted_sum_rate, not {objective}")
    try:
        w = np.array([float(x) for x in text.split(",")])
    except ValueError:
        raise UsageError(f"--weights expects comma-separated numbers, got {text!r}") from None
    if w.size != k:
        raise UsageError(f"--weights needs one weight per link ({k}), got {w.size}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise UsageError(f"--weights must be finite and >= 0, got {text!r}")
    return w


def run(args) -> int:
    import inspect

    from wireless_agents.planners import ALGORITHMS, solve_detailed

    for name in ("p_max", "noise"):
        v = getattr(args, name)
        if not (np.isfinite(v) and v > 0):
            raise UsageError(
                f"--{name.replace('_', '-')} must be a positive number of watts, got {v}"
            )
    gains = load_gains(args.channels)
    k = gains.shape[-1]
    constraints = {}
    min_rate = _parse_link_values(args.min_rate, k, "--min-rate", 0.0, 1e3)
    if min_rate is not None:
        constraints["min_rate"] = min_rate
    frac = _parse_link_values(args.max_power_frac, k, "--max-power-frac", 0.0, 1.0)
    if frac is not None:
        constraints["max_power_frac"] = np.where(np.isnan(frac), 1.0, frac)
    weights = _parse_weights(args.weights, k, args.objective)
    if args.mini_slots is not None:
        if args.mini_slots < 1:
            raise UsageError(f"--mini-slots must be an integer >= 1, got {args.mini_slots}")
        if args.algo not in (None, "timeshare"):
            raise UsageError(
                f"--mini-slots plans a schedule with --algo timeshare, not {args.algo}"
            )
        args.algo = "timeshare"
        constraints["mini_slots"] = args.mini_slots
    elif args.algo == "timeshare":
        constraints["mini_slots"] = 1
    if args.algo is None:  # the objective's own solver; wmmse (weighted or not) for the rates
        args.algo = {"max_min": "maxmin", "min_power": "minpower"}.get(args.objective, "wmmse")
    constraints["objective"] = args.objective
    constraints["weights"] = weights
    out = None if args.no_save else check_writable(args.out)

    if args.algo in ALGORITHMS and "seed" in inspect.signature(ALGORITHMS[args.algo]).parameters:
        constraints["seed"] = args.seed
    t0 = time.perf_counter()
    try:
        sol = solve_detailed(
            gains, p_max=args.p_max, noise=args.noise, algo=args.algo, **constraints
        )
    except ValueError as exc:  # e.g. optimal refusing a large K
        raise UsageError(str(exc).splitlines()[0]) from None
    seconds = time.perf_counter() - t0

    if out is not None:
        save_npy(out, sol.powers)
    sum_rate = np.asarray(sol.sum_rate, dtype=float)
    util = np.asarray(sol.utility, dtype=float)
    if args.json:
        doc = {
            "algo": args.algo,
            "objective": sol.objective,
            "weights": None if weights is None else weights.tolist(),
            "powers": np.asarray(sol.powers).tolist(),
            "sum_rate": sum_rate.tolist(),
            "mean_sum_rate": float(np.mean(sum_rate)),
            "utility": util.tolist(),
            "mean_utility": float(np.mean(util)),
            "seconds": seconds,
            "feasible": np.asarray(sol.feasible).tolist(),
            "violations": list(sol.violations),
        }
        if sol.algo == "timeshare":
            doc.update(
                mini_slots=sol.mini_slots,
                bound=np.asarray(sol.bound, dtype=float).tolist(),
                slot_feasible=np.asarray(sol.slot_feasible).tolist(),
                lp_feasible=np.asarray(sol.lp_feasible).tolist(),
                slices_feasible=sol.slices_feasible,
            )
        print(json.dumps(doc))
    elif sol.algo == "timeshare":
        _print_schedule(args, gains, sol, seconds, out)
    else:
        _print_table(args, gains, sol, seconds, out)
    return 0


def _print_table(args, gains, sol, seconds, out) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from wireless_agents.environment.metrics import sinr, watts_to_dbm

    console = Console()
    powers = np.atleast_2d(sol.powers)
    g = gains if gains.ndim == 3 else gains[None]
    rates = np.atleast_2d(sol.rates)
    sinrs = sinr(g, powers, args.noise)
    sum_rate = np.atleast_1d(sol.sum_rate)
    util = np.atleast_1d(sol.utility)
    batch = powers.shape[0]
    scored = {
        "sum_rate": "",
        "weighted_sum_rate": f", weighted sum-rate {util.mean():.4f}",
        "max_min": f", worst link {util.mean():.4f} bit/s/Hz",
        "min_power": f", power saved {util.mean():.1%}",
    }[sol.objective]
    if batch == 1:
        table = Table(
            title=f"{args.algo}: K = {g.shape[-1]} links, sum-rate {sum_rate[0]:.4f} bit/s/Hz"
            f"{scored}"
        )
        table.add_column("link", justify="right")
        table.add_column("power (W)", justify="right")
        table.add_column("power (dBm)", justify="right")
        table.add_column("p / p_max", justify="right")
        table.add_column("SINR (dB)", justify="right")
        table.add_column("rate (bit/s/Hz)", justify="right")
        for i in range(g.shape[-1]):
            on = powers[0, i] > OFF_FRACTION * args.p_max
            table.add_row(
                str(i),
                f"{powers[0, i]:.4g}",
                f"{watts_to_dbm(powers[0, i]):.1f}" if on else "off",
                f"{powers[0, i] / args.p_max:.3f}",
                f"{10 * np.log10(max(sinrs[0, i], 1e-30)):.2f}" if on else "-",
                f"{rates[0, i]:.4f}",
            )
    else:
        shown = min(batch, 10)
        table = Table(
            title=f"{args.algo}: {batch} problems, K = {g.shape[-1]}, mean sum-rate "
            f"{sum_rate.mean():.4f} bit/s/Hz{scored}"
        )
        table.add_column("problem", justify="right")
        table.add_column("sum-rate (bit/s/Hz)", justify="right")
        table.add_column("active links", justify="right")
        table.add_column("total power (W)", justify="right")
        for b in range(shown):
            table.add_row(
                str(b),
                f"{sum_rate[b]:.4f}",
                str(int(np.sum(powers[b] > OFF_FRACTION * args.p_max))),
                f"{powers[b].sum():.4g}",
            )
        if batch > shown:
            table.caption = f"first {shown} of {batch} problems shown"
    console.print(table)
    for line in sol.violations:
        console.print(f"[yellow]constraint not met:[/yellow] {escape(line)}")
    where = f", powers written to {out}" if out is not None else ""
    console.print(escape(f"solved in {seconds * 1e3:.1f} ms{where}"))


def _print_schedule(args, gains, sol, seconds, out) -> None:
    """The (K, L) schedule of ``--mini-slots``: links by slices (p / p_max), mean rates, the LP
    bound and both floor verdicts (the first problem of a batch shown in full)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    sched = np.asarray(sol.powers)
    sched = sched if sched.ndim == 3 else sched[None]
    rates = np.atleast_2d(sol.rates)
    util, bound = np.atleast_1d(sol.utility), np.atleast_1d(sol.bound)
    slot_ok, lp_ok = np.atleast_1d(sol.slot_feasible), np.atleast_1d(sol.lp_feasible)
    batch, k, n = sched.shape
    table = Table(
        title=f"timeshare: K = {k} links, {n} mini-slots, {sol.objective} "
        f"{util[0]:.4f} (LP bound {bound[0]:.4f})"
        + (f", problem 0 of {batch}" if batch > 1 else "")
    )
    table.add_column("link", justify="right")
    for j in range(n):
        table.add_column(f"slice {j}", justify="right")
    table.add_column("mean rate (bit/s/Hz)", justify="right")
    for i in range(k):
        on = sched[0, i] > OFF_FRACTION * args.p_max
        cells = [
            f"{v / args.p_max:.3f}" if o else "off" for v, o in zip(sched[0, i], on, strict=True)
        ]
        table.add_row(str(i), *cells, f"{rates[0, i]:.4f}")
    table.caption = "cells: p / p_max in each time slice"
    console.print(table)
    if batch > 1:
        console.print(
            f"{batch} problems: mean {sol.objective} {util.mean():.4f}, mean LP bound "
            f"{np.nanmean(bound):.4f}"
        )
    if np.any(np.asarray(args.min_rate, dtype=object)):
        console.print(
            f"floors: met by one power vector in {int(slot_ok.sum())} of {batch}, by "
            f"time-sharing (LP) in {int(lp_ok.sum())}, by this schedule in "
            f"{int(np.sum(np.atleast_1d(sol.feasible)))}"
        )
    for line in sol.violations:
        console.print(f"[yellow]constraint not met:[/yellow] {escape(line)}")
    where = f", schedule written to {out}" if out is not None else ""
    console.print(escape(f"solved in {seconds * 1e3:.1f} ms{where}"))
