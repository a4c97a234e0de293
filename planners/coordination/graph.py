"""The decide graph: one slot's joint decision as a LangGraph ``StateGraph``.

::

    START -> sense --Send per agent of wave 0--> propose -> deliver --more waves--> propose
               |                                              |
               |                                              +--> negotiate --not agreed, rounds left--> propose
               |                                                       |--> lead (leader strategy)       -> validate
               |                                                       |--> escalate (cloud, unsettled)  -> validate
               |                                                       +--> validate
               +--cloud strategy--> cloud_plan ---------------------------------------------------------> validate

    three tiers (tiers=3): unsettled --> cluster (L1 coordinators) --cannot settle--> escalate (L0)
                                                                   +--settled--------> validate

    validate (caps, floors, yielding in closed loop) -> commit -> END

The nodes are top-level functions over the typed state (:class:`~.state.DecideState`); those
that need an agent or a coordinator's model take ``runtime: Runtime[TeamContext]`` and read the
run context (:class:`~.context.TeamContext`: agents, config, coordinator models), so the graph
closes over nothing and is compiled once (:func:`decide_graph`); a run passes its team's context:
``decide_graph().invoke(inp, config, context=team.context)``. The nodes live by idea:
:mod:`.edge` (sense, propose, deliver, negotiate, lead), :mod:`.tiers` (cluster, L1),
:mod:`.cloud` (escalate and cloud_plan, L0), :mod:`.floor_control` (validate); this module
holds the routes, ``commit`` and the assembly. ``commit`` is the one commit of the team's plan:
it publishes the validated powers (the ``plan`` event); the episode then applies them to the
env.
"""

from __future__ import annotations

from functools import cache

from langgraph.graph import END, START, StateGraph

from .cloud import cloud_plan, escalate
from .context import TeamContext
from .edge import deliver, fan_out, lead, negotiate, propose, sense
from .floor_control import validate
from .state import DecideState
from .stream import emit
from .tiers import cluster


def route_sense(state: DecideState):
    """The cloud strategy goes straight to the cloud; every other starts the first wave."""
    if state["settings"]["strategy"] == "cloud":
        return "cloud_plan"
    return fan_out(state)


def after_deliver(state: DecideState):
    """Next wave of the round, or, the round complete, the negotiation's verdict."""
    if state["wave"] == 0:
        return "negotiate"
    return fan_out(state)


def _up(s: dict) -> str:
    """Where an unsettled slot goes first: the cluster coordinators (3 tiers) or the cloud."""
    return "cluster" if s["tiers"] == 3 else "escalate"


def route_negotiate(state: DecideState):
    s = state["settings"]
    if s["strategy"] == "leader":
        return "lead"
    settled = (state["agreed"] and not state.get("asking")) or s["strategy"] == "independent"
    if not settled and state["round"] < s["rounds"]:
        return fan_out(state)
    if s["cloud"] and (not state["agreed"] or not state["floors_ok"]):
        return _up(s)
    return "validate"


def route_lead(state: DecideState):
    s = state["settings"]
    if s["cloud"] and (not state["agreed"] or not state["floors_ok"]):
        return _up(s)
    return "validate"


def route_cluster(state: DecideState):
    return "escalate" if state["tier1"]["to_cloud"] else "validate"


def commit(state: DecideState) -> dict:
    """Node: the one commit of the slot's plan (validated powers, W per link): the ``plan``
    event with the rounds run, whether the team agreed and the channel counters."""
    ev = {
        "type": "plan",
        "slot": state["slot"],
        "rounds": state["round"],
        "agreed": bool(state.get("agreed")),
        "powers": state["plan"],
        "channel": state["channel"],
    }
    if state.get("timeshare") is not None:  # a (K, L) schedule: powers are its means
        sched = state["plan"]
        ev["powers"] = [sum(row) / len(row) for row in sched]
        ev["schedule"] = sched
    emit(ev)
    return {"events": [ev]}


def build_decide_graph():
    """Compile the decide graph (no checkpointer: it runs inside one slot); run it with
    ``context=`` a :class:`~.context.TeamContext`."""
    g = StateGraph(DecideState, context_schema=TeamContext)
    g.add_node("sense", sense)
    g.add_node("propose", propose)
    g.add_node("deliver", deliver)
    g.add_node("negotiate", negotiate)
    g.add_node("lead", lead)
    g.add_node("cluster", cluster)
    g.add_node("escalate", escalate)
    g.add_node("cloud_plan", cloud_plan)
    g.add_node("validate", validate)
    g.add_node("commit", commit)
    g.add_edge(START, "sense")
    g.add_conditional_edges("sense", route_sense, ["propose", "cloud_plan"])
    g.add_edge("cloud_plan", "validate")
    g.add_edge("propose", "deliver")
    g.add_conditional_edges("deliver", after_deliver, ["propose", "negotiate"])
    g.add_conditional_edges(
        "negotiate", route_negotiate, ["propose", "lead", "cluster", "escalate", "validate"]
    )
    g.add_conditional_edges("lead", route_lead, ["cluster", "escalate", "validate"])
    g.add_conditional_edges("cluster", route_cluster, ["escalate", "validate"])
    g.add_edge("escalate", "validate")
    g.add_edge("validate", "commit")
    g.add_edge("commit", END)
    return g.compile(checkpointer=False, name="decide")


@cache
def decide_graph():
    """The decide graph, compiled once per process (it closes over nothing)."""
    return build_decide_graph()


def recursion_limit(k: int, rounds: int) -> int:
    """Supersteps the decide graph may take: per round one propose and one deliver per wave
    (at most K waves) and negotiate, plus sense, lead, cluster, escalate, validate and commit,
    with headroom."""
    return max(1, rounds) * (2 * k + 2) + 10
