"""A device's profile in its own words: first-person sentences read for that one device.

A device's agent reads its own situation ("I am a sensor on a nearly empty battery: never more
than 30% of my power, and 0.2 bit/s/Hz is all I need") with the same machinery as the
operator's sentences, restricted to itself:

1. :func:`first_person` rewrites the pronouns that refer to the speaker into its link
   ("I", "me", "myself" -> "link 4"; "my", "mine" -> "link 4's"), so the sentence names the one
   link it is about; nothing else of the text changes.
2. The ids are ``[agent]``: every grammar's ``agent`` enum holds that one id, and a sentence
   naming any other link is refused (:class:`~.intent.IntentError`).
3. :func:`parse_profile` (the model) reads every clause statement by statement
   (:func:`~.rules.find_statements` cuts it, the model reads each piece under its own narrowed
   grammar, as :func:`~.reader.parse_intents` does for a clause with several statements). The
   operator reader reads a clause that names one link as one constraint; a profile clause names
   only its speaker and often states two things ("at most 30% of my power, and 0.2 bit/s/Hz"),
   so here it is always cut first. A clause the rules find no statement in, but with a number,
   is read whole by :func:`~.parse.parse_intent`.
   :func:`read_profile_by_rules` is its model-free twin.

A device states its own floor (``min_rate``), cap (``max_power_frac``) and ``weight``; it cannot
set the network's objective (an objective read from a profile is dropped).
"""

from __future__ import annotations

import re

from .clauses import intent_clauses
from .intent import Intent, IntentError
from .parse import MAX_TOKENS, parse_intent
from .reader import _statements, states_nothing
from .rules import find_statements, latest
from .rules import read_intents as _read_by_rules

PROFILE_KINDS = ("min_rate", "max_power_frac", "weight")  # what a device may say of itself
_SUBJECT = re.compile(r"\b(?:I\s+am|I'm|I)\b")
_OBJECT = re.compile(r"\b(?:me|myself)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(?:my|mine)\b", re.IGNORECASE)


def first_person(text: str, agent: int) -> str:
    """``text`` with the speaker's pronouns replaced by its link: "I am"/"I'm" -> "link 4 is",
    "I"/"me"/"myself" -> "link 4", "my"/"mine" -> "link 4's"."""
    link = f"link {int(agent)}"

    def subject(m: re.Match) -> str:
        return f"{link} is" if m[0] != "I" else link

    text = _SUBJECT.sub(subject, text)
    text = _OBJECT.sub(link, text)
    return _POSSESSIVE.sub(f"{link}'s", text)


def _own(intents: list[Intent]) -> list[Intent]:
    return latest([it for it in intents if it.kind in PROFILE_KINDS])


def parse_profile(
    text: str, agent: int, backend, max_tokens: int = MAX_TOKENS, **kw
) -> list[Intent]:
    """Every floor, cap and weight device ``agent`` states of itself in ``text``, read by the
    model on ``backend`` (see the module docstring). ``kw`` goes to
    :func:`~.parse.parse_intent`. Raises :class:`IntentError` when the text is empty or names
    another link."""
    ids = [int(agent)]
    out: list[Intent] = []
    for clause in intent_clauses(first_person(text, agent)):
        reading = find_statements(clause, ids)
        if reading.statements:
            out += _statements(clause, reading, ids, backend, max_tokens, **kw)
        elif re.search(r"\d", clause) and not states_nothing(clause, ids):
            try:
                out.append(parse_intent(clause, ids, backend, max_tokens=max_tokens, **kw))
            except IntentError:
                continue  # a number that states nothing (a clause, not the whole profile)
    return _own(out)


def read_profile_by_rules(text: str, agent: int) -> list[Intent]:
    """The model-free twin of :func:`parse_profile` (tokens and seconds 0)."""
    return _own(_read_by_rules(first_person(text, agent), [int(agent)]))
