"""The default path runs without the full-precision extra; the transformers backend says it needs it.

Each test runs a fresh interpreter, so what it imports is its own: ``sys.modules[name] = None``
makes every ``import name`` there fail as it would if the package were not installed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

FULL_PRECISION = ("torch", "llguidance", "accelerate")


def _run(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_default_path_never_imports_the_full_precision_side(tmp_path):
    code = f"""
import sys
import wireless_agents
from wireless_agents.demos.cli import main

assert main(["models", "--json"]) == 0
model = wireless_agents.load_model()
assert model.kind == "llama.cpp"
args = ["--agents", "2", "--steps", "1", "--rounds", "1", "--max-tokens", "16", "--no-tools"]
assert main(["episode", *args]) == 0
loaded = [n for n in {FULL_PRECISION!r} + ("transformers.modeling_utils",) if n in sys.modules]
print("LOADED", loaded)
"""
    r = _run(code, tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "LOADED []" in r.stdout.splitlines()


@pytest.mark.parametrize("missing", FULL_PRECISION)
def test_transformers_spec_without_the_extra_is_one_line(tmp_path, missing):
    code = f"""
import sys
sys.modules[{missing!r}] = None  # import {missing} now fails as if it were not installed
from wireless_agents.agents.models import ModelNotFoundError, load_model
from wireless_agents.demos.cli import main

try:
    load_model("transformers:smollm2")
except ModelNotFoundError as exc:
    print("RAISED", exc)
sys.exit(main(["episode", "--model", "transformers:smollm2", "--steps", "1"]))
"""
    r = _run(code, tmp_path)
    extra = "pip install 'wireless-agents[full-precision]'"
    assert f"RAISED the transformers backend needs {missing}" in r.stdout, r.stderr[-2000:]
    assert extra in r.stdout
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wagents: error:") and extra in lines[0]
