"""What a live display draws: the ``slot`` and ``commit`` events an episode emits on the
LangGraph custom stream (their fields: :mod:`wireless_agents.planners.events`).

The dashboard (:mod:`wireless_agents.demos.dashboard`) renders these and computes nothing itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wireless_agents.planners.events import SlotEvent

from .intents import active_intents

if TYPE_CHECKING:  # pragma: no cover
    from .context import EpisodeContext


def scene_event(rt: EpisodeContext, slot: int, steps: int, intents: list) -> SlotEvent:
    """The ``slot`` event: the slot number plus what a live display draws before anyone decides.

    ``p_max``/``noise`` (W); ``tx``/``rx`` positions in metres (K, 2) and ``bounds``
    ``[[x0, y0], [x1, y1]]`` (None without geometry, e.g. gaussian); ``bystanders`` other nodes
    (cellular's unscheduled users); ``hears[i]`` the devices ``i`` hears on the control channel
    (the same symmetric neighbour graph the team's decide graph uses); ``intents`` the constraints
    typed so far that hold in this slot.
    """
    from wireless_agents.planners.coordination import listeners

    env = rt.env
    pos = env.positions
    bounds = env.scenario.bounds
    others = env.scenario.bystanders
    nb = [rt.infos[a]["neighbours"] for a in env.possible_agents]
    return SlotEvent(
        type="slot",
        slot=slot,
        steps=steps,
        agents=env.n_agents,
        scenario=rt.settings["scenario"],
        p_max=float(env.p_max),
        noise=float(env.noise),
        tx=np.asarray(pos[0]).tolist() if pos is not None else None,
        rx=np.asarray(pos[1]).tolist() if pos is not None else None,
        bounds=[list(map(float, b)) for b in bounds] if bounds is not None else None,
        bystanders=np.asarray(others).tolist() if others is not None and len(others) else [],
        hears=listeners(nb),
        intents=active_intents(intents, slot),
    )


def commit_view(record: dict, gains, p_max: float, noise: float) -> dict:
    """What the ``commit`` event (:class:`~wireless_agents.planners.events.CommitEvent`) adds
    for a live display: per link ``power_frac`` (of p_max),
    ``sinr_db`` (None for a silent link), ``rates``; ``ratio`` to WMMSE, ``rounds``, ``agreed``,
    model ``llm_tokens``/``llm_seconds``/``tokens_per_s`` (prompt + completion tokens), the
    ``approval``, the typed ``intents`` with whether each held and the scenario's ``floors_met``
    (zou; None elsewhere); with time slices ``schedule_frac`` (K, L), the schedule as fractions
    of p_max (``power_frac`` its means, ``sinr_db`` the SINR of each link's mean rate)."""
    from wireless_agents.environment.metrics import linear_to_db, sinr

    p = np.asarray(record["powers"], dtype=float)
    s = sinr(np.asarray(gains, dtype=float), p, noise)
    sched = record.get("schedule")
    if sched is not None:  # time slices: the SINR whose rate is the link's mean rate
        s = np.exp2(np.asarray(record["rates"], dtype=float)) - 1.0
    secs, toks = float(record.get("llm_seconds") or 0.0), int(record.get("llm_tokens") or 0)
    wr = record["wmmse_sum_rate"]
    extra = {}
    if sched is not None:  # the (K, L) schedule, links by time slices, as fractions of p_max
        extra["schedule_frac"] = (np.asarray(sched, dtype=float) / p_max).tolist()
    return {
        **extra,
        "p_max": float(p_max),
        "power_frac": (p / p_max).tolist(),
        "sinr_db": [float(linear_to_db(x)) if x > 0 else None for x in s],
        "rates": record["rates"],
        "ratio": record["sum_rate"] / wr if wr > 0 else None,
        "rounds": record.get("rounds"),
        "agreed": record.get("agreed"),
        "llm_tokens": toks,
        "llm_seconds": secs,
        "tokens_per_s": toks / secs if secs > 0 else None,
        "approval": record.get("approval"),
        "intents": record.get("intents", []),
        "floors_met": record.get("floors_met"),
    }
