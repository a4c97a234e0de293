"""The decide graph: one slot's joint decision as a LangGraph ``StateGraph``.

::

    START -> sense --Send per agent of wave 0--> propose -> deliver --more waves--> propose
                                                              |
                                                              +--> negotiate --not agreed, rounds left--> propose
                                                                       |--> lead (leader strategy)    -> commit
                                                                       |--> escalate (cloud, unsettled) -> commit
                                                                       +--> commit -> END

    three tiers (tiers=3): unsettled --> cluster (L1 coordinators) --cannot settle--> escalate (L0)
                                                                   +--settled--------> commit

``propose`` runs once per agent and only ever sees that agent's :class:`~tools.LocalView` and the
messages delivered to it. ``deliver`` pushes the proposals of the wave over the simulated control
channel (:mod:`.channel`). Every node writes what happened to ``events`` (the state, so a resumed
run has it) and emits the same record on the custom stream (the live display).

Convergence (measured, see ``demos/benchmarks/team.py``): proposals go in Gauss-Seidel waves
(a greedy colouring of the hearing graph; agents in one wave do not hear each other), each wave
sees the latest notes of the others, and the notes an agent heard at the end of the last slot are
carried into the new slot's mailbox. Synchronous (Jacobi) pricing best responses oscillate between
"all back off" and "all go up"; the waves do not. The team agrees when no agent moved its
proposal by more than ``tol`` (fraction of p_max) since the power it announced before.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from wireless_agents.tools.functions import best_response, outgoing_note
from wireless_agents.tools.local_rates import rate

from . import channel as ch
from .state import DecideState, note_from_dict, note_to_dict, view_from_dict
from .stream import emit

if TYPE_CHECKING:  # pragma: no cover
    from .team import Team

STRATEGIES = ("negotiation", "independent", "leader", "cloud")


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


def build_decide_graph(team: Team):
    """Compile the decide graph for ``team`` (its agents, backend and cloud coordinator)."""

    # -- nodes ----------------------------------------------------------------------------------
    def sense(state: DecideState) -> dict:
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
            {str(i): dict(carry.get(str(i), {})) for i in range(k)}
            if strategy == "negotiation"
            else {}
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
        group = state["groups"][state["wave"]]
        props = state.get("proposals") or {}
        sends = []
        for i in group:
            box = (state.get("mailbox") or {}).get(str(i), {})
            cur = props.get(str(i), {}).get("power") if state["round"] or state["wave"] else None
            sends.append(
                Send(
                    "propose",
                    {
                        "agent": i,
                        "slot": state["slot"],
                        "round": state["round"],
                        "view": state["views"][i],
                        "mailbox": _latest(box.values()),
                        "current": cur,
                        "strategy": state["settings"]["strategy"],
                    },
                )
            )
        return sends

    def propose(task: dict) -> dict:
        i = task["agent"]
        notes = [note_from_dict(e["note"]) for e in task["mailbox"] if e.get("note")]
        view = view_from_dict(task["view"], notes, last_power=task["current"])
        inbox = model_inbox(task["mailbox"], view.neighbours, team.config.inbox_messages)
        d = team.agents[i].decide(view, inbox=inbox, slot=task["slot"])
        ipn = view.estimated_interference_plus_noise()
        est = rate(view.direct_gain, d.power, ipn)
        floor_ok = not view.min_rate or est >= view.min_rate - 1e-9
        suggested = next(
            (c["result"].get("suggested_power") for c in d.tool_calls if "result" in c), None
        )
        rec = {
            "agent": i,
            "round": task["round"],
            "power": d.power,
            "message": d.message,
            "note": note_to_dict(d.note),
            "rate_estimate": est,
            "floor_ok": bool(floor_ok),
            "fallback": d.fallback,
            "suggested": suggested,
            "tokens": d.tokens,
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
            "fallback": d.fallback,
            "tokens": d.tokens,
            "model_seconds": d.model_seconds,
        }
        emit(ev)
        record = {**d.as_event(), "slot": task["slot"], "round": task["round"]}
        return {"proposals": {str(i): rec}, "decisions": [record], "events": [ev]}

    def deliver(state: DecideState) -> dict:
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
            inbox, out = ch.deliver(envelopes, hears, state["p_loss"], rng)
            for r, envs in inbox.items():
                box = mailbox.setdefault(str(r), {})
                for e in envs:
                    box[str(e["from"])] = e
            for key, v in out.as_dict().items():
                counters[key] += v
            ev = {
                "type": "deliver",
                "slot": state["slot"],
                "round": state["round"],
                "wave": state["wave"],
                **out.as_dict(),
                "lost_links": [[m["from"], m["to"]] for m in out.lost],
            }
            events.append(ev)
            emit(ev)
        for i in group:
            sent[str(i)] = props[str(i)]["power"]
        wave = state["wave"] + 1
        update = {"mailbox": mailbox, "sent": sent, "channel": counters, "events": events}
        if wave >= len(state["groups"]):
            powers = [props[str(i)]["power"] for i in range(k)]
            update.update(wave=0, round=state["round"] + 1)
            update["rounds_powers"] = [*state["rounds_powers"], powers]
        else:
            update["wave"] = wave
        return update

    def after_deliver(state: DecideState):
        if state["wave"] == 0:
            return "negotiate"
        return fan_out(state)

    def negotiate(state: DecideState) -> dict:
        s = state["settings"]
        k = len(state["views"])
        p_max = state["p_max"]
        rp = state["rounds_powers"]
        prev = rp[-2] if len(rp) > 1 else [float(v["last_power"]) for v in state["views"]]
        moved = [abs(a - b) / p_max for a, b in zip(rp[-1], prev, strict=True)]
        agreed = max(moved, default=0.0) <= s["tol"] and s["strategy"] == "negotiation"
        props = state["proposals"]
        floors_ok = all(props[str(i)]["floor_ok"] for i in range(k))
        ev = {
            "type": "negotiate",
            "slot": state["slot"],
            "round": state["round"],
            "agreed": agreed,
            "max_move": max(moved, default=0.0),
            "floors_ok": floors_ok,
        }
        emit(ev)
        return {"agreed": agreed, "floors_ok": floors_ok, "events": [ev]}

    def route_negotiate(state: DecideState):
        s = state["settings"]
        if s["strategy"] == "leader":
            return "lead"
        settled = state["agreed"] or s["strategy"] == "independent"
        if not settled and state["round"] < s["rounds"]:
            return fan_out(state)
        if s.get("cloud") and (not state["agreed"] or not state["floors_ok"]):
            return _up(s)
        return "commit"

    def lead(state: DecideState) -> dict:
        """The leader plans for every device it heard (their reports) and broadcasts the plan."""
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

    def route_lead(state: DecideState):
        s = state["settings"]
        if s.get("cloud") and (not state["agreed"] or not state["floors_ok"]):
            return _up(s)
        return "commit"

    def _up(s: dict) -> str:
        """Where an unsettled slot goes first: the cluster coordinators (3 tiers) or the cloud."""
        return "cluster" if s.get("tiers", 2) == 3 else "escalate"

    def cluster(state: DecideState) -> dict:
        return team.cluster_answer(state)

    def route_cluster(state: DecideState):
        return "escalate" if state["tier1"]["to_cloud"] else "commit"

    def escalate(state: DecideState) -> dict:
        return team.cloud_answer(state)

    def cloud_plan(state: DecideState) -> dict:
        return team.cloud_plan(state)

    def route_sense(state: DecideState):
        if state["settings"]["strategy"] == "cloud":
            return "cloud_plan"
        return fan_out(state)

    def commit(state: DecideState) -> dict:
        k = len(state["views"])
        plan = []
        for i in range(k):
            v = state["views"][i]
            cap = v["p_max"] if v.get("cap") is None else min(v["p_max"], max(v["cap"], 0.0))
            p = float(state["proposals"][str(i)]["power"])
            plan.append(min(max(p if math.isfinite(p) else 0.0, 0.0), cap))
        ev = {
            "type": "plan",
            "slot": state["slot"],
            "rounds": state["round"],
            "agreed": bool(state.get("agreed")),
            "powers": plan,
            "channel": state["channel"],
        }
        emit(ev)
        return {"plan": plan, "events": [ev]}

    g = StateGraph(DecideState)
    g.add_node("sense", sense)
    g.add_node("propose", propose)
    g.add_node("deliver", deliver)
    g.add_node("negotiate", negotiate)
    g.add_node("lead", lead)
    g.add_node("cluster", cluster)
    g.add_node("escalate", escalate)
    g.add_node("commit", commit)
    g.add_edge(START, "sense")
    g.add_node("cloud_plan", cloud_plan)
    g.add_conditional_edges("sense", route_sense, ["propose", "cloud_plan"])
    g.add_edge("cloud_plan", "commit")
    g.add_edge("propose", "deliver")
    g.add_conditional_edges("deliver", after_deliver, ["propose", "negotiate"])
    g.add_conditional_edges(
        "negotiate", route_negotiate, ["propose", "lead", "cluster", "escalate", "commit"]
    )
    g.add_conditional_edges("lead", route_lead, ["cluster", "escalate", "commit"])
    g.add_conditional_edges("cluster", route_cluster, ["escalate", "commit"])
    g.add_edge("escalate", "commit")
    g.add_edge("commit", END)
    return g.compile(checkpointer=False, name="decide")


def recursion_limit(k: int, rounds: int) -> int:
    """Supersteps the decide graph may take: per round one propose and one deliver per wave
    (at most K waves), plus sense, negotiate, lead, escalate and commit, with headroom."""
    return max(1, rounds) * (2 * k + 2) + 10
