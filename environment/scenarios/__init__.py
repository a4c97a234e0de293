"""Topologies: each module holds a ``@dataclass`` config and a :class:`Scenario` subclass."""

from .base import Scenario
from .cellular import CellularConfig, CellularScenario
from .d2d import D2DConfig, D2DScenario
from .gaussian import GaussianConfig, GaussianScenario

SCENARIOS: dict[str, type[Scenario]] = {
    "gaussian": GaussianScenario,
    "d2d": D2DScenario,
    "cellular": CellularScenario,
}

__all__ = [
    "SCENARIOS",
    "Scenario",
    "GaussianConfig",
    "GaussianScenario",
    "D2DConfig",
    "D2DScenario",
    "CellularConfig",
    "CellularScenario",
]
