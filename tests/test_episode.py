"""Episodes as one LangGraph graph: LLM team and classical planners, determinism, SQLite resume
after SIGKILL, message loss, a dead model, human approval, Mermaid, CLI errors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest
from wireless_agents.agents.models import load_model
from wireless_agents.demos.cli import main
from wireless_agents.planners.episode import CLASSICAL, default_settings, run_episode, strip_timings

SMALL = dict(agents=3, steps=2, rounds=1, max_tokens=32, tools=[])


def _valid(trace):
    p_max = trace["p_max"]
    for step in trace["steps"]:
        p = np.asarray(step["powers"])
        assert p.shape == (trace["agents"],)
        assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= p_max))


def test_llm_episode_end_to_end_and_deterministic(model):
    s = default_settings(**SMALL)
    events = []
    a = run_episode(s, backend=model, on_event=events.append)
    _valid(a)
    m = a["summary"]
    for key in ("mean_sum_rate", "wmmse_mean_sum_rate", "ratio_to_wmmse", "messages",
                "message_bytes", "llm_tokens", "llm_seconds", "wall_seconds"):  # fmt: skip
        assert m[key] is not None, key
    assert m["intent_satisfaction"] is None and m["llm_tokens"] > 0 and m["messages"] > 0
    assert {"slot", "proposal", "deliver", "commit"} <= {e["type"] for e in events}
    assert a["steps"][1]["decisions"] and a["steps"][0]["messages"]
    q = m["message_quality"]  # every decision's text is checked (agents/messages.py)
    texts = sum(bool(d["message"].strip()) for x in a["steps"] for d in x["decisions"])
    assert q["texts"] == texts > 0 and 0 <= q["degenerate"] <= texts
    b = run_episode(s, backend=model)
    assert strip_timings(a) == strip_timings(b)


@pytest.mark.parametrize("planner", CLASSICAL)
def test_classical_planners_run_through_the_same_episode(planner):
    t = run_episode(default_settings(planner=planner, agents=3, steps=2))
    _valid(t)
    if planner == "wmmse":
        assert t["summary"]["ratio_to_wmmse"] == pytest.approx(1.0)


def test_message_loss_completes_and_counts_losses(model):
    t = run_episode(default_settings(**{**SMALL, "agents": 4, "steps": 1}, loss=0.3), backend=model)
    _valid(t)
    m = t["summary"]
    assert m["messages_lost"] > 0 and m["messages_delivered"] + m["messages_lost"] == m["messages"]


def test_dead_model_degrades_to_fallbacks():
    dead = load_model("http://127.0.0.1:9/v1", timeout=2.0, probe=False)
    t = run_episode(default_settings(**SMALL, model="http://127.0.0.1:9/v1"), backend=dead)
    _valid(t)
    assert t["summary"]["fallbacks"] == 3 * 2


def test_approval_can_override_the_plan():
    asked = []

    def approver(req):
        asked.append(req["slot"])
        return {"powers": [0.0, 1.0, 0.5], "by": "test"} if req["slot"] == 0 else {"approved": True}

    t = run_episode(default_settings(planner="wmmse", agents=3, steps=2, approve=True),
                    approver=approver)  # fmt: skip
    assert asked == [0, 1]
    assert t["steps"][0]["powers"] == [0.0, 1.0, 0.5]
    assert t["steps"][0]["approval"]["override"] and t["steps"][1]["approval"]["approved"]


def test_zou_energy_saving_reports_intent():
    t = run_episode(default_settings(planner="wmmse", scenario="zou", agents=4, steps=2))
    intent = t["summary"]["intent_satisfaction"]
    assert intent["name"] == "energy-saving" and intent["slots"] == 2
    assert 0.0 <= intent["power_saved_fraction"] <= 1.0


def test_graph_prints_mermaid(capsys):
    assert main(["graph"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---") or "graph TD" in out
    assert "sense" in out and "decide" in out and "step" in out
    assert "commit" not in out  # the plan's one commit is the decide graph's
    assert main(["graph", "--which", "decide"]) == 0
    out = capsys.readouterr().out
    for node in ("propose", "deliver", "negotiate", "escalate", "validate", "commit"):
        assert node in out
    assert "validate --> commit" in out and "commit --> __end__" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--steps", "0"],
        ["--loss", "1.5"],
        ["--strategy", "chaos"],
        ["--planner", "nope"],
        ["--tools", "hammer"],
        ["--resume"],
        ["--model", "no-such-model"],
        ["--out", "/no/such/dir/t.json"],
    ],
)
def test_bad_flags_exit_2_with_one_line(argv, tmp_path, capsys):
    out = tmp_path / "t.json"
    args = ["episode", "--quiet", *argv]
    if "--out" not in argv:
        args += ["--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wagents: error:")
    assert not out.exists()


def test_cli_json_stdout_is_clean(capsys):
    assert main(["episode", "--planner", "wmmse", "--agents", "3", "--steps", "1", "--json",
                 "--quiet", "--auto-approve"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert doc["steps"][0]["approval"]["approved"] is True


def _committed(db) -> int:
    """Slots the latest run of checkpoint ``db`` has committed (0 while there is none)."""
    from wireless_agents.planners.episode import CheckpointError, saved_run

    if not os.path.exists(db):
        return 0
    try:
        return saved_run(str(db))[2]
    except (CheckpointError, sqlite3.Error):
        return 0


def test_sigkill_then_resume_gives_the_uninterrupted_trace(tmp_path):
    cmd = [sys.executable, "-m", "wireless_agents.demos.cli", "episode", "--quiet", "--agents", "3",
           "--steps", "2", "--rounds", "1", "--max-tokens", "32", "--no-tools"]  # fmt: skip
    ref = tmp_path / "ref.json"
    subprocess.run([*cmd, "--out", str(ref)], check=True, timeout=300)
    db = tmp_path / "run.sqlite"
    proc = subprocess.Popen([*cmd, "--checkpoint", str(db), "--out", str(tmp_path / "x.json")])
    deadline = time.time() + 300
    while _committed(db) < 1 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "episode finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "x.json").exists()
    out = tmp_path / "resumed.json"
    subprocess.run([*cmd[:4], "--checkpoint", str(db), "--resume", "--quiet", "--out", str(out)],
                   check=True, timeout=300)  # fmt: skip
    a, b = json.loads(ref.read_text()), json.loads(out.read_text())
    assert strip_timings(a) == strip_timings(b)


def test_zou_agents_negotiate_least_powers_with_min_power(model):
    s = default_settings(scenario="zou", agents=4, steps=1, rounds=2, max_tokens=32)
    assert s["tools"] == ["min_power"]
    t = run_episode(s, backend=model)
    _valid(t)
    step = t["steps"][0]
    called = [c["tool"] for d in step["decisions"] for c in d["tool_calls"]]
    assert called and set(called) == {"min_power"}
    intent = t["summary"]["intent_satisfaction"]
    assert step["floors_feasible"] and intent["optimal_total_power_w"] > 0
    # far below max power, and within a small factor of the minimal power vector
    assert intent["power_saved_fraction"] > 0.5 and intent["power_over_optimal"] < 5
