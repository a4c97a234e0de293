"""Episode settings: the scenarios, their defaults, and the settings document of a run.

The settings are plain JSON and live in the episode state, so a resumed run starts from the
same ones (see :mod:`planners.episode.runner`).
"""

from __future__ import annotations

import numpy as np
from wireless_agents.agents.models import DEFAULT_MODEL
from wireless_agents.agents.prompts_compact import PROMPTS
from wireless_agents.planners.coordination.config import AIR_ENCODINGS, DEFAULT_TOOLS, TeamConfig

from .largescale import check as check_plan_on
from .router import ROUTES
from .timing import TIMINGS, timing_model

CLASSICAL = ("maxpower", "random", "wmmse", "fp", "greedy", "best", "optimal", "timeshare")
# ``timeshare`` plans a (K, L) schedule over the slot's ``mini_slots`` time slices under the
# team's objective (``planners.timeshare_api``); with one slice it is the best single vector
# the team planners: ``llm`` (the agents decide with the edge model) and ``tool`` (the same team,
# graph, control channel, tools and closed loop; each agent adopts its tool's suggestion, sends
# no text and reads no language: see :func:`reads_language`; no model is loaded)
TEAM_PLANNERS = ("llm", "tool")
PLANNERS = (*TEAM_PLANNERS, *CLASSICAL)
NOT_READ = "not read: the tool planner reads no language"
SCENARIOS = ("d2d", "gaussian", "cellular", "zou")
# who reads the operator's sentences: the edge model, or the model-free rules
# (agents.intents.rules); "rules" costs no tokens and no seconds
INTENT_READERS = ("model", "rules")
SCENARIO_TOOLS = {"zou": ("min_power",)}
# zou's goal sentence ("cut total transmit power while every link keeps its minimum rate") is
# the min_power objective, for the planners that read language (not the tool team)
SCENARIO_GOALS = {"zou": {"objective": "min_power", "weights": None}}
# zou: a sparse, low-power d2d drop (one link per 200 m x 200 m, links of 20-60 m, -10 dBm):
# at the default 38 dBm and density a 1 bit/s/Hz floor on all four links is feasible in only
# ~3% of slots (a receiver sits next to another's transmitter) and needs ~1e-6 of p_max, below
# the 0.001 grid the model writes powers on. Here it is feasible in ~76% of slots (seeds 0-9,
# every slot of seed 0) and the minimal powers span 0.0001-0.05 of p_max (10th-90th percentile).
SCENARIO_ENV = {"zou": {"p_max_dbm": -10.0, "area_per_link_m2": 200.0**2, "r_max_m": 60.0}}
# zou's negotiation: settle when no one moves by more than one step of the 0.001 power grid
# (powers are ~0.001-0.05 of p_max; the default 0.02 would "agree" at once), up to 4 rounds
# (Foschini-Miljanic needs a few), messages on a 23 dBm control channel (the data channel's
# -10 dBm would lose most of them over 200 m).
SCENARIO_TEAM = {"zou": {"tol": 0.001, "rounds": 4, "ctrl_power": 0.2}}


# -- scenarios -----------------------------------------------------------------------------------


def scenario_setup(settings: dict) -> tuple[str, dict, dict | None]:
    """``(topology, constraints, intent)`` of a scenario name.

    ``zou``: the energy-saving case study of Zou et al. 2023: K = 4 d2d links must cut their
    total transmit power while each keeps a minimum rate (``min_rate``, default 1 bit/s/Hz).
    """
    name = settings["scenario"]
    if name == "zou":
        floor = float(settings.get("min_rate") or 1.0)
        k = settings["agents"]
        intent = {
            "name": "energy-saving",
            "text": "cut total transmit power while every link keeps its minimum rate",
            "min_rate": floor,
        }
        return "d2d", {"min_rate": np.full(k, floor)}, intent
    return name, {}, None


def reads_language(settings: dict) -> bool:
    """Whether a run's planner gets constraints from words. Every planner does (the ``llm``
    team's model reads the operator's sentences; a classical planner gets what the episode's
    model read) except ``tool``: it ignores the operator's intents (given in the settings or
    typed at the approval pause) and the scenario's intent text (zou's goal sentence), so no
    model is loaded for it. Constraints given as numbers still hold for it exactly as for
    ``llm``: the scenario's own floors (zou's ``min_rate``, ``--min-rate``), the settings'
    ``constraints`` (e.g. the evaluator's oracle checks)."""
    return settings["planner"] != "tool"


def device_texts(devices, k: int) -> dict[str, str]:
    """Device profiles ``{device id: text}`` as the settings keep them (JSON: string keys).
    Raises ValueError (one line) for an id that is not one of the ``k`` devices, or an empty
    text."""
    if not isinstance(devices, dict):
        raise ValueError("devices must map a device id to its profile text")
    out = {}
    for key, text in devices.items():
        try:
            i = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"a device id is an agent number, got {key!r}") from None
        if not 0 <= i < k:
            raise ValueError(f"device {i} does not exist (agents 0..{k - 1})")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"device {i} needs a profile text")
        out[str(i)] = text.strip()
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


def mini_slots(value) -> int:
    """``value`` as a number of time slices per slot (an integer >= 1); ValueError (one line)
    otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"mini_slots must be an integer >= 1, got {value!r}")
    return int(value)


def slices(settings: dict) -> int:
    """The run's time slices per slot (1 unless ``mini_slots`` says more)."""
    return int(settings.get("mini_slots") or 1)


def default_settings(**over) -> dict:
    """The settings document of a run: these defaults (the team's are :class:`TeamConfig`'s),
    overridden by ``over`` (None keeps the default, except for the models and ``min_rate``)."""
    team = TeamConfig  # the team's defaults, written once there
    s = {
        "scenario": "d2d",
        "agents": 6,
        "planner": "llm",
        "steps": 5,
        "seed": 0,
        "model": DEFAULT_MODEL,
        "strategy": team.strategy,
        "rounds": None,
        "loss": team.loss,
        "tools": None,
        "temperature": team.temperature,
        "max_tokens": team.max_tokens,
        "cloud": team.cloud,
        "cloud_model": None,
        "tiers": team.tiers,
        "cluster_size": team.cluster_size,
        "cluster_model": None,
        "approve": False,
        "min_rate": None,
        "intents": None,
        "intent_reader": INTENT_READERS[0],
        "constraints": None,
        "env": None,
    }
    s.update(
        {
            k: v
            for k, v in over.items()
            if v is not None or k in ("cloud_model", "min_rate", "cluster_model")
        }
    )
    if s["intent_reader"] not in INTENT_READERS:
        raise ValueError(
            f"unknown intent reader {s['intent_reader']!r}; choose one of {', '.join(INTENT_READERS)}"
        )
    if s.get("inbox", True) is True:  # the --no-inbox ablation: only a run that has it keeps it
        s.pop("inbox", None)
    elif s["inbox"] is not False:
        raise ValueError(f"inbox must be true or false, got {s['inbox']!r}")
    if s.get("direct_tool", True) is True:  # the old two-call path: only a run that has it
        s.pop("direct_tool", None)
    elif s["direct_tool"] is not False:
        raise ValueError(f"direct_tool must be true or false, got {s['direct_tool']!r}")
    if s.get("settle", True) is True:  # TeamConfig.settle: only a run that turns it off keeps it
        s.pop("settle", None)
    elif s["settle"] is not False:
        raise ValueError(f"settle must be true or false, got {s['settle']!r}")
    if s.get("skip_forced", False) is False:  # --skip-forced: only a run that has it keeps it
        s.pop("skip_forced", None)
    elif s["skip_forced"] is not True:
        raise ValueError(f"skip_forced must be true or false, got {s['skip_forced']!r}")
    # the default layout leaves no key: only a run with --prompt full keeps one
    if s.get("prompt", PROMPTS[0]) == PROMPTS[0]:
        s.pop("prompt", None)
    elif s["prompt"] not in PROMPTS:
        raise ValueError(f"prompt must be one of {', '.join(PROMPTS)}, got {s['prompt']!r}")
    if s.get("timing", "frozen") == "frozen":  # --timing realtime: only a run that has it keeps it
        s.pop("timing", None)
    elif s["timing"] not in TIMINGS:
        raise ValueError(f"timing must be one of {', '.join(TIMINGS)}, got {s['timing']!r}")
    timescales(s)
    check_plan_on(s)  # plan_on large-scale (.largescale): only a run that has it keeps it
    if s.get("timing_model") is None:  # overrides of the declared latency figures
        s.pop("timing_model", None)
    else:
        timing_model(s["timing_model"])  # refuse a bad one now, in one line
    if s.get("air", TeamConfig.air) == TeamConfig.air:  # the notes' encoding on the air
        s.pop("air", None)  # only a run with the plain encoding keeps the key
    elif s["air"] not in AIR_ENCODINGS:
        raise ValueError(f"air must be one of {', '.join(AIR_ENCODINGS)}, got {s['air']!r}")
    if s.get("mini_slots", 1) == 1:  # time slices per slot: only a sliced run keeps the key
        s.pop("mini_slots", None)
    else:
        s["mini_slots"] = mini_slots(s["mini_slots"])
    if s.get("devices") is not None:  # device profiles: only a run that has them keeps the key
        s["devices"] = device_texts(s["devices"], s["agents"])
    if s["tools"] is None:  # the scenario's tool: energy saving needs min_power, rates local_wmmse
        s["tools"] = list(SCENARIO_TOOLS.get(s["scenario"], DEFAULT_TOOLS))
    if s["rounds"] is None:
        s["rounds"] = SCENARIO_TEAM.get(s["scenario"], {}).get("rounds", team.rounds)
    return s


def timescales(s: dict) -> None:
    """Check (in place) the realtime options: ``fast_loop`` (each link's own closed loop every
    slot, :mod:`.fastloop`), ``route`` (who serves a team's plan, :mod:`.router`) and
    ``deadline_ms`` (the router's deadline). Only a run that sets one keeps its key, so every
    other run's settings (and trace) stay as they were. Raises ValueError (one line)."""
    realtime = s.get("timing") == "realtime"
    if s.get("fast_loop", False) is False:
        s.pop("fast_loop", None)
    elif s["fast_loop"] is not True:
        raise ValueError(f"fast_loop must be true or false, got {s['fast_loop']!r}")
    elif not realtime:
        raise ValueError("fast_loop needs timing realtime (frozen plans are applied at once)")
    if s.get("route", "edge") == "edge":
        s.pop("route", None)
    elif s["route"] not in ROUTES:
        raise ValueError(f"route must be one of {', '.join(ROUTES)}, got {s['route']!r}")
    elif not realtime:
        raise ValueError(f"route {s['route']} needs timing realtime")
    elif s["planner"] not in TEAM_PLANNERS:
        raise ValueError(f"route {s['route']} needs a team planner (llm or tool)")
    elif int(s.get("tiers") or 2) == 3 or s.get("strategy") == "cloud":
        raise ValueError(f"route {s['route']} needs an edge team (2 tiers, not the cloud strategy)")
    if s.get("deadline_ms") is None:
        s.pop("deadline_ms", None)
    elif s.get("route") != "router":
        raise ValueError("deadline_ms is the router's deadline: it needs route router")
    else:
        d = s["deadline_ms"]
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not d > 0 or d == float("inf"):
            raise ValueError(f"deadline_ms must be a positive number, got {d!r}")


def team_config(settings: dict, intent: str | None = None):
    """The LLM team's :class:`~wireless_agents.planners.coordination.TeamConfig` of a run's
    settings: the team's own defaults, overridden by the settings and the scenario's team."""
    s = settings
    over = {key: int(s[key]) for key in ("tiers", "cluster_size", "max_neighbours", "max_peers")
            if s.get(key) is not None}  # fmt: skip
    return TeamConfig(
        strategy=s["strategy"],
        rounds=s["rounds"],
        loss=s["loss"],
        tools=tuple(s["tools"]),
        temperature=s["temperature"],
        max_tokens=s["max_tokens"],
        seed=s["seed"],
        cloud=bool(s.get("cloud")),
        intent=intent if reads_language(s) else None,
        decider="model" if s["planner"] == "llm" else "rule",
        # each device's own agent reads its profile (the tool team reads none), with the model
        # or, with the rules intent reader, the rules
        devices=s.get("devices") if s["planner"] == "llm" else None,
        profile_reader=s.get("intent_reader", INTENT_READERS[0]),
        inbox=s.get("inbox", True),
        direct_tool=s.get("direct_tool", True),
        skip_forced=s.get("skip_forced", False),
        prompt=s.get("prompt", PROMPTS[0]),
        settle=s.get("settle", True),
        air=s.get("air", TeamConfig.air),
        mini_slots=slices(s),
        **over,
        **{k: v for k, v in SCENARIO_TEAM.get(s["scenario"], {}).items() if k != "rounds"},
    )
