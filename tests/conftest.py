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


@pytest.fixture
def killed_and_resumed(tmp_path):
    """``run(settings, slot) -> (full, resumed)``: the whole episode, and the same episode
    killed (an exception from its event stream) when slot ``slot`` commits, then resumed from
    its SQLite checkpoint; both with host timings stripped."""
    from wireless_agents.planners.episode import run_episode, strip_timings

    class Stop(Exception):
        pass

    def run(settings, slot: int):
        full = run_episode(settings)

        def stop(event):
            if event.get("type") == "commit" and event["slot"] == slot:
                raise Stop

        ck = str(tmp_path / "run.sqlite")
        with pytest.raises(Stop):
            run_episode(settings, checkpoint=ck, on_event=stop)
        resumed = run_episode(settings, checkpoint=ck, resume=True)
        return strip_timings(full), strip_timings(resumed)

    return run


@pytest.fixture(scope="session")
def intent_keys():
    """What a list of read intents says, as a set: ``("objective", None, name)`` for an objective,
    ``(kind, agent, value)`` (value to 6 decimals) for the rest."""

    def keys(intents) -> set:
        return {
            ("objective", None, it.objective)
            if it.kind == "objective"
            else (it.kind, it.agent, round(it.value, 6))
            for it in intents
        }

    return keys
