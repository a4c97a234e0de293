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
==================  ======================================================  ===============

Agent ids
=========

Ids are the 0-based labels the environment uses: ``agent_2`` = "link 2" = "user 2" = "device
two" = "transmitter 2" = agent 2. Ordinal words ("the third link") are ambiguous (index 2 or 3?)
and are refused with an :class:`IntentError` before any model call; say "link 2".

One constraint per sentence
===========================

:func:`parse_intent` reads one constraint. :func:`parse_intents` splits a text into sentences
(``.``, ``;``, ``!``, ``?`` or a new line, never the point of a decimal number), joins a sentence
that names no link to the one before it (its "it" refers back) and reads one constraint from
each; "link 1 needs 2 bit/s/Hz and link 3 must be silent" in a single sentence
yields one of the two (split it into two sentences).

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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from wireless_agents.agents.backends.base import BackendError, GenerationConfig, ModelBackend

KINDS = ("min_rate", "max_power_frac")
DATA_DIR = Path(__file__).parent / "data"
PHRASINGS = DATA_DIR / "intent_phrasings.yaml"

# A decimal with at most 3 integer and 4 fraction digits, as a JSON string (see module doc).
VALUE_PATTERN = r"^(0|[1-9][0-9]{0,2})([.][0-9]{1,4})?$"
MAX_TOKENS = 32
MAX_RATE = 30.0  # bit/s/Hz: above this a "minimum rate" is a misreading, clipped with a note


class IntentError(ValueError):
    """The intent could not be read (model failure, unparsable answer, ambiguous text)."""


@dataclass(frozen=True)
class Intent:
    """One constraint read from a sentence.

    ``value`` is already validated and clipped; ``raw`` is the model's answer, ``note`` says what
    was clipped (empty when nothing was).
    """

    agent: int
    kind: str
    value: float
    text: str
    raw: str = ""
    note: str = ""
    tokens: int = 0
    seconds: float = 0.0

    def as_constraint(self) -> dict:
        """``{"agent": 2, "min_rate": 1.5}`` / ``{"agent": 4, "max_power_frac": 0.25}``."""
        return {"agent": self.agent, self.kind: self.value}


# -- prompt ---------------------------------------------------------------------------------------

# The model labels the number with a unit it can mostly copy from the text; Python maps it to the
# constraint kind. "off" (silent, turn off, mute) stands for max_power_frac 0.
UNITS = {"bit/s/Hz": "min_rate", "power": "max_power_frac"}
OFF = "off"

SYSTEM = (
    "You turn a request about radio links into JSON. "
    '"agent" is the number of the link, user, device or transmitter named. '
    '"value" is the number asked for, or "off" for silent or off. '
    '"unit" is "bit/s/Hz" for a minimum rate, "power" for a power limit.'
)

# Few-shot examples. Never sentences of the measured set (agents/data/intent_phrasings.yaml).
FEW_SHOT: tuple[tuple[str, int, str, str], ...] = (
    ("Link 7 streams video and needs 3.5 bit/s/Hz minimum.", 7, "min_rate", "3.5"),
    ("Cap user 1 at 60% of full power, it overheats.", 1, "max_power_frac", "0.6"),
    ("device 8 has to go quiet", 8, "max_power_frac", "0"),
    ("Give agent_3 at least one bit per second per hertz.", 3, "min_rate", "1"),
    ("transmitter 2 may use three tenths of its max power", 2, "max_power_frac", "0.3"),
    ("A rate of 0.4 bit/s/Hz or more for user 10.", 10, "min_rate", "0.4"),
)


def intent_schema(agent_ids, values=None, units=tuple(UNITS)) -> dict:
    """The answer's JSON schema, fields in the order the model writes them.

    ``{"agent": <id>, "value": "<decimal>", "unit": "bit/s/Hz" | "power"}`` or
    ``{"agent": <id>, "value": "off"}``; ``agent`` is an enum of ``agent_ids``. With ``values``
    (decimal strings, see :func:`candidates`) the value is an enum of those instead of any
    decimal; an empty ``values`` leaves only ``"off"``. ``units`` narrows the unit enum.
    """
    ids = sorted({int(a) for a in agent_ids})
    if not ids:
        raise ValueError("agent_ids is empty")
    agent = {"enum": ids}
    value = (
        {"type": "string", "pattern": VALUE_PATTERN} if values is None else {"enum": list(values)}
    )
    number = {
        "type": "object",
        "properties": {"agent": agent, "value": value, "unit": {"enum": list(units)}},
        "required": ["agent", "value", "unit"],
        "additionalProperties": False,
    }
    off = {
        "type": "object",
        "properties": {"agent": agent, "value": {"const": OFF}},
        "required": ["agent", "value"],
        "additionalProperties": False,
    }
    return {"anyOf": [off]} if values is not None and not values else {"anyOf": [number, off]}


# "link 2", "user 3", "agent_4", "device #1", "transmitters 5": how a sentence names a link.
_ID_MENTION = re.compile(
    r"\b(?:link|user|device|agent|transmitter|node|radio|tx|ue)s?[\s_#-]*(\d+)\b", re.I
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.]\d+)?")
# how a sentence names each unit: a rate ("bit/s/Hz", "b/s/Hz", "bps/Hz", "bits per second") or
# power ("of max power", "30% power", "dBm", "watts")
_UNIT_MENTION = {
    "bit/s/Hz": re.compile(r"\bbits?\b|\bb/s|\bbps\b|\bbps/hz|spectral efficiency|\brate\b", re.I),
    "power": re.compile(r"\bpower\b|\bdbm\b|\bwatts?\b|\bmw\b", re.I),
}


def candidates(text: str, agent_ids) -> tuple[list[int], list[str], list[str]]:
    """What the sentence names: ``(ids, values, units)`` that narrow the answer's grammar.

    ``ids``: the links the sentence names ("link 2", "agent_4"), or every id of ``agent_ids`` if
    it names none. ``values``: every other number in it, as written ("1.5", "0.3"; number words
    and percentages are digits once :func:`normalize_text` ran). ``units``: the units it names
    (a rate unit, power), or both if it names neither or both. The model still chooses the link,
    the number (or ``"off"``) and the unit among these. Raises :class:`IntentError` when
    the sentence names a link that is not one of ``agent_ids``.
    """
    valid = sorted({int(a) for a in agent_ids})
    named, spans = [], []
    for m in _ID_MENTION.finditer(text):
        named.append(int(m[1]))
        spans.append(m.span(1))
    unknown = sorted(set(named) - set(valid))
    if unknown:
        raise IntentError(
            f"the text names link {unknown[0]}, but the links are {valid[0]}..{valid[-1]}"
        )
    values = []
    for m in _NUMBER.finditer(text):
        if not any(a <= m.start() < b for a, b in spans) and m[0] not in values:
            if re.fullmatch(VALUE_PATTERN, m[0]):
                values.append(m[0])
    units = [u for u, pattern in _UNIT_MENTION.items() if pattern.search(text)]
    return (sorted(set(named)) or valid), values, (units if len(units) == 1 else list(UNITS))


def _answer(agent: int, kind: str, value: str) -> str:
    if kind == "max_power_frac" and float(value) == 0.0:
        return json.dumps({"agent": agent, "value": OFF})
    unit = next(u for u, k in UNITS.items() if k == kind)
    return json.dumps({"agent": agent, "value": value, "unit": unit})


def decode_answer(answer: dict) -> dict:
    """The model's ``{agent, value, unit}`` as ``{agent, kind, value}`` (``"off"`` -> 0)."""
    if not isinstance(answer, dict):
        raise IntentError(f"model answer is not a JSON object: {answer!r}")
    value = answer.get("value")
    if value == OFF:
        return {"agent": answer.get("agent"), "kind": "max_power_frac", "value": 0.0}
    return {"agent": answer.get("agent"), "kind": UNITS.get(answer.get("unit")), "value": value}


def chat_messages(text: str, normalize: bool = True) -> list[dict]:
    """System prompt, few-shot turns, then ``text`` (the prefix is the same for every call)."""
    prep = normalize_text if normalize else (lambda s: s)
    msgs = [{"role": "system", "content": SYSTEM}]
    for shot, agent, kind, value in FEW_SHOT:
        msgs.append({"role": "user", "content": prep(shot)})
        msgs.append({"role": "assistant", "content": _answer(agent, kind, value)})
    msgs.append({"role": "user", "content": prep(text)})
    return msgs


def completion_prompt(text: str, normalize: bool = True) -> str:
    """The same examples as a plain few-shot transcript, for base models."""
    prep = normalize_text if normalize else (lambda s: s)
    lines = [SYSTEM, ""]
    for shot, agent, kind, value in FEW_SHOT:
        lines += [f"Request: {prep(shot)}", f"JSON: {_answer(agent, kind, value)}", ""]
    lines += [f"Request: {prep(text)}", "JSON: "]
    return "\n".join(lines)


# -- deterministic pre-normalization --------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
_DENOMS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10, "twentieth": 20, "twentieths": 20, "hundredth": 100,
    "hundredths": 100,
}  # fmt: skip
_NUM = r"(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"|a|an|\d+)"
_DEN = r"(?:" + "|".join(sorted(_DENOMS, key=len, reverse=True)) + r")"


def _num(word: str) -> float:
    word = word.lower()
    if word in ("a", "an"):
        return 1.0
    return float(_UNITS[word]) if word in _UNITS else float(word)


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def normalize_text(text: str) -> str:
    """Rewrite how numbers are written, nothing else: number words to digits, fractions and
    percentages to decimals ("one and a half" -> "1.5", "a quarter" -> "0.25", "30%" -> "0.3").

    Deterministic and optional (``parse_intent(..., normalize=False)``). It does not name the
    agent or the kind and does not decide which number is the value.
    """
    s = text
    # "two and a half" -> 2.5 ; "one and a quarter" -> 1.25
    s = re.sub(
        rf"\b({_NUM})\s+and\s+(a|an|one)\s+({_DEN})\b",
        lambda m: _fmt(_num(m[1]) + 1.0 / _DENOMS[m[3].lower()]),
        s,
        flags=re.I,
    )
    # "half a" -> 0.5 ("half a bit per second")
    s = re.sub(r"\bhalf\s+an?\b", "0.5", s, flags=re.I)
    # "a quarter", "one third", "three quarters", "two thirds" (a number word/article first, so
    # an ordinal such as "the third link" is left alone)
    s = re.sub(
        rf"\b({_NUM})[\s-]+({_DEN})\b",
        lambda m: _fmt(_num(m[1]) / _DENOMS[m[2].lower()]),
        s,
        flags=re.I,
    )
    s = re.sub(r"\bhalf\b", "0.5", s, flags=re.I)
    # "twenty five" -> 25
    s = re.sub(
        r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+"
        r"(one|two|three|four|five|six|seven|eight|nine)\b",
        lambda m: str(_UNITS[m[1].lower()] + _UNITS[m[2].lower()]),
        s,
        flags=re.I,
    )
    # bare number words; "one" as a pronoun ("the one that", "no one") stays
    s = re.sub(
        r"(?<!the )(?<!no )\b(" + "|".join(_UNITS) + r")\b(?! of them)",
        lambda m: str(_UNITS[m[1].lower()]),
        s,
        flags=re.I,
    )
    # "30%" / "30 percent" -> "0.3"
    s = re.sub(
        r"(\d+(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)",
        lambda m: _fmt(float(m[1]) / 100.0),
        s,
        flags=re.I,
    )
    return s


def load_phrasings(path=PHRASINGS) -> list[dict]:
    """The measured set: dicts with ``text``, ``k``, ``expect`` {agent, kind, value}, ``category``."""
    import yaml

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["phrasings"]


# -- parsing --------------------------------------------------------------------------------------

_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"last|\d+(?:st|nd|rd|th))\s+(link|user|device|agent|transmitter|node|radio)\b",
    re.I,
)


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise IntentError("empty intent text")
    m = _ORDINAL.search(text)
    if m:
        raise IntentError(
            f"ordinal {m[0]!r} is ambiguous (ids are 0-based): name the link by its id, "
            f"e.g. 'link 2' or 'agent_2'"
        )


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
    _check_text(text)
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
        if _ID_MENTION.search(sentence) is None:
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


def parse_intents(text: str, agent_ids, backend: ModelBackend | None = None, **kw) -> list[Intent]:
    """One :class:`Intent` per clause of ``text`` that states a constraint (see
    :func:`intent_clauses`)."""
    return [parse_intent(s, agent_ids, backend, **kw) for s in intent_clauses(text)]


def constraint_arrays(intents, n_agents: int) -> dict[str, np.ndarray]:
    """Planner arrays from intents: ``min_rate`` (K,) with 0 = none and ``max_power_frac`` (K,)
    with 1 = none, ready for ``planners.solve(..., min_rate=..., max_power_frac=...)``.

    Several intents on one link combine to the strictest: the largest minimum rate, the smallest
    power fraction. Accepts :class:`Intent` objects or ``as_constraint()`` dicts.
    """
    min_rate = np.zeros(n_agents)
    max_frac = np.ones(n_agents)
    for it in intents:
        c = it.as_constraint() if isinstance(it, Intent) else dict(it)
        a = int(c["agent"])
        if not 0 <= a < n_agents:
            raise IntentError(f"intent names agent {a}, outside 0..{n_agents - 1}")
        if "min_rate" in c:
            min_rate[a] = max(min_rate[a], float(c["min_rate"]))
        if "max_power_frac" in c:
            max_frac[a] = min(max_frac[a], float(c["max_power_frac"]))
    return {"min_rate": min_rate, "max_power_frac": max_frac}
