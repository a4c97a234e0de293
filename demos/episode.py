"""One episode as one LangGraph graph: the outer slot loop around the team's decide graph.

::

    START -> sense -> decide -> [approve] -> commit --slots left--> sense
                                                  +--> END

``sense`` brings the environment to the slot (rebuilding it after a resume by ``reset(seed)`` and
replaying the committed powers: the env's randomness does not depend on actions, so the replay is
exact), ``decide`` runs the planner (the LLM team's decide graph, or a classical planner through
the same contract), ``approve`` pauses with LangGraph ``interrupt`` so a person can approve or
override the plan, ``commit`` validates the powers, steps the env and records the slot.

Everything a resumed run needs is in the state, which is plain JSON: the settings, the committed
powers, the agents' memories, the notes carried into the next slot, and the trace so far. With a
``SqliteSaver`` checkpointer an episode killed mid-way (even SIGKILL) resumes where the last
checkpoint left it and ends with the same trace as an uninterrupted run.
"""

from __future__ import annotations

import operator
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

import numpy as np

from environment import make_env
from environment.metrics import jain_fairness
from environment.metrics import rates as link_rates
from planners import get_planner, solve

THREAD = "episode"
CLASSICAL = ("maxpower", "random", "wmmse", "fp", "greedy", "best", "optimal")
PLANNERS = ("llm", *CLASSICAL)
SCENARIOS = ("d2d", "gaussian", "cellular", "zou")
TIMING_KEYS = ("seconds", "wall")
DEFAULT_TOOLS = ("local_wmmse",)
SCENARIO_TOOLS = {"zou": ("min_power",)}
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


class EpisodeState(TypedDict, total=False):
    """The outer graph's state (all JSON).

    ``settings`` how the episode was started; ``slot`` the slot being decided; ``committed`` the
    power vector committed per slot (W); ``memory`` each agent's memory; ``carry`` the notes each
    agent heard at the end of the last slot; ``plan``/``pending`` the slot's plan awaiting
    approval and commit; ``steps`` the trace records, one per slot; ``intents`` the operator
    intents typed during the episode (answers to the approval pause), read by the model into
    constraints that hold from the slot after the one they were typed in (see :func:`read_intents`).
    """

    settings: dict
    slot: int
    committed: list
    memory: dict
    carry: dict
    plan: list | None
    pending: dict | None
    steps: Annotated[list, operator.add]
    intents: Annotated[list, operator.add]


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


# -- operator intents ----------------------------------------------------------------------------
# ``settings["intents"]``: operator sentences. The edge model reads them once, before the first
# slot (:func:`with_parsed_intents`, stored as ``settings["parsed_intents"]`` so a resumed run
# does not read them again); the planner gets the constraints, the agents see their own (min
# rate, power cap), the LLM team's plan is validated (:func:`validate_plan`) and every slot
# records which constraints held. ``settings["constraints"]``: constraints given directly
# (``[{"agent": 2, "min_rate": 1.5}, ...]``), e.g. the evaluator's oracle.

RATE_TOL = 1e-6  # bit/s/Hz a rate may fall short of a minimum by round-off
POWER_TOL = 1e-6  # relative slack of a power cap


def with_parsed_intents(settings: dict, backend=None) -> dict:
    """``settings`` plus ``parsed_intents``: one record per constraint the model read.

    Each record is ``{text, agent, kind, value, raw, note, tokens, seconds}``, or ``{text,
    error}`` for a sentence the model could not read (it constrains nothing).
    """
    if not settings.get("intents") or "parsed_intents" in settings:
        return settings
    from agents.intents import IntentError, parse_intents

    if backend is None:
        from agents.models import load_model

        backend = load_model(settings["model"])
    parsed = []
    for text in settings["intents"]:
        try:
            for it in parse_intents(text, range(settings["agents"]), backend):
                parsed.append(
                    {"text": it.text, "agent": it.agent, "kind": it.kind, "value": it.value,
                     "raw": it.raw, "note": it.note, "tokens": it.tokens, "seconds": it.seconds}
                )  # fmt: skip
        except IntentError as exc:
            parsed.append({"text": text, "error": str(exc)})
    return {**settings, "parsed_intents": parsed}


def operator_constraints(settings: dict) -> list[dict]:
    """The constraints of the parsed intents and the direct ones, as ``{agent, kind: value}``."""
    out = [
        {"agent": int(x["agent"]), x["kind"]: float(x["value"])}
        for x in settings.get("parsed_intents") or []
        if "error" not in x
    ]
    return out + [dict(c) for c in settings.get("constraints") or []]


def merge_constraints(base: dict, extra: list[dict], k: int) -> dict:
    """The scenario's constraint arrays tightened by ``extra`` (the strictest wins)."""
    if not extra:
        return base
    from agents.intents import constraint_arrays

    arr = constraint_arrays(extra, k)
    out = dict(base)
    if "min_rate" in base:
        arr["min_rate"] = np.maximum(arr["min_rate"], np.asarray(base["min_rate"], dtype=float))
    if "max_power_frac" in base:
        arr["max_power_frac"] = np.minimum(arr["max_power_frac"], base["max_power_frac"])
    if np.any(arr["min_rate"] > 0):
        out["min_rate"] = arr["min_rate"]
    if np.any(arr["max_power_frac"] < 1):
        out["max_power_frac"] = arr["max_power_frac"]
    return out


def check_met(check: dict, powers, rates, p_max: float) -> bool:
    """Whether one constraint ``{agent, min_rate | max_power_frac}`` holds for a slot."""
    a = int(check["agent"])
    if "min_rate" in check:
        return bool(rates[a] >= float(check["min_rate"]) - RATE_TOL)
    cap = float(check["max_power_frac"]) * p_max
    return bool(powers[a] <= cap * (1 + POWER_TOL) + 1e-300)


def validate_plan(gains, powers, p_max: float, noise: float, constraints: dict, backoffs: int = 24):
    """Validate the LLM team's plan against the constraints: ``(powers, record | None)``.

    Caps are enforced (clipped). A link whose minimum rate the plan misses first raises its own
    power by distributed power control (Foschini-Miljanic: ``p_i <- gamma_i (I_i + N) / G_ii``,
    from its own measured interference, capped); if that is not enough (it hit its cap), it asks
    its loudest interferer without a floor of its own to halve its power (the ``lower`` request of
    the agents' notes), and raises again, up to ``backoffs`` times. Links with a floor never back
    off for another's floor, and a floor out of reach even alone asks nobody. The record keeps the plan before the check, so a report can score
    both.
    """
    if not constraints:
        return powers, None
    from planners.constraints import yates

    g = np.asarray(gains, dtype=float)
    k = g.shape[-1]
    before = np.asarray(powers, dtype=float).reshape(-1)
    caps = np.full(k, float(p_max)) * np.asarray(constraints.get("max_power_frac", 1.0))
    floors = np.broadcast_to(np.asarray(constraints.get("min_rate", 0.0), dtype=float), (k,))
    p = np.clip(before, 0.0, caps)
    nz = np.full((1, k), float(noise))

    def short(q):
        return (floors > 0) & (link_rates(g, q, noise) < floors - RATE_TOL)

    missed = short(p)
    # a floor the link cannot reach at its cap even alone (its own gain, cap and noise: local
    # knowledge) asks nobody to back off: silencing the others would not save it
    alone = np.log2(1.0 + np.diag(g) * caps / noise)
    hopeless = floors > alone + RATE_TOL
    lowered: list[int] = []
    for _ in range(backoffs if missed.any() else 0):
        p = yates(g[None], nz, caps[None], floors[None], p[None], floor=True)[0]
        miss = short(p)
        if not miss.any():
            break
        if not (miss & ~hopeless).any():
            break
        for i in np.flatnonzero(miss & ~hopeless):
            loud = np.where((floors <= 0) & (np.arange(k) != i), g[i] * p, 0.0)
            j = int(np.argmax(loud))
            if loud[j] <= 0:
                continue
            p[j] = 0.0 if p[j] < 0.01 * p_max else 0.5 * p[j]
            lowered.append(j)
    return p, {
        "before": before.tolist(),
        "clipped": [int(i) for i in np.flatnonzero(before > caps * (1 + POWER_TOL))],
        "raised": [int(i) for i in np.flatnonzero(p > np.clip(before, 0.0, caps) * (1 + 1e-9))],
        "lowered": sorted(set(lowered)),
        "floors_missed_before": int(missed.sum()),
        "floors_missed_after": int(short(p).sum()),
    }


def constraint_record(settings: dict, pending: dict, powers, rates, p_max: float) -> dict:
    """The slot record's part about operator constraints (empty without any)."""
    cons = operator_constraints(settings)
    if not cons:
        return {}
    return {
        "constraints_met": [check_met(c, powers, rates, p_max) for c in cons],
        "validation": pending.get("validation"),
    }


def operator_summary(settings: dict, steps: list) -> dict:
    """The summary's ``operator_intents``: what the model read, its cost, how often it held."""
    cons = operator_constraints(settings)
    if not cons and not settings.get("intents"):
        return {}
    parsed = settings.get("parsed_intents") or []
    met = [m for x in steps for m in x.get("constraints_met", [])]
    return {
        "operator_intents": {
            "intents": list(settings.get("intents") or []),
            "parsed": parsed,
            "constraints": cons,
            "parse_tokens": int(sum(x.get("tokens", 0) for x in parsed)),
            "parse_seconds": float(sum(x.get("seconds", 0.0) for x in parsed)),
            "constraints_met": sum(met) / len(met) if met else None,
            "validated_slots": int(
                sum(
                    bool((x.get("validation") or {}).get("raised"))
                    or bool((x.get("validation") or {}).get("lowered"))
                    for x in steps
                )
            ),
        }
    }


@dataclass
class Runtime:
    """What lives outside the state: the env, the planner, the model. Rebuilt on resume."""

    settings: dict
    backend: Any = None
    cloud_backend: Any = None
    cluster_backend: Any = None
    env: Any = None
    obs: Any = None
    infos: Any = None
    planner: Any = None
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        s = self.settings
        self.topology, self.constraints, self.intent = scenario_setup(s)
        self.constraints = merge_constraints(self.constraints, operator_constraints(s), s["agents"])
        if s["planner"] == "llm":
            from planners.coordination import LLMPlanner, TeamConfig

            self.planner = LLMPlanner(
                self.backend,
                TeamConfig(
                    strategy=s["strategy"],
                    rounds=s["rounds"],
                    loss=s["loss"],
                    tools=tuple(s["tools"]),
                    temperature=s["temperature"],
                    max_tokens=s["max_tokens"],
                    seed=s["seed"],
                    cloud=bool(s.get("cloud")),
                    intent=self.intent["text"] if self.intent else None,
                    tol=SCENARIO_TEAM.get(s["scenario"], {}).get("tol", 0.02),
                    ctrl_power=SCENARIO_TEAM.get(s["scenario"], {}).get("ctrl_power"),
                    tiers=int(s.get("tiers", 2)),
                    cluster_size=int(s.get("cluster_size", 4)),
                ),
                cloud_backend=self.cloud_backend,
                cluster_backend=self.cluster_backend,
            )

    def env_at(self, committed: list) -> None:
        """Make the env stand before slot ``len(committed)`` (reset + replay if needed)."""
        n = len(committed)
        if self.env is not None and self.env.steps == n:
            return
        s = self.settings
        # every receiver senses every transmitter's pilot; the team keeps the ones that matter
        self.env = make_env(
            self.topology, n_agents=s["agents"], seed=s["seed"], max_steps=s["steps"] + 1,
            **{"n_interferers": s["agents"] - 1, **SCENARIO_ENV.get(s["scenario"], {}),
               **(s.get("env") or {})},
        )  # fmt: skip
        self.obs, self.infos = self.env.reset(seed=s["seed"])
        for p in committed:
            self.obs, _, _, _, self.infos = self.env.step(self.env.actions_from_powers(p))


def _emit(event: dict) -> None:
    from langgraph.config import get_stream_writer

    try:
        get_stream_writer()(event)
    except Exception:  # noqa: BLE001 - no stream attached
        pass


def build_episode_graph(rt: Runtime, checkpointer=None):
    """Compile the outer slot loop over runtime ``rt``."""
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    def sense(state: EpisodeState) -> dict:
        rt.env_at(state["committed"])
        slot = len(state["committed"])
        _emit(scene_event(rt, slot, state["settings"]["steps"], state.get("intents") or []))
        return {"slot": slot}

    def decide(state: EpisodeState) -> dict:
        rt.env_at(state["committed"])
        s = state["settings"]
        env, slot = rt.env, state["slot"]
        g = np.asarray(env.gains, dtype=float)
        constraints = with_intents(rt.constraints, state.get("intents"), env.n_agents, slot)
        t0 = time.perf_counter()
        if s["planner"] == "llm":
            ctx = {
                "obs": rt.obs,
                "infos": rt.infos,
                "slot": slot,
                "seed": s["seed"],
                "carry": state.get("carry") or {},
                "memory": state.get("memory") or {},
                # transmitters / base stations (static): the three-tier team's clusters
                "positions": None if env.positions is None else env.positions[0],
            }
            tp = rt.planner.plan_detailed(g, env.p_max, env.noise, constraints, context=ctx)
            powers, validation = validate_plan(g, tp.powers, env.p_max, env.noise, constraints)
            pending = {
                "agreed": tp.agreed,
                "rounds": tp.rounds,
                "events": tp.events,
                "decisions": tp.decisions,
                "channel": tp.channel,
                "escalation": tp.escalation,
                "cluster_escalation": tp.cluster_escalation,
                "clusters": tp.clusters,
                "llm_tokens": tp.llm_tokens,
                "llm_seconds": tp.llm_seconds,
                "carry": tp.carry,
                "validation": validation,
            }
        else:
            opts = {"seed": s["seed"] * 100003 + slot} if s["planner"] == "random" else {}
            powers = get_planner(s["planner"], **opts).plan(
                g, env.p_max, env.noise, constraints, context=None
            )
            pending = {"agreed": True, "rounds": 0, "events": [], "decisions": [], "channel": {}}
            pending.update(llm_tokens=0, llm_seconds=0.0, escalation=None, carry={})
        pending["decide_seconds"] = time.perf_counter() - t0
        return {"plan": [float(x) for x in np.asarray(powers).reshape(-1)], "pending": pending}

    def approve(state: EpisodeState) -> dict:
        p_max = rt.env.p_max if rt.env is not None else None
        answer = interrupt(
            {
                "slot": state["slot"],
                "plan": state["plan"],
                "plan_frac": [x / p_max for x in state["plan"]] if p_max else None,
                "p_max": p_max,
                "question": "approve this plan? (yes / no / comma-separated powers as fractions)",
            }
        )
        pending = dict(state["pending"])
        plan = list(state["plan"])
        if isinstance(answer, dict) and answer.get("powers") is not None:
            plan = [float(x) for x in answer["powers"]]
            pending["approval"] = {"approved": False, "override": plan, "by": answer.get("by")}
        else:
            ok = bool(answer.get("approved", True)) if isinstance(answer, dict) else bool(answer)
            pending["approval"] = {"approved": ok, "by": (answer or {}).get("by")
                                   if isinstance(answer, dict) else None}  # fmt: skip
            if not ok:  # rejected without an override: keep last slot's powers
                plan = list(state["committed"][-1]) if state["committed"] else [0.0] * len(plan)
        typed = answer.get("intents") if isinstance(answer, dict) else None
        if typed:
            return {"plan": plan, "pending": pending, "intents": read_intents(rt, typed, state)}
        return {"plan": plan, "pending": pending}

    def commit(state: EpisodeState) -> dict:
        rt.env_at(state["committed"])
        s = state["settings"]
        env, slot = rt.env, state["slot"]
        g = np.asarray(env.gains, dtype=float)
        p = np.nan_to_num(np.asarray(state["plan"], dtype=float), nan=0.0)
        p = np.clip(p, 0.0, env.p_max)
        r = link_rates(g, p, env.noise)
        w = solve(g, env.p_max, env.noise, algo="wmmse")
        wr = float(link_rates(g, w, env.noise).sum())
        pend = state["pending"] or {}
        record = {
            "slot": slot,
            "powers": p.tolist(),
            "rates": r.tolist(),
            "sum_rate": float(r.sum()),
            "wmmse_sum_rate": wr,
            "total_power": float(p.sum()),
            "fairness": float(jain_fairness(r)),
            "agreed": pend.get("agreed"),
            "rounds": pend.get("rounds"),
            "channel": pend.get("channel"),
            "escalation": pend.get("escalation"),
            "cluster_escalation": pend.get("cluster_escalation"),
            "clusters": pend.get("clusters"),
            "approval": pend.get("approval"),
            "llm_tokens": pend.get("llm_tokens", 0),
            "llm_seconds": pend.get("llm_seconds", 0.0),
            "decide_seconds": pend.get("decide_seconds", 0.0),
            "messages": _messages(pend.get("events", [])),
            "decisions": pend.get("decisions", []),
            "events": pend.get("events", []),
        }
        record.update(constraint_record(s, pend, p, r, env.p_max))
        if rt.intent is not None:
            from planners import feasibility

            floors = np.asarray(rt.constraints["min_rate"], dtype=float)
            record["floors_met"] = (r >= floors - 1e-9).tolist()
            k = len(p)
            ok, p_star = feasibility(
                g[None], np.full((1, k), env.noise), np.full((1, k), env.p_max), floors[None]
            )
            record["floors_feasible"] = bool(ok[0])
            record["min_total_power"] = float(p_star[0].sum()) if ok[0] else None
        active = active_intents(state.get("intents"), slot)
        if active:
            record["intents"] = intent_report(active, r, p, env.p_max)
        memory = state.get("memory") or {}
        if s["planner"] == "llm":
            team = rt.planner.team(env.n_agents)
            team.import_memory(memory)
            heard = _heard(pend.get("events", []), env.n_agents)
            for i, a in enumerate(team.agents):
                a.remember(slot, float(p[i] / env.p_max), float(r[i]), heard.get(i, []))
            memory = team.export_memory()
        rt.obs, _, _, _, rt.infos = env.step(env.actions_from_powers(p))
        _emit(
            {
                "type": "commit",
                "slot": slot,
                "sum_rate": record["sum_rate"],
                "wmmse_sum_rate": wr,
                "powers": record["powers"],
                **commit_view(record, g, env.p_max, env.noise),
            }
        )
        return {
            "committed": [*state["committed"], p.tolist()],
            "memory": memory,
            "carry": pend.get("carry") or {},
            "plan": None,
            "pending": None,
            "steps": [record],
        }

    def next_slot(state: EpisodeState):
        return "sense" if len(state["committed"]) < state["settings"]["steps"] else END

    g = StateGraph(EpisodeState)
    g.add_node("sense", sense)
    g.add_node("decide", decide)
    g.add_node("commit", commit)
    g.add_edge(START, "sense")
    g.add_edge("sense", "decide")
    if rt.settings.get("approve"):
        g.add_node("approve", approve)
        g.add_edge("decide", "approve")
        g.add_edge("approve", "commit")
    else:
        g.add_edge("decide", "commit")
    g.add_conditional_edges("commit", next_slot, ["sense", END])
    return g.compile(checkpointer=checkpointer, name="episode")


# -- what a live display draws, and intents typed during the episode ------------------------------


def scene_event(rt: Runtime, slot: int, steps: int, intents: list) -> dict:
    """The ``slot`` event: the slot number plus what a live display draws before anyone decides.

    ``p_max``/``noise`` (W); ``tx``/``rx`` positions in metres (K, 2) and ``bounds``
    ``[[x0, y0], [x1, y1]]`` (None without geometry, e.g. gaussian); ``bystanders`` other nodes
    (cellular's unscheduled users); ``hears[i]`` the devices ``i`` hears on the control channel
    (the same symmetric neighbour graph the team's decide graph uses); ``intents`` the constraints
    typed so far that hold in this slot.
    """
    from planners.coordination import listeners

    env = rt.env
    pos = env.positions
    bounds = env.scenario.bounds
    others = env.scenario.bystanders
    nb = [rt.infos[a]["neighbours"] for a in env.possible_agents]
    return {
        "type": "slot",
        "slot": slot,
        "steps": steps,
        "agents": env.n_agents,
        "scenario": rt.settings["scenario"],
        "p_max": float(env.p_max),
        "noise": float(env.noise),
        "tx": np.asarray(pos[0]).tolist() if pos is not None else None,
        "rx": np.asarray(pos[1]).tolist() if pos is not None else None,
        "bounds": [list(map(float, b)) for b in bounds] if bounds is not None else None,
        "bystanders": np.asarray(others).tolist() if others is not None and len(others) else [],
        "hears": listeners(nb),
        "intents": active_intents(intents, slot),
    }


def commit_view(record: dict, gains, p_max: float, noise: float) -> dict:
    """What the ``commit`` event adds for a live display: per link ``power_frac`` (of p_max),
    ``sinr_db`` (None for a silent link), ``rates``; ``ratio`` to WMMSE, ``rounds``, ``agreed``,
    model ``llm_tokens``/``llm_seconds``/``tokens_per_s`` (prompt + completion tokens), the
    ``approval``, the typed ``intents`` with whether each held and the scenario's ``floors_met``
    (zou; None elsewhere)."""
    from environment.metrics import linear_to_db, sinr

    p = np.asarray(record["powers"], dtype=float)
    s = sinr(np.asarray(gains, dtype=float), p, noise)
    secs, toks = float(record.get("llm_seconds") or 0.0), int(record.get("llm_tokens") or 0)
    wr = record["wmmse_sum_rate"]
    return {
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


def read_intents(rt: Runtime, texts: list, state: dict) -> list:
    """Read sentences typed at slot ``state["slot"]``'s pause into constraints (one per sentence,
    :func:`agents.intents.parse_intent` with the episode's model) that hold from the next slot.

    Returns one record per sentence (kept in the state, so a resumed run keeps them): ``text``,
    ``slot`` (typed at), ``from_slot``, and ``agent``/``kind``/``value``/``raw``/``note``, or
    ``error`` when the sentence could not be read (the episode goes on). Emits an ``intent``
    event per record.
    """
    from agents.intents import IntentError, parse_intent

    backend = rt.backend
    if backend is None:  # a classical planner: the episode's model still reads the sentences
        from agents.models import load_model

        backend = load_model(rt.settings["model"])
    slot = int(state["slot"])
    ids = list(range(rt.settings["agents"]))
    out = []
    for text in texts:
        rec = {"text": str(text), "slot": slot, "from_slot": slot + 1}
        try:
            it = parse_intent(str(text), ids, backend)
            rec.update(agent=it.agent, kind=it.kind, value=it.value, raw=it.raw, note=it.note)
        except IntentError as exc:
            rec["error"] = str(exc).splitlines()[0]
        out.append(rec)
        _emit({"type": "intent", **rec})
    return out


def active_intents(intents: list | None, slot: int) -> list:
    """The typed intents that were read (not the ones that failed) and hold in ``slot``."""
    return [i for i in intents or [] if "error" not in i and i["from_slot"] <= slot]


def with_intents(constraints: dict, intents: list | None, k: int, slot: int) -> dict:
    """The scenario's constraints tightened by the intents holding in ``slot`` (unchanged when
    there are none): the larger minimum rate, the smaller power fraction per link."""
    active = active_intents(intents, slot)
    if not active:
        return constraints
    from agents.intents import constraint_arrays

    arrs = constraint_arrays([{"agent": i["agent"], i["kind"]: i["value"]} for i in active], k)
    out = dict(constraints)
    if np.any(arrs["min_rate"] > 0):
        old = np.broadcast_to(np.asarray(out.get("min_rate", 0.0), dtype=float), (k,))
        out["min_rate"] = np.maximum(old, arrs["min_rate"])
    if np.any(arrs["max_power_frac"] < 1):
        old = np.broadcast_to(np.asarray(out.get("max_power_frac", 1.0), dtype=float), (k,))
        out["max_power_frac"] = np.minimum(old, arrs["max_power_frac"])
    return out


def intent_report(active: list, rates, powers, p_max: float) -> list:
    """Each active intent with what the committed slot gave its link and whether it ``held``."""
    out = []
    for i in active:
        a = i["agent"]
        got = float(rates[a]) if i["kind"] == "min_rate" else float(powers[a]) / p_max
        held = got >= i["value"] - 1e-9 if i["kind"] == "min_rate" else got <= i["value"] + 1e-9
        out.append({"text": i["text"], "agent": a, "kind": i["kind"], "value": i["value"],
                    "got": got, "held": bool(held)})  # fmt: skip
    return out


def recursion_limit(steps: int) -> int:
    """Supersteps of the outer loop: sense, decide, approve, commit per slot, plus headroom."""
    return 4 * steps + 10


def _messages(events: list) -> list:
    """The proposals' texts with what became of them on the control channel."""
    out = []
    lost = {}
    for e in events:
        if e.get("type") == "deliver":
            for j, i in e.get("lost_links", []):
                lost.setdefault((e["round"], j), []).append(i)
    for e in events:
        if e.get("type") == "proposal":
            out.append(
                {
                    "round": e["round"],
                    "from": e["agent"],
                    "text": e["message"],
                    "lost_to": lost.get((e["round"], e["agent"]), []),
                }
            )
    return out


def _heard(events: list, k: int) -> dict:
    """{agent: [(sender, text)]}: the last-round messages that reached each agent."""
    hears = next((e["hears"] for e in events if e.get("type") == "sense"), None)
    props = [e for e in events if e.get("type") == "proposal"]
    if not hears or not props:
        return {}
    last = max(e["round"] for e in props)
    lost = {
        (j, i)
        for e in events
        if e.get("type") == "deliver" and e["round"] == last
        for j, i in e.get("lost_links", [])
    }
    out: dict = {}
    for e in props:
        if e["round"] != last or not e["message"]:
            continue
        for i in range(k):
            if e["agent"] in hears[i] and (e["agent"], i) not in lost:
                out.setdefault(i, []).append((e["agent"], e["message"]))
    return out


def initial_state(settings: dict) -> dict:
    return {
        "settings": settings,
        "slot": 0,
        "committed": [],
        "memory": {},
        "carry": {},
        "plan": None,
        "pending": None,
        "steps": [],
        "intents": [],
    }


def summarize(state: dict, wall_seconds: float, p_max: float, noise: float) -> dict:
    """The trace document of a finished (or partial) episode state."""
    s = state["settings"]
    steps = state.get("steps") or []
    sr = [x["sum_rate"] for x in steps]
    wr = [x["wmmse_sum_rate"] for x in steps]
    mean = float(np.mean(sr)) if sr else 0.0
    wmean = float(np.mean(wr)) if wr else 0.0
    ch = [x.get("channel") or {} for x in steps]
    llm_seconds = float(sum(x.get("llm_seconds", 0.0) for x in steps))
    cloud_seconds = float(sum(c.get("cloud_seconds", 0.0) for c in ch))
    cluster_seconds = float(sum(c.get("cluster_seconds", 0.0) for c in ch))
    model_seconds = llm_seconds + cloud_seconds + cluster_seconds
    intent = None
    _, _, intent_def = scenario_setup(s)
    if intent_def is not None and steps:
        met = [all(x.get("floors_met", [])) for x in steps]
        p_max_total = s["agents"] * float(p_max)
        intent = {
            **intent_def,
            "satisfied_slots": int(sum(met)),
            "slots": len(met),
            "fraction": sum(met) / len(met),
            "mean_total_power_w": float(np.mean([x["total_power"] for x in steps])),
            "max_total_power_w": p_max_total,
            "power_saved_fraction": 1.0
            - float(np.mean([x["total_power"] for x in steps])) / p_max_total
            if p_max_total
            else None,
        }
        # the classical optimum: the minimal power vector meeting every floor (when feasible)
        opt = [(x["total_power"], x["min_total_power"]) for x in steps
               if x.get("min_total_power") is not None]  # fmt: skip
        intent["feasible_slots"] = len(opt)
        if opt:
            used, least = (float(np.mean(v)) for v in zip(*opt, strict=True))
            intent["optimal_total_power_w"] = least
            intent["optimal_saved_fraction"] = 1.0 - least / p_max_total
            intent["power_over_optimal"] = used / least if least > 0 else None
    summary = {
        "mean_sum_rate": mean,
        "wmmse_mean_sum_rate": wmean,
        "ratio_to_wmmse": mean / wmean if wmean > 0 else None,
        "messages": int(sum(c.get("sent", 0) for c in ch)),
        "messages_delivered": int(sum(c.get("delivered", 0) for c in ch)),
        "messages_lost": int(sum(c.get("lost", 0) for c in ch)),
        "message_bytes": int(sum(c.get("bytes", 0) for c in ch)),
        "cloud_requests": int(sum(c.get("cloud_requests", 0) for c in ch)),
        "cloud_bytes": int(sum(c.get("cloud_bytes", 0) for c in ch)),
        "cloud_only_bytes": int(sum(c.get("cloud_only_bytes", 0) for c in ch)),
        "cluster_requests": int(sum(c.get("cluster_requests", 0) for c in ch)),
        "cluster_bytes": int(sum(c.get("cluster_bytes", 0) for c in ch)),
        "cluster_peer_bytes": int(sum(c.get("cluster_peer_bytes", 0) for c in ch)),
        "agreed_slots": int(sum(bool(x.get("agreed")) for x in steps)),
        "fallbacks": int(sum(bool(d.get("fallback")) for x in steps for d in x["decisions"])),
        "llm_calls": int(sum(len(d.get("raw", [])) for x in steps for d in x["decisions"])),
        "llm_tokens": int(sum(x.get("llm_tokens", 0) for x in steps)),
        "llm_seconds": llm_seconds,
        "cloud_seconds": cloud_seconds,
        "cluster_seconds": cluster_seconds,
        "model_seconds": model_seconds,
        "links": _links(s, ch, llm_seconds),
        "wall_seconds": wall_seconds,
        "overhead_seconds": max(wall_seconds - model_seconds, 0.0),
        "overhead_fraction": max(wall_seconds - model_seconds, 0.0) / wall_seconds
        if wall_seconds > 0
        else None,
        "intent_satisfaction": intent,
        **operator_summary(s, steps),
    }
    doc = {
        "scenario": s["scenario"],
        "seed": s["seed"],
        "agents": s["agents"],
        "planner": s["planner"],
        "settings": s,
        "p_max": p_max,
        "noise": noise,
        "steps": steps,
        "summary": summary,
    }
    if state.get("intents"):  # typed at the pauses: what the model read, or why it could not
        doc["intents"] = state["intents"]
    return doc


def _links(settings: dict, ch: list, llm_seconds: float) -> dict:
    """What crossed each link of the tiers: requests, bytes, model seconds at the receiving end
    (edge: device-to-device messages and the devices' own model time)."""

    def tot(key):
        return sum(c.get(key, 0) for c in ch)

    edge = {"messages": int(tot("sent")), "bytes": int(tot("bytes")), "model_seconds": llm_seconds}
    cloud = {"requests": int(tot("cloud_requests")), "bytes": int(tot("cloud_bytes")),
             "model_seconds": float(tot("cloud_seconds"))}  # fmt: skip
    if int(settings.get("tiers", 2)) == 3:
        return {
            "edge": edge,
            "edge->L1": {"requests": int(tot("cluster_requests")),
                         "bytes": int(tot("cluster_bytes")),
                         "model_seconds": float(tot("cluster_seconds"))},
            "L1<->L1": {"bytes": int(tot("cluster_peer_bytes"))},
            "L1->L0": cloud,
        }  # fmt: skip
    return {"edge": edge, "edge->cloud": cloud}


def strip_timings(obj):
    """A trace without its timing fields (for comparing runs)."""
    if isinstance(obj, dict):
        return {
            k: strip_timings(v)
            for k, v in obj.items()
            if not any(t in k for t in TIMING_KEYS) and k != "overhead_fraction"
        }
    if isinstance(obj, list):
        return [strip_timings(v) for v in obj]
    return obj


# -- running -------------------------------------------------------------------------------------


class NothingToResume(ValueError):
    """``--resume`` without a checkpointed episode."""


def _saver(checkpoint: str | None):
    if checkpoint:
        from langgraph.checkpoint.sqlite import SqliteSaver

        return SqliteSaver.from_conn_string(str(checkpoint))
    from contextlib import nullcontext

    from langgraph.checkpoint.memory import InMemorySaver

    return nullcontext(InMemorySaver())


def saved_settings(checkpoint: str) -> dict | None:
    """The settings of the episode checkpointed in ``checkpoint`` (None if there is none)."""
    with _saver(checkpoint) as saver:
        tup = saver.get_tuple({"configurable": {"thread_id": THREAD}})
        if tup is None:
            return None
        return (tup.checkpoint.get("channel_values") or {}).get("settings")


def run_episode(
    settings: dict,
    *,
    backend=None,
    cloud_backend=None,
    cluster_backend=None,
    checkpoint: str | None = None,
    resume: bool = False,
    on_event=None,
    approver=None,
) -> dict:
    """Run (or resume) one episode and return its trace document.

    ``on_event(event)`` gets every custom stream event (proposals, deliveries, commits, ...).
    ``approver(request) -> answer`` answers the ``--approve`` interrupts: ``{"approved": True}``,
    ``{"approved": False}`` or ``{"powers": [...W]}``.
    """
    from langgraph.types import Command

    t0 = time.perf_counter()
    with _saver(checkpoint) as saver:
        config = {
            "configurable": {"thread_id": THREAD},
            "recursion_limit": recursion_limit(settings["steps"]),
        }
        if resume:
            tup = saver.get_tuple(config)
            if tup is None:
                raise NothingToResume(f"no checkpointed episode in {checkpoint}")
            settings = tup.checkpoint["channel_values"]["settings"]
            config["recursion_limit"] = recursion_limit(settings["steps"])
        elif checkpoint:
            saver.delete_thread(THREAD)
        if not resume:
            settings = with_parsed_intents(settings, backend)
        rt = Runtime(
            settings, backend=backend, cloud_backend=cloud_backend, cluster_backend=cluster_backend
        )
        graph = build_episode_graph(rt, checkpointer=saver)
        inp = None if resume else initial_state(settings)
        while True:
            request = None
            for _ns, mode, chunk in graph.stream(
                inp, config, stream_mode=["custom", "updates"], subgraphs=True
            ):
                if mode == "custom":
                    if on_event is not None:
                        on_event(chunk)
                elif mode == "updates" and "__interrupt__" in chunk:
                    request = chunk["__interrupt__"][0].value
            snap = graph.get_state(config)
            if request is not None and snap.next:
                answer = approver(request) if approver is not None else {"approved": True}
                if on_event is not None:
                    on_event({"type": "approval", "slot": request["slot"], "answer": answer})
                inp = Command(resume=answer)
                continue
            break
        state = graph.get_state(config).values
        rt.env_at(state["committed"])
        p_max, noise = rt.env.p_max, rt.env.noise
    return summarize(state, time.perf_counter() - t0, p_max, noise)


def mermaid(settings: dict | None = None, which: str = "episode") -> str:
    """The episode graph (or the team's decide graph) as Mermaid text."""
    s = default_settings(**(settings or {}))
    if which == "decide":
        from planners.coordination import Team, TeamConfig

        team = Team(s["agents"], backend=None, config=TeamConfig(tools=tuple(s["tools"])))
        return team.graph.get_graph().draw_mermaid()
    s = {**s, "planner": "wmmse"}  # drawing needs no model
    rt = Runtime(s)
    return build_episode_graph(rt).get_graph(xray=False).draw_mermaid()


def default_settings(**over) -> dict:
    s = {
        "scenario": "d2d",
        "agents": 6,
        "planner": "llm",
        "steps": 5,
        "seed": 0,
        "model": "smollm2",
        "strategy": "negotiation",
        "rounds": None,
        "loss": 0.0,
        "tools": None,
        "temperature": 0.0,
        "max_tokens": 40,
        "cloud": False,
        "cloud_model": None,
        "tiers": 2,
        "cluster_size": 4,
        "cluster_model": None,
        "approve": False,
        "min_rate": None,
        "intents": None,
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
    if s["tools"] is None:  # the scenario's tool: energy saving needs min_power, rates local_wmmse
        s["tools"] = list(SCENARIO_TOOLS.get(s["scenario"], DEFAULT_TOOLS))
    if s["rounds"] is None:
        s["rounds"] = SCENARIO_TEAM.get(s["scenario"], {}).get("rounds", 2)
    return s
