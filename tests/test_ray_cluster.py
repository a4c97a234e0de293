"""`wagents eval --ray --ray-address` against a real multi-process Ray cluster on loopback.

The test starts a head and a second (worker) node with the venv's own ``ray`` binary (so their
workers import the installed package), each in a session of its own under one temporary
directory, runs a small model-free eval on the cluster and locally, compares the rows, and
stops exactly the processes it started (their process groups; never ``ray stop``, which would
stop every Ray on the machine) even when the eval fails. The cluster uses a fresh token of its
own (``RAY_AUTH_MODE=token``), so it neither reads nor needs anyone's saved Ray token.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="Ray is not installed (the dev extra installs it)")

from wireless_agents.demos.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TIMING = ("wall_seconds", "llm_seconds", "created")

# two tiny scenarios, model-free planners only
SUITE = """
suite: ray-cluster
scenarios:
  - name: d2d-3
    env: {topology: d2d, agents: 3, seed: 2}
    steps: 2
    intents:
      - text: "Link 2 needs 1 bit/s/Hz."
        check: {agent: 2, min_rate: 1.0}
  - name: d2d-5
    env: {topology: d2d, agents: 5, seed: 7}
    steps: 2
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_started(proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    """Wait until ``ray start`` says its node runs (it prints this once the node is registered
    with the head), or fail with the end of its log."""
    deadline = time.monotonic() + timeout
    while "Ray runtime started" not in log.read_text():
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.2)


def _without_timings(x):
    if isinstance(x, dict):
        return {k: _without_timings(v) for k, v in x.items() if k not in TIMING}
    if isinstance(x, list):
        return [_without_timings(v) for v in x]
    return x


def _stop(procs: list[subprocess.Popen]) -> None:
    """End the process groups of ``procs`` (each ``ray start --block`` leads its own session:
    GCS, raylet, agents and workers), politely, then for good."""
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 5.0
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)  # what the drain left (and any worker)
        except ProcessLookupError:
            pass
        p.wait()


@pytest.fixture
def cluster():
    """``(address, env)`` of a two-node Ray cluster on 127.0.0.1 (one CPU a node)."""
    tmp = tempfile.mkdtemp(prefix="wa-ray-", dir="/tmp")  # short: Ray's socket paths
    port = _free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
           "RAY_USAGE_STATS_ENABLED": "0"}  # fmt: skip
    common = ["--num-cpus=1", f"--temp-dir={tmp}", "--node-ip-address=127.0.0.1",
              "--disable-usage-stats", "--block"]  # fmt: skip
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        log = open(Path(tmp) / f"{name}.log", "w")  # noqa: SIM115 - the child writes it
        procs.append(subprocess.Popen([str(BIN / "ray"), "start", *args, *common], env=env,
                                      stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))  # fmt: skip

    try:
        start("head", "--head", f"--port={port}", "--include-dashboard=false")
        _wait_started(procs[0], Path(tmp) / "head.log")
        start("worker", f"--address=127.0.0.1:{port}")
        _wait_started(procs[1], Path(tmp) / "worker.log")  # the node has joined the head
        yield f"127.0.0.1:{port}", env
    finally:
        _stop(procs)
        shutil.rmtree(tmp, ignore_errors=True)


def test_eval_on_a_two_node_ray_cluster_gives_the_local_rows(tmp_path, cluster):
    address, env = cluster
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE)
    local, remote = tmp_path / "local", tmp_path / "ray"
    planners = "wmmse,tool"
    assert main(["eval", "--suite", str(suite), "--planners", planners,
                 "--out", str(local), "--quiet", "--workers", "1"]) == 0  # fmt: skip
    # the driver is a process of its own: its Ray client reads the cluster's token from env
    got = subprocess.run(
        [str(BIN / "wagents"), "eval", "--suite", str(suite), "--planners", planners,
         "--out", str(remote), "--quiet", "--ray", "--ray-address", address],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert got.returncode == 0, got.stderr[-3000:]
    a = json.loads((local / "report.json").read_text())
    b = json.loads((remote / "report.json").read_text())
    assert a["runner"] == "local" and b["runner"] == "ray"
    assert len(b["results"]) == 4
    assert _without_timings(a["results"]) == _without_timings(b["results"])
    # every task's trace came back from the cluster
    assert sorted(p.name for p in (remote / "traces").iterdir()) == sorted(
        p.name for p in (local / "traces").iterdir()
    )
