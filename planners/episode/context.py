"""What an episode run needs beside its state: the env, the planner, the models.

:class:`EpisodeContext` is the episode graph's LangGraph run context (``context_schema``): the
nodes get it as ``runtime.context``. Nothing in it is checkpointed; a resumed run builds it anew
from the saved settings and brings the env to the saved slot by replaying the committed powers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from wireless_agents.environment import make_env

from .intents import merge_constraints, operator_constraints, team_goals
from .largescale import DEFAULT_TAU_MS, LargeScaleEstimate
from .settings import SCENARIO_ENV, TEAM_PLANNERS, scenario_setup, slices, team_config
from .timing import slot_seconds, timing_model


@dataclass
class EpisodeContext:
    """The env, the planner and the models of one episode run (rebuilt on resume).

    ``settings`` the run's settings document; ``backend`` the edge model (None for a classical
    planner and for ``tool``); ``cloud_backend``/``cluster_backend`` the L0/L1 coordinators' models (optional).
    Derived: ``topology``, ``constraints`` (the scenario's, tightened by the operator's),
    ``intent`` (the scenario's own goal, e.g. zou), ``goals`` (the objective and weights the
    team plans for, :func:`~.intents.team_goals`; empty: sum-rate), ``timing`` (the declared
    :class:`~.timing.TimingModel` latencies are computed on), ``planner`` (the LLM team),
    ``cloud_planner`` (the same team under the ``cloud`` strategy, for ``route`` cloud/router),
    and the env with its last ``obs``/``infos``; with ``plan_on: large-scale`` ``large_scale``,
    the devices' estimate of the large-scale gains (:class:`~.largescale.LargeScaleEstimate`),
    brought along with the env (:meth:`step_env`; rebuilt on resume by the replay).
    """

    settings: dict
    backend: Any = None
    cloud_backend: Any = None
    cluster_backend: Any = None
    env: Any = None
    obs: Any = None
    infos: Any = None
    planner: Any = None
    cloud_planner: Any = None
    large_scale: Any = None
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        s = self.settings
        self.topology, self.constraints, self.intent = scenario_setup(s)
        self.constraints = merge_constraints(self.constraints, operator_constraints(s), s["agents"])
        self.goals = team_goals(s)
        self.timing = timing_model(s.get("timing_model"))  # the declared latency figures
        if s["planner"] in TEAM_PLANNERS:
            from wireless_agents.planners.coordination import LLMPlanner

            self.planner = LLMPlanner(
                self.backend,
                team_config(s, intent=self.intent["text"] if self.intent else None),
                cloud_backend=self.cloud_backend,
                cluster_backend=self.cluster_backend,
            )
        if self.planner is not None and s.get("route") in ("cloud", "router"):  # the cloud plans
            from dataclasses import replace

            from wireless_agents.planners.coordination import LLMPlanner

            self.cloud_planner = LLMPlanner(
                self.backend,
                replace(self.planner.config, strategy="cloud", cloud=True),
                cloud_backend=self.cloud_backend,
            )

    def env_at(self, committed: list) -> None:
        """Make the env stand before slot ``len(committed)`` (reset + replay if needed)."""
        n = len(committed)
        if self.env is not None and self.env.steps == n:
            return
        s = self.settings
        sliced = {"mini_slots": slices(s)} if slices(s) > 1 else {}
        # every receiver senses every transmitter's pilot; the team keeps the ones that matter
        self.env = make_env(
            self.topology, n_agents=s["agents"], seed=s["seed"], max_steps=s["steps"] + 1,
            **{"n_interferers": s["agents"] - 1, **SCENARIO_ENV.get(s["scenario"], {}),
               **(s.get("env") or {}), **sliced},
        )  # fmt: skip
        self.obs, self.infos = self.env.reset(seed=s["seed"])
        if s.get("plan_on") == "large-scale":
            tau_s = float(s.get("large_scale_ms") or DEFAULT_TAU_MS) / 1000.0
            self.large_scale = LargeScaleEstimate(slot_seconds(self.env), tau_s)
            self.large_scale.reset(self.env.gains)
        for p in committed:
            self.step_env(p)

    def step_env(self, on_air) -> None:
        """Step the env with the powers ``on_air`` ((K,) or a (K, L) schedule, W), keep its new
        ``obs``/``infos`` and bring the large-scale estimate (if any) to the new slot's pilots."""
        self.obs, _, _, _, self.infos = self.env.step(self.env.actions_from_powers(on_air))
        if self.large_scale is not None:
            self.large_scale.update(self.env.gains)


def replay_gains(settings: dict, n: int) -> tuple[list[np.ndarray], float, float]:
    """The first ``n`` gain matrices ((K, K) each) of a run with ``settings``, with its
    ``p_max`` and ``noise`` (W), replayed from a fresh env: its randomness does not depend on the
    powers, so any powers replay the same channel (zeros here)."""
    rt = EpisodeContext({**settings, "planner": "wmmse"})  # the channel needs no model
    rt.env_at([])
    env = rt.env
    out = []
    for _ in range(n):
        out.append(np.asarray(env.gains, dtype=float).copy())
        env.step(env.actions_from_powers(np.zeros(env.n_agents)))
    return out, float(env.p_max), float(env.noise)
