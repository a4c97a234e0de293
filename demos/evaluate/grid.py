"""The evaluator's task grid: every scenario of a suite with every planner, and each task's
episode settings (same env, seed and steps for every planner of a scenario).

Planners
========

``llm``      the LLM team. It reads the scenario's intent *texts* once (the edge model parses
             each sentence into a constraint; tokens and seconds count in its row), plans with
             those constraints (each agent sees its own minimum rate and power cap) and closes
             its floors by its own distributed floor-control loop (see
             :mod:`planners.coordination.floor_control`; the trace's ``validation``).
``oracle``   the constrained classical solver (``best``) given the *checks* themselves: the
             upper reference for intent-aware planning.
others       the classical planners (``maxpower``, ``random``, ``wmmse``, ``fp``, ``greedy``,
             ``optimal``, ``best``), intent-blind references.
"""

from __future__ import annotations

from dataclasses import dataclass

from wireless_agents.demos.suite import Scenario, Suite
from wireless_agents.planners.episode import CLASSICAL, default_settings

PLANNERS = ("llm", "oracle", *CLASSICAL)
# suite ``planner_options`` the LLM team takes (classical planners take none)
PLANNER_OPTIONS = {
    "model", "rounds", "strategy", "loss", "tools", "temperature", "max_tokens", "cloud_model",
    "intent_reader",
}  # fmt: skip


@dataclass(frozen=True)
class Task:
    scenario: Scenario
    planner: str

    @property
    def label(self) -> str:
        return f"{self.scenario.name}/{self.planner}"

    @property
    def uses_model(self) -> bool:
        return self.planner == "llm"


def tasks(suite: Suite, planners: list[str]) -> list[Task]:
    """Every (scenario, planner) pair; raises ValueError (one line) for an option value that
    the episode settings refuse (e.g. an unknown ``intent_reader``), before any run."""
    out = [Task(sc, p) for sc in suite.scenarios for p in planners]
    for t in out:
        try:
            settings_for(t.scenario, t.planner)
        except ValueError as exc:
            raise ValueError(f"scenario {t.scenario.name}: {exc}") from None
    return out


def settings_for(sc: Scenario, planner: str) -> dict:
    """Episode settings of one task: same env, seed and steps for every planner of a scenario."""
    base = dict(
        scenario=sc.topology, agents=sc.n_agents, steps=sc.steps, seed=sc.seed,
        env=dict(sc.env_kwargs) or None,
    )  # fmt: skip
    if planner == "llm":
        opts = dict(sc.planner_options)
        cloud = opts.pop("cloud_model", None)
        if cloud is not None:
            opts.update(cloud=True, cloud_model=cloud)
        if "tools" in opts and opts["tools"] is not None:
            opts["tools"] = list(opts["tools"])
        return default_settings(
            planner="llm", intents=[i.text for i in sc.intents] or None, **base, **opts
        )
    if planner == "oracle":
        cons = [i.as_constraint() for i in sc.intents]
        return default_settings(planner="best", constraints=cons or None, **base)
    return default_settings(planner=planner, **base)


def models_needed(suite: Suite, planners: list[str]) -> list[tuple[str, ...]]:
    """The model specs (edge model, cloud model or None) the LLM tasks will load."""
    if "llm" not in planners:
        return []
    out = []
    for sc in suite.scenarios:
        s = settings_for(sc, "llm")
        spec = (s["model"], s["cloud_model"] if s.get("cloud") else None)
        if spec not in out:
            out.append(spec)
    return out
