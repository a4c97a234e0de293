"""Reading one constraint with the model: check the text, ask under the narrowed grammar, decode,
validate and clip the answer (:func:`generate` is the one model call every reading makes)."""

from __future__ import annotations

import json

import numpy as np
from wireless_agents.agents.backends.base import BackendError, GenerationConfig, ModelBackend

from .clauses import check_text
from .cues import SILENCE_CUE
from .intent import KINDS, MAX_RATE, MAX_WEIGHT, Intent, IntentError
from .mentions import candidates
from .numbers import normalize_text
from .prompt import chat_messages, completion_prompt
from .schema import UNIT_KINDS, decode_answer, intent_schema

MAX_TOKENS = 32


def validate(answer: dict, agent_ids, text: str = "", raw: str = "") -> Intent:
    """Check ``{agent, kind, value}`` and clip the value into range; raises :class:`IntentError`."""
    ids = {int(a) for a in agent_ids}
    try:
        agent, kind, value = answer["agent"], answer["kind"], float(answer["value"])
    except (KeyError, TypeError, ValueError) as exc:
        raise IntentError(f"model answer lacks agent/kind/value: {raw or answer!r}") from exc
    if isinstance(agent, bool) or not isinstance(agent, int) or agent not in ids:
        raise IntentError(f"model named agent {agent!r}, not one of {sorted(ids)}")
    if kind not in (*KINDS, "weight"):
        raise IntentError(f"model named kind {kind!r}, not one of {(*KINDS, 'weight')}")
    if not np.isfinite(value):
        raise IntentError(f"model gave a non-finite value: {raw!r}")
    note = ""
    lo, hi = {"max_power_frac": (0.0, 1.0), "weight": (0.0, MAX_WEIGHT)}.get(kind, (0.0, MAX_RATE))
    if not lo <= value <= hi:
        clipped = min(max(value, lo), hi)
        note = f"{kind} {value:g} out of [{lo:g}, {hi:g}], clipped to {clipped:g}"
        value = clipped
    return Intent(agent=agent, kind=kind, value=value, text=text, raw=raw, note=note)


def generate(backend, messages, prompt, schema: dict, max_tokens: int = MAX_TOKENS):
    """One greedy model answer under ``schema``: ``(answer, raw, tokens, seconds)``.

    ``messages()`` / ``prompt()`` build the chat turns / the completion prompt (base models);
    ``backend`` None is the shared bundled default model. Raises :class:`IntentError` when the
    model fails, is cut off or writes no JSON.
    """
    if backend is None:
        from wireless_agents.agents.models import load_model

        backend = load_model()
    config = GenerationConfig(max_tokens=max_tokens, temperature=0.0)
    try:
        if backend.is_chat:
            c = backend.chat(messages(), schema=schema, config=config)
        else:
            c = backend.complete(prompt(), schema=schema, config=config)
    except BackendError as exc:
        raise IntentError(f"model failed to read the intent: {exc}") from exc
    if c.finish_reason == "length":
        raise IntentError(f"model answer cut off after {max_tokens} tokens: {c.text!r}")
    try:
        answer = json.loads(c.text)
    except ValueError as exc:
        raise IntentError(f"model answer is not JSON: {c.text!r}") from exc
    return answer, c.text, c.prompt_tokens + c.completion_tokens, c.seconds


def narrowed_schema(text: str, agent_ids, normalize: bool = True, units=None) -> dict:
    """The answer's grammar narrowed to what ``text`` names (:func:`~.mentions.candidates`):
    its links, its numbers, its units (``units`` when it names neither or both), and ``"off"``
    only when it has a word of silence (:data:`~.cues.SILENCE_CUE`) or no number other than 0
    ("no more than 0.35 of max power" is a cap, never silence)."""
    ids, values, named = candidates(normalize_text(text) if normalize else text, agent_ids)
    if units is not None and len(named) == len(UNIT_KINDS):
        named = list(units)
    off = bool(SILENCE_CUE.search(text)) or not any(float(v) for v in values)
    return intent_schema(ids, values, named, off)


def parse_intent(
    text: str,
    agent_ids,
    backend: ModelBackend | None = None,
    *,
    normalize: bool = True,
    narrow: bool = True,
    max_tokens: int = MAX_TOKENS,
    units=None,
) -> Intent:
    """Read one constraint from ``text`` with the model; ``agent_ids`` are the valid ids.

    ``backend`` defaults to the shared bundled default model. Raises :class:`IntentError` if the
    model fails (the :class:`BackendError` is chained), its answer is cut off or unparsable, or
    the text is empty or names a link by an ordinal. ``units`` replaces the units the text
    names when it names neither or both (a clause that repeats the kind of the one before it);
    ``narrow`` uses :func:`narrowed_schema`.
    """
    check_text(text)
    schema = (
        narrowed_schema(text, agent_ids, normalize, units) if narrow else intent_schema(agent_ids)
    )
    answer, raw, tokens, seconds = generate(
        backend,
        lambda: chat_messages(text, normalize),
        lambda: completion_prompt(text, normalize),
        schema,
        max_tokens,
    )
    intent = validate(decode_answer(answer), agent_ids, text=text, raw=raw)
    return Intent(intent.agent, intent.kind, intent.value, text, raw, intent.note, tokens, seconds)
