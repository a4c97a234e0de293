"""How the team's cost grows with K: simulated model time per slot, host time, prompt size.

Run ``python -m wireless_agents.demos.benchmarks.scaling`` (K = 4, 8, 16, 32, 64; the K = 64 LLM
row alone takes minutes on 2 cores) or ``--quick`` (K = 4, 8, 16). Each K is one d2d drop
(``--seed``), one slot, two rounds (negotiation), planned by the LLM team (``llm``, the bundled
model) and by its model-free twin (``tool``: the same graph, channel and tools, each agent adopts
its tool's suggestion) on the same channel. One markdown table, a row per (K, team):

``ratio``        sum-rate over WMMSE's on the same channel (``ratio_to_wmmse``)
``sim s/slot``   simulated latency of the slot's decision on the declared profiles
                 (``planners/episode/latency.py``; ``edge`` its edge-compute part: the model's
                 calls, waves and rounds), never the host's clock
``host s``       wall time of the episode on this machine (``model`` of it: the model's calls)
``prompt/dec``   prompt tokens per model decision (mean, max) and ``evaluated/dec`` the tokens
                 actually computed per decision (prefill not reused + generated)
``nbhd``         the neighbourhood the agents' tools planned on: members of the local problem
                 (mean, max over the decisions); ``peers``: the most devices one device hears
``waves``        Gauss-Seidel waves per round (colours of the hearing graph)
``kB``           bytes on the control channel

The team bounds each view (``TeamConfig.max_neighbours``) and each device's peers
(``max_peers``), so the prompt, the local problem and the waves stop growing with K, while
the host's time grows with the number of agents (their model calls run one after another here).
"""

from __future__ import annotations

import argparse
import json
import resource

import numpy as np
from wireless_agents.planners.episode import default_settings, run_episode

SIZES = (4, 8, 16, 32, 64)
QUICK = (4, 8, 16)


def row(trace: dict) -> dict:
    """The figures of one (one-slot) run's trace."""
    m = trace["summary"]
    step = trace["steps"][0]
    decs = [d for x in trace["steps"] for d in x["decisions"]]
    prompts = [int(d.get("prompt_tokens") or 0) for d in decs if d.get("raw")]
    nbhd = [
        int(c["result"]["neighbourhood"])
        for d in decs
        for c in d.get("tool_calls") or []
        if "neighbourhood" in (c.get("result") or {})
    ]
    sense = next(e for e in step["events"] if e.get("type") == "sense")
    return {
        "ratio": m["ratio_to_wmmse"],
        "sim_s": step["latency_s"],
        "sim_edge_s": step["latency"].get("edge_s"),
        "host_s": m["wall_seconds"],
        "model_s": m["llm_seconds"],
        "prompt_mean": float(np.mean(prompts)) if prompts else 0.0,
        "prompt_max": max(prompts, default=0),
        "evaluated": m["tokens_evaluated_per_decision"],
        "nbhd_mean": float(np.mean(nbhd)) if nbhd else 0.0,
        "nbhd_max": max(nbhd, default=0),
        "peers": max((len(h) for h in sense["hears"]), default=0),
        "waves": len(sense["groups"]),
        "kb": m["message_bytes"] / 1000.0,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def run(k: int, planner: str, seed: int, backend=None, **over) -> dict:
    """One d2d drop of ``k`` links, one slot, two rounds, planned by ``planner``."""
    s = default_settings(agents=k, steps=1, rounds=2, seed=seed, planner=planner, **over)
    return row(run_episode(s, backend=backend))


def fmt(k: int, team: str, r: dict) -> str:
    ev = "-" if r["evaluated"] is None else f"{r['evaluated']:.0f}"
    return (
        f"| {k} | {team} | {r['ratio']:.3f} | {r['sim_s']:.2f} ({r['sim_edge_s']:.2f}) "
        f"| {r['host_s']:.1f} ({r['model_s']:.1f}) | {r['prompt_mean']:.0f} / {r['prompt_max']} "
        f"| {ev} | {r['nbhd_mean']:.1f} / {r['nbhd_max']} | {r['peers']} | {r['waves']} "
        f"| {r['kb']:.0f} |"
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="K = 4, 8, 16")
    ap.add_argument("--sizes", default=None, help="comma-separated K (default 4,8,16,32,64)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--no-llm", action="store_true", help="only the model-free tool team")
    ap.add_argument("--jsonl", default=None, help="append each row as JSON to this file")
    args = ap.parse_args(argv)
    sizes = (
        [int(x) for x in args.sizes.split(",")] if args.sizes else QUICK if args.quick else SIZES
    )
    backend = None
    if not args.no_llm:
        from wireless_agents.agents.models import load_model

        backend = load_model(args.model)
    print(
        "| K | team | ratio | sim s/slot (edge) | host s (model) | prompt/dec mean / max "
        "| evaluated/dec | nbhd mean / max | peers | waves | kB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in sizes:
        teams = [("tool", "tool")] + ([] if args.no_llm else [("llm", "llm")])
        for team, planner in teams:
            r = run(k, planner, args.seed, backend=backend if planner == "llm" else None)
            print(fmt(k, team, r), flush=True)
            if args.jsonl:
                with open(args.jsonl, "a") as fh:
                    fh.write(json.dumps({"K": k, "team": team, "seed": args.seed, **r}) + "\n")


if __name__ == "__main__":
    main()
