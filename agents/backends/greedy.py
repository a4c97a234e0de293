"""Greedy sampling under a grammar that asks the grammar about one token, not the vocabulary.

llama-cpp-python samples a token by running its sampler chain (penalties, grammar, greedy) over
every token of the vocabulary: the grammar tests all of SmolLM2's 49,152 candidates at every
position (about 5 ms a position on 2 cores, a sixth of a decision's model time when its prefill
is ~140 tokens). At temperature 0 with no penalty the answer is the grammar-allowed token of
highest logit, so when the unconstrained top token is allowed it is the answer: test that one
token against the grammar and only when it is refused run the full chain (llama.cpp's own
``common_sampler`` does the same, "grammar last"). The chosen tokens are the same, token for
token (ties go to the lowest id either way); only the time changes.
"""

from __future__ import annotations

import ctypes
import math

import numpy as np


def _grammar_of(chain) -> object | None:
    """The grammar sampler of a llama.cpp sampler chain (None: the chain has none)."""
    import llama_cpp

    for i in range(llama_cpp.llama_sampler_chain_n(chain)):
        smpl = llama_cpp.llama_sampler_chain_get(chain, i)
        if llama_cpp.llama_sampler_name(smpl) == b"grammar":
            return smpl
    return None


class GreedyFirst:
    """``llm.sample`` (a ``llama_cpp.Llama``; its ``generate`` loop calls it for every
    position) that tries the top token first for greedy calls under a grammar with no penalty,
    while ``on()`` says so; every other call goes to the full chain, as before. ``top`` and
    ``full`` count the positions each way decided."""

    def __init__(self, llm, on=lambda: True):
        self.llm, self.on = llm, on
        self.full_chain = llm.sample
        self.n_vocab = llm.n_vocab()
        self.top = self.full = 0

    def __call__(self, *, temp=0.8, repeat_penalty=1.0, frequency_penalty=0.0,
                 presence_penalty=0.0, logits_processor=None, grammar=None, idx=None,
                 **rest) -> int:  # fmt: skip
        chain = self.llm._sampler.sampler if self.llm._sampler is not None else None
        plain = repeat_penalty == 1.0 and frequency_penalty == 0.0 and presence_penalty == 0.0
        if self.on() and temp == 0.0 and grammar is not None and plain and not logits_processor \
                and chain is not None:  # fmt: skip
            token = _top_if_allowed(self.llm, chain, self.n_vocab, idx)
            if token is not None:
                self.top += 1
                return token
        self.full += 1
        return self.full_chain(temp=temp, repeat_penalty=repeat_penalty,
                               frequency_penalty=frequency_penalty,
                               presence_penalty=presence_penalty, logits_processor=logits_processor,
                               grammar=grammar, idx=idx, **rest)  # fmt: skip


def install(llm, on=lambda: True) -> GreedyFirst:
    """Make ``llm.sample`` a :class:`GreedyFirst` over its own (returned)."""
    llm.sample = GreedyFirst(llm, on)
    return llm.sample


def _top_if_allowed(llm, chain, n_vocab: int, idx: int | None) -> int | None:
    """The highest-logit token at ``idx`` if the chain's grammar allows it, accepted by the
    chain as ``llama_sampler_sample`` would; None when the grammar refuses it (or the logits
    are not finite), for the full chain to choose."""
    import llama_cpp

    grammar = _grammar_of(chain)
    if grammar is None:
        return None
    ridx = idx - llm.n_tokens if idx is not None else -1
    ptr = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, ridx)
    logits = np.ctypeslib.as_array(ptr, shape=(n_vocab,))
    token = int(np.argmax(logits))
    logit = float(logits[token])
    if not math.isfinite(logit):
        return None
    one = (llama_cpp.llama_token_data * 1)(llama_cpp.llama_token_data(token, logit, 0.0))
    cur = llama_cpp.llama_token_data_array(one, 1, -1, False)
    llama_cpp.llama_sampler_apply(grammar, ctypes.byref(cur))
    if not math.isfinite(one[0].logit):
        return None
    llama_cpp.llama_sampler_accept(chain, token)
    return token
