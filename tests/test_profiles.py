"""Device profiles: a device's situation in its own words, read once by that device's own agent
(model or rules), kept in its memory, applied to its own view every slot; real episodes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from wireless_agents.agents.intents import IntentError
from wireless_agents.agents.intents.first_person import first_person, read_profile_by_rules
from wireless_agents.agents.profile import Profile
from wireless_agents.demos.cli import main
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.planners.episode.settings import NOT_READ
from wireless_agents.tools import LocalView

SENSOR = "I am a soil-moisture sensor on a weak battery: never more than 20% of my power."
CAP = 0.2


def test_first_person_sentences_name_the_device_and_the_rules_read_them():
    text = ("I am a soil-moisture sensor on a nearly empty battery: never more than 30% of my "
            "power, and 0.2 bit/s/Hz is all I need.")  # fmt: skip
    assert first_person(text, 4).startswith("link 4 is a soil-moisture sensor")
    assert "of link 4's power" in first_person(text, 4)
    got = {(it.agent, it.kind, it.value) for it in read_profile_by_rules(text, 4)}
    assert got == {(4, "max_power_frac", 0.3), (4, "min_rate", 0.2)}
    with pytest.raises(IntentError):  # a profile speaks for its own device only
        read_profile_by_rules("Link 2 must stay under 10% of its power.", 4)


def test_the_model_reads_no_cap_from_a_clause_that_only_says_what_the_device_is(model):
    """ "I am a mains-powered gateway" names the device and nothing else: its one digit is the
    link id, so the narrowed grammar allowed only "off", a cap of 0 it never stated."""
    from wireless_agents.agents.intents.first_person import parse_profile

    text = "I am a mains-powered gateway; I must keep 0.3 bit/s/Hz."
    got = {(it.agent, it.kind, it.value) for it in parse_profile(text, 3, model)}
    assert got == {(3, "min_rate", 0.3)}


def test_a_profile_tightens_only_what_it_states():
    prof = Profile(1, "t", "rules", [{"kind": "max_power_frac", "value": 0.3},
                                     {"kind": "min_rate", "value": 0.5}])  # fmt: skip
    v = LocalView(agent=1, p_max=2.0, noise=1e-3, direct_gain=1.0, interference_plus_noise=1e-3,
                  min_rate=0.8, cap=1.0)  # fmt: skip
    w = prof.apply(v)
    assert w.min_rate == 0.8 and w.cap == pytest.approx(0.6)  # the strictest of both
    assert Profile(1, "t", "rules", []).apply(v) == v


def test_a_profile_weight_reaches_the_view_the_note_and_the_neighbours_plan():
    """A device that counts "three times as much": it plans with weight 3 under the weighted
    sum-rate (no objective was stated), its note carries the weight, and a neighbour whose own
    view states no objective plans its neighbourhood weighted from that note."""
    import numpy as np
    from wireless_agents.tools.functions import outgoing_note
    from wireless_agents.tools.neighbourhood import local_wmmse

    heavy = Profile(0, "t", "rules", [{"kind": "weight", "value": 3.0}])
    g = np.array([[1.0, 0.8], [0.8, 1.0]]) * 100.0

    def view(i, mailbox=()):
        j = 1 - i
        return LocalView(agent=i, p_max=1.0, noise=1.0, direct_gain=g[i, i],
                         interference_plus_noise=1.0 + g[i, j], last_power=1.0,
                         neighbours=(j,), neighbour_gains=(g[i, j],),
                         neighbour_rx_last=(g[i, j],), mailbox=tuple(mailbox))  # fmt: skip

    v0 = heavy.apply(view(0))
    assert (v0.weight, v0.objective) == (3.0, "weighted_sum_rate")
    stated = heavy.apply(replace(view(0), objective="max_min"))
    assert (stated.weight, stated.objective) == (3.0, "max_min")  # a stated objective stays
    note0 = outgoing_note(v0, 1.0)
    assert note0.weight == 3.0
    # link 1 hears link 0's note: with the weight it leaves the air to the heavy link, without
    # it (the same note, weight unstated) the plain sum-rate plan keeps it on
    v1 = view(1, [note0])
    assert local_wmmse(replace(v1, mailbox=(replace(note0, weight=None),)))["suggested_power"] > 0
    assert local_wmmse(v1)["suggested_power"] == 0.0


def _held_every_slot(t):
    for x in t["steps"]:
        (met,) = x["profiles_met"]
        assert (met["agent"], met["kind"], met["value"], met["held"]) == (
            1, "max_power_frac", CAP, True
        )  # fmt: skip
        assert x["powers"][1] <= CAP * t["p_max"] * (1 + 1e-6)


def test_the_device_reads_its_own_profile_once_and_its_cap_holds(model):
    events = []
    s = default_settings(agents=3, steps=2, devices={1: SENSOR})
    t = run_episode(s, backend=model, on_event=events.append)
    (ev,) = [e for e in events if e["type"] == "profile"]
    assert (ev["agent"], ev["reader"], ev["slot"]) == (1, "model", 0) and ev["tokens"] > 0
    assert ev["readings"] == [{"kind": "max_power_frac", "value": CAP}]
    dp = t["summary"]["device_profiles"]
    (row,) = dp["devices"]
    assert (row["agent"], row["read_by"], row["reader"], row["slot"]) == (1, 1, "model", 0)
    assert row["tokens"] == ev["tokens"] == dp["read_tokens"] > 0
    assert (row["held"], row["checks"], row["fraction"]) == (2, 2, 1.0)
    _held_every_slot(t)
    # read at slot 0 only: slot 1's decisions find it in memory
    assert "profile_reads" in t["steps"][0] and "profile_reads" not in t["steps"][1]


def test_the_tool_team_ignores_the_profile():
    events = []
    t = run_episode(default_settings(agents=3, steps=2, devices={1: SENSOR}, planner="tool"),
                    on_event=events.append)  # fmt: skip
    assert not [e for e in events if e["type"] == "profile"]
    (row,) = t["summary"]["device_profiles"]["devices"]
    assert row["read_by"] is None and row["error"] == NOT_READ and row["tokens"] == 0
    assert all("profiles_met" not in x for x in t["steps"])
    # without the profile device 1 transmits above the cap the sensor asked for
    assert max(x["powers"][1] for x in t["steps"]) > CAP * t["p_max"] * 1.01


def test_the_rules_read_the_profile_when_the_intent_reader_is_rules(model):
    s = default_settings(agents=3, steps=2, devices={1: SENSOR}, intent_reader="rules")
    t = run_episode(s, backend=model)
    (row,) = t["summary"]["device_profiles"]["devices"]
    assert (row["read_by"], row["reader"], row["tokens"]) == (1, "rules", 0)
    assert row["readings"][0]["raw"] == "rules"
    _held_every_slot(t)


def test_a_resumed_run_keeps_the_read_profile_and_does_not_read_it_again(tmp_path, model):
    db = str(tmp_path / "run.sqlite")
    s = default_settings(agents=3, steps=2, devices={1: SENSOR}, approve=True)

    def leave_at_slot_1(req):
        if req["slot"] == 1:
            raise KeyboardInterrupt
        return {"approved": True}

    first, again = [], []
    with pytest.raises(KeyboardInterrupt):
        run_episode(s, backend=model, checkpoint=db, approver=leave_at_slot_1,
                    on_event=first.append)  # fmt: skip
    t = run_episode(s, backend=model, checkpoint=db, resume=True, on_event=again.append,
                    approver=lambda req: {"approved": True})  # fmt: skip
    assert [e["agent"] for e in first if e["type"] == "profile"] == [1]
    assert not [e for e in again if e["type"] == "profile"]  # tokens spent once
    dp = t["summary"]["device_profiles"]
    assert dp["read"] == 1 and dp["read_tokens"] > 0
    _held_every_slot(t)


@pytest.mark.parametrize(
    "flag", ["9=I am far away.", "one=I am a sensor.", "I am a sensor.", "1=", "-1=I am a sensor."]
)
def test_bad_device_flags_exit_2_with_one_line(flag, tmp_path, capsys):
    out = tmp_path / "t.json"
    argv = ["episode", "--quiet", "--agents", "3", "--device", flag, "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wagents: error: --device")
    assert not out.exists()


def test_the_evaluator_gives_the_profile_texts_to_llm_only():
    from pathlib import Path

    from wireless_agents.demos.evaluate.grid import settings_for
    from wireless_agents.demos.suite import load_suite

    suite = load_suite(Path(__file__).parents[1] / "demos" / "suites" / "objectives.yaml")
    sc = next(s for s in suite.scenarios if s.name == "emergency-and-sensor")
    assert settings_for(sc, "llm")["devices"] == {"4": sc.devices[0].text}
    assert "devices" not in settings_for(sc, "tool")
    oracle = settings_for(sc, "oracle")
    assert "devices" not in oracle and {"agent": 4, "max_power_frac": 0.3} in oracle["constraints"]
