"""What a sentence names: links ("link 2", "agent_4"), numbers and units, found by regular
expressions; :func:`candidates` narrows the answer's grammar to them.

A 135M model that reads the whole decimal and id space itself copies the wrong number ("Silence
link 5" -> 5) or the wrong link far more often (measured in ``demos/benchmarks/intents.py``:
80 % without the narrowing, 98 % with).
"""

from __future__ import annotations

import re

from .cues import LINK_MENTION, distractor_spans
from .intent import IntentError
from .schema import UNIT_KINDS, VALUE_PATTERN

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.]\d+)?")
# how a sentence names each unit: a rate ("bit/s/Hz", "b/s/Hz", "bps/Hz", "bits per second") or
# power ("of max power", "30% power", "pwr", "dBm", "watts", "55% of maximum")
UNIT_MENTION = {
    "bit/s/Hz": re.compile(r"\bbits?\b|\bb/s|\bbps\b|\bbps/hz|spectral efficiency|\brate\b", re.I),
    "power": re.compile(
        r"\bpower\b|\bpwr\b|\bcap(s|ped|ping)?\b|\bdbm\b|\bwatts?\b|\bmw\b|\bof\s+(its\s+|the\s+)?(max|maximum|full|peak)\b",
        re.I,
    ),
}


def candidates(text: str, agent_ids) -> tuple[list[int], list[str], list[str]]:
    """What the sentence names: ``(ids, values, units)`` that narrow the answer's grammar.

    ``ids``: the links the sentence names ("link 2", "agent_4"), or every id of ``agent_ids`` if
    it names none. ``values``: every other number in it, as written ("1.5", "0.3"; number words
    and percentages are digits once :func:`~.numbers.normalize_text` ran), except counts and
    measures ("3 cameras", "10-minute", "150 m") and numbers about the past ("was at 2.5
    yesterday"): :func:`~.cues.distractor_spans`. ``units``: the units
    it names (a rate unit, power), or both if it names neither or both. The model still chooses
    the link, the number (or ``"off"``) and the unit among these. Raises :class:`IntentError`
    when the sentence names a link that is not one of ``agent_ids``.
    """
    valid = sorted({int(a) for a in agent_ids})
    named, spans = [], []
    for m in LINK_MENTION.finditer(text):
        named.append(int(m[1]))
        spans.append(m.span(1))
    unknown = sorted(set(named) - set(valid))
    if unknown:
        raise IntentError(
            f"the text names link {unknown[0]}, but the links are {valid[0]}..{valid[-1]}"
        )
    values = []
    spans += distractor_spans(text)
    for m in _NUMBER.finditer(text):
        if not any(a <= m.start() < b for a, b in spans) and m[0] not in values:
            if re.fullmatch(VALUE_PATTERN, m[0]):
                values.append(m[0])
    units = [u for u, pattern in UNIT_MENTION.items() if pattern.search(text)]
    return (sorted(set(named)) or valid), values, (units if len(units) == 1 else list(UNIT_KINDS))
