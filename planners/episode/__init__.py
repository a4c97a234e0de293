"""One episode of a team (or a classical planner) over the shared environment, slot by slot.

Modules, one concept each:

============  ====================================================================================
settings      the scenarios, their defaults, the settings document of a run
context       what a run needs beside its state (env, planner, models): the graph's run context
graph         the outer slot loop as a LangGraph graph (sense -> decide -> [approve] -> step)
intents       operator intents: read into constraints, tightened per slot, checked per slot
adoption      what the team's deciders added to their tools: adoption, deviations, their gain
display       what a live display draws (the scene and each committed slot; the list of every
              event type is :mod:`wireless_agents.planners.events`)
trace         the trace document: per-slot records summed into the ``summary``
timing        simulated time: the tiers' declared compute profiles, frozen or realtime timing,
              the slot a plan lands in
latency       a decision's simulated latency from its calls and exchanges on those profiles
largescale    the slow timescale's channel: each device's average of its measured gains
              (``plan_on: large-scale``), and the perception rebuilt on it
runner        running an episode, or resuming a checkpointed one; the graphs as Mermaid
checkpoint    the checkpoint file: one thread per run, read as plain data, refused when foreign
============  ====================================================================================
"""

from .checkpoint import THREAD, CheckpointError, NothingToResume
from .context import EpisodeContext
from .graph import build_episode_graph
from .intents import check_met
from .runner import mermaid, run_episode, saved_run, saved_settings
from .settings import (
    CLASSICAL,
    PLANNERS,
    SCENARIO_ENV,
    SCENARIOS,
    TEAM_PLANNERS,
    default_settings,
    reads_language,
    scenario_setup,
)
from .trace import strip_timings, summarize

__all__ = [
    "CLASSICAL",
    "EpisodeContext",
    "PLANNERS",
    "SCENARIOS",
    "SCENARIO_ENV",
    "TEAM_PLANNERS",
    "THREAD",
    "CheckpointError",
    "NothingToResume",
    "build_episode_graph",
    "check_met",
    "default_settings",
    "mermaid",
    "reads_language",
    "run_episode",
    "saved_run",
    "saved_settings",
    "scenario_setup",
    "strip_timings",
    "summarize",
]
