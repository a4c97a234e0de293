"""``wagents graph``: the coordination graph as Mermaid text."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "graph",
        help="print the LangGraph coordination graph as Mermaid",
        description="Print the episode's slot loop (default: sense -> decide -> [approve] -> "
        "step) or one slot's decide graph (sense ... negotiate -> [lead | cluster | escalate] "
        "-> validate -> commit) as Mermaid.",
    )
    p.add_argument("--which", default="episode", choices=("episode", "decide"))
    p.add_argument("--approve", action="store_true", help="include the approval step")
    p.set_defaults(func=run)


def run(args) -> int:
    from wireless_agents.planners.episode import mermaid

    print(mermaid({"approve": args.approve}, which=args.which), end="")
    return 0
