"""Tool-only replay of the team's negotiation: why the LLM team scales worse beyond K = 6.

With tools on, the agents mostly copy their ``best_response`` tool (interference-pricing best
response). This replays exactly that, without a model: the same views (``decide_input``), the same
hearing graph and Gauss-Seidel waves, the same notes, the committed powers stepping the env.
Prints the mean over seeds of the per-slot sum-rate ratio to WMMSE, for K, rounds and neighbour
counts. Run ``python -m demos.benchmarks.pricing_replay`` (seconds, no model).
"""

from __future__ import annotations

import argparse

import numpy as np

from environment import make_env
from environment.metrics import rates
from planners import solve
from planners.coordination import TeamConfig, colour_groups, listeners
from planners.coordination.state import view_from_dict
from planners.coordination.team import decide_input
from tools.functions import best_response, outgoing_note


def replay(k: int, seed: int, rounds: int, slots: int, n_interferers: int | None) -> list[float]:
    """Per-slot sum-rate ratio to WMMSE of the pricing negotiation on one d2d drop."""
    env = make_env("d2d", n_agents=k, seed=seed, n_interferers=n_interferers)
    obs, infos = env.reset(seed=seed)
    out = []
    for slot in range(slots):
        ctx = {"obs": obs, "infos": infos, "slot": slot}
        inp = decide_input(env.gains, env.p_max, env.noise, None, ctx, TeamConfig())
        views = inp["views"]
        hears = listeners(inp["neighbours"])
        p = [float(v["last_power"]) for v in views]
        notes = {}
        for _ in range(rounds):
            for group in colour_groups(hears):
                new = {}
                for i in group:
                    v = view_from_dict(views[i], [notes[j] for j in hears[i] if j in notes], p[i])
                    p[i] = best_response(v)["suggested_power"] * env.p_max
                    new[i] = outgoing_note(v, p[i])
                notes.update(new)
        w = solve(env.gains, env.p_max, env.noise, algo="wmmse")
        ours = rates(env.gains, np.array(p), env.noise).sum()
        out.append(float(ours / rates(env.gains, w, env.noise).sum()))
        obs, _, _, _, infos = env.step(env.actions_from_powers(np.array(p)))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--slots", type=int, default=3)
    args = ap.parse_args(argv)
    print(
        "| K | neighbours | rounds | " + " | ".join(f"slot {s}" for s in range(args.slots)) + " |"
    )
    print("|---" * (3 + args.slots) + "|")
    for k, nb, rounds in [(4, None, 2), (6, None, 2), (8, None, 2), (8, None, 4), (8, None, 8),
                          (16, None, 2), (16, None, 4), (16, None, 8), (16, 10, 4),
                          (16, 10, 8)]:  # fmt: skip
        res = np.mean([replay(k, s, rounds, args.slots, nb) for s in range(args.seeds)], axis=0)
        shown = nb if nb is not None else min(5, k - 1)
        print(f"| {k} | {shown} | {rounds} | " + " | ".join(f"{x:.3f}" for x in res) + " |")


if __name__ == "__main__":
    main()
