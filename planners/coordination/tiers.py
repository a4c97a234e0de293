"""The middle tier: cluster coordinators (L1) between the devices (L2) and the cloud (L0).

The network-large-model literature layers models in three tiers: small device models settle
what they can among neighbours, a network-specialist model settles one domain, the general
model settles what spans domains. Here (``TeamConfig(tiers=3)``):

1. L2, the devices: negotiate as in the two-tier team (:mod:`.edge`).
2. L1, one coordinator per cluster (:mod:`.clusters`): each unsettled device sends its report
   (the same report the cloud would get) to its cluster's coordinator. The coordinator builds
   the gain matrix of its unsettled devices from their reports, keeps the interference from
   outside as the devices measured it in the last slot, runs the constrained solver as its tool
   and its model (``cluster_backend``, optional) accepts or declines the plan: the same steps
   as the cloud's (:mod:`.coordinator`), on the cluster's devices only.
3. Coordinators of neighbouring clusters (a device of one hears a device of the other) exchange
   their plans. Each checks its own devices against the others' plans with its devices' own
   gains: swapping a neighbour's last measured interference for its planned power, does any of
   my devices lose more than ``conflict_tol`` of the rate my plan promised (of 1 bit/s/Hz for a
   device promised less than that)?
4. A cluster goes up to L0 when it cannot settle: its plan conflicts with a neighbouring
   cluster's plan (then both go up, since the cure needs both), its floors are infeasible
   inside the cluster, or its model declined the plan. Clusters that settle commit their plan.
   The cloud solves the forwarded devices jointly (across clusters), as in the two-tier team
   (:mod:`.cloud`).

Counted per slot on the ``channel`` counters: ``cluster_requests`` (device reports sent to L1),
``cluster_bytes`` (reports up and powers down), ``cluster_peer_bytes`` (plans exchanged between
coordinators), ``cluster_seconds`` (L1 model time); the L1 -> L0 link uses the cloud counters
(``cloud_requests`` = clusters forwarded, ``cloud_bytes``, ``cloud_seconds``).
"""

from __future__ import annotations

import numpy as np
from langgraph.runtime import Runtime
from wireless_agents.environment.metrics import shannon_rate

from . import channel as ch
from .clusters import cluster_of
from .context import TeamContext
from .coordinator import coordinate, unsettled_agents
from .state import DecideState
from .stream import emit


def cluster(state: DecideState, runtime: Runtime[TeamContext]) -> dict:
    """Node of L1: each cluster coordinator settles its unsettled devices (see the module
    docstring)."""
    views = state["views"]
    props = dict(state["proposals"])
    p_max = state["p_max"]
    tol = float(state["settings"]["conflict_tol"])
    clusters = state["clusters"]
    owner = cluster_of(clusters)
    todo = set(unsettled_agents(state))
    counters = dict(state["channel"])
    reason = "no agreement" if not state["agreed"] else "min-rate floor unmet"
    plans: dict[int, float] = {}
    records: dict[int, dict] = {}
    model: dict[int, tuple] = {}  # cluster -> (comp, g, noise_eff, x) of its solved problem
    for c, members in enumerate(clusters):
        comp = [i for i in members if i in todo]
        if not comp:
            continue
        reports = {i: views[i] for i in comp}
        up = sum(
            ch.message_bytes({"from": i, "to": f"L1/{c}", "report": reports[i],
                              "proposal": props[str(i)]["power"]})
            for i in comp
        )  # fmt: skip
        res = coordinate(reports, comp, props, p_max, reason,
                         backend=runtime.context.cluster_backend, tier=1)  # fmt: skip
        plan, accept, note = res.plan, res.accept, res.note
        down = sum(
            ch.message_bytes({"to": i, "power": plan[i], "accept": accept, "note": note})
            for i in comp
        )
        x = np.array([plan[i] / p_max for i in comp])
        counters["cluster_requests"] += len(comp)
        counters["cluster_bytes"] += up + down
        counters["cluster_seconds"] += res.seconds
        records[c] = {
            "cluster": c,
            "agents": comp,
            "members": members,
            "request_bytes": up,
            "answer_bytes": down,
            "accept": accept,
            "note": note,
            "feasible": res.feasible,
            "coupling": _coupling(views, comp, owner, c),
            "cluster_tokens": res.tokens,
            "cluster_seconds": res.seconds,
        }
        if accept:
            plans.update(plan)
            model[c] = (comp, res.gains, res.noise, x)
    # neighbouring coordinators exchange their plans, each checks its devices against the others'
    hears = state["hears"]
    near = {
        c: sorted({owner[j] for i in clusters[c] for j in hears[i]} - {c}) for c in model
    }  # fmt: skip
    for c in model:
        for d in near[c]:
            if d in model:
                counters["cluster_peer_bytes"] += ch.message_bytes(
                    {"from": f"L1/{c}", "to": f"L1/{d}",
                     "plan": {str(i): plans[i] for i in model[c][0]}}
                )  # fmt: skip
    up_to_l0: dict[int, str] = {}
    for c, rec in records.items():
        if not rec["accept"]:
            up_to_l0[c] = "cluster model declined the plan"
        elif not rec["feasible"]:
            up_to_l0[c] = "floors infeasible inside the cluster"
    for c, (comp, g, noise_eff, x) in model.items():
        promised, joint, culprits = _check_against_neighbours(
            views, comp, g, noise_eff, x, plans, owner, c, p_max
        )
        records[c]["promised_rates"] = promised
        records[c]["rates_under_neighbours"] = joint
        # a loss counts when it exceeds tol of the promised rate (of 1 bit/s/Hz for links the
        # plan all but switched off, so that 1e-6 -> 1e-7 is no conflict)
        hit = [n for n, (a, b) in enumerate(zip(promised, joint, strict=True))
               if a - b > tol * max(a, 1.0)]  # fmt: skip
        if hit:
            bad = sorted({d for n in hit for d in culprits[n]})
            records[c]["conflict_with"] = bad
            up_to_l0.setdefault(c, f"plan conflicts with cluster(s) {bad}")
            for d in bad:
                up_to_l0.setdefault(d, f"plan conflicts with cluster {c}")
    for c, (comp, *_rest) in model.items():
        if c not in up_to_l0:
            for i in comp:
                props[str(i)] = {**props[str(i)], "power": plans[i], "tier": 1}
    for c, rec in records.items():
        rec["escalated"] = c in up_to_l0
        rec["reason"] = up_to_l0.get(c)
    to_cloud = sorted(i for c in up_to_l0 for i in records[c]["agents"])
    ev = {
        "type": "cluster",
        "tier": 1,
        "slot": state["slot"],
        "clusters": clusters,
        "requests": [records[c] for c in sorted(records)],
        "to_cloud": to_cloud,
        "reasons": {c: up_to_l0[c] for c in sorted(up_to_l0)},
    }
    emit(ev)
    return {"proposals": props, "tier1": ev, "channel": counters, "events": [ev]}


def _coupling(views, comp, owner, c) -> float:
    """Largest share of a device's measured interference plus noise that came from transmitters
    of other clusters it hears (last slot): how much the cluster's problem depends on others."""
    worst = 0.0
    for i in comp:
        v = views[i]
        out = sum(
            rx for j, rx in zip(v["neighbours"], v["neighbour_rx_last"], strict=True)
            if owner.get(j, c) != c
        )  # fmt: skip
        worst = max(worst, out / max(float(v["interference_plus_noise"]), 1e-300))
    return worst


def _check_against_neighbours(views, comp, g, noise_eff, x, plans, owner, c, p_max):
    """Rates the cluster's plan promised, and what they become under the other clusters' plans.

    The plan assumed each outside transmitter j keeps last slot's interference ``rx_last[i, j]``
    (measured by device i); under j's planned power it is ``G[i, j] p_j`` instead (both known to
    device i). Returns ``(promised, joint, culprits)``, culprits[n] = clusters whose plan raised
    the interference at ``comp[n]``.
    """
    sig = np.diag(g) * x
    interf = g @ x - sig
    promised, joint, culprits = [], [], []
    for n, i in enumerate(comp):
        v = views[i]
        delta, who = 0.0, set()
        for j, gij, rx in zip(v["neighbours"], v["neighbour_gains"], v["neighbour_rx_last"],
                              strict=True):  # fmt: skip
            d = owner.get(j, c)
            if d != c and j in plans:
                change = gij * plans[j] - rx
                delta += change
                if change > 0:
                    who.add(d)
        base = noise_eff[n] + interf[n]
        promised.append(shannon_rate(sig[n] / base))
        joint.append(shannon_rate(sig[n] / max(base + delta, 1e-300)))
        culprits.append(who)
    return promised, joint, culprits
