"""Evaluation suites: the YAML format of ``wagents eval``, loaded and checked strictly.

::

    suite: example
    scenarios:
      - name: control-loop
        env: {topology: d2d, agents: 6, seed: 3}     # any make_env arguments
        seeds: [3, 4, 5]                              # optional: several env seeds
        steps: 3
        planner_options: {rounds: 3}                  # optional
        intents:
          - text: "Link 2 runs a factory control loop and needs at least 1.5 bit/s/Hz."
            check: {agent: 2, min_rate: 1.5}
          - text: "Link 0 carries the emergency line: it counts three times as much."
            check: {agent: 0, weight: 3}
          - text: "Otherwise share the band fairly."
            check: {objective: max_min}
        devices:                                      # optional: device profiles
          4:
            text: "I am a sensor on a nearly empty battery: at most 30% of my power."
            check: {agent: 4, min_rate: 0.2, max_power_frac: 0.3}

Agents see only ``text``; the scorer sees only ``check``. Every problem is reported as a
:class:`SuiteError` with one line naming the file and the place (``scenarios[1].env.topology``).
The whole file is checked before any run: types, names and the ranges of
:mod:`demos.bounds` first (agents, steps, seeds, every ``planner_options`` value), without
building anything; then each scenario's env once, at its (bounded) size, for the topology's
own checks of its arguments.

Names
    A scenario's name is free text; its report files use :func:`file_stem` of it (a safe
    slug, plus a short hash of the name when the slug differs from it), so ``a/b`` and
    ``a_b`` never share a file.

Seeds
    ``seeds`` lists the env seeds a scenario runs on (each (scenario, seed) is one run of every
    planner); without it the scenario runs on ``env.seed`` (default 0) alone. When both are
    given ``env.seed`` must be the first of ``seeds`` (anything else is refused).

Checks
    ``min_rate`` (bit/s/Hz) and ``max_power_frac`` (fraction of p_max) are constraints, scored
    per slot; one check may give both for its agent and is then scored as two checks.
    ``weight`` (``{agent, weight}``, a non-negative priority) and ``objective``
    (``{objective: name}``, one of :data:`environment.objectives.OBJECTIVES`) are not
    constraints a plan can miss: they choose what the scenario is scored on (its ``utility``),
    never counted as checks. At most one objective and one weight per agent per scenario.
    Without an objective check a scenario is scored on ``weighted_sum_rate`` when it has
    weights, else on ``sum_rate``; weights count only under ``weighted_sum_rate``.

Mini-slots
    ``mini_slots: L`` (default 1) splits each slot into L time slices: the oracle plans a
    (K, L) time-sharing schedule (``planners.timeshare``) and the report gives each floor's
    per-slot and time-sharing verdicts. A single-vector planner's vector fills every slice, so
    its rates are those of the plain slot.

Devices
    ``devices`` maps a device (agent) id to its profile: a ``text`` in the device's own words
    and a ``check`` on that same agent (``min_rate``, ``max_power_frac``, ``weight``; no
    objective). The scorer and the oracle take the devices' checks like the intents'; in the
    ``llm`` team each device's own agent reads its profile's text (never the check), once.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from wireless_agents.demos import bounds

# the constraint kinds (scored per slot) and their ranges; ``weight`` ranges as WEIGHT_RANGE
CHECK_KINDS = {"min_rate": (0.0, 1e3), "max_power_frac": (0.0, 1.0)}
WEIGHT_RANGE = (0.0, 1e3)
MINI_SLOTS = (1, 64)  # time slices per slot a scenario may ask for
# every ``check`` key besides ``agent``: the constraints, a link's weight, the objective
ALL_CHECK_KINDS = (*CHECK_KINDS, "weight", "objective")


class SuiteError(ValueError):
    """A suite file that cannot be run, with a one-line reason."""


def file_stem(name: str) -> str:
    """A file name for scenario ``name``: the name itself when it is a safe slug (letters,
    digits, ``.``, ``_``, ``-``, not starting with ``.``, at most 64 characters), else a slug of
    it plus ``-`` and 8 hex digits of its SHA-256, so two names never share a file."""
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")[:64] or "_"
    if slug == name:
        return slug
    return f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class IntentCheck:
    """One natural-language intent (``text``, for the agents) and its check (for the scorer).

    ``kind`` ``min_rate`` (bit/s/Hz) or ``max_power_frac`` (fraction of p_max): a constraint;
    ``weight`` (a link's priority, ``value`` >= 0); ``objective`` (``agent`` None, ``value``
    the objective's name).
    """

    text: str
    agent: int | None
    kind: str
    value: float | str

    @property
    def is_constraint(self) -> bool:
        return self.kind in CHECK_KINDS

    def as_constraint(self) -> dict:
        if not self.is_constraint:
            raise ValueError(f"a {self.kind} check is not a constraint")
        return {"agent": self.agent, self.kind: self.value}


@dataclass(frozen=True)
class DeviceProfile:
    """A device's situation in its own words (``text``, for that device's agent only) and the
    checks the scorer takes from it (on ``agent``, one per kind)."""

    agent: int
    text: str
    checks: tuple[IntentCheck, ...]


@dataclass(frozen=True)
class Scenario:
    """One scenario of a suite: env arguments, seeds, steps, planner options, intents, devices."""

    name: str
    topology: str  # an environment topology, or an episode scenario such as "zou"
    n_agents: int  # resolved: the topology's default when the file gives none
    seed: int  # the first env seed
    env_kwargs: dict = field(default_factory=dict)
    steps: int = 3
    planner_options: dict = field(default_factory=dict)
    intents: tuple[IntentCheck, ...] = ()  # one per check kind (a two-kind check gives two)
    seeds: tuple[int, ...] = ()  # the env seeds; () means (seed,)
    devices: tuple[DeviceProfile, ...] = ()
    intent_texts: tuple[str, ...] = ()  # one per intent of the file; () means each intent's
    mini_slots: int = 1  # time slices per slot: the oracle plans a (K, L) schedule when > 1
    timing: dict = field(default_factory=dict)  # episode settings: timing, fast_loop, route, ...

    def __post_init__(self):
        if not self.seeds:
            object.__setattr__(self, "seeds", (self.seed,))
        if not self.intent_texts and self.intents:
            object.__setattr__(self, "intent_texts", tuple(i.text for i in self.intents))

    @property
    def checks(self) -> tuple[IntentCheck, ...]:
        """The constraint checks the scorer counts and the oracle gets: intents', then devices'."""
        every = (*self.intents, *(c for d in self.devices for c in d.checks))
        return tuple(c for c in every if c.is_constraint)

    def constraints(self) -> list[dict]:
        return [c.as_constraint() for c in self.checks]

    @property
    def weights(self) -> tuple[float, ...] | None:
        """Per-link weights ``(K,)`` (1 where none is given), None when no weight check."""
        every = (*self.intents, *(c for d in self.devices for c in d.checks))
        given = {c.agent: float(c.value) for c in every if c.kind == "weight"}
        if not given:
            return None
        return tuple(given.get(i, 1.0) for i in range(self.n_agents))

    @property
    def objective(self) -> str:
        """The objective the scenario is scored on (see the module's Checks)."""
        from wireless_agents.environment.objectives import resolve_objective

        named = next((str(i.value) for i in self.intents if i.kind == "objective"), None)
        return resolve_objective(named, self.weights)

    def make_env(self, seed: int | None = None):
        from wireless_agents.environment import make_env

        topology, kwargs = env_arguments(self.topology, self.env_kwargs)
        seed = self.seed if seed is None else seed
        return make_env(topology, n_agents=self.n_agents, seed=seed, **kwargs)


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
    extra = set(doc) - {"suite", "scenarios", "timing"}
    if extra:
        fail(sorted(extra)[0], "unknown key (expected 'suite', 'scenarios' and 'timing')")
    suite_timing = _timing(doc.get("timing"), "timing", fail)
    name = doc.get("suite")
    if not isinstance(name, str) or not name.strip():
        fail("suite", "needs a name (a non-empty string)")
    items = doc.get("scenarios")
    if not isinstance(items, list) or not items:
        fail("scenarios", "needs a non-empty list of scenarios")
    scenarios, seen, stems = [], set(), {}
    for n, item in enumerate(items):
        where = f"scenarios[{n}]"
        sc = _scenario(item, where, fail, planner_option_names, suite_timing)
        if sc.name in seen:
            fail(f"{where}.name", f"duplicate scenario name {sc.name!r}")
        seen.add(sc.name)
        stem = file_stem(sc.name)
        if stem in stems:
            fail(f"{where}.name", f"{sc.name!r} has the file name of {stems[stem]!r}; rename one")
        stems[stem] = sc.name
        scenarios.append(sc)
    for n, sc in enumerate(scenarios):  # every field is in range: now the topologies' checks
        _check_env(sc, f"scenarios[{n}]", fail)
    return Suite(name.strip(), tuple(scenarios), source)


def _int(value, where, fail, lo=None, hi=None):
    if isinstance(value, bool) or not isinstance(value, int):
        fail(where, f"expected an integer, got {value!r}")
    if lo is not None and value < lo:
        fail(where, f"must be at least {lo}, got {value}")
    if hi is not None and value > hi:
        fail(where, f"must be at most {hi}, got {value}")
    return value


def _number(value, where, fail, lo, hi):
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(where, f"expected a number, got {value!r}")
    if not (math.isfinite(value) and lo <= value <= hi):
        fail(where, f"must be in [{lo:g}, {hi:g}], got {value!r}")
    return value


def _planner_option_rules() -> dict:
    """How each planner option of a suite is checked: ``name -> check(value, where, fail)``.
    The allowed names are those of their homes (the team's strategies, the tools, the intent
    readers), the ranges :mod:`demos.bounds`'s; ``null`` keeps the default."""
    from wireless_agents.agents.prompts_compact import PROMPTS
    from wireless_agents.planners.coordination import DEFAULT_TOOLS, STRATEGIES
    from wireless_agents.planners.episode.settings import INTENT_READERS
    from wireless_agents.tools import TOOLS

    def text(v, where, fail):
        if not isinstance(v, str) or not v.strip():
            fail(where, f"expected a model name (a non-empty string), got {v!r}")

    def one_of(names):
        def check(v, where, fail):
            if v not in names:
                fail(where, f"unknown {where.rsplit('.', 1)[-1]} {v!r} (choose {', '.join(names)})")

        return check

    def tools(v, where, fail):
        if not isinstance(v, list):
            fail(where, f"expected a list of tool names, e.g. [{', '.join(DEFAULT_TOOLS)}], "
                        f"got {v!r}")  # fmt: skip
        for n, t in enumerate(v):
            if t not in TOOLS:
                fail(f"{where}[{n}]", f"unknown tool {t!r} (tools: {', '.join(TOOLS)})")

    def integer(lo_hi):
        return lambda v, where, fail: _int(v, where, fail, *lo_hi)

    def flag(v, where, fail):
        if not isinstance(v, bool):
            fail(where, f"expected true or false, got {v!r}")

    def number(lo_hi):
        return lambda v, where, fail: _number(v, where, fail, *lo_hi)

    return {
        "model": text, "cloud_model": text, "strategy": one_of(STRATEGIES), "tools": tools,
        "rounds": integer(bounds.ROUNDS), "loss": number(bounds.LOSS),
        "temperature": number(bounds.TEMPERATURE), "max_tokens": integer(bounds.MAX_TOKENS),
        "intent_reader": one_of(INTENT_READERS), "inbox": flag, "skip_forced": flag,
        "prompt": one_of(PROMPTS),
    }  # fmt: skip


def _planner_options(options, where, fail, names) -> dict:
    """A scenario's ``planner_options``: known names (``names``, when given), each value checked
    (:func:`_planner_option_rules`)."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        fail(where, "needs a mapping")
    if names is not None:
        unknown = set(options) - set(names)
        if unknown:
            fail(
                f"{where}.{sorted(unknown, key=str)[0]}",
                f"unknown option (options: {', '.join(sorted(names))})",
            )
    rules = _planner_option_rules()
    for key, value in options.items():
        if key in rules and value is not None:
            rules[key](value, f"{where}.{key}", fail)
    return dict(options)


def _seeds(item, env, where, fail) -> tuple[int, ...]:
    """The scenario's env seeds: ``seeds`` (non-empty, distinct, >= 0) or ``env.seed``."""
    seed = env.pop("seed", None)
    if seed is not None:
        _int(seed, f"{where}.env.seed", fail, *bounds.SEED)
    if "seeds" not in item:
        return (0 if seed is None else seed,)
    seeds = item["seeds"]
    if not isinstance(seeds, list) or not seeds:
        fail(f"{where}.seeds", f"needs a non-empty list of integer seeds, got {seeds!r}")
    if len(seeds) > bounds.SEEDS[1]:
        fail(f"{where}.seeds", f"lists {len(seeds)} seeds; at most {bounds.SEEDS[1]}")
    for n, x in enumerate(seeds):
        _int(x, f"{where}.seeds[{n}]", fail, *bounds.SEED)
    if len(set(seeds)) != len(seeds):
        fail(f"{where}.seeds", f"lists a seed twice: {seeds}")
    if seed is not None and seed != seeds[0]:
        fail(
            f"{where}.env.seed",
            f"{seed} is not the first of seeds {seeds} (give one of them, or make them agree)",
        )
    return tuple(seeds)


def _env_arguments(topology, env, where, fail) -> int:
    """Check a scenario's remaining ``env`` arguments without building anything: each names a
    ``make_env`` argument or a field of the topology's config, none the episode sets itself,
    each value a string, ``null`` or a finite number (array sizes in :mod:`demos.bounds`'s
    ranges). Returns the topology's default K."""
    import dataclasses
    import inspect

    from wireless_agents.environment import SCENARIOS as TOPOLOGIES
    from wireless_agents.environment import make_env

    base, _ = env_arguments(topology, {})
    config = TOPOLOGIES[base].config_class
    own = {"topology", "n_agents", "seed", "config", "scenario_kwargs"}
    episode = {"max_steps", "max_cycles"}  # the episode sets them from ``steps``
    params = set(inspect.signature(make_env).parameters) - own
    names = (params | {f.name for f in dataclasses.fields(config)}) - episode - own
    for key, value in env.items():
        at = f"{where}.env.{key}"
        if key in episode:
            fail(at, "is set by the scenario's steps; drop it")
        if key not in names:
            fail(at, f"unknown argument for {base} (arguments: {', '.join(sorted(names))})")
        if key in bounds.ENV_SIZES and value is not None:
            _int(value, at, fail, *bounds.ENV_SIZES[key])
        elif not (value is None or isinstance(value, str)):
            number = not isinstance(value, bool) and isinstance(value, int | float)
            if not number or not math.isfinite(value):
                fail(at, f"expected a string or a finite number, got {value!r}")
    return config().n_agents


def _check_env(sc: Scenario, where: str, fail) -> None:
    """The topology's own checks of the env arguments (distances, areas, interferers), by
    building the scenario's env once; every size was bounded first."""
    try:
        sc.make_env()
    except (TypeError, ValueError) as exc:
        fail(f"{where}.env", str(exc).splitlines()[0])


def _timing(value, where, fail, base: dict | None = None) -> dict:
    """A suite's or scenario's ``timing``: ``frozen``/``realtime``, or a mapping ``{mode,
    fast_loop, route, deadline_ms, plan_on, large_scale_ms}`` (see
    :mod:`planners.episode.timing`, ``.fastloop``, ``.router``, ``.largescale``), as episode settings over ``base`` (the suite's, for a scenario). Types and
    names here; the combinations (a fast loop needs realtime, ...) when the task grid builds
    each run's settings, before any run."""
    from wireless_agents.planners.episode.largescale import PLAN_ON
    from wireless_agents.planners.episode.router import ROUTES
    from wireless_agents.planners.episode.timing import TIMINGS

    out = dict(base or {})
    if value is None:
        return out
    if isinstance(value, str):
        value = {"mode": value}
    if not isinstance(value, dict):
        fail(where, f"expected {' or '.join(TIMINGS)}, or a mapping {{mode, fast_loop, route, "
                    f"deadline_ms, plan_on, large_scale_ms}}, got {value!r}")  # fmt: skip
    allowed = ("mode", "fast_loop", "route", "deadline_ms", "plan_on", "large_scale_ms")
    for key, v in value.items():
        if key not in allowed:
            fail(f"{where}.{key}", f"unknown key (expected {', '.join(allowed)})")
        if key == "mode" and v not in TIMINGS:
            fail(f"{where}.mode", f"unknown timing {v!r} (choose {', '.join(TIMINGS)})")
        if key == "fast_loop" and not isinstance(v, bool):
            fail(f"{where}.fast_loop", f"expected true or false, got {v!r}")
        if key == "route" and v not in ROUTES:
            fail(f"{where}.route", f"unknown route {v!r} (choose {', '.join(ROUTES)})")
        if key == "deadline_ms":
            _number(v, f"{where}.deadline_ms", fail, 1e-3, 1e7)
        if key == "plan_on" and v not in PLAN_ON:
            fail(f"{where}.plan_on", f"unknown plan_on {v!r} (choose {', '.join(PLAN_ON)})")
        if key == "large_scale_ms":
            _number(v, f"{where}.large_scale_ms", fail, 1e-3, 1e7)
        out["timing" if key == "mode" else key] = v
    return out


def _scenario(item, where, fail, planner_option_names, suite_timing=None) -> Scenario:
    from wireless_agents.environment import SCENARIOS as TOPOLOGIES
    from wireless_agents.planners.episode import SCENARIO_ENV

    names = (*TOPOLOGIES, *SCENARIO_ENV)

    if not isinstance(item, dict):
        fail(where, "expected a mapping with name, env, steps")
    allowed = {"name", "env", "seeds", "steps", "planner_options", "intents", "devices",
               "mini_slots", "timing"}  # fmt: skip
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
        _int(n_agents, f"{where}.env.agents", fail, *bounds.AGENTS)
    elif topology == "zou":
        n_agents = 4  # the case study's K
    seeds = _seeds(item, env, where, fail)
    default_k = _env_arguments(topology, env, where, fail)
    k = default_k if n_agents is None else n_agents
    steps = _int(item.get("steps", 3), f"{where}.steps", fail, *bounds.STEPS)
    mini_slots = _int(item.get("mini_slots", 1), f"{where}.mini_slots", fail, *MINI_SLOTS)
    options = _planner_options(
        item.get("planner_options"), f"{where}.planner_options", fail, planner_option_names
    )
    intents = item.get("intents") or []
    if not isinstance(intents, list):
        fail(f"{where}.intents", "needs a list of {text, check}")
    checks, texts = [], []
    for i, x in enumerate(intents):
        text, got = _intent(x, f"{where}.intents[{i}]", fail, k)
        texts.append(text)
        checks.extend(got)
    devices = _devices(item.get("devices"), f"{where}.devices", fail, k)
    _one_objective_and_weight(checks, devices, where, fail)
    timing = _timing(item.get("timing"), f"{where}.timing", fail, suite_timing)
    return Scenario(
        name.strip(), topology, k, seeds[0], env, steps, dict(options), tuple(checks),
        seeds=seeds, devices=devices, intent_texts=tuple(texts), mini_slots=mini_slots,
        timing=timing,
    )  # fmt: skip


def _intent(item, where, fail, k) -> tuple[str, list[IntentCheck]]:
    if not isinstance(item, dict) or set(item) - {"text", "check"}:
        fail(where, "expected a mapping with 'text' and 'check'")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        fail(f"{where}.text", "needs the sentence the agents will read")
    text = text.strip()
    return text, _check(item.get("check"), text, f"{where}.check", fail, k)


def _check(check, text, where, fail, k, agent_of=None) -> list[IntentCheck]:
    """One ``check`` mapping: ``{objective: name}`` alone, or ``agent`` with one or more of
    ``min_rate``, ``max_power_frac``, ``weight`` (one IntentCheck per kind, in file order).
    ``agent_of``: the device a profile's check must be about (an objective is refused)."""
    from wireless_agents.environment.objectives import OBJECTIVES

    if not isinstance(check, dict) or not check:
        fail(where, "needs a mapping like {agent: 2, min_rate: 1.5} or {objective: max_min}")
    unknown = [key for key in check if key != "agent" and key not in ALL_CHECK_KINDS]
    if unknown:
        fail(f"{where}.{unknown[0]}", f"unknown check kind (kinds: {', '.join(ALL_CHECK_KINDS)})")
    if "objective" in check:
        if agent_of is not None:
            fail(f"{where}.objective", "a device profile cannot set the network's objective")
        if len(check) != 1:
            fail(where, "an objective check stands alone: {objective: max_min}")
        name = check["objective"]
        if name not in OBJECTIVES:
            fail(
                f"{where}.objective", f"unknown objective {name!r} (choose {', '.join(OBJECTIVES)})"
            )
        return [IntentCheck(text, None, "objective", name)]
    if "agent" not in check and agent_of is not None:
        check = {"agent": agent_of, **check}
    agent = _int(check.get("agent"), f"{where}.agent", fail, lo=0)
    if agent >= k:
        fail(f"{where}.agent", f"agent {agent} does not exist (agents 0..{k - 1})")
    if agent_of is not None and agent != agent_of:
        fail(f"{where}.agent", f"is {agent}, not the device {agent_of} whose profile this is")
    kinds = [key for key in check if key != "agent"]
    if not kinds:
        fail(where, f"needs one of {', '.join(ALL_CHECK_KINDS)} besides agent")
    out = []
    for kind in kinds:
        value = check[kind]
        lo, hi = WEIGHT_RANGE if kind == "weight" else CHECK_KINDS[kind]
        number = not isinstance(value, bool) and isinstance(value, int | float)
        if not number or not lo <= value <= hi:
            what = "a non-negative number" if kind == "weight" else "a number"
            fail(f"{where}.{kind}", f"must be {what} in [{lo:g}, {hi:g}], got {value!r}")
        out.append(IntentCheck(text, agent, kind, float(value)))
    return out


def _devices(items, where, fail, k) -> tuple[DeviceProfile, ...]:
    if items is None:
        return ()
    if not isinstance(items, dict):
        fail(where, "needs a mapping from device id to {text, check}")
    out = []
    for key, item in items.items():
        at = f"{where}.{key}"
        if isinstance(key, bool) or not isinstance(key, int):
            fail(at, f"a device id is an agent number, got {key!r}")
        if not 0 <= key < k:
            fail(at, f"device {key} does not exist (agents 0..{k - 1})")
        if not isinstance(item, dict) or set(item) - {"text", "check"} or "check" not in item:
            fail(at, "expected a mapping with 'text' and 'check'")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            fail(f"{at}.text", "needs the profile the device's agent will read")
        checks = _check(item["check"], text.strip(), f"{at}.check", fail, k, agent_of=key)
        out.append(DeviceProfile(key, text.strip(), tuple(checks)))
    return tuple(out)


def _one_objective_and_weight(checks, devices, where, fail) -> None:
    """At most one objective check per scenario and one weight per agent."""
    objectives = [c for c in checks if c.kind == "objective"]
    if len(objectives) > 1:
        fail(f"{where}.intents", "gives more than one objective check")
    seen = set()
    for c in (*checks, *(c for d in devices for c in d.checks)):
        if c.kind == "weight":
            if c.agent in seen:
                fail(where, f"gives agent {c.agent} more than one weight")
            seen.add(c.agent)
