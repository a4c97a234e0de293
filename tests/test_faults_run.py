"""Runs degrade, never crash: failing tools, coordinator replies of the wrong shape, model
servers that are silent, slow, huge or behind the user's proxy.

Every part is the real one: our agents, graphs and episodes, our HTTP backend talking to a real
HTTP server on loopback (``http.server`` in a thread). The server plays a model server that
ignores the grammar: it answers every completion with the text it was given, or misbehaves
(``mode``): ``silent`` accepts and never answers, ``trickle`` answers one byte at a time,
``huge`` answers a body of many MiB.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from wireless_agents.agents.agent import AgentConfig, EdgeAgent
from wireless_agents.agents.backends.base import BackendError
from wireless_agents.agents.models import load_model
from wireless_agents.agents.rule_agent import RuleAgent
from wireless_agents.demos.cli import main
from wireless_agents.planners.episode import run_episode
from wireless_agents.planners.episode.settings import default_settings
from wireless_agents.tools import TOOLS, Tool, ToolError

HUGE = 6 * 2**20  # bytes: above the backend's 4 MiB limit


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        """Serve, and take a client that hangs up mid-answer (the backend refusing a huge body
        closes the connection) as the behaviour under test, not an error of the server."""
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _serve(self) -> None:
        srv = self.server
        srv.calls += 1
        if srv.mode == "silent":
            srv.stop.wait()
            return
        text = srv.content if srv.mode != "huge" else "x" * HUGE
        if self.path.endswith("/models"):
            body = {"data": [{"id": "stub"}]}
        else:
            body = {"choices": [{"message": {"content": text}, "text": text,
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 5}}  # fmt: skip
        data = json.dumps(body).encode()
        head = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
        if srv.length:
            head += b"Content-Length: %d\r\n" % len(data)
        raw = head + b"\r\n" + data
        if srv.mode != "trickle":
            self.wfile.write(raw)
            return
        for i in range(len(raw)):
            if srv.stop.wait(0.02):
                return
            self.wfile.write(raw[i : i + 1])


class Stub(ThreadingHTTPServer):
    """A model server on loopback: ``content`` its every answer, ``mode`` how it behaves,
    ``length`` whether it sends a Content-Length, ``calls`` the requests it got."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode, self.content, self.length, self.calls = "answer", "", True, 0
        self.stop = threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"


@pytest.fixture
def stub():
    srv = Stub()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()


def _http(stub, **options):
    """A fresh backend on ``stub`` (its own instance: the test's timeouts, its own breaker)."""
    return load_model(stub.url, **options)


def _raising(exc):
    def fn(view, **_):
        raise exc

    return Tool("boom", "a tool that fails", {"type": "object", "properties": {}}, fn)


# -- a tool that fails, or one that was not offered ------------------------------------------
@pytest.mark.parametrize("named", ["nonexistent", "min_power"])
def test_model_naming_a_tool_it_was_not_offered_falls_back(stub, view, named):
    stub.content = json.dumps({"tool": named})  # the server ignored the grammar's enum
    # two tools offered: the model chooses (with one, the agent calls it without asking)
    cfg = AgentConfig(tools=("wmmse_step", "what_if"))
    d = EdgeAgent(0, _http(stub, timeout=5.0), cfg).decide(view)
    assert d.fallback == f"tool not offered: {named!r}"
    assert d.tool_calls == [{"tool": named, "arguments": {}, "error": d.fallback}]
    assert d.power == pytest.approx(min(view.last_power, view.p_cap))
    assert len(d.calls) == 1  # no further model call, no tool run


@pytest.mark.parametrize("exc", [ToolError("bad view"), RuntimeError("solver diverged"),
                                 ZeroDivisionError("division by zero")])  # fmt: skip
def test_tool_that_raises_falls_back_with_its_error(stub, view, monkeypatch, exc):
    monkeypatch.setitem(TOOLS, "boom", _raising(exc))
    stub.content = json.dumps({"tool": "boom"})
    d = EdgeAgent(0, _http(stub, timeout=5.0), AgentConfig(tools=("boom",))).decide(view)
    assert d.fallback == f"tool error: boom: {type(exc).__name__}: {exc}"
    assert d.tool_calls == [{"tool": "boom", "arguments": {}, "error": d.fallback}]
    rule = RuleAgent(0, config=AgentConfig(tools=("boom",))).decide(view)
    assert rule.fallback == f"tool error: {exc}"
    assert rule.tool_calls == [{"tool": "boom", "arguments": {}, "error": str(exc)}]


def test_episodes_go_on_when_tools_fail_or_are_not_offered(stub, monkeypatch):
    monkeypatch.setitem(TOOLS, "boom", _raising(RuntimeError("solver diverged")))
    small = dict(agents=3, steps=2, rounds=1, max_tokens=32)
    t = run_episode(default_settings(**small, planner="tool", tools=["boom"]))
    reasons = [d["fallback"] for x in t["steps"] for d in x["decisions"]]
    assert reasons == ["tool error: solver diverged"] * 6
    stub.content = json.dumps({"tool": "nonexistent"})
    t = run_episode(default_settings(**small, model=stub.url, tools=["wmmse_step"]),
                    backend=_http(stub, timeout=5.0))  # fmt: skip
    reasons = [d["fallback"] for x in t["steps"] for d in x["decisions"]]
    assert reasons == ["tool not offered: 'nonexistent'"] * 6
    assert t["summary"]["fallbacks"] == 6


# -- a coordinator reply of the wrong shape ------------------------------------------------------
WRONG_SHAPES = ["[1, 2]", "7", '"yes"', "null", '{"accept": "no", "note": 5}']


@pytest.mark.parametrize("reply", WRONG_SHAPES)
def test_cloud_reply_of_the_wrong_shape_keeps_the_plan(stub, reply):
    stub.content = reply
    http = _http(stub, timeout=5.0)
    s = default_settings(agents=3, steps=1, strategy="cloud", cloud=True, cloud_model=stub.url)
    t = run_episode(s, backend=http, cloud_backend=http)
    (ev,) = [e for e in t["steps"][0]["events"] if e["type"] == "cloud_plan"]
    assert ev["accept"] is True  # the existing fallback: the solver's plan stands
    assert ev["note"].startswith("coordinator model unavailable: answer")
    assert np.all(np.asarray(t["steps"][0]["powers"]) > 0)


@pytest.mark.parametrize("reply", WRONG_SHAPES[:2])
def test_cluster_and_cloud_replies_of_the_wrong_shape_keep_the_plan(stub, reply):
    stub.content = reply  # the edge agents fall back too: every device goes up to L1
    http = _http(stub, timeout=5.0)
    s = default_settings(scenario="cellular", agents=4, steps=1, rounds=1, tools=[], tiers=3,
                         cluster_size=2, cloud=True, cloud_model=stub.url,
                         cluster_model=stub.url)  # fmt: skip
    t = run_episode(s, backend=http, cloud_backend=http, cluster_backend=http)
    step = t["steps"][0]
    requests = step["cluster_escalation"]["requests"]
    assert requests and all(r["accept"] for r in requests)
    assert all(r["note"].startswith("coordinator model unavailable: answer") for r in requests)
    for r in (step["escalation"] or {}).get("requests", []):
        assert r["accept"] and r["note"].startswith("coordinator model unavailable: answer")


# -- a model server that fails ---------------------------------------------------------------
def test_dead_or_silent_server_fails_at_load(stub):
    with Stub() as gone:  # a port where nothing listens any more: refused
        url = gone.url
    with pytest.raises(BackendError, match="does not answer"):
        load_model(url)
    stub.mode = "silent"
    t0 = time.perf_counter()
    with pytest.raises(BackendError, match="does not answer"):
        _http(stub, probe_timeout=0.5)
    assert time.perf_counter() - t0 < 2.0


def test_cli_with_a_silent_server_is_one_line_and_exit_2(stub, capsys, tmp_path):
    stub.mode = "silent"
    out = tmp_path / "trace.json"
    t0 = time.perf_counter()
    code = main(["episode", "--model", stub.url, "--agents", "2", "--steps", "1",
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and time.perf_counter() - t0 < 10
    assert err.count("\n") == 1 and "does not answer" in err and "Traceback" not in err
    assert not out.exists()


def test_trickling_server_is_cut_at_the_deadline(stub):
    http = _http(stub, timeout=1.0)  # probed while it answers at once
    stub.mode, stub.content = "trickle", json.dumps({"power": 0.5, "message": "ok"})
    t0 = time.perf_counter()
    with pytest.raises(BackendError, match="no full answer within 1 s"):
        http.chat([{"role": "user", "content": "hi"}])
    assert time.perf_counter() - t0 < 2.0  # the whole answer would take about 5 s


@pytest.mark.parametrize("length", [True, False])
def test_huge_answer_is_an_error(stub, length):
    http = _http(stub, timeout=10.0)
    stub.mode, stub.length = "huge", length
    with pytest.raises(BackendError, match="bytes"):
        http.chat([{"role": "user", "content": "hi"}])


def test_failing_server_opens_the_circuit_and_the_run_goes_on(stub):
    http = _http(stub, timeout=0.3)  # the breaker opens after 3 failures (the default)
    assert stub.calls == 1  # the probe
    stub.mode = "silent"
    t0 = time.perf_counter()
    s = default_settings(agents=3, steps=2, rounds=1, tools=[], model=stub.url)
    t = run_episode(s, backend=http)
    reasons = [d["fallback"] for x in t["steps"] for d in x["decisions"]]
    assert len(reasons) == 6 and all(r.startswith("model error") for r in reasons)
    assert ["circuit open" in r for r in reasons] == [False] * 3 + [True] * 3
    assert stub.calls == 1 + 3  # never called again after the third failure
    assert time.perf_counter() - t0 < 3 * 0.3 + 2.0
    assert http.usage.errors == 6


def test_loopback_server_is_reached_without_the_users_proxy(stub, monkeypatch):
    with Stub() as gone:  # a port where nothing listens any more: the "proxy"
        proxy = gone.url.removesuffix("/v1")
    for var in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(var, proxy)
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    # urllib's shared opener read the proxies when first built: as in a user's process, where
    # they are set from the start, let it read them now
    monkeypatch.setattr(urllib.request, "_opener", None)
    stub.content = "hello"
    assert _http(stub, timeout=5.0).chat([{"role": "user", "content": "hi"}]).text == "hello"
