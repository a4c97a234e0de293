"""Model backends compared: tokens per second of each on the same fixed prompts.

Run ``python -m wireless_agents.demos.benchmarks.backends`` (``--quick`` for one round of fewer tokens). Rows:

=========================  ===================================================================
llama.cpp smollm2          SmolLM2-135M-Instruct Q4_1, the default edge model
llama.cpp gemma3           Gemma-3-270M Q4_K_M (base model)
transformers smollm2       the same SmolLM2 GGUF dequantized to float32, plain PyTorch on the CPU
http smollm2               llama-cpp-python's OpenAI server on loopback serving the SmolLM2 GGUF
=========================  ===================================================================

Every backend gets the same raw prompts through ``complete`` (gemma3 has no chat template),
greedy. Token counts are each model's own (tokenizers differ). Columns:

- ``prefill tok/s``: prompt tokens / seconds of a call that generates one token;
- ``decode tok/s``: extra completion tokens / extra seconds of a call generating ``--tokens``;
- ``gen tok/s``: completion tokens per model second of that whole call (prefill included);
- ``json tok/s``: the same, with output constrained by a JSON schema (the agents' case).

Consecutive calls never share a prompt, so llama.cpp's KV-cache prefix reuse does not hide the
prefill. Seconds are the backends' own (``Completion.seconds``), over all rounds.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from wireless_agents.agents.backends.base import BackendError, GenerationConfig  # noqa: E402
from wireless_agents.agents.models import ModelNotFoundError, load_model, parse_model_spec  # noqa: E402

PROMPTS = (
    "Wireless links share one band. Link 1 hears link 2 strongly, so",
    "Question: two transmitters interfere. Should both use full power? Answer:",
    "Transmit power control in a cellular uplink is a classic problem. Each user picks a power "
    "between zero and a maximum; a higher power raises its own signal but also the interference "
    "that every other receiver sees. The weighted minimum mean square error algorithm finds a "
    "stationary point of the sum-rate problem by alternating three closed-form updates. In "
    "practice, an edge device with a small language model has to decide quickly, and",
)
SCHEMA = {
    "type": "object",
    "properties": {
        "power": {"type": "number"},
        "message": {"type": "string", "maxLength": 60},
    },
    "required": ["power", "message"],
}
BACKENDS = ("llama.cpp smollm2", "llama.cpp gemma3", "transformers smollm2", "http smollm2")


@dataclass
class Tally:
    tokens: int = 0
    seconds: float = 0.0

    def add(self, tokens: int, seconds: float) -> None:
        self.tokens += tokens
        self.seconds += seconds

    def rate(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else float("nan")


def measure(model, tokens: int, rounds: int) -> dict:
    """Prefill, decode, whole-call and JSON-constrained rates of one backend."""
    one = GenerationConfig(max_tokens=1)
    many = GenerationConfig(max_tokens=tokens)
    model.complete("Warm up: the channel gain is", config=GenerationConfig(max_tokens=4))
    prefill, decode, gen, js = Tally(), Tally(), Tally(), Tally()
    prompt_tokens = 0
    for _ in range(rounds):
        firsts = [model.complete(p, config=one) for p in PROMPTS]
        for first in firsts:
            prefill.add(first.prompt_tokens, first.seconds)
            prompt_tokens += first.prompt_tokens
        for p, first in zip(PROMPTS, firsts, strict=True):
            full = model.complete(p, config=many)
            gen.add(full.completion_tokens, full.seconds)
            decode.add(
                full.completion_tokens - first.completion_tokens, full.seconds - first.seconds
            )
        for p in PROMPTS:
            c = model.complete(p + " Decision as JSON:", schema=SCHEMA, config=many)
            js.add(c.completion_tokens, c.seconds)
    return {
        "prompt": prompt_tokens / (rounds * len(PROMPTS)),
        "prefill": prefill.rate(),
        "decode": decode.rate(),
        "gen": gen.rate(),
        "json": js.rate(),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackServer:
    """llama-cpp-python's OpenAI-compatible server on 127.0.0.1, stopped on exit."""

    def __init__(self, model_path: str, wait_s: float = 60.0):
        self.url = f"http://127.0.0.1:{_free_port()}/v1"
        port = self.url.rsplit(":", 1)[1].split("/")[0]
        self.log = tempfile.TemporaryFile()
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", model_path,
               "--host", "127.0.0.1", "--port", port, "--n_ctx", "2048"]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_s = wait_s

    def __enter__(self) -> str:
        from wireless_agents.agents.backends.http import OpenAIHTTPBackend

        probe = OpenAIHTTPBackend(name="probe", kind="http", base_url=self.url, timeout=1.0)
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                probe.models()
                return self.url
            except BackendError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise BackendError("llama_cpp.server did not start") from None
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def run(name: str, tokens: int, rounds: int) -> dict:
    kind, model = name.split()
    t0 = time.perf_counter()
    if kind == "http":
        with LoopbackServer(parse_model_spec(model).location) as url:
            backend = load_model(url, timeout=120.0)
            load_s = time.perf_counter() - t0
            return {"load": load_s, **measure(backend, tokens, rounds)}
    backend = load_model(model if kind == "llama.cpp" else f"{kind}:{model}")
    load_s = time.perf_counter() - t0
    return {"load": load_s, **measure(backend, tokens, rounds)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of 16 tokens")
    parser.add_argument("--tokens", type=int, default=32, help="tokens per generation (32)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds over the prompts (2)")
    parser.add_argument("--only", nargs="+", choices=BACKENDS, metavar="BACKEND",
                        help=f"subset of: {', '.join(repr(b) for b in BACKENDS)}")  # fmt: skip
    args = parser.parse_args(argv)
    tokens, rounds = (16, 1) if args.quick else (args.tokens, args.rounds)
    cols = ("load s", "prompt tok", "prefill tok/s", "decode tok/s", "gen tok/s", "json tok/s")
    header = f"{'backend':<22}" + "".join(f"{c:>14}" for c in cols)
    load1 = os.getloadavg()[0]  # other work on the machine skews every number
    print(
        f"{os.cpu_count()} cores (load average {load1:.1f}), greedy, "
        f"{tokens} tokens per generation, {rounds} round(s)"
    )
    print(header)
    print("-" * len(header))
    for name in args.only or BACKENDS:
        try:
            r = run(name, tokens, rounds)
        except (BackendError, ModelNotFoundError) as exc:
            print(f"{name:<22}  unavailable: {exc}", flush=True)
            continue
        vals = (r["load"], r["prompt"], r["prefill"], r["decode"], r["gen"], r["json"])
        print(f"{name:<22}" + "".join(f"{v:>14.1f}" for v in vals), flush=True)


if __name__ == "__main__":
    main()
