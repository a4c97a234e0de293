"""The evaluator behind ``wagents eval``: every scenario of a suite with every planner, scored.

One *task* is one (scenario, seed, planner): one episode (:func:`planners.episode.run_episode`) on
the scenario's channels for that env seed, so every planner of a scenario sees the same
channels; a report row is one (scenario, planner), the mean over its seeds. Tasks
run on a local process pool (classical planners, in parallel) while the LLM tasks run one after
the other in the main process (one model instance, calls serialized; parallel model runs would
only fight over the cores), or as Ray tasks.

==================  ===========================================================================
``grid.py``         the planners, the tasks of a suite, each task's episode settings
``execution.py``    running the tasks: a local process pool or Ray
``oracle.py``       the oracle of a non-default objective, solved slot by slot
``scoring.py``      one row per run, against WMMSE and the oracle; rows over seeds, intervals
``report.py``       report.json and report.csv, one trace per task
``plots.py``        the PNG plots
==================  ===========================================================================
"""

from .execution import default_workers, load_backends, run_local, run_ray, run_task
from .grid import PLANNER_OPTIONS, PLANNERS, Task, models_needed, settings_for, tasks
from .plots import write_plots
from .report import CSV_FIELDS, csv_text, report_document, write_report
from .scoring import channels, infeasible_pairs, planner_totals, score

__all__ = [
    "CSV_FIELDS",
    "PLANNERS",
    "PLANNER_OPTIONS",
    "Task",
    "channels",
    "csv_text",
    "default_workers",
    "infeasible_pairs",
    "load_backends",
    "models_needed",
    "planner_totals",
    "report_document",
    "run_local",
    "run_ray",
    "run_task",
    "score",
    "settings_for",
    "tasks",
    "write_plots",
    "write_report",
]
