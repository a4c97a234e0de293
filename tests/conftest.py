"""Fixtures shared by the test files."""

from __future__ import annotations

import pytest
from wireless_agents.agents.models import DEFAULT_MODEL, load_model


@pytest.fixture(scope="session")
def model():
    """The bundled default model (SmolLM2-135M-Instruct Q4_1 on llama.cpp), loaded once."""
    return load_model(DEFAULT_MODEL)
