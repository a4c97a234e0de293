"""Fixtures shared by the test files."""

from __future__ import annotations

import pytest
from wireless_agents.agents.models import DEFAULT_MODEL, load_model


@pytest.fixture(scope="session")
def model():
    """The bundled default model (SmolLM2-135M-Instruct Q4_1 on llama.cpp), loaded once."""
    return load_model(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def view():
    """Link 0's local view of a 3-link d2d drop (seed 0) after one full-power slot."""
    import numpy as np
    from wireless_agents.environment import make_env
    from wireless_agents.tools import LocalView

    env = make_env("d2d", n_agents=3, seed=0)
    env.reset()
    obs, _, _, _, infos = env.step(env.actions_from_powers(np.full(3, env.p_max)))
    return LocalView.from_observation(
        0, obs["agent_0"], infos["agent_0"]["neighbours"], env.p_max, env.noise
    )
