"""The LLM coordination graph (LangGraph 1.x): the ``llm`` planner.

:class:`LLMPlanner` has the classical planners' contract plus ``context=`` (the slot's local
observations). :func:`build_decide_graph` is one slot's decision: sense -> propose (one ``Send``
per agent, in Gauss-Seidel waves) -> deliver (simulated control channel, :mod:`.channel`) ->
negotiate (back to propose until agreement or the round budget) -> [lead | cluster (L1, with
``tiers=3``) | escalate (cloud, L0)] -> commit.
"""

from .channel import colour_groups, deliver, listeners, loss_matrix, message_bytes
from .clusters import kmeans_clusters, make_clusters, n_clusters
from .graph import STRATEGIES, build_decide_graph, recursion_limit
from .team import LLMPlanner, Team, TeamConfig, TeamPlan, decide_input

__all__ = [
    "STRATEGIES",
    "LLMPlanner",
    "Team",
    "TeamConfig",
    "TeamPlan",
    "build_decide_graph",
    "colour_groups",
    "decide_input",
    "deliver",
    "kmeans_clusters",
    "listeners",
    "loss_matrix",
    "make_clusters",
    "message_bytes",
    "n_clusters",
    "recursion_limit",
]
