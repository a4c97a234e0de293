"""The compact prompt layout (``prompt: compact``, the default): the same facts as the full
layout (:mod:`.prompts`, ``prompt: full``) in fewer tokens, ordered for the agent's session
cache.

For the direct-tool path (one tool offered, the agent runs it): the decision is one model call,
and what it costs is the prefill of what its session has not computed yet (the llama.cpp
backend keeps each agent's KV state and computes a prompt from its first differing token). The
full layout (:mod:`.prompts`) shows the tool as a fake assistant turn ``{"tool": ...}`` and its
result as JSON, repeats every neighbour's message, and starts with the slot's numbers, so a
second round of a slot recomputes nearly all of it. This layout:

- gives the tool's result as a sentence in the user prompt (:func:`result_sentence`), powers
  written as the decision writes them (:func:`~.prompts.power_text`, at most 3 decimals), after
  a system prompt naming the tool (:func:`system_prompt`) and one example turn in this layout
  with its answer (:data:`EXAMPLE`; the same for every call, so computed once: with the example
  in the system prompt alone the bundled model wrote ``{ "power"`` and copied other numbers);
- groups the messages by identical text (:func:`grouped_messages`, lossless);
- puts first what stays the same between the rounds of a slot (who I am, my rules, goal and
  operator intent, my memory, then the slot's measurements) and last what changes between
  rounds (my current power, messages, profile and requests, the tool's result, the instruction).
  Continuing the agent's conversation within a slot instead (round 2 as a new user turn) was
  measured: it computed more tokens per second round (110-116 against 88-108, quick start).

Nothing the decision reads is dropped: the profile, the requests, floors, caps, the goal and
weight, the operator intent all keep their words. What is shorter than in the full layout: the
tool is named once, in the system prompt (its result reads ``My tool suggests power ...``);
rates are in bit/s/Hz, said once in the system prompt; levels (gain, SINR, interference+noise,
the loudest links, noise) are whole dB and dBm; results' rates have at most 2 decimals; the
memory is the slots' ``power, rate`` pairs without their mean (the full layout's ``avg``).
Those cuts were measured on the quick start (48 of 48 decisions' powers as on the full layout
before and after them; 139 tokens computed per decision before them, 118 after). Cut since
(version 0.3.0, the quick start again: 48 of 48 answers as before, 126 -> 101 tokens computed
per decision, the first call's system prompt and example included): the size of the tool's
plan (``4 links in my plan``, which no decision used), ``Decide now.`` (the answer's turn
follows the tool's result; the instruction to answer requests stays), a reason every message
shares said once (:func:`messages_line`), and trailing zeros of powers and rates
(:func:`short`: ``0``, not ``0.00``; every digit is a token).
"""

from __future__ import annotations

from wireless_agents.agents.acts import parse_message
from wireless_agents.agents.memory import SlotRecord
from wireless_agents.agents.perception import _db, _dbm, loudest, rules_and_goal
from wireless_agents.agents.prompts import DECIDE, TOOL_REASON, power_text
from wireless_agents.tools import TOOLS
from wireless_agents.tools.view import LocalView

# the prompt layouts an agent writes (AgentConfig.prompt): ``compact`` this module's, the default
# for the one-tool decision; ``full`` byte for byte the prompts before this layout existed (and
# the layout of every other decision: several tools, the model calling its tool, no tool)
PROMPTS = ("compact", "full")

SYSTEM_COMPACT = (
    "You set the transmit power of one radio link. All links share one band: more power raises "
    "your rate but hurts your neighbours. Answer with JSON only: "
    '{"power": "<fraction of max, 0 to 1>", "reason": "<a few words why>"}. '
    "Rates are in bit/s/Hz."
)


def short(x: float) -> str:
    """``x`` to 2 decimals without trailing zeros (``0``, ``0.8``, ``20.56``): every digit is a
    token of its own to the bundled model's tokenizer."""
    return f"{round(float(x), 2):g}" if abs(x) < 1e5 else f"{x:.0f}"


def memory_text(records: list[SlotRecord]) -> str:
    """The slots an agent remembers, oldest first, one ``power, rate`` pair each (power a
    fraction of p_max, rate in bit/s/Hz): the full layout's memory summary
    (:meth:`~.memory.Memory.summary`) without its mean, written slot by slot, so that the next
    slot's text only appends to it (until the memory is full). Empty without records."""
    if not records:
        return ""
    pairs = "; ".join(f"{short(r.power_frac)}, {short(r.rate)}" for r in records)
    return f"Past slots (power, rate): {pairs}."


def stable_part(
    view: LocalView, slot: int | None = None, intent: str | None = None, memory: str = ""
) -> str:
    """What stays the same between the rounds of a slot: who I am, my rules, the goal and the
    operator's intent (the same every slot), my ``memory`` (:func:`memory_text`, one slot more
    each slot), then the slot's measurements (own gain, last SINR and rate,
    interference+noise, the loudest interferers). Levels in whole dB / dBm, rates in bit/s/Hz
    (the system prompt says so once), powers fractions of p_max."""
    lines = [f"I am link {view.agent} (noise {_dbm(view.noise, 0)}).", *rules_and_goal(view)]
    if intent:
        lines.append(f"Operator intent: {intent}.")
    if memory:
        lines.append(memory)
    head = f"Slot {slot}: " if slot is not None else "Last slot: "
    lines.append(
        f"{head}gain {_db(view.direct_gain, 0)}, SINR {_db(view.last_sinr, 0)}, "
        f"rate {short(view.last_rate)}, interference+noise "
        f"{_dbm(view.interference_plus_noise, 0)}."
    )
    return " ".join(lines + loudest(view, 0))


def grouped_messages(inbox: list[tuple[int, str]], quote: bool = True) -> str:
    """The messages heard, one entry per distinct text with every link that sent it, in the
    order of each text's first sender: ``links 0, 1, 5: "inform 0.2"; link 3: "inform 1"``
    (lossless: every sender and every text is there). Empty without messages."""
    senders: dict[str, list[int]] = {}
    for s, t in inbox:
        senders.setdefault(t, []).append(int(s))
    parts = []
    for text, who in senders.items():
        name = "link" if len(who) == 1 else "links"
        said = f'"{text}"' if quote else text
        parts.append(f"{name} {', '.join(map(str, who))}{': ' if quote else ' '}{said}")
    return "; ".join(parts)


def messages_line(inbox: list[tuple[int, str]]) -> str:
    """The ``Messages:`` line. When every message is one ``inform`` with the same reason, the
    reason is said once: ``Messages, all "my tool suggests it": links 1, 3 inform 0; link 2
    inform 1.`` (lossless); otherwise :func:`grouped_messages`."""
    informs = [a[0] for a in map(parse_message, (t for _, t in inbox))
               if a and len(a) == 1 and a[0].act == "inform"]  # fmt: skip
    reasons = {a.reason for a in informs}
    if len(informs) == len(inbox) and len(reasons) == 1 and informs[0].reason:
        bare = [(s, t.rsplit(": ", 1)[0]) for s, t in inbox]
        return f'Messages, all "{informs[0].reason}": {grouped_messages(bare, quote=False)}.'
    return f"Messages: {grouped_messages(inbox)}."


def result_sentence(result: dict) -> str:
    """A tool's result as the sentence the prompt reads, e.g. ``My tool suggests power 0.35 (my
    rate 2.1).``: the power as the decision writes it (:func:`~.prompts.power_text`), then the
    result's other fields in words (rate in bit/s/Hz with at most 2 decimals, ``reachable``;
    any other field as ``key value``; not ``neighbourhood``, the size of the tool's plan). A result with no suggested power is given as its fields. The tool's name
    is in the system prompt (:func:`system_prompt`), not here."""
    power = result.get("suggested_power") if isinstance(result, dict) else None
    has_power = isinstance(power, (int, float)) and not isinstance(power, bool) and power == power
    extras = []
    for key, value in (result or {}).items():
        if key == "suggested_power" and has_power:
            continue
        if key == "rate" and isinstance(value, (int, float)):
            extras.append(f"my rate {round(value, 2):g}")
        elif key == "neighbourhood":
            continue  # the links its plan covers: read by nobody (cut for the tokens in 0.3.0)
        elif key == "reachable" and isinstance(value, bool):
            extras.append("my floor reachable" if value else "my floor out of reach")
        else:
            extras.append(f"{key} {value}")
    more = f" ({', '.join(extras)})" if extras else ""
    if has_power:
        return f"My tool suggests power {power_text(power)}{more}."
    return f"My tool says{more or ' nothing'}."


def changing_part(
    view: LocalView,
    inbox: list[tuple[int, str]],
    requests: list[str],
    profile: str | None,
    result: dict,
    decide_now: str,
) -> str:
    """What changes between the rounds of a slot: my current power (the last slot's, or the
    one I proposed in the round before; written ``Now at``, not ``My power``: the model copied
    a power so named into its answer instead of its tool's), the messages heard (grouped),
    my profile and the requests to me (when there are requests, as in the full layout), the
    tool's result and the instruction ``decide_now`` unless it is the plain
    :data:`~.prompts.DECIDE` (the answer's turn follows the tool's result)."""
    lines = [f"Now at {short(view.last_power / view.p_max)} of max."]
    if inbox:
        lines.append(messages_line(inbox))
    if requests:
        if profile:
            lines.append(f'My profile: "{profile}"')
        lines.append("Requests to me: " + " ".join(requests))
    lines.append(result_sentence(result))
    if decide_now != DECIDE:
        lines.append(decide_now)
    return "\n".join(lines)


def compact_prompt(
    view: LocalView,
    slot: int | None,
    memory: list[SlotRecord],
    inbox: list[tuple[int, str]],
    requests: list[str],
    profile: str | None,
    result: dict,
    decide_now: str,
    intent: str | None = None,
) -> str:
    """The compact layout's user prompt: :func:`stable_part` (with the ``memory`` records,
    :func:`memory_text`), then :func:`changing_part`."""
    stable = stable_part(view, slot, intent, memory_text(memory))
    return stable + "\n" + changing_part(view, inbox, requests, profile, result, decide_now)


# the example the layout's system prompt leads to (a user turn and its answer, written once
# after the system prompt: the same for every agent and call, so computed once): the model
# takes its tool's power, not its current one nor a neighbour's
EXAMPLE = (
    "I am link 3 (noise -114 dBm). Past slots (power, rate): 0.8, 1.2. "
    "Slot 7: gain -88 dB, SINR 4 dB, rate 1.2, interference+noise -95 dBm. "
    "Loudest: link 1 -96 dBm.\n"
    "Now at 0.8 of max.\n"
    + messages_line(
        [
            (1, "inform 1: my tool suggests it"),
            (2, "inform 1: my tool suggests it"),
            (4, "inform 0: my tool suggests it"),
        ]
    )  # fmt: skip
    + "\n"
    + result_sentence({"suggested_power": 0.35, "rate": 2.1, "neighbourhood": 4})
)
EXAMPLE_ANSWER = '{"power": "0.35", "reason": "' + TOOL_REASON + '"}'


def system_prompt(tool: str) -> str:
    """:data:`SYSTEM_COMPACT` with what the agent's one ``tool`` does (its registry
    description): the same for every call of a run."""
    known = TOOLS.get(tool)
    return SYSTEM_COMPACT + (f"\nMy tool {tool}: {known.description}." if known else "")


def compact_chat(tool: str, user: str) -> list[dict]:
    """The chat of one decision in this layout: the system prompt (:func:`system_prompt` of
    the agent's ``tool``), its example (a user turn and its answer), the decision's ``user``
    prompt (:func:`compact_prompt`)."""
    return [
        {"role": "system", "content": system_prompt(tool)},
        {"role": "user", "content": EXAMPLE},
        {"role": "assistant", "content": EXAMPLE_ANSWER},
        {"role": "user", "content": user},
    ]
