"""``wagents episode``: one multi-agent episode, LLM team or classical planner, to a JSON trace."""

from __future__ import annotations

import json
import math
import sys
import time

from wireless_agents.demos.commands.team_options import (
    add_team_options,
    check_team_options,
    load_team_models,
    n_links,
    team_settings,
    team_tools,
)
from wireless_agents.demos.errors import UsageError


def add_parser(sub) -> None:
    from wireless_agents.agents.prompts_compact import PROMPTS

    p = sub.add_parser(
        "episode",
        help="run one episode: LLM agents (or a classical planner) set powers slot by slot",
        description=(
            "Run one episode on a scenario: each slot the planner (the LLM team by default, "
            "through its LangGraph coordination graph) decides every link's power, the env "
            "steps, and the trace records powers, rates, messages and the WMMSE reference."
        ),
    )
    add_team_options(p, agents="6; zou 4", steps=5)
    from wireless_agents.planners.coordination import TeamConfig

    team = TeamConfig  # the team's defaults, written once there
    p.add_argument("--temperature", type=float, default=team.temperature,
                   help="sampling temperature")  # fmt: skip
    p.add_argument("--tiers", type=int, default=team.tiers, choices=(2, 3),
                   help="2: edge devices + cloud (default); 3: devices, cluster coordinators (L1), "
                   "cloud (L0); 3 turns escalation on (cloud model default 'solver')")  # fmt: skip
    p.add_argument("--cluster-size", type=int, default=team.cluster_size, metavar="N",
                   help=f"with --tiers 3: about N devices per cluster (default "
                   f"{team.cluster_size})")  # fmt: skip
    p.add_argument("--cluster-model", default=None, metavar="MODEL",
                   help="with --tiers 3: the cluster coordinators' model (default: the cloud's; "
                   "'solver' = no model)")  # fmt: skip
    p.add_argument("--min-rate", type=float, default=None, help="rate floor per link (zou)")
    p.add_argument("--intent", action="append", default=None, metavar="TEXT",
                   help="an operator intent in words, read by the edge model once (repeatable), "
                   "e.g. 'Link 2 needs at least 1.5 bit/s/Hz.' (--planner tool ignores it)")  # fmt: skip
    p.add_argument("--intent-reader", default="model", choices=("model", "rules"),
                   help="who reads the intents (and the device profiles): the edge model "
                   "(default) or model-free rules")  # fmt: skip
    p.add_argument("--model-calls-tool", action="store_true",
                   help="the old decision path: the model calls its single tool in a call of "
                   "its own before deciding (two calls per decision; default: the agent calls "
                   "it and the model decides in one call)")  # fmt: skip
    p.add_argument("--skip-forced", action="store_true",
                   help="no model call for a decision that leaves language nothing to settle "
                   "(no request, profile, intent, rule or goal; the tool's power within the "
                   "cap): the agent takes its tool's power, counted as forced in the summary")  # fmt: skip
    p.add_argument("--prompt", default=PROMPTS[0], choices=PROMPTS,
                   help="the agents' prompt layout with their single tool: compact (default: "
                   "the tool's result as a sentence, messages grouped, what stays the same "
                   "between rounds first) or full (the layout before, more tokens per "
                   "decision); several tools or --model-calls-tool always write the full one")  # fmt: skip
    p.add_argument("--no-inbox", action="store_true",
                   help="ablation: the agents' models do not see their messages or the "
                   "requests addressed to them (requests go unanswered)")  # fmt: skip
    p.add_argument("--air", default="compact", choices=("compact", "plain"),
                   help="how the notes cross the control channel: compact (default: dB codes, "
                   "only what changed, lost ones re-requested) or plain (every note in full, "
                   "the encoding before)")  # fmt: skip
    p.add_argument("--device", action="append", default=None, metavar="ID=TEXT",
                   help="a device's profile in its own words, read only by that device's agent "
                   "(repeatable), e.g. 4='I am a sensor: at most 30%% of my power.' "
                   "(--planner tool ignores it)")  # fmt: skip
    p.add_argument("--timing", default="frozen", choices=("frozen", "realtime"),
                   help="frozen (default): each plan is applied in the slot it was decided "
                   "from, as if thinking took no time; realtime: it lands ceil(latency / slot) "
                   "slots later (latency simulated from declared compute profiles), the "
                   "previous plan holding until then")  # fmt: skip
    p.add_argument("--fast-loop", action="store_true",
                   help="with --timing realtime: every slot each link's own closed loop (floor "
                   "power control, yielding) tracks the fading on its measured SINR between "
                   "plans, a few 1 ms mini-slots, no model call")  # fmt: skip
    p.add_argument("--plan-on", default="measured", choices=("measured", "large-scale"),
                   help="what the team plans on: measured (default: each slot's measured gains, "
                   "fading included) or large-scale (each device's exponential average of its "
                   "measured gains, path loss and shadowing: the slow timescale; pair it with "
                   "--fast-loop, which tracks the fading)")  # fmt: skip
    p.add_argument("--large-scale-ms", type=float, default=None, metavar="MS",
                   help="with --plan-on large-scale: the average's time constant (default "
                   "1000 ms)")  # fmt: skip
    p.add_argument("--route", default="edge", choices=("edge", "cloud", "router"),
                   help="with --timing realtime and a team planner: who serves each plan: edge "
                   "(default: the team), cloud (the cloud tier plans every power) or router "
                   "(per slot, by the deadline and how unsettled the team is)")  # fmt: skip
    p.add_argument("--deadline-ms", type=float, default=None, metavar="MS",
                   help="the router's deadline (default: the fading's coherence time, "
                   "0.423 / doppler)")  # fmt: skip
    p.add_argument("--mini-slots", type=int, default=1, metavar="L",
                   help="split each slot into L time slices (default 1: one power vector per "
                   "slot); a plan is then a links x slices schedule, each link's rate its mean "
                   "over the slices (--planner timeshare plans one; the team shares time with "
                   "its strongest interferers where that pays)")  # fmt: skip
    p.add_argument("--checkpoint", default=None, metavar="FILE.sqlite",
                   help="checkpoint every step to SQLite (resumable); each run is a thread of "
                   "its own in the file")  # fmt: skip
    p.add_argument("--resume", action="store_true",
                   help="resume the latest run in --checkpoint (or --run N) with its own "
                   "settings; other settings flags are ignored, and said so")  # fmt: skip
    p.add_argument("--run", type=int, default=None, metavar="N",
                   help="with --resume: the run of the file to resume (default the latest)")  # fmt: skip
    p.add_argument("--force", action="store_true",
                   help="start a fresh run in a --checkpoint file that already holds one (the "
                   "earlier runs are kept)")  # fmt: skip
    p.add_argument("--approve", action="store_true", help="ask before each commit")
    p.add_argument("--auto-approve", action="store_true",
                   help="with --approve: approve every plan without asking (for scripts)")  # fmt: skip
    p.add_argument("--out", default=None, metavar="FILE.json", help="trace file ('-' = stdout)")
    p.add_argument("--json", action="store_true", help="print the trace as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=run, parser=p)


def _check(args) -> list[str] | None:
    """Refuse bad options (team options first); returns the agents' tools (None = the
    scenario's default)."""
    from wireless_agents.demos.bounds import TEMPERATURE
    from wireless_agents.demos.files import check_writable

    check_team_options(args)
    lo, hi = TEMPERATURE
    if not (math.isfinite(args.temperature) and lo <= args.temperature <= hi):
        raise UsageError(f"--temperature must be in [{lo:g}, {hi:g}], got {args.temperature}")
    if args.min_rate is not None and not (math.isfinite(args.min_rate) and args.min_rate > 0):
        raise UsageError("--min-rate must be a positive rate in bit/s/Hz")
    _check_tiers(args)
    if args.mini_slots < 1:
        raise UsageError(f"--mini-slots must be at least 1, got {args.mini_slots}")
    if args.resume and not args.checkpoint:
        raise UsageError("--resume needs --checkpoint FILE.sqlite")
    if args.run is not None and not args.resume:
        raise UsageError("--run N picks the run to resume: it needs --resume")
    if args.force and (args.resume or not args.checkpoint):
        raise UsageError("--force starts a fresh run in a --checkpoint file; drop it with --resume"
                         if args.resume else "--force needs --checkpoint FILE.sqlite")  # fmt: skip
    if args.auto_approve and not args.approve:
        args.approve = True
    args.devices = _devices(args.device, n_links(args))
    if args.checkpoint:
        check_writable(args.checkpoint)
    if args.out and args.out != "-":
        check_writable(args.out)
    return team_tools(args)


def _devices(flags: list[str] | None, k: int) -> dict[str, str] | None:
    """``--device ID=TEXT`` flags as the settings' ``devices`` (a later flag for the same device
    replaces an earlier one); a malformed flag or an id outside ``0..k-1`` is a UsageError."""
    if not flags:
        return None
    from wireless_agents.planners.episode.settings import device_texts

    out = {}
    for flag in flags:
        key, sep, text = flag.partition("=")
        if not sep or not text.strip():
            raise UsageError(f"--device needs ID=TEXT (a device id and its profile), got {flag!r}")
        out[key.strip()] = text
    try:
        return device_texts(out, k)
    except ValueError as exc:
        raise UsageError(f"--device: {exc}") from None


def _check_tiers(args) -> None:
    """``--tiers 3`` needs an edge team (``llm``, or ``tool`` with solver coordinators) and a
    scenario with clusters (at least two)."""
    if args.tiers != 3:
        if args.cluster_model is not None:
            raise UsageError("--cluster-model needs --tiers 3")
        return
    from wireless_agents.planners.coordination import n_clusters

    if args.planner not in ("llm", "tool"):
        raise UsageError("--tiers 3 is how the LLM team escalates; drop it for --planner "
                         f"{args.planner}")  # fmt: skip
    if args.planner == "tool" and args.cluster_model not in (None, "solver"):
        raise UsageError("--planner tool runs no model; its cluster coordinators are solvers: "
                         "use --cluster-model solver")  # fmt: skip
    if args.strategy == "cloud":
        raise UsageError("--tiers 3 needs an edge team to escalate from; --strategy cloud has none")
    if args.scenario == "gaussian":
        raise UsageError("--tiers 3 needs clusters, and gaussian has no geometry to cluster by; "
                         "use d2d, cellular or zou")  # fmt: skip
    if args.cluster_size < 1:
        raise UsageError(f"--cluster-size must be at least 1, got {args.cluster_size}")
    k = n_links(args)
    if n_clusters(k, args.cluster_size) < 2:
        raise UsageError(f"--tiers 3 needs at least 2 clusters: {k} devices in clusters of "
                         f"{args.cluster_size} make one; lower --cluster-size")  # fmt: skip


def _settings(args) -> dict:
    """The episode settings the flags ``args`` give."""
    tools = _check(args)
    try:
        return _team_settings(args, tools)
    except ValueError as exc:  # e.g. --fast-loop without --timing realtime
        raise UsageError(str(exc)) from None


def _team_settings(args, tools) -> dict:
    return team_settings(
        args, tools, temperature=args.temperature,
        cloud=args.cloud_model is not None or args.tiers == 3,
        cloud_model=args.cloud_model or ("solver" if args.tiers == 3 else None),
        approve=args.approve, min_rate=args.min_rate, intents=args.intent, tiers=args.tiers,
        intent_reader=args.intent_reader, devices=args.devices,
        inbox=False if args.no_inbox else None, timing=args.timing, air=args.air,
        fast_loop=args.fast_loop or None, route=args.route, deadline_ms=args.deadline_ms,
        plan_on=args.plan_on, large_scale_ms=args.large_scale_ms,
        direct_tool=False if args.model_calls_tool else None,
        skip_forced=True if args.skip_forced else None, prompt=args.prompt,
        cluster_size=args.cluster_size, mini_slots=args.mini_slots,
        cluster_model=(args.cluster_model or args.cloud_model or "solver")
        if args.tiers == 3 else None,
    )  # fmt: skip


# flags of how the command runs, not of the episode (a resume takes them as given)
RUN_FLAGS = ("checkpoint", "resume", "run", "force", "auto_approve", "out", "json", "quiet")
# a flag whose setting has another name
FLAG_SETTING = {"intent": "intents", "device": "devices", "no_tools": "tools"}


def _given_flags(args) -> list[str]:
    """The dests of the flags given on the command line (``args.argv``), in order."""
    import argparse

    argv = list(getattr(args, "argv", None) or [])
    argv = argv[argv.index("episode") + 1 :] if "episode" in argv else argv
    probe = argparse.ArgumentParser(add_help=False).add_subparsers()
    add_parser(probe)
    unset = object()  # argparse leaves a namespace's attributes be: only given flags replace it
    ns = argparse.Namespace(**{k: unset for k in vars(args)})
    got = probe.choices["episode"].parse_known_args(argv, namespace=ns)[0]
    return [k for k, v in vars(got).items() if v is not unset]


def _resume_settings(args, given: dict) -> dict:
    """The settings of the run ``--resume`` continues; says on stderr which it took from the
    file (those not at their defaults) and which given flags it ignored (those that set a
    setting other than the run's)."""
    from wireless_agents.planners.episode import saved_run

    run, saved, done = saved_run(args.checkpoint, args.run)
    defaults = _settings(args.parser.parse_args([]))  # the settings of no flags at all
    given, defaults = json.loads(json.dumps(given)), json.loads(json.dumps(defaults))
    took = [k for k in saved if k not in ("parsed_intents", "device_reads")
            and saved[k] != defaults.get(k)]  # fmt: skip
    ignored = []
    for dest in _given_flags(args):
        key = FLAG_SETTING.get(dest, dest)
        if dest in RUN_FLAGS or given.get(key) == saved.get(key):
            continue
        ignored.append(f"{key}={_short(given.get(key))} (run: {_short(saved.get(key))})")
    print(f"resuming run {run.number} of {args.checkpoint} at slot {done} of {saved['steps']}; "
          "settings from the file: "
          + (", ".join(f"{k}={_short(saved[k])}" for k in took) or "the defaults"),
          file=sys.stderr)  # fmt: skip
    if ignored:
        print("ignored flags (the run keeps its own settings): " + ", ".join(ignored),
              file=sys.stderr)  # fmt: skip
    return saved


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def run(args) -> int:
    from wireless_agents.demos.files import save_json
    from wireless_agents.planners.episode import CheckpointError, run_episode
    from wireless_agents.planners.episode.runner import check_new_run

    settings = _settings(args)
    try:
        if args.resume:
            settings = _resume_settings(args, settings)
        elif args.checkpoint:
            check_new_run(args.checkpoint, args.force)
    except CheckpointError as exc:
        raise UsageError(str(exc)) from None
    backend, cloud, cluster = load_team_models(settings)
    json_out = args.json or args.out == "-"
    approver = None
    if settings.get("approve"):
        approver = _auto_approve if args.auto_approve else _ask
        if approver is _ask and not sys.stdin.isatty():
            raise UsageError("--approve needs a terminal to ask; use --auto-approve in scripts")
    display = None if args.quiet else _Progress(settings)
    try:
        if display:
            display.start()
        trace = run_episode(
            settings,
            backend=backend,
            cloud_backend=cloud,
            cluster_backend=cluster,
            checkpoint=args.checkpoint,
            resume=args.resume,
            run=args.run,
            force=args.force,
            on_event=display.on_event if display else None,
            approver=(lambda req: approver(req, display)) if approver else None,
        )
    except CheckpointError as exc:
        raise UsageError(str(exc)) from None
    finally:
        if display:
            display.stop()
    if args.out and args.out != "-":
        save_json(args.out, trace)
    if json_out:
        print(json.dumps(trace))
    _print_summary(trace, args.out, to_stderr=json_out)
    return 0


def _auto_approve(request, display=None) -> dict:
    return {"approved": True, "by": "auto"}


def _ask(request, display=None) -> dict:
    if display:
        display.stop()
    fr = ", ".join(f"{x:.2f}" for x in request.get("plan_frac") or [])
    print(f"slot {request['slot']}: plan (fractions of p_max) [{fr}]", file=sys.stderr)
    while True:
        sys.stderr.write("approve? [Y]es / [n]o / powers as fractions, e.g. 0.5,0,1: ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        text = line.strip().lower()
        if not line:  # end of input (Ctrl-D, a closed stdin): no one approved it, fail closed
            print(f"\nslot {request['slot']}: end of input: plan rejected, last powers kept",
                  file=sys.stderr)  # fmt: skip
            ans = {"approved": False, "by": "end of input"}
            break
        if text in ("", "y", "yes"):
            ans = {"approved": True, "by": "user"}
            break
        if text in ("n", "no"):
            ans = {"approved": False, "by": "user"}
            break
        try:
            fracs = [float(x) for x in text.split(",")]
        except ValueError:
            print("  could not read that; try again", file=sys.stderr)
            continue
        plan = request["plan"]
        if len(fracs) != len(plan) or not all(0.0 <= f <= 1.0 for f in fracs):
            print(f"  give {len(plan)} fractions in [0, 1]", file=sys.stderr)
            continue
        ans = {"powers": [f * request["p_max"] for f in fracs], "by": "user"}
        break
    if display:
        display.start()
    return ans


class _Progress:
    """A rich progress line on stderr fed by the graph's event stream."""

    def __init__(self, settings):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.settings = settings
        self.progress = None
        self.task = None
        self.last = ""
        self.t0 = time.perf_counter()

    def start(self):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        if self.progress is not None:
            return
        self.progress = Progress(
            TextColumn("[bold]slot {task.completed}/{task.total}"),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self.progress.start()
        done = getattr(self, "_done", 0)
        self.task = self.progress.add_task("", total=self.settings["steps"], completed=done)

    def stop(self):
        if self.progress is not None:
            self._done = self.progress.tasks[0].completed if self.progress.tasks else 0
            self.progress.stop()
            self.progress = None

    def on_event(self, e: dict):
        if self.progress is None:
            return
        t = e.get("type")
        desc = None
        if t == "proposal":
            fb = " (fallback)" if e.get("fallback") else ""
            desc = f"round {e['round']}: agent {e['agent']} -> {e['power_frac']:.2f}{fb}"
        elif t == "deliver":
            desc = f"channel: {e['delivered']} delivered, {e['lost']} lost"
        elif t == "escalate":
            desc = f"escalated {len(e['requests'])} request(s) to the cloud"
        elif t == "cluster":
            desc = (f"cluster coordinators: {len(e['requests'])} planned, "
                    f"{len(e['reasons'])} sent on to the cloud")  # fmt: skip
        elif t == "commit":
            r = e["sum_rate"] / e["wmmse_sum_rate"] if e["wmmse_sum_rate"] else 0.0
            desc = f"committed: sum-rate {e['sum_rate']:.2f} ({r:.0%} of WMMSE)"
            self.progress.update(self.task, advance=1)
        if desc:
            self.progress.update(self.task, description=desc)


def _timing_line(s: dict) -> str:
    """The summary's timing line: the mode and the decisions' simulated latency."""
    timing = s.get("timing", "frozen")
    what = ("each plan applied in the slot it was decided from" if timing == "frozen"
            else f"plans land ceil(latency / slot) slots late; decided in {s.get('decided_slots')} "
            "slots")  # fmt: skip
    lat = s.get("latency_mean_s")
    tail = (f"; simulated decision latency mean {lat:.3f} s, max {s['latency_max_s']:.3f} s"
            if lat is not None else "")  # fmt: skip
    if s.get("fast_loop"):
        tail += (f"; fast loop every slot ({s['fast_loop_minislots_mean']:.1f} mini-slots, "
                 f"{s['fast_loop_yields']} yields)")  # fmt: skip
    if s.get("plan_on"):
        tail += f"; planned on the {s['plan_on']} gains (tau {s['large_scale_ms']:g} ms)"
    if s.get("route"):
        src = s["sources"]
        tail += (f"; route {s['route']}: edge {src['edge']}, cloud {src['cloud']}, "
                 f"hold {src['hold']} slots")  # fmt: skip
    return f"timing: {timing} ({what}){tail}"


def _best_part(s: dict) -> str:
    """``", 87.3% of best"``: the run over the constrained best planner on the same slots (its
    utility's under the team's objective); empty for a trace without it."""
    r = s.get("ratio_to_best")
    if r is None:
        return ""
    return f", {r:.1%} of best" + (f" ({s['objective']})" if s.get("objective") else "")


def _print_summary(trace, out, to_stderr: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(stderr=to_stderr)
    s = trace["summary"]
    st = trace["settings"]
    who = st["planner"] if st["planner"] != "llm" else f"llm ({st['model']}, {st['strategy']})"
    title = f"{trace['scenario']} K={trace['agents']} seed={trace['seed']}: {who}"
    table = Table(title=escape(title))  # the model's name is the user's text, not markup
    table.add_column("slot", justify="right")
    table.add_column("sum-rate", justify="right")
    table.add_column("WMMSE", justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("best", justify="right")
    table.add_column("rounds", justify="right")
    table.add_column("msgs (lost)", justify="right")
    for x in trace["steps"]:
        ch = x.get("channel") or {}
        ratio = x["sum_rate"] / x["wmmse_sum_rate"] if x["wmmse_sum_rate"] else 0.0
        table.add_row(
            str(x["slot"]), f"{x['sum_rate']:.2f}", f"{x['wmmse_sum_rate']:.2f}", f"{ratio:.2f}",
            "-" if x.get("best_sum_rate") is None else f"{x['best_sum_rate']:.2f}",
            str(x["rounds"] if x.get("rounds") is not None else "-"),
            f"{ch.get('sent', 0)} ({ch.get('lost', 0)})",
        )  # fmt: skip
    ratio = s["ratio_to_wmmse"]
    n = s.get("forced_decisions")
    forced = f"; {n} decisions forced, no model call" if n else ""
    table.caption = (
        f"mean {s['mean_sum_rate']:.2f} bit/s/Hz = {ratio:.1%} of WMMSE"
        f"{_best_part(s)}; "
        f"{s['messages']} messages, {s['message_bytes']} bytes; {s['llm_tokens']} tokens, "
        f"model {s['llm_seconds']:.1f} s of {s['wall_seconds']:.1f} s{forced}"
        if ratio is not None
        else ""
    )
    console.print(table)
    console.print(_timing_line(s))
    if s.get("mini_slots"):  # time slices: rates above are the schedules' means
        console.print(f"time slices: {s['mini_slots']} per slot (rates are means over them); "
                      f"time shared in {s['shared_slots']} of {len(trace['steps'])} slots")  # fmt: skip
    if s.get("adoption") is not None:
        console.print(
            f"adoption {s['adoption']:.0%} of {s['suggested_decisions']} decisions with a tool "
            f"suggestion; {s['deviations']} deviations, gain {s['deviation_gain']:+.3f} "
            "bit/s/Hz per slot"
        )
    links = s.get("links") or {}
    if "edge->L1" in links:
        a, b = links["edge->L1"], links["L1->L0"]
        console.print(
            f"tiers: edge->L1 {a['requests']} requests, {a['bytes']} bytes, model "
            f"{a['model_seconds']:.1f} s; L1<->L1 {links['L1<->L1']['bytes']} bytes; L1->L0 "
            f"{b['requests']} requests, {b['bytes']} bytes, model {b['model_seconds']:.1f} s"
        )
    elif links.get("edge->cloud", {}).get("requests"):
        b = links["edge->cloud"]
        console.print(f"edge->cloud {b['requests']} requests, {b['bytes']} bytes, model "
                      f"{b['model_seconds']:.1f} s")  # fmt: skip
    intent = s.get("intent_satisfaction")
    if intent and intent.get("kind") == "operator":
        console.print(f"operator intents: held in {intent['held']}/{intent['checks']} "
                      f"(intent, slot) pairs ({intent['fraction']:.0%})")  # fmt: skip
    elif intent:
        console.print(
            f"intent {intent['name']}: floors held in {intent['satisfied_slots']}/"
            f"{intent['slots']} slots; total power {intent['mean_total_power_w']:.2f} W of "
            f"{intent['max_total_power_w']:.2f} W (saved {intent['power_saved_fraction']:.0%})"
        )
        if intent.get("optimal_total_power_w") is not None:
            console.print(
                f"classical optimum (minimal power vector): {intent['optimal_total_power_w']:.2f} W"
                f" (saves {intent['optimal_saved_fraction']:.0%}); the team uses "
                f"{intent['power_over_optimal']:.2f}x of it"
            )
    if out and out != "-":
        console.print(escape(f"trace written to {out}"))
