""" "Today" in the cost benchmark: the quick start's model calls as the code made them before the
work on time and cost, recorded once and replayed on the same model with that code's settings.

The recording (``data/today_calls.json.gz``) holds the 108 chat calls of ``wagents episode``
(the quick start: d2d, K = 6, 5 slots, seed 0, 2 rounds, the tool ``local_wmmse``, the bundled
SmolLM2) at commit a30e5b4, the parent of 60a90a0 where simulated time began: every call's
messages, its grammar (GBNF, as llama-cpp-python compiled the call's JSON schema), its
generation settings and the answer the model gave, with that run's summary (ratio to WMMSE
1.1575, 13,599 tokens evaluated, 87.6 s of model time on 1 thread on a shared machine). It was
recorded by running that commit's episode with ``Llama.create_chat_completion`` wrapped to
write down its arguments and answers; nothing else was changed.

:func:`replay` sends the same calls, in the same order, through ``create_chat_completion`` of the
backend's model set up as that code ran it: half the usable cores (its thread default), one
cache shared by every call (no sessions), no guessed answer, every answer position sampled by
llama-cpp-python's full chain. It returns the model seconds, the tokens computed and how many
answers are the recorded ones, so the benchmark's baseline is measured in the same run as the
paths it is compared with, on the same machine.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

RECORDING = Path(__file__).with_name("data") / "today_calls.json.gz"


def load(path: Path = RECORDING) -> dict:
    """The recording: ``calls`` (messages, grammar index, settings, answer), ``grammars`` and
    ``recorded`` (the recorded run's summary: ratio_to_wmmse, llm_calls, steps, ...)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def replay(backend, threads: int, recording: dict | None = None) -> dict:
    """Replay the recorded calls on ``backend`` (a :class:`LlamaCppBackend`) on ``threads``
    threads, with no sessions, guesses or top-token-first sampling; the backend's settings
    are left so (the caller sets them for its next path).

    Returns ``seconds`` (model time of the calls), ``evaluated`` (tokens computed, prefill
    after the shared cache plus generated), ``calls``, ``same`` (answers equal to the recorded
    ones), ``decodes`` (llama.cpp batches) and ``recorded`` (the recording's summary).
    """
    from llama_cpp import LlamaGrammar

    rec = recording or load()
    grammars = [LlamaGrammar.from_string(g, verbose=False) for g in rec["grammars"]]
    backend.set_threads(threads)
    backend.keep_sessions(0)
    backend.guesses = False
    backend.greedy_first = False
    llm = backend.llama
    llm.reset()  # start cold, as the recorded run did
    seconds, same = 0.0, 0
    before, decodes = backend.evaluated, backend.decodes
    for call in rec["calls"]:
        t0 = time.perf_counter()
        r = llm.create_chat_completion(
            messages=call["messages"],
            grammar=grammars[call["grammar"]],
            max_tokens=call["max_tokens"],
            temperature=call["temperature"],
            seed=call["seed"],
            stop=call["stop"],
        )
        seconds += time.perf_counter() - t0
        same += r["choices"][0]["message"]["content"] == call["answer"]
    return {
        "seconds": seconds,
        "evaluated": backend.evaluated - before,
        "decodes": backend.decodes - decodes,
        "calls": len(rec["calls"]),
        "same": same,
        "recorded": rec["recorded"],
    }
