"""Messages as acts (agents/acts.py): the grammar, the answers agents give, what the closed loop
does with a refusal, and what an episode counts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from wireless_agents.agents.acts import (
    Act,
    act_counts,
    clean_reason,
    parse_act,
    parse_message,
)
from wireless_agents.agents.agent import OWN_FLOOR_REASON, AgentConfig, EdgeAgent
from wireless_agents.agents.messages import message_quality
from wireless_agents.agents.profile import answer_by_rules
from wireless_agents.agents.rule_agent import RuleAgent
from wireless_agents.planners.coordination.channel import loss_matrix
from wireless_agents.planners.coordination.floor_control import close_floors
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.tools import LocalView, Note
from wireless_agents.tools.requests import floor_request, lowest_keeping_floor

REQUEST = (3, Act("request", 1, "lower", 0.4, "my floor is missed"))
REFUSER = "I carry the emergency line and I refuse any request to lower my power."


def _view(**over) -> LocalView:
    """Link 1 hears link 3 (loud) and link 0 (quiet)."""
    v = dict(agent=1, p_max=1.0, noise=1e-3, direct_gain=1.0, interference_plus_noise=0.05,
             last_power=0.8, last_sinr=16.0, last_rate=4.09, neighbours=(3, 0),
             neighbour_gains=(0.05, 0.01), neighbour_rx_last=(0.04, 0.008))  # fmt: skip
    return LocalView(**{**v, **over})


# -- the grammar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        Act("inform", amount=0.35, reason="my tool suggests it"),
        Act("inform", amount=1.0),
        Act("request", 3, "lower", 0.4, "my floor is missed"),
        Act("request", 2, "silence"),
        Act("grant", 1, "lower", 0.125, "I can spare it"),
        Act("offer", 1, "lower", 0.6, "I keep my own floor"),
        Act("refuse", 4, "lower", None, "I carry the emergency line"),
    ],
)
def test_acts_round_trip_through_their_text(act):
    assert parse_act(act.text) == act
    assert Act.from_dict(act.as_dict()) == act


def test_a_message_of_acts_parses_and_free_text_does_not():
    text = "request link 3 lower 0.4: my floor is missed; inform 0.8"
    acts = parse_message(text)
    assert [a.act for a in acts] == ["request", "inform"] and acts[0].to == 3
    for bad in ("I go to 0.35.", "inform", "inform 0.35: 3 cats", "grant link 1", "", "inform 2"):
        assert parse_message(bad) is None, bad


def test_acts_refuse_malformed_fields():
    for bad in (dict(act="inform", to=1, amount=0.1), dict(act="grant", to=1),
                dict(act="request", to=1), dict(act="shout", to=1), dict(act="request", to=1,
                kind="louder")):  # fmt: skip
        with pytest.raises(ValueError):
            Act(**bad)


def test_reasons_are_short_phrases_of_letters():
    assert clean_reason("I go to 0.35.") == "I go to"
    assert clean_reason("  fine,   thanks ") == "fine, thanks"
    long = clean_reason("word " * 30)
    assert len(long) <= 40 and long.endswith("word")
    assert clean_reason("123 !!") == ""


def test_act_counts_pair_requests_with_answers():
    acts = [Act("request", 1, "lower", 0.2), Act("request", 2, "silence"),
            Act("grant", 0, "lower", 0.2), Act("inform", amount=0.5)]  # fmt: skip
    c = act_counts([a.as_dict() for a in acts])
    assert c["asked"] == 2 and c["granted"] == 1 and c["refused"] == 0 and c["unanswered"] == 1
    assert c["requests"] == {"lower": 1, "silence": 1} and c["sent"]["inform"] == 1


def test_message_quality_reads_acts_and_checks_only_their_reasons():
    decisions = [
        {"power": 0.5, "message": "inform 0.5: my tool suggests it"},
        {"power": 0.5, "message": "request link 2 lower 0.1: my floor is missed; inform 0.5"},
        {"power": 0.5, "message": "inform 0.5: go go go go go go"},
        {"power": 0.5, "message": "I go to 3.908."},
    ]
    q = message_quality(decisions, p_max=1.0)
    assert q["texts"] == 4 and q["parsed"] == 3 and q["parse_rate"] == 0.75
    assert q["degenerate"] == 2 and q["reasons"] == {"repeated": 1, "not_power": 1}
    assert q["acts"]["asked"] == 1 and q["acts"]["sent"]["inform"] == 3


# -- what a link asks, what it answers -----------------------------------------------------------


def test_floor_request_asks_the_loudest_interferer_for_the_cut_that_closes_the_floor():
    v = _view(min_rate=4.5)  # at its cap: SINR 1 / 0.05 = 20 -> 4.39 bit/s/Hz, short of 4.5
    j, amount = floor_request(v)
    gamma = 2**4.5 - 1
    excess = 0.05 - 1.0 / gamma
    assert j == 3 and amount == pytest.approx(0.8 * (1 - excess / 0.04), abs=1e-3)
    assert floor_request(v, skip=[3])[0] == 0  # refused by 3: asks the next loudest
    assert floor_request(_view(min_rate=4.0)) is None  # met at its cap
    assert floor_request(_view(min_rate=12.0)) is None  # out of reach even alone


def test_rule_agent_grants_every_request_and_offers_only_what_its_floor_allows():
    d = RuleAgent(1, config=AgentConfig(tools=())).decide(_view(), requests=[REQUEST])
    assert d.acts[0] == Act("grant", 3, "lower", 0.4) and d.power == pytest.approx(0.4)
    assert d.grant_cap == pytest.approx(0.4) and parse_message(d.message) == d.acts
    # a floor of its own (3 bit/s/Hz needs 0.35 W against 0.05 W): it offers 0.35, not 0.4 ...
    d = RuleAgent(1, config=AgentConfig(tools=())).decide(_view(min_rate=3.0), requests=[
        (3, Act("request", 1, "lower", 0.1))])  # fmt: skip
    assert d.acts[0].act == "offer" and d.acts[0].amount == pytest.approx(0.35, abs=1e-3)
    # ... and with --no-inbox nothing reaches it: nothing is answered
    d = RuleAgent(1, config=AgentConfig(tools=(), inbox=False)).decide(_view(), requests=[REQUEST])
    assert [a.act for a in d.acts] == ["inform"] and d.power == pytest.approx(0.8)


def test_a_lost_floor_is_no_reason_to_refuse_a_request():
    """A floor its cap misses holds the cap while a neighbour may still be asked to close it;
    once every one that could has refused it (or it is out of reach even alone) the link grants
    (a battery meter held its cap for a floor it could not reach and kept the emergency line
    below its own in the objectives suite)."""
    v = _view(min_rate=4.5)  # short of 4.5 at its cap; link 3, then link 0, may be asked
    ask = (3, Act("request", 1, "lower", 0.2))
    assert lowest_keeping_floor(v) == pytest.approx(v.p_cap)
    assert lowest_keeping_floor(v, skip=[3]) == pytest.approx(v.p_cap)  # link 0 may still help
    assert lowest_keeping_floor(v, skip=[3, 0]) == 0.0
    assert lowest_keeping_floor(_view(min_rate=12.0)) == 0.0  # out of reach even alone
    agent = RuleAgent(1, config=AgentConfig(tools=()))
    d = agent.decide(v, requests=[ask])
    assert d.acts[0].act == "refuse" and d.power == pytest.approx(0.8)  # it still hopes
    d = agent.decide(v, requests=[ask], refused_by=[3, 0])
    assert d.acts[0] == Act("grant", 3, "lower", 0.2) and d.power == pytest.approx(0.2)


def test_rules_answerer_refuses_by_the_profile():
    assert answer_by_rules(REFUSER) == "refuse"
    assert answer_by_rules("I am a sensor and can turn down for others.") == "grant"
    assert answer_by_rules(None) == "grant"
    agent = EdgeAgent(1, None, AgentConfig(tools=(), reader="rules", inbox=True))
    agent.profile_text = REFUSER
    acts = agent.acts_for(
        agent_decision := _decision(agent, 0.8), _view(), "", "refuse", [REQUEST]
    ).acts  # the answer path of a refusal: power kept, the requester named
    assert acts[0] == Act("refuse", 3, "lower", None, "") and agent_decision.power == 0.8
    assert agent_decision.refused == [3] and agent_decision.grant_cap is None


def _decision(agent, power):
    from wireless_agents.agents.agent import Decision

    return Decision(agent.agent_id, power, "", Note(agent.agent_id))


def test_model_agent_answers_a_request_in_its_decision(model):
    agent = EdgeAgent(1, model, AgentConfig(tools=("local_wmmse",)))
    agent.profile_text = "I am a parking sensor; cut me as much as you like."
    d = agent.decide(_view(), requests=[REQUEST])
    assert d.fallback is None, d.raw
    assert '"answer"' in d.raw[-1] and "Requests to me: link 3 asks me to lower to 0.4." in str(
        d.requests[-1][0])  # fmt: skip
    answer = [a for a in d.acts if a.to == 3]
    assert len(answer) == 1 and answer[0].act in ("grant", "offer", "refuse")
    if answer[0].act == "grant":
        assert d.power <= 0.4 + 1e-9
    assert parse_message(d.message) == d.acts


# -- a refusal holds in the closed loop ----------------------------------------------------------


def test_closed_loop_keeps_a_refusal():
    # link 0 needs 2 bit/s/Hz; link 1 is its loud interferer and has no floor
    g = np.array([[1.0, 0.5], [0.01, 1.0]])
    views = [dict(p_max=1.0, min_rate=2.0, cap=None), dict(p_max=1.0, min_rate=None, cap=None)]
    loss = loss_matrix(g, 1.0, 1e-3, 0.0)
    args = (g, [1.0, 1.0], 1.0, 1e-3, views, [[1], [0]], loss)
    p, rec, _ = close_floors(*args)
    assert p[1] < 0.67 and rec["floors_missed_after"] == 0  # it complied (to ~0.664)
    p, rec, _ = close_floors(*args, refusals=frozenset({(1, 0)}))
    assert p[1] == pytest.approx(1.0) and rec["floors_missed_after"] == 1  # it refused
    assert rec["requests"] == []  # and the requester, knowing it, never asked


# -- an episode counts its acts -------------------------------------------------------------------


def test_tool_episode_with_floors_asks_grants_and_counts():
    floors = [{"agent": i, "min_rate": 3.0} for i in (0, 2)]
    s = default_settings(planner="tool", agents=5, steps=2, seed=3, constraints=floors)
    t = run_episode(s)
    m = t["summary"]
    assert m["message_parse_rate"] == 1.0 and m["degenerate_messages"] == 0
    acts = m["acts"]
    assert acts["asked"] > 0 and acts["granted"] + acts["offered"] > 0
    sent = [a for x in t["steps"] for d in x["decisions"] for a in d["acts"]]
    assert act_counts(sent) == acts
    # the rule grants every request; it refuses only what its own floor cannot afford
    assert all(a["reason"] == OWN_FLOOR_REASON for a in sent if a["act"] == "refuse")
    # a grant moves the granter's power: the proposal it made is at most what it granted
    grants = [(d, a) for x in t["steps"] for d in x["decisions"] for a in d["acts"]
              if a["act"] == "grant"]  # fmt: skip
    assert grants and all(d["power"] <= a["amount"] * t["p_max"] + 1e-9 for d, a in grants)


def test_eval_rows_report_acts_for_teams_only(tmp_path):
    from wireless_agents.demos.cli import main

    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: acts\nscenarios:\n  - name: floors\n    env: {topology: d2d, agents: 4, seed: 3}\n"
        "    steps: 1\n    intents:\n      - text: 'Link 0 needs 3 bit/s/Hz.'\n"
        "        check: {agent: 0, min_rate: 3.0}\n"
    )
    out = tmp_path / "rep"
    assert main(["eval", "--suite", str(suite), "--planners", "tool,wmmse", "--out", str(out)]) == 0
    rows = {r["planner"]: r for r in json.loads((out / "report.json").read_text())["results"]}
    tool, wmmse = rows["tool"], rows["wmmse"]
    assert tool["message_parse_rate"] == 1.0 and tool["degenerate_messages"] == 0
    assert all(
        isinstance(tool[f"acts_{k}"], int) for k in ("asked", "granted", "offered", "refused")
    )
    assert wmmse["message_parse_rate"] is None and wmmse["acts_asked"] is None


def test_suite_inbox_option_is_checked_before_any_work(tmp_path):
    from wireless_agents.demos.cli import main

    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: x\nscenarios:\n  - name: a\n    env: {topology: d2d, agents: 2}\n"
        "    planner_options: {inbox: maybe}\n"
    )
    out = tmp_path / "rep"
    assert main(["eval", "--suite", str(suite), "--planners", "tool", "--out", str(out)]) == 2
    assert not out.exists()


def test_eval_llm_variants_change_one_setting(tmp_path):
    from wireless_agents.demos.evaluate import Task, settings_for
    from wireless_agents.demos.suite import load_suite

    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: v\nscenarios:\n  - name: a\n    env: {topology: d2d, agents: 3}\n"
        "    planner_options: {rounds: 1}\n    devices:\n      2: {text: 'I refuse requests.', check: {agent: 2, min_rate: 0.1}}\n"
    )
    sc = load_suite(str(suite)).scenarios[0]
    llm, rules, blind = (settings_for(sc, p) for p in ("llm", "llm-rules", "llm-no-inbox"))
    assert rules == {**llm, "intent_reader": "rules"} and blind == {**llm, "inbox": False}
    assert llm["rounds"] == 1 and llm["devices"] == {"2": "I refuse requests."}
    assert Task(sc, "llm-rules").uses_model and not Task(sc, "tool").uses_model


def test_a_suite_can_skip_forced_decisions_and_refuses_a_bad_value(tmp_path):
    """``planner_options: {skip_forced: true}`` (the episode's --skip-forced) reaches the team's
    settings and its run: no model call where language has nothing to settle."""
    from wireless_agents.demos.cli import main
    from wireless_agents.demos.evaluate import Task, run_task, settings_for
    from wireless_agents.demos.suite import SuiteError, load_suite

    text = ("suite: f\nscenarios:\n  - name: a\n    env: {topology: d2d, agents: 3}\n"
            "    steps: 1\n    planner_options: {rounds: 1, skip_forced: %s}\n")  # fmt: skip
    suite = tmp_path / "s.yaml"
    suite.write_text(text % "true")
    sc = load_suite(str(suite)).scenarios[0]
    assert settings_for(sc, "llm")["skip_forced"] is True
    tr = run_task(Task(sc, "llm"))  # three decisions, none with anything for language
    assert tr["summary"]["forced_decisions"] == 3 and tr["summary"]["llm_tokens"] == 0
    suite.write_text(text % "3")
    with pytest.raises(SuiteError, match="skip_forced: expected true or false"):
        load_suite(str(suite))
    assert main(["eval", "--suite", str(suite), "--planners", "tool", "--out",
                 str(tmp_path / "o"), "--quiet"]) == 2  # fmt: skip
    assert not (tmp_path / "o").exists()
