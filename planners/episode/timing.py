"""Simulated time: the declared compute profiles of the tiers, and when a plan lands.

Host wall time never enters the simulation: a decision's latency is what its model calls, tool
runs and control-channel exchanges *would* take on the declared hardware (see
:mod:`.latency`), so a run stays deterministic (same seed, temperature 0, same trace).

Timing modes (settings key ``timing``, CLI ``--timing``):

``frozen`` (default, today's behaviour)
    the plan decided from the measurements of slot ``t`` is applied in slot ``t``, on the very
    channel it was computed on, as if thinking took no time. The latency is still recorded.
``realtime``
    the plan decided from the measurements of slot ``t`` lands in slot
    ``t + ceil(latency / slot)`` (:func:`landing_slot`) and is applied from then on, to the
    channel as it is then (fading and mobility go on: the env steps every slot). Until it lands
    the previous plan holds; before the first plan lands every link sends at full power
    (``p_max``: the uncoordinated start the classical optimizers also start from; the env's own
    initial "last powers" are zeros, i.e. silence). The planner decides again in the slot its
    previous plan landed (every slot when plans land at once).

The figures below are DECLARED ASSUMPTIONS, not measurements of this project; each names where it
comes from. Override any of them with the settings key ``timing_model`` (a dict of
:class:`TimingModel` fields; ``edge``/``coordinator``/``cloud`` take dicts of
:class:`ComputeProfile` fields).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

TIMINGS = ("frozen", "realtime")


@dataclass(frozen=True)
class ComputeProfile:
    """What one tier's model computes per second, and how far it is from the devices.

    ``prefill_tps`` prompt tokens evaluated per second; ``decode_tps`` tokens generated per
    second; ``round_trip_ms`` a request's round trip from the devices to this tier and back (ms;
    0 for the device itself); ``source`` where the figures come from.
    """

    prefill_tps: float
    decode_tps: float
    round_trip_ms: float = 0.0
    source: str = ""

    def call_s(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Seconds of one call (or of several, summed): prompt / prefill + completion / decode."""
        return prompt_tokens / self.prefill_tps + completion_tokens / self.decode_tps


# The edge device: the bundled SmolLM2-135M (Q4) under llama.cpp on a phone-class ARM CPU.
# Source: llama.cpp Q4_0 on a Dimensity 9000+ phone CPU (threads = half the cores), Gemma 4 E2B
# (about 2B effective parameters): pp1024 81-104 tok/s, tg256 15-18 tok/s
# (https://pt13762104.github.io/, "Taking a look at Gemma 4 E2B (QAT)"). A 135M model has ~15x
# fewer parameters; linear scaling would give ~1,200-1,500 / ~230-270 tok/s; small models scale
# worse (fixed per-token overheads), so we declare about a third of that for prefill and 0.4 for
# decode.
EDGE = ComputeProfile(
    prefill_tps=500.0,
    decode_tps=100.0,
    round_trip_ms=0.0,
    source="declared: SmolLM2-135M Q4, llama.cpp, phone-class ARM CPU; scaled down from "
    "llama.cpp Q4_0 Gemma 4 E2B on Dimensity 9000+ (pp 81-104, tg 15-18 tok/s), "
    "https://pt13762104.github.io/",
)
# A cluster coordinator (L1): a MEC server one hop away with a laptop-class GPU and a small model.
# Source: Qwen 2.5 1.5B (4-bit) sustains 131.7 tok/s decode on a laptop RTX 4050
# (arXiv, "Qwen 2.5 1.5B across four platforms", https://www.zhuanzhiai.com/paper/
# ac85eab3575bc91f87450de1fbc488d0); a GTX 1660 Ti prefills a 2B model at 4,400-4,900 tok/s
# (pt13762104.github.io, LiteRT pp1024). Round trip: one radio hop to the MEC, declared 10 ms.
COORDINATOR = ComputeProfile(
    prefill_tps=4000.0,
    decode_tps=130.0,
    round_trip_ms=10.0,
    source="declared: MEC server, laptop-class GPU, 1.5B 4-bit model (decode 131.7 tok/s on an "
    "RTX 4050; prefill ~4,400 tok/s on a GTX 1660 Ti); 10 ms round trip",
)
# The cloud (L0): a data-centre GPU serving a 7-8B model, one request at a time.
# Sources: Llama-3.1-8B BF16 on one A100 40GB under vLLM decodes ~75 tok/s at one request
# (https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on); Llama 3.1 8B prefills 512
# tokens in 12 ms on an H100 (~40k tok/s; an A100 about a quarter of that), and the network adds
# 5-200 ms (https://io.net/p/ttft-optimization-how-to-reduce-time-to-first-token-by-70).
CLOUD = ComputeProfile(
    prefill_tps=10000.0,
    decode_tps=75.0,
    round_trip_ms=50.0,
    source="declared: A100 serving a 7-8B model (vLLM, one request: decode ~75 tok/s; prefill "
    "~10k tok/s); 50 ms edge-cloud round trip (network 5-200 ms)",
)


@dataclass(frozen=True)
class TimingModel:
    """The declared figures a decision's latency is computed from (:mod:`.latency`).

    ``edge``/``coordinator``/``cloud`` the tiers' :class:`ComputeProfile`. ``air_ms`` the air
    time of one control-channel exchange (one wave's broadcast, or the leader's plan; declared:
    one 1 ms LTE subframe for a short sidelink control message). ``minislot_ms`` one mini-slot
    of the closed loop's pilots and feedback (declared: 1 ms). ``tool_ms`` one run of an
    agent's own tool on its device (declared: 1 ms, a local WMMSE on a handful of rows; the
    model-free ``tool`` team's whole compute). ``classical_ms`` one run of a classical
    optimizer (the ``wmmse``/``best``/... planners, and the coordinators' solver; declared 0:
    numpy WMMSE on K = 6 takes about a millisecond on the host). ``answer_tokens`` the most a
    coordinator's model writes (its ``max_tokens``); coordinator events record only their total
    tokens, so that many are charged at the decode rate and the rest at the prefill rate.
    ``decision_ms`` a declared latency for every decision of the run in place of the computed
    one (None, the default: computed), e.g. to give the model-free team an LLM team's latency.

    A classical planner is central: the devices' measurements go up to the cloud and the plan
    comes back, so its latency is the cloud's round trip plus ``classical_ms``.
    """

    edge: ComputeProfile = EDGE
    coordinator: ComputeProfile = COORDINATOR
    cloud: ComputeProfile = CLOUD
    air_ms: float = 1.0
    minislot_ms: float = 1.0
    tool_ms: float = 1.0
    classical_ms: float = 0.0
    answer_tokens: int = 30
    decision_ms: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


PROFILE_FIELDS = ("edge", "coordinator", "cloud")


def timing_model(over: dict | None = None) -> TimingModel:
    """The declared :class:`TimingModel`, with ``over`` (the settings' ``timing_model``) applied.
    Raises ValueError (one line) for an unknown field or a value that is not a non-negative
    number (rates must be positive)."""
    model = TimingModel()
    if not over:
        return model
    if not isinstance(over, dict):
        raise ValueError("timing_model must map field names to numbers")
    names = {f.name for f in fields(TimingModel)}
    changes = {}
    for key, value in over.items():
        if key not in names:
            raise ValueError(
                f"unknown timing_model field {key!r} (fields: {', '.join(sorted(names))})"
            )
        if key in PROFILE_FIELDS:
            changes[key] = _profile(getattr(model, key), value, key)
        elif key == "decision_ms" and value is None:
            changes[key] = None
        else:
            changes[key] = _number(value, key, positive=False)
    return replace(model, **changes)


def _profile(base: ComputeProfile, over, where: str) -> ComputeProfile:
    if not isinstance(over, dict):
        raise ValueError(f"timing_model.{where} must map profile fields to numbers")
    names = {f.name for f in fields(ComputeProfile)} - {"source"}
    out = {}
    for key, value in over.items():
        if key not in names:
            raise ValueError(f"unknown timing_model.{where} field {key!r} "
                             f"(fields: {', '.join(sorted(names))})")  # fmt: skip
        out[key] = _number(value, f"{where}.{key}", positive=key.endswith("_tps"))
    return replace(base, **out, source=f"{base.source}; overridden: {sorted(out)}")


def _number(value, where: str, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"timing_model.{where} must be a number, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"timing_model.{where} must be {'positive' if positive else '>= 0'}")
    return float(value)


def slot_seconds(env) -> float:
    """The env's slot length T in seconds (its scenario config's ``slot_s``: 20 ms by default)."""
    cfg = getattr(env.scenario, "config", None)
    t = getattr(cfg, "slot_s", None)
    if t is None or not t > 0:
        raise ValueError(f"the {env.scenario.name} scenario declares no slot length (slot_s)")
    return float(t)


def slots_late(latency_s: float, slot_s: float) -> int:
    """``ceil(latency / slot)``: how many slots after its measurements a plan lands (0: at once).
    A hair of round-off (1e-9 of a slot) does not cost a whole slot."""
    if latency_s <= 0:
        return 0
    return max(0, math.ceil(latency_s / slot_s - 1e-9))


def landing_slot(decided: int, latency_s: float, slot_s: float) -> int:
    """The slot from which a plan decided from slot ``decided``'s measurements is applied."""
    return decided + slots_late(latency_s, slot_s)
