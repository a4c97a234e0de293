"""A text with several constraints, cut into the clauses that each state one."""

from __future__ import annotations

import re

from .mentions import LINK_MENTION

_SENTENCE_END = re.compile(r"(?<!\d)[.]|[.](?!\d)|[;!?\n]")  # not the point of 1.5


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
