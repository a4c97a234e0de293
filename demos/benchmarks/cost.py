"""What a decision costs the host: the quick-start episode on both decision paths, side by side.

Run ``python -m wireless_agents.demos.benchmarks.cost`` (``--agents K --steps N --seed S``,
default the quick start: K = 6, 5 slots, seed 0, the bundled model). The same episode runs twice
in one process, one after the other on the same model:

- ``two calls``: the model calls its single tool (``{"tool": "local_wmmse"}``) in a call of its
  own, then decides (``direct_tool=False``, ``wagents episode --model-calls-tool``);
- ``one call``: the agent calls the tool itself and the chat shows that call and its result, so
  the model makes only the decision (the default).

Printed per path: ratio to WMMSE, model calls, tokens (prompt + completion, as counted before),
tokens the model computed (``tokens_evaluated``: prefill after llama.cpp's prefix cache, plus
generated) per decision, and model seconds per slot (wall time of the calls on this machine: the
two paths share it, so their ratio is the figure to read), with the ratio of the two.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from wireless_agents.agents.models import DEFAULT_MODEL, load_model  # noqa: E402
from wireless_agents.planners.episode import default_settings, run_episode  # noqa: E402


def measure(backend, direct: bool, agents: int, steps: int, seed: int) -> dict:
    s = default_settings(agents=agents, steps=steps, seed=seed, direct_tool=direct)
    m = run_episode(s, backend=backend)["summary"]
    return {
        "ratio": m["ratio_to_wmmse"],
        "calls": m["llm_calls"],
        "tokens": m["llm_tokens"],
        "evaluated": m["tokens_evaluated_per_decision"],
        "seconds_per_slot": m["llm_seconds"] / steps,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=6)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    args = ap.parse_args(argv)
    backend = load_model(args.model)
    rows = {name: measure(backend, direct, args.agents, args.steps, args.seed)
            for name, direct in (("two calls", False), ("one call", True))}  # fmt: skip
    print(f"quick-start episode, d2d K={args.agents}, {args.steps} slots, seed {args.seed}, "
          f"{args.model}:")  # fmt: skip
    print("| path | ratio to WMMSE | model calls | tokens | tokens evaluated / decision "
          "| model s / slot |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['ratio']:.4f} | {r['calls']} | {r['tokens']} | "
              f"{r['evaluated']:.0f} | {r['seconds_per_slot']:.2f} |")  # fmt: skip
    old, new = rows["two calls"], rows["one call"]
    print(f"one call / two calls: model time per slot {new['seconds_per_slot'] / old['seconds_per_slot']:.2f}, "
          f"tokens evaluated per decision {new['evaluated'] / old['evaluated']:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
