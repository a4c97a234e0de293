"""The cloud coordinator (L0): the ``escalate`` and ``cloud_plan`` nodes of the decide graph.

Edge/cloud (after NetGPT): when a slot does not settle (no agreement within the round budget, or
a minimum-rate floor unmet), the agents concerned escalate. What the cloud knows: only what the
requests carry, i.e. each escalating agent's own report (direct gain, its neighbours' gains at its
receiver, measured interference plus noise, its proposal and its floor). Requests of agents that
hear each other are merged into one (duplicates removed, contexts joined). The request also pulls
in the reports and proposals of the settled devices whose receivers hear an escalating device
(it is in their neighbour list): the victims of whatever the cloud plans. The cloud builds the
partial gain matrix of the escalating devices and their victims (interference from outside stays
as measured noise; a victim may be lowered, never raised, so no device outside the problem is
harmed), runs the classical constrained solver on it as its tool, and keeps the team's proposals
unless its plan is better on that same problem (floors first, then the estimated sum-rate of
every link in it): escalating never makes the plan worse than what the edge team had, as far as
the cloud can tell from what it was sent (:mod:`.coordinator`). Its model (``cloud_model``)
writes the short answer that goes back down. Every request/answer is counted (requests, bytes
with the pulled reports, seconds).

With three tiers the devices reach the cloud through their cluster coordinators (:mod:`.tiers`):
only what a cluster could not settle comes up. The ``cloud`` strategy skips the edge team: every
device sends its report up and the cloud plans every power (:func:`cloud_plan`).
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from . import channel as ch
from .context import TeamContext
from .coordinator import coordinate, unsettled_agents
from .state import DecideState
from .stream import emit


def merge_requests(unsettled: list[int], hears: list[list[int]]) -> list[list[int]]:
    """One request per connected group of escalating devices that hear each other (sorted)."""
    groups, seen = [], set()
    for i in unsettled:
        if i in seen:
            continue
        comp, todo = [], [i]
        seen.add(i)
        while todo:
            a = todo.pop()
            comp.append(a)
            for b in hears[a]:
                if b in unsettled and b not in seen:
                    seen.add(b)
                    todo.append(b)
        groups.append(sorted(comp))
    return groups


def victims_of(comp: list[int], views: list[dict]) -> list[int]:
    """Settled devices whose receivers hear an escalating device of ``comp`` (it is in their
    neighbour list): the devices the cloud's plan for ``comp`` can harm."""
    return [v for v in range(len(views)) if v not in comp
            and any(j in comp for j in views[v]["neighbours"])]  # fmt: skip


def escalate(state: DecideState, runtime: Runtime[TeamContext]) -> dict:
    """Node: merge the escalating agents' requests, solve each on the cloud, answer."""
    props = dict(state["proposals"])
    p_max = state["p_max"]
    tier1 = state.get("tier1")
    unsettled = tier1["to_cloud"] if tier1 else unsettled_agents(state)
    counters = dict(state["channel"])
    answers = []
    views = state["views"]
    for comp in merge_requests(unsettled, state["hears"]):
        # The request pulls in the victims' reports and proposals (a pull message to each, its
        # report back), so the cloud sees the harm its plan does to them; they travel in the
        # merged request and count in its bytes.
        victims = victims_of(comp, views)
        reports = {i: views[i] for i in comp + victims}
        request = {
            "agents": comp,
            "reason": "no agreement" if not state["agreed"] else "min-rate floor unmet",
            "reports": {i: reports[i] for i in comp},
            "proposals": {str(i): props[str(i)]["power"] for i in comp},
        }
        if tier1:  # what the cluster coordinators forwarded: their plans and why
            request["reason"] = "cluster could not settle"
            request["clusters"] = {str(c): r for c, r in tier1["reasons"].items()}
        pull_bytes = sum(
            ch.message_bytes({"to": v, "pull": comp})
            + ch.message_bytes({"from": v, "report": reports[v],
                                "proposal": props[str(v)]["power"]})
            for v in victims
        )  # fmt: skip
        req_bytes = ch.message_bytes(request) + pull_bytes
        raw_bytes = sum(ch.message_bytes({"from": i, "report": reports[i]}) for i in comp)
        res = coordinate(reports, comp, props, p_max, request["reason"],
                         backend=runtime.context.cloud_backend, victims=victims, guard=True)  # fmt: skip
        plan = res.plan
        # the answer goes to the escalating devices and to the victims it lowered
        moved = comp + [v for v in victims
                        if abs(plan[v] - props[str(v)]["power"]) > 1e-9 * p_max]  # fmt: skip
        answer = {"plan": {str(i): plan[i] for i in moved}, "accept": res.accept,
                  "note": res.note}  # fmt: skip
        ans_bytes = ch.message_bytes(answer)
        if res.accept:
            for i in moved:
                props[str(i)] = {**props[str(i)], "power": plan[i], "cloud": True}
        if not tier1:  # with clusters, each forwarding cluster counts once (below)
            counters["cloud_requests"] += 1
        counters["cloud_bytes"] += req_bytes + ans_bytes
        counters["cloud_seconds"] += res.seconds
        answers.append(
            {
                "agents": comp,
                "merged_from": len(comp),
                "victims": victims,
                "request_bytes": req_bytes,
                "pull_bytes": pull_bytes,  # part of request_bytes
                "unmerged_bytes": raw_bytes,
                "answer_bytes": ans_bytes,
                "accept": res.accept,
                "note": res.note,
                "feasible": res.feasible,
                "estimate": res.estimate,
                "cloud_tokens": res.tokens,
                "cloud_seconds": res.seconds,
            }
        )
    if tier1:
        counters["cloud_requests"] += len(tier1["reasons"])
    ev = {"type": "escalate", "tier": 0, "slot": state["slot"], "requests": answers}
    emit(ev)
    return {"proposals": props, "escalation": ev, "channel": counters, "events": [ev]}


def cloud_plan(state: DecideState, runtime: Runtime[TeamContext]) -> dict:
    """Node of the cloud-only strategy: every agent sends its report up, the cloud plans every
    power.

    Counted as one request per agent (its report) and one answer per agent (its power),
    all across the edge/cloud link; one solver run and one cloud-model call per slot.
    """
    k = len(state["views"])
    comp = list(range(k))
    p_max = state["p_max"]
    reports = {i: state["views"][i] for i in comp}
    props = {str(i): {"power": float(reports[i]["last_power"]), "floor_ok": True}
             for i in comp}  # fmt: skip
    res = coordinate(reports, comp, props, p_max, "cloud-only plan",
                     backend=runtime.context.cloud_backend)  # fmt: skip
    plan, accept, note = res.plan, res.accept, res.note
    up = sum(ch.message_bytes({"from": i, "report": reports[i]}) for i in comp)
    down = sum(
        ch.message_bytes({"to": i, "power": plan[i], "accept": accept, "note": note}) for i in comp
    )
    counters = dict(state["channel"])
    counters["cloud_requests"] += k
    counters["cloud_bytes"] += up + down
    counters["cloud_seconds"] += res.seconds
    if not accept:  # a rejected plan: every device keeps its last power
        plan = {i: float(reports[i]["last_power"]) for i in comp}
    ev = {
        "type": "cloud_plan", "slot": state["slot"], "requests": k, "request_bytes": up,
        "answer_bytes": down, "accept": accept, "note": note, "feasible": res.feasible,
        "cloud_tokens": res.tokens, "cloud_seconds": res.seconds,
    }  # fmt: skip
    emit(ev)
    out = {str(i): {"power": plan[i], "floor_ok": True, "cloud": True} for i in comp}
    return {"proposals": out, "agreed": accept, "floors_ok": res.feasible,
            "channel": counters, "events": [ev], "escalation": ev}  # fmt: skip
