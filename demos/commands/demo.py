"""``wagents demo``: a live terminal dashboard over a running LLM team, with a person in the loop.

A :class:`wireless_agents.demos.demo.Session` runs the episode
(:func:`planners.episode.run_episode`, always with the approval pause) in a worker thread; the
terminal (main thread) draws :class:`wireless_agents.demos.dashboard.Dashboard` from the
episode's event stream and reads single keys between redraws. At every slot's approval pause
the person (or, when running, the session itself) answers the graph's ``interrupt``:

====================  =================================================================
``s`` / space          step: approve this plan, stop again at the next one
``r``                  run: approve plans as they come (``p`` pauses at the next plan)
``a`` / Enter          approve the plan on screen
``x`` / Ctrl-D         reject it (every link keeps its last power); a terminal that closes
                       rejects the plan on screen and quits
``o``                  override: type one power per link as fractions of p_max, Enter
``i``                  intent: type a sentence ("link 1 needs 1 bit/s/Hz"), Enter; it goes
                       with the next answer, the model reads it, it holds from the next slot
``q`` / Ctrl-C         quit (after the model call under way); no trace is written
====================  =================================================================

``--auto`` runs every slot without input (plans approved ``by: auto``), for recordings and
tests; without a terminal it prints the last frame only.
"""

from __future__ import annotations

import sys

from wireless_agents.demos.commands.team_options import (
    add_team_options,
    check_team_options,
    load_team_models,
    team_settings,
    team_tools,
)
from wireless_agents.demos.errors import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="live terminal dashboard over an LLM team: step, run, type intents, approve plans",
        description=(
            "Run an episode under a live dashboard (map, per-link power/SINR/rate, message "
            "feed, sum-rate against WMMSE). Between slots: s step, r run, p pause, a approve, "
            "x reject, o override, i type an intent, q quit. Needs an 80x24 terminal."
        ),
    )
    add_team_options(p, agents="4", steps=10)
    p.add_argument("--intent", action="append", default=[], metavar="SENTENCE",
                   help="an operator intent sent with the first answer (repeatable)")  # fmt: skip
    p.add_argument("--auto", action="store_true", help="run without input, approving every plan")
    p.add_argument("--out", default=None, metavar="FILE.json", help="write the trace when done")
    p.set_defaults(func=run, agents=4)


def run(args) -> int:
    from wireless_agents.demos.demo import Session
    from wireless_agents.demos.files import check_writable

    check_team_options(args)
    if args.out and args.out != "-":
        check_writable(args.out)
    tools = team_tools(args)
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    if not args.auto and not tty:
        raise UsageError("wagents demo needs a terminal for its keys; use --auto to run unattended")
    # the intents go with the first answer (the session's), not into the settings
    settings = team_settings(args, tools, approve=True)
    backend, cloud, _ = load_team_models(settings)
    session = Session(settings, auto=args.auto, intents=list(args.intent))
    trace = session.run(backend, cloud, live=tty)
    if trace is None:
        print(f"quit at slot {session.slot}; no trace written", file=sys.stderr)
        return 0
    if args.out:
        from wireless_agents.demos.files import save_json

        save_json(args.out, trace)
        print(f"trace written to {args.out}", file=sys.stderr)
    return 0
