"""What a decision costs the air: the compact encoding of the notes and the re-requests of lost ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from wireless_agents.planners.coordination import TeamConfig, air
from wireless_agents.planners.coordination.channel import seeded_rng
from wireless_agents.planners.coordination.state import note_to_dict
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.tools import LocalView
from wireless_agents.tools.functions import outgoing_note

STEP = 0.25


def _note(agent=0, power=0.7, scale=1.0) -> dict:
    """A real outgoing note of agent ``agent`` hearing three neighbours (W, linear gains)."""
    others = [j for j in range(4) if j != agent]
    view = LocalView(
        agent=agent, p_max=1.0, noise=1e-9, direct_gain=3e-6 * scale,
        interference_plus_noise=4e-9, last_power=0.5, neighbours=tuple(others),
        neighbour_gains=(2e-8 * scale, 5e-9, 0.0), neighbour_rx_last=(1e-8, 0.0, 2e-9),
    )  # fmt: skip
    return note_to_dict(outgoing_note(view, power))


def _db_err(a: float, b: float) -> float:
    return 0.0 if a == b == 0.0 else abs(10.0 * math.log10(a / b))


def test_quantize_dequantize_round_trip_is_within_half_a_step():
    for x in np.geomspace(1e-15, 10.0, 97):
        assert _db_err(air.dequantize(air.quantize(x, STEP), STEP), x) <= STEP / 2 + 1e-9
    assert air.dequantize(air.quantize(0.0, STEP), STEP) == 0.0
    assert air.quantize(None, STEP) is None
    want = _note()
    got = air.decode_note(0, air.encode_note(want, STEP), STEP)
    assert set(got) == set(want) and got["sender"] == 0
    for key in ("power", "direct_gain", "interference_plus_noise"):
        assert _db_err(got[key], want[key]) <= STEP / 2 + 1e-9
    for key in ("gains", "received", "prices", "wmmse"):  # prices: factor x gain, two codes
        assert set(got[key]) == set(want[key])
        tol = STEP if key in ("prices", "wmmse") else STEP / 2
        assert all(_db_err(got[key][k], want[key][k]) <= tol + 1e-9 for k in want[key])
    assert got["gains"]["3"] == 0.0  # a zero stays exactly zero


def test_delta_of_an_unchanged_row_is_empty_and_its_message_small():
    codes = air.encode_note(_note(), STEP)
    assert air.delta(codes, codes) == {}
    moved = air.encode_note(_note(power=0.2), STEP)
    d = air.delta(moved, codes)
    assert set(d) <= {"p", "pf", "wf", "n", "r"} and "g" not in d  # only what changed
    assert air.apply(codes, d) == moved
    # over the channel: the second identical note carries no entries at all
    hears = [[1], [0]]
    mailbox, shadows, sizes = {}, {}, []
    for wave in range(2):
        out, stats = air.send_wave(
            [{"from": 0, "round": wave, "text": "", "note": _note()}], hears, [[0.0] * 2] * 2,
            seeded_rng(0, wave), seeded_rng(0, wave, 1), mailbox=mailbox, shadows=shadows,
            slot=0, compact=True, step_db=STEP, rerequests=2,
        )  # fmt: skip
        sizes.append(out.bytes)
    assert shadows["0"]["1"]["last"]["n"] == {} and sizes[1] < sizes[0] / 3
    assert stats["rerequests"] == 0


def test_a_lost_note_keeps_its_row_with_its_age_and_is_re_requested():
    hears = [[1], [0]]
    mailbox, shadows = {}, {}

    def wave(slot, note, loss, rerequests=2):
        return air.send_wave(
            [{"from": 0, "round": 0, "text": "", "note": note}], hears, [[loss] * 2] * 2,
            seeded_rng(3, slot), seeded_rng(3, slot, 1), mailbox=mailbox, shadows=shadows,
            slot=slot, compact=True, step_db=STEP, rerequests=rerequests,
        )  # fmt: skip

    wave(0, _note(), 0.0)
    heard = mailbox["1"]["0"]
    out, stats = wave(1, _note(power=0.1, scale=2.0), 1.0)  # every try lost
    assert stats["rerequests"] == 2 and stats["lost_links"] == [[0, 1]]
    assert out.sent == 1 + 2 and len(out.lost) == 3  # the note and two re-requests, all lost
    kept = mailbox["1"]["0"]
    assert kept["note"] == heard["note"] and kept["slot"] == 0  # last known row, heard at slot 0
    # the next note arrives: the receiver sees it missed one, re-requests, gets a keyframe
    now = _note(power=0.3, scale=2.0)
    out, stats = wave(2, now, 0.0)
    assert stats["rerequests"] == 1 and stats["resent"] == 1 and stats["recovered"] == [[0, 1]]
    assert mailbox["1"]["0"]["slot"] == 2
    assert mailbox["1"]["0"]["q"] == air.encode_note(now, STEP)


def test_compact_air_costs_a_quarter_of_the_bytes_and_plain_keeps_the_old_encoding():
    runs = {
        a: run_episode(default_settings(planner="tool", agents=8, steps=2, seed=0, air=a))
        for a in ("compact", "plain")
    }
    compact, plain = (runs[a]["summary"] for a in ("compact", "plain"))
    assert compact["message_bytes"] <= 0.25 * plain["message_bytes"]
    assert runs["plain"]["settings"]["air"] == "plain" and "air" not in runs["compact"]["settings"]
    assert compact["ratio_to_wmmse"] >= 0.99 * plain["ratio_to_wmmse"]
    with pytest.raises(ValueError, match="air"):
        default_settings(air="zip")
    with pytest.raises(ValueError, match="air"):
        TeamConfig(air="zip")


def test_an_episode_under_loss_0_3_completes_and_heals_its_losses():
    t = run_episode(default_settings(planner="tool", agents=8, steps=2, seed=1, loss=0.3))
    s = t["summary"]
    assert len(t["steps"]) == 2 and s["ratio_to_wmmse"] > 0
    delivers = [e for x in t["steps"] for e in x["events"] if e["type"] == "deliver"]
    recovered = sum(len(e["recovered_links"]) for e in delivers)
    still = sum(len(e["lost_links"]) for e in delivers)
    assert s["rerequests"] > 0 and recovered > 0 and still < recovered
