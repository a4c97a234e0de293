"""The edge agent: perceive, remember, plan (with tools), talk; never crash the episode.

One :class:`EdgeAgent` is one device. Its model backend is shared with every other agent that
uses the same model (:func:`agents.models.load_model`). A decision is one or more model calls
under a JSON-schema grammar:

1. with tools on, the model may first call a tool (``{"tool": "wmmse_step"}``); the result
   goes back into the chat, and the next call must decide;
2. the decision ``{"power": fraction, "message": text}`` is validated and clipped in Python
   (grammars carry no numeric bounds): power into ``[0, cap / p_max]``, message to
   ``message_bytes`` UTF-8 bytes.

A model that errors, times out or answers nonsense yields a safe fallback (its last power, or a
conservative default if it had none), recorded in :attr:`Decision.fallback`; the run goes on.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from wireless_agents.agents.backends.base import (
    BackendError,
    Completion,
    GenerationConfig,
    ModelBackend,
)
from wireless_agents.agents.memory import Memory
from wireless_agents.agents.perception import perceive
from wireless_agents.agents.profile import Profile, read_profile
from wireless_agents.agents.prompts import (
    DECIDE,
    SYSTEM_NO_TOOLS,
    SYSTEM_TOOLS,
    as_completion_prompt,
    decision_schema,
    tool_or_decision_schema,
    user_prompt,
)
from wireless_agents.tools import TOOLS, LocalView, Note, ToolError, call_tool
from wireless_agents.tools.functions import outgoing_note

_TRUNCATED_DECISION = re.compile(
    r'^\{\s*"power"\s*:\s*"(?P<power>[0-9.]+)"\s*,\s*"message"\s*:\s*"(?P<message>[^"\\]*)'
)


@dataclass
class AgentConfig:
    """How an edge agent plans.

    ``tools``: tool names offered (empty = tools off). ``max_tool_calls`` per decision.
    ``max_tokens`` per model call. ``message_bytes``: cap of a message in UTF-8 bytes.
    ``default_power_frac``: the conservative power (fraction of the cap) of a fallback with no
    previous power. ``memory_slots``: slots remembered.
    """

    tools: tuple[str, ...] = ("wmmse_step", "best_response", "what_if", "check_constraints")
    max_tool_calls: int = 1
    max_tokens: int = 40
    temperature: float = 0.0
    seed: int = 0
    message_bytes: int = 48
    default_power_frac: float = 0.5
    memory_slots: int = 4


@dataclass
class Decision:
    """One agent's decision for one slot (or negotiation round).

    ``power`` in watts (validated, clipped), ``message`` the capped text for neighbours,
    ``note`` its machine-readable part, ``tool_calls`` ``[{"tool", "arguments", "result"}]``,
    ``fallback`` why a safe action replaced the model's (None when the model decided),
    ``calls`` the model calls made.
    """

    agent: int
    power: float
    message: str
    note: Note
    tool_calls: list[dict] = field(default_factory=list)
    fallback: str | None = None
    truncated: bool = False  # the model ran out of tokens inside its message
    calls: list[Completion] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    requests: list[tuple[list[dict], dict]] = field(
        default_factory=list, repr=False
    )  # (chat, schema) per call

    @property
    def tokens(self) -> int:
        return sum(c.prompt_tokens + c.completion_tokens for c in self.calls)

    @property
    def model_seconds(self) -> float:
        return sum(c.seconds for c in self.calls)

    def as_event(self) -> dict:
        """JSON-able record for traces."""
        return {
            "agent": self.agent,
            "power": self.power,
            "message": self.message,
            "tool_calls": self.tool_calls,
            "fallback": self.fallback,
            "truncated": self.truncated,
            "tokens": self.tokens,
            "model_seconds": round(self.model_seconds, 6),
            "raw": self.raw,
        }


def cap_message(text: str, limit: int) -> str:
    """Strip ``text`` and cut it to at most ``limit`` UTF-8 bytes at a character boundary."""
    text = " ".join(str(text).split())
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit].decode(errors="ignore").rstrip()


class EdgeAgent:
    """One device's agent. ``agent_id`` is the link index; ``backend`` its (shared) model;
    ``profile_text`` the device's own situation in words (None: it has none), read once by
    :meth:`read_profile` into :attr:`profile`."""

    profile_text: str | None = None

    def __init__(self, agent_id: int, backend: ModelBackend, config: AgentConfig | None = None):
        self.agent_id = int(agent_id)
        self.backend = backend
        self.config = config or AgentConfig()
        unknown = [t for t in self.config.tools if t not in TOOLS]
        if unknown:
            raise ToolError(f"unknown tool(s) {unknown}; tools: {', '.join(TOOLS)}")
        self.memory = Memory(slots=self.config.memory_slots)

    # -- perceive / remember --------------------------------------------------------------------
    def perceive(self, view: LocalView, slot: int | None = None) -> str:
        return perceive(view, slot)

    def remember(
        self, slot: int, power_frac: float, rate: float, heard: list[tuple[int, str]] = ()
    ) -> None:
        """Record the outcome of a slot and the messages heard in it."""
        self.memory.record(slot, power_frac, rate)
        for sender, text in heard:
            self.memory.hear(sender, text)

    # -- its own profile ----------------------------------------------------------------------
    @property
    def profile(self) -> Profile | None:
        """The profile this agent read (kept in its memory), None before it read one."""
        saved = self.memory.profile
        return None if saved is None else Profile.from_dict(saved)

    def read_profile(self, reader: str = "model") -> Profile | None:
        """Read this device's profile once, in this agent's own call on its own model (or with
        the rules, ``reader="rules"``), and keep it in memory. Returns the new profile, or None
        when there is nothing to read (no text, or already read: no second read)."""
        if not self.profile_text or self.memory.profile is not None:
            return None
        prof = read_profile(self.profile_text, self.agent_id, self.backend, reader)
        self.memory.profile = prof.as_dict()
        return prof

    def own_view(self, view: LocalView) -> LocalView:
        """``view`` tightened by this device's own profile (its floor and cap), if it read one."""
        prof = self.profile
        return view if prof is None else prof.apply(view)

    # -- plan / talk --------------------------------------------------------------------------
    def decide(
        self, view: LocalView, inbox: list[tuple[int, str]] = (), slot: int | None = None
    ) -> Decision:
        """Plan this agent's power for the coming slot and the message that goes with it."""
        cfg = self.config
        system = SYSTEM_TOOLS if cfg.tools else SYSTEM_NO_TOOLS
        messages = [
            {"role": "system", "content": system},
            {
                "role": "user",
                "content": user_prompt(
                    self.perceive(view, slot), self.memory.summary(), list(inbox)
                ),
            },
        ]
        gen = GenerationConfig(
            max_tokens=cfg.max_tokens, temperature=cfg.temperature, seed=cfg.seed
        )
        chars = cfg.message_bytes
        decision = Decision(self.agent_id, 0.0, "", Note(self.agent_id))
        try:
            for n_call in range(cfg.max_tool_calls + 1):
                may_call = bool(cfg.tools) and n_call < cfg.max_tool_calls
                schema = (
                    tool_or_decision_schema(list(cfg.tools), chars)
                    if may_call
                    else decision_schema(chars)
                )
                decision.requests.append((list(messages), schema))
                out = self._ask(messages, schema, gen)
                decision.calls.append(out)
                decision.raw.append(out.text)
                answer = json.loads(out.text)
                if "tool" in answer:
                    name = answer["tool"]
                    if not may_call or not isinstance(name, str) or name not in cfg.tools:
                        # a server that ignores the grammar may name any tool, or none
                        error = f"tool not offered: {str(name)[:40]!r}"
                        decision.tool_calls.append({"tool": str(name)[:40], "arguments": {},
                                                    "error": error})  # fmt: skip
                        return self._fallback(decision, view, error)
                    try:
                        result = call_tool(name, view)
                    except Exception as exc:  # a failing tool degrades the plan, not the run
                        error = f"tool error: {name}: {type(exc).__name__}: {exc}"[:200]
                        decision.tool_calls.append({"tool": name, "arguments": {},
                                                    "error": error})  # fmt: skip
                        return self._fallback(decision, view, error)
                    decision.tool_calls.append({"tool": name, "arguments": {}, "result": result})
                    messages += [
                        {"role": "assistant", "content": out.text},
                        {"role": "user", "content": f"Result: {json.dumps(result)}. {DECIDE}"},
                    ]
                    continue
                return self._finish(decision, view, answer.get("power"), answer.get("message", ""))
            return self._fallback(decision, view, "no decision after tool calls")
        except BackendError as exc:
            return self._fallback(decision, view, f"model error: {exc}")
        except json.JSONDecodeError as exc:
            # A decision cut off by max_tokens inside its message still carries a complete,
            # grammar-checked power (it is written first): keep it, keep the message so far.
            cut = _TRUNCATED_DECISION.match(decision.raw[-1]) if decision.raw else None
            if cut:
                decision.truncated = True
                return self._finish(decision, view, cut["power"], cut["message"])
            return self._fallback(decision, view, f"unparsable answer ({exc.msg})")
        except (TypeError, AttributeError) as exc:
            return self._fallback(decision, view, f"unparsable answer ({type(exc).__name__})")

    def _ask(self, messages, schema, gen) -> Completion:
        if self.backend.is_chat:
            return self.backend.chat(messages, schema=schema, config=gen)
        return self.backend.complete(as_completion_prompt(messages), schema=schema, config=gen)

    def _finish(self, decision: Decision, view: LocalView, power, message) -> Decision:
        try:
            power = float(power)
        except (TypeError, ValueError):
            return self._fallback(decision, view, f"invalid power {power!r}")
        if not math.isfinite(power):
            return self._fallback(decision, view, f"invalid power {power!r}")
        frac = min(max(float(power), 0.0), view.p_cap / view.p_max)
        decision.power = frac * view.p_max
        decision.message = cap_message(message, self.config.message_bytes)
        decision.note = self._note(view, decision.power)
        return decision

    def _fallback(self, decision: Decision, view: LocalView, reason: str) -> Decision:
        keep = min(view.last_power, view.p_cap)
        decision.power = keep if keep > 0 else self.config.default_power_frac * view.p_cap
        decision.fallback = reason
        decision.message = cap_message(
            f"fallback: I stay at {decision.power / view.p_max:.2f}.", self.config.message_bytes
        )
        decision.note = self._note(view, decision.power)
        return decision

    def _note(self, view: LocalView, power: float) -> Note:
        """The machine-readable part of the message (prices, WMMSE terms, request)."""
        request = ""
        if view.min_rate:
            from wireless_agents.tools.local_rates import rate

            if (
                rate(view.direct_gain, power, view.estimated_interference_plus_noise())
                < view.min_rate - 1e-9
            ):
                request = "lower"
        return outgoing_note(view, power, request)
