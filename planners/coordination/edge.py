"""The edge team's nodes of the decide graph: sense, propose, deliver, negotiate, lead.

``propose`` runs once per agent (a ``Send`` of :func:`fan_out`) and only ever sees that agent's
:class:`~wireless_agents.tools.LocalView` and the messages delivered to it. ``deliver`` pushes
the proposals of the wave over the simulated control channel (:mod:`.channel`). Every node writes
what happened to ``events`` (the state, so a resumed run has it) and emits the same record on the
custom stream (the live display).

Convergence (measured, see ``demos/benchmarks/team.py``): proposals go in Gauss-Seidel waves
(a greedy colouring of the hearing graph; agents in one wave do not hear each other), each wave
sees the latest notes of the others, and the notes an agent heard at the end of the last slot are
carried into the new slot's mailbox. Synchronous (Jacobi) pricing best responses oscillate between
"all back off" and "all go up"; the waves do not. The team agrees when no agent moved its
proposal by more than ``tol`` (fraction of p_max) since the power it announced before.
"""

from __future__ import annotations

from dataclasses import replace

from langgraph.runtime import Runtime
from langgraph.types import Send
from wireless_agents.agents.acts import parse_message
from wireless_agents.tools.functions import best_response, outgoing_note
from wireless_agents.tools.local_rates import rate

from . import air
from . import channel as ch
from .context import TeamContext
from .state import DecideState, note_from_dict, note_to_dict, view_from_dict
from .stream import emit


def _latest(envelopes) -> list[dict]:
    """Newest envelope per sender, in sender order."""
    out = {}
    for e in envelopes:
        out[int(e["from"])] = e
    return [out[j] for j in sorted(out)]


def model_inbox(mailbox: list[dict], neighbours, n: int) -> list[tuple[int, str]]:
    """The ``(sender, text)`` messages the model reads: those of its ``n`` loudest neighbours
    (``neighbours`` is strongest first; senders it does not measure come last), in sender order.
    The prompt stays short however many devices it hears; every note still reaches its tools."""
    rank = {j: r for r, j in enumerate(neighbours)}
    texts = [(int(e["from"]), e["text"]) for e in mailbox if e.get("text")]
    texts.sort(key=lambda m: (rank.get(m[0], len(rank)), m[0]))
    return sorted(texts[:n])


def acts_to(mailbox: list[dict], agent: int, answered=()) -> tuple[list, list, list[int]]:
    """What the messages of ``mailbox`` ask of ``agent`` and who refused it:
    ``([(sender, request act), ...], [[sender, round], ...], [refuser, ...])``, the middle list
    naming each request by its message (sender, round sent). A request already answered (in
    ``answered``) is not asked again; a text that is not acts asks nothing."""
    done = {(int(s), int(r)) for s, r in answered}
    requests, keys, refusers = [], [], []
    for e in mailbox:
        sender = int(e["from"])
        for act in parse_message(e.get("text") or "") or []:
            if act.to != agent:
                continue
            key = (sender, int(e.get("round", 0)))
            if act.act == "request" and key not in done:
                requests.append((sender, act))
                keys.append(list(key))
            elif act.act == "refuse":
                refusers.append(sender)
    return requests, keys, refusers


def compact(settings: dict) -> bool:
    """Whether the notes cross the air in the compact encoding (:mod:`.air`; negotiation only,
    the leader's reports and plans stay plain)."""
    return settings.get("air", "plain") == "compact" and settings["strategy"] == "negotiation"


def sense(state: DecideState) -> dict:
    """Node: who hears whom, the Gauss-Seidel waves (or the leader), the carried mailbox, zeroed
    channel counters."""
    s = state["settings"]
    views = state["views"]
    k = len(views)
    strategy = s["strategy"]
    hears = ch.listeners(state["neighbours"])
    if strategy == "negotiation":
        groups = ch.colour_groups(hears)
    else:
        groups = [list(range(k))]
    leader = None
    if strategy == "leader":
        # the best-connected device leads; ties rotate with the slot
        most = max(len(h) for h in hears) if hears else 0
        cands = [i for i in range(k) if len(hears[i]) == most]
        leader = cands[state["slot"] % len(cands)]
    carry = state.get("carry") or {}
    mailbox = (
        {str(i): dict(carry.get(str(i), {})) for i in range(k)} if strategy == "negotiation" else {}
    )
    sent = {str(i): float(views[i]["last_power"]) for i in range(k)}
    reports = sum(ch.message_bytes({"from": i, "report": views[i]}) for i in range(k))
    ev = {
        "type": "sense",
        "slot": state["slot"],
        "strategy": strategy,
        "groups": groups,
        "leader": leader,
        "links": sum(len(h) for h in hears),
        "hears": hears,
    }
    emit(ev)
    return {
        "hears": hears,
        "groups": groups,
        "leader": leader,
        "round": 0,
        "wave": 0,
        "mailbox": mailbox,
        "sent": sent,
        "rounds_powers": [],
        "air": {"sent": dict(carry.get("air") or {})} if compact(s) else {},
        "escalation": None,
        "channel": {
            "sent": 0,
            "delivered": 0,
            "lost": 0,
            "bytes": 0,
            "cloud_requests": 0,
            "cloud_bytes": 0,
            "cloud_seconds": 0.0,
            "cloud_only_bytes": reports,
            "cluster_requests": 0,
            "cluster_bytes": 0,
            "cluster_peer_bytes": 0,
            "cluster_seconds": 0.0,
        },
        "events": [ev],
    }


def fan_out(state: DecideState) -> list[Send]:
    """One ``Send`` to ``propose`` per agent of the current wave (a :class:`ProposeTask`)."""
    group = state["groups"][state["wave"]]
    props = state.get("proposals") or {}
    s = state["settings"]
    max_age = s.get("max_age")
    sends = []
    for i in group:
        box = (state.get("mailbox") or {}).get(str(i), {})
        # its own proposal this slot (none before the slot's first wave)
        own = props.get(str(i), {}) if state["round"] or state["wave"] else {}
        sends.append(
            Send(
                "propose",
                {
                    "agent": i,
                    "slot": state["slot"],
                    "round": state["round"],
                    "view": state["views"][i],
                    "mailbox": _latest(box.values()),
                    "current": own.get("power"),
                    "strategy": state["settings"]["strategy"],
                    "grant_cap": own.get("grant_cap"),
                    "refused": own.get("refused", []),
                    "refused_by": own.get("refused_by", []),
                    "answered": own.get("answered", []),
                    **({"max_age": max_age} if compact(s) and max_age is not None else {}),
                    **({"settle": True} if settling(state) else {}),
                },
            )
        )
    return sends


def settling(state: DecideState) -> bool:
    """Whether those who propose in the round under way answer the powers their earlier waves
    proposed in it (``settle`` on, negotiation): every round after the first, and the first
    when it is the only one. Round 0 plans jointly; from then on a plan that has a link of an
    earlier wave move may never be followed (the last round: no round follows; before it: two
    links each planning the other silent hold on and the team agrees on both, d2d K = 16,
    seed 0, 4 rounds)."""
    s = state["settings"]
    return (s.get("settle", False) and s["strategy"] == "negotiation"
            and state["round"] >= min(1, s["rounds"] - 1))  # fmt: skip


def settled(mailbox: list[dict], slot: int, rnd: int) -> tuple[int, ...]:
    """The senders whose note in ``mailbox`` came in round ``rnd`` of slot ``slot`` (an
    earlier wave's proposal of the round under way)."""
    return tuple(sorted(int(e["from"]) for e in mailbox
                        if e.get("note") and e.get("round") == rnd and e.get("slot") == slot))  # fmt: skip


def propose(task: dict, runtime: Runtime[TeamContext]) -> dict:
    """Node (one ``Send`` per agent): agent ``task["agent"]`` decides on its own view and the
    messages delivered to it, nothing more (``task`` a :class:`~.state.ProposeTask`; typed
    as a plain dict so that LangGraph adds no channels for its keys)."""
    team = runtime.context
    i = task["agent"]
    oldest = task["slot"] - task.get("max_age", task["slot"])  # rows heard before: left out
    notes = [note_from_dict(e["note"]) for e in task["mailbox"]
             if e.get("note") and e.get("slot", task["slot"]) >= oldest]  # fmt: skip
    view = view_from_dict(task["view"], notes, last_power=task["current"])
    if task.get("settle"):  # it answers the earlier waves of this round (settling)
        view = replace(view, settled=settled(task["mailbox"], task["slot"], task["round"]))
    if task.get("grant_cap") is not None:  # what it granted this slot holds for the slot
        view = replace(view, cap=min(view.p_cap, float(task["grant_cap"])))
    inbox = model_inbox(task["mailbox"], view.neighbours, team.config.inbox_messages)
    requests, keys, refusers = acts_to(task["mailbox"], i, task.get("answered", []))
    # those that refused it this slot, and in the slots its memory keeps
    remembered = team.agents[i].memory.recent_refusers(task["slot"])
    refused_by = sorted({*task.get("refused_by", []), *refusers, *remembered})
    d = team.agents[i].decide(
        view, inbox=inbox, slot=task["slot"], requests=requests, refused_by=refused_by
    )
    answered = [*task.get("answered", [])]
    if d.acts and any(a.act in ("grant", "offer", "refuse") for a in d.acts):
        answered += keys
    grant_cap = task.get("grant_cap")
    if d.grant_cap is not None:
        grant_cap = d.grant_cap if grant_cap is None else min(grant_cap, d.grant_cap)
    ipn = view.estimated_interference_plus_noise()
    est = rate(view.direct_gain, d.power, ipn)
    floor_ok = not view.min_rate or est >= view.min_rate - 1e-9
    # the first power a tool suggested (the LLM agent makes at most one call)
    suggested = next(
        (c["result"]["suggested_power"] for c in d.tool_calls
         if c.get("result", {}).get("suggested_power") is not None),
        None,
    )  # fmt: skip
    rec = {
        "agent": i,
        "round": task["round"],
        "power": d.power,
        "message": d.message,
        "acts": [a.as_dict() for a in d.acts],
        "grant_cap": grant_cap,
        "refused": sorted({*task.get("refused", []), *d.refused}),
        "refused_by": refused_by,
        "answered": answered,
        "note": note_to_dict(d.note),
        "rate_estimate": est,
        "floor_ok": bool(floor_ok),
        "fallback": d.fallback,
        "suggested": suggested,
        "tokens": d.tokens,
        "tokens_evaluated": d.tokens_evaluated,
        "model_seconds": d.model_seconds,
    }
    ev = {
        "type": "proposal",
        "slot": task["slot"],
        "round": task["round"],
        "agent": i,
        "power_frac": d.power / view.p_max,
        "suggested": suggested,
        "message": d.message,
        "acts": [a.as_dict() for a in d.acts],
        "fallback": d.fallback,
        "forced": d.forced,
        "tokens": d.tokens,
        "tokens_evaluated": d.tokens_evaluated,
        "model_seconds": d.model_seconds,
    }
    emit(ev)
    record = {**d.as_event(), "slot": task["slot"], "round": task["round"]}
    return {"proposals": {str(i): rec}, "decisions": [record], "events": [ev]}


def deliver(state: DecideState) -> dict:
    """Node: the wave's proposals cross the simulated control channel into the mailboxes; the
    last wave of a round closes the round."""
    s = state["settings"]
    strategy = s["strategy"]
    group = state["groups"][state["wave"]]
    props = state["proposals"]
    k = len(state["views"])
    counters = dict(state["channel"])
    mailbox = {key: dict(v) for key, v in (state.get("mailbox") or {}).items()}
    sent = dict(state["sent"])
    events = []
    if strategy != "independent":
        envelopes = []
        for i in group:
            p = props[str(i)]
            env = {"from": i, "slot": state["slot"], "round": state["round"]}
            env.update(text=p["message"], note=p["note"])
            if strategy == "leader":
                env["report"] = state["views"][i]  # what the leader needs to plan for i
            envelopes.append(env)
        if strategy == "leader":
            ld = state["leader"]
            hears = [[j for j in range(k) if j != ld] if i == ld else [] for i in range(k)]
        else:
            hears = state["hears"]
        rng = ch.seeded_rng(state["seed"], state["slot"], state["round"], state["wave"])
        extra = {}
        if compact(s):
            retry = ch.seeded_rng(state["seed"], state["slot"], state["round"], state["wave"], 1)
            shadows = {j: dict(v) for j, v in (state.get("air") or {}).get("sent", {}).items()}
            out, stats = air.send_wave(
                envelopes, hears, state["p_loss"], rng, retry, mailbox=mailbox, shadows=shadows,
                slot=state["slot"], compact=True, step_db=s["air_step_db"],
                rerequests=s["rerequests"],
            )  # fmt: skip
            lost_links = stats["lost_links"]
            extra = {k: stats[k] for k in ("rerequests", "resent")}
            for key, v in extra.items():
                counters[key] = counters.get(key, 0) + v
            extra["recovered_links"] = stats["recovered"]
            update_air = {"air": {"sent": shadows}}
        else:
            inbox, out = ch.deliver(envelopes, hears, state["p_loss"], rng)
            for r, envs in inbox.items():
                box = mailbox.setdefault(str(r), {})
                for e in envs:
                    box[str(e["from"])] = e
            lost_links = [[m["from"], m["to"]] for m in out.lost]
            update_air = {}
        for key, v in out.as_dict().items():
            counters[key] += v
        ev = {
            "type": "deliver",
            "slot": state["slot"],
            "round": state["round"],
            "wave": state["wave"],
            **out.as_dict(),
            "lost_links": lost_links,
            **extra,
        }
        events.append(ev)
        emit(ev)
    for i in group:
        sent[str(i)] = props[str(i)]["power"]
    wave = state["wave"] + 1
    update = {"mailbox": mailbox, "sent": sent, "channel": counters, "events": events}
    if strategy != "independent":
        update.update(update_air)
    if wave >= len(state["groups"]):
        powers = [props[str(i)]["power"] for i in range(k)]
        update.update(wave=0, round=state["round"] + 1)
        update["rounds_powers"] = [*state["rounds_powers"], powers]
    else:
        update["wave"] = wave
    return update


def negotiate(state: DecideState) -> dict:
    """Node: did the team agree (nobody moved by more than ``tol``)? are the floors met? is a
    request of this round waiting for its answer (``asking``: another round, if any is left)?"""
    s = state["settings"]
    k = len(state["views"])
    p_max = state["p_max"]
    rp = state["rounds_powers"]
    prev = rp[-2] if len(rp) > 1 else [float(v["last_power"]) for v in state["views"]]
    moved = [abs(a - b) / p_max for a, b in zip(rp[-1], prev, strict=True)]
    agreed = max(moved, default=0.0) <= s["tol"] and s["strategy"] == "negotiation"
    props = state["proposals"]
    floors_ok = all(props[str(i)]["floor_ok"] for i in range(k))
    # a request made this round is answered in the next: the team has not settled yet
    asking = any(a["act"] == "request" for i in range(k) for a in props[str(i)].get("acts", []))
    ev = {
        "type": "negotiate",
        "slot": state["slot"],
        "round": state["round"],
        "agreed": agreed,
        "max_move": max(moved, default=0.0),
        "floors_ok": floors_ok,
    }
    emit(ev)
    return {"agreed": agreed, "floors_ok": floors_ok, "asking": asking, "events": [ev]}


def lead(state: DecideState) -> dict:
    """Node: the leader plans for every device it heard (their reports) and broadcasts the plan."""
    ld = state["leader"]
    k = len(state["views"])
    props = state["proposals"]
    box = state["mailbox"].get(str(ld), {})
    known = sorted({ld, *(int(j) for j in box)})
    plan = {i: props[str(i)]["power"] for i in known}
    views = {i: view_from_dict(state["views"][i]) for i in known}
    # Gauss-Seidel pricing sweeps over what the leader knows (its device's tool, no LLM).
    notes = {i: outgoing_note(views[i], plan[i]) for i in known}
    for _ in range(max(1, state["settings"]["rounds"]) * 2):
        for i in known:
            mb = [n for j, n in notes.items() if j != i and j in views[i].neighbours
                  or i in views[j].neighbours and j != i]  # fmt: skip
            v = view_from_dict(state["views"][i], mb, last_power=plan[i])
            plan[i] = best_response(v)["suggested_power"] * v.p_max
            notes[i] = outgoing_note(v, plan[i])
    envelope = {"from": ld, "plan": {str(i): plan[i] for i in known}}
    hears = [[ld] if i != ld else [] for i in range(k)]
    rng = ch.seeded_rng(state["seed"], state["slot"], 999)
    inbox, out = ch.deliver([envelope], hears, state["p_loss"], rng)
    got = {r for r in inbox} | {ld}
    final = [plan[i] if (i in got and i in plan) else props[str(i)]["power"] for i in range(k)]
    counters = dict(state["channel"])
    for key, v in out.as_dict().items():
        counters[key] += v
    ev = {
        "type": "lead",
        "slot": state["slot"],
        "leader": ld,
        "heard": known,
        "received_plan": sorted(got),
        **out.as_dict(),
    }
    emit(ev)
    return {
        "proposals": {str(i): {**props[str(i)], "power": final[i]} for i in range(k)},
        "agreed": len(got) == k,
        "channel": counters,
        "events": [ev],
    }
