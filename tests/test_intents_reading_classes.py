"""Classes of reading the readers missed on objectives_c (held out then, a tuning set since):
goals with no cue, negations glued to their verb ("doesn't", "mustn't"), a floor or cap taken
away in other words, "neither ... nor", a link named only as a comparison, a goal joined to a
link's weight by "where", and a bare goal sentence beside a link's statement. None of these
sentences is in a phrasing set."""

from __future__ import annotations

import pytest
from wireless_agents.agents.intents import parse_intents
from wireless_agents.agents.intents import read_intents_by_rules as rules
from wireless_agents.agents.intents.rules import goal_sentence

OBJ = "objective"
CASES = [
    # a total goal in spectral efficiency; the bottom of the rates; rates kept level; energy as
    # what is sent
    ("Go for the highest total spectral efficiency you can", 4, {(OBJ, None, "sum_rate")}),
    ("Push the bottom rate up as far as possible", 4, {(OBJ, None, "max_min")}),
    ("Run the access points as quietly as the targets allow", 4, {(OBJ, None, "min_power")}),
    ("Reduce what the radios transmit wherever you can", 4, {(OBJ, None, "min_power")}),
    # "n't" is a negation: the goal said not to matter is not the one read
    ("Push the total throughput; fairness doesn't matter", 4, {(OBJ, None, "sum_rate")}),
    ("Don't chase the total throughput; keep every user's rate level", 4, {(OBJ, None, "max_min")}),
    ("Radio 2 mustn't transmit during the test", 3, {("max_power_frac", 2, 0.0)}),
    # a cap or a floor taken away in other words
    ("No need to limit radio 1 any longer", 3, {("max_power_frac", 1, 1.0)}),
    ("Transmitter 0 doesn't have to be capped now", 2, {("max_power_frac", 0, 1.0)}),
    (
        "Be fair to everyone; radio 2 needs no rate floor now",
        3,
        {(OBJ, None, "max_min"), ("min_rate", 2, 0.0)},
    ),
    # neither ... nor: both links
    (
        "Neither radio 0 nor radio 3 should transmit today",
        4,
        {("max_power_frac", 0, 0.0), ("max_power_frac", 3, 0.0)},
    ),
    # a link named only as a comparison states nothing
    (
        "Radio 1 fades 6 dB more than radio 2, so it needs 0.9 bit/s/Hz",
        3,
        {("min_rate", 1, 0.9)},
    ),
    # the goal and a link's weight joined by "where"
    (
        "Maximise a weighted total where user 1 has weight 2",
        3,
        {(OBJ, None, "weighted_sum_rate"), ("weight", 1, 2.0)},
    ),
    # a bare goal sentence beside a link's statement
    (
        "Keep everyone even. Link 0 needs at least 1 bit/s/Hz.",
        2,
        {(OBJ, None, "max_min"), ("min_rate", 0, 1.0)},
    ),
]


@pytest.mark.parametrize("text, k, want", CASES)
def test_rules_read_the_classes_objectives_c_missed(text, k, want, intent_keys):
    got = rules(text, range(k))
    assert intent_keys(got) == want and len(got) == len(want)


def test_a_goal_sentence_names_no_link_no_number_and_states_nothing():
    assert goal_sentence("Keep everyone even. Link 0 needs at least 1 bit/s/Hz.") == (
        "Keep everyone even",
        ["max_min"],
    )
    assert goal_sentence("Link 0 serves a payment terminal; it cannot fall below 1.5") is None
    assert goal_sentence("Keep it quiet; link 0 carries video") is None  # silence states


@pytest.mark.parametrize(
    "index",
    [7, 10, 13],  # no need to limit, neither ... nor, a goal sentence beside a floor
)
def test_model_reads_the_classes_objectives_c_missed(model, index, intent_keys):
    text, k, want = CASES[index]
    got = parse_intents(text, range(k), model)
    assert intent_keys(got) == want and len(got) == len(want), text


def test_objectives_d_is_a_fresh_set_of_eight_categories():
    from collections import Counter

    from wireless_agents.agents.intents import FEW_SHOT, PHRASINGS, load_phrasings
    from wireless_agents.agents.intents.goals import OBJECTIVE_SHOTS, WEIGHT_SHOTS

    d = load_phrasings(PHRASINGS.with_name("intent_phrasings_objectives_d.yaml"))
    assert Counter(r["category"] for r in d) == dict.fromkeys(
        (
            "sum_rate",
            "max_min",
            "min_power",
            "weight",
            "negation",
            "distractor",
            "multi_link",
            "mixed",
        ),
        8,
    )
    shots = {s[0].strip().lower() for s in (*FEW_SHOT, *WEIGHT_SHOTS, *OBJECTIVE_SHOTS)}
    others = {
        r["text"].strip().lower()
        for p in PHRASINGS.parent.glob("intent_phrasings*.yaml")
        if p.name != "intent_phrasings_objectives_d.yaml"
        for r in load_phrasings(p)
    }
    texts = {r["text"].strip().lower() for r in d}
    assert len(texts) == 64 and not texts & shots and not texts & others
    assert all(e.get("agent", 0) < r["k"] for r in d for e in r["expect"])
