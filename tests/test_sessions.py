"""Per-session KV state of the llama.cpp backend: interleaved agents keep their own prefix."""

from __future__ import annotations

from wireless_agents.agents.backends.base import GenerationConfig
from wireless_agents.agents.backends.llama import LlamaCppBackend

SHORT = GenerationConfig(max_tokens=6)
SYSTEM = {"role": "system", "content": "You answer in a few words."}


def _chat(agent: int, turns: int) -> list[dict]:
    """Agent ``agent``'s conversation of ``turns`` user turns (each extends the one before)."""
    said = [f"I am link {agent}. My channel gain is -9{agent}.5 dB, my rate {agent}.25 bit/s/Hz."]
    said += [f"Round {r}: my neighbour {r + agent} is loud." for r in range(1, turns)]
    return [SYSTEM, {"role": "user", "content": " ".join(said)}]


def _interleaved(backend, sessions: bool) -> list:
    """A, B, then A's and B's longer prompts (after the same first call, so that every run
    starts from the same cache): what each call computed and answered."""
    backend.chat([SYSTEM, {"role": "user", "content": "Hello."}], config=SHORT)
    calls = [(0, 1), (1, 1), (0, 2), (1, 2)]
    return [backend.chat(_chat(a, n), config=SHORT, session=f"agent {a}" if sessions else None)
            for a, n in calls]  # fmt: skip


def test_own_session_computes_only_the_new_suffix_with_the_same_answers(model):
    assert isinstance(model, LlamaCppBackend)
    try:
        model.keep_sessions(0)  # one shared cache: B's call evicts A's prefix
        shared = _interleaved(model, sessions=True)
        model.keep_sessions(64 * 2**20)
        own = _interleaved(model, sessions=True)
        # the first calls of a session start from the other's cache, as before
        assert [c.evaluated for c in own[:2]] == [c.evaluated for c in shared[:2]]
        # A's and B's second prompts extend their first: only the new words are computed
        for o, s in zip(own[2:], shared[2:], strict=True):
            assert o.evaluated < s.evaluated - 15, (o.evaluated, s.evaluated)
        assert [c.text for c in own] == [c.text for c in shared]
        assert [c.prompt_tokens for c in own] == [c.prompt_tokens for c in shared]
        # a tiny budget keeps no state: the same as the shared cache
        model.keep_sessions(1)
        tiny = _interleaved(model, sessions=True)
        assert [c.evaluated for c in tiny] == [c.evaluated for c in shared]
    finally:
        model.keep_sessions(LlamaCppBackend.state_bytes)
