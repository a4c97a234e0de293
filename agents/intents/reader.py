"""Reading a whole operator text with the model: every constraint, weight and objective.

:func:`parse_intents` cuts the text into clauses (:func:`~.clauses.intent_clauses`). A clause
that names at most one link and states no weight, no objective and no removed floor or cap is
read as before, by :func:`~.parse.parse_intent` (one constraint, the same prompt and grammar:
such sentences read exactly as they did). Any other clause is cut into statements by the rules
(:func:`~.rules.find_statements`: which piece says what about which links), and the model reads
each under a grammar narrowed to what that piece names:

- a constraint: :func:`~.parse.parse_intent` on the piece (its links named in front of it when
  the piece refers back with "it"), the reading given to every link the piece applies to;
- a removed floor or cap: the ``"none"`` answer, ``min_rate`` 0 or ``max_power_frac`` 1;
- a weight: ``{"agent", "value"}``, the value one of the piece's numbers (:mod:`.goals`);
- the objective: ``{"goal"}`` (a plain-word label, :data:`~.goals.OBJECTIVE_LABELS`), one of those the text's cues name; when a clause names no
  link and the rules recognize nothing in it, one of those whose family of words it uses
  (:func:`~.cues.objective_words`: "throughput", "fair", "battery"...), or of the three
  unweighted ones when it uses none (a weighted total needs words about weights); beside a
  clause's statements, a sentence of it that names no link and no number and uses goal words
  (:func:`~.rules.goal_sentence`: "Keep every rate even; link 6 needs 0.3 bit/s/Hz") is read
  for the objective among the families its words use;
- a priority taken away ("do not favour link 2 any more"): a weight whose grammar allows only 1
  (not a weight stated against the usual one, "a third of the normal weight": the rules read a
  number there, and the model reads it among the piece's numbers).

A ``sum_rate`` objective stated beside link weights is ``weighted_sum_rate``
(:func:`~.rules.weighted_total`).

A clause read as one constraint that has no word of silence and no number that may be an asked
value (:func:`states_nothing`: "The 4 forklifts on link 2 send 200 messages an hour") states
nothing: its grammar would allow only a silence it never states.

A later statement of the same kind on the same link replaces an earlier one within a clause.
"""

from __future__ import annotations

import re

from wireless_agents.agents.backends.base import ModelBackend
from wireless_agents.environment.objectives import OBJECTIVES

from .clauses import intent_clauses
from .cues import (
    LINK_MENTION,
    NO_CAP,
    NO_FLOOR,
    SILENCE_CUE,
    WEIGHT_RESET,
    objective_words,
    prepare,
)
from .goals import (
    as_completion,
    decode_objective,
    objective_messages,
    objective_schema,
    weight_messages,
    weight_schema,
)
from .intent import Intent, IntentError
from .mentions import candidates
from .numbers import normalize_text
from .parse import MAX_TOKENS, generate, parse_intent, validate
from .rules import _expand_lists, find_statements, goal_sentence, latest, weighted_total
from .schema import UNIT_KINDS, decode_answer

_KIND_UNIT = {kind: unit for unit, kind in UNIT_KINDS.items()}
_MARKER = re.compile(r"\s*percent_of_power\b")
# a clause without goal words: any objective but a weighted total (weights need their words)
_UNWEIGHTED = tuple(n for n in OBJECTIVES if n != "weighted_sum_rate")


def _plain(clause: str, reading) -> bool:
    """Whether ``clause`` is read as one constraint, as before."""
    named = {int(m[1]) for m in LINK_MENTION.finditer(_expand_lists(prepare(clause)))}
    return (
        len(named) <= 1
        and not reading.objectives
        and not any(st.kind == "weight" for st in reading.statements)
        and all(set(st.links) <= named for st in reading.statements)  # "each user needs ..."
        and not (NO_FLOOR.search(clause) or NO_CAP.search(clause))
        and (bool(named) or bool(re.search(r"\d", prepare(clause))))
        and goal_sentence(clause) is None
    )


def states_nothing(clause: str, agent_ids, normalize: bool = True) -> bool:
    """Whether ``clause`` leaves the model nothing to read: no word of silence and no number that
    may be an asked value (every number a count, a measure or a label: "The 4 forklifts on
    link 2 send 200 messages an hour"). The narrowed grammar would allow only ``"off"`` there,
    a silence the clause never states."""
    text = normalize_text(clause) if normalize else clause
    return not SILENCE_CUE.search(clause) and not candidates(text, agent_ids)[1]


def _with_links(piece: str, links) -> str:
    """The piece as the model reads it: the rules' percent marker dropped, the links it applies
    to named in front of it when it does not name them all ("it needs 0.8 b/s/Hz")."""
    piece = _MARKER.sub("", piece)
    named = {int(m[1]) for m in LINK_MENTION.finditer(piece)}
    if set(links) <= named:
        return piece
    return f"{' and '.join(f'link {a}' for a in links)}: {piece}"


def _objective(text: str, names, clause: str, backend, max_tokens) -> Intent:
    answer, raw, tokens, seconds = generate(
        backend,
        lambda: objective_messages(text),
        lambda: as_completion(objective_messages(text)),
        objective_schema(names),
        max_tokens,
    )
    name = decode_objective(answer)
    if name not in OBJECTIVES:
        raise IntentError(f"model named objective {name!r}, not one of {OBJECTIVES}")
    return Intent(None, "objective", 0.0, clause, raw, "", tokens, seconds, objective=name)


def _weight(
    text: str, links, clause: str, agent_ids, backend, max_tokens, values=None
) -> list[Intent]:
    """A weight: the model names the link and one of the piece's numbers (``values`` replaces
    them: ``["1"]`` for a priority taken away)."""
    ids, found, _ = candidates(text, agent_ids)
    values = found if values is None else values
    if not values:
        return []
    answer, raw, tokens, seconds = generate(
        backend,
        lambda: weight_messages(text),
        lambda: as_completion(weight_messages(text)),
        weight_schema(ids, values),
        max_tokens,
    )
    if not isinstance(answer, dict):
        raise IntentError(f"model answer is not a JSON object: {raw!r}")
    it = validate({**answer, "kind": "weight"}, agent_ids, text=clause, raw=raw)
    return [Intent(a, "weight", it.value, clause, raw, it.note, tokens, seconds) for a in links]


def _removal(text: str, st, clause: str, agent_ids, backend, max_tokens) -> list[Intent]:
    """A floor or cap taken away: the model names the link, the grammar allows only "none"."""
    unit = _KIND_UNIT[st.kind]
    schema = {
        "type": "object",
        "properties": {
            "agent": {"enum": sorted(st.links)},
            "value": {"const": "none"},
            "unit": {"enum": [unit]},
        },
        "required": ["agent", "value", "unit"],
        "additionalProperties": False,
    }
    from .prompt import chat_messages, completion_prompt

    answer, raw, tokens, seconds = generate(
        backend, lambda: chat_messages(text), lambda: completion_prompt(text), schema, max_tokens
    )
    kind = decode_answer({**answer, "value": "0"})["kind"] if isinstance(answer, dict) else None
    if kind != st.kind:
        raise IntentError(f"model answer is not a removal of a {st.kind}: {raw!r}")
    value = 0.0 if kind == "min_rate" else 1.0
    return [Intent(a, kind, value, clause, raw, "", tokens, seconds) for a in st.links]


def _statements(clause: str, reading, agent_ids, backend, max_tokens, **kw) -> list[Intent]:
    out: list[Intent] = []
    if reading.objectives:
        piece, names = reading.objectives[-1]
        out.append(_objective(piece, names, clause, backend, max_tokens))
    elif not reading.statements and not LINK_MENTION.search(clause):
        names = objective_words(prepare(clause)) or _UNWEIGHTED  # the goal words it uses
        out.append(_objective(clause, names, clause, backend, max_tokens))
    elif reading.statements and (goal := goal_sentence(clause)):  # a bare goal beside them
        out.append(_objective(goal[0], goal[1], clause, backend, max_tokens))
    for st in reading.statements:
        text = _with_links(st.piece, st.links)
        if st.kind == "weight" and WEIGHT_RESET.search(st.piece) and st.value == 1.0:
            out += _weight(text, st.links, clause, agent_ids, backend, max_tokens, ["1"])
        elif st.kind == "weight":
            out += _weight(text, st.links, clause, agent_ids, backend, max_tokens)
        elif NO_FLOOR.search(st.piece) or NO_CAP.search(st.piece):
            out += _removal(text, st, clause, agent_ids, backend, max_tokens)
        else:
            it = parse_intent(
                text,
                agent_ids,
                backend,
                max_tokens=max_tokens,
                units=[_KIND_UNIT[st.kind]],
                **kw,
            )
            out += [
                Intent(a, it.kind, it.value, clause, it.raw, it.note, it.tokens, it.seconds)
                for a in st.links
            ]
    return latest(out)


def parse_intents(
    text: str, agent_ids, backend: ModelBackend | None = None, max_tokens: int = MAX_TOKENS, **kw
) -> list[Intent]:
    """Every constraint, weight and objective ``text`` states, read by the model (see the
    module docstring); ``kw`` goes to :func:`~.parse.parse_intent` (``normalize``, ``narrow``).
    Raises :class:`IntentError` as :func:`~.parse.parse_intent` does."""
    out: list[Intent] = []
    for clause in intent_clauses(text):
        reading = find_statements(clause, agent_ids)
        if _plain(clause, reading):
            if states_nothing(clause, agent_ids, kw.get("normalize", True)):
                continue
            out.append(parse_intent(clause, agent_ids, backend, max_tokens=max_tokens, **kw))
        else:
            out += _statements(clause, reading, agent_ids, backend, max_tokens, **kw)
    return weighted_total(out)
