"""What an operator intent is once read: one constraint on one link, and the planner's arrays.

Kinds: ``min_rate`` (a minimum rate in bit/s/Hz, ``>= 0``; array value 0 = none) and
``max_power_frac`` (a cap on transmit power as a fraction of ``p_max``, ``0..1``, ``0`` = silent;
array value 1 = none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("min_rate", "max_power_frac")
MAX_RATE = 30.0  # bit/s/Hz: above this a "minimum rate" is a misreading, clipped with a note


class IntentError(ValueError):
    """The intent could not be read (model failure, unparsable answer, ambiguous text)."""


@dataclass(frozen=True)
class Intent:
    """One constraint read from a sentence.

    ``value`` is already validated and clipped; ``raw`` is the model's answer, ``note`` says what
    was clipped (empty when nothing was).
    """

    agent: int
    kind: str
    value: float
    text: str
    raw: str = ""
    note: str = ""
    tokens: int = 0
    seconds: float = 0.0

    def as_constraint(self) -> dict:
        """``{"agent": 2, "min_rate": 1.5}`` / ``{"agent": 4, "max_power_frac": 0.25}``."""
        return {"agent": self.agent, self.kind: self.value}


def constraint_arrays(intents, n_agents: int) -> dict[str, np.ndarray]:
    """Planner arrays from intents: ``min_rate`` (K,) with 0 = none and ``max_power_frac`` (K,)
    with 1 = none, ready for ``planners.solve(..., min_rate=..., max_power_frac=...)``.

    Several intents on one link combine to the strictest: the largest minimum rate, the smallest
    power fraction. Accepts :class:`Intent` objects or ``as_constraint()`` dicts.
    """
    min_rate = np.zeros(n_agents)
    max_frac = np.ones(n_agents)
    for it in intents:
        c = it.as_constraint() if isinstance(it, Intent) else dict(it)
        a = int(c["agent"])
        if not 0 <= a < n_agents:
            raise IntentError(f"intent names agent {a}, outside 0..{n_agents - 1}")
        if "min_rate" in c:
            min_rate[a] = max(min_rate[a], float(c["min_rate"]))
        if "max_power_frac" in c:
            max_frac[a] = min(max_frac[a], float(c["max_power_frac"]))
    return {"min_rate": min_rate, "max_power_frac": max_frac}
