"""``wagents eval``: every scenario of a suite with every planner, one report folder.

The report is written into a temporary folder next to ``--out`` and renamed into place at the
end, so an interrupted run (Ctrl-C) leaves no half report; a bad suite, planner, flag or
``--out`` (the current folder, a folder holding files a report did not write) ends in one line
on stderr and exit code 2 before anything is written. A task that raises loses nothing else:
the other tasks run on and the report is written marked incomplete (exit code 1), keeping every
finished row and trace; ``--resume`` with the same ``--out`` runs only the missing tasks.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from wireless_agents.demos.errors import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "eval",
        help="evaluate planners (LLM team, oracle, classical) on a suite of scenarios",
        description=(
            "Run every scenario of SUITE.yaml with every planner on the same channels and "
            "seeds, print a table and write DIR/report.json, DIR/report.csv, PNG plots and "
            "one trace per run. Planners: llm (the LLM team, reading the intents' texts), "
            "tool (the same team with no model: agents adopt their tool's suggestion, read no "
            "text), oracle (the constrained classical solver given the checks), and the classical "
            "intent-blind references."
        ),
    )
    p.add_argument("--suite", required=True, metavar="SUITE.yaml", help="suite file")
    p.add_argument("--planners", default="llm,wmmse,oracle",
                   help="comma-separated planners (default llm,wmmse,oracle)")  # fmt: skip
    p.add_argument("--out", required=True, metavar="DIR", help="report folder")
    p.add_argument("--workers", type=int, default=None,
                   help="processes for the classical runs (default min(2, cores)); "
                   "LLM runs go one at a time")  # fmt: skip
    p.add_argument("--ray", action="store_true", help="run the grid as Ray tasks")
    p.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="Ray cluster address (default: a local Ray)")  # fmt: skip
    p.add_argument("--scenarios", default=None, metavar="NAMES",
                   help="comma-separated scenario names: run only these of the suite")  # fmt: skip
    p.add_argument("--resume", action="store_true",
                   help="finish the incomplete report in --out: run only its missing tasks "
                   "(same suite, planners and --scenarios)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _planners(text: str) -> list[str]:
    from wireless_agents.demos.evaluate import PLANNERS

    names = [x.strip() for x in text.split(",") if x.strip()]
    if not names:
        raise UsageError("--planners needs at least one planner")
    bad = [x for x in names if x not in PLANNERS]
    if bad:
        raise UsageError(f"unknown planner {bad[0]!r}; planners: {', '.join(PLANNERS)}")
    return list(dict.fromkeys(names))


def _out_dir(path: str, resume: bool) -> tuple[Path, dict | None]:
    """``--out`` checked before any work, with the incomplete report a resume finishes (None
    for a fresh run). A fresh run takes a new or empty folder, or one holding only an earlier
    complete report (replaced); nothing a report did not write is ever in the way."""
    from wireless_agents.demos.evaluate.folder import foreign_entries, read_report

    out = Path(path)
    here = Path.cwd().resolve()
    if out.name in ("", ".", "..") or out.resolve() in (here, *here.parents):
        raise UsageError(f"--out {path} is the current folder or holds it; name a report folder, "
                         "e.g. --out report")  # fmt: skip
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out is a file, not a folder: {out}")
    parent = out.absolute().parent
    if not parent.is_dir():
        raise UsageError(f"folder of --out does not exist: {parent}")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"folder of --out is not writable: {parent}")
    old = None
    if out.is_dir() and any(out.iterdir()):
        foreign = foreign_entries(out)
        if foreign:
            raise UsageError(f"--out folder {out} holds files a report did not write "
                             f"({', '.join(foreign[:3])}); pick a new or empty folder")  # fmt: skip
        old = read_report(out)
    if resume:
        if old is None:
            raise UsageError(f"--resume: no report in {out} to finish")
        if not old.get("incomplete"):
            raise UsageError(f"--resume: the report in {out} is complete; nothing to run")
        return out, old
    if old is not None and old.get("incomplete"):
        raise UsageError(f"--out folder {out} holds an incomplete report: add --resume to finish "
                         "it, or pick another folder")  # fmt: skip
    return out, None


def _check_models(specs) -> None:
    """Load every model the LLM runs need now, so a missing one fails before any work."""
    from wireless_agents.agents.backends.base import BackendError
    from wireless_agents.agents.models import ModelNotFoundError
    from wireless_agents.demos.evaluate import load_backends

    for model, cloud in specs:
        try:
            load_backends(model, cloud)
        except ModelNotFoundError as exc:
            raise UsageError(str(exc)) from None
        except BackendError as exc:
            raise UsageError(str(exc).splitlines()[0]) from None


def _only(suite, names: str):
    """The suite with only the scenarios ``names`` (comma-separated) names, in suite order."""
    from dataclasses import replace

    want = [n.strip() for n in names.split(",") if n.strip()]
    known = [sc.name for sc in suite.scenarios]
    bad = [n for n in want if n not in known]
    if not want or bad:
        raise UsageError(f"--scenarios: unknown scenario {bad[0] if bad else names!r}; "
                         f"the suite has {', '.join(known)}")  # fmt: skip
    return replace(suite, scenarios=tuple(sc for sc in suite.scenarios if sc.name in want))


def run(args) -> int:
    from wireless_agents.demos import evaluate as ev
    from wireless_agents.demos.evaluate.folder import plain
    from wireless_agents.demos.suite import SuiteError, load_suite
    from wireless_agents.planners.episode.checkpoint import package_version

    planners = _planners(args.planners)
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError(f"--workers must be in 1..64, got {args.workers}")
    if args.ray_address and not args.ray:
        raise UsageError("--ray-address needs --ray")
    try:
        suite = load_suite(args.suite, ev.PLANNER_OPTIONS)
    except SuiteError as exc:
        raise UsageError(str(exc)) from None
    if args.scenarios is not None:
        suite = _only(suite, args.scenarios)
    out, old = _out_dir(args.out, args.resume)
    if args.ray:
        try:
            import ray  # noqa: F401
        except ImportError:
            raise UsageError("--ray needs Ray: pip install 'wireless-agents[ray]'") from None
    try:
        all_tasks = ev.tasks(suite, planners)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    traces = {} if old is None else _kept(out, old, suite, planners, all_tasks)
    todo = [n for n in range(len(all_tasks)) if n not in traces]
    if not args.ray:
        _check_models(ev.models_needed(suite, [all_tasks[n].planner for n in todo]))

    failed: dict[int, str] = {}

    def on_fail(i, task, exc):
        failed[todo[i]] = _one_line(exc)

    display = _Progress(len(todo), quiet=args.quiet)
    t0 = time.perf_counter()
    display.start()
    try:
        tasks_todo = [all_tasks[n] for n in todo]
        if args.ray:
            got = ev.run_ray(tasks_todo, args.ray_address, display.done, on_fail)
        else:
            workers = args.workers or ev.default_workers()
            got = ev.run_local(tasks_todo, workers, display.done, display.on_event, on_fail)
    finally:
        display.stop()
    traces.update({todo[i]: plain(t) for i, t in got.items()})
    done = [n for n in range(len(all_tasks)) if n in traces]
    rows = ev.score(suite, [all_tasks[n] for n in done], {i: traces[n] for i, n in enumerate(done)})
    meta = {
        "version": package_version(),
        "runner": "ray" if args.ray else "local",
        "wall_seconds": time.perf_counter() - t0 + (old or {}).get("wall_seconds", 0.0),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if failed:
        meta["incomplete"] = True
        meta["missing"] = [{"task": all_tasks[n].label, "trace": all_tasks[n].trace_name,
                            "error": failed[n]} for n in sorted(failed)]  # fmt: skip
    if old is not None:
        meta["resumed_tasks"] = len(todo)
    doc = ev.report_document(suite, planners, rows, meta)
    kept = [all_tasks[n] for n in done]
    _write_atomically(out, lambda folder: ev.write_report(
        folder, doc, {i: traces[n] for i, n in enumerate(done)}, kept))  # fmt: skip
    _print_table(doc, out)
    if failed:
        print(f"wagents: report INCOMPLETE: {len(failed)} of {len(all_tasks)} tasks failed "
              f"(first: {doc['missing'][0]['task']}: {doc['missing'][0]['error']}); the "
              f"{len(done)} finished are kept: run again with --resume to finish it",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _kept(out: Path, old: dict, suite, planners: list[str], all_tasks) -> dict[int, dict]:
    """The finished traces of the incomplete report in ``out``, which must be of this suite,
    planners and scenarios (anything else would mix two evaluations in one report)."""
    from wireless_agents.demos import evaluate as ev
    from wireless_agents.demos.evaluate.folder import finished_traces, plain
    from wireless_agents.planners.episode.checkpoint import package_version

    now = plain(ev.report_document(suite, planners, [], {}))
    if old.get("version") != package_version():  # its traces may mean something else
        was = old.get("version") or "an earlier version"
        raise UsageError(f"--resume: the report in {out} was begun by wireless-agents {was}; "
                         f"this is {package_version()}: finish it with that version or start "
                         "a new --out")  # fmt: skip
    for key in ("suite", "planners", "scenarios"):
        if old.get(key) != now[key]:
            raise UsageError(f"--resume: the report in {out} is of other {key} than this run's; "
                             "give the same --suite, --planners and --scenarios")  # fmt: skip
    return finished_traces(out, all_tasks)


def _write_atomically(out: Path, write) -> None:
    """Write into a temporary folder next to ``out``, then rename it into place."""
    parent = out.absolute().parent
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    old = None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a report folder is not
        write(str(tmp))
        if out.exists():  # an earlier report (checked in _out_dir): swap it out, then drop it
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.replace(out, old / "report")
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists() and (old / "report").exists():
            os.replace(old / "report", out)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _fmt(v, spec=".2f", none="-"):
    return none if v is None else format(v, spec)


def _fmt_ci(r: dict, key: str, spec=".2f") -> str:
    """The row's mean, and with several seeds its 95% interval: ``mean [lo, hi]``."""
    text = _fmt(r.get(key), spec)
    ci = r.get(f"{key}_ci")
    if r.get(key) is None or ci is None or r.get("n_seeds", 1) < 2:
        return text
    return f"{text} [{format(ci[0], spec)}, {format(ci[1], spec)}]"


def _acts_cell(r: dict) -> str:
    """Requests asked / granted / offered / refused, "-" for a planner that sends none."""
    if r.get("acts_asked") is None:
        return "-"
    return "/".join(str(r[f"acts_{k}"]) for k in ("asked", "granted", "offered", "refused"))


def _print_table(doc: dict, out: Path) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(f"suite {doc['suite']}: {', '.join(doc['planners'])}"))
    for col in ("scenario", "planner", "seeds", "objective", "sum-rate", "utility", "/WMMSE",
                "/best", "/oracle", "/oracle util.", "intents", "of oracle's", "infeas.", "adopt", "acts a/g/o/r", "msgs/dec",
                "tok/dec", "LLM s", "wall s"):  # fmt: skip
        left = col in ("scenario", "planner", "objective")
        table.add_column(col, justify="left" if left else "right")
    for r in doc["results"]:
        cells = (
            r["scenario"], r["planner"], str(r.get("n_seeds", 1)), r.get("objective") or "-",
            _fmt_ci(r, "mean_sum_rate"), _fmt_ci(r, "utility", ".3f"),
            _fmt(r["ratio_to_wmmse"], ".1%"), _fmt(r.get("ratio_to_best"), ".1%"),
            _fmt(r["ratio_to_oracle"], ".1%"),
            _fmt(r["ratio_to_oracle_utility"], ".1%"), _fmt(r["intent_satisfaction"], ".0%"), _fmt(r["met_of_oracle"], ".0%"),
            str(r["infeasible"]) if r["checks"] else "-", _fmt(r.get("adoption"), ".0%"),
            _acts_cell(r), _fmt(r["messages_per_decision"], ".1f"),
            _fmt(r["tokens_per_decision"], ".0f"), _fmt(r["llm_seconds"], ".1f"),
            _fmt(r["wall_seconds"], ".1f"),
        )  # fmt: skip
        table.add_row(*(escape(c) for c in cells))
    console = Console()
    if not console.is_terminal:  # a log or a pipe: do not squeeze the table into 80 columns
        console = Console(width=240)
    console.print(table)
    timed = [r for r in doc["results"] if r.get("timing", "frozen") != "frozen"]
    if timed:  # issue 12: how time was simulated, per row (frozen rows unmentioned)
        console.print(escape("timing: " + "; ".join(f"{r['scenario']}/{r['planner']} {r['timing']}"
                                                    for r in timed)))  # fmt: skip
    if doc.get("incomplete"):
        missing = doc["missing"]
        console.print(escape(
            f"INCOMPLETE report: {len(missing)} task(s) missing ("
            + "; ".join(f"{m['task']}: {m['error']}" for m in missing[:3])
            + (", ..." if len(missing) > 3 else "") + "); the rows above hold the finished "
            "tasks only: wagents eval ... --resume (same --out) runs the missing ones"
        ))  # fmt: skip
    if any(r.get("n_seeds", 1) > 1 for r in doc["results"]):
        console.print(
            "sum-rate, utility: mean \\[lo, hi] over the scenario's seeds, a 95% bootstrap "
            "interval; other figures: means over seeds (report.json has every interval and seed)"
        )
    for r in doc["results"]:
        if r.get("note"):
            console.print(escape(f"note: {r['scenario']}/{r['planner']}: {r['note']}"))
    for p, t in doc.get("totals", {}).items():
        if not t["checks"] and t.get("ratio_to_oracle") is None:
            continue
        parts = [f"{p}: checks met {t['checks_met']}/{t['checks']}"]
        if t.get("met_of_oracle") is not None:
            parts.append(f"{t['met_of_oracle']:.0%} of those the oracle met")
        if t.get("ratio_to_oracle") is not None:
            parts.append(f"sum-rate {t['ratio_to_oracle']:.1%} of the oracle's")
            raw = t.get("raw_ratio_to_oracle")
            if raw is not None and abs(raw - t["ratio_to_oracle"]) > 1e-12:
                parts.append(f"{raw:.1%} before its closed loop")
        if t.get("ratio_to_oracle_utility") is not None:
            parts.append(f"utility {t['ratio_to_oracle_utility']:.1%} of the oracle's (mean)")
        console.print(", ".join(parts))
    console.print(escape(f"report written to {out}/ (report.json, report.csv, *.png, traces/)"))


class _Progress:
    """A rich progress bar on stderr: one tick per finished (scenario, seed, planner) run."""

    def __init__(self, total: int, quiet: bool = False):
        self.total = total
        self.quiet = quiet
        self.progress = None
        self.task = None

    def start(self):
        if self.quiet:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=Console(stderr=True), transient=True,
        )  # fmt: skip
        self.progress.start()
        self.task = self.progress.add_task("", total=self.total)

    def stop(self):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def done(self, task, trace):
        from rich.markup import escape  # a scenario's name is the user's text, not markup

        if self.progress is not None:
            r = trace["summary"].get("ratio_to_wmmse")
            desc = f"{task.label}: {r:.0%} of WMMSE" if r is not None else task.label
            self.progress.update(self.task, advance=1, description=escape(desc))

    def on_event(self, e: dict):
        if self.progress is not None and e.get("type") in ("slot", "commit"):
            what = "deciding" if e["type"] == "slot" else "committed"
            self.progress.update(self.task, description=f"llm slot {e['slot']}: {what}")
