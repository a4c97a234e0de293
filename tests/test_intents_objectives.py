"""Objective and weight sentences: the goal cues, the priority taken away, the weighted total, the
"off" answer only with a word of silence; a few sentences of the objectives set with the real
model."""

from __future__ import annotations

import pytest
from wireless_agents.agents.intents import PHRASINGS, load_phrasings, parse_intents
from wireless_agents.agents.intents import read_intents_by_rules as rules
from wireless_agents.agents.intents.cues import objectives_named


def keys(intents) -> set:
    return {
        ("objective", None, it.objective)
        if it.kind == "objective"
        else (it.kind, it.agent, it.value)
        for it in intents
    }


@pytest.mark.parametrize(
    "text, k, want",
    [
        # total-rate wordings beyond "total throughput"
        ("Move the biggest combined traffic the band allows", 4, {("objective", None, "sum_rate")}),
        ("Fairness is not our goal; capacity is", 4, {("objective", None, "sum_rate")}),
        # a bare goal sentence: the one family of goal words it uses
        ("Batteries first across the plant", 4, {("objective", None, "min_power")}),
        ("Equal treatment for each and every station", 4, {("objective", None, "max_min")}),
        # the total qualified by weights, the goal and the weight cut apart at "with"
        (
            "Maximise the total rate with node 1 counting triple",
            4,
            {("objective", None, "weighted_sum_rate"), ("weight", 1, 3.0)},
        ),
        # a priority taken away: weight 1
        ("Do not prioritise radio 0 any more", 2, {("weight", 0, 1.0)}),
        # a link that wastes energy is described, not a network goal
        (
            "Radio 2 idles and wastes energy, so cap it at 0.5 of its power",
            3,
            {("max_power_frac", 2, 0.5)},
        ),
    ],
)
def test_rules_read_goal_wordings(text, k, want):
    got = rules(text, range(k))
    assert keys(got) == want and len(got) == len(want)


# the misses of objectives_b's first measurement (held out then, a tuning set since): a goal
# moved in data units or as a load, an energy goal as a manner ("frugally"), the worst link's
# rate maximised
@pytest.mark.parametrize(
    "text, want",
    [
        ("We are paid per gigabyte, so deliver as many gigabytes as you can", "sum_rate"),
        ("Let the cell carry the heaviest load it can", "sum_rate"),
        ("Run the radios as frugally as the rate targets permit", "min_power"),
        ("Maximise the rate of the weakest user", "max_min"),
    ],
)
def test_rules_read_the_goals_objectives_b_missed(text, want):
    assert keys(rules(text, range(4))) == {("objective", None, want)}
    assert objectives_named(text) == [want]  # one goal left for the model to name


@pytest.mark.parametrize(
    "text, want",
    [
        ("We are paid per gigabyte, so deliver as many gigabytes as you can", "sum_rate"),
        ("Maximise the rate of the weakest user", "max_min"),
    ],
)
def test_model_reads_the_goals_objectives_b_missed(model, text, want):
    got = parse_intents(text, range(4), model)
    assert keys(got) == {("objective", None, want)} and len(got) == 1


def test_a_stronger_cue_is_not_read_again_for_a_weaker_one():
    assert objectives_named("maximize the weighted sum rate of the cell") == ["weighted_sum_rate"]
    assert objectives_named("maximise the minimum rate in the cell") == ["max_min"]


def test_off_is_offered_only_with_a_word_of_silence_or_no_number():
    from wireless_agents.agents.intents.parse import narrowed_schema

    def answers(text):
        alts = narrowed_schema(text, range(4))["anyOf"]
        return [a["properties"]["value"].get("const", "number") for a in alts]

    assert answers("Radio 3 should stay at no more than 0.35 of max power") == ["number"]
    assert answers("Silence radio 3, it ran at 0.8 of its power") == ["number", "off"]
    assert answers("Radio 3 must be silent") == ["off"]
    assert answers("radio 3 at 0 power") == ["number", "off"]


@pytest.mark.parametrize("index", [3, 31])
def test_model_reads_sentences_of_the_objectives_set(model, index):
    rows = load_phrasings(PHRASINGS.with_name("intent_phrasings_objectives.yaml"))
    row = rows[index]
    got = parse_intents(row["text"], range(row["k"]), model)
    want = {
        ("objective", None, e["value"])
        if e["kind"] == "objective"
        else (e["kind"], e["agent"], float(e["value"]))
        for e in row["expect"]
    }
    assert keys(got) == want and len(got) == len(want), row["text"]
    assert all(it.tokens > 0 for it in got)


def test_objective_sets_are_varied_and_held_out_from_every_prompt():
    from wireless_agents.agents.intents import FEW_SHOT
    from wireless_agents.agents.intents.goals import OBJECTIVE_SHOTS, WEIGHT_SHOTS
    from wireless_agents.environment.objectives import OBJECTIVES

    names = [f"intent_phrasings_objectives{s}.yaml" for s in ("", "_b", "_c")]
    a, b, c = (load_phrasings(PHRASINGS.with_name(n)) for n in names)
    assert len(a) >= 40 and len(b) >= 30 and len(c) >= 50
    allnames = set(OBJECTIVES)
    for rows, every in ((a, allnames), (b, allnames - {"weighted_sum_rate"}), (c, allnames)):
        stated = {e["value"] for r in rows for e in r["expect"] if e["kind"] == "objective"}
        assert stated == every  # b weighs links but states no weighted total
        assert {e["kind"] for r in rows for e in r["expect"]} == {
            "min_rate", "max_power_frac", "weight", "objective"
        }  # fmt: skip
    shots = {s[0].strip().lower() for s in (*FEW_SHOT, *WEIGHT_SHOTS, *OBJECTIVE_SHOTS)}
    others = ["intent_phrasings.yaml", "intent_phrasings_fresh.yaml", "intent_phrasings_hard.yaml"]
    older = {
        r["text"].strip().lower() for n in others for r in load_phrasings(PHRASINGS.with_name(n))
    }
    for rows in (a, b, c):
        texts = {r["text"].strip().lower() for r in rows}
        assert not texts & shots and not texts & older
        assert len(texts) == len(rows)
    assert not {r["text"] for r in a} & {r["text"] for r in b}
    assert not {r["text"] for r in c} & ({r["text"] for r in a} | {r["text"] for r in b})
    # c: distractors, several links per sentence and negations of floors and caps too
    assert {"distractor", "multi_link", "negation", "mixed"} <= {r["category"] for r in c}
    assert sum(len(r["expect"]) > 1 for r in c) >= 15
