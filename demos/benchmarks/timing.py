"""Plans that land late: edge, cloud or router, with and without the fast loop, over a Doppler sweep.

Run ``python -m wireless_agents.demos.benchmarks.timing`` (``--quick``: 300 slots, no LLM rows;
``--no-llm``: the model-free rows only). d2d, K = 6, 20 ms slots, Jakes fading at f_d = 1, 10,
50 Hz (lag-one fading correlation rho = J0(2 pi f_d T) = 0.996, 0.64, 0.22). Every row runs with
``timing: realtime`` (:mod:`wireless_agents.planners.episode.timing`) on the same channels (the
env's randomness does not depend on the powers) and is scored on the realized channel: the rates
of the powers on the air in each slot, on that slot's gains. The objective is the plain sum-rate
(the sum-rate is then the utility). Rows, for the model-free ``tool`` team (TeamConfig decider
``rule``) and beside it the LLM team (bundled SmolLM2; ``llm`` rows):

``genie``            WMMSE with zero latency on each slot's own channel (the records'
                     ``wmmse_sum_rate``): the reference every ratio is taken to.
``edge``             always the edge team (``route: edge``), at its own simulated latency.
``edge+fast``        the same with the fast loop (``fast_loop: true``,
                     :mod:`wireless_agents.planners.episode.fastloop`): each link's own closed
                     loop on every slot's channel between the team's plans.
``cloud``            always the cloud (``route: cloud``): every device reports up, the cloud
                     tier plans every power (its solver; for the LLM team also its model, the
                     same bundled SmolLM2 charged on the cloud's declared profile, a 7-8B model
                     on an A100: see ``timing.py``).
``router``           per slot the edge, the cloud or the last plan, by the deadline (the
                     fading's coherence time 0.423 / f_d) and how unsettled the team is
                     (:mod:`wireless_agents.planners.episode.router`).
``router+fast``      the router with the fast loop.
``wmmse@edge``       WMMSE given the same latency as the edge team (the ``edge`` row's mean
                     simulated decision latency, declared with ``timing_model.decision_ms``).
``...+ls``           the row above its name with the team planning on the large-scale gains
                     (``plan_on: large-scale``, :mod:`wireless_agents.planners.episode.largescale`:
                     each device's exponential average of its measured gains, time constant
                     1 s) instead of the slot's measurements: ``edge+ls``, ``edge+fast+ls``,
                     ``router+fast+ls`` (the router's cloud plans on them too).

``decisions`` counts the slots a plan was decided in; ``holds`` the router's slots where the last
plan served. All figures rest on the DECLARED compute profiles of ``timing.py``; none is a
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
TEAM_ROWS = (
    ("edge", {}),
    ("edge+fast", {"fast_loop": True}),
    ("cloud", {"route": "cloud"}),
    ("router", {"route": "router"}),
    ("router+fast", {"route": "router", "fast_loop": True}),
)
LS = {"plan_on": "large-scale"}  # the slow timescale: plan on the large-scale gains
LS_ROWS = (
    ("edge+ls", LS),
    ("edge+fast+ls", {"fast_loop": True, **LS}),
    ("router+fast+ls", {"route": "router", "fast_loop": True, **LS}),
)
ROWS = (*TEAM_ROWS, *LS_ROWS)


def run(planner: str, doppler_hz: float, seed: int, slots: int, k: int, backend=None,
        rows=None) -> dict:  # fmt: skip
    """``{row: summary figures}`` of one team (``tool`` or ``llm``) on one seed, plus the
    ``genie`` and, with the ``edge`` row, ``wmmse@edge`` (WMMSE at the edge row's mean latency).
    ``rows`` the names of :data:`ROWS` to run (None: all)."""
    out = {}
    base = dict(scenario="d2d", agents=k, steps=slots, seed=seed, env={"doppler_hz": doppler_hz},
                timing="realtime")  # fmt: skip
    for name, kw in ROWS:
        if rows is not None and name not in rows:
            continue
        cloud = {"cloud_model": "smollm2"} if planner == "llm" and kw.get("route") else {}
        s = default_settings(planner=planner, **base, **kw, **cloud)
        t = run_episode(s, backend=backend, cloud_backend=backend if cloud else None)
        out[name] = _figures(t["summary"])
        out["genie"] = {"sum_rate": t["summary"]["wmmse_mean_sum_rate"], "decisions": slots}
    if "edge" not in out:
        return out
    edge_ms = (out["edge"]["latency_s"] or 0.0) * 1e3
    s = default_settings(planner="wmmse", **base, timing_model={"decision_ms": edge_ms})
    out["wmmse@edge"] = _figures(run_episode(s)["summary"])
    return out


def _figures(sm: dict) -> dict:
    return {
        "sum_rate": sm["mean_sum_rate"],
        "decisions": sm.get("decided_slots"),
        "holds": (sm.get("sources") or {}).get("hold"),
        "latency_s": sm.get("latency_mean_s"),
        "age": sm.get("mean_age_slots"),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 slots, no LLM rows")
    parser.add_argument("--no-llm", action="store_true", help="the model-free rows only")
    parser.add_argument("--llm-only", action="store_true", help="the LLM rows only")
    parser.add_argument("--seeds", type=int, default=1, help="env seeds 0..N-1 (default 1)")
    parser.add_argument("--slots", type=int, default=700, help="slots per episode (default 700)")
    parser.add_argument("--agents", type=int, default=6)
    parser.add_argument("--rows", default=None,
                        help=f"comma-separated rows to run (default all: {', '.join(n for n, _ in ROWS)})")  # fmt: skip
    parser.add_argument(
        "--dopplers", default=None, help="comma-separated f_d in Hz (default 1,10,50)"
    )
    args = parser.parse_args(argv)
    names = [n for n, _ in ROWS]
    rows = None if args.rows is None else [r.strip() for r in args.rows.split(",") if r.strip()]
    if rows is not None and (not rows or set(rows) - set(names)):
        parser.error(f"--rows: choose among {', '.join(names)}")
    try:
        dopplers = DOPPLERS if args.dopplers is None else tuple(
            float(x) for x in args.dopplers.split(","))  # fmt: skip
    except ValueError:
        parser.error("--dopplers: comma-separated numbers in Hz")
    slots = 300 if args.quick else args.slots
    teams = ["tool"] if args.quick or args.no_llm else ["llm"] if args.llm_only else ["tool", "llm"]
    backend = None
    if "llm" in teams:
        from wireless_agents.agents.models import load_model

        backend = load_model("smollm2")
    t0 = time.perf_counter()
    print(f"d2d K={args.agents}, {slots} slots of {SLOT_S * 1e3:.0f} ms, seeds 0..{args.seeds - 1}, "
          "timing realtime, plain sum-rate on the realized channel; ratio = sum-rate / genie's")  # fmt: skip
    print(f"{'f_d':>4} {'rho':>5}  {'team':<5} {'row':<15} {'sum-rate':>8} {'ratio':>6} "
          f"{'latency s':>9} {'age':>6} {'decisions':>9} {'holds':>5}")  # fmt: skip
    for fd in dopplers:
        rho = float(j0(2 * math.pi * fd * SLOT_S))
        genie = None
        for team in teams:
            runs = [run(team, fd, seed, slots, args.agents, backend, rows)
                    for seed in range(args.seeds)]  # fmt: skip
            if genie is None:
                genie = float(np.mean([r["genie"]["sum_rate"] for r in runs]))
                print(f"{fd:>4g} {rho:>5.2f}  {'-':<5} {'genie':<15} {genie:>8.2f} {1:>6.2f} "
                      f"{0:>9.3f} {0:>6.1f} {slots:>9} {'-':>5}")  # fmt: skip
            for name in [n for n in [*names, "wmmse@edge"] if n in runs[0]]:
                rate = float(np.mean([r[name]["sum_rate"] for r in runs]))
                print(f"{fd:>4g} {rho:>5.2f}  {team:<5} {name:<15} {rate:>8.2f} "
                      f"{rate / genie:>6.2f} {_cell(runs, name, 'latency_s', '.3f'):>9} "
                      f"{_cell(runs, name, 'age', '.1f'):>6} "
                      f"{_cell(runs, name, 'decisions', '.0f'):>9} "
                      f"{_cell(runs, name, 'holds', '.0f'):>5}", flush=True)  # fmt: skip
    print(f"({time.perf_counter() - t0:.0f} s)")


def _cell(runs, name, key, spec) -> str:
    vals = [r[name][key] for r in runs if r[name].get(key) is not None]
    return format(float(np.mean(vals)), spec) if vals else "-"


if __name__ == "__main__":
    main()
