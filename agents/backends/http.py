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

Requests use the standard library only (``urllib``), with a timeout per request: a dead server is a
:class:`BackendError`, which the agent turns into a safe fallback action.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from wireless_agents.agents.backends.base import (
    BackendError,
    Completion,
    GenerationConfig,
    ModelBackend,
)


@dataclass
class OpenAIHTTPBackend(ModelBackend):
    """Client of an OpenAI-compatible server at ``base_url`` (e.g. ``http://127.0.0.1:8080/v1``)."""

    base_url: str = ""
    remote_model: str = ""
    timeout: float = 60.0
    api_key: str = ""

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"

    # -- HTTP ---------------------------------------------------------------------------------
    def _post(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read().decode())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:200]
            raise BackendError(f"server {self.base_url} answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise BackendError(f"server {self.base_url} unreachable: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise BackendError(f"server {self.base_url} sent non-JSON: {exc}") from exc

    def models(self) -> list[str]:
        """Model ids the server lists under ``/v1/models``."""
        req = urllib.request.Request(self.base_url + "/models")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return [m["id"] for m in json.loads(resp.read().decode()).get("data", [])]
        except (urllib.error.URLError, OSError, json.JSONDecodeError, KeyError) as exc:
            raise BackendError(f"server {self.base_url}: cannot list models ({exc})") from exc

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
