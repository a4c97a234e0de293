"""Writing the report folder: report.json, report.csv, the plots and one trace per task."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import asdict

from wireless_agents.demos.suite import Suite

from .grid import Task
from .plots import write_plots
from .scoring import HEADLINE, planner_totals

CSV_FIELDS = (
    "scenario", "planner", "model", "agents", "steps", "mean_sum_rate", "raw_mean_sum_rate",
    "wmmse_mean_sum_rate",
    "ratio_to_wmmse", "ratio_to_oracle", "intent_satisfaction", "raw_intent_satisfaction",
    "met_of_oracle", "checks", "checks_met", "infeasible", "intents_read", "mean_power_frac",
    "messages", "message_bytes", "messages_per_decision", "llm_tokens", "tokens_per_decision",
    "llm_seconds", "wall_seconds", "validated_slots", "fallbacks", "scenario_floors_met",
    # issue 11: the objective, its utility, the seeds and the intervals over them
    "objective", "utility", "ratio_to_oracle_utility", "n_seeds",
    *(f"{key}_{end}" for key in HEADLINE for end in ("lo", "hi")),
    "adoption", "deviations", "deviation_gain",
    "acts_asked", "acts_granted", "acts_offered", "acts_refused", "message_parse_rate",
    "degenerate_messages",
    # issue 14: time-sharing over mini-slots
    "mini_slots", "floors_slot_feasible", "floors_timeshare_feasible",
    # issue 12: over the constrained best on the same slots (its utility under an objective)
    "ratio_to_best",
    "timing",  # issue 12: frozen / realtime (+fast_loop, +route=...)
)  # fmt: skip


def report_document(suite: Suite, planners: list[str], rows: list[dict], meta: dict) -> dict:
    return {
        "suite": suite.name,
        "suite_file": suite.path,
        "planners": planners,
        "scenarios": [
            {
                **{
                    k: v
                    for k, v in asdict(sc).items()
                    if k not in ("intents", "devices", "intent_texts")
                    and not (k == "timing" and not v)  # frozen: the document as before
                },
                "intents": [asdict(i) for i in sc.intents],
                "devices": [asdict(d) for d in sc.devices],
                "objective": sc.objective,
                "weights": None if sc.weights is None else list(sc.weights),
            }
            for sc in suite.scenarios
        ],  # fmt: skip
        **meta,
        "totals": planner_totals(rows),
        "results": rows,
    }


def csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        flat = dict(r)
        for key in HEADLINE:  # the interval [lo, hi] as two columns
            lo, hi = r.get(f"{key}_ci") or (None, None)
            flat.update({f"{key}_lo": lo, f"{key}_hi": hi})
        w.writerow({k: "" if flat.get(k) is None else flat[k] for k in CSV_FIELDS})
    return buf.getvalue()


def write_report(folder, doc: dict, traces: dict[int, dict], all_tasks: list[Task]) -> None:
    """report.json, report.csv, the plots and one trace per task into ``folder``."""
    # plain writes: the whole folder is renamed into place at the end (see ``wagents eval``)
    with open(os.path.join(folder, "report.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(os.path.join(folder, "report.csv"), "w", encoding="utf-8") as f:
        f.write(csv_text(doc["results"]))
    write_plots(folder, doc["results"], doc["planners"], doc["suite"])
    tdir = os.path.join(folder, "traces")
    os.makedirs(tdir, exist_ok=True)
    for n, t in enumerate(all_tasks):
        with open(os.path.join(tdir, t.trace_name), "w", encoding="utf-8") as f:
            json.dump(traces[n], f, default=float)
