"""What an operator intent is once read: one constraint on one link, a link's weight, or the
network objective; and the planner's arrays.

Constraint kinds (:data:`KINDS`): ``min_rate`` (a minimum rate in bit/s/Hz, ``>= 0``; array
value 0 = none) and ``max_power_frac`` (a cap on transmit power as a fraction of ``p_max``,
``0..1``, ``0`` = silent; array value 1 = none). Goal kinds (:data:`GOAL_KINDS`): ``weight`` (a
link's priority weight in a weighted sum-rate, ``>= 0``, :data:`MAX_WEIGHT` at most; array value
1 = none) and ``objective`` (the network objective, one of
:data:`environment.objectives.OBJECTIVES`, in ``Intent.objective``; ``agent`` is None).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from wireless_agents.environment.objectives import resolve_objective

KINDS = ("min_rate", "max_power_frac")  # constraints on one link
GOAL_KINDS = ("weight", "objective")  # what the network optimizes
ALL_KINDS = KINDS + GOAL_KINDS
MAX_RATE = 30.0  # bit/s/Hz: above this a "minimum rate" is a misreading, clipped with a note
MAX_WEIGHT = 100.0  # above this a priority weight is a misreading, clipped with a note


class IntentError(ValueError):
    """The intent could not be read (model failure, unparsable answer, ambiguous text)."""


@dataclass(frozen=True)
class Intent:
    """One constraint read from a sentence.

    ``value`` is already validated and clipped; ``raw`` is the model's answer (``"rules"`` for
    the model-free reader), ``note`` says what was clipped (empty when nothing was). For the
    ``objective`` kind ``agent`` is None, ``value`` 0 and ``objective`` names it.
    """

    agent: int | None
    kind: str
    value: float
    text: str
    raw: str = ""
    note: str = ""
    tokens: int = 0
    seconds: float = 0.0
    objective: str = ""

    def as_constraint(self) -> dict:
        """``{"agent": 2, "min_rate": 1.5}`` / ``{"agent": 4, "max_power_frac": 0.25}`` /
        ``{"agent": 2, "weight": 3.0}`` / ``{"objective": "max_min"}``."""
        if self.kind == "objective":
            return {"objective": self.objective}
        return {"agent": self.agent, self.kind: self.value}


def constraint_arrays(intents, n_agents: int) -> dict[str, np.ndarray]:
    """Planner arrays from intents: ``min_rate`` (K,) with 0 = none and ``max_power_frac`` (K,)
    with 1 = none, ready for ``planners.solve(..., min_rate=..., max_power_frac=...)``.

    Several intents on one link combine to the strictest: the largest minimum rate, the smallest
    power fraction. Accepts :class:`Intent` objects or ``as_constraint()`` dicts; weights and
    objectives constrain nothing and are skipped (:func:`link_weights_of`, :func:`objective_of`).
    """
    min_rate = np.zeros(n_agents)
    max_frac = np.ones(n_agents)
    for it in intents:
        c = it.as_constraint() if isinstance(it, Intent) else dict(it)
        if "objective" in c:  # a goal, not a constraint (see objective_of)
            continue
        a = int(c["agent"])
        if not 0 <= a < n_agents:
            raise IntentError(f"intent names agent {a}, outside 0..{n_agents - 1}")
        if "min_rate" in c:
            min_rate[a] = max(min_rate[a], float(c["min_rate"]))
        if "max_power_frac" in c:
            max_frac[a] = min(max_frac[a], float(c["max_power_frac"]))
    return {"min_rate": min_rate, "max_power_frac": max_frac}


def _goal_dicts(intents):
    return [it.as_constraint() if isinstance(it, Intent) else dict(it) for it in intents]


def link_weights_of(intents, n_agents: int) -> np.ndarray | None:
    """Per-link priority weights ``(K,)`` from the ``weight`` intents (1 for a link none names;
    the last stated wins), or None when no intent states a weight."""
    w = np.ones(n_agents)
    named = False
    for c in _goal_dicts(intents):
        if "weight" in c:
            a = int(c["agent"])
            if not 0 <= a < n_agents:
                raise IntentError(f"intent names agent {a}, outside 0..{n_agents - 1}")
            w[a], named = float(c["weight"]), True
    return w if named else None


def objective_of(intents) -> str:
    """The objective the intents ask for: the last ``objective`` stated, else
    ``weighted_sum_rate`` when they state weights, else ``sum_rate``
    (:func:`environment.objectives.resolve_objective`)."""
    dicts = _goal_dicts(intents)
    stated = [c["objective"] for c in dicts if "objective" in c]
    weighted = any("weight" in c for c in dicts)
    return resolve_objective(stated[-1] if stated else None, True if weighted else None)
