"""Read the few metadata fields of a GGUF file that ``wagents models`` shows, without loading it.

GGUF layout (v2/v3): magic ``GGUF``, uint32 version, uint64 tensor count, uint64 key-value count,
then key-value pairs (string key, uint32 value type, value). We read pairs until the wanted
``general.*`` keys are found and skip the rest (tokenizer arrays can be long).
"""

from __future__ import annotations

import struct
from pathlib import Path

# llama.cpp's llama_ftype numbering (general.file_type)
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
}  # fmt: skip

_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9
WANTED = ("general.architecture", "general.name", "general.file_type", "general.size_label")


class GGUFError(ValueError):
    """The file is not a readable GGUF file."""


def read_metadata(path: str | Path, wanted: tuple[str, ...] = WANTED) -> dict:
    """Return ``{key: value}`` for the ``wanted`` keys found in the GGUF header of ``path``."""
    found: dict = {}
    with open(path, "rb") as fh:
        if fh.read(4) != b"GGUF":
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


def quantization(path: str | Path) -> str:
    """The quantization name (``Q4_1``) from ``general.file_type``, or ``"?"``."""
    try:
        ft = read_metadata(path, ("general.file_type",)).get("general.file_type")
    except (OSError, GGUFError, struct.error):
        return "?"
    return FILE_TYPES.get(ft, "?" if ft is None else f"type {ft}")


def _read_string(fh) -> str:
    (n,) = struct.unpack("<Q", fh.read(8))
    return fh.read(n).decode("utf-8", errors="replace")


def _read_value(fh, vtype: int, keep: bool):
    if vtype in _SCALARS:
        fmt = _SCALARS[vtype]
        (v,) = struct.unpack(fmt, fh.read(struct.calcsize(fmt)))
        return v
    if vtype == _STRING:
        return _read_string(fh)
    if vtype == _ARRAY:
        etype, n = struct.unpack("<IQ", fh.read(12))
        if etype in _SCALARS and not keep:
            fh.seek(n * struct.calcsize(_SCALARS[etype]), 1)
            return None
        values = [_read_value(fh, etype, keep) for _ in range(n)]
        return values if keep else None
    raise GGUFError(f"unknown GGUF value type {vtype}")
