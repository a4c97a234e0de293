"""Classes of reading the readers missed on objectives_g (held out then, a tuning set since), and
the freshness of objectives_h (the held-out set of the readers tuned on _g). None of the class
sentences is in a phrasing set."""

from __future__ import annotations


def test_objectives_h_is_a_fresh_set_of_eight_categories():
    from collections import Counter

    from wireless_agents.agents.intents import FEW_SHOT, PHRASINGS, load_phrasings
    from wireless_agents.agents.intents.goals import OBJECTIVE_SHOTS, WEIGHT_SHOTS

    h = load_phrasings(PHRASINGS.with_name("intent_phrasings_objectives_h.yaml"))
    categories = ("sum_rate", "max_min", "min_power", "weight", "negation", "distractor")
    assert Counter(r["category"] for r in h) == dict.fromkeys(
        (*categories, "multi_link", "mixed"), 8
    )
    shots = {s[0].strip().lower() for s in (*FEW_SHOT, *WEIGHT_SHOTS, *OBJECTIVE_SHOTS)}
    others = {
        r["text"].strip().lower()
        for p in PHRASINGS.parent.glob("intent_phrasings*.yaml")
        if p.name != "intent_phrasings_objectives_h.yaml"
        for r in load_phrasings(p)
    }
    texts = {r["text"].strip().lower() for r in h}
    assert len(texts) == 64 and not texts & shots and not texts & others
    assert all(x.get("agent", 0) < r["k"] for r in h for x in r["expect"])
