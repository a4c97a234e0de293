"""Reading operator sentences without a model: rules and regular expressions.

The model-free twin of :func:`~.parse.parse_intents`: the same :class:`~.intent.Intent` records
for every kind (``min_rate``, ``max_power_frac``, ``weight``, ``objective``), so an episode or an
eval can set "rules read the intents" beside "the model reads them" on the same sentences, and
the benchmark prints both accuracies side by side. Tokens and seconds are 0.

How it reads (:func:`read_intents`):

1. :func:`~.cues.prepare`: number words, fractions and percentages become digits ("30%" ->
   "0.3 percent_of_power"), "twice as" -> "2 times"; a list of ids ("links 1, 2 and 3") becomes
   one mention each, and so does a range ("terminals 1 through 3", "links 2-4", "users 2 to
   4"); a number followed by "for link 1" is a value, not an id ("weights 2 for link 0 and 3
   for link 1").
2. The text is cut into pieces at sentence ends, ``, : ;`` and the words *and, or, but, while,
   whereas*; each piece is read for the links it names, its numbers (a number followed by a
   word that is not one of our units or a small word of the sentence, "3 cameras", "10-minute",
   "150 m", "20 dBm", "2500 mAh", or labelling a thing, "pole 9", is a distractor:
   :func:`~.cues.measure`), and its cues
   (:mod:`.cues`): silence, a floor or cap removed, a weight, a rate or power unit.
3. A piece's statement: the removal of a floor (``min_rate`` 0) or cap (``max_power_frac`` 1);
   silence (cap 0) when it has no other number; a number next to a rate unit (``min_rate``) or
   to "of max"/"power"/a percentage (``max_power_frac``); a weight cue (``weight``, the number
   before "times" or after "weight"/"priority"); else the piece's unit cue; a bare number after
   a statement ("device 4 at half power and device 5 at a quarter", "... whereas station 2 can
   live with 0.3") repeats its kind. A rate stated as an upper bound ("doesn't need more than")
   and a statement about the past ("was at 2.5 yesterday") state nothing, unless the past says
   a floor or cap is gone ("the limit that was put on node 2 can be dropped").
4. Whose statement: the links the piece names, plus those of a piece before it that named links
   and stated nothing, joined by *and* or a comma ("give user 0 and user 2 ..."); a piece that
   names none refers back to the last links named ("it needs ..."); a piece that only names
   links after a statement, joined by *and*, shares it ("mute radio 1 and radio 6"), and so does
   one after a statement made before any link was named ("half power, at most, for link 12").
5. The objective: the strongest one a piece that names no link names
   (:func:`~.cues.objectives_named`), the last one stated in the text; without such a cue, the
   one family of goal words of a sentence that names no link and no number and states nothing
   (:func:`goal_sentence`: "Keep every rate even; link 6 needs 0.3 bit/s/Hz"). A later
   statement of the same kind on the same link replaces an earlier one.
6. A link named only as the term of a comparison ("a worse channel than link 1": :data:`~.cues.
   COMPARED`) is not a link the piece's statement is about.
7. A piece that names no link, no objective and no pronoun for links named before, and states
   no bare silence, but quantifies over links states for every link ("each user needs ...",
   "everyone"), every link but those named so far ("every other link", "the rest"), or the
   links named before ("all of them"): :func:`quantified`; unless a piece of its sentence
   after it names links ("every link must keep 1.5 bit/s/Hz: link 0 first"), which it then
   applies to, as a statement before any link was named does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .clauses import check_text, split_sentences
from .cues import (
    ALL_LINKS,
    COMPARED,
    COMPARED_TERM,
    LINK_MENTION,
    LINK_NOUN,
    NO_CAP,
    NO_FLOOR,
    NOT_A_NUMBER,
    OTHER_LINKS,
    PAST,
    PIECE_SEPARATOR,
    POWER_CUE,
    RATE_CUE,
    RATE_UPPER,
    SILENCE_CUE,
    THEM_ALL,
    WEIGHT_CUE,
    WEIGHT_RESET,
    heading_kind,
    measure,
    objective_words,
    objectives_named,
    prepare,
)
from .intent import MAX_RATE, MAX_WEIGHT, Intent, IntentError

_NOUN = LINK_NOUN
# what may follow a number that is a value, not a link id: a unit, or "for / to / on" and a link
# ("weights 2 for link 0 and 3 for link 1": the 3 is link 1's weight, not a link)
_NOT_AN_ID = (
    r"(?!\s*(?:[.]\d|bits?\b|b/s|bps|percent_of_power|of\b|times\b|x\b"
    rf"|(?:for|to|on|at|with)\s+(?:the\s+)?{_NOUN}))"
)
_ID_LIST = re.compile(
    rf"\b{_NOUN}s?[\s_#-]*(\d+)((?:\s*,\s*\d+)*)\s*,?\s*(?:and|or|&)\s+(\d+)\b" + _NOT_AN_ID,
    re.I,
)
# a range of ids: "terminals 1 through 3", "links 2-4", "radios 1 thru 3", "users 2 to 4" (with
# "to" only after a plural noun: "raise link 1 to 3" is no range)
_ID_RANGE = re.compile(
    rf"\b{_NOUN}(?:s[\s_#-]*(\d+)\s*(?:-|–|through|thru|to|until|till)\s*(\d+)"
    rf"|[\s_#-]*(\d+)\s*(?:-|–|through|thru)\s*(\d+))\b" + _NOT_AN_ID,
    re.I,
)
_MAX_RANGE = 32  # a wider "range" is more likely a value than a list of links
_JOINING = {",", "and", "&"}
_CONTRAST = {"but", "while", "whereas"}
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.]\d+)?")
_RATE_AFTER = re.compile(r"\s*(bits?\b|b/s|bps\b|bit/s)", re.I)
_POWER_AFTER = re.compile(r"\s*(percent_of_power\b|of\b|power\b|times\s+(its|the)\b)", re.I)
_WEIGHT_AFTER = re.compile(r"\s*times\b", re.I)
_SENTENCE_END = re.compile(r"[.;!?\n]")
_WEIGHT_BEFORE = re.compile(
    r"(weigh\w*|priorit(y|ies)|importance|multiplier|factor)(\s+(it|of|by|to|at|=))?\s*$", re.I
)


def _expand_lists(text: str) -> str:
    """ "links 1, 2 and 3" and "links 1 through 3" -> "link 1 and link 2 and link 3"."""

    def one_each(m: re.Match) -> str:
        ids = [m[1], *re.findall(r"\d+", m[2]), m[3]]
        return " and ".join(f"link {i}" for i in ids)

    def every_one(m: re.Match) -> str:
        lo, hi = (int(x) for x in ((m[1], m[2]) if m[1] else (m[3], m[4])))
        if not lo < hi <= lo + _MAX_RANGE:
            return m[0]
        return " and ".join(f"link {i}" for i in range(lo, hi + 1))

    return _ID_LIST.sub(one_each, _ID_RANGE.sub(every_one, text))


def _values(piece: str, spans) -> list[re.Match]:
    """The numbers of ``piece`` that may be the asked value: not a link id, not a count or a
    measure ("3 cameras", "10-minute", "150 m", "20 dBm"), a label ("pole 9") or part of a
    version, address, date or time ("2.4.1", "2024-05-06", "22:00")."""
    out = []
    spans = [*spans, *(m.span() for m in NOT_A_NUMBER.finditer(piece))]
    for m in _NUMBER.finditer(piece):
        if any(a <= m.start() < b for a, b in spans) or measure(piece, m):
            continue
        out.append(m)
    return out


def _statement(piece: str, values: list[re.Match], previous: str | None):
    """``(kind, value)`` the piece states, or None."""
    if NO_FLOOR.search(piece):
        return "min_rate", 0.0
    if NO_CAP.search(piece):
        return "max_power_frac", 1.0
    if WEIGHT_RESET.search(piece) and not values:
        return "weight", 1.0
    nonzero = [m for m in values if float(m[0]) != 0.0]
    if SILENCE_CUE.search(piece) and not nonzero:
        return "max_power_frac", 0.0
    if not values:
        return None
    for m in values:  # a number next to its unit
        if _RATE_AFTER.match(piece, m.end()):
            return None if RATE_UPPER.search(piece) else ("min_rate", float(m[0]))
        if _POWER_AFTER.match(piece, m.end()) and not WEIGHT_CUE.search(piece):
            return "max_power_frac", float(m[0])
    if WEIGHT_CUE.search(piece):
        for m in values:
            if _WEIGHT_AFTER.match(piece, m.end()) or _WEIGHT_BEFORE.search(piece[: m.start()]):
                return "weight", float(m[0])
        return "weight", float(values[-1][0])
    value = float(values[-1][0])
    rate, power = RATE_CUE.search(piece), POWER_CUE.search(piece)
    if rate and not power:
        return None if RATE_UPPER.search(piece) else ("min_rate", value)
    if power and not rate:
        return "max_power_frac", value
    if previous is not None:  # "... and device 5 at a quarter": the kind before it
        return previous, value
    return None


_PRONOUN = re.compile(r"\b(it|its|it's|they|them|their)\b", re.I)


def quantified(piece: str, valid, named, before) -> list[int]:
    """The links a piece that names none states something about by a quantifier: every link
    ("each user", "all radios", "everyone": :data:`~.cues.ALL_LINKS`), every link but ``named``
    ("every other link", "the rest": :data:`~.cues.OTHER_LINKS`), or ``before`` ("all of them",
    every link when ``before`` is empty); empty when it has no quantifier, or only as the term of
    a comparison ("as much as the others")."""
    for pattern, links in (
        (THEM_ALL, before or valid),
        (OTHER_LINKS, set(valid) - set(named)),
        (ALL_LINKS, valid),
    ):
        for m in pattern.finditer(piece):
            if not COMPARED_TERM.search(piece[: m.start()]):
                return sorted(links)
    return []


def clip(kind: str, value: float) -> tuple[float, str]:
    """``value`` clipped into the range of ``kind``, and a note saying so (empty if inside)."""
    lo, hi = {"min_rate": (0.0, MAX_RATE), "max_power_frac": (0.0, 1.0)}.get(
        kind, (0.0, MAX_WEIGHT)
    )
    if lo <= value <= hi:
        return value, ""
    clipped = min(max(value, lo), hi)
    return clipped, f"{kind} {value:g} out of [{lo:g}, {hi:g}], clipped to {clipped:g}"


@dataclass(frozen=True)
class Statement:
    """One statement found by the rules: ``piece`` (the prepared words that state it),
    ``links`` it applies to, its ``kind`` and ``value``."""

    piece: str
    links: tuple[int, ...]
    kind: str
    value: float


@dataclass(frozen=True)
class Reading:
    """What the rules found in a text: its statements in order, and each piece that names a
    network objective with the objectives it names (strongest first)."""

    statements: list[Statement] = field(default_factory=list)
    objectives: list[tuple[str, list[str]]] = field(default_factory=list)


def find_statements(text: str, agent_ids) -> Reading:
    """The statements and objective pieces of ``text`` (steps 1-5 of the module docstring).

    Raises :class:`IntentError` when the text is empty, names a link by an ordinal or names a
    link outside ``agent_ids``.
    """
    check_text(text)
    valid = {int(a) for a in agent_ids}
    parts = PIECE_SEPARATOR.split(_expand_lists(prepare(text)))  # piece, separator, piece, ...
    out = Reading()
    seps: set[str] = set()
    last_links: list[int] = []
    pending: list[int] = []  # links named by a piece that stated nothing
    previous = None  # the last statement (piece, kind, value)
    orphan = None  # a statement made before any link was named ("half power, for link 12")
    every: tuple[int, list[int]] | None = None  # where the orphan goes, the links it quantifies
    heading = None  # the kind a heading names for the rest of its sentence ("Weights: ...")
    seen: set[int] = set()  # every link named so far

    def state(links, st, at=None):
        at = len(out.statements) if at is None else at
        out.statements.insert(at, Statement(st[0], tuple(links), st[1], st[2]))

    for i, piece in enumerate(parts):
        if i % 2:
            seps.add(piece.strip().lower())
            if _SENTENCE_END.fullmatch(piece.strip() or "\n"):
                heading = None
                if every is not None and orphan is not None:  # no link named after it
                    state(every[1], orphan, every[0])
                    last_links, pending, previous, orphan = every[1], [], orphan, None
                every = None
            continue
        if not piece.strip():
            continue
        if i + 1 < len(parts) and parts[i + 1].strip() == ":" and heading_kind(piece):
            heading = heading_kind(piece)
            continue
        joined, contrast = bool(seps & _JOINING), bool(seps & _CONTRAST)
        seps = set()
        mentions = list(LINK_MENTION.finditer(piece))
        compared = {m.start(1) for m in COMPARED.finditer(piece)}  # "worse than link 1"
        unknown = sorted({int(m[1]) for m in mentions} - valid)
        links = list(dict.fromkeys(int(m[1]) for m in mentions if m.start(1) not in compared))
        seen |= set(links)
        if unknown:
            raise IntentError(
                f"the text names link {unknown[0]}, but the links are {min(valid)}..{max(valid)}"
            )
        named = objectives_named(piece)
        if named:
            out.objectives.append((piece.strip(), named))
        # a statement about the past asks for nothing, unless it says a floor or cap is gone ("the
        # limit that was put on node 2 can be dropped", "the cap was removed yesterday")
        if PAST.search(piece) and not (NO_FLOOR.search(piece) or NO_CAP.search(piece)):
            last_links, pending, previous = links or last_links, [], None
            continue
        if contrast:
            pending = []
        values = _values(piece, [m.span(1) for m in mentions])
        # a bare number after a statement repeats its kind, after "and" or a contrast alike
        # ("station 0 needs 0.6 bit/s/Hz whereas station 2 can live with 0.3")
        again = previous[1] if previous and (joined or contrast) else None
        found = _statement(piece, values, again or heading)
        if found is None:
            if links and orphan is not None:
                state(links, orphan)
                last_links, pending, previous, orphan, every = links, [], orphan, None, None
            elif links and previous is not None and joined and not values:
                state(links, previous)  # "mute radio 1 and radio 6"
            elif links:
                pending = (pending if joined else []) + links
            last_links = links or last_links
            continue
        st = (piece.strip(), *found)
        targets = links + [a for a in pending if joined and a not in links] if links else []
        quantifies = not (targets or named or (found == ("max_power_frac", 0.0) and not values))
        if quantifies and not (last_links and _PRONOUN.search(piece)):
            quantifies = quantified(piece, valid, seen, last_links)
            if quantifies:  # a link named later in its sentence narrows it ("... : link 0 first")
                orphan, every = st, (len(out.statements), quantifies)
                continue
        targets = targets or pending or last_links
        if targets:
            state(targets, st)
            last_links, pending, previous = targets, [], st
        else:
            orphan = st
    if every is not None and orphan is not None:
        state(every[1], orphan, every[0])
    return out


def latest(intents: list[Intent]) -> list[Intent]:
    """``intents`` where a later statement of the same kind on the same link (or a later
    objective) replaces an earlier one; in order of their last statement."""
    kept: dict[tuple, Intent] = {}
    for it in intents:
        key = (it.kind, it.agent)
        kept.pop(key, None)
        kept[key] = it
    return list(kept.values())


def weighted_total(intents: list[Intent]) -> list[Intent]:
    """``intents`` where a stated ``sum_rate`` objective becomes ``weighted_sum_rate`` when the
    same text also weighs links ("maximise the total rate with node 4 counting double": the
    weights qualify the total)."""
    if not any(it.kind == "weight" for it in intents):
        return intents
    return [
        replace(it, objective="weighted_sum_rate") if it.objective == "sum_rate" else it
        for it in intents
    ]


def unnamed_objective(text: str) -> list[str]:
    """The objectives the words of ``text`` lean to (:func:`~.cues.objective_words`) when it names
    no link, no number and no objective cue: what a bare goal sentence ("our only goal is raw
    throughput") may mean; empty for any other text."""
    prepared = prepare(text)
    if LINK_MENTION.search(prepared) or re.search(r"\d", prepared):
        return []
    if any(objectives_named(p) for p in PIECE_SEPARATOR.split(prepared)):
        return []
    return objective_words(prepared)


def goal_sentence(text: str) -> tuple[str, list[str]] | None:
    """The last sentence of ``text`` that states a bare goal beside the statements of the others
    ("Keep every rate even; the 9 sensors on link 6 need at least 0.3 bit/s/Hz"): it names no
    link and no number, no cue of it names an objective, it states nothing (no silence, no
    removed floor or cap, no weight), and its words lean to some objective
    (:func:`unnamed_objective`). ``(sentence, objectives its words lean to)`` or None."""
    for sentence in reversed(split_sentences(text)):
        if _STATES.search(prepare(sentence)):
            continue
        names = unnamed_objective(sentence)
        if names:
            return sentence, names
    return None


_STATES = re.compile(
    "|".join(p.pattern for p in (SILENCE_CUE, NO_FLOOR, NO_CAP, WEIGHT_CUE, WEIGHT_RESET)), re.I
)


def read_intents(text: str, agent_ids) -> list[Intent]:
    """Every constraint, weight and objective ``text`` states, read by rules (no model).

    ``agent_ids`` are the valid ids. Raises :class:`IntentError` when the text is empty, names a
    link by an ordinal or names a link outside ``agent_ids``. A text that states nothing the
    rules recognize gives an empty list.
    """
    reading = find_statements(text, agent_ids)
    out = []
    for st in reading.statements:
        value, note = clip(st.kind, st.value)
        out += [Intent(a, st.kind, value, text, raw="rules", note=note) for a in st.links]
    if reading.objectives:
        name = reading.objectives[-1][1][0]
        out.append(Intent(None, "objective", 0.0, text, raw="rules", objective=name))
    elif not reading.statements and len(unnamed_objective(text)) == 1:
        name = unnamed_objective(text)[0]  # the one family of goal words the text uses
        out.append(Intent(None, "objective", 0.0, text, raw="rules", objective=name))
    elif reading.statements and (goal := goal_sentence(text)) and len(goal[1]) == 1:
        out.append(Intent(None, "objective", 0.0, text, raw="rules", objective=goal[1][0]))
    return weighted_total(latest(out))
