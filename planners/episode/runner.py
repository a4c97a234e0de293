"""Running an episode: a fresh run, or the resume of a checkpointed one.

With a checkpoint file each run is a thread of its own (see :mod:`.checkpoint`): a fresh run
adds one (refused on a file that already holds a run unless ``force``), a resume continues the
latest run or the one numbered ``run``, with the settings stored in the file.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from wireless_agents.planners.events import ApprovalEvent

from .checkpoint import THREAD, NothingToResume, Run, open_checkpoint
from .context import EpisodeContext
from .graph import build_episode_graph, initial_state, recursion_limit
from .intents import with_parsed_intents
from .settings import default_settings
from .trace import summarize


@contextmanager
def _thread(settings: dict, checkpoint: str | None, resume: bool, run: int | None, force: bool):
    """``(saver, thread id, settings, fresh)`` of this run: a checkpoint file's run, or an
    in-memory saver. ``fresh``: start the graph from its initial state (a new run, or a resumed
    one killed before its first checkpoint, restarted from its stored settings)."""
    if not checkpoint:
        if resume:
            raise NothingToResume("--resume needs a checkpoint file")
        from langgraph.checkpoint.memory import InMemorySaver

        yield InMemorySaver(), THREAD, settings, True
        return
    with open_checkpoint(checkpoint, resume=resume) as ck:
        if resume:
            r = ck.pick(run)
            state = ck.state(r)
            if state is None:
                yield ck.saver, r.thread_id, r.settings, True
            else:
                yield ck.saver, r.thread_id, state["settings"], False
        else:
            ck.check_new_run(force)
            r = ck.new_run(settings)
            yield ck.saver, r.thread_id, settings, True


def saved_run(checkpoint: str, run: int | None = None) -> tuple[Run, dict, int]:
    """``(run, settings, slots done)`` of the run a resume of ``checkpoint`` would continue
    (the latest, or number ``run``); raises :class:`CheckpointError` (one line) if none can."""
    with open_checkpoint(checkpoint, resume=True) as ck:
        r = ck.pick(run)
        state = ck.state(r)
        if state is None:
            return r, r.settings, 0
        return r, state["settings"], len(state.get("committed") or [])


def saved_settings(checkpoint: str, run: int | None = None) -> dict | None:
    """The settings of the episode checkpointed in ``checkpoint`` (None if there is none)."""
    try:
        return saved_run(checkpoint, run)[1]
    except NothingToResume:
        return None


def check_new_run(checkpoint: str, force: bool = False) -> None:
    """Refuse, before any work, a fresh run on a checkpoint file that already holds a run
    (unless ``force``) or is not a usable checkpoint (one :class:`CheckpointError` line)."""
    import os

    if os.path.exists(checkpoint):
        with open_checkpoint(checkpoint, resume=True) as ck:
            ck.check_new_run(force)


def run_episode(
    settings: dict,
    *,
    backend=None,
    cloud_backend=None,
    cluster_backend=None,
    checkpoint: str | None = None,
    resume: bool = False,
    run: int | None = None,
    force: bool = False,
    on_event=None,
    approver=None,
) -> dict:
    """Run (or resume) one episode and return its trace document.

    ``on_event(event)`` gets every custom stream event (proposals, deliveries, commits, ...;
    listed in :mod:`wireless_agents.planners.events`) and the ``approval`` answers.
    ``approver(request) -> answer`` answers the ``--approve`` interrupts: ``{"approved": True}``,
    ``{"approved": False}`` or ``{"powers": [...W]}``.
    ``checkpoint``: an SQLite file, one thread per run; ``resume`` continues its latest run (or
    number ``run``) with the file's settings (``settings`` is then ignored); a fresh run on a file
    that holds one is refused unless ``force`` (the earlier run is kept). A file that cannot be
    used raises :class:`CheckpointError` with one line.
    """
    from langgraph.types import Command

    t0 = time.perf_counter()
    with _thread(settings, checkpoint, resume, run, force) as (saver, thread, settings, fresh):
        config = {
            "configurable": {"thread_id": thread},
            "recursion_limit": recursion_limit(settings["steps"]),
        }
        if fresh:
            settings = with_parsed_intents(settings, backend)
        rt = EpisodeContext(
            settings, backend=backend, cloud_backend=cloud_backend, cluster_backend=cluster_backend
        )
        graph = build_episode_graph(settings, checkpointer=saver)
        inp = initial_state(settings) if fresh else None
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
