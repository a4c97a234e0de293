"""``wagents eval``: every scenario of a suite with every planner, one report folder.

The report is written into a temporary folder next to ``--out`` and renamed into place at the
end, so a failed or interrupted run (Ctrl-C) leaves no half report; a bad suite, planner or
flag ends in one line on stderr and exit code 2 before anything is written.
"""

from __future__ import annotations

import os
import shutil
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


def _out_dir(path: str) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out is a file, not a folder: {out}")
    if out.is_dir() and any(out.iterdir()) and not (out / "report.json").is_file():
        raise UsageError(f"--out folder {out} holds other files; pick a new or empty folder")
    parent = out.absolute().parent
    if not parent.is_dir():
        raise UsageError(f"folder of --out does not exist: {parent}")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"folder of --out is not writable: {parent}")
    return out


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
    from wireless_agents.demos.suite import SuiteError, load_suite

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
    out = _out_dir(args.out)
    if args.ray:
        try:
            import ray  # noqa: F401
        except ImportError:
            raise UsageError("--ray needs Ray: pip install 'wireless-agents[ray]'") from None
    try:
        all_tasks = ev.tasks(suite, planners)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not args.ray:
        _check_models(ev.models_needed(suite, planners))

    display = _Progress(len(all_tasks), quiet=args.quiet)
    t0 = time.perf_counter()
    display.start()
    try:
        if args.ray:
            traces = ev.run_ray(all_tasks, args.ray_address, display.done)
        else:
            workers = args.workers or ev.default_workers()
            traces = ev.run_local(all_tasks, workers, display.done, display.on_event)
    finally:
        display.stop()
    rows = ev.score(suite, all_tasks, traces)
    meta = {
        "runner": "ray" if args.ray else "local",
        "wall_seconds": time.perf_counter() - t0,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    doc = ev.report_document(suite, planners, rows, meta)
    _write_atomically(out, lambda folder: ev.write_report(folder, doc, traces, all_tasks))
    _print_table(doc, out)
    return 0


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
                "/oracle", "/oracle util.", "intents", "of oracle's", "infeas.", "adopt", "acts a/g/o/r", "msgs/dec",
                "tok/dec", "LLM s", "wall s"):  # fmt: skip
        left = col in ("scenario", "planner", "objective")
        table.add_column(col, justify="left" if left else "right")
    for r in doc["results"]:
        cells = (
            r["scenario"], r["planner"], str(r.get("n_seeds", 1)), r.get("objective") or "-",
            _fmt_ci(r, "mean_sum_rate"), _fmt_ci(r, "utility", ".3f"),
            _fmt(r["ratio_to_wmmse"], ".1%"), _fmt(r["ratio_to_oracle"], ".1%"),
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
