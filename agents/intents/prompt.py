"""The prompt: a system prompt and few-shot turns, the same prefix for every call (llama.cpp
reuses its KV cache: a call evaluates only the new sentence and about 20 answer tokens).

The few-shot sentences (:data:`FEW_SHOT`) are written apart from the measured set
(``agents/data/intent_phrasings.yaml``) and never copied into it. Chat models get them as turns
(:func:`chat_messages`), base models (``backend.is_chat`` false, e.g. gemma3) as a few-shot
completion transcript (:func:`completion_prompt`).
"""

from __future__ import annotations

from .numbers import normalize_text
from .schema import encode_answer

SYSTEM = (
    "You turn a request about radio links into JSON. "
    '"agent" is the number of the link, user, device or transmitter named. '
    '"value" is the number asked for, or "off" for silent or off. '
    '"unit" is "bit/s/Hz" for a minimum rate, "power" for a power limit.'
)

# Few-shot examples (sentence, agent, kind, value). Never sentences of the measured set
# (agents/data/intent_phrasings.yaml).
FEW_SHOT: tuple[tuple[str, int, str, str], ...] = (
    ("Link 7 streams video and needs 3.5 bit/s/Hz minimum.", 7, "min_rate", "3.5"),
    ("Cap user 1 at 60% of full power, it overheats.", 1, "max_power_frac", "0.6"),
    ("device 8 has to go quiet", 8, "max_power_frac", "0"),
    ("Give agent_3 at least one bit per second per hertz.", 3, "min_rate", "1"),
    ("transmitter 2 may use three tenths of its max power", 2, "max_power_frac", "0.3"),
    ("A rate of 0.4 bit/s/Hz or more for user 10.", 10, "min_rate", "0.4"),
)


def chat_messages(text: str, normalize: bool = True) -> list[dict]:
    """System prompt, few-shot turns, then ``text`` (the prefix is the same for every call)."""
    prep = normalize_text if normalize else (lambda s: s)
    msgs = [{"role": "system", "content": SYSTEM}]
    for shot, agent, kind, value in FEW_SHOT:
        msgs.append({"role": "user", "content": prep(shot)})
        msgs.append({"role": "assistant", "content": encode_answer(agent, kind, value)})
    msgs.append({"role": "user", "content": prep(text)})
    return msgs


def completion_prompt(text: str, normalize: bool = True) -> str:
    """The same examples as a plain few-shot transcript, for base models."""
    prep = normalize_text if normalize else (lambda s: s)
    lines = [SYSTEM, ""]
    for shot, agent, kind, value in FEW_SHOT:
        lines += [f"Request: {prep(shot)}", f"JSON: {encode_answer(agent, kind, value)}", ""]
    lines += [f"Request: {prep(text)}", "JSON: "]
    return "\n".join(lines)
