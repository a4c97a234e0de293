"""Share time or reuse space: the team's plan over a slot split into L time slices.

Runs inside the ``validate`` node, after the closed loop of :mod:`.floor_control` settled one
power vector, only when the team plans ``mini_slots`` L > 1 (:class:`~.config.TeamConfig`):

1. *Perceive.* Each link measures its rate at the settled powers (:class:`.minislot.Medium`, its
   own row), reads its floor and the network objective, and its tool
   (:func:`wireless_agents.tools.timeshare.share_plan`) computes from its own view (its row and
   its neighbours' notes: their rows) the schedule of its neighbourhood, itself and its strongest
   interferers, over the L slices, beside spatial reuse (the settled powers in every slice,
   which it infers from what it measures of each).
2. *Choose.* Each link chooses ``share`` or ``reuse`` (:mod:`wireless_agents.agents.sharing`:
   the model under a grammar, or the ``tool`` team's rule).
3. *Negotiate.* Links that chose to share offer their partners slices, most pressed first (the
   largest floor shortfall, then the lowest rate): ``offer link j slices 2,3``; each partner
   answers ``grant``/``refuse`` of those slices (its floor by the rule,
   :func:`~wireless_agents.agents.sharing.answer_offer`), over the lossy control channel (a lost
   offer or answer: no share). When the floors cannot all be met, the tool's schedule serves
   as many as it can (the oracle's rule) and, when it meets more of the group's floors than
   reuse, the offer says so (``we meet more floors``): a partner grants it even when its own
   floor is the one given up. A group forms when every partner granted and no member is in a
   group already; its rows of the schedule are its tool's. Under ``max_min`` a link whose
   group overlaps one formed already (and is in none itself) plans again over its partners
   still free, and offers that group when it takes turns and beats reuse: the links left out
   of the first group are the ones the minimum falls to.
3b. *Fill* (``max_min``, a group formed). Each link in no group, least rate first, plans the
   slices of itself and its neighbours still free around the groups' schedule as it runs
   (:mod:`.sharing_fill`: from the interference each receiver measures in each slice, scored
   by the least mean rate over every neighbour whose row it holds, the grouped ones too) and
   offers them those slices when that least rate rises; they answer as to any offer. A fill
   that a link objects to in step 5 is dropped (the groups' schedule without the fills is
   kept when no link objects to it).
4. *Hold the floors per slice.* With a group formed, the closed loop of :mod:`.floor_control`
   runs in every slice: a link's floor is on its mean rate, so in each slice it aims at its share
   of the floor (its floor times its slice rate over its mean rate), a link off in the slice has
   cap 0; under ``min_power`` every power falls to the least that meets those aims, no link
   yields (the schedule decided who is silent) and no max-min phase runs (the tool's schedule
   served the minimum).

5. *Object.* Every link measures its mean rate over the slices: one whose floor held under
   reuse and is now missed, or under ``max_min`` one below the common rate the max-min phase
   reached (announced on the control channel), refuses the schedule (one message), and the
   team falls back to reuse; a floor given up does not object when the schedule meets more
   floors in all than reuse (each link says whether its own floor holds).

Links in no group keep the settled power in every slice. The record (``timeshare`` in the
decide state and the slot's trace record) lists each choice, the acts, the groups (under
``max_min`` with slices also the fills) and the messages. Units: gains linear, powers and noise in watts, rates in bit/s/Hz.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from wireless_agents.agents.acts import Act, message_text
from wireless_agents.agents.sharing import answer_offer, model_choice, rule_choice
from wireless_agents.tools.timeshare import MAX_GROUP, RATE_TOL, share_plan

from . import channel as ch
from .minislot import Medium
from .sharing_fill import fill_plan
from .state import note_from_dict, view_from_dict

TAG = 104729  # the offers' channel draws: a stream of their own
TRIES = 3  # an offer or an answer lost on the air is sent again, up to this many times in all


def _views(state, powers):
    """Each link's view with the notes that reached it and its settled power. A note's cap is
    its sender's own cap (a power it granted in the negotiation bound the one-vector plan, not
    a schedule: each partner states its own cap when it answers an offer)."""
    own_caps = [v.get("cap") for v in state["views"]]
    out = []
    for i, v in enumerate(state["views"]):
        box = (state.get("mailbox") or {}).get(str(i), {})
        notes = [replace(note_from_dict(e["note"]), cap=own_caps[int(e["note"]["sender"])])
                 for e in box.values() if e.get("note")]  # fmt: skip
        out.append(view_from_dict(v, notes, last_power=float(powers[i])))
    return out


def _send(envelopes, k, p_loss, seed, slot, step):
    """Addressed messages over the control channel, each sent again (up to ``TRIES`` times in
    all) while it is lost: (delivered pairs, counters)."""
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    got: set = set()
    left = list(envelopes)
    for attempt in range(TRIES):
        if not left:
            break
        hears = [[] for _ in range(k)]
        for e in left:
            hears[e["to"]].append(e["from"])
        rng = ch.seeded_rng(seed, slot, TAG, step, attempt)
        _, out = ch.deliver(left, hears, p_loss, rng)
        for key, v in out.as_dict().items():
            counters[key] += v
        got |= {(r["from"], r["to"]) for r in out.delivered}
        left = [e for e in left if (e["from"], e["to"]) not in got]
    return got, counters


def _offer_round(i, plan, partners, base_rates, floors, more: bool, why: str, state, k: int,
                 draw: int, offers: list, answers: list, counters: dict) -> bool:  # fmt: skip
    """Link ``i`` offers each of ``partners`` its slices of ``plan`` (``offer`` acts, reason
    ``why``); each partner that heard it grants or refuses by its floor
    (:func:`~wireless_agents.agents.sharing.answer_offer`: the plan's rate against
    ``base_rates``, its rates without the offer, by member; ``more``: the plan meets more
    floors), on the control channel (draws ``draw`` and ``draw + 1``). Whether every partner
    granted and its grant reached ``i``. The acts are appended to ``offers``/``answers``, the
    channel's counts added to ``counters``."""
    slot = state["slot"]
    env = []
    for j in partners:
        act = Act("offer", to=j, slices=tuple(plan.slices_of(j)), reason=why)
        env.append({"from": i, "to": j, "text": message_text([act]), "slot": slot})
        offers.append(act.as_dict() | {"from": i})
    got, c1 = _send(env, k, state["p_loss"], state["seed"], slot, draw)
    back = []
    for j in partners:
        if (i, j) not in got:
            continue
        a = plan.members.index(j)
        ok = answer_offer(floors[j], float(plan.rates[a]), float(base_rates[a]), more)
        act = Act("grant" if ok else "refuse", to=i, slices=tuple(plan.slices_of(j)) if ok else (),
                  reason="" if ok else "my floor needs them")  # fmt: skip
        back.append({"from": j, "to": i, "text": message_text([act]), "slot": slot, "grant": ok})
        answers.append(act.as_dict() | {"from": j})
    got2, c2 = _send(back, k, state["p_loss"], state["seed"], slot, draw + 1)
    for c in (c1, c2):
        for key in counters:
            counters[key] += c[key]
    granted = {e["from"] for e in back if e["grant"] and (e["from"], i) in got2}
    return granted == set(partners)


def share_slices(state, agents, decider: str, powers, close, target=None
                 ) -> tuple[np.ndarray, dict]:  # fmt: skip
    """Steps 1-5 on the settled powers ``powers`` (K,): ``(schedule (K, L) W, record)``.
    ``agents`` the team's agents (their backends for the model's choice); ``close`` the closed
    loop (``floor_control.close_floors``); ``target`` the common rate of the max-min phase
    (None: none ran)."""
    n_sl = int(state["settings"]["mini_slots"])
    p = np.asarray(powers, dtype=float).reshape(-1)
    k = len(p)
    g = np.asarray(state["gains"], dtype=float)
    noise, slot, seed = state["noise"], state["slot"], state["seed"]
    medium = Medium(g, noise, state["neighbours"])
    now = medium.measure(p).rate(p)
    objective = next((v["objective"] for v in state["views"] if v.get("objective")), None)
    views = _views(state, p)
    base = {j: float(p[j]) for j in range(k)}  # what each measures of its interferers' powers
    plans, choices = {}, []
    for i, v in enumerate(views):
        partners = list(v.neighbours)[: MAX_GROUP - 1]
        plan = share_plan(v, partners, n_sl, objective, base=base) if partners else None
        if plan is None:
            continue
        plans[i] = plan
        if decider == "model":
            c = model_choice(agents[i].backend, v, plan, float(now[i]), objective,
                             seed=int(seed))  # fmt: skip
        else:
            c = rule_choice(v, plan, float(now[i]))
        choices.append(c)
    floors = np.array([float(v.min_rate or 0.0) for v in views])
    short = np.where(floors > 0, np.maximum(floors - now, 0.0), 0.0)
    want = sorted((c.agent for c in choices if c.choice == "share"),
                  key=lambda i: (-short[i], now[i], i))  # fmt: skip
    sched = np.repeat(p[:, None], n_sl, axis=1)
    taken: set[int] = set()
    offers, answers, groups = [], [], []
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    for step, i in enumerate(want):
        plan = plans[i]
        if taken & set(plan.members) and objective == "max_min" and i not in taken:
            # max-min: a link whose group overlaps one formed already plans again over the
            # partners still free (the links left out are the ones the minimum falls to)
            rest = [j for j in list(views[i].neighbours)[: MAX_GROUP - 1] if j not in taken]
            plan = share_plan(views[i], rest, n_sl, objective, base=base) if rest else None
            if plan is None or not plan.better:
                continue
        if taken & set(plan.members):
            continue
        more = plan.misses < plan.reuse_misses  # reuse misses floors the schedule meets
        why = "we meet more floors" if more else "we take turns"
        if not _offer_round(i, plan, plan.members[1:], plan.reuse_rates, floors, more, why,
                            state, k, 2 * step, offers, answers, counters):  # fmt: skip
            continue
        taken |= set(plan.members)
        groups.append(list(plan.members))
        for a, j in enumerate(plan.members):
            sched[j] = plan.schedule[a]
    loops, objections, fills = [], [], []
    if groups and objective == "max_min":  # step 3b: the links left out plan their slices
        grouped = sched.copy()
        sched, fills, acts, c4 = _fill(views, sched, medium, taken, floors, state,
                                       2 * len(want) + 1)  # fmt: skip
        offers += acts["offers"]
        answers += acts["answers"]
        for key in counters:
            counters[key] += c4[key]
    if groups:
        sched, loops = _hold_floors(state, views, sched, floors, objective, close)
    r = np.array([medium.measure(sched[:, t]).rate(sched[:, t]) for t in range(n_sl)]).mean(0)
    if groups:  # step 5: a link the schedule leaves worse off than reuse objects
        objections = _objections(floors, now, r, objective, target)
    if objections and fills:  # the groups' schedule without the fills, if none objects to it
        back, loops2 = _hold_floors(state, views, grouped, floors, objective, close)
        r2 = np.array([medium.measure(back[:, t]).rate(back[:, t]) for t in range(n_sl)]).mean(0)
        if not _objections(floors, now, r2, objective, target):
            sched, loops, r, objections, fills = back, loops2, r2, [], []
    if objections:
        env = [{"from": j, "to": g[0], "text": message_text([Act("refuse", to=g[0], slices=(),
                reason="my rate falls")]), "slot": slot}
               for j in objections for g in groups[:1]]  # fmt: skip
        _, c3 = _send(env, k, state["p_loss"], seed, slot, 2 * len(want))
        for key in counters:
            counters[key] += c3[key]
        sched = np.repeat(p[:, None], n_sl, axis=1)
        r = now
        groups, fills = [], []
    record = {
        "mini_slots": n_sl,
        "choices": [c.as_dict() for c in choices],
        "offers": offers,
        "answers": answers,
        "groups": groups,
        **({"fills": fills} if objective == "max_min" and n_sl > 1 else {}),
        "objections": objections,
        "shared": bool(groups),
        "messages": counters["sent"],
        "bytes": counters["bytes"],
        "counters": counters,
        "tokens": int(sum(c.tokens for c in choices)),
        "slice_minislots": int(sum(x.get("minislots", 0) for x in loops)),
        "floors_missed_before": int(np.sum((floors > 0) & (now < floors - RATE_TOL))),
        "floors_missed_after": int(np.sum((floors > 0) & (r < floors - RATE_TOL))),
    }
    return sched, record


def _fill(views, sched, medium, taken, floors, state, step0):
    """Step 3b (``max_min``, groups formed): each link in no group, least rate first, plans the
    slices of itself and its neighbours still free around the schedule as it runs
    (:func:`.sharing_fill.fill_plan`, from the interference each receiver measures in each
    slice) and offers them those slices when the plan raises the least rate it sees; they
    answer as to any offer. ``(schedule (K, L) W, fills [{"by", "members"}], {"offers",
    "answers"} (the acts, as step 3's), counters)``."""
    n_sl, k = sched.shape[1], sched.shape[0]
    sched = sched.copy()
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    free = set(range(k)) - set(taken)
    fills, acts = [], {"offers": [], "answers": []}
    ipn = np.array([medium.measure(sched[:, t]).ipn for t in range(n_sl)]).T  # (K, L)
    r = np.array([medium.measure(sched[:, t]).rate(sched[:, t]) for t in range(n_sl)]).mean(0)
    for s, i in enumerate(sorted(free, key=lambda j: (r[j], j))):
        if i not in free:
            continue
        plan = fill_plan(views[i], list(views[i].neighbours), sched, ipn, free)
        if plan is None or not plan.better:
            continue
        if not _offer_round(i, plan, plan.free[1:], plan.base_rates, floors, False,
                            "we take turns", state, k, step0 + 2 * s, acts["offers"],
                            acts["answers"], counters):  # fmt: skip
            continue
        free -= set(plan.free)
        for j in plan.free:
            sched[j] = plan.schedule[plan.members.index(j)]
        fills.append({"by": int(i), "members": [int(j) for j in plan.free]})
        ipn = np.array([medium.measure(sched[:, t]).ipn for t in range(n_sl)]).T
    return sched, fills, acts, counters


def _objections(floors, now, r, objective, target) -> list[int]:
    """The links whose own measured mean rate the schedule leaves worse than reuse did: a floor
    met under reuse and missed now (unless the schedule meets more floors in all than reuse:
    each link says whether its floor holds, and the team serves as many as it can), or under
    ``max_min`` a rate below the common rate the team reached (``target``, announced in the
    max-min phase; None: no such check)."""
    held_reuse = (floors > 0) & (now >= floors - RATE_TOL)
    held_plan = (floors > 0) & (r >= floors - RATE_TOL)
    bad = held_reuse & ~held_plan
    if held_plan.sum() > held_reuse.sum():  # the schedule meets more floors in all
        bad[:] = False
    if objective == "max_min" and target:
        bad |= r < float(target) - RATE_TOL
    return [int(i) for i in np.flatnonzero(bad)]


def _hold_floors(state, views, sched, floors, objective, close):
    """Step 4: the closed loop in every slice, each link aiming at its share of its floor."""
    g = np.asarray(state["gains"], dtype=float)
    medium = Medium(g, state["noise"], state["neighbours"])
    n_sl = sched.shape[1]
    per = np.array([medium.measure(sched[:, t]).rate(sched[:, t]) for t in range(n_sl)]).T
    mean = per.mean(axis=1)
    out, loops = sched.copy(), []
    for t in range(n_sl):
        on = sched[:, t] > 0
        vt = []
        for i, v in enumerate(state["views"]):
            d = dict(v)
            f = floors[i]
            if f > 0 and on[i]:
                d["min_rate"] = f * per[i, t] / mean[i] if mean[i] > RATE_TOL else f
            else:
                d["min_rate"] = None
            if not on[i]:
                d["cap"] = 0.0
            if objective != "min_power":
                d.pop("objective", None)
            vt.append(d)
        q, rec, extra = close(g, sched[:, t], state["p_max"], state["noise"], vt,
                              state["neighbours"], state["p_loss"], seed=state["seed"],
                              slot=state["slot"], yield_rounds=0)  # fmt: skip
        out[:, t] = np.where(on, q, 0.0)
        if rec is not None:
            loops.append({"slice": t, "minislots": rec["minislots"],
                          "messages": rec["messages"], "bytes": rec["bytes"]})  # fmt: skip
    return out, loops
