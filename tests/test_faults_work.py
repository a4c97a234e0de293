"""Finished work is kept (issue 13, "Work that is lost" and the checkpoint file): real SQLite,
real subprocesses of the CLI, real episodes. Each test fails on the code before its fix."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import ormsgpack
import pytest
from wireless_agents.planners.episode import strip_timings

ROOT = Path(__file__).resolve().parents[1]
EPISODE = ["episode", "--quiet", "--planner", "wmmse", "--agents", "3", "--steps", "3"]


def _cli(*args, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "wireless_agents.demos.cli", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
    )  # fmt: skip


def _one_line(r, expect: str) -> None:
    """Exit 2 with one ``wagents: error:`` line holding ``expect``, no traceback."""
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wagents: error:"), r.stderr
    assert expect in lines[0] and "Traceback" not in r.stderr


def _trace(path) -> dict:
    return strip_timings(json.loads(Path(path).read_text()))


# -- the checkpoint file: one thread per run -------------------------------------------------


def test_a_fresh_run_on_a_used_checkpoint_is_refused_and_force_keeps_both(tmp_path):
    db = tmp_path / "run.sqlite"
    assert (
        _cli(*EPISODE, "--seed", "1", "--checkpoint", db, "--out", tmp_path / "a.json").returncode
        == 0
    )
    before = db.read_bytes()
    r = _cli(*EPISODE, "--seed", "2", "--checkpoint", db, "--out", tmp_path / "b.json")
    _one_line(r, "already holds run 1 (slot 3 of 3)")
    assert not (tmp_path / "b.json").exists() and db.read_bytes() == before  # nothing written
    # --force: a second run beside the first, on its own thread; both resumable
    assert _cli(*EPISODE, "--seed", "2", "--checkpoint", db, "--force",
                "--out", tmp_path / "b.json").returncode == 0  # fmt: skip
    with sqlite3.connect(db) as c:
        threads = sorted(t for (t,) in c.execute("SELECT DISTINCT thread_id FROM checkpoints"))
    assert threads == ["episode-1", "episode-2"]
    latest = _cli(
        "episode", "--quiet", "--checkpoint", db, "--resume", "--out", tmp_path / "l.json"
    )
    first = _cli("episode", "--quiet", "--checkpoint", db, "--resume", "--run", "1",
                 "--out", tmp_path / "f.json")  # fmt: skip
    assert latest.returncode == 0 and first.returncode == 0
    assert _trace(tmp_path / "l.json") == _trace(tmp_path / "b.json")
    assert _trace(tmp_path / "f.json") == _trace(tmp_path / "a.json")
    assert "resuming run 2 of" in latest.stderr and "resuming run 1 of" in first.stderr
    _one_line(_cli("episode", "--quiet", "--checkpoint", db, "--resume", "--run", "7"),
              "no run 7 in")  # fmt: skip


def test_resume_says_what_it_took_from_the_file_and_which_flags_it_ignored(tmp_path):
    db = tmp_path / "run.sqlite"
    assert (
        _cli(*EPISODE, "--seed", "4", "--checkpoint", db, "--out", tmp_path / "a.json").returncode
        == 0
    )
    r = _cli("episode", "--quiet", "--planner", "fp", "--steps", "5", "--seed", "4",
             "--checkpoint", db, "--resume", "--out", tmp_path / "r.json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    took, ignored = r.stderr.strip().splitlines()[:2]
    assert took.startswith("resuming run 1 of") and "at slot 3 of 3" in took
    for setting in ("planner=wmmse", "agents=3", "steps=3", "seed=4"):
        assert setting in took
    assert ignored.startswith("ignored flags")
    assert "planner=fp (run: wmmse)" in ignored and "steps=5 (run: 3)" in ignored
    assert "seed" not in ignored  # given, but the same as the run's: not ignored
    assert _trace(tmp_path / "r.json") == _trace(tmp_path / "a.json")


def test_resume_of_a_missing_file_creates_nothing(tmp_path):
    db = tmp_path / "none.sqlite"
    _one_line(_cli("episode", "--quiet", "--checkpoint", db, "--resume"), "no checkpoint file")
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize(
    "content", [b"hello, not a database\n" * 10, b"SQLite format 3\x00" + b"\x07" * 4000]
)
def test_a_non_sqlite_or_corrupt_checkpoint_is_one_line(tmp_path, content):
    db = tmp_path / "bad.sqlite"
    db.write_bytes(content)
    for extra in (["--resume"], []):
        _one_line(_cli(*EPISODE, "--checkpoint", db, *extra), f"checkpoint {db}")
    assert db.read_bytes() == content


def test_a_locked_checkpoint_is_one_line(tmp_path):
    db = tmp_path / "run.sqlite"
    assert _cli(*EPISODE, "--checkpoint", db).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the wait
    try:
        _one_line(_cli("episode", "--quiet", "--checkpoint", db, "--resume"), "is locked")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_another_versions_run_is_refused_naming_both_versions(tmp_path):
    from wireless_agents.planners.episode.checkpoint import package_version

    db = tmp_path / "run.sqlite"
    assert _cli(*EPISODE, "--checkpoint", db).returncode == 0
    with sqlite3.connect(db) as c:
        c.execute("UPDATE wagents_runs SET version = '0.0.1'")
    r = _cli("episode", "--quiet", "--checkpoint", db, "--resume", "--out", tmp_path / "r.json")
    _one_line(r, f"written by wireless-agents 0.0.1; this is {package_version()}")
    assert not (tmp_path / "r.json").exists()


def test_a_checkpoint_naming_a_python_object_is_refused_not_run(tmp_path):
    """The default serializer imports and calls whatever module.name a checkpoint names: here
    os.mkdir. The checkpoint is read as plain data instead: refused, nothing called."""
    db = tmp_path / "run.sqlite"
    marker = tmp_path / "made-by-the-checkpoint"
    assert _cli(*EPISODE, "--checkpoint", db).returncode == 0
    with sqlite3.connect(db) as c:
        cid, blob = c.execute("SELECT checkpoint_id, checkpoint FROM checkpoints "
                              "ORDER BY checkpoint_id DESC LIMIT 1").fetchone()  # fmt: skip
        doc = ormsgpack.unpackb(blob)
        evil = ormsgpack.Ext(0, ormsgpack.packb(["os", "mkdir", str(marker)]))
        doc["channel_values"]["settings"]["note"] = evil
        c.execute("UPDATE checkpoints SET checkpoint = ? WHERE checkpoint_id = ?",
                  (ormsgpack.packb(doc), cid))  # fmt: skip
    r = _cli("episode", "--quiet", "--checkpoint", db, "--resume", "--out", tmp_path / "r.json")
    _one_line(r, "names the Python object os.mkdir, not plain data")
    assert not marker.exists() and not (tmp_path / "r.json").exists()


# -- wagents eval: the report folder and a failed task --------------------------------------

CLASSICAL = """
suite: classical
scenarios:
  - name: d2d-3
    env: {topology: d2d, agents: 3, seed: 2}
    seeds: [2, 3]
    steps: 2
    intents:
      - text: "Link 2 needs 1 bit/s/Hz."
        check: {agent: 2, min_rate: 1.0}
  - name: gauss-4
    env: {topology: gaussian, agents: 4, seed: 0}
    steps: 2
"""
TIMING = ("wall_seconds", "llm_seconds", "created", "task_seconds")


def _without_timings(x):
    if isinstance(x, dict):
        return {k: _without_timings(v) for k, v in x.items() if k not in TIMING}
    if isinstance(x, list):
        return [_without_timings(v) for v in x]
    return x


@pytest.mark.parametrize("out", [".", "..", "sub/.."])
def test_eval_out_the_current_folder_is_refused_before_any_work(tmp_path, out):
    suite = tmp_path / "suite.yaml"
    suite.write_text(CLASSICAL)
    here = tmp_path / "here"
    (here / "sub").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-m", "wireless_agents.demos.cli", "eval", "--suite", str(suite),
         "--planners", "wmmse", "--out", out, "--quiet"],
        capture_output=True, text=True, timeout=300, env=env, cwd=here,
    )  # fmt: skip
    _one_line(r, "is the current folder or holds it")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["here", "sub", "suite.yaml"]


def test_eval_never_deletes_files_a_report_did_not_write(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text(CLASSICAL)
    out = tmp_path / "rep"
    args = ["eval", "--suite", suite, "--planners", "wmmse", "--out", out, "--quiet"]
    assert _cli(*args).returncode == 0  # an old report: replaced by a new one, as before
    assert _cli(*args).returncode == 0
    (out / "notes.txt").write_text("mine")
    (out / "traces" / "keep.npy").write_bytes(b"mine too")
    _one_line(_cli(*args), "holds files a report did not write (notes.txt, traces/keep.npy)")
    assert (out / "notes.txt").read_text() == "mine" and (out / "traces" / "keep.npy").exists()


def test_a_failed_task_keeps_the_finished_and_resume_runs_only_the_missing(
    tmp_path, monkeypatch, capsys
):
    """A fault inside one task (d2d-3/fp on seed 3: the episode raises) loses nothing else: the
    report is written marked incomplete with every finished row and trace, and --resume runs
    that one task and ends with the report of an uninterrupted run."""
    import wireless_agents.planners.episode as episode
    from wireless_agents.demos.cli import main
    from wireless_agents.planners.episode.checkpoint import package_version

    suite = tmp_path / "suite.yaml"
    suite.write_text(CLASSICAL)
    args = ["eval", "--suite", str(suite), "--planners", "wmmse,oracle,fp", "--quiet",
            "--workers", "1"]  # fmt: skip
    ref = tmp_path / "ref"
    assert main([*args, "--out", str(ref)]) == 0
    capsys.readouterr()

    real = episode.run_episode
    ran, fault = [], [True]

    def faulty(settings, **kw):  # the fault: one task's episode raises mid-run
        ran.append((settings["planner"], settings["seed"]))
        if fault[0] and settings["planner"] == "fp" and settings["seed"] == 3:
            raise RuntimeError("injected fault: the episode died\nsecond line")
        return real(settings, **kw)

    monkeypatch.setattr(episode, "run_episode", faulty)
    out = tmp_path / "rep"
    assert main([*args, "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert "INCOMPLETE report: 1 task(s) missing (d2d-3/fp@3: RuntimeError: injected fault" in (
        printed.out
    )
    assert "report INCOMPLETE" in printed.err and "--resume" in printed.err
    doc = json.loads((out / "report.json").read_text())
    assert doc["incomplete"] is True
    assert doc["missing"] == [{"task": "d2d-3/fp@3", "trace": "d2d-3__fp__seed3.json",
                               "error": "RuntimeError: injected fault: the episode died"}]  # fmt: skip
    traces = sorted(p.name for p in (out / "traces").iterdir())
    assert len(traces) == 8 and "d2d-3__fp__seed3.json" not in traces
    rows = {(r["scenario"], r["planner"]): r for r in doc["results"]}
    assert rows["d2d-3", "fp"]["seeds"] == [2] and rows["gauss-4", "fp"]["n_seeds"] == 1
    # a fresh run on it would throw the finished work away: refused
    assert main([*args, "--out", str(out)]) == 2
    assert "holds an incomplete report: add --resume" in capsys.readouterr().err

    # a report begun by another version of the package is not finished by this one: its traces
    # may mean something else (e.g. another default prompt layout)
    assert doc["version"] == package_version()
    (out / "report.json").write_text(json.dumps(doc | {"version": "0.0.1"}))
    ran.clear()
    assert main([*args, "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "was begun by wireless-agents 0.0.1; this is" in err
    assert ran == [] and json.loads((out / "report.json").read_text())["version"] == "0.0.1"
    (out / "report.json").write_text(json.dumps(doc))

    ran.clear()
    fault[0] = False  # the fault is gone: the resume finishes the report
    assert main([*args, "--out", str(out), "--resume"]) == 0
    assert ran == [("fp", 3)]  # only the missing task ran
    a = json.loads((ref / "report.json").read_text())
    b = json.loads((out / "report.json").read_text())
    assert "incomplete" not in b and b["resumed_tasks"] == 1
    assert _without_timings(b["results"]) == _without_timings(a["results"])
    assert b["totals"] == a["totals"]
    for p in (ref / "traces").iterdir():
        assert _trace(out / "traces" / p.name) == _trace(p)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in ref.iterdir())
    assert main([*args, "--out", str(out), "--resume"]) == 2  # complete: nothing to resume


# -- load: a long checkpointed run killed at random points ------------------------------------


def test_soak_200_slots_killed_three_times_end_with_the_uninterrupted_trace(tmp_path):
    """wmmse over 200 slots with a checkpoint, SIGKILLed at three seeded random points (real
    processes) and resumed: the same trace as an uninterrupted run. The LLM team's 20-slot
    variant and the memory measurement are the benchmark demos/benchmarks/soak.py (README)."""
    from wireless_agents.demos.benchmarks.soak import VARIANTS, kill_and_resume, run

    flags, steps = VARIANTS["classical"]
    assert steps == 200
    ref, out, db = tmp_path / "ref.json", tmp_path / "resumed.json", tmp_path / "run.sqlite"
    run([*flags, "--steps", steps, "--out", ref])
    at = kill_and_resume([*flags, "--steps", steps], db, out, kills=3, seed=7)
    assert len(at) == 3 and at == sorted(at) and 0 < at[0] and at[-1] < steps  # mid-run kills
    assert _trace(out) == _trace(ref)


@pytest.mark.parametrize("rows", [1, 2])
def test_a_run_killed_before_its_first_slot_resumes(tmp_path, rows):
    """A run that died before slot 0 was decided, right after LangGraph wrote its input
    checkpoint (``rows=1``; it raised KeyError on resume before) or the next one, the input
    applied (``rows=2``). The file is left exactly as a SIGKILL at that moment leaves it (the
    run registered, those rows committed, no node run): the graph is stopped before its first
    node by LangGraph's own ``interrupt_before`` (it has then written both rows; for ``rows=1``
    the later one is removed, as if the kill fell between the two commits). Deterministic: a
    SIGKILL timed by polling the file landed at either point, at random."""
    from wireless_agents.demos.cli import build_parser
    from wireless_agents.demos.commands.episode import _settings
    from wireless_agents.planners.episode.checkpoint import open_checkpoint
    from wireless_agents.planners.episode.graph import build_episode_graph, initial_state

    cmd = ["episode", "--quiet", "--agents", "3", "--steps", "1", "--rounds", "1",
           "--max-tokens", "32"]  # fmt: skip
    ref, out, db = tmp_path / "ref.json", tmp_path / "r.json", tmp_path / "run.sqlite"
    assert _cli(*cmd, "--out", ref).returncode == 0
    settings = _settings(build_parser().parse_args(cmd))
    with open_checkpoint(db, resume=False) as ck:
        run = ck.new_run(settings)
        graph = build_episode_graph(settings, checkpointer=ck.saver)
        config = {"configurable": {"thread_id": run.thread_id}}
        for _ in graph.stream(initial_state(settings), config, interrupt_before=["sense"]):
            pass
    with sqlite3.connect(db) as c:
        ids = [
            i for (i,) in c.execute("SELECT checkpoint_id FROM checkpoints ORDER BY checkpoint_id")
        ]
        assert len(ids) == 2  # the input, then the input applied (next: sense)
        for later in ids[rows:]:
            c.execute("DELETE FROM writes WHERE checkpoint_id = ?", (later,))
            c.execute("DELETE FROM checkpoints WHERE checkpoint_id = ?", (later,))
    r = _cli("episode", "--quiet", "--checkpoint", db, "--resume", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "at slot 0 of 1" in r.stderr and _trace(out) == _trace(ref)
