"""Classes of reading the readers missed on objectives_e (held out then, a tuning set since):
link nouns the readers lacked ("pair 6", "stations 0, 2 & 4"), a heading that names the kind of
the statements after its colon ("Weights: ..."), weights as fractions of the usual weight ("a
third of the normal weight"), a cap taken away in other words ("lifted", "uncapped", "without
any limit"), "one" after an adjective ("a fast one") that is no number, resources shared out
evenly, and goal words no cue had ("cumulative", "global", "lowest output"). None of these
sentences is in a phrasing set."""

from __future__ import annotations

import pytest
from wireless_agents.agents.intents import normalize_text, parse_intents
from wireless_agents.agents.intents import read_intents_by_rules as rules

OBJ = "objective"
CASES = [
    # link nouns: pair, station, terminal, client, endpoint, handset...
    ("Station 3 needs at least 0.9 bit/s/Hz", 4, {("min_rate", 3, 0.9)}),
    (
        "Terminals 0, 2 & 4 each need 0.5 bit/s/Hz",
        5,
        {("min_rate", 0, 0.5), ("min_rate", 2, 0.5), ("min_rate", 4, 0.5)},
    ),
    ("Client 1 streams the keynote, so its weight is four", 3, {("weight", 1, 4.0)}),
    ("Mute endpoint 2 and handset 0", 3, {("max_power_frac", 2, 0.0), ("max_power_frac", 0, 0.0)}),
    # a heading names the kind of the statements after its colon
    ("Priorities: node 1 gets 2, node 3 gets 0.5", 4, {("weight", 1, 2.0), ("weight", 3, 0.5)}),
    ("Minimum rates: user 0 1.2, user 2 0.4", 3, {("min_rate", 0, 1.2), ("min_rate", 2, 0.4)}),
    (
        "Power caps: radio 1 at 0.3, radio 2 at 0.6",
        3,
        {("max_power_frac", 1, 0.3), ("max_power_frac", 2, 0.6)},
    ),
    # a cap taken away in other words
    ("The cap on node 1 has been lifted", 3, {("max_power_frac", 1, 1.0)}),
    ("Let device 2 transmit uncapped from now on", 3, {("max_power_frac", 2, 1.0)}),
    ("Radio 0 may run without any power limit", 2, {("max_power_frac", 0, 1.0)}),
    ("There is no power ceiling for user 1 anymore", 2, {("max_power_frac", 1, 1.0)}),
    # "one" after an adjective is a pronoun, not a number
    ("A steady link beats a fast one; keep them all alike", 3, {(OBJ, None, "max_min")}),
    ("Nobody wants a slow link next to a quick one", 4, {(OBJ, None, "max_min")}),
    # resources shared out evenly
    ("Divide the spectrum evenly across the 5 radios", 5, {(OBJ, None, "max_min")}),
    ("Allocate airtime uniformly among 8 clients", 8, {(OBJ, None, "max_min")}),
    # goal words no cue had
    ("Go for the best cumulative throughput of all 4 links", 4, {(OBJ, None, "sum_rate")}),
    ("Give us the largest global rate the 6 radios can hold", 6, {(OBJ, None, "sum_rate")}),
    ("Run the 4 radios at the lowest output that meets the floors", 4, {(OBJ, None, "min_power")}),
]


@pytest.mark.parametrize("text, k, want", CASES)
def test_rules_read_the_classes_objectives_e_missed(text, k, want, intent_keys):
    got = rules(text, range(k))
    assert intent_keys(got) == want and len(got) == len(want)


def test_one_after_an_adjective_is_no_number():
    assert normalize_text("a fast one") == "a fast one"
    assert normalize_text("the weakest one is link 2") == "the weakest one is link 2"
    assert normalize_text("at least one bit/s/Hz") == "at least 1 bit/s/Hz"
    assert normalize_text("a mere one bit/s/Hz") == "a mere 1 bit/s/Hz"
    assert normalize_text("link one and link two") == "link 1 and link 2"


# what the model missed of these classes: a link noun, a cap lifted, "one" after an adjective,
# and a weight as a fraction of the usual one (the rules read those; the model was forced to 1)
MODEL_CASES = [
    CASES[2],  # "client 1"
    CASES[7],  # "the cap on node 1 has been lifted"
    CASES[12],  # "next to a quick one"
    ("Device 1 is bulk sync: a third of the normal weight", 3, {("weight", 1, 0.3333)}),
    ("Count radio 2 at two thirds of the default priority", 3, {("weight", 2, 0.6667)}),
]


@pytest.mark.parametrize("text, k, want", MODEL_CASES)
def test_model_reads_the_classes_objectives_e_missed(model, text, k, want, intent_keys):
    got = parse_intents(text, range(k), model)
    assert intent_keys(got) == want and len(got) == len(want), text
