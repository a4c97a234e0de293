"""transformers backend: the same models at full precision on the CPU, for reference runs.

``model_path`` is either a GGUF file, which transformers dequantizes to float32 on load
(``from_pretrained(folder, gguf_file=name)``, model and tokenizer alike), or a local transformers
model folder. Nothing is downloaded: ``HF_HUB_OFFLINE=1`` and ``local_files_only=True``.
torch and llguidance come with the ``full-precision`` extra (``pip install
'wireless-agents[full-precision]'``); :func:`wireless_agents.agents.models.load_model` checks for
them before importing this module.

Decoding is a plain loop over the model's KV cache: greedy when ``temperature == 0``, otherwise
sampling from a ``torch.Generator`` seeded with ``config.seed``, through llama-cpp-python's
default chain (``top_k = 40``, ``top_p = 0.95``, ``min_p = 0.05``, then temperature), so both
backends sample alike. Stop strings end the text
before they start, as llama.cpp does.

Decoding constraints: a JSON schema becomes an llguidance grammar
(``LLMatcher.grammar_from_json_schema``, compact JSON without free whitespace); at every step the
matcher's token bitmask sets the logits of forbidden tokens to ``-inf``. A schema llguidance cannot
compile raises :class:`SchemaError`; there is no unconstrained fallback. llguidance is a small
Rust library with no dependencies (the engine behind llama.cpp's ``%llguidance`` grammars and
vLLM's ``guided_json``); xgrammar works too but pulls in triton, a gigabyte useless on a CPU.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import time
from dataclasses import dataclass, field

from wireless_agents.agents.backends.base import (
    BackendError,
    Completion,
    GenerationConfig,
    ModelBackend,
    SchemaError,
)
from wireless_agents.agents.backends.threads import default_threads

os.environ["HF_HUB_OFFLINE"] = "1"  # before transformers / huggingface_hub read it

TOP_K, TOP_P, MIN_P = 40, 0.95, 0.05  # llama-cpp-python's sampling defaults
JSON_OPTIONS = {"whitespace_flexible": False}  # {"a":1}: no room for runaway blank lines


@dataclass
class TransformersBackend(ModelBackend):
    """A GGUF file (dequantized to float32) or a transformers folder, loaded once on the CPU."""

    model_path: str = ""
    n_threads: int = field(default_factory=default_threads)
    _model: object = field(default=None, repr=False)
    _tok: object = field(default=None, repr=False)
    _eos: frozenset = field(default=frozenset(), repr=False)
    _lltok: object = field(default=None, repr=False)
    _cache_arg: str = field(default="cache", repr=False)

    def __post_init__(self) -> None:
        path = os.path.expanduser(self.model_path)
        if os.path.isfile(path):
            if not path.lower().endswith(".gguf"):
                raise BackendError(f"not a GGUF file or model folder: {path}")
            folder, kwargs = os.path.dirname(path) or ".", {"gguf_file": os.path.basename(path)}
        elif os.path.isdir(path):
            folder, kwargs = path, {}
        else:
            raise BackendError(f"model not found: {path}")

        import torch
        import transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(self.n_threads)
        major = int(transformers.__version__.split(".")[0])
        f32 = {"dtype" if major >= 5 else "torch_dtype": torch.float32}
        try:
            with _quiet_gguf_progress():
                self._tok = AutoTokenizer.from_pretrained(folder, local_files_only=True, **kwargs)
                self._model = AutoModelForCausalLM.from_pretrained(
                    folder, local_files_only=True, **f32, **kwargs
                ).eval()
        except Exception as exc:
            raise BackendError(f"could not load transformers model {path}: {exc}") from exc
        params = inspect.signature(self._model.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"  # transformers 5 / 4
        eos = {self._tok.eos_token_id, *_ids(self._model.generation_config.eos_token_id)}
        self._eos = frozenset(i for i in eos if i is not None)
        if not getattr(self._tok, "chat_template", None):
            self.is_chat = False  # a base model: prompt it few-shot through complete()

    # -- tokens and grammar -------------------------------------------------------------------
    @property
    def tokenizer(self):
        """The transformers tokenizer (read from the GGUF file for GGUF models)."""
        return self._tok

    @property
    def model(self):
        """The ``torch.nn.Module`` (float32, CPU, eval mode)."""
        return self._model

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` under this model's tokenizer (no BOS)."""
        return len(self._tok.encode(text, add_special_tokens=False))

    def _compile_schema(self, schema_json: str):
        """An llguidance grammar for the schema, validated against this tokenizer."""
        from llguidance import LLMatcher

        grammar = LLMatcher.grammar_from_json_schema(schema_json, defaults=JSON_OPTIONS)
        bad, why = LLMatcher.validate_grammar_with_warnings(grammar, self._llguidance_tokenizer())
        if bad:
            raise SchemaError(f"JSON schema cannot be turned into a grammar: {why[0]}")
        return grammar

    def _llguidance_tokenizer(self):
        if self._lltok is None:
            import llguidance.hf

            vocab = self._model.get_output_embeddings().out_features
            eos = self._tok.eos_token_id
            self._lltok = llguidance.hf.from_tokenizer(self._tok, n_vocab=vocab, eos_token=eos)
        return self._lltok

    # -- calls --------------------------------------------------------------------------------
    def _chat(self, messages, schema, config) -> Completion:
        if not self.is_chat:
            raise BackendError(f"model {self.name} has no chat template: use complete()")
        t0 = time.perf_counter()
        prompt = self._tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        ids = self._tok.encode(prompt, add_special_tokens=False)
        return self._generate(ids, schema, config, t0)

    def _complete(self, prompt, schema, config) -> Completion:
        t0 = time.perf_counter()
        return self._generate(self._tok.encode(prompt), schema, config, t0)

    def _generate(self, ids: list[int], schema, config: GenerationConfig, t0: float) -> Completion:
        import numpy as np
        import torch

        grammar = self.grammar(schema)
        matcher = mask = None
        if grammar is not None:
            from llguidance import LLMatcher
            from llguidance.numpy import allocate_token_bitmask, fill_next_token_bitmask

            matcher = LLMatcher(self._llguidance_tokenizer(), grammar, log_level=0)
            if matcher.is_error():
                raise SchemaError(f"grammar rejected: {matcher.get_error()}")
            mask = allocate_token_bitmask(1, self._lltok.vocab_size)
        gen = torch.Generator().manual_seed(int(config.seed))
        out: list[int] = []
        text, finish, past = "", "length", None
        step = torch.tensor([ids], dtype=torch.long)
        arg = self._cache_arg
        with torch.inference_mode():
            for _ in range(config.max_tokens):
                r = self._model(input_ids=step, use_cache=True, logits_to_keep=1, **{arg: past})
                past, logits = r[arg], r.logits[0, -1].float()
                if matcher is not None:
                    fill_next_token_bitmask(matcher, mask)
                    bits = np.unpackbits(mask[0].view(np.uint8), bitorder="little")
                    allowed = torch.from_numpy(bits[: logits.shape[0]].astype(bool))
                    logits = logits.masked_fill(~allowed, float("-inf"))
                token = _pick(logits, config.temperature, gen)
                if token in self._eos:
                    finish = "stop"
                    break
                out.append(token)
                if matcher is not None:
                    if not matcher.consume_token(token):
                        raise BackendError(f"grammar matcher failed: {matcher.get_error()}")
                text = self._tok.decode(out, skip_special_tokens=True)
                cut = _first_stop(text, config.stop)
                if cut is not None:
                    text, finish = text[:cut], "stop"
                    break
                if matcher is not None and matcher.is_stopped():
                    finish = "stop"  # the schema's value is complete; only EOS could follow
                    break
                step = torch.tensor([[token]], dtype=torch.long)
        return Completion(text, len(ids), len(out), time.perf_counter() - t0, finish, self.name)

    def close(self) -> None:
        self._model = None
        self._grammars.clear()


@contextlib.contextmanager
def _quiet_gguf_progress():
    """Silence transformers' loading progress bars (they would break a dashboard)."""
    try:
        import functools

        from transformers import modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:  # pragma: no cover - a transformers without GGUF support fails later
        yield
        return
    from transformers.utils import logging as hf_logging

    bar = getattr(gguf_utils, "tqdm", None)
    if bar is not None:
        gguf_utils.tqdm = functools.partial(bar, disable=True)
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # "Loading weights"
    try:
        yield
    finally:
        if bar is not None:
            gguf_utils.tqdm = bar
        if bars:
            hf_logging.enable_progress_bar()


def _ids(x) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _pick(logits, temperature: float, gen) -> int:
    """Greedy for ``temperature <= 0``; else llama.cpp's chain: top-k, top-p, min-p, temperature."""
    import torch

    if temperature <= 0:
        return int(torch.argmax(logits))
    vals, idx = torch.topk(logits, min(TOP_K, logits.shape[0]))  # sorted, largest first
    probs = torch.softmax(vals, dim=-1)
    keep = (torch.cumsum(probs, dim=-1) - probs < TOP_P) & (probs >= MIN_P * probs[0])
    keep[0] = True
    weights = torch.softmax(vals[keep] / temperature, dim=-1)
    return int(idx[keep][torch.multinomial(weights, 1, generator=gen)])


def _first_stop(text: str, stops) -> int | None:
    hits = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return min(hits) if hits else None
