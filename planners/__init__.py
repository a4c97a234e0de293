"""Joint transmit-power planners for the shared interference channel.

``solve(gains, p_max, noise, algo="wmmse", objective=None, weights=None, **constraints)``
returns powers; ``solve_detailed`` the full :class:`Solution` report (with the plan's
``utility`` under the objective of ``environment.objectives``). ``ALGORITHMS`` maps names to the batched
numpy kernels (``describe()`` gives one line each); ``get_planner(name)`` wraps one behind the
:class:`Planner` contract that the LLM coordination graph shares.
"""

from .api import Solution, solve, solve_detailed
from .base import ClassicalPlanner, Planner, get_planner
from .constraints import feasibility
from .errors import InfeasibleError, PlannerInputError, ProblemTooLarge
from .registry import ALGORITHMS, describe

__all__ = [
    "ALGORITHMS",
    "ClassicalPlanner",
    "InfeasibleError",
    "Planner",
    "PlannerInputError",
    "ProblemTooLarge",
    "Solution",
    "describe",
    "feasibility",
    "get_planner",
    "solve",
    "solve_detailed",
]
