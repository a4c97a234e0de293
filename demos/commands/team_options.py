"""The options ``wagents episode`` and ``wagents demo`` share: the scenario and the team."""

from __future__ import annotations


def add_team_options(p, *, agents: str, steps: int) -> None:
    """Scenario, planner and LLM-team options on parser ``p``; ``agents`` is the help of the
    ``--agents`` default, ``steps`` the default number of slots."""
    from wireless_agents.planners.coordination import STRATEGIES
    from wireless_agents.planners.episode import PLANNERS, SCENARIOS

    p.add_argument("--scenario", default="d2d", choices=SCENARIOS, help="topology (zou: K=4 "
                   "energy-saving intent with minimum rates)")  # fmt: skip
    p.add_argument("--agents", type=int, default=None, help=f"links K (default {agents})")
    p.add_argument("--planner", default="llm", choices=PLANNERS, help="default llm")
    p.add_argument("--steps", type=int, default=steps, help=f"slots (default {steps})")
    p.add_argument("--seed", type=int, default=0, help="seed of the env and channel (default 0)")
    p.add_argument("--model", default="smollm2", help="edge model (default smollm2)")
    p.add_argument("--strategy", default="negotiation", choices=STRATEGIES)
    p.add_argument("--rounds", type=int, default=None,
                   help="negotiation rounds per slot (default 2; zou 4)")  # fmt: skip
    p.add_argument("--loss", type=float, default=0.0, help="base message-loss probability")
    p.add_argument("--max-tokens", type=int, default=40, help="tokens per model call")
    p.add_argument("--tools", default=None,
                   help="comma-separated agent tools (default local_wmmse; zou: min_power)")  # fmt: skip
    p.add_argument("--no-tools", action="store_true", help="agents decide without tools")
    p.add_argument("--cloud-model", default=None, metavar="MODEL",
                   help="escalate unsettled slots (an unmet intent too) to a cloud coordinator "
                   "on MODEL ('solver' = no model, just the cloud's solver)")  # fmt: skip
