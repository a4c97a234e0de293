"""`wagents solve` end to end: the real CLI entry point on files in a temp folder."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from wireless_agents.demos.cli import main
from wireless_agents.environment.metrics import sum_rate
from wireless_agents.planners import solve, solve_detailed


def _gains(rng, shape):
    h = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
    return np.abs(h) ** 2


@pytest.fixture
def gains_file(tmp_path):
    g = _gains(np.random.default_rng(1), (6, 6))
    path = tmp_path / "g.npy"
    np.save(path, g)
    return path, g


def test_json_output_matches_library_and_writes_powers(gains_file, tmp_path, capsys):
    path, g = gains_file
    out = tmp_path / "p.npy"
    assert main(["solve", "--channels", str(path), "--out", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"algo", "powers", "sum_rate", "mean_sum_rate", "seconds"}
    assert doc["algo"] == "wmmse"
    expected = solve(g, algo="wmmse")
    np.testing.assert_allclose(doc["powers"], expected)
    np.testing.assert_allclose(np.load(out), expected)
    assert doc["sum_rate"] == pytest.approx(float(sum_rate(g, expected)))
    assert doc["mean_sum_rate"] == pytest.approx(doc["sum_rate"])


def test_batch_and_constraints(tmp_path, capsys):
    g = _gains(np.random.default_rng(2), (8, 4, 4))
    path = tmp_path / "gb.npy"
    np.save(path, g)
    rc = main(
        ["solve", "--channels", str(path), "--algo", "fp", "--no-save", "--json",
         "--max-power-frac", "1=0", "--p-max", "2", "--noise", "0.5"]
    )  # fmt: skip
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    p = np.array(doc["powers"])
    assert p.shape == (8, 4)
    assert np.all(p[:, 1] == 0) and np.all(p <= 2 + 1e-12)
    assert doc["mean_sum_rate"] == pytest.approx(np.mean(sum_rate(g, p, 0.5)))
    assert not (tmp_path / "powers.npy").exists()


def test_table_output(gains_file, tmp_path, capsys):
    path, _ = gains_file
    assert (
        main(["solve", "--channels", str(path), "--out", str(tmp_path / "p.npy"), "--algo", "best"])
        == 0
    )
    out = capsys.readouterr().out
    assert "sum-rate" in out and "rate (bit/s/Hz)" in out


@pytest.mark.parametrize(
    "content, message",
    [
        (np.array([[1.0, np.nan], [0.1, 1.0]]), "NaN"),
        (np.array([[1.0, -0.1], [0.1, 1.0]]), "negative"),
        (np.ones((3, 4)), "shape"),
        (np.ones((2, 2, 2, 2)), "shape"),
        (np.array([[1 + 1j, 0], [0, 1]]), "complex"),
        (np.array([["a", "b"], ["c", "d"]]), "expected real numbers"),
        (b"not numpy at all", "not a numpy .npy file"),
        (None, "not found"),
    ],
)
def test_bad_inputs_one_line_exit_2_nothing_written(tmp_path, content, message):
    path = tmp_path / "bad.npy"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        np.save(path, content)
    out = tmp_path / "out.npy"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wireless_agents.demos.cli",
            "solve",
            "--channels",
            str(path),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert not any(tmp_path.glob(".out.npy*"))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--algo", "nope"], "invalid choice"),
        (["--p-max", "0"], "--p-max"),
        (["--noise", "nan"], "--noise"),
        (["--min-rate", "7=1"], "link must be an index"),
        (["--min-rate", "x"], "LINK=VALUE"),
        (["--max-power-frac", "0=1.5"], "[0, 1]"),
        (["--out", "/nonexistent-dir/p.npy"], "output folder does not exist"),
        (["--objective", "fairness"], "invalid choice"),
        (["--weights", "1,2"], "one weight per link"),
        (["--weights", "1,x,1,1,1,1"], "comma-separated"),
        (["--weights", "1,-1,1,1,1,1"], ">= 0"),
        (["--weights", "1,1,1,1,1,inf"], ">= 0"),
        (["--weights", "3,1,1,1,1,1", "--objective", "max_min"], "weighted_sum_rate"),
    ],
)
def test_bad_flags(gains_file, tmp_path, capsys, argv, message):
    path, _ = gains_file
    args = ["solve", "--channels", str(path), *argv]
    if "--out" not in argv:
        args += ["--out", str(tmp_path / "p.npy")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "p.npy").exists()


def test_optimal_refuses_large_k(tmp_path, capsys):
    path = tmp_path / "big.npy"
    np.save(path, np.ones((30, 30)) + np.eye(30))
    assert main(["solve", "--channels", str(path), "--algo", "optimal", "--no-save"]) == 2
    err = capsys.readouterr().err
    assert "optimal" in err and "best" in err


def test_infeasible_min_rate_is_reported(tmp_path, capsys):
    g = np.array([[1.0, 0.9], [0.9, 1.0]])
    path = tmp_path / "g.npy"
    np.save(path, g)
    rc = main(
        [
            "solve",
            "--channels",
            str(path),
            "--json",
            "--no-save",
            "--min-rate",
            "0=5",
            "--min-rate",
            "1=5",
        ]
    )
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["feasible"] is False
    assert any("link 0" in v or "link 1" in v for v in doc["violations"])


@pytest.mark.parametrize(
    "argv, objective, algo",
    [
        ([], "sum_rate", "wmmse"),
        (["--weights", "3,1,1,1,1,2"], "weighted_sum_rate", "wmmse"),
        (["--objective", "max_min"], "max_min", "maxmin"),
        (["--objective", "min_power", "--min-rate", "0=0.3", "--min-rate", "4=0.2"], "min_power",
         "minpower"),
        (["--objective", "max_min", "--algo", "best"], "max_min", "best"),
    ],
)  # fmt: skip
def test_objectives_match_the_library(gains_file, capsys, argv, objective, algo):
    path, g = gains_file
    assert main(["solve", "--channels", str(path), "--no-save", "--json", *argv]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["objective"] == objective and doc["algo"] == algo
    kw = {}
    if "--weights" in argv:
        kw["weights"] = [3, 1, 1, 1, 1, 2]
    if "--min-rate" in argv:
        kw["min_rate"] = [0.3, np.nan, np.nan, np.nan, 0.2, np.nan]
    sol = solve_detailed(g, algo=algo, objective=objective, **kw)
    np.testing.assert_allclose(doc["powers"], sol.powers)
    assert doc["utility"] == pytest.approx(sol.utility)
    assert doc["mean_utility"] == pytest.approx(sol.utility)


def test_table_shows_the_objective(gains_file, capsys):
    path, _ = gains_file
    assert main(["solve", "--channels", str(path), "--no-save", "--objective", "max_min"]) == 0
    assert "worst link" in capsys.readouterr().out
