"""The shared wireless world: K links on one band as a PettingZoo ParallelEnv.

Imports nothing else of the project. Entry point::

    from wireless_agents.environment import make_env
    env = make_env("d2d", n_agents=6, seed=0)
    obs, infos = env.reset()

Modules, one concept each: :mod:`~environment.core` (the env), :mod:`~environment.scenarios`
(topologies: gaussian, d2d, cellular), :mod:`~environment.channels` (path loss, shadowing,
Jakes fading), :mod:`~environment.movement` (random walk), :mod:`~environment.geometry` (areas,
hexagons, drops), :mod:`~environment.observations` (local observations),
:mod:`~environment.rendering` (text picture), :mod:`~environment.metrics` (SINR, rates).
"""

from .core import WirelessEnv, power_levels_w
from .registration import env_id, make_env, register_all
from .scenarios import (
    SCENARIOS,
    CellularConfig,
    D2DConfig,
    GaussianConfig,
    Scenario,
)

register_all()

__all__ = [
    "SCENARIOS",
    "CellularConfig",
    "D2DConfig",
    "GaussianConfig",
    "Scenario",
    "WirelessEnv",
    "env_id",
    "make_env",
    "power_levels_w",
    "register_all",
]
