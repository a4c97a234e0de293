"""Classes of reading the readers missed on objectives_g (held out then, a tuning set since), and
the freshness of objectives_h (the held-out set of the readers tuned on _g). None of the class
sentences is in a phrasing set."""

from __future__ import annotations

import pytest
from wireless_agents.agents.intents import parse_intents
from wireless_agents.agents.intents import read_intents_by_rules as rules

OBJ = "objective"
MPF, FLOOR, W = "max_power_frac", "min_rate", "weight"
CASES = [
    # a floor in other words (guarantee, SLA, throughput guarantee) taken away
    ("Node 2 does not need its throughput guarantee any more", 4, {(FLOOR, 2, 0.0)}),
    # a removal said in the past tense is still a removal
    ("The cap that was placed on radio 1 can be lifted", 3, {(MPF, 1, 1.0)}),
    ("The floor we set for user 3 last week is now scrapped", 4, {(FLOOR, 3, 0.0)}),
    # a goal not wanted, by any verb of aiming (aim for, target, go for, chase, be after)
    (
        "Do not aim for the highest aggregate throughput; device 1 needs at least 0.4 bit/s/Hz",
        3,
        {(FLOOR, 1, 0.4)},
    ),
    ("We are no longer targeting total capacity", 4, set()),
    # silence by any verb of sending (emit, broadcast, radiate), going dark, being barred
    ("Transmitter 2 must not emit during the test", 4, {(MPF, 2, 0.0)}),
    ("Radio 0 may not broadcast at all", 2, {(MPF, 0, 0.0)}),
    ("Handset 3 should go dark", 4, {(MPF, 3, 0.0)}),
    ("Node 1 is barred from radiating", 3, {(MPF, 1, 0.0)}),
    # a contrast keeps the kind of the statement before it
    ("Cap node 2 at 60% power but node 3 can have 0.9", 4, {(MPF, 2, 0.6), (MPF, 3, 0.9)}),
    # ranges of links
    ("Users 0 through 2 must stay silent", 4, {(MPF, 0, 0.0), (MPF, 1, 0.0), (MPF, 2, 0.0)}),
    (
        "Nodes 1-3 need at least 0.2 bit/s/Hz",
        5,
        {(FLOOR, 1, 0.2), (FLOOR, 2, 0.2), (FLOOR, 3, 0.2)},
    ),
    ("Cap radios 2 to 4 at half power", 5, {(MPF, 2, 0.5), (MPF, 3, 0.5), (MPF, 4, 0.5)}),
    # pairings: a value "for" a link is no link id; "or" of a bound does not cut the piece
    ("Priorities 3 for user 1 and 2 for user 2", 4, {(W, 1, 3.0), (W, 2, 2.0)}),
    ("For users 0 and 2, hold power at or below 0.25", 3, {(MPF, 0, 0.25), (MPF, 2, 0.25)}),
    # weights in other words: a multiplier, prioritised by a factor
    ("Give station 2 a multiplier of 3", 4, {(W, 2, 3.0)}),
    ("Handset 1 should be prioritised by a factor of 2", 3, {(W, 1, 2.0)}),
    # goal words of a thesaurus pass, and weights after a goal cut off by "with weights"
    ("Optimise the minimum throughput over the terminals", 4, {(OBJ, None, "max_min")}),
    ("Look after the stragglers first", 4, {(OBJ, None, "max_min")}),
    ("Eco mode for the whole fleet", 4, {(OBJ, None, "min_power")}),
    (
        "Total throughput with weights 3 for node 0 and 2 for node 2",
        3,
        {(OBJ, None, "weighted_sum_rate"), (W, 0, 3.0), (W, 2, 2.0)},
    ),
]


@pytest.mark.parametrize("text, k, want", CASES)
def test_rules_read_the_classes_objectives_g_missed(text, k, want, intent_keys):
    got = rules(text, range(k))
    assert intent_keys(got) == want and len(got) == len(want)


# the model reader routes by the same cues: one short case per class it missed
MODEL_CASES = [CASES[0], CASES[1], CASES[5], CASES[9], CASES[10], CASES[13]]


@pytest.mark.parametrize("text, k, want", MODEL_CASES)
def test_model_reads_the_classes_objectives_g_missed(model, text, k, want, intent_keys):
    got = parse_intents(text, range(k), model)
    assert intent_keys(got) == want and len(got) == len(want), text
