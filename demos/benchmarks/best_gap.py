"""How far the teams are from the best optimizer: WMMSE, the tool team and the LLM team over ``best``.

Run ``python -m wireless_agents.demos.benchmarks.best_gap`` (``--ks 6,8,16 --seeds 5
--llm-drops N --steps 1 --rounds R``; ``--no-llm`` for the model-free part alone). Drops: d2d,
``make_env("d2d", n_agents=K, seed=s)`` for s = 0 .. seeds - 1 (the episode's first slot is that
drop), plain sum-rate, frozen timing, one slot per drop by default (the cold slot: nobody has
transmitted, the notes carry every row the team knows). Per K one table: per drop the sum-rate
of the constrained ``best`` planner (:mod:`wireless_agents.planners.best`) and the ratios to it
of WMMSE (from full power), the ``tool`` team (the LLM team's graph and tools, each agent
adopting its tool's suggestion, no model) and the ``llm`` team (the bundled model deciding),
then their means. The LLM team is slow on 2 shared cores (about 60 model calls per drop of
K = 6, 8 and 16 together): ``--llm-drops`` runs it on the first N drops only, and the mean row
says over how many (n).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from wireless_agents.planners.episode import default_settings, run_episode  # noqa: E402


def drop(planner: str, k: int, seed: int, steps: int, rounds: int | None, backend=None) -> dict:
    """The summary of one episode of ``planner`` on drop ``seed``."""
    s = default_settings(planner=planner, agents=k, seed=seed, steps=steps, rounds=rounds)
    return run_episode(s, backend=backend)["summary"]


def table(k: int, seeds: int, llm_drops: int, steps: int, rounds: int | None, backend) -> None:
    print(f"\n### d2d K = {k} ({steps} slot(s) per drop, rounds {rounds or 'default'})\n")
    print("| drop | best (bit/s/Hz) | WMMSE/best | tool team/best | llm team/best |")
    print("|---|---|---|---|---|")
    cols: dict[str, list] = {"wmmse": [], "tool": [], "llm": []}
    for seed in range(seeds):
        t = drop("tool", k, seed, steps, rounds)
        wmmse = t["wmmse_mean_sum_rate"] / t["best_mean_sum_rate"]
        cols["wmmse"].append(wmmse)
        cols["tool"].append(t["ratio_to_best"])
        llm = None
        if backend is not None and seed < llm_drops:
            llm = drop("llm", k, seed, steps, rounds, backend)["ratio_to_best"]
            cols["llm"].append(llm)
        cell = "-" if llm is None else f"{llm:.3f}"
        print(f"| {seed} | {t['best_mean_sum_rate']:.2f} | {wmmse:.3f} "
              f"| {t['ratio_to_best']:.3f} | {cell} |", flush=True)  # fmt: skip

    def mean(key):
        v = cols[key]
        return f"{np.mean(v):.3f} (n={len(v)})" if v else "-"

    print(f"| mean | | {mean('wmmse')} | {mean('tool')} | {mean('llm')} |", flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ks", default="6,8,16", help="team sizes (default 6,8,16)")
    ap.add_argument("--seeds", type=int, default=5, help="drops per K (default 5: seeds 0-4)")
    ap.add_argument("--llm-drops", type=int, default=5, help="drops the LLM team runs on")
    ap.add_argument("--steps", type=int, default=1, help="slots per drop (default 1)")
    ap.add_argument("--rounds", type=int, default=None, help="negotiation rounds (default 2)")
    ap.add_argument("--no-llm", action="store_true", help="WMMSE and the tool team only")
    args = ap.parse_args(argv)
    backend = None
    if not args.no_llm and args.llm_drops > 0:
        from wireless_agents.agents.models import DEFAULT_MODEL, load_model

        backend = load_model(DEFAULT_MODEL)
    for k in (int(x) for x in args.ks.split(",")):
        table(k, args.seeds, args.llm_drops, args.steps, args.rounds, backend)


if __name__ == "__main__":
    main()
