"""Messages are acts: the small grammar every message between devices is written in.

A message says what its sender does to or for another link, not free prose. One act:

==========  ==================================================================================
act         meaning
==========  ==================================================================================
inform      "my power for the coming slot is ``amount``" (to every link that hears me)
request     ask link ``to`` to ``lower`` to ``amount``, to ``raise``, or to go ``silence``
offer       tell link ``to`` I go down to ``amount``: part of what it asked (my own needs stop me)
grant       tell link ``to`` its request is granted: I go to ``amount``
refuse      tell link ``to`` its request is refused: I keep my power
==========  ==================================================================================

Time slices (a slot split into L mini-slots): an ``offer`` of slices names the slices its
receiver may transmit in (the sender and the rest of its group take the others), a ``grant``
of slices accepts them, a ``refuse`` of slices keeps every slice for both (spatial reuse)::

    offer link 1 slices 2,3: we take turns
    grant link 0 slices 2,3
    refuse link 0 slices: my floor needs them

``amount`` is a fraction of the receiver's (for ``request``) or the sender's p_max, at most 3
decimals. ``reason`` is the free text that remains: a short phrase of letters, spaces, commas and
apostrophes (no digits: the numbers live in the act), at most :data:`REASON_CHARS` characters,
written by the model (the grammar bounds it: :data:`REASON_PATTERN`) or empty.

Text form, what crosses the control channel and what a receiver's model reads; one message
carries one or more acts joined by ``"; "``::

    inform 0.35: my tool suggests it
    request link 3 lower 0.4: my floor is missed
    grant link 1 lower 0.4: I can spare it
    offer link 1 lower 0.6: I keep my own floor
    refuse link 1 lower: I carry the emergency line

:func:`parse_message` reads a text back into acts (None when any part is not an act): the trace's
``message_parse_rate`` is the share of messages that parse.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

ACTS = ("inform", "request", "offer", "grant", "refuse")
KINDS = ("lower", "raise", "silence")
ANSWERS = ("grant", "refuse")  # what the model may answer a request with
REASON_CHARS = 40
REASON_PATTERN = r"^[A-Za-z][A-Za-z ,']{0,39}$"
SEPARATOR = "; "

_ACT = re.compile(
    r"^(?P<act>inform|request|offer|grant|refuse)"
    r"(?: link (?P<to>\d+))?"
    r"(?: (?P<kind>lower|raise|silence))?"
    r"(?: (?P<amount>0|1|1\.0|0\.\d{1,3}))?"
    r"(?: slices(?P<slices>(?: \d{1,2}(?:,\d{1,2})*)?))?"
    r"(?:: (?P<reason>[A-Za-z][A-Za-z ,']{0,39}))?$"
)
_REASON_OUT = re.compile(r"[^A-Za-z ,']")


def amount_text(x: float) -> str:
    """``x`` (a fraction in [0, 1]) with at most 3 decimals, trailing zeros dropped."""
    s = f"{min(max(float(x), 0.0), 1.0):.3f}".rstrip("0").rstrip(".")
    return s or "0"


def clean_reason(text: str) -> str:
    """``text`` as a reason: characters outside the grammar dropped, spaces folded, cut to
    :data:`REASON_CHARS` at a word boundary; empty when nothing of a phrase is left."""
    words = _REASON_OUT.sub(" ", str(text or "")).split()
    out = ""
    for w in words:
        nxt = f"{out} {w}" if out else w
        if len(nxt) > REASON_CHARS:
            break
        out = nxt
    out = out.strip(" ,'")
    return out if out[:1].isalpha() else ""


@dataclass(frozen=True)
class Act:
    """One act (see the module table). ``to`` a link id (None for ``inform``), ``kind`` one of
    :data:`KINDS` (requests and their answers), ``amount`` a fraction of p_max (None when the act
    has none), ``reason`` the short free text (may be empty)."""

    act: str
    to: int | None = None
    kind: str | None = None
    amount: float | None = None
    reason: str = ""
    slices: tuple[int, ...] | None = None  # time slices (offer, grant; empty: refuse them)

    def __post_init__(self) -> None:
        if self.act not in ACTS:
            raise ValueError(f"unknown act {self.act!r}; one of {ACTS}")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"unknown request kind {self.kind!r}; one of {KINDS}")
        if (self.act == "inform") != (self.to is None):
            raise ValueError("an inform goes to every listener; every other act names its link")
        if self.act in ("inform", "offer", "grant") and self.amount is None and self.slices is None:
            raise ValueError(f"{self.act} needs an amount")
        if self.act == "request" and self.kind is None:
            raise ValueError("a request needs a kind (lower, raise, silence)")

    @property
    def text(self) -> str:
        """The act as it is written on the air (see the module)."""
        parts = [self.act]
        if self.to is not None:
            parts.append(f"link {self.to}")
        if self.kind is not None:
            parts.append(self.kind)
        if self.amount is not None:
            parts.append(amount_text(self.amount))
        if self.slices is not None:
            parts.append("slices" + (" " + ",".join(map(str, self.slices)) if self.slices else ""))
        head = " ".join(parts)
        return f"{head}: {self.reason}" if self.reason else head

    def as_dict(self) -> dict:
        d = asdict(self)
        if self.slices is None:  # only an act about time slices has the key
            d.pop("slices")
        else:
            d["slices"] = list(self.slices)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Act:
        amount = d.get("amount")
        return cls(
            act=d["act"],
            to=None if d.get("to") is None else int(d["to"]),
            kind=d.get("kind"),
            amount=None if amount is None else float(amount),
            reason=d.get("reason") or "",
            slices=None if d.get("slices") is None else tuple(int(t) for t in d["slices"]),
        )


def parse_act(text: str) -> Act | None:
    """One act from its text form, None when ``text`` is not one."""
    m = _ACT.match(text.strip())
    if m is None:
        return None
    try:
        return Act(
            act=m["act"],
            to=None if m["to"] is None else int(m["to"]),
            kind=m["kind"],
            amount=None if m["amount"] is None else float(m["amount"]),
            reason=m["reason"] or "",
            slices=None if m["slices"] is None
            else tuple(int(t) for t in m["slices"].split(",") if t.strip()),
        )  # fmt: skip
    except ValueError:
        return None


def message_text(acts: list[Act]) -> str:
    """The message that carries ``acts`` (their texts joined by ``"; "``)."""
    return SEPARATOR.join(a.text for a in acts)


def parse_message(text: str) -> list[Act] | None:
    """Every act of a message, or None when any part of it is not an act (or it is empty)."""
    parts = (text or "").strip().split(SEPARATOR)
    acts = [parse_act(p) for p in parts]
    return None if not text or not text.strip() or any(a is None for a in acts) else acts


def addressed_to(acts: list[Act], agent: int, *names: str) -> list[Act]:
    """The acts of ``acts`` that name link ``agent`` (and are one of ``names``, when given)."""
    return [a for a in acts if a.to == agent and (not names or a.act in names)]


def act_counts(acts: list[dict]) -> dict:
    """How many acts of each kind were sent (``acts``: :meth:`Act.as_dict` records); the
    requests by kind; and the answers: ``asked`` (requests), ``granted``, ``offered``,
    ``refused``, ``unanswered`` (asked minus answers)."""
    by = Counter(a["act"] for a in acts)
    asked = by["request"]
    answered = by["grant"] + by["offer"] + by["refuse"]
    return {
        "sent": {a: by[a] for a in ACTS},
        "requests": dict(Counter(a["kind"] for a in acts if a["act"] == "request")),
        "asked": asked,
        "granted": by["grant"],
        "offered": by["offer"],
        "refused": by["refuse"],
        "unanswered": max(0, asked - answered),
    }
