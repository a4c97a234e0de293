"""What an agent's messages are worth reading: do they parse as acts, is their free text sane.

Messages are acts (:mod:`wireless_agents.agents.acts`): :func:`message_quality` reports the
share of messages that parse as acts (``parse_rate``) and, of every message, whether its free
text is degenerate: for a message of acts, each act's ``reason`` (its numbers live in the act,
so a reason is checked for repetition and cut-off sentences; it carries no numbers by its
grammar); for a text that is not acts (a trace of an older run, a model server that ignored the
grammar), the whole text as below.

A small model left to write a sentence next to its power often writes noise: the same phrase
again and again ("I go to 0.9999. I go to 0.9999. I go to"), numbers that are no number
("0.0.0.0.0", "1.0000000000000015555") or that are not the power it proposed ("I go to 3.908"
beside a power of 0.981 of p_max). Every trace reports the share of such messages, so the claim
"the agents talk" can be checked; empty messages (a team that sends none) are not counted.

A message is degenerate, for the first reason that holds:

============  ============================================================================
reason        when
============  ============================================================================
malformed     a number with two or more decimal points, or more than 4 decimals
repeated      a phrase of 3 or more words (or a whole sentence) written twice
not_power     a number that is not the power it proposed (fraction of p_max, within 0.01);
              link ids ("link 2", "agent_3") are names, not numbers
cut_off       text that stops inside a sentence (no final ``.``, ``!`` or ``?`` after a
              sentence that was already ended once)
============  ============================================================================
"""

from __future__ import annotations

import re
from collections import Counter

from wireless_agents.agents.acts import act_counts, parse_message

REASONS = ("malformed", "repeated", "not_power", "cut_off")
POWER_TOL = 0.01  # fraction of p_max a stated power may differ from the proposed one
PHRASE_WORDS = 3  # words of the shortest phrase whose repetition counts

_NUMBER = re.compile(r"\d[\d.]*")
_LINK_ID = re.compile(r"\b(?:link|agent|user|device|transmitter)[ _#]?\d+\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z']+|\d[\d.]*")


def degenerate_reason(text: str, power_frac: float) -> str | None:
    """Why ``text`` (a message sent with a proposed power of ``power_frac`` of p_max) is
    degenerate (one of :data:`REASONS`), or None when it reads as a sentence."""
    text = (text or "").strip()
    if not text:
        return None
    numbers = [n.rstrip(".") for n in _NUMBER.findall(_LINK_ID.sub("link", text))]
    if any(n.count(".") > 1 or len(n.partition(".")[2]) > 4 for n in numbers):
        return "malformed"
    words = _WORD.findall(text.lower())
    grams = Counter(
        tuple(words[i : i + PHRASE_WORDS]) for i in range(len(words) - PHRASE_WORDS + 1)
    )
    sentences = [s.strip() for s in re.split(r"[.!?](?:\s|$)", text) if s.strip()]
    if any(c > 1 for c in grams.values()) or len(set(sentences)) < len(sentences):
        return "repeated"
    if any(abs(float(n) - power_frac) > POWER_TOL for n in numbers):
        return "not_power"
    if len(sentences) > 1 and text[-1] not in ".!?":
        return "cut_off"
    return None


def message_quality(decisions: list[dict], p_max: float) -> dict:
    """Summary of the messages of ``decisions`` (trace decision records: ``power`` W,
    ``message``): ``texts`` (non-empty messages), ``parsed`` (how many parse as acts),
    ``parse_rate`` (None without texts), ``degenerate`` (how many), ``degenerate_share`` (None
    without texts), the count per reason, and ``acts``: what was sent, asked, granted, offered
    and refused (:func:`~wireless_agents.agents.acts.act_counts`)."""
    reasons: Counter = Counter()
    texts = parsed = 0
    sent: list[dict] = []
    for d in decisions:
        text = d.get("message") or ""
        if not text.strip():
            continue
        texts += 1
        power_frac = float(d.get("power") or 0.0) / p_max if p_max else 0.0
        acts = parse_message(text)
        if acts is None:
            why = degenerate_reason(text, power_frac)
        else:
            parsed += 1
            sent += [a.as_dict() for a in acts]
            why = next((w for a in acts if (w := degenerate_reason(a.reason, 0.0))), None)
        if why:
            reasons[why] += 1
    n = sum(reasons.values())
    return {
        "texts": texts,
        "parsed": parsed,
        "parse_rate": parsed / texts if texts else None,
        "degenerate": n,
        "degenerate_share": n / texts if texts else None,
        "reasons": {r: reasons[r] for r in REASONS if reasons[r]},
        "acts": act_counts(sent),
    }
