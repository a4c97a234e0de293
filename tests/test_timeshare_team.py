"""Time slices in an episode (issue 14): `wagents episode --mini-slots L`, the timeshare planner's
schedule per slot, the team's share-or-reuse choice, its acts of slices, its local tool and the
closed loop per slice. Real env, real graphs, the real bundled model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from wireless_agents.agents.acts import Act, parse_act, parse_message
from wireless_agents.agents.sharing import CHOICES, model_choice, rule_choice
from wireless_agents.demos.cli import main
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.planners.episode.context import replay_gains
from wireless_agents.planners.timeshare_api import floor_verdicts
from wireless_agents.tools import LocalView, Note
from wireless_agents.tools.timeshare import share_plan

# two gaussian links at 20 dB whose cross gains are as strong as their own (the timeshare
# suite's strong pair): floors of 2 bit/s/Hz that no single vector meets in most slots
PAIR = dict(scenario="gaussian", agents=2, seed=401, env={"p_max_w": 100.0})
FLOORS = [{"agent": 0, "min_rate": 2.0}, {"agent": 1, "min_rate": 2.0}]


def _pair_view(floor: float = 2.0) -> LocalView:
    """Link 0's view of a symmetric strong pair (direct 1, cross 1, p_max 100 W, noise 1 W),
    with link 1's note (its row, its floor)."""
    note = Note(sender=1, power=100.0, min_rate=floor, direct_gain=1.0, gains={0: 1.0},
                received={0: 100.0}, interference_plus_noise=101.0)  # fmt: skip
    return LocalView(agent=0, p_max=100.0, noise=1.0, direct_gain=1.0, interference_plus_noise=101.0,
                     last_power=100.0, neighbours=(1,), neighbour_gains=(1.0,),
                     neighbour_rx_last=(100.0,), mailbox=(note,), min_rate=floor)  # fmt: skip


def test_acts_of_slices_round_trip_and_old_acts_keep_their_text_and_record():
    offer = Act("offer", to=1, slices=(2, 3), reason="we take turns")
    assert offer.text == "offer link 1 slices 2,3: we take turns"
    assert parse_act(offer.text) == offer
    refuse = parse_act("refuse link 0 slices: my floor needs them")
    assert refuse is not None and refuse.slices == () and refuse.act == "refuse"
    assert parse_message("grant link 0 slices 2,3; inform 0.5")[0].slices == (2, 3)
    assert Act.from_dict(offer.as_dict()) == offer
    old = Act("grant", to=1, kind="lower", amount=0.4, reason="I can spare it")
    assert old.text == "grant link 1 lower 0.4: I can spare it"
    assert "slices" not in old.as_dict() and parse_act(old.text).slices is None


def test_share_plan_alternates_a_strong_pair_and_meets_floors_reuse_misses():
    plan = share_plan(_pair_view(), [1], 4, "sum_rate")
    assert plan.members == (0, 1)
    # reuse: log2(1 + 100 / 101) < 1 each; alone: log2(101) = 6.66, half the slices 3.33
    assert np.all(plan.reuse_rates < 1.0)
    assert np.all(plan.rates >= 2.0) and plan.short == 0.0 and plan.reuse_short > 0
    assert plan.better
    on = plan.schedule > 0
    assert not np.any(on[0] & on[1])  # never on together
    assert sorted(plan.slices_of(0) + plan.slices_of(1)) == [0, 1, 2, 3]
    choice = rule_choice(_pair_view(), plan, float(plan.reuse_rates[0]))
    assert choice.choice == "share" and choice.by == "rule"


def test_share_plan_needs_a_partner_with_rows():
    lone = LocalView(agent=0, p_max=1.0, noise=1.0, direct_gain=1.0, interference_plus_noise=1.0)
    assert share_plan(lone, [1], 4) is None  # no note from link 1: nothing to plan with


def test_timeshare_planner_episode_carries_schedules_and_scores_mean_rates():
    s = default_settings(planner="timeshare", steps=2, mini_slots=4, constraints=FLOORS, **PAIR)
    tr = run_episode(s)
    gains, _, noise = replay_gains(s, 2)
    assert tr["summary"]["mini_slots"] == 4 and tr["settings"]["mini_slots"] == 4
    for x, g in zip(tr["steps"], gains, strict=True):
        sched = np.asarray(x["schedule"])
        assert sched.shape == (2, 4)
        mean = link_rates(g[None], sched.T, noise).mean(0)
        assert x["rates"] == pytest.approx(mean.tolist())
        assert x["powers"] == pytest.approx(sched.mean(-1).tolist())
        assert x["sum_rate"] == pytest.approx(float(mean.sum()))
    assert tr["summary"]["shared_slots"] == 2


def test_one_slice_keeps_the_settings_and_trace_of_before():
    a = default_settings(planner="tool", steps=1, **PAIR)
    b = default_settings(planner="tool", steps=1, mini_slots=1, **PAIR)
    assert a == b and "mini_slots" not in b
    tr = run_episode(b)
    assert "schedule" not in tr["steps"][0] and "mini_slots" not in tr["summary"]
    with pytest.raises(ValueError, match="mini_slots"):
        default_settings(mini_slots=0)


def test_tool_team_shares_time_and_meets_every_floor_the_lp_calls_feasible():
    s = default_settings(planner="tool", steps=2, mini_slots=4, constraints=FLOORS, **PAIR)
    tr = run_episode(s)
    gains, p_max, noise = replay_gains(s, 2)
    floors = np.array([2.0, 2.0])
    slot_ok, ts_ok = floor_verdicts(np.stack(gains), np.full((2, 2), noise),
                                    np.full((2, 2), p_max), np.tile(floors, (2, 1)))  # fmt: skip
    assert list(slot_ok) == [True, False] and ts_ok.all()  # slot 1: only time-sharing
    for x in tr["steps"]:
        assert all(r >= 2.0 - 1e-6 for r in x["rates"])
        assert x["timeshare"]["floors_missed_after"] == 0
    ts = tr["steps"][1]["timeshare"]
    assert ts["shared"] and sorted(ts["groups"][0]) == [0, 1]
    texts = [Act.from_dict(a).text for a in ts["offers"] + ts["answers"]]
    assert texts and all(parse_act(t) is not None for t in texts)
    assert any(t.startswith("grant link") and "slices" in t for t in texts)
    assert ts["messages"] >= 2 and ts["floors_missed_before"] >= 1


def test_lost_offers_leave_the_plan_as_reuse_and_the_run_finishes():
    s = default_settings(planner="tool", steps=1, mini_slots=4, constraints=FLOORS, loss=1.0,
                         **PAIR)  # fmt: skip
    x = run_episode(s)["steps"][0]
    assert x["timeshare"]["groups"] == [] and not x["timeshare"]["shared"]
    sched = np.asarray(x["schedule"])
    assert np.allclose(sched, sched[:, :1])  # one vector in every slice


def test_model_chooses_share_or_reuse_under_the_grammar(model):
    view = _pair_view()
    plan = share_plan(view, [1], 4, "sum_rate")
    c = model_choice(model, view, plan, float(plan.reuse_rates[0]), "sum_rate")
    assert c.choice in CHOICES and c.fallback is None and c.tokens > 0
    assert json.loads(c.raw)["plan"] in ("A", "B")
    assert "floor is 2" in c.text and "missed" in c.text
    assert "Plan A (my tool's pick): we take turns" in c.text  # the tool says share here


def test_cli_episode_mini_slots(tmp_path, capsys):
    out = tmp_path / "t.json"
    argv = ["episode", "--planner", "timeshare", "--scenario", "gaussian", "--agents", "2",
            "--steps", "1", "--mini-slots", "4", "--quiet", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(out.read_text())
    assert np.asarray(doc["steps"][0]["schedule"]).shape == (2, 4)
    capsys.readouterr()
    bad = tmp_path / "bad.json"
    assert main([*argv[:-4], "--mini-slots", "0", "--out", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--mini-slots" in err[0] and not bad.exists()


def test_sliced_team_episode_emits_only_declared_events_and_the_dashboard_draws_slices():
    from rich.console import Console
    from wireless_agents.demos.dashboard import Dashboard
    from wireless_agents.planners.events import check_event

    s = default_settings(planner="tool", steps=2, mini_slots=4, constraints=FLOORS, **PAIR)
    board, emitted = Dashboard(s), []

    def on_event(e):
        emitted.append(e)
        board.on_event(e)

    tr = run_episode(s, on_event=on_event)
    for e in emitted + [e for x in tr["steps"] for e in x["events"]]:
        check_event(e)
    commits = [e for e in emitted if e["type"] == "commit"]
    plans = [e for e in emitted if e["type"] == "plan"]
    assert np.asarray(commits[1]["schedule_frac"]).shape == (2, 4)
    assert np.asarray(plans[1]["schedule"]).shape == (2, 4) and len(plans[1]["powers"]) == 2
    console = Console(width=100, record=True)
    console.print(board.render(100, 24))
    text = console.export_text()
    assert "slices" in text and "██  " in text  # link A0 on in two slices, off in two


def test_max_min_link_left_out_plans_again_over_the_free_partners():
    # eight strong gaussian links under max-min (the timeshare suite's maxmin-eight, seed 461):
    # in slot 1 the first group takes six links; a link whose own group overlaps it plans
    # again over the two links still free, a second group forms, and the worst link's rate
    # rises above what the single settled vector gave (before: one group, objected, reuse)
    s = default_settings(planner="tool", scenario="gaussian", agents=8, seed=461, steps=2,
                         mini_slots=4, objective="max_min", env={"p_max_w": 100.0})  # fmt: skip
    x = run_episode(s)["steps"][1]
    ts = x["timeshare"]
    assert len(ts["groups"]) == 2 and not ts["objections"]
    a, b = map(set, ts["groups"])
    assert not a & b
    assert min(x["rates"]) > 0.3  # the settled vector in every slice: 0.153


def test_max_min_links_left_out_of_every_group_plan_their_slices_around_it():
    # the same eight links, slot 0: one group of six forms and links 0 and 1 are in none; at
    # their settled powers in every slice the minimum falls to link 0 (0.220). They plan their
    # slices around the group's schedule (from what each receiver measures in each slice):
    # silent in some slices, loud in others, and the worst rate rises; no link objects
    s = default_settings(planner="tool", scenario="gaussian", agents=8, seed=461, steps=1,
                         mini_slots=4, objective="max_min", env={"p_max_w": 100.0})  # fmt: skip
    x = run_episode(s)["steps"][0]
    ts = x["timeshare"]
    assert len(ts["groups"]) == 1 and not ts["objections"]
    assert min(x["rates"]) > 0.25  # their settled powers in every slice: 0.220
    left = sorted(set(range(8)) - set(ts["groups"][0]))
    assert ts["fills"] == [{"by": left[0], "members": left}]
    sched = np.asarray(x["schedule"])
    assert all(np.ptp(sched[j]) > 0 and np.any(sched[j] == 0) for j in left)
    offers = [a for a in ts["offers"] if a["from"] == left[0]]
    assert offers and {a["to"] for a in offers} == set(left[1:])


def test_max_min_a_fill_objected_to_is_dropped_and_the_groups_kept(monkeypatch):
    # the same slot with the fill's neighbourhood cut to six links: link 0 then plans without
    # link 7's row, turns up beside link 2's slices and link 2 (whose row it never held)
    # falls below the common rate and objects; the fill is dropped, the group of six kept
    from wireless_agents.planners.coordination import sharing_fill

    monkeypatch.setattr(sharing_fill, "MAX_LINKS", 6)
    s = default_settings(planner="tool", scenario="gaussian", agents=8, seed=461, steps=1,
                         mini_slots=4, objective="max_min", env={"p_max_w": 100.0})  # fmt: skip
    x = run_episode(s)["steps"][0]
    ts = x["timeshare"]
    assert len(ts["groups"]) == 1 and ts["fills"] == [] and not ts["objections"]
    assert any(a["from"] == 0 for a in ts["offers"])  # the fill was offered, then dropped
    assert min(x["rates"]) == pytest.approx(0.2201, abs=1e-3)  # the group's schedule alone


def _trio_note(j: int, d: float, cross: float, floor: float) -> Note:
    """Link ``j``'s note among three links: direct gain ``d``, cross gains ``cross * d``."""
    return Note(sender=j, power=100.0, min_rate=floor, direct_gain=d,
                gains={k: cross * d for k in range(3) if k != j},
                received={k: 100.0 * cross * d for k in range(3) if k != j},
                interference_plus_noise=1.0 + 200.0 * cross * d)  # fmt: skip


def _trio_view(alone_rates, cross: float = 1.0, floor: float = 1.5) -> LocalView:
    """Link 0's view of three links interfering as strongly as they hear themselves (p_max
    100 W, noise 1 W), each link's direct gain giving it ``alone_rates`` (bit/s/Hz) alone at
    its cap, with links 1 and 2's notes (their rows, their floors)."""
    d = [(2.0**r - 1.0) / 100.0 for r in alone_rates]
    notes = tuple(_trio_note(j, d[j], cross, floor) for j in (1, 2))
    return LocalView(agent=0, p_max=100.0, noise=1.0, direct_gain=d[0],
                     interference_plus_noise=1.0 + 200.0 * cross * d[0], last_power=100.0,
                     neighbours=(1, 2), neighbour_gains=(cross * d[0],) * 2,
                     neighbour_rx_last=(100.0 * cross * d[0],) * 2, mailbox=notes,
                     min_rate=floor)  # fmt: skip


@pytest.mark.parametrize("hair", [0.0, 0.024])
def test_share_plan_serves_most_floors_when_the_slices_cannot_serve_all(hair):
    # alone at the cap the links reach 3.42, 5.58 and 5.98 (+ hair) bit/s/Hz: over 4 slices
    # floors of 1.5 take 2, 2 and 2 slices (5.98 / 4 = 1.495 misses by a hair), so no 4-slice
    # schedule meets all three. Least total shortfall alone gives 2, 1, 1 slices: 1.71, 1.40,
    # 1.50 - two floors missed by 0.1 and a hair (0.11 in all); the team must meet two floors
    # instead, the oracle's rule. With link 2 at 6.004 alone its 1.501 clears the floor on its
    # note's gains only: a partner's floor met by less than the notes' precision does not count
    plan = share_plan(_trio_view([3.418, 5.58, 5.98 + hair]), [1, 2], 4, "sum_rate")
    assert plan.members == (0, 1, 2)
    met = plan.rates >= 1.5 + 0.04 * np.array([0, 1, 1])
    assert met.sum() == 2 and plan.misses == 1 and plan.reuse_misses == 3
    assert plan.better


def test_answer_offer_gives_up_its_floor_only_for_more_floors_met():
    from wireless_agents.agents.sharing import answer_offer

    assert not answer_offer(1.5, 0.0, 3.4)  # its floor held under reuse: refused
    assert answer_offer(1.5, 0.0, 3.4, more_floors=True)  # the group meets more floors


@pytest.mark.parametrize(("name", "seed"), [("strong-trio-floors", 413),
                                            ("strong-trio-min-power", 431)])  # fmt: skip
def test_tool_team_meets_two_of_three_floors_no_four_slice_schedule_serves(name, seed):
    # the timeshare suite's slots whose three floors no schedule of 4 slices meets (the exact
    # search proves it); the oracle meets 2 of 3. The team met 1 (its plan gave every link
    # some slices and missed two floors by 0.1 and by a hair); it now meets 2: the link whose
    # floor is given up is offered that the group meets more floors, and grants
    from wireless_agents.demos.evaluate.grid import settings_for
    from wireless_agents.demos.suite import load_suite

    sc = next(x for x in load_suite("demos/suites/timeshare.yaml").scenarios if x.name == name)
    s = settings_for(sc, "tool", seed)
    s.update(planner="tool", intents=None, constraints=sc.constraints(), objective=sc.objective,
             steps=1)  # fmt: skip
    x = run_episode(s)["steps"][0]
    assert sum(r >= 1.5 - 1e-6 for r in x["rates"]) == 2
    ts = x["timeshare"]
    assert ts["groups"] and not ts["objections"] and ts["floors_missed_after"] == 1
    assert any(a["reason"] == "we meet more floors" for a in ts["offers"])
