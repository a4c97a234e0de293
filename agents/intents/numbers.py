"""Deterministic pre-normalization of how numbers are written: number words become digits,
fractions and percentages become decimals ("one and a half" -> 1.5, "a quarter" -> 0.25,
"two" -> 2, "30%" -> 0.3).

It rewrites how numbers are written, nothing else: the model still picks the agent, the kind and
which number is the value (or 0 for "silent"). The benchmark
``python -m wireless_agents.demos.benchmarks.intents`` reports accuracy with and without it.
"""

from __future__ import annotations

import re

from .nouns import LINK_NOUN

# number words -> their value
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
# fraction words -> their denominator ("a quarter" = 1/4)
FRACTION_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10, "twentieth": 20, "twentieths": 20, "hundredth": 100,
    "hundredths": 100,
}  # fmt: skip
_NUM = r"(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r"|a|an|\d+)"
_DEN = r"(?:" + "|".join(sorted(FRACTION_DENOMINATORS, key=len, reverse=True)) + r")"


# a word after a determiner that makes a following "one" an amount or an id, not a pronoun
# ("the link one", "a minimum one bit/s/Hz", "a mere one")
_NOT_ADJECTIVE = (
    LINK_NOUN + r"s?|rate|floor|cap|weight|priority|value|factor|level|minimum|maximum|mere|"
    r"single|only|just|full|whole|extra|further|and|or|than|" + "|".join(NUMBER_WORDS)
)
_PRONOUN_ONE = re.compile(
    r"\b((?:which|whichever|each|every|any|this|that|another|some)\s+)one\b"
    # "one" after a determiner and an adjective ("a great one", "the weakest one", "a quick
    # one"), unless a unit follows it ("a mere one bit/s/Hz")
    r"|\b((?:a|an|the|this|that|each|every|any|another|some)\s+(?!(?:" + _NOT_ADJECTIVE + r")\b)"
    r"[a-z]+\s+)one\b(?!\s*(?:bits?\b|b/s|bps\b|per\b|percent|%|times\b|and\s+a))"
    r"|\b((?:needs?|needed|wants?|has|have|gets?|keeps?)\s+)one\b"
    r"(?=\s+(?:any|anymore|now|more|either|too|again|at\s+all)\b|\s*[,.;:!?]|\s*$)"
    r"|\bone(?=\s+(?:of|is|that|who|which|another)\b)",
    re.I,
)


def _num(word: str) -> float:
    word = word.lower()
    if word in ("a", "an"):
        return 1.0
    return float(NUMBER_WORDS[word]) if word in NUMBER_WORDS else float(word)


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
        lambda m: _fmt(_num(m[1]) + 1.0 / FRACTION_DENOMINATORS[m[3].lower()]),
        s,
        flags=re.I,
    )
    # "half a" -> 0.5 ("half a bit per second")
    s = re.sub(r"\bhalf\s+an?\b", "0.5", s, flags=re.I)
    # "a quarter", "one third", "three quarters", "two thirds" (a number word/article first, so
    # an ordinal such as "the third link" is left alone)
    s = re.sub(
        rf"\b({_NUM})[\s-]+({_DEN})\b",
        lambda m: _fmt(_num(m[1]) / FRACTION_DENOMINATORS[m[2].lower()]),
        s,
        flags=re.I,
    )
    s = re.sub(r"\bhalf\b", "0.5", s, flags=re.I)
    # "twenty five" -> 25
    s = re.sub(
        r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+"
        r"(one|two|three|four|five|six|seven|eight|nine)\b",
        lambda m: str(NUMBER_WORDS[m[1].lower()] + NUMBER_WORDS[m[2].lower()]),
        s,
        flags=re.I,
    )
    # "one" as a pronoun stays a word: after a determiner or a verb that takes it as an object
    # ("whichever one is lowest", "every one of links 4 and 5", "it doesn't need one any more")
    # or before "of", "is", "that"... ("one of the radios", "one that lags")
    s = _PRONOUN_ONE.sub(lambda m: f"{m[1] or m[2] or m[3] or ''}one_", s)
    # bare number words; "one" as a pronoun ("the one that", "no one") stays
    s = re.sub(
        r"(?<!the )(?<!no )\b(" + "|".join(NUMBER_WORDS) + r")\b(?! of them)",
        lambda m: str(NUMBER_WORDS[m[1].lower()]),
        s,
        flags=re.I,
    )
    s = s.replace("one_", "one")
    # "30%" / "30 percent" -> "0.3"
    s = re.sub(
        r"(\d+(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)",
        lambda m: _fmt(float(m[1]) / 100.0),
        s,
        flags=re.I,
    )
    return s
