"""Floor control: the LLM team's plan closes its minimum rates link by link, in closed loop.

The decide graph's ``validate`` node (:func:`validate`, before ``commit``): the team's plan is
clipped to each link's cap, then the links run a short power-control phase before the data
slot: mini-slots of pilots and feedback, as in cellular closed-loop power control. Nobody holds the
gain matrix; each link acts on what its own receiver measures (:mod:`.minislot`).

Per mini-slot ``t``:

1. *Measure.* Every transmitter sends at its current power. Receiver ``i`` measures its own
   direct gain ``G_ii`` (pilots), its interference plus noise ``(I+N)_i`` (W) and the power
   ``rx_ij = G_ij p_j`` (W) received from each interferer ``j`` it hears (the interferers of its
   observation, ``neighbours[i]``). The :class:`Medium` (the simulated world, like the control
   channel) computes these from the gains; the link rules below see nothing else.
2. *Power control* (Foschini-Miljanic). A link with a floor ``r_i`` (SINR target
   ``gamma_i = 2^r_i - 1``, aimed ``1e-4`` above it so round-off cannot miss it) sets
   ``p_i <- min(cap_i, max(base_i, p_i gamma_i / SINR_i))``, i.e. ``gamma_i (I+N)_i / G_ii``: its
   own SINR fed back by its own receiver. ``base_i`` is the planned power: a floor is a minimum,
   so a link above it keeps the plan's extra rate unless asked to give it up (step 4). A link
   without a floor keeps ``p_i = base_i``.
3. *Requests.* A link at its cap whose floor is still missed, and reachable with every other link
   silent (``G_ii cap_i / noise >= gamma_i``: its own knowledge), sends one ``lower`` request to
   the loudest interferer it hears (largest ``rx_ij``) that has not ignored it yet. The request
   asks for the cut that closes its floor were the rest to stay: scale by
   ``f = max(0, 1 - excess / rx_ij)``, ``excess = (I+N)_i - G_ii cap_i / gamma_i``. It crosses
   the control channel (:mod:`.channel`: loss, bytes, one message counted like any other).
4. *Comply.* A link that receives requests scales its ``base`` by the smallest ``f`` asked; one
   with a floor of its own goes no lower than its floor needs (step 2). A link that refused a
   requester during the team's negotiation (its ``refuse`` act, :mod:`wireless_agents.agents.
   acts`) does not comply with that requester here either, and the requester, knowing it,
   never asks it; a power a link granted (its ``grant``/``offer``) is its cap for the slot. A requester that sees
   no drop in ``rx_ij`` at the next mini-slot (request lost, or the interferer is at its own
   floor) asks again, and after ``RETRIES`` such misses asks the next loudest instead.

The loop ends when every reachable floor is met and no request is in flight, when nothing moves
any more, or after ``minislots`` mini-slots. Links that end it at their cap with a reachable
floor still missed have diverged: the floors cannot all hold together, and
:mod:`.admission` settles which are given up (lowest weight x floor first, one round at a time;
a link that gives up its floor says so in an ``inform`` act and goes silent for the slot, except
under ``max_min``, where it only stops forcing the others), the loop running again on the floors
kept after each round (``admit=False``: no admission control, every floor chased to the end).
Then come up to ``yield_rounds`` mini-slots of
:mod:`.yielding` (a link without a floor goes silent when the rate its silence gives the links it
disturbs, as they report it, exceeds its own), and, if a link went silent, the floor loop again.
After a link went silent the links rebalance their powers by interference prices
(:mod:`.pricing`, up to ``price_rounds`` rounds; with yielding off, none): a link whose
neighbours went silent comes up. A second trial prices first, then yields: a link planned loud
beside a heavier neighbour comes down toward what its floor needs instead of silencing it. A
pricing round is kept only when the weighted sum-rate the links report rose and no floor that
held was lost, and the links keep the trial they report better (the first unless the second is
higher with as many floors held).
The network objective the views carry (``objective``/``weight``, see :mod:`.inputs`; None is the
sum-rate) changes two things, each link still acting on its own quantities only:

- ``min_power``: a link's planned power is no reason to transmit; every link's ``base`` is 0, so
  step 2 sets ``p_i <- min(cap_i, gamma_i (I+N)_i / G_ii)`` for a link with a floor and 0 for
  one without: the distributed Foschini-Miljanic iteration, whose fixed point is the least power
  vector meeting every floor (``planners.minpower``'s exact plan when the floors are feasible).
  The loop runs under this objective even with no floor and no cap (then every link goes
  silent: nothing asks for power), and goes on after the floors are met until the powers settle
  (``SETTLE``; within ``minislots``). The team's plan is only its starting point.
- ``max_min``: no yielding. A link's silence trades its own rate for its neighbours' sum, which
  can only lower the minimum rate (a silent link's rate is 0); the floors are closed as usual,
  then the links search for the largest common rate they can all reach, floors still held
  (:mod:`.maxmin_phase`: bisection on a common target announced on the control channel,
  Foschini-Miljanic power control toward it, a link at its cap below it refuting it). The
  loop runs under this objective even with no floor and no cap; the team's plan does not
  bound what the phase reaches. Its record is the loop record's ``max_min``.
- ``weighted_sum_rate``: yielding and pricing weigh rates by the links' weights
  (:mod:`.yielding`, :mod:`.pricing`).

The record then names its ``objective`` (absent for the sum-rate, whose record is unchanged).

Cost: the requests are control-channel messages (counted in the team's
``sent``/``delivered``/``lost``/``bytes`` and separately as ``floor_requests``/``floor_bytes``,
the yield messages as ``yield_messages``/``yield_bytes``); the SINR feedback of a receiver to its
own transmitter rides on the link itself (recorded as ``feedback``, one report per floored link
per mini-slot, not a device-to-device message).

Units: gains linear, powers and noise in watts, rates in bit/s/Hz.
"""

from __future__ import annotations

import math

import numpy as np
from langgraph.runtime import Runtime
from wireless_agents.tools.view import power_cap

from . import admission, pricing, yielding
from . import channel as ch
from .context import TeamContext
from .maxmin_phase import max_min_phase
from .minislot import Measurement, Medium
from .state import DecideState
from .stream import emit

MARGIN = 1e-4  # relative SINR headroom above the floor's target
RATE_TOL = 1e-6  # bit/s/Hz a rate may fall short of a floor by round-off
MINISLOTS = 100
RETRIES = 3  # requests without effect before a link stops asking that interferer
SETTLE = 1e-6  # min_power: the loop ends once no power moves by more than this share of the cap
PHASED = ("min_power", "max_min")  # objectives whose loop runs even with no floor and no cap


def fm_power(base, caps, targets, m: Measurement) -> np.ndarray:
    """Step 2 for every link at once; element ``i`` uses only link ``i``'s own quantities."""
    need = np.where(targets > 0, targets * m.ipn / np.where(m.direct > 0, m.direct, 1.0), 0.0)
    need = np.where((targets > 0) & (m.direct <= 0), caps, need)
    return np.minimum(caps, np.maximum(base, need))


def request_of(i: int, p_i: float, cap_i: float, target_i: float, noise: float, m: Measurement,
               ignored: set[int]) -> tuple[int, float] | None:  # fmt: skip
    """Step 3 for link ``i``: ``(j, f)`` to send, or None. Reads row ``i`` of ``m`` only."""
    g, ipn = float(m.direct[i]), float(m.ipn[i])
    if target_i <= 0 or g <= 0 or cap_i <= 0 or p_i < cap_i * (1 - 1e-9):
        return None
    if g * cap_i / noise < target_i:  # out of reach even alone: silencing others cannot help
        return None
    allowed = ipn - g * cap_i / target_i  # interference plus noise it can bear at its cap
    if allowed <= 0:  # floor met at the cap
        return None
    rx = m.rx[i].copy()
    for j in ignored:
        rx[j] = 0.0
    j = int(np.argmax(rx))
    if rx[j] <= 0:
        return None
    f = max(0.0, 1.0 - allowed / rx[j])
    return j, math.floor(f * 1000.0) / 1000.0  # on the wire with 3 decimals, rounded down


def floor_loop(medium: Medium, p, base, caps, floors, noise: float, p_loss, seed: int,
               slot: int, minislots: int, start: int = 0, settle: bool = False,
               refusals=frozenset()) -> tuple[np.ndarray, dict]:  # fmt: skip
    """Steps 1-4 from powers ``p`` (planned powers ``base``): ``(powers, record)``.

    ``settle``: go on after the floors are met until no power moves by more than
    ``SETTLE`` of the largest cap (``min_power``: the iteration falls to the least powers).

    The record has ``minislots`` run, ``feedback`` reports, ``requests`` and channel ``counters``;
    ``start`` numbers the mini-slots after those already run this slot. ``refusals``: pairs
    ``(j, i)``: link ``j`` refused link ``i``'s requests (``i`` does not ask ``j``, ``j`` would not
    comply).
    """
    k = len(p)
    p, base = np.array(p, dtype=float), np.array(base, dtype=float)
    gamma = np.where(floors > 0, np.exp2(floors) - 1.0, 0.0)
    targets = gamma * (1.0 + MARGIN)
    ignored: list[set[int]] = [{j for j, r in refusals if r == i} for i in range(k)]
    misses: list[dict[int, int]] = [{} for _ in range(k)]
    asked: dict[int, tuple[int, float]] = {}  # requester -> (interferer, rx when asked)
    requests: list[dict] = []
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    feedback = t = 0
    m = medium.measure(p)
    for t in range(1, minislots + 1):
        for i, (j, rx0) in list(asked.items()):  # did the interferer comply?
            if m.rx[i, j] >= rx0 * (1 - 1e-9):
                misses[i][j] = misses[i].get(j, 0) + 1
                if misses[i][j] >= RETRIES:
                    ignored[i].add(j)
            del asked[i]
        feedback += int(np.sum(floors > 0))
        envelopes = []
        for i in range(k):
            req = request_of(i, p[i], caps[i], targets[i], noise, m, ignored[i])
            if req is not None:
                j, f = req
                envelopes.append({"from": i, "to": j, "request": "lower", "scale": f,
                                  "slot": slot, "minislot": start + t})  # fmt: skip
                asked[i] = (j, float(m.rx[i, j]))
        if envelopes:
            hears = [[] for _ in range(k)]
            for e in envelopes:
                hears[e["to"]].append(e["from"])
            rng = ch.seeded_rng(seed, slot, 7919, start + t)
            inbox, out = ch.deliver(envelopes, hears, p_loss, rng)
            for key, v in out.as_dict().items():
                counters[key] += v
            got = {(e["from"], e["to"]) for box in inbox.values() for e in box}
            for e in envelopes:
                requests.append({"minislot": start + t, "from": e["from"], "to": e["to"],
                                 "scale": e["scale"], "delivered": (e["from"], e["to"]) in got,
                                 "bytes": ch.message_bytes(e)})  # fmt: skip
            for j, box in inbox.items():
                scales = [e["scale"] for e in box if (j, e["from"]) not in refusals]
                base[j] *= min(scales, default=1.0)
        new = fm_power(base, caps, targets, m)
        moved = float(np.max(np.abs(new - p), initial=0.0))
        p = new
        m = medium.measure(p)
        reachable = (floors > 0) & (m.direct * caps / noise >= gamma)
        missed = (floors > 0) & (m.rate(p) < floors - RATE_TOL)
        settled = not settle or moved <= SETTLE * float(caps.max(initial=0.0))
        if not envelopes and not (missed & reachable).any() and settled:
            break
        if not envelopes and moved <= 1e-12 * max(float(caps.max(initial=0.0)), 1e-300):
            break
    return p, {"minislots": t, "feedback": feedback, "requests": requests, "counters": counters}


def close_floors(gains, powers, p_max: float, noise: float, views: list[dict],
                 neighbours: list[list[int]], p_loss, seed: int = 0, slot: int = 0,
                 minislots: int = MINISLOTS, yield_rounds: int = yielding.ROUNDS,
                 grant_caps=None, refusals=frozenset(), admit: bool = True,
                 price_rounds: int | None = None,
                 ) -> tuple[np.ndarray, dict | None, dict]:  # fmt: skip
    """The closed loop on the team's plan: ``(powers, record | None, channel counters)``.

    ``views`` the agents' view dicts (each link's own ``min_rate`` and ``cap``); ``neighbours``
    the interferers each receiver hears; ``p_loss`` the control channel's loss matrix. Floors
    first (:func:`floor_loop`), then up to ``yield_rounds`` rounds of :mod:`.yielding`, then the
    floors again if a link went silent and the pricing rounds of :mod:`.pricing` after it; with
    pricing (``price_rounds``; None: :data:`.pricing.ROUNDS` when ``yield_rounds`` > 0, else 0)
    a second trial prices first, and the trial the links report better is kept. Returns ``(powers, None, {})`` unchanged when no link
    has a floor or a cap (and the objective is neither ``min_power`` nor ``max_min``). The record holds the plan ``before``, ``clipped``/``raised``/
    ``lowered``/``yielded`` links, ``floors_missed_before``/``_after``, ``minislots`` run,
    ``feedback`` reports, every ``request``, the ``yield`` rounds, and the ``messages``/``bytes``
    sent (``floor_messages``/``yield_messages`` apart; ``messages``/``bytes`` also count the
    max-min phase's), the ``objective`` when the views state one (see the module docstring),
    under ``max_min`` the phase's record ``max_min`` (:func:`.maxmin_phase.max_min_phase`), and,
    when a link's power control diverged, ``dropped`` (the links that gave up their floor) and
    ``admission`` (the rounds of :mod:`.admission`, their ``messages`` and ``bytes``, also
    counted in ``messages``/``bytes``), and, with pricing, ``pricing`` (its rounds, the two
    trials' reported ``trials`` utilities, ``priced_first`` whether the second was kept, the
    prices' and reports' ``messages`` and ``bytes``, also counted in ``messages``/``bytes``;
    ``yield`` then counts both trials' yield messages). ``floors_missed_after`` counts the floors as stated,
    those given up included.
    """
    caps = link_caps(views)
    if grant_caps is not None:
        caps = np.fmin(caps, np.asarray(grant_caps, dtype=float))
    floors = np.array([float(v.get("min_rate") or 0.0) for v in views])
    objective, weights = view_goals(views)
    if objective not in PHASED and not np.any(floors > 0) and np.all(caps >= p_max):
        return np.asarray(powers, dtype=float), None, {}
    before = np.asarray(powers, dtype=float).reshape(-1)
    clipped = np.clip(np.nan_to_num(before, nan=0.0), 0.0, caps)
    medium = Medium(gains, noise, neighbours)

    def missed(q) -> np.ndarray:
        return (floors > 0) & (medium.measure(q).rate(q) < floors - RATE_TOL)

    missed_before = missed(clipped)
    args = (caps, floors, noise, p_loss, seed, slot)
    base = np.zeros_like(clipped) if objective == "min_power" else clipped
    settle = objective == "min_power"
    p, first = floor_loop(medium, clipped, base, *args, minislots, settle=settle,
                          refusals=refusals)  # fmt: skip
    runs = [first]
    hears = ch.listeners(neighbours)
    kept, rounds = floors, []  # admission control: the floors given up, round by round
    for n in range(len(floors) if admit else 0):
        out, rec = admission.removal_round(medium.measure(p), p, caps, kept, weights, noise,
                                           p_max, hears, p_loss, seed, slot, n)  # fmt: skip
        if not rec["diverged"]:
            break
        rounds.append(rec)
        if not out:
            break
        kept = kept.copy()
        kept[out] = 0.0
        if objective != "max_min":  # removed: silent for the slot (max_min: a silent link is
            p = p.copy()  # the minimum, so there the link only gives up its floor)
            p[out] = 0.0
        start = sum(r["minislots"] for r in runs + rounds)
        again_base = np.zeros_like(p) if objective == "min_power" else p
        p, again = floor_loop(medium, p, again_base, caps, kept, noise, p_loss, seed, slot,
                              minislots, start=start, settle=settle, refusals=refusals)  # fmt: skip
        runs.append(again)
    args = (caps, kept, noise, p_loss, seed, slot)
    if objective in ("max_min", "min_power"):  # silence cannot raise a minimum or save more
        yield_rounds = 0
    if price_rounds is None:  # the rebalancing goes with yielding (off when yielding is)
        price_rounds = pricing.ROUNDS if yield_rounds > 0 else 0
    used = sum(r["minislots"] for r in runs + rounds)  # mini-slots run so far in the slot

    def rebalance(q, trial: dict):  # pricing, the floors it broke closed again (:mod:`.pricing`)
        nonlocal used

        def close(x, start):
            return floor_loop(medium, x, x, *args, minislots, start=used + start,
                              refusals=refusals)  # fmt: skip

        q, rec = pricing.price_rounds(medium, q, caps, kept, weights, noise, hears, p_loss,
                                      seed, slot, close, price_rounds)  # fmt: skip
        used += rec["minislots"]
        trial["priced"].append(rec)
        return q

    def settle(q, first: bool) -> dict:
        """Yielding, the floors again if a link went silent, then pricing (pricing first too
        when ``first``): the trial's ``p``, ``yield`` record, floor ``runs``, ``priced``."""
        nonlocal used
        trial = {"runs": [], "priced": []}
        if first:
            q = rebalance(q, trial)
        q, trial["yield"] = yielding.yield_rounds(medium, q, kept, hears, p_loss, seed, slot,
                                                  yield_rounds, weights=weights)  # fmt: skip
        used += len(trial["yield"]["rounds"])
        if trial["yield"]["yielded"]:
            q, again = floor_loop(medium, q, q, *args, minislots, start=used, refusals=refusals)
            used += again["minislots"]
            trial["runs"].append(again)
            if price_rounds > 0:
                q = rebalance(q, trial)
        return {**trial, "p": q}

    trials = [settle(p, False)]  # yielding first, as without pricing
    chosen, judged = 0, None
    if price_rounds > 0:  # and pricing first: the links keep the trial they report better
        trials.append(settle(p, True))
        chosen, judged = pricing.better(medium, [t["p"] for t in trials], kept, weights, hears,
                                        seed, slot)  # fmt: skip
        used += judged["minislots"]
    p, yrec = trials[chosen]["p"], trials[chosen]["yield"]
    priced = [rec for t in trials for rec in t["priced"]]
    runs += [run for t in trials for run in t["runs"]]
    runs += [run for rec in priced for run in rec["runs"]]  # the floor loops pricing ran
    yields = [t["yield"] for t in trials]
    extra = [rec["counters"] for rec in priced] + ([judged["counters"]] if judged else [])
    counters = {key: sum(r["counters"][key] for r in runs + rounds)
                + sum(y["counters"][key] for y in yields) + sum(c[key] for c in extra)
                for key in ("sent", "delivered", "lost", "bytes")}  # fmt: skip
    yield_msgs = sum(y["messages"] for y in yields)
    yield_bytes = sum(y["bytes"] for y in yields)
    mm = None
    if objective == "max_min":  # raise the common rate as far as it goes (floors still held)
        p, mm = max_min_phase(medium, p, caps, kept, noise, slot)
        for key in ("sent", "delivered"):
            counters[key] += mm["messages"]
        counters["bytes"] += mm["bytes"]
    floor_msgs = sum(r["counters"]["sent"] for r in runs)
    floor_bytes = sum(r["counters"]["bytes"] for r in runs)
    minislots = used + (mm["minislots"] if mm else 0)
    record = {
        "before": before.tolist(),
        "clipped": [int(i) for i in np.flatnonzero(before > caps * (1 + 1e-6))],
        "raised": [int(i) for i in np.flatnonzero(p > clipped * (1 + 1e-9))],
        "lowered": [int(i) for i in np.flatnonzero((p < clipped * (1 - 1e-9)) & (p > 0))],
        "yielded": [int(i) for i in np.flatnonzero((p <= 0) & (clipped > 0))],
        "floors_missed_before": int(missed_before.sum()),
        "floors_missed_after": int(missed(p).sum()),
        "minislots": minislots,
        "feedback": sum(r["feedback"] for r in runs),
        "requests": [q for r in runs for q in r["requests"]],
        "yield": {"rounds": yrec["rounds"], "messages": yield_msgs, "bytes": yield_bytes},
        "floor_messages": floor_msgs,
        "floor_bytes": floor_bytes,
        "yield_messages": yield_msgs,
        "yield_bytes": yield_bytes,
        "messages": counters["sent"],
        "bytes": counters["bytes"],
    }
    if rounds:  # admission control ran: the floors given up and its messages
        record["dropped"] = [int(i) for i in np.flatnonzero((floors > 0) & (kept <= 0))]
        record["admission"] = {
            "rounds": [{key: r[key] for key in ("diverged", "candidates", "dropped", "informs")}
                       for r in rounds],
            "messages": sum(r["counters"]["sent"] for r in rounds),
            "bytes": sum(r["counters"]["bytes"] for r in rounds),
        }  # fmt: skip
    if judged is not None:  # pricing ran: its rounds, the two trials and their messages
        record["pricing"] = {
            "rounds": [r for rec in priced for r in rec["rounds"]],
            "trials": judged["utilities"],
            "priced_first": chosen == 1,
            "messages": sum(c["sent"] for c in extra),
            "bytes": sum(c["bytes"] for c in extra),
        }  # fmt: skip
    if objective is not None:
        record["objective"] = objective
    if mm is not None:
        record["max_min"] = mm
    return p, record, counters


def view_goals(views: list[dict]) -> tuple[str | None, np.ndarray | None]:
    """``(objective, weights)`` the views carry: the network objective (None: not stated, the
    sum-rate) and, under ``weighted_sum_rate``, each link's weight ``(K,)`` (1 when unstated;
    None for every other objective)."""
    objective = next((v["objective"] for v in views if v.get("objective")), None)
    if objective != "weighted_sum_rate":
        return objective, None
    return objective, np.array([1.0 if v.get("weight") is None else float(v["weight"])
                                for v in views])  # fmt: skip


def link_caps(views: list[dict]) -> np.ndarray:
    """``(K,)`` each link's largest power (W) from its view dict (:func:`power_cap`)."""
    return np.array([power_cap(v["p_max"], v.get("cap")) for v in views], dtype=float)


def negotiated(state: DecideState) -> tuple[list[float] | None, frozenset]:
    """What the team's acts settled for the slot: each link's granted cap (W, NaN: none; None
    when nobody granted) and the ``(refuser, requester)`` pairs."""
    props = [state["proposals"][str(i)] for i in range(len(state["views"]))]
    caps = [math.nan if p.get("grant_cap") is None else float(p["grant_cap"]) for p in props]
    refusals = frozenset((i, int(r)) for i, p in enumerate(props) for r in p.get("refused", []))
    return (None if all(math.isnan(c) for c in caps) else caps), refusals


def capped_plan(state: DecideState) -> list[float]:
    """The team's proposals as a plan: each power in ``[0, cap]`` W (NaN or infinite: 0)."""
    caps = link_caps(state["views"])
    plan = []
    for i in range(len(state["views"])):
        p = float(state["proposals"][str(i)]["power"])
        plan.append(min(max(p if math.isfinite(p) else 0.0, 0.0), float(caps[i])))
    return plan


def validate(state: DecideState, runtime: Runtime[TeamContext]) -> dict:
    """Node: the team's plan, capped (:func:`capped_plan`), through the closed loop
    (:func:`close_floors`) on the slot's medium (the state's ``gains``).

    Writes ``plan`` (W per link, what ``commit`` commits), ``validation`` (the loop's record, or
    None when no link has a floor or a cap) and, with a record, the ``channel`` counters plus
    the loop's messages (``floor_requests``/``floor_bytes``/``yield_messages``/``yield_bytes``)
    and its ``floor_control`` event. With time slices (``mini_slots`` L > 1 in the settings)
    the settled powers go on to :mod:`.sharing`: ``plan`` is then the (K, L) schedule and
    ``timeshare`` its record (its messages counted in the ``channel``).
    """
    plan = capped_plan(state)
    grants, refusals = negotiated(state)
    powers, record, extra = close_floors(
        np.asarray(state["gains"], dtype=float), plan, state["p_max"], state["noise"],
        state["views"], state["neighbours"], state["p_loss"], seed=state["seed"],
        slot=state["slot"], grant_caps=grants, refusals=refusals,
    )  # fmt: skip
    if state["settings"].get("mini_slots", 1) > 1:
        return _sliced(state, runtime, powers, record, extra)
    if record is None:
        return {"plan": [float(x) for x in powers], "validation": None}
    channel = dict(state["channel"])
    for key, v in extra.items():
        channel[key] = channel.get(key, 0) + v
    channel["floor_requests"] = record["floor_messages"]
    channel["floor_bytes"] = record["floor_bytes"]
    channel["yield_messages"] = record["yield_messages"]
    channel["yield_bytes"] = record["yield_bytes"]
    emit({"type": "floor_control", "slot": state["slot"], **record})
    return {
        "plan": [float(x) for x in powers],
        "validation": record,
        "channel": channel,
        "events": [{"type": "floor_control", **record}],
    }


def _sliced(state: DecideState, runtime: Runtime[TeamContext], powers, record, extra) -> dict:
    """``validate``'s answer with time slices: the settled powers shared over the slices
    (:func:`.sharing.share_slices`), the closed loop's record and event as without them."""
    from .sharing import share_slices

    team = runtime.context
    try:
        target = ((record or {}).get("max_min") or {}).get("target")
        sched, rec = share_slices(state, team.agents, team.config.decider, powers, close_floors,
                                  target=target)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a failing share degrades the plan: reuse
        n = int(state["settings"]["mini_slots"])
        sched = np.repeat(np.asarray(powers, dtype=float).reshape(-1, 1), n, axis=1)
        rec = {"mini_slots": n, "shared": False, "error": f"{type(exc).__name__}: {exc}"[:200],
               "counters": {}, "tokens": 0}  # fmt: skip
    channel = dict(state["channel"])
    for key, v in list((extra or {}).items()) + list(rec["counters"].items()):
        channel[key] = channel.get(key, 0) + v
    out = {"plan": sched.tolist(), "validation": record, "timeshare": rec, "channel": channel}
    if record is not None:
        channel["floor_requests"] = record["floor_messages"]
        channel["floor_bytes"] = record["floor_bytes"]
        channel["yield_messages"] = record["yield_messages"]
        channel["yield_bytes"] = record["yield_bytes"]
        emit({"type": "floor_control", "slot": state["slot"], **record})
        out["events"] = [{"type": "floor_control", **record}]
    return out
