"""``wagents demo``: the events it draws from, the dashboard in 80x24 (and too small), ``--auto``
end to end, and scripted keys in a real terminal (tmux: step, intent, override, reject, quit);
``wagents episode --approve`` answered in a real terminal. Real model, real graphs."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from wireless_agents.demos.cli import main
from wireless_agents.demos.dashboard import Dashboard
from wireless_agents.planners.episode import default_settings, run_episode

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(agents=2, steps=2, rounds=1, max_tokens=32, tools=[])
SMALL_ARGS = ["--agents", "2", "--steps", "2", "--rounds", "1", "--max-tokens", "32", "--no-tools"]
INTENT = "link 1 needs 1 bit/s/Hz"


@pytest.fixture(scope="module")
def recorded(model):
    """A real LLM episode with approval pauses: an intent typed at slot 0, an override at 1."""
    settings = default_settings(**SMALL, approve=True)
    items = []

    def approver(req):
        items.append(("request", req))
        if req["slot"] == 0:
            return {"approved": True, "by": "test", "intents": [INTENT]}
        return {"powers": [0.5 * req["p_max"], req["p_max"]], "by": "test"}

    trace = run_episode(
        settings, backend=model, on_event=lambda e: items.append(("event", e)), approver=approver
    )
    return settings, items, trace


def _events(items, kind=None):
    return [e for k, e in items if k == "event" and (kind is None or e["type"] == kind)]


def _screen(dash: Dashboard, width: int, height: int) -> list[str]:
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      color_system=None)  # fmt: skip
    console.print(dash.render(width, height))
    return console.export_text().splitlines()


def _folded(settings, items) -> Dashboard:
    dash = Dashboard(settings=settings)
    for kind, item in items:
        dash.on_request(item) if kind == "request" else dash.on_event(item)
    return dash


def test_events_carry_every_number_the_dashboard_draws(recorded):
    _, items, trace = recorded
    p_max = trace["p_max"]
    slots = _events(items, "slot")
    assert [e["slot"] for e in slots] == [0, 1]
    for e in slots:
        assert len(e["tx"]) == len(e["rx"]) == 2 and e["bounds"] and e["p_max"] == p_max
        assert e["hears"] == [[1], [0]]
    assert slots[0]["intents"] == [] and slots[1]["intents"][0]["agent"] == 1
    (intent,) = _events(items, "intent")
    assert (intent["agent"], intent["kind"], intent["value"]) == (1, "min_rate", 1.0)
    assert intent["slot"] == 0 and intent["from_slot"] == 1 and "error" not in intent
    commits = _events(items, "commit")
    for e, step in zip(commits, trace["steps"], strict=True):
        assert [f * p_max for f in e["power_frac"]] == pytest.approx(step["powers"])
        assert e["rates"] == step["rates"] and e["sum_rate"] == step["sum_rate"]
        assert len(e["sinr_db"]) == 2 and e["llm_tokens"] == step["llm_tokens"] > 0
        assert e["tokens_per_s"] == pytest.approx(step["llm_tokens"] / step["llm_seconds"])
    # the intent holds from the slot after the one it was typed in, and the trace says so
    assert trace["intents"] == [{k: v for k, v in intent.items() if k != "type"}]
    assert "intents" not in trace["steps"][0]
    (held,) = trace["steps"][1]["intents"]
    assert held["agent"] == 1 and held["held"] == (trace["steps"][1]["rates"][1] >= 1.0)
    assert trace["steps"][1]["approval"]["override"] == [0.5 * p_max, p_max]


def test_dashboard_fits_80x24_and_shows_the_events_numbers(recorded):
    settings, items, trace = recorded
    dash = _folded(settings, items)
    dash.on_done(trace["summary"])
    lines = _screen(dash, 80, 24)
    assert len(lines) == 24 and max(len(x) for x in lines) <= 80
    text = "\n".join(lines)
    last = _events(items, "commit")[-1]
    for title in ("map", "links (slot 1)", "messages", "sum-rate"):
        assert title in text, title
    assert "hears: 0-1" in text and " A0 " in text and " B1 " in text
    assert f"{last['power_frac'][0]:.2f}" in text and f"{last['rates'][0]:.2f}" in text
    assert f"{last['tokens_per_s']:.1f} tok/s" in text
    assert "team" in text and "WMMSE" in text
    assert f"mean {trace['summary']['mean_sum_rate']:.2f}" in text
    # the intent's verdict on link 1 is the trace's
    held = trace["steps"][1]["intents"][0]["held"]
    row = next(x for x in lines if " B1 " in x)
    assert (" ok " in row) if held else (" !! " in row)
    # the feed, earlier: the intent as the model read it
    feed = [t for t, _ in dash.feed]
    assert "intent: link 1 >= 1 bit/s/Hz from slot 1" in feed
    assert "slot 1 plan overridden by test" in feed


def test_typed_intents_are_state_a_resumed_run_keeps(tmp_path, model):
    """An intent typed at slot 0's pause, the run stopped at slot 1's pause, then resumed: the
    intent still binds (WMMSE takes the cap as a constraint) and the trace records it."""
    db = str(tmp_path / "run.sqlite")
    s = default_settings(planner="wmmse", agents=2, steps=3, seed=2, approve=True)

    def first(req):
        if req["slot"] == 1:
            raise KeyboardInterrupt  # the person leaves at slot 1's pause
        return {"approved": True, "intents": ["Cap link 1 at 30% of max power"]}

    with pytest.raises(KeyboardInterrupt):
        run_episode(s, checkpoint=db, approver=first)
    t = run_episode(s, checkpoint=db, resume=True, approver=lambda req: {"approved": True})
    assert "intents" not in t["steps"][0]
    for step in t["steps"][1:]:
        (it,) = step["intents"]
        assert (it["agent"], it["kind"], it["value"]) == (1, "max_power_frac", 0.3)
        assert it["held"] and step["powers"][1] <= 0.3 * t["p_max"] + 1e-9
    assert t["steps"][0]["powers"][1] > 0.3 * t["p_max"]  # uncapped before: the cap mattered
    assert t["summary"]["intent_satisfaction"]["fraction"] == 1.0  # held in slots 1 and 2
    assert t["summary"]["intent_satisfaction"]["checks"] == 2


@pytest.mark.parametrize("size", [(79, 24), (80, 23), (40, 10)])
def test_too_small_terminal_says_so(recorded, size):
    settings, items, _ = recorded
    text = " ".join(_screen(_folded(settings, items), *size))
    assert "too small" in text and "80x24" in text and f"{size[0]}x{size[1]}" in text
    big = _screen(_folded(settings, items), 160, 48)
    assert len(big) == 48 and "too small" not in " ".join(big)


def test_auto_runs_end_to_end_and_writes_the_trace(tmp_path, capsys):
    out = tmp_path / "t.json"
    assert main(["demo", "--auto", *SMALL_ARGS, "--intent", INTENT, "--out", str(out)]) == 0
    cap = capsys.readouterr()
    assert "wagents demo" in cap.out and "done" in cap.out and "links (slot 1)" in cap.out
    assert f"trace written to {out}" in cap.err
    t = json.loads(out.read_text())
    assert len(t["steps"]) == 2
    assert all(s["approval"] == {"approved": True, "by": "auto"} for s in t["steps"])
    assert t["steps"][1]["intents"][0]["agent"] == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--steps", "0"], "--steps"),
        (["--auto", "--model", "no-such-model"], "no-such-model"),
        ([], "needs a terminal"),  # keys without a terminal
    ],
)
def test_bad_use_is_one_line_exit_2(argv, message, capsys):
    assert main(["demo", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wagents: error:") and message in err[0]


# -- a real terminal -----------------------------------------------------------------------------

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One detached tmux session running a command in a w x h terminal."""

    def __init__(self, tmp_path, argv, width=80, height=24):
        self.name = f"wagents-test-{os.getpid()}-{time.monotonic_ns()}"
        self.rc = tmp_path / "rc"
        env = f"PYTHONPATH={shlex.quote(str(ROOT))}"
        cmd = " ".join(
            shlex.quote(a) for a in [sys.executable, "-m", "wireless_agents.demos.cli", *argv]
        )
        shell = f"cd {shlex.quote(str(ROOT))} && {env} {cmd}; echo $? > {shlex.quote(str(self.rc))}"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width),
                        "-y", str(height), shell], check=True)  # fmt: skip

    def screen(self) -> str:
        r = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                           capture_output=True, text=True)  # fmt: skip
        return r.stdout

    def wait_for(self, text: str, timeout: float = 400.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            if self.rc.exists():
                break
            time.sleep(0.3)
        raise AssertionError(f"{text!r} not on screen; last screen:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys],
                       check=True)  # fmt: skip

    def type(self, text: str) -> None:
        self.keys(text, literal=True)
        self.keys("Enter")

    def exit_code(self, timeout: float = 120.0) -> int:
        deadline = time.monotonic() + timeout
        while not self.rc.exists() or not self.rc.read_text().strip():
            assert time.monotonic() < deadline, f"still running:\n{self.screen()}"
            time.sleep(0.3)
        return int(self.rc.read_text())

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def tmux(tmp_path):
    sessions = []

    def start(argv, **kw):
        sessions.append(Tmux(tmp_path, argv, **kw))
        return sessions[-1]

    yield start
    for s in sessions:
        s.kill()


@needs_tmux
def test_keys_in_a_real_terminal_step_intent_override_quit(tmux, tmp_path):
    out = tmp_path / "t.json"
    t = tmux(["demo", *SMALL_ARGS, "--out", str(out)])
    screen = t.wait_for("PAUSED: plan of slot 0")
    assert "map" in screen and "plan for slot 0" in screen
    t.keys("i")
    t.wait_for("intent> ")
    t.type(INTENT)
    t.wait_for("1 intent(s) go with the next answer")
    t.keys("s")  # step: approve slot 0 with the intent, stop at slot 1's plan
    screen = t.wait_for("PAUSED: plan of slot 1")
    assert "links (slot 0)" in screen
    t.keys("o")
    t.wait_for("powers (2 fractions of p_max)>")
    t.type("2,1")  # out of range: refused, nothing sent
    t.wait_for("override needs 2 fractions in [0, 1]")
    t.keys("o")
    t.type("0.5,1")
    screen = t.wait_for("done, q quits")
    assert "links (slot 1)" in screen and "mean" in screen
    t.keys("q")
    assert t.exit_code() == 0
    trace = json.loads(out.read_text())
    s0, s1 = trace["steps"]
    assert s0["approval"] == {"approved": True, "by": "user"}
    assert s1["approval"]["override"] == [0.5 * trace["p_max"], trace["p_max"]]
    assert s1["powers"] == s1["approval"]["override"]
    assert s1["intents"][0]["agent"] == 1 and s1["intents"][0]["kind"] == "min_rate"


@needs_tmux
def test_too_small_then_resized_reject_and_quit_midway(tmux, tmp_path):
    out = tmp_path / "t.json"
    t = tmux(["demo", "--planner", "wmmse", "--agents", "2", "--steps", "3", "--out", str(out)],
             width=70, height=20)  # fmt: skip
    t.wait_for("terminal 70x20 is too small", 60)
    subprocess.run(["tmux", "resize-window", "-t", t.name, "-x", "80", "-y", "24"], check=True)
    t.wait_for("PAUSED: plan of slot 0", 60)
    t.keys("x")  # reject: every link keeps its last power (nothing yet: silent)
    t.wait_for("slot 0 plan rejected", 60)
    t.wait_for("PAUSED: plan of slot 1", 60)
    t.keys("q")
    assert t.exit_code() == 0
    assert not out.exists()


@needs_tmux
def test_episode_approve_answers_in_a_real_terminal(tmux, tmp_path):
    # seed 2: WMMSE's plan gives link 0 no power, which once broke an override
    out = tmp_path / "t.json"
    t = tmux(["episode", "--planner", "wmmse", "--agents", "2", "--steps", "2", "--seed", "2",
              "--approve", "--out", str(out)])  # fmt: skip
    t.wait_for("slot 0: plan (fractions of p_max) [0.00, 1.00]", 60)
    t.type("half")
    t.wait_for("could not read that", 60)
    t.type("0.5,0.25")
    t.wait_for("slot 1: plan", 60)
    t.type("n")
    assert t.exit_code() == 0
    trace = json.loads(out.read_text())
    p_max = trace["p_max"]
    s0, s1 = trace["steps"]
    assert s0["powers"] == pytest.approx([0.5 * p_max, 0.25 * p_max])
    assert s1["approval"] == {"approved": False, "by": "user"} and s1["powers"] == s0["powers"]
