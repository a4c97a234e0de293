"""The ``wagents`` command line.

Each subcommand lives in ``demos/commands/<name>.py`` and exposes ``add_parser(subparsers)``
(which registers its flags and sets ``func``). Errors a user can cause end in one line on stderr
and exit code 2; see :class:`wireless_agents.demos.errors.UsageError`.
"""

from __future__ import annotations

import argparse
import sys

from wireless_agents.demos.errors import EXIT_USAGE, UsageError


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line and exit code 2 (no usage dump)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    from wireless_agents.demos.commands import demo, episode, eval, graph, models, solve

    parser = _Parser(
        prog="wagents",
        description="Quantized LLM agents that share one wireless band and plan joint transmit powers.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    solve.add_parser(sub)
    models.add_parser(sub)
    episode.add_parser(sub)
    demo.add_parser(sub)
    graph.add_parser(sub)
    eval.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        args.argv = list(sys.argv[1:] if argv is None else argv)  # what was given, as given
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"wagents: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("wagents: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
