"""Operator intents in an episode: read once into constraints, checked every slot.

Two ways in: ``settings["intents"]`` (sentences read by the edge model before the first slot;
the parse is kept in the settings so a resume does not read them again) and sentences typed at
the approval pause (state key ``intents``, holding from the next slot). Both tighten the
constraints the planner gets; every slot records which held.

Who reads them is ``settings["intent_reader"]``: ``"model"`` (the edge model, the default) or
``"rules"`` (:func:`agents.intents.read_intents_by_rules`, no model: 0 tokens, 0 seconds). A
sentence may also state a link's weight or the network objective: those are kept in the parsed
records (``kind`` ``weight`` / ``objective``), constrain nothing, and the summary reports the
objective they ask for (:func:`operator_goals`).
"""

from __future__ import annotations

import numpy as np
from wireless_agents.planners.constraints import (
    RATE_TOL,  # bit/s/Hz a rate may fall short by round-off
)
from wireless_agents.planners.coordination.stream import emit
from wireless_agents.planners.events import IntentEvent

from .settings import NOT_READ, SCENARIO_GOALS, reads_language

# ``settings["intents"]``: operator sentences. The edge model reads them once, before the first
# slot (:func:`with_parsed_intents`, stored as ``settings["parsed_intents"]`` so a resumed run
# does not read them again); the planner gets the constraints, the agents see their own (min
# rate, power cap), the LLM team closes its floors itself (its floor-control loop,
# :mod:`planners.coordination.floor_control`; its record is the slot's ``validation``) and every
# slot records which constraints held. ``settings["constraints"]``: constraints given directly
# (``[{"agent": 2, "min_rate": 1.5}, ...]``), e.g. the evaluator's oracle.

POWER_TOL = 1e-6  # relative slack of a power cap


CONSTRAINT_KINDS = ("min_rate", "max_power_frac")  # what a slot can hold or miss


def reader_of(settings: dict, backend=None):
    """``text, ids -> [Intent]``: the reader ``settings["intent_reader"]`` names (the model
    on ``backend``, loaded from ``settings["model"]`` when None, or the rules)."""
    if settings.get("intent_reader", "model") == "rules":
        from wireless_agents.agents.intents import read_intents_by_rules

        return read_intents_by_rules
    from wireless_agents.agents.intents import parse_intents

    if backend is None:
        from wireless_agents.agents.models import load_model

        backend = load_model(settings["model"])
    return lambda text, ids: parse_intents(text, ids, backend)


def _record(it) -> dict:
    rec = {"text": it.text, "agent": it.agent, "kind": it.kind, "value": it.value,
           "raw": it.raw, "note": it.note, "tokens": it.tokens, "seconds": it.seconds}  # fmt: skip
    if it.kind == "objective":
        rec["objective"] = it.objective
    return rec


def with_parsed_intents(settings: dict, backend=None) -> dict:
    """``settings`` plus ``parsed_intents``: one record per constraint, weight or objective
    read (by the model, or the rules: ``settings["intent_reader"]``).

    Each record is ``{text, agent, kind, value, raw, note, tokens, seconds}`` (plus
    ``objective`` for that kind, whose ``agent`` is None), or ``{text, error}`` for a sentence
    that could not be read (it constrains nothing). The ``tool`` planner reads none
    (:func:`~.settings.reads_language`): every sentence is ``{text, error: "not read: ..."}``
    and no model is loaded.
    """
    if not settings.get("intents") or "parsed_intents" in settings:
        return settings
    if not reads_language(settings):  # the tool planner: every sentence stays unread
        return {**settings, "parsed_intents": [{"text": t, "error": NOT_READ}
                                               for t in settings["intents"]]}  # fmt: skip
    from wireless_agents.agents.intents import IntentError

    read = reader_of(settings, backend)
    parsed = []
    for text in settings["intents"]:
        try:
            parsed += [_record(it) for it in read(text, range(settings["agents"]))]
        except IntentError as exc:
            parsed.append({"text": text, "error": str(exc)})
    return {**settings, "parsed_intents": parsed}


def operator_constraints(settings: dict) -> list[dict]:
    """The constraints of the parsed intents and the direct ones, as ``{agent, kind: value}``
    (weights and objectives constrain nothing: :func:`operator_goals`)."""
    out = [
        {"agent": int(x["agent"]), x["kind"]: float(x["value"])}
        for x in settings.get("parsed_intents") or []
        if "error" not in x and x.get("kind") in CONSTRAINT_KINDS
    ]
    return out + [dict(c) for c in settings.get("constraints") or []]


def operator_goals(settings: dict) -> dict:
    """``{"objective": name, "weights": [w_0, ...] | None}`` the parsed intents ask for
    (:func:`agents.intents.objective_of`, :func:`agents.intents.link_weights_of`); empty when
    they state no weight and no objective."""
    from wireless_agents.agents.intents import link_weights_of, objective_of

    goals = [
        {"objective": x["objective"]} if x["kind"] == "objective" else
        {"agent": x["agent"], "weight": x["value"]}
        for x in settings.get("parsed_intents") or []
        if "error" not in x and x.get("kind") in ("weight", "objective")
    ]  # fmt: skip
    if not goals:
        return {}
    w = link_weights_of(goals, settings["agents"])
    return {"objective": objective_of(goals), "weights": None if w is None else w.tolist()}


def team_goals(settings: dict) -> dict:
    """``{"objective": name, "weights": [...] | None}`` the team planners plan for (empty: the
    plain sum-rate, and for every classical planner, which stays objective-blind in an episode,
    but ``timeshare``, whose schedule serves the objective as the team's plan does).

    Given as numbers in the settings (``objective``, ``weights``: an API call), those; else what
    the operator's sentences state (:func:`operator_goals`); else the scenario's own goal
    (:data:`~.settings.SCENARIO_GOALS`: zou's is ``min_power``). The ``tool`` team reads no language,
    so for it only numbers count: it plans the sum-rate whatever the sentences say.
    """
    from wireless_agents.environment.objectives import resolve_objective

    from .settings import TEAM_PLANNERS

    if settings["planner"] not in (*TEAM_PLANNERS, "timeshare"):  # timeshare: the schedule's
        return {}
    objective, weights = settings.get("objective"), settings.get("weights")
    if objective is None and weights is None:
        goals = operator_goals(settings)
        if not goals and reads_language(settings):  # the scenario's own goal sentence (zou's)
            goals = dict(SCENARIO_GOALS.get(settings.get("scenario"), {}))
        return goals
    return {
        "objective": resolve_objective(objective, weights),
        "weights": None if weights is None else [float(w) for w in weights],
    }


def merge_constraints(base: dict, extra: list[dict], k: int) -> dict:
    """The scenario's constraint arrays tightened by ``extra`` (the strictest wins)."""
    if not extra:
        return base
    from wireless_agents.agents.intents import constraint_arrays

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
            "reader": settings.get("intent_reader", "model"),
            "constraints": cons,
            **operator_goals(settings),
            "parse_tokens": int(sum(x.get("tokens", 0) for x in parsed)),
            "parse_seconds": float(sum(x.get("seconds", 0.0) for x in parsed)),
            "constraints_met": sum(met) / len(met) if met else None,
            # slots whose plan the team's closed loop changed (beyond clipping caps)
            "validated_slots": int(
                sum(
                    any(
                        (x.get("validation") or {}).get(w) for w in ("raised", "lowered", "yielded")
                    )
                    for x in steps
                )
            ),
        }
    }


def read_intents(texts: list, slot: int, settings: dict, backend=None) -> list:
    """Read sentences typed at slot ``slot``'s pause into constraints that hold from the next
    slot: with the model (one per sentence, :func:`agents.intents.parse_intent` with the
    episode's model ``backend``, loaded from ``settings["model"]`` when the planner has none), or
    with the rules when ``settings["intent_reader"]`` is ``"rules"`` (every constraint the
    sentence states; one that states none is an error).

    Returns one record per reading (kept in the state, so a resumed run keeps them): ``text``,
    ``slot`` (typed at), ``from_slot``, and ``agent``/``kind``/``value``/``raw``/``note``, or
    ``error`` when the sentence could not be read (the episode goes on). Emits an ``intent``
    event per record.
    """
    if not reads_language(settings):  # the tool planner: typed sentences stay unread too
        out = [{"text": str(t), "slot": int(slot), "from_slot": int(slot) + 1, "error": NOT_READ}
               for t in texts]  # fmt: skip
        for rec in out:
            emit(IntentEvent(type="intent", **rec))
        return out
    from wireless_agents.agents.intents import IntentError, parse_intent

    rules = settings.get("intent_reader", "model") == "rules"
    if rules:
        read = reader_of(settings)
    elif backend is None:  # a classical planner: the episode's model still reads the sentences
        from wireless_agents.agents.models import load_model

        backend = load_model(settings["model"])
    slot = int(slot)
    ids = list(range(settings["agents"]))
    out = []
    for text in texts:
        base = {"text": str(text), "slot": slot, "from_slot": slot + 1}
        try:
            its = read(str(text), ids) if rules else [parse_intent(str(text), ids, backend)]
            its = [it for it in its if it.kind in CONSTRAINT_KINDS]
            if not its:
                raise IntentError("the rules read no constraint in it")
            recs = [
                {**base, "agent": it.agent, "kind": it.kind, "value": it.value,
                 "raw": it.raw, "note": it.note}
                for it in its
            ]  # fmt: skip
        except IntentError as exc:
            recs = [{**base, "error": str(exc).splitlines()[0]}]
        for rec in recs:
            out.append(rec)
            emit(IntentEvent(type="intent", **rec))
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
    from wireless_agents.agents.intents import constraint_arrays

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


def operator_satisfaction(steps: list) -> dict | None:
    """``intent_satisfaction`` of the operator's intents (given as settings or typed at the
    pauses): the fraction of (intent, slot) pairs that held; None without any."""
    held = [bool(m) for x in steps for m in x.get("constraints_met", [])]
    held += [bool(i["held"]) for x in steps for i in x.get("intents", [])]
    if not held:
        return None
    return {"kind": "operator", "held": int(sum(held)), "checks": len(held),
            "fraction": sum(held) / len(held)}  # fmt: skip
