"""`wagents eval`: the real model and real graphs on a tiny suite, the Ray path, the error paths
(one line, exit 2, no report folder) and an interrupted run (no half report)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from wireless_agents.demos.cli import main

ROOT = Path(__file__).resolve().parents[1]

# Two links of a d2d drop; one intent of each kind, both feasible on these channels.
TINY = """
suite: tiny
scenarios:
  - name: two-links
    env: {topology: d2d, agents: 2, seed: 5}
    steps: 1
    planner_options: {rounds: 1, max_tokens: 40}
    intents:
      - text: "Link 1 has to deliver 2 bit/s/Hz or more."
        check: {agent: 1, min_rate: 2.0}
      - text: "Limit transmitter 0 to 0.3 of its maximum power."
        check: {agent: 0, max_power_frac: 0.3}
"""

CLASSICAL = """
suite: classical
scenarios:
  - name: d2d-3
    env: {topology: d2d, agents: 3, seed: 2}
    steps: 2
    intents:
      - text: "Link 2 needs 1 bit/s/Hz."
        check: {agent: 2, min_rate: 1.0}
  - name: gauss-4
    env: {topology: gaussian, agents: 4, seed: 0}
    steps: 2
"""


def _suite(tmp_path, text, name="suite.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def _cli(*args, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "wireless_agents.demos.cli", *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
    )  # fmt: skip


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_eval_end_to_end_with_the_bundled_model(tmp_path, capsys):
    suite = _suite(tmp_path, TINY)
    out = tmp_path / "report"
    code = main(["eval", "--suite", str(suite), "--planners", "llm,wmmse,oracle,maxpower",
                 "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "two-links" in printed and "oracle" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == ["intent_satisfaction.png", "overhead.png", "report.csv", "report.json",
                     "sum_rate.png", "traces"]  # fmt: skip
    for png in ("sum_rate.png", "intent_satisfaction.png", "overhead.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _leftovers(tmp_path) == []

    doc = json.loads((out / "report.json").read_text())
    assert doc["suite"] == "tiny" and doc["planners"] == ["llm", "wmmse", "oracle", "maxpower"]
    rows = {r["planner"]: r for r in doc["results"]}
    assert list(rows) == ["llm", "wmmse", "oracle", "maxpower"]
    need = {"scenario", "planner", "mean_sum_rate", "ratio_to_wmmse", "intent_satisfaction",
            "infeasible", "messages", "message_bytes", "llm_tokens", "llm_seconds",
            "wall_seconds"}  # fmt: skip
    for r in rows.values():
        assert need <= set(r) and r["scenario"] == "two-links" and r["checks"] == 2
        # same channels for every planner: the same WMMSE reference
        assert r["wmmse_mean_sum_rate"] == pytest.approx(rows["wmmse"]["mean_sum_rate"])
        assert r["ratio_to_wmmse"] == pytest.approx(r["mean_sum_rate"] / r["wmmse_mean_sum_rate"])
        assert r["infeasible"] == 0
    # the oracle meets every feasible check; the LLM row counts its model work
    assert rows["oracle"]["intent_satisfaction"] == 1.0
    assert rows["oracle"]["ratio_to_oracle"] == 1.0 and rows["oracle"]["met_of_oracle"] == 1.0
    llm = rows["llm"]
    assert llm["llm_tokens"] > 0 and llm["llm_seconds"] > 0 and llm["model"] == "smollm2"
    assert llm["intents_read"] is not None and 0.0 <= llm["intent_satisfaction"] <= 1.0
    assert rows["wmmse"]["llm_tokens"] == 0 and rows["wmmse"]["messages"] == 0
    # the operator's intents are the checks; a scenario's own intent (zou's floors) is not here
    assert all(r["scenario_floors_met"] is None for r in rows.values())
    # max power breaks the 0.3 cap of link 0 in every slot
    assert rows["maxpower"]["intent_satisfaction"] <= 0.5

    trace = json.loads((out / "traces" / "two-links__llm.json").read_text())
    parsed = trace["settings"]["parsed_intents"]
    assert [p["text"] for p in parsed] == [
        "Link 1 has to deliver 2 bit/s/Hz or more",
        "Limit transmitter 0 to 0.3 of its maximum power",
    ]
    op = trace["summary"]["operator_intents"]
    assert llm["llm_tokens"] == trace["summary"]["llm_tokens"] + op["parse_tokens"]
    assert op["parse_tokens"] > 0 and "validation" in trace["steps"][0]

    with open(out / "report.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["planner"] for r in table] == list(rows)
    for r in table:
        assert float(r["mean_sum_rate"]) == pytest.approx(rows[r["planner"]]["mean_sum_rate"])
        assert int(r["llm_tokens"]) == rows[r["planner"]]["llm_tokens"]


def test_oracle_meets_feasible_checks_that_wmmse_misses(tmp_path):
    """Classical only: the oracle meets what is feasible; WMMSE is intent-blind."""
    suite = _suite(tmp_path, CLASSICAL)
    out = tmp_path / "rep"
    code = main(["eval", "--suite", str(suite), "--planners", "wmmse,oracle,best",
                 "--out", str(out), "--quiet", "--workers", "2"])  # fmt: skip
    assert code == 0
    rows = json.loads((out / "report.json").read_text())["results"]
    by = {(r["scenario"], r["planner"]): r for r in rows}
    o = by[("d2d-3", "oracle")]
    assert o["checks"] == 2 and o["checks_met"] == o["checks"] - o["infeasible"]
    assert by[("gauss-4", "oracle")]["intent_satisfaction"] is None  # no intents
    # without constraints the oracle is the `best` solver on the same channels
    assert by[("gauss-4", "oracle")]["mean_sum_rate"] == pytest.approx(
        by[("gauss-4", "best")]["mean_sum_rate"]
    )
    # --scenarios runs a part of the suite, with the same figures as in the whole
    part = tmp_path / "part"
    code = main(["eval", "--suite", str(suite), "--planners", "wmmse,oracle,best",
                 "--scenarios", "gauss-4", "--out", str(part), "--quiet"])  # fmt: skip
    assert code == 0
    rows = json.loads((part / "report.json").read_text())["results"]
    assert {r["scenario"] for r in rows} == {"gauss-4"}
    for r in rows:
        assert r["mean_sum_rate"] == by[("gauss-4", r["planner"])]["mean_sum_rate"]


def test_ray_gives_the_same_report(tmp_path):
    pytest.importorskip("ray", reason="the dev extra installs ray")
    suite = _suite(tmp_path, CLASSICAL)
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert main(["eval", "--suite", str(suite), "--planners", "wmmse,oracle",
                 "--out", str(local), "--quiet", "--workers", "1"]) == 0  # fmt: skip
    assert main(["eval", "--suite", str(suite), "--planners", "wmmse,oracle",
                 "--out", str(remote), "--quiet", "--ray"]) == 0  # fmt: skip
    a = json.loads((local / "report.json").read_text())
    b = json.loads((remote / "report.json").read_text())
    assert a["runner"] == "local" and b["runner"] == "ray"
    assert _without_timings(a["results"]) == _without_timings(b["results"])  # per seed too


# Two seeds-lists, a weighted scenario, a max-min one with a device profile (classical only).
SEEDED = """
suite: seeded
scenarios:
  - name: plain
    env: {topology: d2d, agents: 4}
    seeds: [21, 22, 23]
    steps: 2
    intents:
      - text: "Link 1 needs 1 bit/s/Hz."
        check: {agent: 1, min_rate: 1.0}
  - name: weighted
    env: {topology: gaussian, agents: 3, seed: 5}
    seeds: [5, 6, 7]
    steps: 2
    intents:
      - text: "Link 0 counts twice."
        check: {agent: 0, weight: 2}
  - name: fair
    env: {topology: d2d, agents: 4}
    seeds: [8, 9, 10]
    steps: 1
    intents:
      - text: "Raise the worst link."
        check: {objective: max_min}
    devices:
      2: {text: "a sensor", check: {agent: 2, min_rate: 0.1, max_power_frac: 0.5}}
"""

TIMING = ("wall_seconds", "llm_seconds", "created")


def _without_timings(x):
    if isinstance(x, dict):
        return {k: _without_timings(v) for k, v in x.items() if k not in TIMING}
    if isinstance(x, list):
        return [_without_timings(v) for v in x]
    return x


def test_seeds_give_means_and_seeded_intervals(tmp_path):
    """Every planner runs on every seed; a row is the mean over them with a bootstrap interval
    that holds the mean; the same suite gives the same report (intervals included)."""
    suite = _suite(tmp_path, SEEDED)
    reports = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["eval", "--suite", str(suite), "--planners", "wmmse,oracle,best",
                     "--out", str(out), "--quiet", "--workers", "2"]) == 0  # fmt: skip
        reports.append(json.loads((out / "report.json").read_text()))
    a, b = reports
    assert _without_timings(a["results"]) == _without_timings(b["results"])
    assert a["totals"] == b["totals"]
    rows = {(r["scenario"], r["planner"]): r for r in a["results"]}
    assert len(rows) == 9 and all(r["n_seeds"] == 3 for r in rows.values())
    traces = sorted(p.name for p in (tmp_path / "a" / "traces").iterdir())
    assert len(traces) == 27 and "plain__wmmse__seed22.json" in traces
    for r in rows.values():
        runs = r["per_seed"]
        assert [x["seed"] for x in runs] == r["seeds"] and len(runs) == 3
        for key in ("mean_sum_rate", "utility", "intent_satisfaction"):
            vals = [x[key] for x in runs if x[key] is not None]
            if not vals:
                assert r[key] is None and r[f"{key}_ci"] is None
                continue
            assert r[key] == pytest.approx(sum(vals) / len(vals))
            lo, hi = r[f"{key}_ci"]
            assert min(vals) - 1e-12 <= lo <= r[key] <= hi <= max(vals) + 1e-12
        # a ratio is the ratio of the means over the same seeds (the oracle's here)
        oracle = rows[r["scenario"], "oracle"]["per_seed"]
        mean = sum(x["mean_sum_rate"] for x in runs) / sum(x["mean_sum_rate"] for x in oracle)
        assert r["ratio_to_oracle"] == pytest.approx(mean)
        lo, hi = r["ratio_to_oracle_ci"]
        assert lo <= r["ratio_to_oracle"] <= hi
        assert r["checks"] == sum(x["checks"] for x in runs)
    # the seeds differ (different channels), so a sum-rate interval has width
    lo, hi = rows["plain", "wmmse"]["mean_sum_rate_ci"]
    assert hi > lo
    # objectives: sum-rate utility is the sum-rate; weights and max-min score by their utility
    plain = rows["plain", "best"]
    assert plain["objective"] == "sum_rate"
    assert plain["utility"] == pytest.approx(plain["mean_sum_rate"])
    assert rows["weighted", "wmmse"]["objective"] == "weighted_sum_rate"
    assert rows["weighted", "wmmse"]["checks"] == 0  # a weight is not a check
    assert rows["fair", "wmmse"]["objective"] == "max_min"
    # the device's floor and cap are two checks per slot (1 slot, 3 seeds)
    assert rows["fair", "wmmse"]["checks"] == 6
    # the oracle of a scenario with weights or max-min is solved for that objective
    for sc in ("weighted", "fair"):
        o = rows[sc, "oracle"]
        assert o["ratio_to_oracle_utility"] == 1.0
        for x, y in zip(o["per_seed"], rows[sc, "best"]["per_seed"], strict=True):
            assert x["utility"] >= y["utility"] - 1e-6  # at least the sum-rate solver's
    # the sum-rate scenario's oracle runs as before: constrained best, meeting what is feasible
    o = rows["plain", "oracle"]
    assert o["checks_met"] == o["checks"] - o["infeasible"]
    with open(tmp_path / "a" / "report.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == 9
    first = table[0]
    assert float(first["utility_lo"]) == pytest.approx(rows["plain", "wmmse"]["utility_ci"][0])
    assert first["objective"] == "sum_rate" and first["n_seeds"] == "3"


def test_one_seed_interval_is_the_point(tmp_path):
    suite = _suite(tmp_path, CLASSICAL)
    out = tmp_path / "rep"
    assert main(["eval", "--suite", str(suite), "--planners", "wmmse,oracle",
                 "--out", str(out), "--quiet", "--workers", "1"]) == 0  # fmt: skip
    for r in json.loads((out / "report.json").read_text())["results"]:
        assert r["n_seeds"] == 1 and r["mean_sum_rate_ci"] == [r["mean_sum_rate"]] * 2
        assert r["utility"] == pytest.approx(r["mean_sum_rate"])  # a sum-rate scenario
        assert {k: v for k, v in r["per_seed"][0].items() if k != "seed"}.items() <= r.items()
    assert sorted(p.name for p in (out / "traces").iterdir())[0] == "d2d-3__oracle.json"


def test_bootstrap_interval_is_seeded_and_holds_the_mean():
    from wireless_agents.demos.evaluate.scoring import bootstrap_interval

    values = [1.0, 4.0, 2.5, 3.0, 0.7, 5.2, 3.3, 1.9, 2.2, 4.4, 0.1, 3.8]
    lo, hi = bootstrap_interval(values)
    assert bootstrap_interval(values) == [lo, hi]
    assert min(values) <= lo < sum(values) / len(values) < hi <= max(values)
    assert bootstrap_interval([2.0]) == [2.0, 2.0] and bootstrap_interval([]) is None
    assert bootstrap_interval(values, seed=1) != [lo, hi]  # the seed is what makes it repeat


def test_a_rows_ratios_are_ratios_of_means_over_its_seeds():
    """A max-min oracle near 0 on one seed must not decide the row: the row's ratio to the
    oracle is the planner's mean over the oracle's, on the seeds both ran (the mean of the
    per-seed ratios here would be 50.5)."""
    from wireless_agents.demos.evaluate.scoring import _ratios_of_means

    def run(planner, seed, utility, rate):
        return {"planner": planner, "scenario": "s", "seed": seed,
                "utility": utility, "mean_sum_rate": rate, "wmmse_mean_sum_rate": 2 * rate}  # fmt: skip

    oracle = [run("oracle", 1, 1.0, 10.0), run("oracle", 2, 0.01, 10.0)]  # seed 3: none
    mine = [run("llm", 1, 0.0, 5.0), run("llm", 2, 1.0, 15.0), run("llm", 3, 9.0, 1.0)]
    by_ref = {(r["planner"], r["scenario"], r["seed"]): r for r in oracle + mine}
    row = {}
    _ratios_of_means(row, mine, by_ref)
    assert row["ratio_to_oracle_utility"] == pytest.approx(0.5 / 0.505)  # seeds 1, 2 only
    assert row["ratio_to_oracle"] == pytest.approx(1.0)
    assert row["ratio_to_wmmse"] == pytest.approx(0.5)  # its own runs' WMMSE, all three seeds
    lo, hi = row["ratio_to_oracle_utility_ci"]
    assert 0.0 <= lo <= row["ratio_to_oracle_utility"] <= hi <= 100.0
    _ratios_of_means(row, mine, {})  # no oracle ran: no ratio to it
    assert row["ratio_to_oracle"] is None and row["ratio_to_oracle_utility_ci"] is None


BAD_YAML = "suite: x\nscenarios: [\n"
BAD_TOPOLOGY = "suite: x\nscenarios: [{name: a, env: {topology: mars}}]\n"
BAD_OPTION = "suite: x\nscenarios: [{name: a, env: {topology: d2d}, planner_options: {warp: 9}}]\n"


@pytest.mark.parametrize(
    "suite_text, planners, expect",
    [
        (BAD_YAML, "wmmse", "not valid YAML"),
        (BAD_TOPOLOGY, "wmmse", "unknown topology 'mars'"),
        (BAD_OPTION, "wmmse", "planner_options.warp: unknown option"),
        (CLASSICAL, "wmmse,telepathy", "unknown planner 'telepathy'"),
        (None, "wmmse", "suite file not found"),
        (SEEDED.replace("weight: 2", "priority: 2"), "wmmse", "check.priority: unknown check kind"),
        (SEEDED.replace("max_min", "happiness"), "wmmse", "unknown objective 'happiness'"),
        (SEEDED.replace("2: {text", "7: {text"), "wmmse", "devices.7: device 7 does not exist"),
        (SEEDED.replace("weight: 2", "weight: -2"), "wmmse", "weight: must be a non-negative"),
        (SEEDED.replace("[21, 22, 23]", "[]"), "wmmse", "seeds: needs a non-empty list"),
        (SEEDED.replace("[21, 22, 23]", "[21, x]"), "wmmse", "seeds[1]: expected an integer"),
        (CLASSICAL, "wmmse --scenarios nowhere", "--scenarios: unknown scenario 'nowhere'"),
    ],
)
def test_errors_are_one_line_exit_2_and_leave_nothing(tmp_path, suite_text, planners, expect):
    suite = _suite(tmp_path, suite_text) if suite_text else tmp_path / "missing.yaml"
    out = tmp_path / "report"
    planners, *extra = planners.split()
    r = _cli("eval", "--suite", str(suite), "--planners", planners, *extra, "--out", str(out))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wagents: error:") and expect in lines[0]
    assert "Traceback" not in r.stderr and not out.exists() and _leftovers(tmp_path) == []


def test_interrupted_run_leaves_no_half_report(tmp_path):
    slow = "suite: slow\nscenarios:\n" + "".join(
        f"  - {{name: s{n}, env: {{topology: d2d, agents: 12, seed: {n}}}, steps: 400}}\n"
        for n in range(4)
    )
    suite = _suite(tmp_path, slow)
    out = tmp_path / "report"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # the run starts with Ctrl-C at its default, whatever this process inherited or was set to
    # (a child of a process that ignores SIGINT ignores it too, and Python then installs no
    # KeyboardInterrupt handler: seen twice in full fresh-clone runs, never alone)
    inherited = signal.getsignal(signal.SIGINT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "wireless_agents.demos.cli", "eval", "--suite", str(suite), "--planners",
         "best,fp", "--out", str(out), "--quiet", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 120
    while not children.read_text().split():  # the pool's workers exist: the grid is running
        assert proc.poll() is None and time.monotonic() < deadline, "the run never started"
        time.sleep(0.2)
    time.sleep(3.0)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, (
        proc.returncode,
        err[-500:],
        inherited,
    )
    assert not out.exists() and _leftovers(tmp_path) == []


def test_episode_reads_intents_once_and_records_them(model):
    """The episode's intent flow (settings["intents"]) with the real model and a classical
    planner: the parse is in the trace, the constraints reach the planner, every slot says
    which held, and the parse is kept in the settings (a resume would not re-read it)."""
    from wireless_agents.planners.episode import default_settings, run_episode

    s = default_settings(planner="best", agents=3, steps=2, seed=4,
                         intents=["Link 2 has to deliver 1 bit/s/Hz or more."])  # fmt: skip
    t = run_episode(s, backend=model)
    parsed = t["settings"]["parsed_intents"]
    assert len(parsed) == 1 and parsed[0]["tokens"] > 0 and parsed[0]["raw"]
    op = t["summary"]["operator_intents"]
    assert op["intents"] == s["intents"] and op["parse_tokens"] == parsed[0]["tokens"]
    assert all(len(x["constraints_met"]) == 1 for x in t["steps"])
    held = sum(x["constraints_met"][0] for x in t["steps"])
    assert t["summary"]["intent_satisfaction"] == {
        "kind": "operator", "held": held, "checks": 2, "fraction": held / 2
    }  # fmt: skip
    if parsed[0].get("kind") == "min_rate":  # what the model read is what the planner kept
        floor = parsed[0]["value"]
        assert all(x["rates"][parsed[0]["agent"]] >= floor - 1e-6 for x in t["steps"]) == (
            op["constraints_met"] == 1.0
        )
