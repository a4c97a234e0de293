"""Intent reading accuracy: the model and the model-free rules read the same operator sentences.

Run ``python -m wireless_agents.demos.benchmarks.intents`` (``--set default|fresh|hard|
objectives|objectives_b|objectives_c|objectives_d|objectives_e|objectives_f|objectives_g|objectives_h|objectives_i|objectives_j``, all thirteen by default; ``--model gemma3``,
``--no-normalize``, ``--no-narrow``, ``--limit N``, ``--rules-only``). The sets are
``agents/data/intent_phrasings*.yaml``: ``default`` (the set the prompt was designed on),
``fresh`` (written after it), ``hard`` (distractor numbers, several links per sentence,
negations, weights and objectives; written and committed before the readers
were extended to it), ``objectives`` (objective and weight sentences in many wordings, with
floors, caps, distractor numbers and negations; written and committed before either reader was
run on it; the readers' objective cues were widened after its first measurement) and
``objectives_b`` (a second such set, written after that change and before either reader was run
on it: the held-out figure of the changed readers; tuned on after that measurement) and
``objectives_c`` (a third such set with constraints, negations and several links per sentence,
written and committed before the readers were tuned on ``objectives_b`` and measured once after
that tuning: the held-out figure of those readers; tuned on after it) and ``objectives_d`` (a
fourth such set, 8 sentences in each of 8 categories, written and committed before the readers
were tuned on ``objectives_c``: the held-out figure of those readers; tuned on after it) and
``objectives_e`` (a fifth such set, 8 sentences in each of the same 8 categories, written and
committed before the readers were tuned on ``objectives_d``: the held-out figure of those
readers; tuned on after it) and ``objectives_f`` (a sixth such set, 8 sentences in each of the
same 8 categories, written and committed before the readers were tuned on ``objectives_e``: the
held-out figure of those readers; tuned on after it) and ``objectives_g`` (a seventh such set, 8
sentences in each of the same 8 categories, written and committed before the readers were tuned
on ``objectives_f``: the held-out figure of those readers; tuned on after it) and ``objectives_h``
(an eighth such set, 8 sentences in each of the same 8 categories, written and committed before
the readers were tuned on ``objectives_g``: the held-out figure of those readers) and ``objectives_i``
(a ninth such set, 8 sentences in each of the same 8 categories, written by an independent author who
saw neither the readers nor any earlier set, committed before either reader ran on it: the first
independent held-out figure) and ``objectives_j`` (a tenth such set, 8 sentences in each of the
same 8 categories, written by a second independent author who saw neither the readers nor any
earlier set, committed before either reader ran on it). None of their sentences is a few-shot
example of a prompt.

Both readers return everything a sentence states (:func:`agents.intents.parse_intents`, the
model; :func:`agents.intents.read_intents_by_rules`, no model); a sentence is correct when the
readings are exactly its ``expect`` list (one entry for the older sets), in any order: agent and
kind exact, a value within 1e-6 or 1 % relative, an objective by name. Printed: one table with
both accuracies per set, per-category and per-kind breakdowns of the hard and all objectives
sets (a kind's figure counts the expected entries found), the model's latency and tokens (by
set), and every miss.

``--no-normalize`` turns off the deterministic rewriting of number words and percentages
(:func:`agents.intents.normalize_text`) for the model, ``--no-narrow`` the narrowing of its
grammar to what the sentence names.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from wireless_agents.agents.backends.base import BackendError  # noqa: E402
from wireless_agents.agents.intents import (  # noqa: E402
    PHRASINGS,
    IntentError,
    load_phrasings,
    parse_intents,
    read_intents_by_rules,
)
from wireless_agents.agents.models import DEFAULT_MODEL, ModelNotFoundError, load_model  # noqa: E402

SETS = {
    "default": PHRASINGS,
    "fresh": PHRASINGS.with_name("intent_phrasings_fresh.yaml"),
    "hard": PHRASINGS.with_name("intent_phrasings_hard.yaml"),
    "objectives": PHRASINGS.with_name("intent_phrasings_objectives.yaml"),
    "objectives_b": PHRASINGS.with_name("intent_phrasings_objectives_b.yaml"),
    "objectives_c": PHRASINGS.with_name("intent_phrasings_objectives_c.yaml"),
    "objectives_d": PHRASINGS.with_name("intent_phrasings_objectives_d.yaml"),
    "objectives_e": PHRASINGS.with_name("intent_phrasings_objectives_e.yaml"),
    "objectives_f": PHRASINGS.with_name("intent_phrasings_objectives_f.yaml"),
    "objectives_g": PHRASINGS.with_name("intent_phrasings_objectives_g.yaml"),
    "objectives_h": PHRASINGS.with_name("intent_phrasings_objectives_h.yaml"),
    "objectives_i": PHRASINGS.with_name("intent_phrasings_objectives_i.yaml"),
    "objectives_j": PHRASINGS.with_name("intent_phrasings_objectives_j.yaml"),
}
ALIASES = {"tuned": "default"}  # the default set's former name


def expected(p: dict) -> list[dict]:
    """A phrasing's expect as a list (the older sets give one dict)."""
    return p["expect"] if isinstance(p["expect"], list) else [p["expect"]]


def entry_matches(got: dict, want: dict) -> bool:
    """One reading against one expected entry (``as_constraint()`` form against
    ``{agent, kind, value}``)."""
    if want["kind"] == "objective":
        return got.get("objective") == want["value"]
    if want["kind"] not in got or got.get("agent") != int(want["agent"]):
        return False
    v = float(want["value"])
    return abs(float(got[want["kind"]]) - v) <= max(1e-6, 0.01 * abs(v))


def found(got: list[dict], wants: list[dict]) -> list[bool]:
    """For each expected entry, whether a reading matches it (each reading used once)."""
    free = list(got)
    out = []
    for w in wants:
        hit = next((g for g in free if entry_matches(g, w)), None)
        if hit is not None:
            free.remove(hit)
        out.append(hit is not None)
    return out


def matches(intents, wants: list[dict]) -> bool:
    """Exactly the expected readings: every entry found and nothing else read."""
    got = [it.as_constraint() for it in intents]
    return len(got) == len(wants) and all(found(got, wants))


def read_with(reader: str, backend, normalize: bool, narrow: bool):
    """``text, k -> list[Intent]`` of the named reader."""
    if reader == "rules":
        return lambda text, k: read_intents_by_rules(text, range(k))
    return lambda text, k: parse_intents(
        text, range(k), backend, normalize=normalize, narrow=narrow
    )


def evaluate(read, phrasings: list[dict]) -> dict:
    """Read every phrasing; per-row results and totals."""
    rows = []
    for p in phrasings:
        wants = expected(p)
        t0 = time.perf_counter()
        try:
            intents = read(p["text"], p["k"])
            got = [it.as_constraint() for it in intents]
            ok = matches(intents, wants)
            raw = " | ".join(it.raw for it in intents) or "(nothing read)"
            tokens = sum(it.tokens for it in intents)
        except IntentError as exc:
            got, ok, raw, tokens = [], False, f"IntentError: {exc}", 0
        rows.append(
            {**p, "ok": ok, "got": got, "raw": raw, "tokens": tokens,
             "found": found(got, wants), "seconds": time.perf_counter() - t0}
        )  # fmt: skip
    return {"rows": rows, "correct": sum(r["ok"] for r in rows), "total": len(rows)}


def pct(ok: int, n: int) -> str:
    return f"{100.0 * ok / max(n, 1):5.1f}% ({ok}/{n})"


def breakdown(results: dict, by: str) -> None:
    """Per category (``by="category"``, sentences) or per kind (expected entries found)."""
    readers = list(results)
    tot, good = Counter(), {r: Counter() for r in readers}
    for r in readers:
        for row in results[r]["rows"]:
            if by == "category":
                good[r][row["category"]] += row["ok"]
                if r == readers[0]:
                    tot[row["category"]] += 1
            else:
                for want, hit in zip(expected(row), row["found"], strict=True):
                    good[r][want["kind"]] += hit
                    if r == readers[0]:
                        tot[want["kind"]] += 1
    print(f"| {by} | " + " | ".join(readers) + " |")
    print("|---|" + "---|" * len(readers))
    for c in tot:
        print(f"| {c} | " + " | ".join(pct(good[r][c], tot[c]) for r in readers) + " |")


def misses(result: dict, label: str) -> None:
    rows = [r for r in result["rows"] if not r["ok"]]
    if rows:
        print(f"  {label} misses ({len(rows)}):")
    for r in rows:
        print(
            f"    [{r['category']}] {r['text']!r}\n      want {expected(r)}\n      got  {r['got']}"
        )
        if r["raw"] != "rules":
            print(f"      raw  {r['raw']}")


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
        choices=[*SETS, *ALIASES],
        action="append",
        help="a phrasing set (repeatable; all thirteen by default)",
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N phrasings")
    parser.add_argument("--rules-only", action="store_true", help="no model: the rules alone")
    args = parser.parse_args(argv)
    names = [ALIASES.get(s, s) for s in args.set or SETS]
    readers = ["rules"] if args.rules_only else ["model", "rules"]
    backend = None
    if not args.rules_only:
        try:
            backend = load_model(args.model)
        except (ModelNotFoundError, BackendError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    normalize, narrow = not args.no_normalize, not args.no_narrow
    on = {True: "on", False: "off"}
    model = (
        f"{backend.name} ({'chat' if backend.is_chat else 'base, few-shot'})" if backend else "-"
    )
    print(
        f"model {model}, normalization {on[normalize]}, narrowed grammar {on[narrow]}, greedy; "
        f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f})"
    )
    results = {}
    for name in names:
        phrasings = load_phrasings(SETS[name])
        if args.limit > 0:
            phrasings = phrasings[: args.limit]
        results[name] = {
            r: evaluate(read_with(r, backend, normalize, narrow), phrasings) for r in readers
        }
    print()
    print("| phrasing set | sentences | " + " | ".join(readers) + " |")
    print("|---|---|" + "---|" * len(readers))
    for name, res in results.items():
        n = res[readers[0]]["total"]
        cells = " | ".join(pct(res[r]["correct"], res[r]["total"]) for r in readers)
        print(f"| {name} (`{SETS[name].name}`) | {n} | {cells} |")
    for name in (
        "hard",
        "objectives",
        "objectives_b",
        "objectives_c",
        "objectives_d",
        "objectives_e",
        "objectives_f",
        "objectives_g",
        "objectives_h",
        "objectives_i",
        "objectives_j",
    ):
        if name in results:
            print(f"\n{name} set, per category (sentences read exactly):\n")
            breakdown(results[name], "category")
            print(f"\n{name} set, per kind (expected readings found):\n")
            breakdown(results[name], "kind")
    if "model" in readers:
        rows = [row for res in results.values() for row in res["model"]["rows"]]
        warm = rows[1:] or rows
        print(
            f"\nmodel: first sentence {rows[0]['seconds']:.2f} s (prompt prefix into the KV "
            f"cache), then mean {sum(r['seconds'] for r in warm) / len(warm):.2f} s and "
            f"{sum(r['tokens'] for r in rows) / len(rows):.0f} tokens per sentence; rules: 0 tokens"
        )
        per_set = ", ".join(
            f"{name} {sum(r['tokens'] for r in rs) / max(len(rs), 1):.0f}"
            for name, res in results.items()
            for rs in [res["model"]["rows"]]
        )
        print(f"model tokens per sentence by set: {per_set}")
    for name, res in results.items():
        print(f"\n{name}:")
        for r in readers:
            misses(res[r], r)


if __name__ == "__main__":
    main()
