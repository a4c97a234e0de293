"""Read the few metadata fields of a GGUF file that ``wagents models`` shows, without loading it.

GGUF layout (v2/v3): magic ``GGUF``, uint32 version, uint64 tensor count, uint64 key-value count,
then key-value pairs (string key, uint32 value type, value). The constants (magic, value types,
llama.cpp's ``general.file_type`` numbering) are the ``gguf`` package's. We read pairs until the
wanted ``general.*`` keys are found and skip the rest, which the ``gguf`` package's own
``GGUFReader`` cannot do: it parses every key (the tokenizer's vocabulary, 262k strings for
Gemma-3) and every tensor descriptor, about 10 s of CPU for the two bundled models against
0.3 s here, and it raises on a tensor type newer than the installed package.
"""

from __future__ import annotations

import struct
from pathlib import Path

from gguf.constants import GGUF_MAGIC, GGUFValueType, LlamaFileType

_SCALARS = {
    GGUFValueType.UINT8: "<B",
    GGUFValueType.INT8: "<b",
    GGUFValueType.UINT16: "<H",
    GGUFValueType.INT16: "<h",
    GGUFValueType.UINT32: "<I",
    GGUFValueType.INT32: "<i",
    GGUFValueType.FLOAT32: "<f",
    GGUFValueType.BOOL: "<?",
    GGUFValueType.UINT64: "<Q",
    GGUFValueType.INT64: "<q",
    GGUFValueType.FLOAT64: "<d",
}
WANTED = ("general.architecture", "general.name", "general.file_type", "general.size_label")


class GGUFError(ValueError):
    """The file is not a readable GGUF file."""


def read_metadata(path: str | Path, wanted: tuple[str, ...] = WANTED) -> dict:
    """Return ``{key: value}`` for the ``wanted`` keys found in the GGUF header of ``path``."""
    found: dict = {}
    with open(path, "rb") as fh:
        if fh.read(4) != struct.pack("<I", GGUF_MAGIC):
            raise GGUFError(f"{path} is not a GGUF file (bad magic)")
        (version,) = struct.unpack("<I", fh.read(4))
        if version < 2:
            raise GGUFError(f"{path}: GGUF version {version} is too old")
        _n_tensors, n_kv = struct.unpack("<QQ", fh.read(16))
        for _ in range(n_kv):
            key = _read_string(fh)
            (vtype,) = struct.unpack("<I", fh.read(4))
            value = _read_value(fh, vtype, keep=key in wanted)
            if key in wanted:
                found[key] = value
                if len(found) == len(wanted):
                    break
    return found


def file_type_name(file_type: int | None) -> str:
    """llama.cpp's name of a ``general.file_type`` (``3`` -> ``Q4_1``, ``0`` -> ``F32``)."""
    if file_type is None:
        return "?"
    try:
        name = LlamaFileType(file_type).name  # MOSTLY_Q4_1, ALL_F32
    except ValueError:
        return f"type {file_type}"
    return name.removeprefix("MOSTLY_").removeprefix("ALL_")


def quantization(path: str | Path) -> str:
    """The quantization name (``Q4_1``) from ``general.file_type``, or ``"?"``."""
    try:
        ft = read_metadata(path, ("general.file_type",)).get("general.file_type")
    except (OSError, GGUFError, struct.error):
        return "?"
    return file_type_name(ft)


def _read_string(fh) -> str:
    (n,) = struct.unpack("<Q", fh.read(8))
    return fh.read(n).decode("utf-8", errors="replace")


def _read_value(fh, vtype: int, keep: bool):
    if vtype in _SCALARS:
        fmt = _SCALARS[vtype]
        (v,) = struct.unpack(fmt, fh.read(struct.calcsize(fmt)))
        return v
    if vtype == GGUFValueType.STRING:
        return _read_string(fh)
    if vtype == GGUFValueType.ARRAY:
        etype, n = struct.unpack("<IQ", fh.read(12))
        if etype in _SCALARS and not keep:
            fh.seek(n * struct.calcsize(_SCALARS[etype]), 1)
            return None
        values = [_read_value(fh, etype, keep) for _ in range(n)]
        return values if keep else None
    raise GGUFError(f"unknown GGUF value type {vtype}")
