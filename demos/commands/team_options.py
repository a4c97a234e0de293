"""The options ``wagents episode`` and ``wagents demo`` share, the scenario and the team: the
flags, their checks, the episode settings they make and the models those settings need."""

from __future__ import annotations

import math

from wireless_agents.demos.errors import UsageError


def add_team_options(p, *, agents: str, steps: int) -> None:
    """Scenario, planner and LLM-team options on parser ``p``; ``agents`` is the help of the
    ``--agents`` default, ``steps`` the default number of slots."""
    from wireless_agents.agents.models import DEFAULT_MODEL
    from wireless_agents.planners.coordination import STRATEGIES, TeamConfig
    from wireless_agents.planners.episode import PLANNERS, SCENARIOS
    from wireless_agents.planners.episode.settings import SCENARIO_TEAM

    team = TeamConfig  # the team's defaults, written once there

    p.add_argument("--scenario", default="d2d", choices=SCENARIOS, help="topology (zou: K=4 "
                   "energy-saving intent with minimum rates)")  # fmt: skip
    p.add_argument("--agents", type=int, default=None, help=f"links K (default {agents})")
    p.add_argument("--planner", default="llm", choices=PLANNERS,
                   help="default llm; tool: the same team with no model (each agent adopts its "
                   "tool's suggestion, sends no text, reads no intent)")  # fmt: skip
    p.add_argument("--steps", type=int, default=steps, help=f"slots (default {steps})")
    p.add_argument("--seed", type=int, default=0, help="seed of the env and channel (default 0)")
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"edge model (default {DEFAULT_MODEL})")
    p.add_argument("--strategy", default=team.strategy, choices=STRATEGIES)
    p.add_argument("--rounds", type=int, default=None,
                   help=f"negotiation rounds per slot (default {team.rounds}; zou "
                   f"{SCENARIO_TEAM['zou']['rounds']})")  # fmt: skip
    p.add_argument("--loss", type=float, default=team.loss, help="base message-loss probability")
    p.add_argument("--max-tokens", type=int, default=team.max_tokens, help="tokens per model call")
    p.add_argument("--tools", default=None,
                   help="comma-separated agent tools (default local_wmmse; zou: min_power)")  # fmt: skip
    p.add_argument("--no-tools", action="store_true", help="agents decide without tools")
    p.add_argument("--cloud-model", default=None, metavar="MODEL",
                   help="escalate unsettled slots (an unmet intent too) to a cloud coordinator "
                   "on MODEL ('solver' = no model, just the cloud's solver)")  # fmt: skip


def n_links(args) -> int:
    """The number of links K: ``--agents``, else 6 (zou: its 4)."""
    return args.agents or (4 if args.scenario == "zou" else 6)


def check_team_options(args) -> None:
    """Refuse out-of-range team options with a :class:`UsageError` (one line, exit code 2); the
    ranges are :mod:`demos.bounds`'s, the same a suite file is checked against."""
    from wireless_agents.demos.bounds import AGENTS, LOSS, MAX_TOKENS, ROUNDS, STEPS

    if not STEPS[0] <= args.steps <= STEPS[1]:
        raise UsageError(f"--steps must be a positive number of slots, got {args.steps}")
    if args.agents is not None and not AGENTS[0] <= args.agents <= AGENTS[1]:
        raise UsageError(f"--agents must be in {AGENTS[0]}..{AGENTS[1]}, got {args.agents}")
    if args.scenario == "zou" and args.agents not in (None, 4):
        raise UsageError("--scenario zou is the K=4 case study; drop --agents or use 4")
    if args.rounds is not None and not ROUNDS[0] <= args.rounds <= ROUNDS[1]:
        raise UsageError(f"--rounds must be in {ROUNDS[0]}..{ROUNDS[1]}, got {args.rounds}")
    if not (math.isfinite(args.loss) and LOSS[0] <= args.loss <= LOSS[1]):
        raise UsageError(f"--loss must be a probability in [0, 1], got {args.loss}")
    if not MAX_TOKENS[0] <= args.max_tokens <= MAX_TOKENS[1]:
        raise UsageError(f"--max-tokens must be in {MAX_TOKENS[0]}..{MAX_TOKENS[1]}, "
                         f"got {args.max_tokens}")  # fmt: skip
    if args.planner == "tool" and args.cloud_model not in (None, "solver"):
        raise UsageError("--planner tool runs no model; its cloud is the solver: use "
                         "--cloud-model solver")  # fmt: skip


def team_tools(args) -> list[str] | None:
    """The agents' tools of ``--tools`` / ``--no-tools``; None = the scenario's default tools.
    An unknown tool is a :class:`UsageError`."""
    from wireless_agents.tools import TOOLS

    if args.no_tools:
        tools = []
    elif args.tools is None:
        return None
    else:
        tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    bad = [t for t in tools if t not in TOOLS]
    if bad:
        raise UsageError(f"--tools: unknown tool(s) {', '.join(bad)}; tools: {', '.join(TOOLS)}")
    return tools


def team_settings(args, tools: list[str] | None, **own) -> dict:
    """Episode settings (:func:`planners.episode.default_settings`) of the team options, checked
    ones (:func:`check_team_options`, :func:`team_tools`); ``own`` are the command's own
    settings (approval, intents, tiers, ...) and win over the team options' ones."""
    from wireless_agents.planners.episode import default_settings

    team = dict(
        scenario=args.scenario, agents=n_links(args), planner=args.planner, steps=args.steps,
        seed=args.seed, model=args.model, strategy=args.strategy, rounds=args.rounds,
        loss=args.loss, tools=tools, max_tokens=args.max_tokens,
        cloud=args.cloud_model is not None, cloud_model=args.cloud_model,
    )  # fmt: skip
    return default_settings(**{**team, **own})


def load_team_models(settings: dict) -> tuple:
    """The models of an episode's settings: ``(backend, cloud, cluster)``, each None when the
    settings need no such model (a classical planner without intents needs none, ``tool``
    none at all: its coordinators, if any, are solvers, :func:`check_team_options`). A model
    that is missing or fails to load is a :class:`UsageError`."""
    if settings["planner"] == "tool":  # no model: its agents follow their tools, read no words
        return None, None, None
    if settings["planner"] != "llm" and not settings.get("intents"):
        return None, None, None
    from wireless_agents.agents.backends.base import BackendError
    from wireless_agents.agents.models import ModelNotFoundError, load_model

    def load(spec):
        try:
            return load_model(spec)
        except ModelNotFoundError as exc:
            raise UsageError(str(exc)) from None
        except BackendError as exc:
            raise UsageError(str(exc).splitlines()[0]) from None

    backend = load(settings["model"])
    cloud = cluster = None
    if settings.get("cloud") and settings.get("cloud_model") not in (None, "solver"):
        cloud = load(settings["cloud_model"])
    spec = settings.get("cluster_model")
    if spec not in (None, "solver"):  # one instance when L1 and L0 run the same model
        cluster = cloud if spec == settings.get("cloud_model") else load(spec)
    return backend, cloud, cluster
