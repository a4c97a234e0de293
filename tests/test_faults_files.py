"""Files and input trusted no further than checked (issue 13, "Files trusted too much"): a
``.npy`` header is checked against its file before numpy allocates, a suite is checked whole
with bounds before any env is built, scenario names are safe file names and never rich markup,
and end of input at an approval prompt rejects the plan. The real CLI on real files; the
approval prompts in a real terminal (tmux)."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_demo import Tmux, needs_tmux
from wireless_agents.demos.cli import main
from wireless_agents.demos.suite import SuiteError, file_stem, load_suite

ROOT = Path(__file__).resolve().parents[1]


def _cli(*argv: str, env: dict | None = None, memory_gb: float | None = None):
    """``wagents ARGV`` in its own process (``memory_gb``: its address-space limit)."""

    def limit():
        if memory_gb is not None:
            n = int(memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (n, n))

    return subprocess.run(
        [sys.executable, "-m", "wireless_agents.demos.cli", *argv], capture_output=True,
        text=True, timeout=300, cwd=ROOT, env={**os.environ, **(env or {})}, preexec_fn=limit,
    )  # fmt: skip


# -- .npy channel files --------------------------------------------------------------------------


def _npy_with_header(path: Path, shape, data: bytes) -> None:
    buf = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    path.write_bytes(buf.getvalue() + data)


@pytest.mark.parametrize(
    "shape, data, expect",
    [
        ((100_000, 100_000), b"\0" * 64, "declares shape (100000, 100000)"),  # 80 GB declared
        (
            (3000, 3000),
            b"\0" * 64,
            "declares shape (3000, 3000) of float64 (72000000 bytes) but holds 64 bytes",
        ),  # fmt: skip
    ],
)
def test_npy_header_is_checked_before_the_data_is_read(tmp_path, shape, data, expect):
    path = tmp_path / "g.npy"
    _npy_with_header(path, shape, data)
    # 1 GB of address space: refused from the header, nothing near the declared size allocated
    r = _cli("solve", "--channels", str(path), "--no-save", memory_gb=1.0)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and expect in r.stderr, r.stderr


# -- suites: the whole file checked, with bounds, before any work ----------------------------------


def _suite(tmp_path, body: str, name: str = "s") -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(f"suite: {name}\nscenarios:\n{body}")
    return path


@pytest.mark.parametrize(
    "scenario, expect",
    [
        ("env: {topology: d2d, agents: 100000}",
         "scenarios[1].env.agents: must be at most 1000, got 100000"),
        ("env: {topology: gaussian, agents: 2}\n    planner_options: {tools: local_wmmse}",
         "scenarios[1].planner_options.tools: expected a list of tool names"),
        ("env: {topology: gaussian, agents: 2}\n    planner_options: {strategy: foo}",
         "scenarios[1].planner_options.strategy: unknown strategy 'foo' (choose negotiation,"),
        ("env: {topology: gaussian, agents: 2}\n    planner_options: {loss: 2}",
         "scenarios[1].planner_options.loss: must be in [0, 1], got 2"),
        ("env: {topology: gaussian, agents: 2}\n    planner_options: {rounds: 0}",
         "scenarios[1].planner_options.rounds: must be at least 1, got 0"),
        ("env: {topology: gaussian, agents: 2}\n    planner_options: {tools: [local_wmmse, x]}",
         "scenarios[1].planner_options.tools[1]: unknown tool 'x'"),
        ("env: {topology: gaussian, agents: 2}\n    planner_options: {temperature: hot}",
         "scenarios[1].planner_options.temperature: expected a number, got 'hot'"),
        ("env: {topology: gaussian, agents: 2}\n    steps: 10000000",
         "scenarios[1].steps: must be at most 100000"),
        ("env: {topology: gaussian, agents: 2}\n    seeds: [1, 99999999999]",
         "scenarios[1].seeds[1]: must be at most 4294967295"),
        ("env: {topology: gaussian, agents: 2, max_steps: 2}",
         "scenarios[1].env.max_steps: is set by the scenario's steps"),
        ("env: {topology: cellular, agents: 3, users_per_cell: 100000000}",
         "scenarios[1].env.users_per_cell: must be at most 16"),
    ],
)  # fmt: skip
def test_suite_is_checked_whole_before_any_work(tmp_path, scenario, expect):
    # the bad scenario comes second: the first would run if the file were checked lazily
    good = "  - name: first\n    env: {topology: gaussian, agents: 2}\n    steps: 1\n"
    steps = "" if "steps:" in scenario else "    steps: 1\n"
    suite = _suite(tmp_path, f"{good}  - name: second\n    {scenario}\n{steps}")
    out = tmp_path / "report"
    r = _cli("eval", "--suite", str(suite), "--planners", "tool,wmmse", "--out", str(out),
             "--workers", "1", "--quiet", memory_gb=3.0)  # fmt: skip
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.count("\n") == 1 and f"{suite}: {expect}" in r.stderr, r.stderr[-2000:]
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["suite.yaml"]


def test_the_shipped_suites_still_pass_the_checks():
    for path in sorted((ROOT / "demos" / "suites").glob("*.yaml")):
        from wireless_agents.demos.evaluate import PLANNER_OPTIONS

        assert load_suite(path, PLANNER_OPTIONS).scenarios


# -- scenario names: file names and rich output -------------------------------------------------


def test_scenario_names_never_share_a_trace_file(tmp_path, capsys):
    body = "".join(
        f"  - name: {json.dumps(n)}\n    env: {{topology: gaussian, agents: 2}}\n    steps: 1\n"
        for n in ("a/b", "a_b", "../up", "a b")
    )
    out = tmp_path / "report"
    assert main(["eval", "--suite", str(_suite(tmp_path, body)), "--planners", "wmmse",
                 "--out", str(out), "--workers", "1", "--quiet"]) == 0  # fmt: skip
    traces = sorted((out / "traces").iterdir())
    assert len(traces) == 4 and all(p.parent == out / "traces" for p in traces)
    stems = {p.name.split("__")[0] for p in traces}
    assert stems == {file_stem(n) for n in ("a/b", "a_b", "../up", "a b")} and "a_b" in stems
    assert not (tmp_path / "up__wmmse.json").exists()


def test_two_names_with_one_file_name_are_refused(tmp_path):
    clash = file_stem("a/b")  # a name spelled like another's file name
    body = "".join(f"  - name: {json.dumps(n)}\n    env: {{topology: gaussian}}\n"
                   for n in ("a/b", clash))  # fmt: skip
    with pytest.raises(SuiteError, match=r"scenarios\[1\]\.name: .* has the file name of 'a/b'"):
        load_suite(_suite(tmp_path, body))


def test_names_are_text_not_markup_in_the_table_and_the_progress_bar(tmp_path):
    # a terminal (FORCE_COLOR): the progress bar draws while the slow second scenario runs,
    # after the first one's name went into its description
    body = (
        '  - name: "x[/]"\n    env: {topology: gaussian, agents: 2}\n    steps: 1\n'
        "  - name: slow\n    env: {topology: gaussian, agents: 2}\n    steps: 150\n"
    )
    out = tmp_path / "report"
    r = _cli("eval", "--suite", str(_suite(tmp_path, body, name='"y[/]"')), "--planners",
             "wmmse", "--out", str(out), "--workers", "1", env={"FORCE_COLOR": "1", "COLUMNS": "300"})  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr and "MarkupError" not in r.stderr, r.stderr[-3000:]
    assert "suite y[/]: wmmse" in r.stdout and "│ x[/] " in r.stdout
    assert "x[/]/wmmse: 100% of WMMSE" in r.stderr  # drawn by the progress bar
    assert (out / "report.json").is_file()


# -- approval prompts fail closed ----------------------------------------------------------------


@needs_tmux
def test_end_of_input_at_the_episode_prompt_rejects_the_plan(tmp_path):
    out = tmp_path / "t.json"
    t = Tmux(tmp_path, ["episode", "--planner", "wmmse", "--agents", "2", "--steps", "2",
                        "--approve", "--out", str(out)])  # fmt: skip
    try:
        t.wait_for("slot 0: plan (fractions of p_max)", 60)
        t.keys("C-d")  # end of input: no one said yes
        t.wait_for("slot 0: end of input: plan rejected, last powers kept", 60)
        t.wait_for("slot 1: plan", 60)
        t.type("y")
        assert t.exit_code() == 0
    finally:
        t.kill()
    s0, s1 = json.loads(out.read_text())["steps"]
    assert s0["approval"] == {"approved": False, "by": "end of input"}
    assert s0["powers"] == [0.0, 0.0]  # nothing committed before: every link stays off
    assert s1["approval"] == {"approved": True, "by": "user"}


@needs_tmux
def test_end_of_input_in_the_demo_rejects_the_plan(tmp_path):
    out = tmp_path / "t.json"
    t = Tmux(tmp_path, ["demo", "--planner", "wmmse", "--agents", "2", "--steps", "1",
                        "--out", str(out)])  # fmt: skip
    try:
        t.wait_for("PAUSED: plan of slot 0", 60)
        t.keys("i")  # mid-line too: Ctrl-D drops the line and rejects
        t.wait_for("intent> ", 60)
        t.keys("C-d")
        t.wait_for("done, q quits", 60)
        t.keys("q")
        assert t.exit_code() == 0
    finally:
        t.kill()
    (s0,) = json.loads(out.read_text())["steps"]
    assert s0["approval"] == {"approved": False, "by": "end of input"}
