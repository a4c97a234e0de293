"""Operator intents in plain English, turned into planner constraints by the model.

A user types "Link 2 carries a control loop and needs at least 1.5 bit/s/Hz" or "keep agent_4 at
a quarter of max power"; :func:`parse_intent` asks the model for ``{"agent": 2, "value": "1.5",
"unit": "bit/s/Hz"}`` (or ``{"agent": 5, "value": "off"}``) under a JSON-schema grammar whose
``agent`` field is an enum of the real ids, maps the unit to the constraint kind, validates and clips the answer in Python (a grammar carries no numeric bounds) and
returns an :class:`Intent`. :func:`constraint_arrays` turns intents into the ``min_rate=`` and
``max_power_frac=`` arrays the planners take.

Kinds
=====

==================  ======================================================  ===============
``min_rate``        a minimum rate in bit/s/Hz, ``>= 0``                     array: 0 = none
``max_power_frac``  a cap on transmit power as a fraction of ``p_max``,      array: 1 = none
                    ``0..1``; ``0`` = silent ("turn off", "mute")
``weight``          a link's priority weight in a weighted sum-rate         :func:`link_weights_of`
``objective``       the network objective (``Intent.objective``, one of     :func:`objective_of`
                    ``environment.objectives.OBJECTIVES``; no agent)
==================  ======================================================  ===============

Agent ids
=========

Ids are the 0-based labels the environment uses: ``agent_2`` = "link 2" = "user 2" = "device
two" = "transmitter 2" = "station 2" = "pair 2" = agent 2 (the nouns: :mod:`.nouns`). Ordinal words ("the third link") are ambiguous (index 2 or 3?)
and are refused with an :class:`IntentError` before any model call; say "link 2".

Several statements per text
===========================

:func:`parse_intent` reads one constraint. :func:`parse_intents` splits a text into clauses
(sentences at ``.``, ``;``, ``!``, ``?`` or a new line, never the point of a decimal number; a
sentence that names no link joins the one before it, its "it" refers back). A clause that names
one link and states no weight, objective or removed floor/cap is read by :func:`parse_intent`
as before; any other is cut into statements by the rules and the model reads each under its own
narrowed grammar (:mod:`.reader`): "link 1 needs 2 bit/s/Hz and link 3 must be silent" gives
two constraints. :func:`read_intents_by_rules` reads the same kinds without a model (:mod:`.rules`).

Design (SmolLM2-135M is tiny: the design does the heavy lifting)
=================================================================

- The answer is ``agent`` (enum of the given ids), ``value`` (a decimal string of at most 3 + 4
  digits, or ``"off"``) and ``unit`` (enum ``"bit/s/Hz"`` | ``"power"``), in that order. The unit
  comes after the number because in the text it follows the number ("2 bit/s/Hz", "0.3 of max
  power"): the model copies rather than classifies. Measured alternatives (kind enum
  ``min_rate``/``max_power_frac`` before the value; a unit before the value; a copied "quote"
  field first; 12 few-shot examples instead of 6) were less accurate with SmolLM2-135M. The
  ``"off"`` alternative exists because the model, asked for a number on "Silence link 5",
  copies the 5. A free JSON number lets a tiny model write digits until it runs out of tokens,
  hence the bounded string. Python maps the unit to the kind (``bit/s/Hz`` -> ``min_rate``,
  ``power`` -> ``max_power_frac``, ``off`` -> ``max_power_frac`` 0).
- The grammar is narrowed to what the sentence names (:func:`candidates`, on by default,
  ``narrow=False`` to measure without): the agent enum to the links it names ("link 3",
  "agent_4"; all ids if it names none), the value to the numbers it contains other than those
  ids, plus ``"off"`` (only ``"off"`` when it contains no other number), the unit to the one it
  names (a rate unit or "power"; both when it names neither or both). The model still picks
  the link, the value or "off", and the unit among these; a 135M model that reads the whole
  decimal and id space itself copies the wrong number ("Silence link 5" -> 5) or the wrong link
  far more often (measured in ``demos/benchmarks/intents.py``: 80 % without, 98 % with).
  A sentence that names a link outside ``agent_ids`` is refused before any model call.
- A stable prompt prefix (system prompt + few-shot turns, no per-call numbers) so llama.cpp
  reuses its KV cache: a call evaluates only the new sentence and about 20 answer tokens.
- The few-shot sentences (:data:`FEW_SHOT`) are written apart from the measured set
  (``agents/data/intent_phrasings.yaml``) and never copied into it.
- Optional deterministic pre-normalization (:func:`normalize_text`, on by default): number words
  become digits ("one and a half" -> 1.5, "a quarter" -> 0.25, "two" -> 2) and percentages
  become fractions ("30%" -> 0.3). It rewrites how numbers are written, nothing else: the
  model still picks the agent, the kind and which number is the value (or 0 for "silent").
  The benchmark ``python -m wireless_agents.demos.benchmarks.intents`` reports accuracy with and without it.
- Base models (``backend.is_chat`` false, e.g. gemma3) get the same examples as a few-shot
  completion prompt through ``complete()``.

Modules
=======

==================  ==============================================================================
``intent.py``       :class:`Intent`, :class:`IntentError`, the kinds, :func:`constraint_arrays`
``schema.py``       the answer's JSON schema, :data:`UNIT_KINDS` (unit written -> kind), decoding
``nouns.py``        the nouns a link is named by ("link", "station", "pair"...): ``LINK_NOUN``
``mentions.py``     what a sentence names (links, numbers, units): :func:`candidates`
``numbers.py``      :func:`normalize_text` (:data:`NUMBER_WORDS`, fraction words)
``prompt.py``       system prompt, :data:`FEW_SHOT`, chat and completion prompts
``clauses.py``      :func:`split_sentences`, :func:`intent_clauses`
``parse.py``        :func:`parse_intent`, :func:`validate`, the one model call (``generate``)
``reader.py``       :func:`parse_intents`: every statement of a text, read by the model
``goals.py``        weight and objective prompts and narrowed grammars
``cues.py``         what a piece of a sentence states (objective, weight, silence, units,
                    distractor numbers), by regular expressions
``rules.py``        :func:`read_intents_by_rules`: the model-free reader
``phrasings.py``    the measured sets, ``agents/data/`` (:data:`PHRASINGS`, :func:`load_phrasings`)
==================  ==============================================================================
"""

from .clauses import intent_clauses, split_sentences
from .intent import (
    ALL_KINDS,
    GOAL_KINDS,
    KINDS,
    MAX_RATE,
    MAX_WEIGHT,
    Intent,
    IntentError,
    constraint_arrays,
    link_weights_of,
    objective_of,
)
from .mentions import LINK_MENTION, candidates
from .numbers import NUMBER_WORDS, normalize_text
from .parse import MAX_TOKENS, parse_intent, validate
from .phrasings import DATA_DIR, PHRASINGS, load_phrasings
from .prompt import FEW_SHOT, SYSTEM, chat_messages, completion_prompt
from .reader import parse_intents
from .rules import read_intents as read_intents_by_rules
from .schema import OFF, UNIT_KINDS, VALUE_PATTERN, decode_answer, intent_schema

__all__ = [
    "ALL_KINDS",
    "DATA_DIR",
    "FEW_SHOT",
    "GOAL_KINDS",
    "KINDS",
    "LINK_MENTION",
    "MAX_RATE",
    "MAX_TOKENS",
    "MAX_WEIGHT",
    "NUMBER_WORDS",
    "OFF",
    "PHRASINGS",
    "SYSTEM",
    "UNIT_KINDS",
    "VALUE_PATTERN",
    "Intent",
    "IntentError",
    "candidates",
    "chat_messages",
    "completion_prompt",
    "constraint_arrays",
    "decode_answer",
    "intent_clauses",
    "intent_schema",
    "link_weights_of",
    "load_phrasings",
    "normalize_text",
    "objective_of",
    "parse_intent",
    "parse_intents",
    "read_intents_by_rules",
    "split_sentences",
    "validate",
]
