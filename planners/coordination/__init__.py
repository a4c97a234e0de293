"""The LLM coordination graph (LangGraph 1.x): the ``llm`` planner.

:class:`LLMPlanner` (:mod:`.planner`) has the classical planners' contract plus ``context=``
(the slot's local observations). One slot's decision is one run of the decide graph
(:mod:`.graph`): sense -> propose (one ``Send`` per agent, in Gauss-Seidel waves) -> deliver
(simulated control channel, :mod:`.channel`) -> negotiate (back to propose until agreement or
the round budget) -> [lead | cluster (L1, with ``tiers=3``) | escalate (cloud, L0)] ->
validate (caps, floors and yielding in closed loop) -> commit.

Modules, by idea:

- :mod:`.config` :class:`TeamConfig`, the team's defaults (written once);
- :mod:`.inputs` the graph's input for one slot (each agent's view, the hearing graph);
- :mod:`.state` the graph's JSON state and the codecs to the tools' types;
- :mod:`.team` the agents and their memory; :mod:`.context` the graph's run context;
- :mod:`.edge` the edge team's nodes; :mod:`.channel` the simulated control channel;
- :mod:`.coordinator` what the cloud and the cluster coordinators share (partial problem,
  estimate, solve, the model's answer); :mod:`.cloud` the cloud (L0); :mod:`.tiers` and
  :mod:`.clusters` the cluster coordinators (L1);
- :mod:`.floor_control`, :mod:`.yielding`, :mod:`.pricing`, :mod:`.minislot` the validate node's closed loop;
- :mod:`.graph` routes, commit, assembly; :mod:`.planner` the planner; :mod:`.stream` the
  custom stream.
"""

from .channel import colour_groups, deliver, listeners, loss_matrix, message_bytes
from .clusters import kmeans_clusters, make_clusters, n_clusters
from .config import DEFAULT_TOOLS, STRATEGIES, TeamConfig
from .context import TeamContext
from .graph import build_decide_graph, decide_graph, recursion_limit
from .inputs import decide_input, significant_neighbours
from .planner import LLMPlanner, TeamPlan
from .team import Team

__all__ = [
    "DEFAULT_TOOLS",
    "STRATEGIES",
    "LLMPlanner",
    "Team",
    "TeamConfig",
    "TeamContext",
    "TeamPlan",
    "build_decide_graph",
    "colour_groups",
    "decide_graph",
    "decide_input",
    "deliver",
    "kmeans_clusters",
    "listeners",
    "loss_matrix",
    "make_clusters",
    "message_bytes",
    "n_clusters",
    "recursion_limit",
    "significant_neighbours",
]
