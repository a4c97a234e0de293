"""The JSON-able state of the coordination graph and the codecs between it and the tools' types.

Everything in the state is plain JSON (ints, floats, strings, lists, dicts with string keys), so
a checkpoint is readable and a resumed run rebuilds exactly the same objects.
"""

from __future__ import annotations

import operator
from dataclasses import asdict, replace
from typing import Annotated, Any, TypedDict

from typing_extensions import NotRequired
from wireless_agents.tools import LocalView, Note


def merge(a: dict, b: dict) -> dict:
    """Reducer: parallel proposal tasks each add their own agent's entry."""
    return {**(a or {}), **(b or {})}


class DecideState(TypedDict, total=False):
    """State of one slot's decision (the ``decide`` graph).

    Inputs: ``slot``, ``seed``, ``p_max``, ``noise``, ``views`` (one :class:`LocalView` per
    agent as a dict, empty mailbox), ``neighbours`` (strongest interferers per agent),
    ``gains`` (the slot's (K, K) gain matrix: the simulated medium of the ``validate`` node's
    mini-slots, never read by an agent), ``p_loss`` (control-channel loss matrix), ``carry`` (each agent's last received note per
    sender from the previous slot), ``settings`` (strategy, rounds, tol, cloud on/off, tiers),
    ``clusters`` (lists of agent ids, one per cluster coordinator; None with two tiers).

    Working: ``hears`` (who hears whom), ``groups`` (Gauss-Seidel waves), ``round``, ``wave``,
    ``proposals`` {agent: {power, message, acts, note, grant_cap, refused, ...}}, ``sent`` {agent: power last announced},
    ``mailbox`` {receiver: {sender: envelope}}, ``rounds_powers`` (proposal vector per round),
    ``air`` (the compact encoding's ``sent`` shadows, :mod:`.air`; carried as ``carry["air"]``),
    ``channel`` counters.

    Outputs: ``plan`` (watts per agent, validated), ``agreed``, ``floors_ok``, ``escalation``
    (the cloud's, L0), ``tier1`` (the cluster coordinators', L1), ``validation`` (the closed
    loop's record, None when no link has a floor or a cap), ``timeshare`` (with time slices:
    who shared time with whom, :mod:`.sharing`), ``events``
    (everything that happened, in order), ``decisions`` (each agent decision's record).
    """

    slot: int
    seed: int
    p_max: float
    noise: float
    views: list[dict]
    neighbours: list[list[int]]
    gains: list[list[float]]
    p_loss: list[list[float]]
    carry: dict
    settings: dict
    clusters: list[list[int]] | None
    hears: list[list[int]]
    groups: list[list[int]]
    round: int
    wave: int
    proposals: Annotated[dict, merge]
    sent: dict
    mailbox: dict
    rounds_powers: list[list[float]]
    air: dict
    channel: dict
    plan: list[float]
    agreed: bool
    floors_ok: bool
    asking: bool  # a request of the last round waits for its answer
    escalation: dict | None
    tier1: dict | None
    validation: dict | None
    timeshare: dict | None
    leader: int | None
    events: Annotated[list, operator.add]
    decisions: Annotated[list, operator.add]


class ProposeTask(TypedDict):
    """What one ``Send`` carries to the propose node: one agent's view and mailbox, nothing more."""

    agent: int
    slot: int
    round: int
    view: dict
    mailbox: list[dict]  # envelopes delivered to this agent, latest per sender
    current: float | None  # the power this agent announced last (this slot), or None
    strategy: str
    grant_cap: float | None  # the least power (W) it granted to go to this slot, or None
    refused: list[int]  # links whose requests it refused this slot
    refused_by: list[int]  # links that refused its own requests this slot
    answered: list[list[int]]  # requests it answered, [sender, round sent]
    max_age: NotRequired[int]  # compact air: rows heard more than this many slots ago left out
    settle: NotRequired[bool]  # it answers the powers its earlier waves proposed this round


OPTIONAL_VIEW_FIELDS = ("objective", "weight", "outside_gain")  # left out of the dict while None


def view_to_dict(view: LocalView) -> dict:
    """The view as JSON (empty mailbox); ``objective``/``weight`` only when stated, so a run
    without an objective keeps the state (and the bytes its reports count) it had before."""
    d = asdict(view)
    d["mailbox"] = []
    for key in OPTIONAL_VIEW_FIELDS:
        if d.get(key) is None:
            d.pop(key, None)
    if not d.get("outside"):  # only a view that left loud interferers out keeps the key
        d.pop("outside", None)
    if not d.get("settled"):
        d.pop("settled", None)
    return d


def view_from_dict(d: dict, mailbox=(), last_power: float | None = None) -> LocalView:
    fields = dict(d)
    fields["mailbox"] = tuple(mailbox)
    for key in ("neighbours", "neighbour_gains", "neighbour_rx_last"):
        fields[key] = tuple(fields[key])
    fields["outside"] = tuple((int(j), float(g)) for j, g in fields.get("outside", ()))
    v = LocalView(**fields)
    return v if last_power is None else replace(v, last_power=float(last_power))


def note_to_dict(note: Note) -> dict:
    d = {
        "sender": note.sender,
        "power": note.power,
        "prices": {str(k): float(v) for k, v in note.prices.items()},
        "wmmse": {str(k): float(v) for k, v in note.wmmse.items()},
        "min_rate": note.min_rate,
        "request": note.request,
        "direct_gain": note.direct_gain,
        "gains": {str(k): float(v) for k, v in note.gains.items()},
        "received": {str(k): float(v) for k, v in note.received.items()},
        "interference_plus_noise": note.interference_plus_noise,
        "cap": note.cap,
    }
    if note.weight is not None:  # only when stated: notes keep their bytes otherwise
        d["weight"] = float(note.weight)
    if note.outside_gain is not None:  # only when the sender left interferers out
        d["outside_gain"] = float(note.outside_gain)
    return d


def note_from_dict(d: dict[str, Any]) -> Note:
    return Note(
        sender=int(d["sender"]),
        power=None if d.get("power") is None else float(d["power"]),
        prices={int(k): float(v) for k, v in d.get("prices", {}).items()},
        wmmse={int(k): float(v) for k, v in d.get("wmmse", {}).items()},
        min_rate=d.get("min_rate"),
        request=d.get("request", ""),
        direct_gain=d.get("direct_gain"),
        gains={int(k): float(v) for k, v in d.get("gains", {}).items()},
        received={int(k): float(v) for k, v in d.get("received", {}).items()},
        interference_plus_noise=d.get("interference_plus_noise"),
        cap=d.get("cap"),
        weight=d.get("weight"),
        outside_gain=d.get("outside_gain"),
    )
