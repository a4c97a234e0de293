"""What a run of the decide graph needs beside its state: the team's agents, config and models.

:class:`TeamContext` is the decide graph's LangGraph run context (``context_schema``): a node
that needs an agent or a coordinator's model takes ``runtime: Runtime[TeamContext]`` and reads
``runtime.context``. Nothing of it is in the (JSON) state, and the graph closes over nothing,
so one compiled graph serves every team.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import TeamConfig


@dataclass
class TeamContext:
    """The run context of the decide graph.

    ``config`` the team's :class:`TeamConfig`; ``agents`` one
    :class:`~wireless_agents.agents.agent.EdgeAgent` per device (index = device id);
    ``cloud_backend`` the cloud coordinator's (L0) model, ``cluster_backend`` the cluster
    coordinators' (L1) model, each None for the coordinator's solver alone.
    """

    config: TeamConfig
    agents: list[Any]
    cloud_backend: Any = None
    cluster_backend: Any = None
