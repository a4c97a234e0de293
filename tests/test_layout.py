"""The house: one import root in the wheel, no import cycle, imports pointing one way.

demos -> planners -> agents -> tools -> environment: a module may import its own layer and the
layers below it, never above; the library (everything but ``demos/``) never imports ``demos``.
Type-only imports count too: a cycle through ``TYPE_CHECKING`` is still two ideas tangled.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("environment", "tools", "agents", "planners", "demos")  # bottom to top
PACKAGE = "wireless_agents"


def _modules() -> dict[str, Path]:
    """``{"planners.coordination.graph": path, ...}`` for every module of the five folders."""
    out = {}
    for layer in LAYERS:
        for p in (ROOT / layer).rglob("*.py"):
            parts = list(p.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = p
    return out


def _imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """The project modules each module imports (absolute through the root, or relative); a
    package's ``__init__`` importing its own modules (re-exports) is not counted."""

    def resolve(name: str) -> str | None:
        name = name.removeprefix(PACKAGE + ".")
        while name:
            if name in mods:
                return name
            name = name.rpartition(".")[0]
        return None

    edges: dict[str, set[str]] = {}
    for m, p in mods.items():
        pkg = m if p.name == "__init__.py" else m.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith(PACKAGE + ".")]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = pkg.split(".")
                    up = up[: len(up) - (node.level - 1)]
                    base = ".".join([*up, base] if base else up)
                elif not base.startswith(PACKAGE + "."):
                    continue
                names = [f"{base}.{a.name}" for a in node.names] + [base]
            else:
                continue
            for n in names:
                r = resolve(n)
                # a package's __init__ re-exporting its own modules is no edge back
                if (
                    r is not None
                    and r != m
                    and not (p.name == "__init__.py" and r.startswith(m + "."))
                ):
                    found.add(r)
        edges[m] = found
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    cycles = _cycles(_imports(_modules()))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_imports_point_down_and_nothing_imports_demos():
    rank = {layer: n for n, layer in enumerate(LAYERS)}
    wrong = [
        f"{m} -> {t}"
        for m, targets in _imports(_modules()).items()
        for t in targets
        if rank[t.split(".")[0]] > rank[m.split(".")[0]]
    ]
    assert not wrong, "imports against the house's direction: " + ", ".join(sorted(wrong))


def test_the_graph_walker_sees_cycles_and_upward_imports(tmp_path):
    """The checks above can fail: the walker finds a planted cycle and a planted upward import."""
    edges = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "b": set()}
    assert _cycles(edges) == [["a.x", "a.y", "a.z"]]
    mods = {"tools.f": tmp_path / "f.py", "planners.g": tmp_path / "g.py"}
    mods["tools.f"].write_text("from wireless_agents.planners.g import h\n")
    mods["planners.g"].write_text("from wireless_agents.tools import f\n")
    assert _imports(mods) == {"tools.f": {"planners.g"}, "planners.g": {"tools.f"}}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a clean copy of the sources (an in-tree ``build/`` may hold stale
    modules that setuptools would pack)."""
    src = tmp_path_factory.mktemp("src") / "wireless-agents"
    junk = (".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*junk))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
        check=True, timeout=600,
    )  # fmt: skip
    (whl,) = out.glob("wireless_agents-*.whl")
    return whl


def test_wheel_installs_one_import_root_with_every_module(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {PACKAGE}
    missing = [
        f"{PACKAGE}/{p.relative_to(ROOT).as_posix()}"
        for layer in LAYERS
        for p in (ROOT / layer).rglob("*")
        if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts
        and f"{PACKAGE}/{p.relative_to(ROOT).as_posix()}" not in names
    ]  # fmt: skip
    assert not missing, f"modules missing from the wheel: {missing}"
    assert not [n for n in names if n.startswith(f"{PACKAGE}/tests/")]


def test_public_api_and_pettingzoo_registration():
    import pettingzoo

    import wireless_agents as wa

    for name in ("make_env", "solve", "solve_detailed", "load_model", "parse_intent",
                 "LLMPlanner", "TeamConfig", "run_episode"):  # fmt: skip
        assert name in wa.__all__ and callable(getattr(wa, name))
    env = pettingzoo.make("parallel", "wireless_agents/d2d-v0", n_agents=3, seed=0)
    obs, _ = env.reset(seed=0)
    assert sorted(obs) == ["agent_0", "agent_1", "agent_2"]
