"""Safe file input and output for the CLI: validated loads and all-or-nothing writes."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
from wireless_agents.demos.errors import UsageError


def load_gains(path: str | os.PathLike) -> np.ndarray:
    """Load power gains from a ``.npy`` file and check them.

    Returns a float64 array of shape ``(K, K)`` or ``(B, K, K)`` with ``G[..., i, j]`` the linear
    power gain from transmitter ``j`` to receiver ``i``. Raises :class:`UsageError` with a one-line
    reason for a missing file, a file numpy cannot read, complex or non-numeric data, a wrong shape,
    NaN or infinite entries, or negative gains.
    """
    p = Path(path)
    if not p.exists():
        raise UsageError(f"channel file not found: {p}")
    if not p.is_file():
        raise UsageError(f"channel file is not a regular file: {p}")
    with open(p, "rb") as fh:
        magic = fh.read(6)
    if magic != b"\x93NUMPY":
        raise UsageError(
            f"{p} is not a numpy .npy file (no .npy header; save gains with numpy.save)"
        )
    _check_npy_header(p)
    try:
        arr = np.load(p, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise UsageError(f"{p} is not a numpy .npy file ({_first_line(exc)})") from None
    if np.iscomplexobj(arr):
        raise UsageError(
            f"{p} holds complex values; pass power gains |h|^2 (real, non-negative), not amplitudes"
        )
    if arr.dtype.kind not in "biuf":
        raise UsageError(f"{p} holds {arr.dtype} data; expected real numbers (power gains)")
    if arr.ndim not in (2, 3) or arr.shape[-1] != arr.shape[-2] or arr.shape[-1] == 0:
        raise UsageError(
            f"{p} has shape {arr.shape}; expected (K, K) or (B, K, K) power gains, "
            "G[..., i, j] from transmitter j to receiver i"
        )
    if arr.ndim == 3 and arr.shape[0] == 0:
        raise UsageError(f"{p} has an empty batch: shape {arr.shape}")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise UsageError(f"{p} has {bad} NaN or infinite gain(s)")
    if np.any(arr < 0):
        raise UsageError(f"{p} has {int(np.sum(arr < 0))} negative gain(s); power gains are >= 0")
    if np.any(np.diagonal(arr, axis1=-2, axis2=-1) <= 0):
        raise UsageError(f"{p} has a zero direct gain G[i, i]: that link can never carry data")
    return arr


# the most gains a channel file may hold: 10^8 entries are 800 MB as float64 (a 10^4-link
# matrix), beyond what any planner here can solve; a larger header is refused unread
MAX_GAIN_ENTRIES = 10**8


def _check_npy_header(p: Path) -> None:
    """Refuse a ``.npy`` file from its header alone, before numpy allocates its array: a
    header numpy cannot read, Python objects (pickles), a shape that is not ``(K, K)`` or
    ``(B, K, K)``, more than :data:`MAX_GAIN_ENTRIES` gains, or a data size that is not the
    file's (a header that declares more than the file holds)."""
    fmt = np.lib.format
    try:
        with open(p, "rb") as fh:
            version = fmt.read_magic(fh)
            if version not in ((1, 0), (2, 0), (3, 0)):
                raise ValueError(f"unknown .npy format version {version[0]}.{version[1]}")
            read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = read(fh)
            offset = fh.tell()
    except (ValueError, OSError, EOFError, SyntaxError) as exc:
        raise UsageError(f"{p} is not a numpy .npy file ({_first_line(exc)})") from None
    if dtype.hasobject:
        raise UsageError(f"{p} holds Python objects; expected real numbers (power gains)")
    if len(shape) not in (2, 3):
        raise UsageError(
            f"{p} has shape {shape}; expected (K, K) or (B, K, K) power gains, "
            "G[..., i, j] from transmitter j to receiver i"
        )
    entries = int(np.prod(shape, dtype=object))
    if entries > MAX_GAIN_ENTRIES:
        raise UsageError(
            f"{p} declares shape {shape} ({entries:.3g} gains); at most "
            f"{MAX_GAIN_ENTRIES:,} gains are read"
        )
    need, have = entries * dtype.itemsize, p.stat().st_size - offset
    if need != have:
        raise UsageError(
            f"{p} declares shape {shape} of {dtype} ({need} bytes) but holds {have} bytes "
            "of data: the file is truncated or its header is wrong"
        )


def check_writable(path: str | os.PathLike) -> Path:
    """Fail early (before any work) if ``path`` cannot be written: its folder must exist."""
    p = Path(path)
    if p.exists() and p.is_dir():
        raise UsageError(f"output path is a directory: {p}")
    if not p.parent.exists():
        raise UsageError(f"output folder does not exist: {p.parent}")
    if not os.access(p.parent, os.W_OK):
        raise UsageError(f"output folder is not writable: {p.parent}")
    return p


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file in the same folder, then rename.

    An interruption leaves either the old file or none, never half a file.
    """
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    """Save one array as ``.npy`` atomically (see :func:`atomic_write_bytes`)."""
    import io

    buf = io.BytesIO()
    np.save(buf, np.asarray(array), allow_pickle=False)
    atomic_write_bytes(path, buf.getvalue())


def save_json(path: str | os.PathLike, obj) -> None:
    """Save a JSON document atomically, indented, with a trailing newline."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2) + "\n").encode())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
