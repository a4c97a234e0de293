"""The one interface every model backend implements, and the accounting of its calls.

A backend wraps one loaded model. All agents that use the same model share one backend instance
(weights loaded once, see :mod:`agents.backends.registry`); its calls are serialized by a lock,
because one llama.cpp context is not thread-safe and one call already keeps its threads busy
(every core of an idle machine, half of a busy one, see :mod:`agents.backends.threads`);
parallel calls would only fight over the same cores.

Every call returns a :class:`Completion` that records prompt and completion tokens and wall
seconds; the backend also keeps running totals in :attr:`ModelBackend.usage`.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field


class BackendError(RuntimeError):
    """A model call failed (load error, server error, timeout). Agents degrade, runs go on."""


class SchemaError(ValueError):
    """A JSON schema could not be turned into a decoding constraint. Never silently ignored."""


@dataclass(frozen=True)
class Completion:
    """One model call.

    ``text`` is the generated text only (no prompt). ``seconds`` is wall time of the call,
    lock wait excluded. ``finish_reason`` is ``"stop"`` or ``"length"``. ``evaluated_tokens``:
    the tokens the model actually computed (the prompt after the part its cache already held,
    plus the generated ones); None when the backend cannot tell (then :attr:`evaluated` is the
    prompt plus the completion, as a backend without a prompt cache computes).
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    finish_reason: str = "stop"
    model: str = ""
    evaluated_tokens: int | None = None

    @property
    def evaluated(self) -> int:
        """Tokens computed by the call (see the class)."""
        if self.evaluated_tokens is not None:
            return self.evaluated_tokens
        return self.prompt_tokens + self.completion_tokens

    def json(self):
        """Parse ``text`` as JSON; raises ``ValueError`` on malformed output."""
        return json.loads(self.text)


@dataclass
class Usage:
    """Running totals of a backend's calls: counts, tokens and model seconds."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    errors: int = 0

    def add(self, c: Completion) -> None:
        self.calls += 1
        self.prompt_tokens += c.prompt_tokens
        self.completion_tokens += c.completion_tokens
        self.seconds += c.seconds

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict:
        return {**asdict(self), "tokens": self.tokens}


@dataclass
class GenerationConfig:
    """Sampling settings of one call. ``temperature = 0`` means greedy and is deterministic.

    ``draft``: the caller's guess of the answer's text (empty: none). A backend that can check a
    guess (llama.cpp, see :mod:`agents.backends.llama`) computes it in one batch with the prompt
    and keeps only tokens the model itself chooses there (from batch logits: a near tie can
    tip, see that module); a right guess is cheaper. Others ignore it.
    """

    max_tokens: int = 64
    temperature: float = 0.0
    seed: int = 0
    stop: tuple[str, ...] = ()
    draft: str = ""


@dataclass
class ModelBackend(ABC):
    """A loaded model behind a lock. Subclasses implement :meth:`_chat` and :meth:`_complete`.

    ``name`` is the model's short name (``smollm2``), ``kind`` the backend (``llama.cpp``,
    ``transformers``, ``http``), ``source`` where the weights came from, ``is_chat`` whether the
    model follows a chat template (instruct models) or is a base model to prompt few-shot.
    """

    name: str
    kind: str
    source: str = ""
    is_chat: bool = True  # False for base models: prompt them few-shot through complete()
    usage: Usage = field(default_factory=Usage)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _grammars: dict = field(default_factory=dict, repr=False)

    # -- public API -------------------------------------------------------------------------
    def chat(
        self,
        messages: list[dict],
        *,
        schema: dict | None = None,
        config: GenerationConfig | None = None,
        session: str | None = None,
    ) -> Completion:
        """Answer a chat (``[{"role": ..., "content": ...}]``), optionally constrained to ``schema``.

        ``session`` names whose conversation this is (an agent): a backend that can keep a
        model state per session (:meth:`_enter_session`) resumes that session's own state, so
        a prompt that extends the session's last one only computes what is new."""
        return self._call(self._chat, messages, schema, config or GenerationConfig(), session)

    def complete(
        self,
        prompt: str,
        *,
        schema: dict | None = None,
        config: GenerationConfig | None = None,
        session: str | None = None,
    ) -> Completion:
        """Continue a raw ``prompt`` (for base models prompted few-shot); ``session`` as in
        :meth:`chat`."""
        return self._call(self._complete, prompt, schema, config or GenerationConfig(), session)

    def close(self) -> None:  # noqa: B027  # pragma: no cover - overridden where needed
        """Free the model's resources."""

    def grammar(self, schema: dict | None):
        """The decoding constraint for ``schema``, compiled once and cached; ``None`` if no schema.

        Raises :class:`SchemaError` when the schema is not JSON or cannot be compiled: a bad
        schema is an error, never a silent fallback to unconstrained output.
        """
        if schema is None:
            return None
        try:
            key = json.dumps(schema)  # property order kept: the model writes the fields in it
        except (TypeError, ValueError) as exc:  # a set, a callable...: not a schema at all
            raise SchemaError(f"JSON schema is not JSON: {exc}") from exc
        if key not in self._grammars:
            try:
                compiled = self._compile_schema(key)
            except SchemaError:
                raise
            except Exception as exc:
                raise SchemaError(f"JSON schema cannot be turned into a grammar: {exc}") from exc
            self._grammars[key] = compiled
        return self._grammars[key]

    # -- implementation hooks ---------------------------------------------------------------
    def _enter_session(self, session: str | None) -> None:  # noqa: B027 - a hook, no-op by default
        """Make ``session``'s model state current before a call (called under the lock). The
        default keeps one state for all: nothing to do."""

    def _compile_schema(self, schema_json: str):
        """Turn a JSON schema (as text) into this backend's grammar object."""
        raise SchemaError(f"{self.kind} backend cannot constrain output to a JSON schema")

    @abstractmethod
    def _chat(
        self, messages: list[dict], schema: dict | None, config: GenerationConfig
    ) -> Completion: ...

    @abstractmethod
    def _complete(
        self, prompt: str, schema: dict | None, config: GenerationConfig
    ) -> Completion: ...

    def _call(self, fn, payload, schema, config, session=None) -> Completion:
        with self._lock:
            t0 = time.perf_counter()
            try:
                self._enter_session(session)
                out = fn(payload, schema, config)
            except SchemaError:
                raise
            except BackendError:
                self.usage.errors += 1
                raise
            except Exception as exc:  # a model library failing must not kill the run
                self.usage.errors += 1
                raise BackendError(f"{self.kind} model {self.name}: {exc}") from exc
            if not out.seconds:
                out = Completion(
                    out.text,
                    out.prompt_tokens,
                    out.completion_tokens,
                    time.perf_counter() - t0,
                    out.finish_reason,
                    out.model or self.name,
                )
            self.usage.add(out)
            return out
