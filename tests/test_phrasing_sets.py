"""The held-out phrasing sets of the intent readers (agents/data/intent_phrasings_objectives_*.yaml):
each is 64 fresh sentences, 8 in each of eight categories, none a copy of another set's, of the
readers' few-shot turns, and every expected link inside the sentence's network."""

from __future__ import annotations

from collections import Counter

import pytest
from wireless_agents.agents.intents import FEW_SHOT, PHRASINGS, load_phrasings
from wireless_agents.agents.intents.goals import OBJECTIVE_SHOTS, WEIGHT_SHOTS
from wireless_agents.demos.benchmarks.intents import SETS

# the sets of eight categories, objectives_e on, as the benchmark lists them
HELD_OUT = list(SETS)[list(SETS).index("objectives_e") :]
CATEGORIES = ("sum_rate", "max_min", "min_power", "weight", "negation", "distractor",
              "multi_link", "mixed")  # fmt: skip


@pytest.mark.parametrize("name", HELD_OUT)
def test_a_held_out_set_is_fresh_and_has_eight_of_each_category(name):
    path = PHRASINGS.with_name(f"intent_phrasings_{name}.yaml")
    rows = load_phrasings(path)
    assert Counter(r["category"] for r in rows) == dict.fromkeys(CATEGORIES, 8)
    shots = {s[0].strip().lower() for s in (*FEW_SHOT, *WEIGHT_SHOTS, *OBJECTIVE_SHOTS)}
    others = {
        r["text"].strip().lower()
        for p in PHRASINGS.parent.glob("intent_phrasings*.yaml")
        if p.name != path.name
        for r in load_phrasings(p)
    }
    texts = {r["text"].strip().lower() for r in rows}
    assert len(texts) == 64 and not texts & shots and not texts & others
    assert all(x.get("agent", 0) < r["k"] for r in rows for x in r["expect"])


def test_every_phrasing_file_is_a_set_of_the_benchmark():
    on_disk = {p.name for p in PHRASINGS.parent.glob("intent_phrasings*.yaml")}
    assert on_disk == {p.name for p in SETS.values()}
