"""llama.cpp backend (llama-cpp-python): the default, quantized GGUF models on the CPU.

Decoding constraints: a JSON schema becomes a GBNF grammar through
``LlamaGrammar.from_json_schema``; a schema that cannot be converted raises :class:`SchemaError`.
Grammars are cached per schema, since conversion costs milliseconds and schemas repeat every call.

KV-cache reuse: llama-cpp-python keeps the tokens of the previous call and re-evaluates only the
part of a new prompt after the longest common prefix, so callers that keep a stable prompt prefix
(system prompt, tool descriptions) pay for it once. Every token the model computes goes through
``Llama.eval``; the backend counts them (:attr:`Completion.evaluated_tokens`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from wireless_agents.agents.backends.base import (
    BackendError,
    Completion,
    GenerationConfig,
    ModelBackend,
    SchemaError,
)

THREADS_ENV = "WAGENTS_THREADS"


def default_threads() -> int:
    """Threads per model call: ``$WAGENTS_THREADS`` if set, else half the usable logical CPUs.

    Half, not all: llama.cpp (and torch) threads meet at a spin barrier after every layer, so when
    any other process wants a core, one descheduled thread stalls the others. Measured on the
    2-core machine under load (``python -m wireless_agents.demos.benchmarks.backends`` and a side-by-side run of
    the same SmolLM2 prompts): 1 thread 43.5 tok/s, 2 threads 0.3 tok/s. Half the logical CPUs is
    also llama.cpp's own advice (physical cores) and llama-cpp-python's server default.
    """
    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise BackendError(f"{THREADS_ENV} must be a positive integer, got {raw!r}")
        return int(raw)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS / Windows
        cpus = os.cpu_count() or 1
    return max(1, cpus // 2)


@dataclass
class LlamaCppBackend(ModelBackend):
    """A GGUF model loaded once by llama-cpp-python.

    ``model_path`` is the GGUF file, ``n_ctx`` the context window in tokens.
    """

    model_path: str = ""
    n_ctx: int = 2048
    n_threads: int = field(default_factory=default_threads)
    _llm: object = field(default=None, repr=False)
    _evaluated: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        from llama_cpp import Llama

        if not os.path.isfile(self.model_path):
            raise BackendError(f"GGUF file not found: {self.model_path}")
        try:
            self._llm = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                seed=0,
                verbose=False,
            )
        except Exception as exc:  # llama.cpp says little more than "failed to load"
            raise BackendError(f"could not load GGUF model {self.model_path}: {exc}") from exc
        evaluate = self._llm.eval

        def counted_eval(tokens):  # prefill after the cached prefix, then each generated token
            self._evaluated += len(tokens)
            return evaluate(tokens)

        self._llm.eval = counted_eval

    # -- grammar ------------------------------------------------------------------------------
    def _compile_schema(self, schema_json: str):
        """A GBNF ``LlamaGrammar`` for the schema, parsed by llama.cpp up front."""
        from llama_cpp import LlamaGrammar

        grammar = LlamaGrammar.from_json_schema(schema_json, verbose=False)
        self._check_grammar(grammar)
        return grammar

    def _check_grammar(self, grammar) -> None:
        """Parse the GBNF with llama.cpp now, so a bad grammar raises instead of crashing later.

        llama-cpp-python only parses a grammar when sampling starts, and a grammar llama.cpp
        rejects there leaves a NULL sampler that crashes the process.
        """
        import llama_cpp

        sampler = llama_cpp.llama_sampler_init_grammar(
            self._llm._model.vocab, grammar._grammar.encode(), grammar._root.encode()
        )
        if not sampler:
            raise SchemaError("llama.cpp rejects the grammar converted from this JSON schema")
        llama_cpp.llama_sampler_free(sampler)

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` under this model's tokenizer (no BOS)."""
        return len(self._llm.tokenize(text.encode(), add_bos=False, special=True))

    # -- calls --------------------------------------------------------------------------------
    def _kwargs(self, schema, config: GenerationConfig) -> dict:
        return dict(
            grammar=self.grammar(schema),
            max_tokens=config.max_tokens,
            temperature=config.temperature,
            seed=config.seed,
            stop=list(config.stop) or None,
        )

    def _chat(self, messages, schema, config) -> Completion:
        kwargs = self._kwargs(schema, config)
        t0, before = time.perf_counter(), self._evaluated
        r = self._llm.create_chat_completion(messages=messages, **kwargs)
        seconds = time.perf_counter() - t0
        choice = r["choices"][0]
        return Completion(
            text=choice["message"]["content"] or "",
            prompt_tokens=r["usage"]["prompt_tokens"],
            completion_tokens=r["usage"]["completion_tokens"],
            seconds=seconds,
            finish_reason=choice.get("finish_reason") or "stop",
            model=self.name,
            evaluated_tokens=self._evaluated - before,
        )

    def _complete(self, prompt, schema, config) -> Completion:
        kwargs = self._kwargs(schema, config)
        t0, before = time.perf_counter(), self._evaluated
        r = self._llm.create_completion(prompt=prompt, **kwargs)
        seconds = time.perf_counter() - t0
        choice = r["choices"][0]
        return Completion(
            text=choice["text"],
            prompt_tokens=r["usage"]["prompt_tokens"],
            completion_tokens=r["usage"]["completion_tokens"],
            seconds=seconds,
            finish_reason=choice.get("finish_reason") or "stop",
            model=self.name,
            evaluated_tokens=self._evaluated - before,
        )

    @property
    def llama(self):
        """The underlying ``llama_cpp.Llama`` (for benchmarks that time a bare completion)."""
        return self._llm

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None
