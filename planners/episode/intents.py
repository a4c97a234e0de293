"""Operator intents in an episode: read once into constraints, checked every slot.

Two ways in: ``settings["intents"]`` (sentences read by the edge model before the first slot;
the parse is kept in the settings so a resume does not read them again) and sentences typed at
the approval pause (state key ``intents``, holding from the next slot). Both tighten the
constraints the planner gets; every slot records which held.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.planners.constraints import (
    RATE_TOL,  # bit/s/Hz a rate may fall short by round-off
)
from wireless_agents.planners.coordination.stream import emit
from wireless_agents.planners.events import IntentEvent

from .settings import NOT_READ, reads_language

# ``settings["intents"]``: operator sentences. The edge model reads them once, before the first
# slot (:func:`with_parsed_intents`, stored as ``settings["parsed_intents"]`` so a resumed run
# does not read them again); the planner gets the constraints, the agents see their own (min
# rate, power cap), the LLM team closes its floors itself (its floor-control loop,
# :mod:`planners.coordination.floor_control`; its record is the slot's ``validation``) and every
# slot records which constraints held. ``settings["constraints"]``: constraints given directly
# (``[{"agent": 2, "min_rate": 1.5}, ...]``), e.g. the evaluator's oracle.

POWER_TOL = 1e-6  # relative slack of a power cap


def with_parsed_intents(settings: dict, backend=None) -> dict:
    """``settings`` plus ``parsed_intents``: one record per constraint the model read.

    Each record is ``{text, agent, kind, value, raw, note, tokens, seconds}``, or ``{text,
    error}`` for a sentence the model could not read (it constrains nothing). The ``tool``
    planner reads none (:func:`~.settings.reads_language`): every sentence is ``{text, error:
    "not read: ..."}`` and no model is loaded.
    """
    if not settings.get("intents") or "parsed_intents" in settings:
        return settings
    if not reads_language(settings):  # the tool planner: every sentence stays unread
        return {**settings, "parsed_intents": [{"text": t, "error": NOT_READ}
                                               for t in settings["intents"]]}  # fmt: skip
    from wireless_agents.agents.intents import IntentError, parse_intents

    if backend is None:
        from wireless_agents.agents.models import load_model

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
            "constraints": cons,
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
    """Read sentences typed at slot ``slot``'s pause into constraints (one per sentence,
    :func:`agents.intents.parse_intent` with the episode's model ``backend``, loaded from
    ``settings["model"]`` when the planner has none) that hold from the next slot.

    Returns one record per sentence (kept in the state, so a resumed run keeps them): ``text``,
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

    if backend is None:  # a classical planner: the episode's model still reads the sentences
        from wireless_agents.agents.models import load_model

        backend = load_model(settings["model"])
    slot = int(slot)
    ids = list(range(settings["agents"]))
    out = []
    for text in texts:
        rec = {"text": str(text), "slot": slot, "from_slot": slot + 1}
        try:
            it = parse_intent(str(text), ids, backend)
            rec.update(agent=it.agent, kind=it.kind, value=it.value, raw=it.raw, note=it.note)
        except IntentError as exc:
            rec["error"] = str(exc).splitlines()[0]
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
