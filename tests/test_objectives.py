"""The objectives' utilities (environment/objectives.py) on hand-computed cases."""

import numpy as np
import pytest
from wireless_agents.environment.objectives import (
    OBJECTIVES,
    ObjectiveError,
    resolve_objective,
    utility,
)


def test_utilities_by_hand():
    r = np.array([1.0, 2.0, 0.5])
    p = np.array([0.5, 1.0, 0.0])
    assert utility("sum_rate", r, p, 1.0) == pytest.approx(3.5)
    assert utility("sum_rate", r, p, 1.0, weights=[3, 1, 1]) == pytest.approx(3.5)
    assert utility("weighted_sum_rate", r, p, 1.0, weights=[3, 1, 1]) == pytest.approx(5.5)
    assert utility("weighted_sum_rate", r, p, 1.0) == pytest.approx(3.5)
    assert utility("max_min", r, p, 1.0) == pytest.approx(0.5)
    assert utility("min_power", r, p, 2.0) == pytest.approx(1 - 1.5 / 6.0)


def test_batched_and_per_link_p_max():
    r = np.array([[1.0, 2.0], [3.0, 0.0]])
    p = np.array([[1.0, 1.0], [0.0, 2.0]])
    np.testing.assert_allclose(utility("max_min", r, p, 1.0), [1.0, 0.0])
    np.testing.assert_allclose(utility("min_power", r, p, [1.0, 3.0]), [0.5, 0.5])


def test_resolution_and_refusals():
    assert resolve_objective(None) == "sum_rate"
    assert resolve_objective(None, weights=[1, 2]) == "weighted_sum_rate"
    assert set(OBJECTIVES) == {"sum_rate", "weighted_sum_rate", "max_min", "min_power"}
    with pytest.raises(ObjectiveError, match="unknown objective"):
        resolve_objective("max_fun")
    with pytest.raises(ObjectiveError, match="non-negative"):
        utility("weighted_sum_rate", [1.0, 1.0], [1.0, 1.0], 1.0, weights=[1.0, -1.0])
