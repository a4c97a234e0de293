"""llama.cpp backend (llama-cpp-python): the default, quantized GGUF models on the CPU.

Decoding constraints: a JSON schema becomes a GBNF grammar through
``LlamaGrammar.from_json_schema``; a schema that cannot be converted raises :class:`SchemaError`.
Grammars are cached per schema, since conversion costs milliseconds and schemas repeat every call.

KV-cache reuse: llama-cpp-python keeps the tokens of the previous call and re-evaluates only the
part of a new prompt after the longest common prefix, so callers that keep a stable prompt prefix
(system prompt, tool descriptions) pay for it once. Every token the model computes goes through
``Llama.eval``; the backend counts them (:attr:`Completion.evaluated_tokens`).

Sessions: agents share one model, so interleaved agents would evict each other's prefix. A call
names its session (the agent); when the session changes, the backend keeps the old session's
KV cells (llama.cpp's per-sequence state, ``llama_state_seq_get_data``, no logits) with their
tokens and restores the new session's, if it has one (else the cache stays as it is: the shared
system prompt still matches). The states are kept up to ``state_bytes`` in all (least recently
used dropped first). Only the cache changes, never a prompt: the same calls give the same answers.

Guesses: a call may carry a guess of its answer (:attr:`GenerationConfig.draft`; an agent
guesses the decision its system prompt's example leads to, its tool's power). The guess's tokens
go into the same batch as the prompt, with logits at every guessed position, and llama-cpp-python's
own ``generate`` loop (the one it runs for draft models) samples each position and keeps the
guess up to the first token the model would not have written, dropping the rest from the cache.
A right guess turns the answer's ~17 one-token decode steps (about 40 ms each on 2 shared cores,
mostly JSON the grammar forces) into part of one batch. Every kept token is one the model chose,
but from logits computed in a batch, which llama.cpp rounds a little differently from its
one-token steps: where two tokens are nearly tied the choice can tip (the quick start's 48
answers are identical; 3 of 12 request answers under a profile that refuses were not, which is
why agents guess only decisions without requests). ``guesses=False`` generates every token in
a step of its own.

Greedy first: a greedy call under a grammar asks the grammar about the top token alone and
runs the full chain only when it is refused (:mod:`agents.backends.greedy`; the same tokens,
about 5 ms less per answer position). ``greedy_first=False`` runs the full chain every time.
"""

from __future__ import annotations

import ctypes
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from wireless_agents.agents.backends.base import (
    BackendError,
    Completion,
    GenerationConfig,
    ModelBackend,
    SchemaError,
)
from wireless_agents.agents.backends.greedy import install as install_greedy_first
from wireless_agents.agents.backends.threads import ThreadPicker, fixed_threads


@dataclass
class LlamaCppBackend(ModelBackend):
    """A GGUF model loaded once by llama-cpp-python.

    ``model_path`` is the GGUF file, ``n_ctx`` the context window in tokens. ``state_bytes``:
    the most bytes of saved session states kept (see the module; 0 keeps none). ``guesses``:
    check a call's guessed answer in one batch (see the module; False generates every token
    one by one, the path measured beside it). ``n_threads``: CPU threads of every call; None
    (the default) takes ``$WAGENTS_THREADS`` if set, else picks per call, every core of an idle
    machine and half of a busy one (:mod:`agents.backends.threads`; :attr:`threads` counts the
    calls by thread count). ``greedy_first``: greedy calls under a grammar test the top token
    alone first (see the module; False: the full chain over the vocabulary at every position).
    """

    model_path: str = ""
    n_ctx: int = 2048
    n_threads: int | None = None
    state_bytes: int = 256 * 2**20
    guesses: bool = True
    greedy_first: bool = True
    _llm: object = field(default=None, repr=False)
    decodes: int = field(default=0, repr=False)  # llama_decode batches run so far
    _guess: dict | None = field(default=None, repr=False)
    _evaluated: int = field(default=0, repr=False)
    _session: str | None = field(default=None, repr=False)
    _states: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _picker: ThreadPicker | None = field(default=None, repr=False)
    sampling: object = field(default=None, repr=False)  # greedy.GreedyFirst: positions by path
    _threads_now: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        from llama_cpp import Llama

        if not os.path.isfile(self.model_path):
            raise BackendError(f"GGUF file not found: {self.model_path}")
        if self.n_threads is None:
            self.n_threads = fixed_threads()
        if self.n_threads is None:
            self._picker = ThreadPicker()
        threads = self.n_threads or self._picker.threads
        self._threads_now = threads
        try:
            self._llm = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                seed=0,
                verbose=False,
            )
        except Exception as exc:  # llama.cpp says little more than "failed to load"
            raise BackendError(f"could not load GGUF model {self.model_path}: {exc}") from exc
        self._llm.eval = self._eval  # prefill after the cached prefix, then generated tokens
        self.sampling = install_greedy_first(self._llm, lambda: self.greedy_first)

    # -- evaluation, with a guess checked in the same batch -----------------------------------
    def _eval(self, tokens) -> None:
        """``Llama.eval`` (its ``generate`` loop calls it with the prompt after the cached
        prefix, then with each sampled token), counting the tokens computed, and appending the
        rest of the call's guess (:attr:`GenerationConfig.draft`) when what was written so far
        is its beginning: the batch then gives logits at every guessed position, and the
        ``generate`` loop samples each one and keeps the guess up to the first token the model
        would not write (its own check, as for llama-cpp-python's draft models)."""
        llm = self._llm
        tokens = list(tokens)
        draft = self._guessed(tokens) if self._guess is not None and tokens else []
        if len(draft) >= (len(tokens) + len(draft) - 1) % llm.n_batch + 1:
            draft = []  # the guess would cross into a second batch: its logits in two batches
        tokens += draft
        n_logits = len(draft) + 1  # the last given token's and every guessed token's
        llm._ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)
        for i in range(0, len(tokens), llm.n_batch):
            chunk = tokens[i : i + llm.n_batch]
            n_past = llm.n_tokens
            llm._batch.set_batch(batch=chunk, n_past=n_past, logits_all=False)
            for j in range(len(chunk)):
                llm._batch.batch.logits[j] = i + j >= len(tokens) - n_logits
            llm._ctx.decode(llm._batch)
            self.decodes += 1
            llm.input_ids[n_past : n_past + len(chunk)] = chunk
            llm.n_tokens += len(chunk)
            llm._requires_eval = False
        self._evaluated += len(tokens)

    def _guessed(self, tokens: list[int]) -> list[int]:
        """The guess's tokens after what the call wrote so far (its prompt ends where the first
        eval of the call ends), or none when the written text leaves the guess."""
        llm, guess = self._llm, self._guess
        if guess["start"] is None:  # the first eval of the call: the prompt's new part
            guess["start"] = llm.n_tokens + len(tokens)
            written = b""
        else:
            written = llm.detokenize(list(llm.input_ids[guess["start"] : llm.n_tokens]) + tokens)
        text = guess["text"]
        if not text.startswith(written) or len(written) >= len(text):
            return []
        room = min(guess["max_tokens"], llm.n_ctx() - llm.n_tokens - len(tokens) - 1)
        draft = llm.tokenize(text[len(written) :], add_bos=False, special=False)
        return draft[: max(0, room)]

    # -- sessions -----------------------------------------------------------------------------
    def keep_sessions(self, state_bytes: int) -> None:
        """Keep up to ``state_bytes`` of session states from now on (0: none, every session
        shares the one cache, as before sessions); the states saved so far are dropped."""
        self.state_bytes = int(state_bytes)
        self._states.clear()
        self._session = None

    def _enter_session(self, session: str | None) -> None:
        """Keep the current session's state, restore ``session``'s (see the module)."""
        if session == self._session or not self.state_bytes:
            return
        import llama_cpp

        llm, ctx = self._llm, self._llm._ctx.ctx
        if self._session is not None and llm.n_tokens:
            size = llama_cpp.llama_state_seq_get_size(ctx, 0)
            buf = (ctypes.c_uint8 * size)()
            n = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
            if 0 < n <= size:
                self._states.pop(self._session, None)
                self._states[self._session] = (bytes(buf)[:n], llm.input_ids[: llm.n_tokens].copy())
                while sum(len(d) for d, _ in self._states.values()) > self.state_bytes:
                    self._states.popitem(last=False)
        self._session = session
        saved = self._states.get(session)
        if saved is None:
            return
        data, ids = saved
        self._states.move_to_end(session)
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_seq_set_data(ctx, buf, len(data), 0) != len(data):
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)  # nothing half restored: start cold
            llm.n_tokens = 0
            return
        llm.input_ids[: len(ids)] = ids
        llm.n_tokens = len(ids)
        llm._requires_eval = True

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
    @property
    def threads(self) -> dict[int, int]:
        """Calls so far by the thread count they ran with ({} with a fixed ``n_threads``)."""
        return dict(self._picker.counts) if self._picking else {}

    @property
    def _picking(self) -> bool:
        """Threads are picked per call: a picker, and no fixed count (a fixed spell keeps it)."""
        return self._picker is not None and self.n_threads is None

    def set_threads(self, n: int | None) -> None:
        """Run the next calls on ``n`` threads (None: back to the default, ``$WAGENTS_THREADS``
        if set, else picked per call, see :mod:`agents.backends.threads`)."""
        n = fixed_threads() if n is None else n
        if n is None:
            self.n_threads, self._picker = None, self._picker or ThreadPicker()
            return
        # the picker is kept, idle: back to picking, its first look spans the fixed calls (a
        # new picker's first call, under 50 ms after it, would run on half the cores)
        self.n_threads = int(n)
        self._run_on(self.n_threads)

    def _pick_threads(self) -> None:
        """Give the coming call the picker's thread count (see :mod:`agents.backends.threads`)."""
        if self._picking:
            self._run_on(self._picker.pick())

    def _run_on(self, n: int) -> None:
        """Set llama.cpp's threads (generation and batches) to ``n`` if they are not."""
        if n != self._threads_now:
            import llama_cpp

            llama_cpp.llama_set_n_threads(self._llm._ctx.ctx, n, n)
            self._threads_now = n

    def _kwargs(self, schema, config: GenerationConfig) -> dict:
        return dict(
            grammar=self.grammar(schema),
            max_tokens=config.max_tokens,
            temperature=config.temperature,
            seed=config.seed,
            stop=list(config.stop) or None,
        )

    def _guessing(self, config: GenerationConfig):
        """Check ``config.draft`` during the call (greedy calls only: a sampled answer has no
        one token to compare a guess with)."""
        on = self.guesses and bool(config.draft) and config.temperature == 0
        text = config.draft.encode()
        self._guess = {"text": text, "start": None, "max_tokens": config.max_tokens} if on else None

    def _chat(self, messages, schema, config) -> Completion:
        kwargs = self._kwargs(schema, config)
        self._pick_threads()
        t0, before = time.perf_counter(), self._evaluated
        self._guessing(config)
        try:
            r = self._llm.create_chat_completion(messages=messages, **kwargs)
        finally:
            self._guess = None
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
        self._pick_threads()
        t0, before = time.perf_counter(), self._evaluated
        self._guessing(config)
        try:
            r = self._llm.create_completion(prompt=prompt, **kwargs)
        finally:
            self._guess = None
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
    def evaluated(self) -> int:
        """Tokens the model has computed so far, every call (see :meth:`_eval`)."""
        return self._evaluated

    @property
    def llama(self):
        """The underlying ``llama_cpp.Llama`` (for benchmarks that time a bare completion)."""
        return self._llm

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None
