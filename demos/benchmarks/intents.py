"""Intent parsing accuracy: the model reads operator sentences into planner constraints.

Run ``python -m wireless_agents.demos.benchmarks.intents`` (``--model gemma3``, ``--no-normalize``, ``--limit N``).
The measured set is ``agents/data/intent_phrasings.yaml`` (held out: none of its sentences is a
few-shot example of the prompt). An answer is correct when agent and kind are exact and the value
is within 1e-6 or 1 % relative. Printed: accuracy overall and per category, mean latency per
intent (the first call, which fills the KV cache with the prompt prefix, is reported apart),
tokens, and every miss with the model's raw answer.

``--no-normalize`` turns off the deterministic rewriting of number words and percentages
(:func:`agents.intents.normalize_text`), so the model alone reads "a quarter" or "30%".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from wireless_agents.agents.backends.base import BackendError  # noqa: E402
from wireless_agents.agents.intents import PHRASINGS, IntentError, load_phrasings, parse_intent  # noqa: E402
from wireless_agents.agents.models import DEFAULT_MODEL, ModelNotFoundError, load_model  # noqa: E402

SETS = {"tuned": PHRASINGS, "fresh": PHRASINGS.with_name("intent_phrasings_fresh.yaml")}


def matches(intent, expect: dict) -> bool:
    """Exact agent and kind, value within 1e-6 or 1 % relative."""
    v = float(expect["value"])
    return (
        intent.agent == int(expect["agent"])
        and intent.kind == expect["kind"]
        and abs(intent.value - v) <= max(1e-6, 0.01 * abs(v))
    )


def evaluate(backend, phrasings: list[dict], normalize: bool = True, narrow: bool = True) -> dict:
    """Parse every phrasing; return per-row results and totals."""
    rows = []
    for p in phrasings:
        t0 = time.perf_counter()
        try:
            it = parse_intent(p["text"], range(p["k"]), backend, normalize=normalize, narrow=narrow)
            ok, raw, tokens, seconds = matches(it, p["expect"]), it.raw, it.tokens, it.seconds
            got = it.as_constraint()
        except IntentError as exc:
            ok, raw, tokens, seconds, got = False, f"IntentError: {exc}", 0, 0.0, None
        rows.append(
            {
                **p,
                "ok": ok,
                "raw": raw,
                "got": got,
                "tokens": tokens,
                "seconds": seconds or time.perf_counter() - t0,
            }
        )
    return {"rows": rows, "correct": sum(r["ok"] for r in rows), "total": len(rows)}


def report(result: dict, label: str) -> None:
    rows = result["rows"]
    n, ok = result["total"], result["correct"]
    print(f"{label}: {ok}/{n} correct = {100.0 * ok / max(n, 1):.1f} %")
    tot, good = (
        Counter(r["category"] for r in rows),
        Counter(r["category"] for r in rows if r["ok"]),
    )
    for c in tot:
        print(f"  {c:<16} {good[c]:>3}/{tot[c]:<3} {100.0 * good[c] / tot[c]:6.1f} %")
    if rows:
        warm = rows[1:] or rows
        secs = sum(r["seconds"] for r in warm) / len(warm)
        toks = sum(r["tokens"] for r in rows) / len(rows)
        print(
            f"  latency: first call {rows[0]['seconds']:.2f} s (prompt prefix into the KV cache), "
            f"then mean {secs:.2f} s per intent; mean {toks:.0f} tokens per call "
            f"(prompt + answer, prefix cached)"
        )
    misses = [r for r in rows if not r["ok"]]
    if misses:
        print(f"  misses ({len(misses)}):")
        for r in misses:
            e = r["expect"]
            want = f"{{agent {e['agent']}, {e['kind']} {e['value']:g}}}"
            print(f"    [{r['category']}] {r['text']!r}\n      want {want}, model: {r['raw']}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"model spec ({DEFAULT_MODEL})")
    parser.add_argument(
        "--no-normalize", action="store_true", help="no number-word / percent rewriting"
    )
    parser.add_argument(
        "--no-narrow",
        action="store_true",
        help="the grammar allows any link id and any decimal (not only what the sentence names)",
    )
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="tuned",
        help="tuned: the set the prompt was designed on; fresh: written after, never tuned on",
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N phrasings")
    args = parser.parse_args(argv)
    phrasings = load_phrasings(SETS[args.set])
    if args.limit > 0:
        phrasings = phrasings[: args.limit]
    try:
        backend = load_model(args.model)
    except (ModelNotFoundError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    normalize, narrow = not args.no_normalize, not args.no_narrow
    print(
        f"{len(phrasings)} phrasings ({args.set} set), model {backend.name} ({'chat' if backend.is_chat else 'base, few-shot'}), "
        f"normalization {'on' if normalize else 'off'}, narrowed grammar {'on' if narrow else 'off'}, "
        f"{os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f}), greedy"
    )
    result = evaluate(backend, phrasings, normalize, narrow)
    on = {True: "on", False: "off"}
    report(result, f"{backend.name} normalize={on[normalize]} narrow={on[narrow]}")


if __name__ == "__main__":
    main()
