"""The report's plots: sum-rate, intent satisfaction and overhead per scenario and planner
(error bars: the rows' 95% bootstrap intervals over seeds, where a scenario has several)."""

from __future__ import annotations

import os

import numpy as np


def _bars(ax, rows, key, planners, scenarios, ylabel):
    width = 0.8 / max(1, len(planners))
    x = np.arange(len(scenarios))
    for n, p in enumerate(planners):
        vals, err = [], np.zeros((2, len(scenarios)))
        for m, sc in enumerate(scenarios):
            r = next((r for r in rows if r["scenario"] == sc and r["planner"] == p), None)
            v = None if r is None else r.get(key)
            vals.append(np.nan if v is None else float(v))
            ci = None if r is None or v is None else r.get(f"{key}_ci")
            if ci is not None:
                err[:, m] = (max(0.0, v - ci[0]), max(0.0, ci[1] - v))
        yerr = err if err.any() else None
        ax.bar(x + (n - (len(planners) - 1) / 2) * width, vals, width, label=p, yerr=yerr,
               capsize=2 if yerr is not None else 0)  # fmt: skip
    ax.set_xticks(x, scenarios, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


def write_plots(folder, rows: list[dict], planners: list[str], suite_name: str) -> list[str]:
    """sum_rate.png, intent_satisfaction.png (scenarios with intents), overhead.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    written = []

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(os.path.join(folder, name), dpi=110)
        plt.close(fig)
        written.append(name)

    fig, ax = plt.subplots(figsize=(max(5, 1.4 * len(scenarios) + 2), 3.6))
    _bars(ax, rows, "mean_sum_rate", planners, scenarios, "mean sum-rate (bit/s/Hz)")
    ax.set_title(f"{suite_name}: sum-rate per planner")
    ax.legend(fontsize=7, ncol=min(4, len(planners)))
    save(fig, "sum_rate.png")

    with_intents = [s for s in scenarios
                    if any(r["scenario"] == s and r["checks"] for r in rows)]  # fmt: skip
    fig, ax = plt.subplots(figsize=(max(5, 1.4 * len(with_intents) + 2), 3.6))
    if with_intents:
        _bars(ax, rows, "intent_satisfaction", planners, with_intents, "checks met (fraction)")
        ax.set_ylim(0, 1.05)
        ax.legend(fontsize=7, ncol=min(4, len(planners)))
    else:
        ax.text(0.5, 0.5, "no intents in this suite", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title(f"{suite_name}: intent satisfaction")
    save(fig, "intent_satisfaction.png")

    fig, axes = plt.subplots(1, 2, figsize=(max(8, 2.4 * len(scenarios) + 2), 3.6))
    _bars(axes[0], rows, "messages_per_decision", planners, scenarios, "messages per decision")
    _bars(axes[1], rows, "tokens_per_decision", planners, scenarios, "LLM tokens per decision")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{suite_name}: messages and tokens per decision")
    save(fig, "overhead.png")
    return written
