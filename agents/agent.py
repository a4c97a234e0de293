"""The edge agent: perceive, remember, plan (with tools), talk; never crash the episode.

One :class:`EdgeAgent` is one device. Its model backend is shared with every other agent that
uses the same model (:func:`agents.models.load_model`). A decision is one or more model calls
under a JSON-schema grammar:

1. with tools on, the model may first call a tool (``{"tool": "wmmse_step"}``); the result
   goes back into the chat, and the next call must decide;
2. the decision ``{"power": fraction, "reason": words}`` is validated and clipped in Python
   (grammars carry no numeric bounds): power into ``[0, cap / p_max]``; the reason is a short
   phrase of letters (the grammar bounds it, :data:`~wireless_agents.agents.acts.REASON_PATTERN`).
   When neighbours asked this agent something (``requests``), the decision begins with its
   answer, ``{"answer": "grant" | "refuse", ...}``, and the prompt carries the requests and the
   device's profile in its own words.

The agent's message is a list of acts (:mod:`wireless_agents.agents.acts`), built in Python
around what the model decided (:meth:`EdgeAgent.acts_for`): its answers (a grant caps its power
at what was asked; one its own floor cannot afford becomes an offer of what it can give), the
request its own floor needs (:func:`~wireless_agents.tools.requests.floor_request`) and an
``inform`` of its power. A model that errors, times out or answers nonsense yields a safe
fallback (its last power, or a conservative default if it had none), recorded in
:attr:`Decision.fallback`; it answers nobody; the run goes on.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace

from wireless_agents.agents.acts import Act, clean_reason, message_text
from wireless_agents.agents.backends.base import (
    BackendError,
    Completion,
    GenerationConfig,
    ModelBackend,
)
from wireless_agents.agents.memory import Memory
from wireless_agents.agents.perception import perceive
from wireless_agents.agents.profile import Profile, answer_by_rules, read_profile
from wireless_agents.agents.prompts import (
    ANSWER,
    DECIDE,
    SYSTEM_NO_TOOLS,
    SYSTEM_TOOLS,
    TOOL_REASON,
    answer_guess,
    as_completion_prompt,
    decision_schema,
    tool_or_decision_schema,
    tool_turns,
    user_prompt,
)
from wireless_agents.agents.prompts_compact import PROMPTS, compact_chat, compact_prompt
from wireless_agents.tools import TOOLS, LocalView, Note, ToolError, call_tool
from wireless_agents.tools.functions import outgoing_note
from wireless_agents.tools.requests import floor_request, lowest_keeping_floor

_TRUNCATED_DECISION = re.compile(
    r'^\{\s*(?:"answer"\s*:\s*"(?P<answer>grant|refuse)"\s*,\s*)?'
    r'"power"\s*:\s*"(?P<power>[0-9.]+)"\s*,\s*"reason"\s*:\s*"(?P<reason>[^"\\]*)'
)
FALLBACK_REASON = "fallback, I keep my power"
# a forced decision's reason: the words the system prompt's example gives the model for taking
# its tool's suggestion (SYSTEM_TOOLS), and what the model wrote in every such decision measured
FORCED_REASON = TOOL_REASON
FLOOR_REASON = "my floor is missed"
OWN_FLOOR_REASON = "I keep my own floor"


@dataclass
class AgentConfig:
    """How an edge agent plans.

    ``tools``: tool names offered (empty = tools off). ``max_tool_calls`` per decision.
    ``max_tokens`` per model call. ``default_power_frac``: the conservative power (fraction of
    the cap) of a fallback with no previous power. ``memory_slots``: slots remembered.
    ``inbox``: the model reads its messages and the requests addressed to it (False: the
    ``--no-inbox`` ablation; requests then go unanswered, its own still go out). ``reader``:
    who answers a request, ``model`` (in the decision's own call) or ``rules`` (the model-free
    :func:`~wireless_agents.agents.profile.answer_by_rules` on the device's profile; the model
    then decides only its power). ``direct_tool``: with exactly one tool offered, the agent
    calls it itself and the chat shows the call and its result as if the model had made it
    (calling it is the only move, so no model call is spent on it): one model call per
    decision. False: the model calls it (two
    calls), the path measured beside it. ``skip_forced``: with the tool called directly, a
    decision that leaves language nothing to settle (:meth:`EdgeAgent.forced`: no request to
    answer, no profile, no operator intent, no rules or goal in its perception, and the tool's
    suggestion within its cap) takes the tool's suggestion with no model call at all, and is
    recorded as forced (:attr:`Decision.forced`); False (the default): the model is asked.
    ``prompt``: the prompt layout of the direct-tool path, ``compact`` (the default,
    :mod:`~wireless_agents.agents.prompts_compact`: the tool's result as a sentence, the same
    facts in fewer tokens, ordered for the session cache) or ``full`` (the tool's call and
    result as chat turns, the layout before); the other paths always write the full layout.
    """

    tools: tuple[str, ...] = ("wmmse_step", "best_response", "what_if", "check_constraints")
    max_tool_calls: int = 1
    max_tokens: int = 40
    temperature: float = 0.0
    seed: int = 0
    default_power_frac: float = 0.5
    memory_slots: int = 4
    inbox: bool = True
    reader: str = "model"
    direct_tool: bool = True
    skip_forced: bool = False
    prompt: str = PROMPTS[0]

    def __post_init__(self) -> None:
        if self.prompt not in PROMPTS:
            raise ValueError(f"prompt must be one of {', '.join(PROMPTS)}, got {self.prompt!r}")


@dataclass
class Decision:
    """One agent's decision for one slot (or negotiation round).

    ``power`` in watts (validated, clipped), ``acts`` what it says to its neighbours
    (:class:`~wireless_agents.agents.acts.Act`), ``message`` their text, ``note`` the
    machine-readable payload for the neighbours' tools, ``tool_calls``
    ``[{"tool", "arguments", "result"}]``, ``fallback`` why a safe action replaced the model's
    (None when the model decided), ``calls`` the model calls made. ``grant_cap`` the power (W) it
    granted or offered to go to (None: none), ``refused`` the links whose requests it refused.
    ``forced``: nothing was left for language to settle, so the tool's suggestion was taken
    with no model call (``AgentConfig.skip_forced``; ``calls`` is then empty).
    """

    agent: int
    power: float
    message: str
    note: Note
    acts: list[Act] = field(default_factory=list)
    grant_cap: float | None = None
    refused: list[int] = field(default_factory=list)
    tool_calls: list[dict] = field(default_factory=list)
    fallback: str | None = None
    truncated: bool = False  # the model ran out of tokens inside its reason
    forced: bool = False  # the tool's suggestion taken with no model call (skip_forced)
    calls: list[Completion] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    requests: list[tuple[list[dict], dict]] = field(
        default_factory=list, repr=False
    )  # (chat, schema) per call

    @property
    def tokens(self) -> int:
        return sum(c.prompt_tokens + c.completion_tokens for c in self.calls)

    @property
    def tokens_evaluated(self) -> int:
        """Tokens the model computed for this decision (prefill after its cache, plus generated)."""
        return sum(c.evaluated for c in self.calls)

    @property
    def model_seconds(self) -> float:
        return sum(c.seconds for c in self.calls)

    def as_event(self) -> dict:
        """JSON-able record for traces."""
        return {
            "agent": self.agent,
            "power": self.power,
            "message": self.message,
            "acts": [a.as_dict() for a in self.acts],
            "tool_calls": self.tool_calls,
            "fallback": self.fallback,
            "truncated": self.truncated,
            "forced": self.forced,
            "tokens": self.tokens,
            "tokens_evaluated": self.tokens_evaluated,
            # the split the simulated latency needs (prefill and decode rates differ)
            "prompt_tokens": sum(c.prompt_tokens for c in self.calls),
            "completion_tokens": sum(c.completion_tokens for c in self.calls),
            "model_seconds": round(self.model_seconds, 6),
            "raw": self.raw,
        }


def request_text(sender: int, act: Act) -> str:
    """A request to this agent as its prompt reads it, e.g. ``link 1 asks me to lower to 0.4.``"""
    to = "" if act.amount is None or act.kind != "lower" else f" to {act.amount:g}"
    verb = "go silent" if act.kind == "silence" else act.kind
    return f"link {sender} asks me to {verb}{to}."


class EdgeAgent:
    """One device's agent. ``agent_id`` is the link index; ``backend`` its (shared) model;
    ``profile_text`` the device's own situation in words (None: it has none), read once by
    :meth:`read_profile` into :attr:`profile`."""

    profile_text: str | None = None
    operator_intent: str | None = None  # the operator's intent its perception ends with

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
        self, slot: int, power_frac: float, rate: float, heard: list[tuple[int, str]] = (),
        refused_by: list[int] = (),
    ) -> None:  # fmt: skip
        """Record the outcome of a slot, the messages heard in it and the links that refused
        this agent's requests in it."""
        self.memory.record(slot, power_frac, rate)
        for sender, text in heard:
            self.memory.hear(sender, text)
        for j in refused_by:
            self.memory.refused(j, slot)

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
        self,
        view: LocalView,
        inbox: list[tuple[int, str]] = (),
        slot: int | None = None,
        requests: list[tuple[int, Act]] = (),
        refused_by: list[int] = (),
    ) -> Decision:
        """Plan this agent's power for the coming slot and the acts that go with it.

        ``inbox``: ``(sender, text)`` messages its model reads; ``requests``: ``(sender, act)``
        requests addressed to it, which it answers; ``refused_by``: links that refused its own
        requests this slot (it asks the next one). With ``config.inbox`` off the model sees
        neither messages nor requests, and the requests go unanswered."""
        cfg = self.config
        if not cfg.inbox:
            inbox, requests = [], []
        requests = list(requests)
        decision = Decision(self.agent_id, 0.0, "", Note(self.agent_id))
        args = (requests, refused_by)
        # one tool offered: calling it is the only move, so no model call decides it (the
        # old path, the model calling it, stays behind direct_tool=False)
        direct = cfg.direct_tool and len(cfg.tools) == 1
        if direct:
            name = cfg.tools[0]
            result, error = self._run_tool(decision, view, name)
            if error:
                return self._fallback(decision, view, error, *args)
            if cfg.skip_forced and self.forced(view, requests, result):
                decision.forced = True
                power = result["suggested_power"]
                return self._finish(decision, view, power, FORCED_REASON, None, *args)
        answers = bool(requests) and cfg.reader == "model"
        decide_now = ANSWER if answers else DECIDE
        asked = [request_text(s, a) for s, a in requests]
        if direct and cfg.prompt == "compact":  # the tool's result in the prompt, no tool turn
            messages = compact_chat(name, compact_prompt(
                view, slot, self.memory.records, list(inbox), asked, self.profile_text,
                result, decide_now, self.operator_intent,
            ))  # fmt: skip
        else:
            system = SYSTEM_TOOLS if cfg.tools else SYSTEM_NO_TOOLS
            prompt = user_prompt(
                self.perceive(view, slot), self.memory.summary(), list(inbox), asked,
                self.profile_text,
            )  # fmt: skip
            messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
            if direct:  # the conversation as if the model had called it: the call it was bound to
                messages += tool_turns(name, result, decide_now)
        gen = GenerationConfig(
            max_tokens=cfg.max_tokens, temperature=cfg.temperature, seed=cfg.seed
        )
        # what the model is likely to write, for the backend to check: with its tool's result,
        # the decision the system prompt's example leads to; not with requests to answer, where
        # the model weighs its profile and a guess checked in a batch could tip a near tie (the
        # backend's batch and its one-token steps round differently)
        guess = answer_guess(result) if direct and not requests else ""
        try:
            for n_call in range(cfg.max_tool_calls + 1):
                may_call = bool(cfg.tools) and not direct and n_call < cfg.max_tool_calls
                schema = (
                    tool_or_decision_schema(list(cfg.tools), answers)
                    if may_call
                    else decision_schema(answers)
                )
                decision.requests.append((list(messages), schema))
                out = self._ask(messages, schema, replace(gen, draft=guess))
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
                        return self._fallback(decision, view, error, *args)
                    result, error = self._run_tool(decision, view, name)
                    if error:
                        return self._fallback(decision, view, error, *args)
                    messages += tool_turns(name, result, decide_now, out.text)
                    continue
                said = answer.get("answer") if answers else self._rules_answer(requests)
                return self._finish(
                    decision, view, answer.get("power"), answer.get("reason", ""), said, *args
                )
            return self._fallback(decision, view, "no decision after tool calls", *args)
        except BackendError as exc:
            return self._fallback(decision, view, f"model error: {exc}", *args)
        except json.JSONDecodeError as exc:
            # A decision cut off by max_tokens inside its reason still carries a complete,
            # grammar-checked answer and power (they are written first): keep them.
            cut = _TRUNCATED_DECISION.match(decision.raw[-1]) if decision.raw else None
            if cut and (cut["answer"] or not answers):
                decision.truncated = True
                said = cut["answer"] if answers else self._rules_answer(requests)
                return self._finish(decision, view, cut["power"], cut["reason"], said, *args)
            return self._fallback(decision, view, f"unparsable answer ({exc.msg})", *args)
        except (TypeError, AttributeError) as exc:
            return self._fallback(
                decision, view, f"unparsable answer ({type(exc).__name__})", *args
            )

    def forced(self, view: LocalView, requests, result: dict) -> bool:
        """Whether the decision on ``view`` leaves language nothing to settle, given the
        ``requests`` addressed to it and its tool's ``result``: no request to answer, no device
        profile, no operator intent, no rules or goal in its perception (a floor, a cap, an
        objective or a weight), and the tool suggests a power within the cap. The model's only
        move is then to take the suggestion, as its system prompt tells it to."""
        power = result.get("suggested_power") if isinstance(result, dict) else None
        if requests or self.profile_text or self.operator_intent or view.min_rate:
            return False
        if view.objective is not None or view.weight is not None:
            return False
        if view.cap is not None and view.cap < view.p_max:
            return False
        if isinstance(power, bool) or not isinstance(power, (int, float)):
            return False
        return 0.0 <= float(power) <= view.p_cap / view.p_max

    @staticmethod
    def _run_tool(decision: Decision, view: LocalView, name: str) -> tuple[dict | None, str | None]:
        """Run tool ``name`` on ``view`` and record the call in ``decision.tool_calls``:
        ``(result, None)``, or ``(None, error)`` when it raised (anything: a failing tool
        degrades the decision, never the run)."""
        try:
            result = call_tool(name, view)
        except Exception as exc:  # noqa: BLE001 - any fault of the tool is the decision's
            error = f"tool error: {name}: {type(exc).__name__}: {exc}"[:200]
            decision.tool_calls.append({"tool": name, "arguments": {}, "error": error})
            return None, error
        decision.tool_calls.append({"tool": name, "arguments": {}, "result": result})
        return result, None

    def _rules_answer(self, requests) -> str | None:
        """The model-free answer to ``requests`` (None without any)."""
        return answer_by_rules(self.profile_text) if requests else None

    def _ask(self, messages, schema, gen) -> Completion:
        """One model call in this agent's own session (its cached state, see the backends)."""
        session = f"agent {self.agent_id}"
        if self.backend.is_chat:
            return self.backend.chat(messages, schema=schema, config=gen, session=session)
        prompt = as_completion_prompt(messages)
        return self.backend.complete(prompt, schema=schema, config=gen, session=session)

    def _finish(
        self, decision: Decision, view: LocalView, power, reason, answer=None,
        requests=(), refused_by=(),
    ) -> Decision:  # fmt: skip
        try:
            power = float(power)
        except (TypeError, ValueError):
            return self._fallback(decision, view, f"invalid power {power!r}", requests, refused_by)
        if not math.isfinite(power):
            return self._fallback(decision, view, f"invalid power {power!r}", requests, refused_by)
        frac = min(max(float(power), 0.0), view.p_cap / view.p_max)
        decision.power = frac * view.p_max
        self.acts_for(decision, view, clean_reason(reason), answer, requests, refused_by)
        return decision

    def _fallback(
        self, decision: Decision, view: LocalView, reason: str, requests=(), refused_by=()
    ) -> Decision:
        """Keep the last power (capped), or ``default_power_frac`` of the cap the first time;
        answer nobody (a fallback did not read the requests); its own request still goes."""
        decision.power = self.kept_power(view)
        decision.fallback = reason
        self.acts_for(decision, view, FALLBACK_REASON, None, (), refused_by)
        return decision

    def kept_power(self, view: LocalView) -> float:
        """The power (W) an agent keeps when nothing decides it: its last power within its cap,
        or ``default_power_frac`` of the cap the first time (no last power)."""
        keep = min(view.last_power, view.p_cap)
        return keep if keep > 0 else self.config.default_power_frac * view.p_cap

    def acts_for(
        self, decision: Decision, view: LocalView, reason: str, answer: str | None,
        requests=(), refused_by=(),
    ) -> Decision:  # fmt: skip
        """Fill ``decision``'s acts, message and note around its power.

        ``answer`` (``grant``/``refuse``) goes to every request of ``requests``; a grant lowers
        the power to the least asked (a ``silence`` asks 0, a ``raise`` asks nothing lower) and
        sets ``grant_cap``, unless the agent's own floor needs more: then it offers the least
        power that keeps its floor, or refuses when that is no cut at all (a floor out of reach
        that no one left may be asked to close needs nothing:
        :func:`~wireless_agents.tools.requests.lowest_keeping_floor`). ``reason`` goes with
        the answers, or with the ``inform`` when there are none. Then the agent's own request
        (:func:`~wireless_agents.tools.requests.floor_request`, skipping ``refused_by``) and the
        ``inform`` of its power (fraction of p_max)."""
        acts: list[Act] = []
        p_max = view.p_max
        lowers = [(s, a) for s, a in requests if a.kind in ("lower", "silence")]
        if answer == "refuse":
            acts += [Act("refuse", s, a.kind, None, reason) for s, a in requests]
            decision.refused = sorted({int(s) for s, _ in requests})
        elif answer == "grant" and lowers:
            asked = min(0.0 if a.kind == "silence" else float(a.amount or 0.0) for _, a in lowers)
            own = lowest_keeping_floor(view, refused_by)
            target = min(decision.power, max(asked * p_max, own))
            if target < decision.power * (1 - 1e-9) or asked * p_max >= decision.power:
                name = "grant" if target <= asked * p_max * (1 + 1e-9) else "offer"
                why = reason if name == "grant" else OWN_FLOOR_REASON
                acts += [Act(name, s, a.kind, target / p_max, why) for s, a in lowers]
                decision.power = target
                decision.grant_cap = target
            else:
                acts += [Act("refuse", s, a.kind, None, OWN_FLOOR_REASON) for s, a in lowers]
                decision.refused = sorted({int(s) for s, _ in lowers})
        for s, a in requests:
            if answer == "grant" and a.kind == "raise":
                acts.append(Act("grant", s, "raise", decision.power / p_max, reason))
        ask = floor_request(view, refused_by)
        if ask is not None:
            acts.append(Act("request", ask[0], "lower", ask[1], FLOOR_REASON))
        inform_reason = "" if acts and answer else reason
        acts.append(Act("inform", amount=decision.power / p_max, reason=inform_reason))
        decision.acts = acts
        decision.message = message_text(acts)
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
