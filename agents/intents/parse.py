"""Reading constraints with the model: check the text, ask under the narrowed grammar, decode,
validate and clip the answer."""

from __future__ import annotations

import json

import numpy as np
from wireless_agents.agents.backends.base import BackendError, GenerationConfig, ModelBackend

from .clauses import check_text, intent_clauses
from .intent import KINDS, MAX_RATE, Intent, IntentError
from .mentions import candidates
from .numbers import normalize_text
from .prompt import chat_messages, completion_prompt
from .schema import decode_answer, intent_schema

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
    if kind not in KINDS:
        raise IntentError(f"model named kind {kind!r}, not one of {KINDS}")
    if not np.isfinite(value):
        raise IntentError(f"model gave a non-finite value: {raw!r}")
    note = ""
    lo, hi = (0.0, 1.0) if kind == "max_power_frac" else (0.0, MAX_RATE)
    if not lo <= value <= hi:
        clipped = min(max(value, lo), hi)
        note = f"{kind} {value:g} out of [{lo:g}, {hi:g}], clipped to {clipped:g}"
        value = clipped
    return Intent(agent=agent, kind=kind, value=value, text=text, raw=raw, note=note)


def parse_intent(
    text: str,
    agent_ids,
    backend: ModelBackend | None = None,
    *,
    normalize: bool = True,
    narrow: bool = True,
    max_tokens: int = MAX_TOKENS,
) -> Intent:
    """Read one constraint from ``text`` with the model; ``agent_ids`` are the valid ids.

    ``backend`` defaults to the shared bundled default model. Raises :class:`IntentError` if the
    model fails (the :class:`BackendError` is chained), its answer is cut off or unparsable, or
    the text is empty or names a link by an ordinal.
    """
    check_text(text)
    if narrow:
        ids, values, units = candidates(normalize_text(text) if normalize else text, agent_ids)
        schema = intent_schema(ids, values, units)
    else:
        schema = intent_schema(agent_ids)
    if backend is None:
        from wireless_agents.agents.models import load_model

        backend = load_model()
    config = GenerationConfig(max_tokens=max_tokens, temperature=0.0)
    try:
        if backend.is_chat:
            c = backend.chat(chat_messages(text, normalize), schema=schema, config=config)
        else:
            c = backend.complete(completion_prompt(text, normalize), schema=schema, config=config)
    except BackendError as exc:
        raise IntentError(f"model failed to read the intent: {exc}") from exc
    if c.finish_reason == "length":
        raise IntentError(f"model answer cut off after {max_tokens} tokens: {c.text!r}")
    try:
        answer = json.loads(c.text)
    except ValueError as exc:
        raise IntentError(f"model answer is not JSON: {c.text!r}") from exc
    intent = validate(decode_answer(answer), agent_ids, text=text, raw=c.text)
    return Intent(
        intent.agent,
        intent.kind,
        intent.value,
        text,
        c.text,
        intent.note,
        c.prompt_tokens + c.completion_tokens,
        c.seconds,
    )


def parse_intents(text: str, agent_ids, backend: ModelBackend | None = None, **kw) -> list[Intent]:
    """One :class:`Intent` per clause of ``text`` that states a constraint (see
    :func:`~.clauses.intent_clauses`)."""
    return [parse_intent(s, agent_ids, backend, **kw) for s in intent_clauses(text)]
