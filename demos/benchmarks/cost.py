"""What a decision costs the host: the quick-start episode on each decision path, side by side.

Run ``python -m wireless_agents.demos.benchmarks.cost`` (``--agents K --steps N --seed S``,
default the quick start: K = 6, 5 slots, seed 0, the bundled model). The baseline is "today":
the quick start's 108 model calls as the code made them before the work on time and cost
(commit a30e5b4), recorded once and replayed on the same model with that code's settings
(:mod:`.today`: half the cores, one shared cache, every token its own step, the full grammar
chain); it is replayed first and again last, and each path's share is of the mean of the two
(both printed, with how many of the 108 answers are the recorded ones). It stands only for the
quick start's own episode (K = 6, 5 slots, seed 0). Between the two replays the same episode
runs on each path in one process, one after the other on the same model:

- ``two calls, half the cores``: the two-call path below on half the usable cores whatever the
  load (the backend's threads before the picker), the full layout;
- ``two calls``: the model calls its single tool (``{"tool": "local_wmmse"}``) in a call of its
  own, then decides (``wagents episode --model-calls-tool``), with the threads picked per call;
- ``one call, shared cache``: the agent calls the tool itself and the model only decides; every
  agent's call starts from whatever the last call left in llama.cpp's cache (before sessions);
- ``one call, own sessions``: the same calls, each agent resuming its own saved KV state
  (:mod:`wireless_agents.agents.backends.llama`), every answer token generated in a decode step
  of its own;
- ``one call, own sessions, guess checked, full grammar``: the same, each call's guessed answer
  (its tool's power with the system prompt's reason) checked in the prompt's batch; the model's
  answer is unchanged token for token, a right guess costs no step of its own; every answer
  position sampled by llama-cpp-python's full chain (the grammar tests the whole vocabulary);
- ``one call, own sessions, guess checked, top token first``: the same, the grammar asked
  about the top token alone first (:mod:`wireless_agents.agents.backends.greedy`; the same
  tokens): the default backend, on the full layout;
- every path above writes the full layout (``--prompt full``); ``compact prompt`` (the
  default) the compact one (:mod:`wireless_agents.agents.prompts_compact`: the tool's result as
  a sentence, the messages grouped, what stays the same between the rounds of a slot first);
  after the table, how many of its decisions' powers are those of the full layout's row;
- ``forced, no model call``: ``--skip-forced``: a decision that leaves language nothing to
  settle takes the tool's power with no model call (counted in ``forced``);
- ``tool`` (model-free twin): the rule agents of ``--planner tool``.

``--pairs N`` measures, instead of the table, the target's ratio in N alternating pairs, today's
replay then the default path's episode, each pair back to back (load drifts over the minutes
the table takes: the two replays of one run have differed by 12%), and prints each pair's ratio
and their median.

Printed per path: ratio to WMMSE, model calls, decisions forced, tokens the model computed per
decision that called it (``tokens_evaluated``: prefill after the cache, plus generated, plus
guessed tokens dropped), llama.cpp decode batches per decision that called it, model
seconds per slot (wall time of the calls on this machine, shared with other work: read the
ratio to today's replay, measured in the same run), that ratio, and the calls by the CPU
threads they ran with (``48 x 2``: 48 calls on 2 threads; the backend takes every core while the
machine's other processes leave them idle, :mod:`wireless_agents.agents.backends.threads`: rows
measured at different loads may differ in it, ``WAGENTS_THREADS=N`` fixes it for every row).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass, field

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from wireless_agents.agents.backends.threads import usable_cpus  # noqa: E402
from wireless_agents.agents.models import DEFAULT_MODEL, load_model  # noqa: E402
from wireless_agents.demos.benchmarks import today  # noqa: E402
from wireless_agents.planners.episode import default_settings, run_episode  # noqa: E402

SESSION_BYTES = 256 * 2**20
QUICK_START = {"agents": 6, "steps": 5, "seed": 0}  # today's recording is of this episode
HALF = "half"  # the threads before the picker: half the usable cores, whatever the load


@dataclass(frozen=True)
class Path:
    """One decision path: settings over the quick start's, session state kept (bytes), guesses
    checked, the threads (None: picked per call; HALF), the grammar asked about the top token
    first (False: the full chain over the vocabulary at every position)."""

    over: dict = field(default_factory=dict)
    state_bytes: int = SESSION_BYTES
    guesses: bool = True
    threads: str | None = None
    greedy_first: bool = True


FULL = {"prompt": "full"}
TODAY = "today: a30e5b4's 108 calls replayed (two calls, half the cores, shared cache)"
FULL_LAYOUT = "one call, own sessions, guess checked, top token first (`--prompt full`)"
DEFAULT = "compact prompt, otherwise as above (the default)"
PATHS_BASE = "two calls, half the cores (before the thread picker)"
PATHS = {
    PATHS_BASE: Path({"direct_tool": False}, 0, False, HALF, False),
    "two calls (`--model-calls-tool`)": Path({"direct_tool": False}, 0, False),
    "one call, shared cache": Path(FULL, 0, False),
    "one call, own sessions": Path(FULL, SESSION_BYTES, False),
    "one call, own sessions, guess checked, full grammar": Path(FULL, greedy_first=False),
    FULL_LAYOUT: Path(FULL),
    DEFAULT: Path(),
    "forced, no model call (`--skip-forced`)": Path({"skip_forced": True}),
    "tool (model-free)": Path({"planner": "tool"}),
}


def half_the_cores() -> int:
    """The threads before the picker: half the usable cores, whatever the load."""
    return max(1, usable_cpus() // 2)


def replayed(backend) -> dict:
    """The row of today's recorded calls (:func:`.today.replay` on half the usable cores, as
    that code ran them): a decision was two calls then (its tool call, then its answer)."""
    threads = half_the_cores()
    r = today.replay(backend, threads)
    rec = r["recorded"]
    decisions = r["calls"] // 2
    return {
        "decodes": r["decodes"] / decisions,
        "ratio": rec["ratio_to_wmmse"],
        "calls": r["calls"],
        "forced": 0,
        "evaluated": r["evaluated"] / decisions,
        "evaluated_all": r["evaluated"],
        "seconds_per_slot": r["seconds"] / rec["steps"],
        "same": r["same"],
        "recorded": rec,
        "threads": {threads: r["calls"]},
    }


def measure(backend, path: Path, agents: int, steps: int, seed: int) -> dict:
    if hasattr(backend, "set_threads"):
        backend.set_threads(half_the_cores() if path.threads == HALF else None)
    if hasattr(backend, "keep_sessions"):
        backend.keep_sessions(path.state_bytes)
    for knob in ("guesses", "greedy_first"):
        if hasattr(backend, knob):
            setattr(backend, knob, getattr(path, knob))
    decodes = getattr(backend, "decodes", 0)
    before = dict(getattr(backend, "threads", {}))
    s = default_settings(agents=agents, steps=steps, seed=seed, **path.over)
    trace = run_episode(s, backend=backend)
    m = trace["summary"]
    with_call = m["llm_calls"] and m["tokens_evaluated"] / m["tokens_evaluated_per_decision"]
    return {
        "decodes": (getattr(backend, "decodes", 0) - decodes) / with_call if with_call else None,
        "ratio": m["ratio_to_wmmse"],
        "calls": m["llm_calls"],
        "forced": m["forced_decisions"],
        "evaluated": m["tokens_evaluated_per_decision"],
        "seconds_per_slot": m["llm_seconds"] / steps,
        "powers": [d["power"] for x in trace["steps"] for d in x["decisions"]],
        "threads": ({getattr(backend, "n_threads", 0): m["llm_calls"]} if path.threads == HALF else
                    {n: c - before.get(n, 0) for n, c in getattr(backend, "threads", {}).items()
                     if c > before.get(n, 0)}),
    }  # fmt: skip


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, value in QUICK_START.items():
        ap.add_argument(f"--{name}", type=int, default=value)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--pairs", type=int, default=0,
                    help="instead of the table, N alternating pairs: today's replay, then the "
                    "default path (the quick start only)")  # fmt: skip
    args = ap.parse_args(argv)
    quick_start = args.model == DEFAULT_MODEL and all(
        getattr(args, name) == value for name, value in QUICK_START.items()
    )
    if args.pairs > 0 and not quick_start:
        print("--pairs: today's recorded calls are the quick start's (K = 6, 5 slots, seed 0, "
              "smollm2)", file=sys.stderr)  # fmt: skip
        return 2
    backend = load_model(args.model)
    if args.pairs > 0:
        alternate(backend, args.pairs)
        return 0
    replays = [replayed(backend)] if quick_start else []
    rows = {name: measure(backend, path, args.agents, args.steps, args.seed)
            for name, path in PATHS.items()}  # fmt: skip
    if quick_start:
        replays.append(replayed(backend))
        rows = {
            TODAY: replays[0]
            | {"seconds_per_slot": sum(r["seconds_per_slot"] for r in replays) / 2}
        } | rows
    for knob in ("guesses", "greedy_first"):
        if hasattr(backend, knob):
            setattr(backend, knob, True)
    base = rows[TODAY if quick_start else PATHS_BASE]["seconds_per_slot"]
    print(f"quick-start episode, d2d K={args.agents}, {args.steps} slots, seed {args.seed}, "
          f"{args.model}:")  # fmt: skip
    for n, r in enumerate(replays):
        print(f"today, replay {n + 1} ({'first' if n == 0 else 'last'}): "
              f"{r['seconds_per_slot']:.2f} model s / slot, {r['same']} of {r['calls']} answers "
              f"the recorded ones, {r['evaluated_all']} tokens evaluated (recorded "
              f"{r['recorded']['tokens_evaluated']})")  # fmt: skip
    if not quick_start:
        print(f"(not the quick start: the recorded calls of today do not apply; shares are of "
              f"'{PATHS_BASE}')")  # fmt: skip
    print("| path | ratio to WMMSE | model calls | forced, no model call "
          "| tokens evaluated / decision with a call | decode batches / decision with a call "
          "| model s / slot | of the baseline | calls by threads |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        ev = "-" if r["evaluated"] is None else f"{r['evaluated']:.0f}"
        dec = "-" if r["decodes"] is None else f"{r['decodes']:.1f}"
        share = r["seconds_per_slot"] / base if base else float("nan")
        threads = by_threads(r)
        ratio = f"{r['ratio']:.4f}" + (" (recorded)" if name == TODAY else "")
        print(f"| {name} | {ratio} | {r['calls']} | {r['forced']} | {ev} | {dec} | "
              f"{r['seconds_per_slot']:.2f} | {share:.2f} | {threads} |")  # fmt: skip
    full, compact = rows[FULL_LAYOUT]["powers"], rows[DEFAULT]["powers"]
    same = sum(a == b for a, b in zip(compact, full, strict=False))
    print(f"compact prompt (the default): {same} of {len(full)} decisions' powers identical to "
          f"the full layout's ({len(compact)} decisions)")  # fmt: skip
    return 0


def by_threads(row: dict) -> str:
    """A row's calls by the CPU threads they ran with: ``"8 x 1, 40 x 2"``, or ``-``."""
    return ", ".join(f"{c} x {n}" for n, c in sorted(row["threads"].items())) or "-"


def alternate(backend, pairs: int) -> list[float]:
    """The default path's model time per slot over today's, in ``pairs`` back-to-back pairs
    (today's replay, then the default episode); prints each and the median, returns them."""
    ratios = []
    for n in range(pairs):
        old = replayed(backend)
        new = measure(backend, PATHS[DEFAULT], **QUICK_START)
        ratios.append(new["seconds_per_slot"] / old["seconds_per_slot"])
        print(f"pair {n + 1}: today {old['seconds_per_slot']:.2f} s / slot ({old['same']} of "
              f"{old['calls']} answers recorded), default {new['seconds_per_slot']:.2f} s / slot "
              f"(ratio to WMMSE {new['ratio']:.4f}, {new['evaluated']:.0f} tokens evaluated / "
              f"decision, calls by threads {by_threads(new)}): {ratios[-1]:.3f} of today")  # fmt: skip
    print(f"median of {pairs} pairs: {statistics.median(ratios):.3f} of today's model time per "
          f"slot (min {min(ratios):.3f}, max {max(ratios):.3f})")  # fmt: skip
    return ratios


if __name__ == "__main__":
    sys.exit(main())
