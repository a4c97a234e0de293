"""wireless-agents: quantized LLM agents on simulated edge devices plan joint transmit powers.

The one import root of the distribution ``wireless-agents``. The repository keeps its folders at
the top (``environment/``, ``tools/``, ``agents/``, ``planners/``, ``demos/``); installed, each is a
subpackage of this one (``wireless_agents.environment``, ...), mapped by ``package-dir`` in
``pyproject.toml``. Imports point one way: demos -> planners -> agents -> tools -> environment.

The public API::

    import wireless_agents as wa

    env = wa.make_env("d2d", n_agents=6, seed=0)          # a PettingZoo ParallelEnv
    powers = wa.solve(gains, p_max, noise, algo="wmmse")  # a classical planner, batched numpy
    model = wa.load_model("smollm2")                      # the bundled SmolLM2-135M Q4_1
    wa.parse_intent("link 2 needs at least 1.5 bit/s/Hz", range(6), backend=model)
    planner = wa.LLMPlanner(model, wa.TeamConfig(rounds=2))
    trace = wa.run_episode(wa.default_settings(agents=4, steps=2), backend=model)

Importing this package (or any of its subpackages) registers the environments in PettingZoo's
parallel registry: ``pettingzoo.make("parallel", "wireless_agents/d2d-v0", n_agents=6)``.
"""

from .agents.intents import Intent, IntentError, parse_intent, parse_intents
from .agents.models import list_models, load_model
from .environment import WirelessEnv, make_env
from .planners import Solution, get_planner, solve, solve_detailed
from .planners.coordination import LLMPlanner, TeamConfig, TeamPlan
from .planners.episode import default_settings, run_episode, summarize

__all__ = [
    "Intent",
    "IntentError",
    "LLMPlanner",
    "Solution",
    "TeamConfig",
    "TeamPlan",
    "WirelessEnv",
    "default_settings",
    "get_planner",
    "list_models",
    "load_model",
    "make_env",
    "parse_intent",
    "parse_intents",
    "run_episode",
    "solve",
    "solve_detailed",
    "summarize",
]
