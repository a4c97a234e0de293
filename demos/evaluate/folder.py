"""The report folder as a thing on disk: which files a report writes, an earlier report in a
folder, and the traces of the tasks it finished (what ``wagents eval --resume`` keeps).

A report is complete, or ``incomplete`` (report.json says so): some task raised, the others'
rows and traces are kept, and ``missing`` lists the tasks still to run with their errors.
"""

from __future__ import annotations

import json
from pathlib import Path

from .grid import Task

# every file a report writes (see :func:`.report.write_report` and :func:`.plots.write_plots`)
REPORT_FILES = ("report.json", "report.csv", "sum_rate.png", "intent_satisfaction.png",
                "overhead.png")  # fmt: skip
TRACES = "traces"


def foreign_entries(folder: Path) -> list[str]:
    """The names in ``folder`` that no report writes (``traces/`` holds only ``*.json`` files,
    report.json must read as a report), sorted; empty for a folder that holds only a report."""
    out = []
    for p in sorted(folder.iterdir()):
        if p.name == TRACES and p.is_dir() and not p.is_symlink():
            out += [f"{TRACES}/{q.name}" for q in sorted(p.iterdir())
                    if not (q.suffix == ".json" and q.is_file() and not q.is_symlink())]  # fmt: skip
        elif p.name not in REPORT_FILES or not p.is_file() or p.is_symlink():
            out.append(p.name)
    if (folder / "report.json").exists() and read_report(folder) is None:
        out.append("report.json")
    return out


def read_report(folder: Path) -> dict | None:
    """The report document in ``folder`` (None if there is none or it is not a report)."""
    try:
        doc = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        return None
    return doc


def finished_traces(folder: Path, all_tasks: list[Task]) -> dict[int, dict]:
    """The traces an earlier run of ``all_tasks`` left in ``folder``'s ``traces/``, by task
    index: the finished tasks (a trace is written only when its task finished)."""
    out = {}
    for n, t in enumerate(all_tasks):
        try:
            trace = json.loads((folder / TRACES / t.trace_name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(trace, dict) and "summary" in trace and "steps" in trace:
            out[n] = trace
    return out


def plain(trace: dict) -> dict:
    """``trace`` as it reads back from its file (numpy numbers as JSON numbers): a report is
    scored from exactly what its traces say, so a resumed report scores as an uninterrupted one."""
    return json.loads(json.dumps(trace, default=float))
