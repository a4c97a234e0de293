"""Classes of reading the readers missed on objectives_f (held out then, a tuning set since), and
the freshness of objectives_g (the held-out set of the readers tuned on _f). None of the class
sentences is in a phrasing set."""

from __future__ import annotations

import pytest
from wireless_agents.agents.intents import IntentError, parse_intents
from wireless_agents.agents.intents import read_intents_by_rules as rules

OBJ = "objective"
CASES = [
    # morphology: a cue word in any of its forms (transmitting, capped, maximisation)
    ("Node 3 must not be transmitting during the drill", 4, {("max_power_frac", 3, 0.0)}),
    ("User 1 should never be transmitted on while the audit runs", 2, {("max_power_frac", 1, 0.0)}),
    ("Rate maximization for the whole cell, please", 4, {(OBJ, None, "sum_rate")}),
    ("Do a maximisation of the minimum rate over all nodes", 4, {(OBJ, None, "max_min")}),
    ("Minimum-rate maximizing across the handsets", 3, {(OBJ, None, "max_min")}),
    # scope: a removal reaching its object across a few words
    ("Station 1 no longer requires its old power cap", 3, {("max_power_frac", 1, 1.0)}),
    ("The cap on radio 2 can go now", 3, {("max_power_frac", 2, 1.0)}),
    ("The minimum rate for node 3 may be dropped", 4, {("min_rate", 3, 0.0)}),
    ("The guarantee of 0.5 bit/s/Hz for node 1 is no longer needed", 2, {("min_rate", 1, 0.0)}),
    # a weight as a verb with a multiplier, the link between them
    ("Count user 3's packets triple", 4, {("weight", 3, 3.0)}),
    ("Weigh device 0's traffic double", 2, {("weight", 0, 2.0)}),
    # goal words: goodput, cell-wide / system-wide capacity, rates kept even beside counts
    ("Highest goodput overall is the aim", 4, {(OBJ, None, "sum_rate")}),
    ("Optimise the system-wide capacity of the 6 radios", 6, {(OBJ, None, "sum_rate")}),
    ("With 5 sensors per node, keep the rates as level as possible", 4, {(OBJ, None, "max_min")}),
]


@pytest.mark.parametrize("text, k, want", CASES)
def test_rules_read_the_classes_objectives_f_missed(text, k, want, intent_keys):
    got = rules(text, range(k))
    assert intent_keys(got) == want and len(got) == len(want)


@pytest.mark.parametrize("reader", ["rules", "model"])
def test_an_ordinal_before_any_link_noun_is_refused(reader, model):
    """The ambiguous-ordinal check uses the link nouns of nouns.py ("the third station")."""
    text = "Give the second station 0.4 bit/s/Hz"
    with pytest.raises(IntentError, match="ordinal"):
        rules(text, range(4)) if reader == "rules" else parse_intents(text, range(4), model)


# the model reader routes by the same cues: one short case per class it missed
MODEL_CASES = [CASES[0], CASES[3], CASES[5], CASES[6], CASES[9]]


@pytest.mark.parametrize("text, k, want", MODEL_CASES)
def test_model_reads_the_classes_objectives_f_missed(model, text, k, want, intent_keys):
    got = parse_intents(text, range(k), model)
    assert intent_keys(got) == want and len(got) == len(want), text
