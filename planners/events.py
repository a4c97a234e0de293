"""The events of a run: what the decide graph and the episode emit, the trace keeps, and the
dashboard, the progress displays and the evaluator read.

Every node of the team's decide graph (:mod:`.coordination`) and of the episode's outer loop
(:mod:`.episode`) sends one plain dict on LangGraph's custom stream (:func:`.coordination.stream.
emit`) and the decide graph keeps the same dicts in its state's ``events`` (a slot record's
``events`` in the trace). This module lists them: one ``TypedDict`` per event ``type``, its fields
with their meaning and units, and :data:`EVENT_TYPES` (type name -> TypedDict).
:func:`check_event` checks one event against the list (its type is known, every required key is
there, no key is undeclared, nested records likewise); the tests run it on every event of real
episodes, and check the dashboard's handlers against the same list.

Where each type comes from, in the order of one slot::

    slot           episode: the scene, before anyone decides
    sense          decide graph: who hears whom, the waves (and the leader)
    proposal       decide graph: one agent's proposed power (one per agent per round)
    deliver        decide graph: one wave's messages over the control channel
    negotiate      decide graph: after a round, agreed or not
    lead           decide graph (leader strategy): the leader's plan and who received it
    cloud_plan     decide graph (cloud strategy): the cloud planned every power
    cluster        decide graph (tiers=3): the cluster coordinators' answers (L1)
    escalate       decide graph (cloud on): the cloud's answers (L0)
    plan           decide graph: the committed plan of the slot
    floor_control  after the decide graph: the closed loop that closed the floors
    approval       episode: the operator's answer at the approval pause (``run_episode``'s
                   ``on_event`` only; not on the stream, not in the trace)
    intent         episode: one sentence typed at the pause, as the model read it
    commit         episode: the slot as committed, stepped and measured

The trace keeps the decide graph's events (``sense`` ... ``plan``, then ``floor_control``) in each
slot record's ``events``; ``slot``, ``commit``, ``intent`` and ``approval`` are on the stream only
(the trace keeps their content elsewhere: ``steps``, ``intents``, ``approval``). Indices are link
(= agent) ids ``0..K-1``; powers in W unless named ``*_frac`` (fraction of p_max); rates and
sum-rates in bit/s/Hz; sizes in bytes (compact JSON on the air); times in seconds.
"""

# No ``from __future__ import annotations``: the TypedDicts' ``NotRequired`` must be seen when
# the classes are built (it is read from evaluated annotations only). typing_extensions' TypedDict
# and NotRequired are the standard ones on Python >= 3.11 and bring them to 3.10.

import types
import typing
from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict, is_typeddict

# -- pieces shared by several events ----------------------------------------------------------


class ChannelOutcome(TypedDict):
    """One delivery wave on the simulated control channel (device-to-device unicast: each
    (sender, receiver) pair counts once)."""

    sent: int  # messages put on the air
    delivered: int  # of them, received
    lost: int  # of them, lost (sent = delivered + lost)
    bytes: int  # size of everything sent, B


class ChannelCounters(TypedDict):
    """A slot's running totals of the decide graph (its state's ``channel``).

    ``sent``/``delivered``/``lost``/``bytes``: device-to-device messages (B);
    ``cloud_requests``/``cloud_bytes``/``cloud_seconds``: edge (or L1) to cloud requests, their
    bytes up and down, the cloud model's seconds; ``cloud_only_bytes``: what sending every
    device's report to the cloud would have cost (B, the cloud-only baseline);
    ``cluster_requests``/``cluster_bytes``/``cluster_seconds``: device reports to the cluster
    coordinators (L1), bytes up and down, L1 model seconds; ``cluster_peer_bytes``: plans
    exchanged between neighbouring coordinators (B). After the validate node's closed loop (only
    when a link has a floor or a cap): ``floor_requests``/``floor_bytes`` its lower-requests,
    ``yield_messages``/``yield_bytes`` its yield offers and announcements (B), also counted in
    ``sent``/``bytes``. ``rerequests``/``resent``: the compact air's re-requests of lost notes
    and their answers (``planners/coordination/air.py``), also counted in ``sent``/``bytes``.
    """

    sent: int
    delivered: int
    lost: int
    bytes: int
    cloud_requests: int
    cloud_bytes: int
    cloud_seconds: float
    cloud_only_bytes: int
    cluster_requests: int
    cluster_bytes: int
    cluster_peer_bytes: int
    cluster_seconds: float
    rerequests: NotRequired[int]
    resent: NotRequired[int]
    floor_requests: NotRequired[int]
    floor_bytes: NotRequired[int]
    yield_messages: NotRequired[int]
    yield_bytes: NotRequired[int]


class CloudEstimate(TypedDict):
    """The cloud's guard: its solver's plan against the team's on the same partial problem.

    ``*_sum_rate`` the estimated sum-rate of every link of the problem (bit/s/Hz); ``*_short``
    the total floor shortfall (bit/s/Hz); ``kept_team`` the team's plan was not worse, so kept.
    """

    solver_sum_rate: float
    team_sum_rate: float
    solver_short: float
    team_short: float
    kept_team: bool


class EscalateRequest(TypedDict):
    """One merged request to the cloud (L0) and its answer.

    ``agents`` the escalating devices that hear each other (one request); ``merged_from`` how
    many device requests it merges; ``victims`` settled devices whose receivers hear one of them
    (their reports were pulled in); ``request_bytes`` the request up, pulls included (B);
    ``pull_bytes`` the pulls' part of it (B); ``unmerged_bytes`` what the devices' own reports
    alone would have cost (B); ``answer_bytes`` the answer down (B); ``accept``/``note`` the
    cloud model's verdict (accept when there is no cloud model); ``feasible`` the solver met
    every floor of the partial problem; ``estimate`` the guard's comparison; ``cloud_tokens``
    and ``cloud_seconds`` the cloud model's cost.
    """

    agents: list[int]
    merged_from: int
    victims: list[int]
    request_bytes: int
    pull_bytes: int
    unmerged_bytes: int
    answer_bytes: int
    accept: bool
    note: str
    feasible: bool
    estimate: CloudEstimate | None
    cloud_tokens: int
    cloud_seconds: float


class ClusterRequest(TypedDict):
    """One cluster coordinator's (L1) part of a slot.

    ``cluster`` its index; ``members`` its devices; ``agents`` those that were unsettled and sent
    their reports; ``request_bytes``/``answer_bytes`` reports up, powers down (B);
    ``accept``/``note`` its model's verdict; ``feasible`` its solver met every floor inside the
    cluster; ``coupling`` the largest share of a device's measured interference plus noise that
    came from other clusters (0..1); ``cluster_tokens``/``cluster_seconds`` its model's cost;
    ``escalated``/``reason`` whether (and why) it went on to the cloud. For an accepted plan:
    ``promised_rates`` its devices' rates as it planned them and ``rates_under_neighbours`` the
    same under the neighbouring clusters' plans (bit/s/Hz), ``conflict_with`` the clusters whose
    plans cut them by more than ``conflict_tol`` (only when some did).
    """

    cluster: int
    agents: list[int]
    members: list[int]
    request_bytes: int
    answer_bytes: int
    accept: bool
    note: str
    feasible: bool
    coupling: float
    cluster_tokens: int
    cluster_seconds: float
    escalated: bool
    reason: str | None
    promised_rates: NotRequired[list[float]]
    rates_under_neighbours: NotRequired[list[float]]
    conflict_with: NotRequired[list[int]]


# ``from`` is a Python keyword: the functional form
FloorRequest = TypedDict(
    "FloorRequest",
    {
        "minislot": int,
        "from": int,
        "to": int,
        "scale": float,
        "delivered": bool,
        "bytes": int,
    },
)
FloorRequest.__doc__ = """One ``lower`` request of the floor-control loop: in mini-slot
``minislot`` link ``from`` (at its cap, floor missed) asked the loudest interferer it hears, ``to``,
to scale its power by ``scale`` (0..1, 3 decimals); ``delivered`` over the control channel;
``bytes`` its size (B)."""


class YieldRound(TypedDict):
    """One yield round: ``offers`` sent (rate a disturbed link would gain from a silence),
    ``candidates`` {link: net gain of its silence, bit/s/Hz}, the links ``yielded`` (went silent)."""

    offers: int
    candidates: dict[str, float]
    yielded: list[int]


class YieldRecord(TypedDict):
    """The yield rounds of a floor-control run, their ``messages`` and ``bytes`` (B)."""

    rounds: list[YieldRound]
    messages: int
    bytes: int


class AdmissionRound(TypedDict):
    """One round of the closed loop's admission control (:mod:`.coordination.admission`):
    ``diverged`` the links at their cap with a reachable floor missed, ``candidates`` each
    candidate's priority as announced (link id -> weight x floor), ``dropped`` the links that
    gave up their floor, ``informs`` their inform acts (text)."""

    diverged: list[int]
    candidates: dict[str, float]
    dropped: list[int]
    informs: list[str]


class AdmissionRecord(TypedDict):
    """The admission rounds of a floor-control run, their ``messages`` and ``bytes`` (B)."""

    rounds: list[AdmissionRound]
    messages: int
    bytes: int


class IntentRecord(TypedDict):
    """One sentence typed at the approval pause, as the edge model read it (the episode state's
    ``intents``; the trace's ``intents``).

    ``text`` the sentence; ``slot`` the slot it was typed in; ``from_slot`` the first slot it
    holds in. Read: ``agent`` the link, ``kind`` ``min_rate`` (bit/s/Hz) or ``max_power_frac``
    (fraction of p_max), ``value``, ``raw`` the model's answer, ``note`` what was clipped.
    Not read: ``error`` (the first line of why).
    """

    text: str
    slot: int
    from_slot: int
    agent: NotRequired[int]
    kind: NotRequired[Literal["min_rate", "max_power_frac"]]
    value: NotRequired[float]
    raw: NotRequired[str]
    note: NotRequired[str]
    error: NotRequired[str]


class IntentReport(TypedDict):
    """An intent holding in a committed slot: its ``text``, ``agent``, ``kind``, ``value``, what
    the slot gave the link (``got``: bit/s/Hz for ``min_rate``, fraction of p_max for
    ``max_power_frac``) and whether it ``held``."""

    text: str
    agent: int
    kind: Literal["min_rate", "max_power_frac"]
    value: float
    got: float
    held: bool


class ApprovalAnswer(TypedDict, total=False):
    """What the approver answered at the pause: ``approved``; or ``powers`` (W per link) to
    override the plan; ``by`` who answered; ``intents`` sentences typed for the next slots."""

    approved: bool
    powers: list[float]
    by: str | None
    intents: list[str]


class ApprovalRecord(TypedDict):
    """The approval as the slot recorded it: ``approved``, ``by``; ``override`` the powers the
    operator set instead (W per link)."""

    approved: bool
    by: str | None
    override: NotRequired[list[float]]


# -- the decide graph (planners.coordination) ---------------------------------------------------


class SenseEvent(TypedDict):
    """The decide graph starts a slot.

    ``strategy`` negotiation | independent | leader | cloud; ``groups`` the Gauss-Seidel waves
    (lists of agents that do not hear each other; one group unless negotiating); ``leader`` the
    leading agent (leader strategy, else None); ``hears[i]`` the agents ``i`` hears on the
    control channel; ``links`` the number of directed hearing links (sum of ``len(hears[i])``).
    """

    type: Literal["sense"]
    slot: int
    strategy: str
    groups: list[list[int]]
    leader: int | None
    links: int
    hears: list[list[int]]


class ActRecord(TypedDict):
    """One act of a message (:class:`~wireless_agents.agents.acts.Act` as a dict): ``act``
    inform/request/offer/grant/refuse, ``to`` the link it names (None for inform), ``kind``
    lower/raise/silence, ``amount`` a fraction of p_max, ``reason`` its short free text."""

    act: str
    to: int | None
    kind: str | None
    amount: float | None
    reason: str


class ProposalEvent(TypedDict):
    """One agent's proposal in one round.

    ``power_frac`` its proposed power (fraction of p_max); ``suggested`` its tool's suggestion
    (fraction of p_max, None without a tool result); ``message`` the text it sends its
    neighbours, ``acts`` the same as act records (:class:`ActRecord`); ``fallback`` the model's answer was unusable and the fallback rule decided;
    ``forced`` nothing was left for language to settle: the tool's power, no model call (absent
    in events of runs before it);
    ``tokens`` prompt + completion tokens; ``tokens_evaluated`` what the model computed of them
    (prefill after its cache, plus generated); ``model_seconds`` the model's time.
    """

    type: Literal["proposal"]
    slot: int
    round: int
    agent: int
    power_frac: float
    suggested: float | None
    message: str
    acts: list[ActRecord]
    fallback: bool
    forced: NotRequired[bool]
    tokens: int
    tokens_evaluated: int
    model_seconds: float


class DeliverEvent(ChannelOutcome):
    """One wave's proposals over the control channel (``sent``/``delivered``/``lost``/``bytes``
    of :class:`ChannelOutcome`); ``lost_links`` the ``[sender, receiver]`` pairs that lost theirs
    (with the compact air: lost and not recovered by a re-request).
    Not emitted with the independent strategy (nobody talks)."""

    type: Literal["deliver"]
    slot: int
    round: int
    wave: int
    lost_links: list[list[int]]
    rerequests: NotRequired[int]  # compact air: re-requests of lost messages (counted in sent)
    resent: NotRequired[int]  # their answers (counted in sent)
    recovered_links: NotRequired[list[list[int]]]  # [sender, receiver] pairs a re-request healed


class NegotiateEvent(TypedDict):
    """After a round: ``round`` rounds done; ``agreed`` no proposal moved by more than ``tol``
    (negotiation only); ``max_move`` the largest move (fraction of p_max); ``floors_ok`` every
    agent's own estimate meets its minimum rate."""

    type: Literal["negotiate"]
    slot: int
    round: int
    agreed: bool
    max_move: float
    floors_ok: bool


class LeadEvent(ChannelOutcome):
    """The leader planned for the devices it heard and broadcast the plan (the broadcast's
    ``sent``/``delivered``/``lost``/``bytes``): ``leader``, ``heard`` the devices it planned for
    (itself included), ``received_plan`` those that got the plan (the leader included)."""

    type: Literal["lead"]
    slot: int
    leader: int
    heard: list[int]
    received_plan: list[int]


class CloudPlanEvent(TypedDict):
    """Cloud-only strategy: every device sent its report, the cloud planned every power.

    ``requests`` reports sent up (one per device); ``request_bytes``/``answer_bytes`` up and
    down (B); ``accept``/``note`` the cloud model's verdict (rejected: every device keeps its
    last power); ``feasible`` its solver met every floor; ``cloud_tokens``/``cloud_seconds``.
    """

    type: Literal["cloud_plan"]
    slot: int
    requests: int
    request_bytes: int
    answer_bytes: int
    accept: bool
    note: str
    feasible: bool
    cloud_tokens: int
    cloud_seconds: float


class ClusterEvent(TypedDict):
    """The cluster coordinators (L1, ``tier`` 1) answered the unsettled devices.

    ``clusters`` the partition of the devices; ``requests`` one record per cluster that had
    unsettled devices; ``to_cloud`` the devices sent on to the cloud; ``reasons`` {cluster: why
    it went on} (int keys on the stream, strings once written as JSON).
    """

    type: Literal["cluster"]
    tier: Literal[1]
    slot: int
    clusters: list[list[int]]
    requests: list[ClusterRequest]
    to_cloud: list[int]
    reasons: dict[int, str]


class EscalateEvent(TypedDict):
    """The cloud (L0, ``tier`` 0) answered the escalated devices: one record per merged request
    (also the slot record's ``escalation``)."""

    type: Literal["escalate"]
    tier: Literal[0]
    slot: int
    requests: list[EscalateRequest]


class PlanEvent(TypedDict):
    """The decide graph's commit: ``powers`` the plan (W per link, clipped to each cap),
    ``rounds`` rounds run, ``agreed``, the slot's ``channel`` counters so far; with time slices
    ``schedule`` the (K, L) plan (``powers`` then its means over the slices)."""

    type: Literal["plan"]
    slot: int
    rounds: int
    agreed: bool
    powers: list[float]
    channel: ChannelCounters
    schedule: NotRequired[list[list[float]]]  # time slices: the (K, L) schedule, W


class MaxMinRecord(TypedDict):
    """The closed loop's max-min phase (planners/coordination/maxmin_phase.py): ``target`` the
    common rate every served link reached (bit/s/Hz; None when the floors cannot be met
    together), ``trials`` targets tried, ``minislots`` their mini-slots, ``messages``/``bytes``
    the announcements and reports."""

    target: float | None
    trials: int
    minislots: int
    messages: int
    bytes: int


class PricingRound(TypedDict):
    """One pricing round of the closed loop (:mod:`.coordination.pricing`): whether its powers
    were ``kept`` and the weighted sum-rate the links reported (bit/s/Hz)."""

    kept: bool
    utility: float


class PricingRecord(TypedDict):
    """The pricing rounds of a floor-control run; ``trials`` the weighted sum-rate the links
    reported for the loop's two trials (yielding first, pricing first) and ``priced_first``
    whether they kept the second; the prices' and reports' ``messages`` and ``bytes`` (B)."""

    rounds: list[PricingRound]
    trials: list[float]
    priced_first: bool
    messages: int
    bytes: int


# ``yield`` is a Python keyword: the keys go in through the functional form
_FloorControlFields = TypedDict(
    "_FloorControlFields",
    {
        "type": Literal["floor_control"],
        "slot": NotRequired[int],
        "before": list[float],
        "clipped": list[int],
        "raised": list[int],
        "lowered": list[int],
        "yielded": list[int],
        "floors_missed_before": int,
        "floors_missed_after": int,
        "minislots": int,
        "feedback": int,
        "requests": list[FloorRequest],
        "yield": YieldRecord,
        "floor_messages": int,
        "floor_bytes": int,
        "yield_messages": int,
        "yield_bytes": int,
        "messages": int,
        "bytes": int,
        "objective": NotRequired[str],
        "max_min": NotRequired[MaxMinRecord],
        "dropped": NotRequired[list[int]],
        "admission": NotRequired[AdmissionRecord],
        "pricing": NotRequired[PricingRecord],
    },
)


class FloorControlEvent(_FloorControlFields):
    """The floor-control loop after the decide graph (only when a link has a floor or a cap, or
    the objective is ``min_power`` or ``max_min``).

    ``before`` the team's plan (W); ``clipped`` links whose plan exceeded their cap;
    ``raised``/``lowered``/``yielded`` links the loop raised, lowered, silenced;
    ``floors_missed_before``/``_after`` floors missed by the clipped plan and after the loop;
    ``minislots`` mini-slots run; ``feedback`` SINR reports of receivers to their own
    transmitters; ``requests`` every ``lower`` request; ``yield`` the yield rounds;
    ``floor_messages``/``floor_bytes`` the requests, ``yield_messages``/``yield_bytes`` the yield
    messages, ``messages``/``bytes`` all of them (B); ``objective`` the network objective the loop
    served, when one was stated; ``max_min`` the max-min phase under that objective;
    ``dropped``/``admission`` (only when a link's power control diverged) the links that gave
    up their floor and the admission rounds that settled it; ``pricing`` (only when a pricing
    round ran) the rebalancing's rounds, prices and reports. ``slot``
    is on the streamed event only: the copy in the trace's ``events`` has none (the slot record
    says which slot).
    """


# -- the episode (planners.episode) -------------------------------------------------------------


class SlotEvent(TypedDict):
    """A slot begins: what a live display draws before anyone decides.

    ``steps`` slots in the episode; ``agents`` K; ``scenario`` its name; ``p_max``/``noise`` (W);
    ``tx``/``rx`` positions in metres (K x 2) and ``bounds`` ``[[x0, y0], [x1, y1]]`` (None
    without geometry, e.g. gaussian); ``bystanders`` other nodes' positions (cellular's
    unscheduled users; m); ``hears[i]`` the devices ``i`` hears on the control channel;
    ``intents`` the typed intents holding in this slot.
    """

    type: Literal["slot"]
    slot: int
    steps: int
    agents: int
    scenario: str
    p_max: float
    noise: float
    tx: list[list[float]] | None
    rx: list[list[float]] | None
    bounds: list[list[float]] | None
    bystanders: list[list[float]]
    hears: list[list[int]]
    intents: list[IntentRecord]


class ApprovalEvent(TypedDict):
    """The approval pause was answered (``run_episode`` passes it to ``on_event`` itself)."""

    type: Literal["approval"]
    slot: int
    answer: ApprovalAnswer


class IntentEvent(IntentRecord):
    """A sentence typed at the approval pause, as the model read it (:class:`IntentRecord`)."""

    type: Literal["intent"]


class ProfileReading(TypedDict):
    """One statement a device read in its own profile: ``kind`` ``min_rate`` (bit/s/Hz),
    ``max_power_frac`` (of p_max) or ``weight``, and its ``value``."""

    kind: str
    value: float


class ProfileEvent(TypedDict):
    """Device ``agent``'s own agent read its profile ``text`` (once, before its first decision
    of slot ``slot``), with ``reader`` ``model`` (its own call on the team's model) or ``rules``;
    ``readings`` what it read, ``error`` why nothing could be read (None when read);
    ``tokens``/``seconds`` the read's cost."""

    type: Literal["profile"]
    slot: int
    agent: int
    reader: str
    text: str
    readings: list[ProfileReading]
    error: str | None
    tokens: int
    seconds: float


class CommitEvent(TypedDict):
    """The slot committed: the env stepped with ``powers`` (W per link).

    ``sum_rate``/``wmmse_sum_rate`` the team's and WMMSE's on the slot; ``ratio`` their ratio
    (None when WMMSE's is 0); per link ``power_frac`` (of p_max), ``sinr_db`` (None for a silent
    link), ``rates``; ``rounds``/``agreed`` of the decision (None at a classical planner's
    missing ones); ``llm_tokens``/``llm_seconds``/``tokens_per_s`` the edge model's cost (None
    rate without model time); ``approval`` the operator's answer (None without a pause);
    ``intents`` the typed intents holding in the slot and whether each held; ``floors_met`` per
    link, the scenario's floors (zou; None elsewhere). With time slices (``mini_slots`` L > 1)
    ``schedule_frac`` the (K, L) schedule as fractions of p_max (``powers``/``power_frac`` its
    means over the slices, ``rates`` the mean rates).
    """

    type: Literal["commit"]
    slot: int
    sum_rate: float
    wmmse_sum_rate: float
    powers: list[float]
    p_max: float
    power_frac: list[float]
    sinr_db: list[float | None]
    rates: list[float]
    ratio: float | None
    rounds: int | None
    agreed: bool | None
    llm_tokens: int
    llm_seconds: float
    tokens_per_s: float | None
    approval: ApprovalRecord | None
    intents: list[IntentReport]
    floors_met: list[bool] | None
    schedule_frac: NotRequired[list[list[float]]]  # time slices (L > 1): links x slices


EVENT_TYPES: dict[str, type] = {
    "slot": SlotEvent,
    "profile": ProfileEvent,
    "sense": SenseEvent,
    "proposal": ProposalEvent,
    "deliver": DeliverEvent,
    "negotiate": NegotiateEvent,
    "lead": LeadEvent,
    "cloud_plan": CloudPlanEvent,
    "cluster": ClusterEvent,
    "escalate": EscalateEvent,
    "plan": PlanEvent,
    "floor_control": FloorControlEvent,
    "approval": ApprovalEvent,
    "intent": IntentEvent,
    "commit": CommitEvent,
}
"""Event type name -> its TypedDict, in the order of one slot."""

Event = (
    SlotEvent | ProfileEvent | SenseEvent | ProposalEvent | DeliverEvent | NegotiateEvent | LeadEvent
    | CloudPlanEvent | ClusterEvent | EscalateEvent | PlanEvent | FloorControlEvent
    | ApprovalEvent | IntentEvent | CommitEvent
)  # fmt: skip


class EventError(ValueError):
    """An event that is not on the list: unknown type, a required key missing, a key undeclared."""


def keys(td: type) -> frozenset[str]:
    """Every key a TypedDict declares (required or not)."""
    return frozenset(td.__required_keys__ | td.__optional_keys__)


def nested(tp: Any) -> tuple[type | None, bool]:
    """``(TypedDict, is_list)`` of a field annotation that holds records: ``X``, ``X | None``,
    ``list[X]`` or ``list[X] | None`` for a TypedDict ``X``; ``(None, False)`` otherwise."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            td, many = nested(arg)
            if td is not None:
                return td, many
        return None, False
    if typing.get_origin(tp) is list:
        (arg,) = typing.get_args(tp) or (Any,)
        return (arg, True) if is_typeddict(arg) else (None, False)
    return (tp, False) if is_typeddict(tp) else (None, False)


def check_event(event: dict) -> str:
    """Check ``event`` against :data:`EVENT_TYPES`; return its type.

    Raises :class:`EventError` when its ``type`` is unknown, a required key is missing, it has a
    key its TypedDict does not declare, or a nested record (e.g. an ``escalate`` request) fails
    the same checks. Values are not type-checked.
    """
    if not isinstance(event, dict):
        raise EventError(f"an event is a dict, not {type(event).__name__}")
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        raise EventError(f"unknown event type {kind!r}; known: {sorted(EVENT_TYPES)}")
    _check(event, EVENT_TYPES[kind], kind)
    return kind


def _check(record: dict, td: type, where: str) -> None:
    if not isinstance(record, dict):
        raise EventError(f"{where}: a {td.__name__} is a dict, not {type(record).__name__}")
    missing = sorted(td.__required_keys__ - record.keys())
    extra = sorted(record.keys() - keys(td))
    if missing or extra:
        raise EventError(f"{where} ({td.__name__}): missing {missing}, undeclared {extra}")
    hints = typing.get_type_hints(td)
    for key, value in record.items():
        sub, many = nested(hints[key])
        if sub is None or value is None:
            continue
        for n, item in enumerate(value if many else [value]):
            _check(item, sub, f"{where}.{key}[{n}]" if many else f"{where}.{key}")
