"""Operator intents read by the real bundled model, validated and turned into planner arrays."""

from __future__ import annotations

import numpy as np
import pytest
from wireless_agents.agents.intents import (
    FEW_SHOT,
    KINDS,
    PHRASINGS,
    UNIT_KINDS,
    Intent,
    IntentError,
    candidates,
    constraint_arrays,
    intent_schema,
    load_phrasings,
    normalize_text,
    parse_intent,
    parse_intents,
    split_sentences,
    validate,
)
from wireless_agents.agents.models import load_model


@pytest.mark.parametrize(
    "text, k, want",
    [
        ("Link 2 carries a control loop and needs at least 1.5 bit/s/Hz", 4, (2, "min_rate", 1.5)),
        ("Cap device 1 at 0.4 of max power", 4, (1, "max_power_frac", 0.4)),
        ("user 3 is on battery, limit it to 30% power", 4, (3, "max_power_frac", 0.3)),
    ],
)
def test_model_reads_intents(model, text, k, want):
    it = parse_intent(text, range(k), model)
    assert (it.agent, it.kind) == want[:2]
    assert it.value == pytest.approx(want[2])
    assert it.text == text and it.raw and it.tokens > 0 and it.seconds > 0
    assert it.as_constraint() == {"agent": want[0], want[1]: pytest.approx(want[2])}


def test_agent_enum_restricts_to_given_ids(model):
    schema = intent_schema([0, 1, 2])
    for alt in schema["anyOf"]:
        assert alt["properties"]["agent"]["enum"] == [0, 1, 2]
    assert set(UNIT_KINDS.values()) == set(KINDS)
    # without narrowing, a text naming link 5 (which does not exist) still yields 0, 1 or 2
    it = parse_intent("guarantee 1 bit/s/Hz to link 5", [0, 1, 2], model, narrow=False)
    assert it.agent in (0, 1, 2)
    # narrowed, it is refused before the model runs
    with pytest.raises(IntentError, match="names link 5, but the links are 0..2"):
        parse_intent("guarantee 1 bit/s/Hz to link 5", [0, 1, 2], model)


def test_candidates_narrow_the_grammar_to_what_the_sentence_names():
    text = normalize_text("The robot arm on link 3 runs a control loop; it needs two bit/s/Hz")
    assert candidates(text, range(6)) == ([3], ["2"], ["bit/s/Hz"])
    text = normalize_text("agent_4 may use a quarter of max power, it idles 10 minutes")
    assert candidates(text, range(6)) == ([4], ["0.25"], ["power"])  # 10 minutes: a measure
    text = normalize_text("link 1 had 3 bit/s/Hz last week; 2 cameras, it needs 0.5 bit/s/Hz")
    assert candidates(text, range(6)) == ([1], ["0.5"], ["bit/s/Hz"])  # the past, a count
    # nothing but the link named: the only answer left is "off"
    ids, values, units = candidates("Silence transmitter 5", range(6))
    assert (ids, values, units) == ([5], [], list(UNIT_KINDS))
    assert [alt["properties"]["value"] for alt in intent_schema(ids, values)["anyOf"]] == [
        {"const": "off"}
    ]
    # no link named: every id stays possible
    assert candidates("cap it at 0.5 power", range(3))[0] == [0, 1, 2]
    schema = intent_schema([4], ["0.25", "10"], ["power"])
    number = schema["anyOf"][0]["properties"]
    assert number["value"] == {"enum": ["0.25", "10"]} and number["unit"] == {"enum": ["power"]}


def test_out_of_range_values_are_clipped_with_a_note():
    it = validate({"agent": 1, "kind": "max_power_frac", "value": "1.5"}, [0, 1], "150% of max")
    assert it.value == 1.0 and "clipped" in it.note
    ok = validate({"agent": 0, "kind": "max_power_frac", "value": "0.25"}, [0, 1])
    assert ok.value == 0.25 and ok.note == ""
    with pytest.raises(IntentError):
        validate({"agent": 7, "kind": "min_rate", "value": "1"}, [0, 1])
    with pytest.raises(IntentError):
        validate({"agent": 0, "kind": "min_rate"}, [0, 1])


def test_model_clips_150_percent(model):
    it = parse_intent("Cap link 1 at 150% of max power", range(4), model)
    if it.kind == "max_power_frac" and it.agent == 1:
        assert 0.0 <= it.value <= 1.0
        assert it.value == 1.0 and "clipped" in it.note


def test_constraint_arrays():
    intents = [
        Intent(2, "min_rate", 1.5, "a"),
        Intent(4, "max_power_frac", 0.25, "b"),
        Intent(4, "max_power_frac", 0.5, "c"),  # the stricter cap wins
        {"agent": 0, "min_rate": 0.5},
    ]
    arr = constraint_arrays(intents, 5)
    np.testing.assert_allclose(arr["min_rate"], [0.5, 0, 1.5, 0, 0])
    np.testing.assert_allclose(arr["max_power_frac"], [1, 1, 1, 1, 0.25])
    with pytest.raises(IntentError):
        constraint_arrays([Intent(5, "min_rate", 1.0, "x")], 5)


def test_arrays_feed_the_planner():
    from wireless_agents.planners import solve

    rng = np.random.default_rng(0)
    g = rng.uniform(0.01, 0.1, (3, 3)) + np.eye(3)
    arr = constraint_arrays([Intent(1, "max_power_frac", 0.0, "silence link 1")], 3)
    p = solve(g, **arr)
    assert p[..., 1] == pytest.approx(0.0)


def test_dead_backend_raises_intent_error():
    dead = load_model("http://127.0.0.1:9/v1", timeout=2.0, probe=False)
    with pytest.raises(IntentError, match="model failed"):
        parse_intent("guarantee 1 bit/s/Hz to link 2", range(4), dead)


def test_ordinals_and_empty_text_are_refused_before_the_model():
    dead = load_model("http://127.0.0.1:9/v1", timeout=2.0, probe=False)
    with pytest.raises(IntentError, match="ordinal"):
        parse_intent("the third link needs 2 bit/s/Hz", range(4), dead)
    with pytest.raises(IntentError, match="empty"):
        parse_intent("  ", range(4), dead)


def test_normalization_rewrites_numbers_only():
    assert normalize_text("one and a half bit/s/Hz for device two") == "1.5 bit/s/Hz for device 2"
    assert normalize_text("keep agent_4 at a quarter of max power") == (
        "keep agent_4 at 0.25 of max power"
    )
    assert normalize_text("limit it to 30% power") == "limit it to 0.3 power"
    assert normalize_text("two thirds, 20 percent") == "0.6667, 0.2"
    assert normalize_text("the third link") == "the third link"  # ordinals untouched
    assert normalize_text("link 6 is the one that") == "link 6 is the one that"


def test_split_sentences_keeps_decimals():
    assert split_sentences("Link 1 needs 1.5 bit/s/Hz. Mute link 2; ok\n") == [
        "Link 1 needs 1.5 bit/s/Hz",
        "Mute link 2",
        "ok",
    ]
    assert split_sentences("Mute link 2. Link 0 needs 2.5.") == ["Mute link 2", "Link 0 needs 2.5"]


def test_a_sentence_naming_no_link_belongs_to_the_one_before():
    from wireless_agents.agents.intents import intent_clauses

    text = "Link 0 serves a payment terminal; it cannot fall below 1.5 bit/s/Hz."
    assert intent_clauses(text) == [
        "Link 0 serves a payment terminal; it cannot fall below 1.5 bit/s/Hz"
    ]
    assert intent_clauses("Careful now. Mute link 2. Link 1 needs 1 bit/s/Hz! It is a robot") == [
        "Careful now; Mute link 2",
        "Link 1 needs 1 bit/s/Hz; It is a robot",
    ]
    assert intent_clauses("Cap it at half power.") == ["Cap it at half power"]


def test_parse_intents_one_per_sentence(model):
    out = parse_intents("Link 1 needs 2 bit/s/Hz. Cap user 3 at 0.5 of max power.", range(4), model)
    assert len(out) == 2
    assert [o.agent for o in out] == [1, 3]


def test_dataset_is_large_varied_and_held_out():
    rows = load_phrasings()
    assert len(rows) >= 60
    cats = {r["category"] for r in rows}
    assert cats == {
        "rate_digits",
        "rate_words",
        "power_decimal",
        "power_percent",
        "power_fraction",
        "silent",
        "context",
    }
    assert {r["expect"]["kind"] for r in rows} == set(KINDS)
    assert all(0 <= r["expect"]["agent"] < r["k"] and 4 <= r["k"] <= 12 for r in rows)
    shots = {s[0].strip().lower() for s in FEW_SHOT}
    assert not shots & {r["text"].strip().lower() for r in rows}
    # the fresh set, written after the prompt was designed: its own sentences, same categories
    fresh = load_phrasings(PHRASINGS.with_name("intent_phrasings_fresh.yaml"))
    assert len(fresh) >= 40 and {r["category"] for r in fresh} == cats
    assert all(0 <= r["expect"]["agent"] < r["k"] for r in fresh)
    texts = {r["text"].strip().lower() for r in fresh}
    assert not texts & (shots | {r["text"].strip().lower() for r in rows})


# -- the hard set, the rules reader, weights and objectives -----------------------------------


def test_hard_set_is_frozen_varied_and_held_out_from_every_prompt():
    from wireless_agents.agents.intents.goals import OBJECTIVE_SHOTS, WEIGHT_SHOTS
    from wireless_agents.environment.objectives import OBJECTIVES

    hard = load_phrasings(PHRASINGS.with_name("intent_phrasings_hard.yaml"))
    assert len(hard) >= 40
    assert {r["category"] for r in hard} == {
        "distractor", "multi_link", "negation", "weight", "objective", "mixed"
    }  # fmt: skip
    kinds = {e["kind"] for r in hard for e in r["expect"]}
    assert kinds == {"min_rate", "max_power_frac", "weight", "objective"}
    assert {e["value"] for r in hard for e in r["expect"] if e["kind"] == "objective"} == set(
        OBJECTIVES
    )
    assert any(len(r["expect"]) >= 3 for r in hard)  # several readings in one sentence
    shots = {s[0].strip().lower() for s in (*FEW_SHOT, *WEIGHT_SHOTS, *OBJECTIVE_SHOTS)}
    sets = [load_phrasings(), load_phrasings(PHRASINGS.with_name("intent_phrasings_fresh.yaml"))]
    every = {r["text"].strip().lower() for rows in [hard, *sets] for r in rows}
    assert not shots & every


@pytest.mark.parametrize(
    "text, k, want",
    [
        # distractor numbers: a count, a distance, a past value
        ("The 5 drones on node 2 need 0.9 bit/s/Hz together", 4, {("min_rate", 2, 0.9)}),
        ("Radio 1 sits 40 m away; hold it to 20% of its power", 3, {("max_power_frac", 1, 0.2)}),
        ("Link 0 had 3 bit/s/Hz last week; now 1 bit/s/Hz will do", 2, {("min_rate", 0, 1.0)}),
        # several links
        ("Silence link 0 and link 2", 3, {("max_power_frac", 0, 0.0), ("max_power_frac", 2, 0.0)}),
        ("devices 1 and 3 need 2 bit/s/Hz", 4, {("min_rate", 1, 2.0), ("min_rate", 3, 2.0)}),
        # negations and removals
        ("never let user 1 exceed a quarter of its power", 2, {("max_power_frac", 1, 0.25)}),
        ("link 2 does not need its rate floor any more", 3, {("min_rate", 2, 0.0)}),
        ("lift the power cap on node 0", 2, {("max_power_frac", 0, 1.0)}),
        # weights and objectives
        ("node 3 weighs twice as much as the others", 4, {("weight", 3, 2.0)}),
        ("keep things fair for everyone", 4, {("objective", None, "max_min")}),
        ("minimize the total transmit power", 4, {("objective", None, "min_power")}),
        ("fairness is not important, maximize the sum rate", 4, {("objective", None, "sum_rate")}),
    ],
)
def test_rules_read_every_kind(text, k, want):
    from wireless_agents.agents.intents import read_intents_by_rules

    got = read_intents_by_rules(text, range(k))
    keys = {
        ("objective", None, it.objective)
        if it.kind == "objective"
        else (it.kind, it.agent, it.value)
        for it in got
    }
    assert keys == want and len(got) == len(want)
    assert all(it.tokens == 0 and it.seconds == 0.0 and it.raw == "rules" for it in got)


def test_rules_refuse_what_the_model_reader_refuses():
    from wireless_agents.agents.intents import read_intents_by_rules

    with pytest.raises(IntentError, match="names link 5"):
        read_intents_by_rules("link 5 needs 1 bit/s/Hz", range(3))
    with pytest.raises(IntentError, match="ordinal"):
        read_intents_by_rules("the second link needs 1 bit/s/Hz", range(3))
    assert read_intents_by_rules("hello there", range(3)) == []


def test_goals_constrain_nothing_and_give_weights_and_objective():
    from wireless_agents.agents.intents import link_weights_of, objective_of

    its = [
        Intent(1, "weight", 3.0, ""),
        Intent(0, "min_rate", 1.0, ""),
        Intent(None, "objective", 0.0, "", objective="max_min"),
    ]
    arr = constraint_arrays(its, 3)
    assert arr["min_rate"].tolist() == [1.0, 0.0, 0.0] and arr["max_power_frac"].tolist() == [1] * 3
    assert link_weights_of(its, 3).tolist() == [1.0, 3.0, 1.0]
    assert objective_of(its) == "max_min"
    assert objective_of(its[:2]) == "weighted_sum_rate" and objective_of(its[1:2]) == "sum_rate"
    assert link_weights_of(its[1:], 3) is None
    assert its[2].as_constraint() == {"objective": "max_min"}


def test_model_reads_weights_objectives_and_several_links(model):
    out = parse_intents(
        "Be fair to every user, and node 3 counts 2 times as much. Mute radios 0 and 1.",
        range(4),
        model,
    )
    keys = {
        ("objective", None, it.objective)
        if it.kind == "objective"
        else (it.kind, it.agent, it.value)
        for it in out
    }
    assert keys == {
        ("objective", None, "max_min"), ("weight", 3, 2.0),
        ("max_power_frac", 0, 0.0), ("max_power_frac", 1, 0.0),
    }  # fmt: skip
    assert all(it.tokens > 0 for it in out)


def test_episode_reads_intents_with_the_selected_reader():
    from wireless_agents.demos.evaluate import PLANNER_OPTIONS
    from wireless_agents.planners.episode import default_settings
    from wireless_agents.planners.episode.intents import (
        operator_constraints,
        operator_summary,
        with_parsed_intents,
    )

    assert "intent_reader" in PLANNER_OPTIONS
    assert default_settings()["intent_reader"] == "model"
    with pytest.raises(ValueError, match="unknown intent reader"):
        default_settings(intent_reader="oracle")
    s = default_settings(
        agents=4, intent_reader="rules",
        intents=["Link 2 needs 1 bit/s/Hz and link 3 must be silent.", "Treat all links fairly."],
    )  # fmt: skip
    s = with_parsed_intents(s)  # no backend and no model load: the rules need none
    assert [x["kind"] for x in s["parsed_intents"]] == ["min_rate", "max_power_frac", "objective"]
    assert operator_constraints(s) == [
        {"agent": 2, "min_rate": 1.0},
        {"agent": 3, "max_power_frac": 0.0},
    ]
    op = operator_summary(s, [])["operator_intents"]
    assert op["reader"] == "rules" and op["parse_tokens"] == 0 and op["parse_seconds"] == 0.0
    assert op["objective"] == "max_min" and op["weights"] is None


def test_eval_passes_the_reader_through_and_refuses_an_unknown_one(tmp_path):
    from wireless_agents.demos import evaluate as ev
    from wireless_agents.demos.suite import load_suite

    def suite(reader):
        path = tmp_path / f"{reader}.yaml"
        path.write_text(
            "suite: s\nscenarios:\n  - name: x\n    env: {topology: d2d, agents: 4, seed: 1}\n"
            f"    planner_options: {{intent_reader: {reader}}}\n"
            "    intents:\n      - text: 'Link 2 needs 1 bit/s/Hz.'\n"
            "        check: {agent: 2, min_rate: 1}\n"
        )
        return load_suite(path, ev.PLANNER_OPTIONS)

    (task,) = ev.tasks(suite("rules"), ["llm"])
    assert ev.settings_for(task.scenario, "llm")["intent_reader"] == "rules"
    with pytest.raises(ValueError, match="intent_reader: unknown intent_reader 'oracle'"):
        suite("oracle")  # the whole suite is checked when it is loaded
