"""The evaluator's task grid: every scenario of a suite with every planner, and each task's
episode settings (same env, seed and steps for every planner of a scenario).

Planners
========

``llm``      the LLM team. It reads the scenario's intent *texts* once (the edge model parses
             each sentence into a constraint; tokens and seconds count in its row), plans with
             those constraints (each agent sees its own minimum rate and power cap) and closes
             its floors by its own distributed floor-control loop (see
             :mod:`planners.coordination.floor_control`; the trace's ``validation``). Each
             device with a profile has its own agent read the profile's *text* once (its floor
             and cap join its own view; tokens and seconds count in the row).
``tool``     the same team, graph, control channel, tools and closed loop with no model: each
             agent adopts its tool's suggestion, sends no text and reads no language (the
             intent and device-profile texts are left unread: it plans without them). It
             takes the ``llm`` planner's options except the model's (``model``, ``temperature``,
             ``max_tokens``); a ``cloud_model`` becomes the cloud's solver alone. What the
             team is worth without a language model.
``oracle``   the constrained classical solver (``best``) given the *checks* themselves: the
             upper reference for intent-aware planning; with ``mini_slots: L > 1`` the
             time-sharing solver (``timeshare``), a (K, L) schedule per slot.
others       the classical planners (``maxpower``, ``random``, ``wmmse``, ``fp``, ``greedy``,
             ``optimal``, ``best``), intent-blind references.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wireless_agents.demos.suite import Scenario, Suite, file_stem
from wireless_agents.planners.episode import CLASSICAL, default_settings

# the LLM team with one setting changed, so a report sets them beside ``llm`` on the same seeds:
# the model-free readers of the intents, device profiles and requests (``llm-rules``) and the
# agents' models blind to their messages and requests (``llm-no-inbox``, the ablation)
LLM_VARIANTS = {"llm-rules": {"intent_reader": "rules"}, "llm-no-inbox": {"inbox": False}}
PLANNERS = ("llm", *LLM_VARIANTS, "tool", "oracle", *CLASSICAL)
# suite ``planner_options`` the LLM team takes (classical planners take none)
PLANNER_OPTIONS = {
    "model", "rounds", "strategy", "loss", "tools", "temperature", "max_tokens", "cloud_model",
    "intent_reader", "inbox", "skip_forced", "prompt",
}  # fmt: skip
# the options of the model itself, which the model-free ``tool`` team does not take
MODEL_OPTIONS = {"model", "temperature", "max_tokens"}


def uses_model(planner: str) -> bool:
    """Whether ``planner`` is the LLM team (``llm`` or one of its variants)."""
    return planner == "llm" or planner in LLM_VARIANTS


@dataclass(frozen=True)
class Task:
    """One run: a planner on one env seed of a scenario (``seed`` None: the scenario's first)."""

    scenario: Scenario
    planner: str
    seed: int | None = None

    @property
    def env_seed(self) -> int:
        return self.scenario.seed if self.seed is None else self.seed

    @property
    def label(self) -> str:
        tail = f"@{self.env_seed}" if len(self.scenario.seeds) > 1 else ""
        return f"{self.scenario.name}/{self.planner}{tail}"

    @property
    def trace_name(self) -> str:
        """The trace's file name in the report's ``traces/`` (the seed only when several)."""
        tail = f"__seed{self.env_seed}" if len(self.scenario.seeds) > 1 else ""
        return f"{file_stem(self.scenario.name)}__{self.planner}{tail}.json"

    @property
    def uses_model(self) -> bool:
        return uses_model(self.planner)


def tasks(suite: Suite, planners: list[str]) -> list[Task]:
    """Every (scenario, seed, planner), in suite order: every planner runs on the same seeds.
    Raises ValueError (one line) for an option value that the episode settings refuse (e.g. an
    unknown ``intent_reader``), before any run."""
    out = [Task(sc, p, seed) for sc in suite.scenarios for seed in sc.seeds for p in planners]
    for t in out:
        try:
            settings_for(t.scenario, t.planner, t.seed)
        except ValueError as exc:
            raise ValueError(f"scenario {t.scenario.name}: {exc}") from None
    return out


def objective_oracle(sc: Scenario) -> bool:
    """Whether the scenario's oracle must optimize a non-default objective (or weights), or
    plan a schedule over mini-slots: it is then solved slot by slot outside the episode (see
    :mod:`.oracle`)."""
    from wireless_agents.environment.objectives import DEFAULT_OBJECTIVE

    return sc.objective != DEFAULT_OBJECTIVE or sc.mini_slots > 1


def settings_for(sc: Scenario, planner: str, seed: int | None = None) -> dict:
    """Episode settings of one task: same env, seed and steps for every planner of a scenario.

    The LLM team reads the intents' texts (one per intent of the file); device profiles are not
    given to it yet. The oracle gets every constraint check (intents' and devices')."""
    base = dict(
        scenario=sc.topology, agents=sc.n_agents, steps=sc.steps,
        seed=sc.seed if seed is None else seed, env=dict(sc.env_kwargs) or None,
        mini_slots=sc.mini_slots,  # time slices (1, the default, leaves the settings as they were)
    )  # fmt: skip
    # the scenario's timing (every planner's); who serves a plan (route) only the team's
    team_only = ("route", "deadline_ms")
    if planner in ("llm", "tool", *LLM_VARIANTS):
        base.update(sc.timing)
    else:
        base.update({k: v for k, v in sc.timing.items() if k not in team_only})
    if planner in LLM_VARIANTS:  # the llm team, one setting over the suite's options
        opts = {**sc.planner_options, **LLM_VARIANTS[planner]}
        sc = replace(sc, planner_options=opts)
        planner = "llm"
    if planner in ("llm", "tool"):
        opts = dict(sc.planner_options)
        cloud = opts.pop("cloud_model", None)
        if planner == "tool":  # no model: its cloud is the solver, the model's options drop
            opts = {k: v for k, v in opts.items() if k not in MODEL_OPTIONS}
            cloud = None if cloud is None else "solver"
        if cloud is not None:
            opts.update(cloud=True, cloud_model=cloud)
        if "tools" in opts and opts["tools"] is not None:
            opts["tools"] = list(opts["tools"])
        devices = {str(d.agent): d.text for d in sc.devices} if planner == "llm" else None
        return default_settings(
            planner=planner, intents=list(sc.intent_texts) or None, devices=devices or None,
            **base, **opts,
        )  # fmt: skip
    if planner == "oracle":
        cons = sc.constraints()
        return default_settings(planner="best", constraints=cons or None, **base)
    return default_settings(planner=planner, **base)


def models_needed(suite: Suite, planners: list[str]) -> list[tuple[str, ...]]:
    """The model specs (edge model, cloud model or None) the LLM tasks will load."""
    if not any(uses_model(p) for p in planners):
        return []
    out = []
    for sc in suite.scenarios:
        s = settings_for(sc, "llm")
        spec = (s["model"], s["cloud_model"] if s.get("cloud") else None)
        if spec not in out:
            out.append(spec)
    return out
