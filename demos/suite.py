"""Evaluation suites: the YAML format of ``wagents eval``, loaded and checked strictly.

::

    suite: example
    scenarios:
      - name: control-loop
        env: {topology: d2d, agents: 6, seed: 3}     # any make_env arguments
        steps: 3
        planner_options: {rounds: 3}                  # optional
        intents:
          - text: "Link 2 runs a factory control loop and needs at least 1.5 bit/s/Hz."
            check: {agent: 2, min_rate: 1.5}

Agents see only ``text``; the scorer sees only ``check``. Every problem is reported as a
:class:`SuiteError` with one line naming the file and the place (``scenarios[1].env.topology``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CHECK_KINDS = {"min_rate": (0.0, 1e3), "max_power_frac": (0.0, 1.0)}


class SuiteError(ValueError):
    """A suite file that cannot be run, with a one-line reason."""


@dataclass(frozen=True)
class IntentCheck:
    """One natural-language intent (``text``, for the agents) and its check (for the scorer)."""

    text: str
    agent: int
    kind: str  # "min_rate" (bit/s/Hz) | "max_power_frac" (fraction of p_max)
    value: float

    def as_constraint(self) -> dict:
        return {"agent": self.agent, self.kind: self.value}


@dataclass(frozen=True)
class Scenario:
    """One scenario of a suite: env arguments, steps, planner options and intents."""

    name: str
    topology: str  # an environment topology, or an episode scenario such as "zou"
    n_agents: int  # resolved: the topology's default when the file gives none
    seed: int
    env_kwargs: dict = field(default_factory=dict)
    steps: int = 3
    planner_options: dict = field(default_factory=dict)
    intents: tuple[IntentCheck, ...] = ()

    def make_env(self):
        from wireless_agents.environment import make_env

        topology, kwargs = env_arguments(self.topology, self.env_kwargs)
        return make_env(topology, n_agents=self.n_agents, seed=self.seed, **kwargs)


def env_arguments(topology: str, env_kwargs: dict) -> tuple[str, dict]:
    """The environment topology and ``make_env`` arguments of a scenario's ``topology``.

    Besides the environment's topologies, a suite may name an episode scenario (``zou``: the
    energy-saving case study, a sparse low-power d2d drop with a rate floor on every link).
    """
    from wireless_agents.planners.episode import SCENARIO_ENV, scenario_setup

    if topology in SCENARIO_ENV:
        base, _, _ = scenario_setup({"scenario": topology, "agents": 1})
        return base, {**SCENARIO_ENV[topology], **env_kwargs}
    return topology, dict(env_kwargs)


@dataclass(frozen=True)
class Suite:
    name: str
    scenarios: tuple[Scenario, ...]
    path: str = ""


def load_suite(path: str | Path, planner_option_names: set[str] | None = None) -> Suite:
    """Read and check a suite file; raises :class:`SuiteError` on the first problem."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise SuiteError(f"suite file not found: {p}")
    try:
        doc = yaml.safe_load(p.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise SuiteError(f"{p}: not valid YAML{where}") from None
    except UnicodeDecodeError:
        raise SuiteError(f"{p}: not a text file") from None
    return parse_suite(doc, str(p), planner_option_names)


def parse_suite(doc, source: str = "suite", planner_option_names: set[str] | None = None) -> Suite:
    """Check a suite already parsed from YAML (see :func:`load_suite`)."""

    def fail(where: str, msg: str):
        raise SuiteError(f"{source}: {where}: {msg}")

    if not isinstance(doc, dict):
        raise SuiteError(f"{source}: expected a mapping with 'suite' and 'scenarios'")
    extra = set(doc) - {"suite", "scenarios"}
    if extra:
        fail(sorted(extra)[0], "unknown key (expected 'suite' and 'scenarios')")
    name = doc.get("suite")
    if not isinstance(name, str) or not name.strip():
        fail("suite", "needs a name (a non-empty string)")
    items = doc.get("scenarios")
    if not isinstance(items, list) or not items:
        fail("scenarios", "needs a non-empty list of scenarios")
    scenarios, seen = [], set()
    for n, item in enumerate(items):
        where = f"scenarios[{n}]"
        sc = _scenario(item, where, fail, planner_option_names)
        if sc.name in seen:
            fail(f"{where}.name", f"duplicate scenario name {sc.name!r}")
        seen.add(sc.name)
        scenarios.append(sc)
    return Suite(name.strip(), tuple(scenarios), source)


def _int(value, where, fail, lo=None):
    if isinstance(value, bool) or not isinstance(value, int):
        fail(where, f"expected an integer, got {value!r}")
    if lo is not None and value < lo:
        fail(where, f"must be at least {lo}, got {value}")
    return value


def _scenario(item, where, fail, planner_option_names) -> Scenario:
    from wireless_agents.environment import SCENARIOS as TOPOLOGIES
    from wireless_agents.environment import make_env
    from wireless_agents.planners.episode import SCENARIO_ENV

    names = (*TOPOLOGIES, *SCENARIO_ENV)

    if not isinstance(item, dict):
        fail(where, "expected a mapping with name, env, steps")
    allowed = {"name", "env", "steps", "planner_options", "intents"}
    extra = set(item) - allowed
    if extra:
        fail(f"{where}.{sorted(extra)[0]}", f"unknown key (expected {', '.join(sorted(allowed))})")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        fail(f"{where}.name", "needs a non-empty string")
    env = item.get("env")
    if not isinstance(env, dict):
        fail(f"{where}.env", "needs a mapping, e.g. {topology: d2d, agents: 6, seed: 0}")
    env = dict(env)
    topology = env.pop("topology", None)
    if topology not in names:
        fail(
            f"{where}.env.topology",
            f"unknown topology {topology!r} (choose {', '.join(names)})",
        )
    n_agents = env.pop("agents", env.pop("n_agents", None))
    if n_agents is not None:
        _int(n_agents, f"{where}.env.agents", fail, lo=1)
    elif topology == "zou":
        n_agents = 4  # the case study's K
    seed = _int(env.pop("seed", 0), f"{where}.env.seed", fail, lo=0)
    try:  # every remaining key must be a make_env argument or a field of the topology's config
        base, kwargs = env_arguments(topology, env)
        k = make_env(base, n_agents=n_agents, seed=seed, **kwargs).n_agents
    except (TypeError, ValueError) as exc:
        fail(f"{where}.env", str(exc).splitlines()[0])
    steps = _int(item.get("steps", 3), f"{where}.steps", fail, lo=1)
    options = item.get("planner_options") or {}
    if not isinstance(options, dict):
        fail(f"{where}.planner_options", "needs a mapping")
    if planner_option_names is not None:
        unknown = set(options) - set(planner_option_names)
        if unknown:
            fail(
                f"{where}.planner_options.{sorted(unknown)[0]}",
                f"unknown option (options: {', '.join(sorted(planner_option_names))})",
            )
    intents = item.get("intents") or []
    if not isinstance(intents, list):
        fail(f"{where}.intents", "needs a list of {text, check}")
    checks = tuple(_intent(x, f"{where}.intents[{i}]", fail, k) for i, x in enumerate(intents))
    return Scenario(name.strip(), topology, k, seed, env, steps, dict(options), checks)


def _intent(item, where, fail, k) -> IntentCheck:
    if not isinstance(item, dict) or set(item) - {"text", "check"}:
        fail(where, "expected a mapping with 'text' and 'check'")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        fail(f"{where}.text", "needs the sentence the agents will read")
    check = item.get("check")
    if not isinstance(check, dict):
        fail(f"{where}.check", "needs a mapping like {agent: 2, min_rate: 1.5}")
    agent = _int(check.get("agent"), f"{where}.check.agent", fail, lo=0)
    if agent >= k:
        fail(f"{where}.check.agent", f"agent {agent} does not exist (agents 0..{k - 1})")
    kinds = [key for key in check if key != "agent"]
    if len(kinds) != 1 or kinds[0] not in CHECK_KINDS:
        fail(f"{where}.check", f"needs exactly one of {', '.join(CHECK_KINDS)} besides agent")
    kind = kinds[0]
    value = check[kind]
    lo, hi = CHECK_KINDS[kind]
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        fail(f"{where}.check.{kind}", f"must be a number in [{lo:g}, {hi:g}], got {value!r}")
    return IntentCheck(text.strip(), agent, kind, float(value))
