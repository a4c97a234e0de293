"""A device's own profile: the sentence only its agent reads, and the floor, cap and weight it
takes from it.

A scenario may give a device its situation in words ("I am a soil-moisture sensor on a nearly
empty battery: never more than 30% of my power, and 0.2 bit/s/Hz is all I need"). The device's
own agent reads it once, in its own call on its own model
(:func:`~wireless_agents.agents.intents.first_person.parse_profile`, ids ``[agent]``: "I" and
"my" are the device), or with the model-free rules
(:func:`~wireless_agents.agents.intents.first_person.read_profile_by_rules`). The
:class:`Profile` is kept in the agent's memory (exported into the episode state, so a resumed
run does not read it again) and tightens the agent's own view every slot
(:meth:`Profile.apply`): its floor (bit/s/Hz) and cap (fraction of p_max) are the strictest of
the operator's and its own; a weight it states ("I count three times as much") becomes its view's
``weight`` (its notes carry it to the neighbours' weighted tools), and when no objective was
stated the view's objective becomes ``weighted_sum_rate``, as the scorer resolves it
(:func:`~wireless_agents.environment.objectives.resolve_objective`).
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace

from wireless_agents.environment.objectives import resolve_objective
from wireless_agents.tools import LocalView

READERS = ("model", "rules")
# what makes a device's own words refuse a request to lower, for the model-free answerer
_REFUSES = re.compile(
    r"\b(?:refuse|refusing|declined?|never (?:lower|drop|reduce|cut|turn|give|back)"
    r"|(?:will|do|does) not (?:lower|reduce|cut|turn|give|back|yield)|won't|not give up"
    r"|out of the question|whatever (?:my|the) (?:neighbours|others) ask|do not ask me"
    r"|keep my power whatever)\b",
    re.IGNORECASE,
)


def answer_by_rules(profile_text: str | None) -> str:
    """The model-free answer of a device to a request to lower: ``refuse`` when its profile
    says it refuses or never lowers (:data:`_REFUSES`), ``grant`` otherwise (and with no
    profile)."""
    return "refuse" if profile_text and _REFUSES.search(profile_text) else "grant"


@dataclass(frozen=True)
class Profile:
    """What device ``agent`` read in its profile ``text``.

    ``readings``: one ``{kind, value, raw, note, tokens, seconds}`` per statement read
    (``kind`` ``min_rate`` in bit/s/Hz, ``max_power_frac`` a fraction of p_max, ``weight``);
    ``reader`` ``model`` or ``rules``; ``error`` why nothing could be read (None when read);
    ``seconds`` the wall time of the read (s).
    """

    agent: int
    text: str
    reader: str
    readings: list[dict] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def _value(self, kind: str) -> float | None:
        vals = [float(r["value"]) for r in self.readings if r["kind"] == kind]
        return vals[-1] if vals else None

    @property
    def min_rate(self) -> float | None:
        """The device's own floor (bit/s/Hz), None when it states none (or 0)."""
        v = self._value("min_rate")
        return v if v else None

    @property
    def max_power_frac(self) -> float | None:
        """The device's own cap as a fraction of p_max, None when it states none. A cap of 0
        beside a floor of its own contradicts it (a silent link meets no floor: a misreading,
        such as "I can turn down" read as "off"): the floor stands, the cap is not applied."""
        v = self._value("max_power_frac")
        return None if v is not None and v <= 0 and self.min_rate else v

    @property
    def weight(self) -> float | None:
        return self._value("weight")

    @property
    def tokens(self) -> int:
        return int(sum(r.get("tokens", 0) for r in self.readings))

    def constraints(self) -> list[dict]:
        """``[{"agent", "min_rate" | "max_power_frac": value}]``: what a slot can hold or miss."""
        out = []
        if self.max_power_frac is not None:
            out.append({"agent": self.agent, "max_power_frac": self.max_power_frac})
        if self.min_rate is not None:
            out.append({"agent": self.agent, "min_rate": self.min_rate})
        return out

    def apply(self, view: LocalView) -> LocalView:
        """``view`` with the device's own floor and cap (the larger floor, the lower cap) and
        weight (the device's own replaces the operator's; with no objective stated the view's
        becomes ``weighted_sum_rate``)."""
        floor, frac, weight = self.min_rate, self.max_power_frac, self.weight
        if floor is None and frac is None and weight is None:
            return view
        over = {}
        if weight is not None:
            over["weight"] = weight
            over["objective"] = resolve_objective(view.objective, [weight])
        if floor is not None:
            over["min_rate"] = max(view.min_rate or 0.0, floor)
        if frac is not None:
            cap = frac * view.p_max
            over["cap"] = cap if view.cap is None else min(view.cap, cap)
        return replace(view, **over)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Profile:
        return cls(**d)


def read_profile(text: str, agent: int, backend=None, reader: str = "model") -> Profile:
    """Device ``agent`` reads its own ``text``: with the model on ``backend`` or, with
    ``reader="rules"``, with the rules (no model). A text it cannot read gives a profile with
    ``error`` set and no readings (it constrains nothing)."""
    from wireless_agents.agents.intents import IntentError
    from wireless_agents.agents.intents.first_person import parse_profile, read_profile_by_rules

    if reader not in READERS:
        raise ValueError(f"unknown profile reader {reader!r}; choose one of {', '.join(READERS)}")
    t0 = time.perf_counter()
    try:
        its = (
            read_profile_by_rules(text, agent)
            if reader == "rules"
            else parse_profile(text, agent, backend)
        )
    except IntentError as exc:
        return Profile(int(agent), text, reader, [], str(exc).splitlines()[0],
                       time.perf_counter() - t0)  # fmt: skip
    readings = [
        {"kind": it.kind, "value": float(it.value), "raw": it.raw, "note": it.note,
         "tokens": int(it.tokens), "seconds": float(it.seconds)}
        for it in its
    ]  # fmt: skip
    if any(r["kind"] == "min_rate" and r["value"] > 0 for r in readings):
        for r in readings:
            if r["kind"] == "max_power_frac" and r["value"] <= 0:
                r["note"] = "a cap of 0 contradicts the floor read: not applied"
    error = None if readings else "the profile states no floor, cap or weight"
    return Profile(int(agent), text, reader, readings, error, time.perf_counter() - t0)
