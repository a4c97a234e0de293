"""Share time or reuse space: one link's choice when the slot is split into time slices.

A link that hears strong interferers perceives its own rate at the team's plan, its floor, the
network objective, its strongest interferer's strength, and what its tool
(:func:`wireless_agents.tools.timeshare.share_plan`) computed for its neighbourhood: its own
mean rate and the group's objective when the group takes turns over the slices, and both under
spatial reuse (every link in every slice). It then chooses ``share`` or ``reuse``:

- the model (:func:`model_choice`): one call under a JSON-schema grammar, ``{"plan": "A" |
  "B"}``, plan A the tool's pick (the rule's verdict below), plan B the other, each with the
  numbers it gives the link and the group; a failing call or an unparsable answer is
  ``reuse`` (the plan as it was), recorded as a fallback. (Asked to pick ``share`` or
  ``reuse`` by name, or ``yes``/``no``, the bundled 135M model answered the same word whatever
  the numbers: chance on a dev set of 24 random pairs, not the suite's. With the tool's pick
  first it takes it, 24 of 24: like its power decision, it adopts its tool.)
- the rule (:func:`rule_choice`, the model-free ``tool`` team): share when its floor cannot be
  met by power alone and sharing meets it (or misses it by less), or when sharing serves the
  group's objective better (the tool's verdict, :attr:`SharePlan.better`).

A partner answers an offer of slices by the rule (:func:`answer_offer`): it grants unless the
schedule leaves its own floor short where reuse would not, and the group's schedule does not
meet more of the group's floors than reuse (when the floors cannot all be met, the team serves
as many as it can, as the oracle does: a link gives up its floor for two others).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from wireless_agents.agents.backends.base import BackendError, GenerationConfig
from wireless_agents.tools.timeshare import RATE_TOL, SharePlan
from wireless_agents.tools.view import LocalView

CHOICES = ("share", "reuse")
SYSTEM = (
    "You pick the plan of your radio link for the next slot, which is split into time slices. "
    "In one plan the links take turns: each transmits only in its own slices. In the other "
    "every link transmits in every slice at its planned power. Pick what serves your floor and "
    'the network objective. Answer with JSON only: {"plan": "A" or "B"}.'
)
KEY = "plan"  # the answer's one field; plan A is the tool's pick, plan B the other
GOALS = {
    "sum_rate": ("the sum-rate", "sum-rate"),
    "weighted_sum_rate": ("the weighted sum-rate", "weighted sum-rate"),
    "max_min": ("the worst link's rate (fairness)", "worst rate"),
    "min_power": ("saving power while every floor holds", "power saved"),
}


def schema() -> dict:
    """The answer's grammar: ``{"plan": "A" | "B"}``."""
    return {
        "type": "object",
        "properties": {KEY: {"enum": ["A", "B"]}},
        "required": [KEY],
        "additionalProperties": False,
    }


@dataclass
class ShareChoice:
    """One link's choice: ``choice`` share | reuse, ``by`` model | rule, ``text`` what the model
    read (None for the rule), ``raw`` its answer, ``tokens``/``seconds`` its cost, ``fallback``
    why reuse replaced the model's answer (None when it answered)."""

    agent: int
    choice: str
    by: str
    text: str | None = None
    raw: str | None = None
    tokens: int = 0
    seconds: float = 0.0
    fallback: str | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = {"agent": self.agent, "choice": self.choice, "by": self.by, "tokens": self.tokens,
             "seconds": round(self.seconds, 6)}  # fmt: skip
        if self.text is not None:
            d.update(text=self.text, raw=self.raw, fallback=self.fallback)
        return d


def situation(view: LocalView, plan: SharePlan, rate_now: float, objective: str | None,
              pick: str) -> str:  # fmt: skip
    """What the link perceives, in the first person (short: the model is small); plan A is
    ``pick`` (the tool's), plan B the other."""
    goal, short = GOALS.get(objective or "sum_rate", GOALS["sum_rate"])
    floor = float(view.min_rate or 0.0)
    if floor > 0:
        verdict = "missed" if rate_now < floor - RATE_TOL else "met"
        own = f"My floor is {floor:g} bit/s/Hz, {verdict} now at {rate_now:.2f}."
    else:
        own = f"I have no floor; my rate now is {rate_now:.2f} bit/s/Hz."
    j = plan.members[1]
    gains = dict(zip(view.neighbours, view.neighbour_gains, strict=True))
    inr = 10.0 * math.log10(max(gains.get(j, 0.0) * view.p_max / view.noise, 1e-30))
    n = plan.schedule.shape[1]
    mine = len(plan.slices_of(view.agent))
    plans = {
        "share": f"we take turns, I get {mine} of {n} slices and {plan.rates[0]:.2f}, group "
        f"{short} {plan.value:.2f}",
        "reuse": f"we all transmit in every slice, I get {plan.reuse_rates[0]:.2f}, group "
        f"{short} {plan.reuse_value:.2f}",
    }
    other = "reuse" if pick == "share" else "share"
    return (
        f"{own} Link {j} interferes at {inr:.0f} dB above noise. The network wants {goal}. "
        f"Plan A (my tool's pick): {plans[pick]}. Plan B: {plans[other]}."
    )


def rule_choice(view: LocalView, plan: SharePlan, rate_now: float) -> ShareChoice:
    """The model-free choice (see the module)."""
    floor = float(view.min_rate or 0.0)
    own_short = floor > 0 and rate_now < floor - RATE_TOL
    helps = plan.takes_turns and plan.rates[0] > rate_now + RATE_TOL
    helps = helps and plan.short <= plan.reuse_short + RATE_TOL
    share = (own_short and helps) or plan.better
    return ShareChoice(view.agent, "share" if share else "reuse", "rule")


def model_choice(backend, view: LocalView, plan: SharePlan, rate_now: float,
                 objective: str | None, max_tokens: int = 12, seed: int = 0) -> ShareChoice:  # fmt: skip
    """The model's choice: one call under :func:`schema` (a failure is ``reuse``)."""
    pick = rule_choice(view, plan, rate_now).choice  # the tool's verdict is plan A
    text = situation(view, plan, rate_now, objective, pick)
    out = ShareChoice(view.agent, "reuse", "model", text=text)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]
    gen = GenerationConfig(max_tokens=max_tokens, temperature=0.0, seed=seed)
    try:
        if backend.is_chat:
            c = backend.chat(messages, schema=schema(), config=gen)
        else:
            from wireless_agents.agents.prompts import as_completion_prompt

            c = backend.complete(as_completion_prompt(messages), schema=schema(), config=gen)
    except (BackendError, RuntimeError, ValueError) as exc:
        out.fallback = f"model error: {exc}"[:200]
        return out
    out.raw, out.tokens, out.seconds = c.text, c.prompt_tokens + c.completion_tokens, c.seconds
    try:
        word = json.loads(c.text)[KEY]
    except (json.JSONDecodeError, KeyError, TypeError):
        out.fallback = "unparsable answer"
        return out
    if word not in ("A", "B"):
        out.fallback = f"unknown plan {word!r}"
        return out
    out.choice = pick if word == "A" else ("reuse" if pick == "share" else "share")
    return out


def answer_offer(floor: float, shared_rate: float, reuse_rate: float,
                 more_floors: bool = False) -> bool:  # fmt: skip
    """A partner's answer to an offer of slices (True: grant): it refuses only when the
    schedule leaves its own floor short and reuse would leave it less short, unless the offer
    meets more of the group's floors than reuse (``more_floors``)."""
    if floor <= 0 or shared_rate >= floor - RATE_TOL or more_floors:
        return True
    return shared_rate >= reuse_rate - RATE_TOL
