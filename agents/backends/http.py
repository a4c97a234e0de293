"""OpenAI-compatible HTTP backend: a model served on another machine.

Works with llama.cpp's server (``python -m llama_cpp.server``, ``llama-server``), vLLM and Ollama.
Requests use ``/v1/chat/completions`` and ``/v1/completions``. A JSON schema is sent both as
``response_format = {"type": "json_object", "schema": ...}`` (llama-cpp-python's server, which
turns it into a grammar) and as vLLM's ``guided_json``; ``/v1/completions`` of llama-cpp-python's
server ignores ``response_format``, so raw completions also carry the schema as a GBNF ``grammar``
(llama.cpp's servers read it). The GBNF is built here, by llama-cpp-python's converter, so a bad
schema is a :class:`SchemaError` before any request, as with the local backends (a server would
often ignore it and answer unconstrained). A server ignoring all of these still returns text that
our validator checks, so output is never trusted blindly.

Requests use the standard library only (``urllib``). A server that fails is a :class:`BackendError`,
which the agent turns into a safe fallback action, and it costs a bounded time:

- :meth:`OpenAIHTTPBackend.probe`: one short request (``GET /v1/models`` within
  ``probe_timeout`` s; any HTTP answer counts as alive) when the model is loaded
  (:func:`~wireless_agents.agents.models.load_model`), so a dead or silent server fails at once;
- ``timeout`` bounds a call's whole time (connect, send, wait, read), not each socket operation:
  a server trickling its answer byte by byte is cut at the deadline;
- an answer larger than ``max_response_bytes`` is an error (read no further);
- circuit breaker: after ``max_failures`` calls in a row failed, every later call raises
  :class:`BackendError` at once without contacting the server (the agents fall back, their
  ``fallback`` reason says so); a new backend (a new process, or ``load_model`` with other
  options) tries again. ``max_failures = 0`` turns the breaker off;
- a loopback server (``localhost``, ``127.0.0.0/8``, ``::1``) is reached directly, never through
  the user's ``http_proxy``; other hosts honour the proxy settings of the environment.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wireless_agents.agents.backends.base import (
    BackendError,
    Completion,
    GenerationConfig,
    ModelBackend,
    SchemaError,
)

MAX_RESPONSE_BYTES = 4 * 2**20  # 4 MiB: a completion of a few hundred tokens is a few kB


@dataclass
class OpenAIHTTPBackend(ModelBackend):
    """Client of an OpenAI-compatible server at ``base_url`` (e.g. ``http://127.0.0.1:8080/v1``).

    ``timeout``: seconds one call may take in all; ``probe_timeout``: seconds of the load-time
    probe; ``max_failures``: failed calls in a row that open the circuit breaker (0: never);
    ``max_response_bytes``: the largest answer read (see the module).
    """

    base_url: str = ""
    remote_model: str = ""
    timeout: float = 60.0
    api_key: str = ""
    probe_timeout: float = 3.0
    max_failures: int = 3
    max_response_bytes: int = MAX_RESPONSE_BYTES
    _failures: int = field(default=0, repr=False)  # calls in a row that failed

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"

    # -- HTTP ---------------------------------------------------------------------------------
    def _fetch(self, path: str, body: dict | None = None, timeout: float | None = None) -> bytes:
        """The body of the server's answer to a GET (``body`` None) or a JSON POST of ``path``,
        within ``timeout`` s (default ``self.timeout``) in all; :class:`BackendError` if it
        cannot be had in time or is larger than ``max_response_bytes``."""
        timeout = self.timeout if timeout is None else timeout
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, headers=headers)
        watch = _Deadline(timeout)
        with watch:
            try:
                with self._opener(watch).open(req, timeout=timeout) as resp:
                    out = self._read(resp)
                if not watch.expired:  # a cut looks like the end of a close-delimited body
                    return out
            except BackendError:
                raise
            except urllib.error.HTTPError as exc:
                if not watch.expired:
                    detail = exc.read(200).decode(errors="replace")
                    raise BackendError(
                        f"server {self.base_url} answered {exc.code}: {detail}"
                    ) from exc
            except Exception as exc:  # refused, reset, cut at the deadline, bad status line...
                if not watch.expired:
                    raise BackendError(f"server {self.base_url} unreachable: {exc}") from exc
        raise BackendError(f"server {self.base_url} gave no full answer within {timeout:g} s")

    def _read(self, resp) -> bytes:
        """The body of ``resp``, at most ``max_response_bytes`` (else :class:`BackendError`)."""
        limit = self.max_response_bytes
        size = resp.headers.get("Content-Length", "")
        if size.isdigit() and int(size) > limit:
            raise BackendError(f"server {self.base_url} answered {int(size)} bytes (limit {limit})")
        out = resp.read(limit + 1)
        if len(out) > limit:
            raise BackendError(f"server {self.base_url} answered over {limit} bytes")
        return out

    def _opener(self, watch: _Deadline) -> urllib.request.OpenerDirector:
        """An opener whose connections ``watch`` cuts at its deadline; a loopback server is
        reached without the environment's proxy."""
        proxies = urllib.request.ProxyHandler({} if _loopback(self.base_url) else None)
        return urllib.request.build_opener(proxies, _HTTP(watch), _HTTPS(watch))

    def _post(self, path: str, body: dict) -> dict:
        try:
            return json.loads(self._fetch(path, body).decode())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackendError(f"server {self.base_url} sent non-JSON: {exc}") from exc

    def models(self) -> list[str]:
        """Model ids the server lists under ``/v1/models``."""
        try:
            return [m["id"] for m in json.loads(self._fetch("/models").decode()).get("data", [])]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackendError(f"server {self.base_url}: cannot list models ({exc})") from exc

    def probe(self) -> None:
        """One short request (``GET /v1/models`` within ``probe_timeout`` s): raises
        :class:`BackendError` when the server does not answer. Any HTTP answer, an error
        status included, shows a live server."""
        try:
            self._fetch("/models", timeout=self.probe_timeout)
        except BackendError as exc:
            if isinstance(exc.__cause__, urllib.error.HTTPError):
                return
            raise BackendError(f"model server does not answer: {exc}") from exc

    def _call(self, fn, payload, schema, config, session=None) -> Completion:
        """A model call behind the circuit breaker (see the module)."""
        if 0 < self.max_failures <= self._failures:
            self.usage.errors += 1
            raise BackendError(
                f"server {self.base_url} not called: its last {self._failures} calls failed "
                "(circuit open)"
            )
        try:
            out = super()._call(fn, payload, schema, config, session)
        except SchemaError:
            raise
        except BackendError:
            self._failures += 1
            raise
        self._failures = 0
        return out

    def _compile_schema(self, schema_json: str):
        """GBNF text for the schema (checked locally; servers may ignore a bad one silently)."""
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        return json_schema_to_gbnf(schema_json)

    def _body(self, schema, config: GenerationConfig) -> dict:
        body = {
            "max_tokens": config.max_tokens,
            "temperature": config.temperature,
            "seed": config.seed,
        }
        if self.remote_model:
            body["model"] = self.remote_model
        if config.stop:
            body["stop"] = list(config.stop)
        if schema is not None:
            self.grammar(schema)  # fail loudly on a bad schema, before any request
            body["response_format"] = {"type": "json_object", "schema": schema}
            body["guided_json"] = schema
        return body

    @staticmethod
    def _usage(r: dict) -> tuple[int, int]:
        u = r.get("usage") or {}
        return int(u.get("prompt_tokens") or 0), int(u.get("completion_tokens") or 0)

    def _chat(self, messages, schema, config) -> Completion:
        t0 = time.perf_counter()
        r = self._post("/chat/completions", {"messages": messages, **self._body(schema, config)})
        seconds = time.perf_counter() - t0
        try:
            choice = r["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"server {self.base_url}: malformed chat reply") from exc
        pt, ct = self._usage(r)
        return Completion(text, pt, ct, seconds, choice.get("finish_reason") or "stop", self.name)

    def _complete(self, prompt, schema, config) -> Completion:
        t0 = time.perf_counter()
        body = {"prompt": prompt, **self._body(schema, config)}
        if schema is not None:
            body["grammar"] = self.grammar(schema)
        r = self._post("/completions", body)
        seconds = time.perf_counter() - t0
        try:
            choice = r["choices"][0]
            text = choice["text"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"server {self.base_url}: malformed completion reply") from exc
        pt, ct = self._usage(r)
        return Completion(text, pt, ct, seconds, choice.get("finish_reason") or "stop", self.name)


def _loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (``localhost`` or a loopback address)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Deadline:
    """A whole request's deadline: a timer that, ``seconds`` after entering, shuts down every
    socket of the connections opened under it, so a blocked read returns at once. ``expired``:
    it fired."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._conns: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._cut)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def _cut(self) -> None:
        with self._lock:
            self.expired = True
            conns = list(self._conns)
        for conn in conns:
            _shutdown(conn.sock)

    def connected(self, conn) -> None:
        """Called by a connection once connected: watched from now on (cut now if too late)."""
        with self._lock:
            self._conns.append(conn)
            late = self.expired
        if late:
            _shutdown(conn.sock)
            raise TimeoutError("deadline passed while connecting")


def _shutdown(sock) -> None:
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _watched(base, watch: _Deadline):
    """``base`` (an ``http.client`` connection class) reporting each connection to ``watch``."""

    class Watched(base):
        def connect(self) -> None:
            super().connect()
            watch.connected(self)

    return Watched


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watch: _Deadline) -> None:
        super().__init__()
        self._conn = _watched(http.client.HTTPConnection, watch)

    def http_open(self, req):
        return self.do_open(self._conn, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Deadline) -> None:
        super().__init__()
        self._conn = _watched(http.client.HTTPSConnection, watch)

    def https_open(self, req):
        return self.do_open(self._conn, req, context=self._context)
