"""Errors that planners raise on problems a user can cause.

Every error is a :class:`ValueError` subclass whose message is one line a CLI can print as is.
"""

from __future__ import annotations


class PlannerInputError(ValueError):
    """Bad input: shape, NaN/inf, negative gains, non-positive p_max or noise, unknown algorithm."""


class ProblemTooLarge(ValueError):
    """An exhaustive search would exceed its point budget (raised by ``algo="optimal"``)."""


class InfeasibleError(ValueError):
    """The per-link minimum rates cannot all be met under the power caps.

    Raised by ``solve(..., strict=True)``. ``solution`` holds the best-effort
    :class:`planners.api.Solution` (powers as close to the targets as the search got) and
    ``violations`` its human-readable report lines.
    """

    def __init__(self, message: str, solution=None):
        super().__init__(message)
        self.solution = solution
        self.violations = list(solution.violations) if solution is not None else []
