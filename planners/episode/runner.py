"""Running an episode: a fresh run, or the resume of a checkpointed one."""

from __future__ import annotations

import time

from wireless_agents.planners.events import ApprovalEvent

from .context import EpisodeContext
from .graph import THREAD, build_episode_graph, initial_state, recursion_limit
from .intents import with_parsed_intents
from .settings import default_settings
from .trace import summarize


class NothingToResume(ValueError):
    """``--resume`` without a checkpointed episode."""


def _saver(checkpoint: str | None):
    if checkpoint:
        from langgraph.checkpoint.sqlite import SqliteSaver

        return SqliteSaver.from_conn_string(str(checkpoint))
    from contextlib import nullcontext

    from langgraph.checkpoint.memory import InMemorySaver

    return nullcontext(InMemorySaver())


def saved_settings(checkpoint: str) -> dict | None:
    """The settings of the episode checkpointed in ``checkpoint`` (None if there is none)."""
    with _saver(checkpoint) as saver:
        tup = saver.get_tuple({"configurable": {"thread_id": THREAD}})
        if tup is None:
            return None
        return (tup.checkpoint.get("channel_values") or {}).get("settings")


def run_episode(
    settings: dict,
    *,
    backend=None,
    cloud_backend=None,
    cluster_backend=None,
    checkpoint: str | None = None,
    resume: bool = False,
    on_event=None,
    approver=None,
) -> dict:
    """Run (or resume) one episode and return its trace document.

    ``on_event(event)`` gets every custom stream event (proposals, deliveries, commits, ...;
    listed in :mod:`wireless_agents.planners.events`) and the ``approval`` answers.
    ``approver(request) -> answer`` answers the ``--approve`` interrupts: ``{"approved": True}``,
    ``{"approved": False}`` or ``{"powers": [...W]}``.
    """
    from langgraph.types import Command

    t0 = time.perf_counter()
    with _saver(checkpoint) as saver:
        config = {
            "configurable": {"thread_id": THREAD},
            "recursion_limit": recursion_limit(settings["steps"]),
        }
        if resume:
            tup = saver.get_tuple(config)
            if tup is None:
                raise NothingToResume(f"no checkpointed episode in {checkpoint}")
            settings = tup.checkpoint["channel_values"]["settings"]
            config["recursion_limit"] = recursion_limit(settings["steps"])
        elif checkpoint:
            saver.delete_thread(THREAD)
        if not resume:
            settings = with_parsed_intents(settings, backend)
        rt = EpisodeContext(
            settings, backend=backend, cloud_backend=cloud_backend, cluster_backend=cluster_backend
        )
        graph = build_episode_graph(settings, checkpointer=saver)
        inp = None if resume else initial_state(settings)
        while True:
            request = None
            for _ns, mode, chunk in graph.stream(
                inp, config, context=rt, stream_mode=["custom", "updates"], subgraphs=True
            ):
                if mode == "custom":
                    if on_event is not None:
                        on_event(chunk)
                elif mode == "updates" and "__interrupt__" in chunk:
                    request = chunk["__interrupt__"][0].value
            snap = graph.get_state(config)
            if request is not None and snap.next:
                answer = approver(request) if approver is not None else {"approved": True}
                if on_event is not None:
                    on_event(ApprovalEvent(type="approval", slot=request["slot"], answer=answer))
                inp = Command(resume=answer)
                continue
            break
        state = graph.get_state(config).values
        rt.env_at(state["committed"])
        p_max, noise = rt.env.p_max, rt.env.noise
    return summarize(state, time.perf_counter() - t0, p_max, noise)


def mermaid(settings: dict | None = None, which: str = "episode") -> str:
    """The episode graph (or the team's decide graph) as Mermaid text."""
    if which == "decide":
        from wireless_agents.planners.coordination import decide_graph

        return decide_graph().get_graph().draw_mermaid()
    s = default_settings(**(settings or {}))
    return build_episode_graph(s).get_graph(xray=False).draw_mermaid()
