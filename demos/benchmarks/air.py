"""What a decision costs the air: the plain and the compact encoding of the notes, side by side.

Run ``python -m wireless_agents.demos.benchmarks.air`` (about two minutes on 2 cores, no model:
the ``tool`` team sends the same notes as the ``llm`` team) or with ``--seeds 2`` (quicker).
For d2d K = 8 (5 slots) and K = 16 (3 slots), base message loss 0.0 and 0.3, and the seeds
0..N-1, one markdown table: per encoding (``plain``: every note in full, nothing re-requested,
the encoding before; ``compact``: dB codes, only what changed since the receiver last heard it,
lost notes re-requested, see ``planners/coordination/air.py``) the mean bytes on the control
channel per episode, the compact's share of the plain's bytes, the mean ratio to WMMSE over the
seeds (with its range: one drop's ratio moves a lot with small changes of the notes, since the
team's multi-start local plans switch links on and off), that mean over the plain's on the same
loss and over the same encoding's without loss, the re-requests (per episode) and the
[sender, receiver] pairs whose note stayed lost in a wave.
"""

from __future__ import annotations

import argparse

from wireless_agents.planners.episode import default_settings, run_episode

CASES = ((8, 5), (16, 3))  # (K, slots)
LOSSES = (0.0, 0.3)
ENCODINGS = ("plain", "compact")


def measure(agents: int, steps: int, loss: float, air: str, seeds: int) -> dict:
    """Means over the seeds of one configuration: bytes, ratio to WMMSE (and its range),
    re-requests, pairs whose note stayed lost."""
    rows = []
    for seed in range(seeds):
        s = default_settings(planner="tool", agents=agents, steps=steps, loss=loss, seed=seed,
                             air=air)  # fmt: skip
        t = run_episode(s)
        m = t["summary"]
        lost = sum(len(e["lost_links"]) for x in t["steps"] for e in x["events"]
                   if e["type"] == "deliver")  # fmt: skip
        rows.append((m["message_bytes"], m["ratio_to_wmmse"], m.get("rerequests", 0), lost))
    n = len(rows)
    ratios = [r[1] for r in rows]
    return {
        "bytes": sum(r[0] for r in rows) / n,
        "ratio": sum(ratios) / n,
        "lo": min(ratios),
        "hi": max(ratios),
        "rerequests": sum(r[2] for r in rows) / n,
        "lost": sum(r[3] for r in rows) / n,
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 per row (default 10)")
    args = ap.parse_args(argv)
    print(f"tool team, d2d, seeds 0..{args.seeds - 1}; bytes and ratios are means over the seeds")
    print("\n| K (slots) | loss | encoding | bytes | bytes vs plain | ratio to WMMSE (range) "
          "| ratio vs plain | ratio vs loss 0 | re-requests | pairs still lost |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k, steps in CASES:
        base = {}
        for loss in LOSSES:
            m = {a: measure(k, steps, loss, a, args.seeds) for a in ENCODINGS}
            base = base or m
            for a in ENCODINGS:
                r = m[a]
                print(
                    f"| {k} ({steps}) | {loss:.1f} | {a} | {r['bytes']:,.0f} "
                    f"| {r['bytes'] / m['plain']['bytes']:.1%} "
                    f"| {r['ratio']:.3f} ({r['lo']:.3f}-{r['hi']:.3f}) "
                    f"| {r['ratio'] / m['plain']['ratio']:.3f} "
                    f"| {r['ratio'] / base[a]['ratio']:.3f} | {r['rerequests']:.0f} "
                    f"| {r['lost']:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
