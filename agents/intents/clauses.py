"""A text with several constraints, cut into the clauses that each state one."""

from __future__ import annotations

import re

from .intent import IntentError
from .mentions import LINK_MENTION
from .nouns import LINK_NOUN

# an ordinal before any link noun ("the third link", "the second station")
_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"last|\d+(?:st|nd|rd|th))\s+" + LINK_NOUN + r"s?\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<!\d)[.]|[.](?!\d)|[;!?\n]")  # not the point of 1.5


def check_text(text: str) -> None:
    """Refuse an empty text, or one that names a link by an ordinal ("the third link": index 2
    or 3?), with an :class:`IntentError`."""
    if not isinstance(text, str) or not text.strip():
        raise IntentError("empty intent text")
    m = _ORDINAL.search(text)
    if m:
        raise IntentError(
            f"ordinal {m[0]!r} is ambiguous (ids are 0-based): name the link by its id, "
            f"e.g. 'link 2' or 'agent_2'"
        )


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split at ``. ; ! ?`` and new lines, never inside ``1.5``."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def intent_clauses(text: str) -> list[str]:
    """The parts of ``text`` that each state one constraint: its sentences, where a sentence that
    names no link joins the one before it ("Link 0 serves a payment terminal; it cannot fall
    below 1.5 bit/s/Hz": the "it" refers back), or the one after it when it comes first."""
    out: list[str] = []
    lead: list[str] = []  # sentences before the first that names a link
    for sentence in split_sentences(text):
        if LINK_MENTION.search(sentence) is None:
            if out:
                out[-1] = f"{out[-1]}; {sentence}"
            else:
                lead.append(sentence)
            continue
        out.append("; ".join([*lead, sentence]))
        lead = []
    if lead:  # no sentence names a link: one constraint, the model picks the link
        out.append("; ".join(lead))
    return out
