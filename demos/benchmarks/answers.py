"""Answering requests by a device's profile: the model beside the model-free rules.

Run ``python -m wireless_agents.demos.benchmarks.answers`` (``--model NAME``, ``--limit N``,
``--set a|b``). Set ``a`` is ``agents/data/request_answers.yaml`` (16 device profiles in their own
words, 8 that should grant a request to lower and 8 that should refuse; written before the answer
prompt and the rules were tuned to it), set ``b`` ``request_answers_b.yaml`` (16 more, written
after set ``a`` was measured and before any change tuned on it: the held-out figure). Each case runs the agent's real decision path: an
:class:`~wireless_agents.agents.agent.EdgeAgent` with the profile, the team's tool
(``local_wmmse``), one request ``link 3 asks me to lower to 0.4`` in its inbox, on a fixed
two-link view; its answer is read from the acts it sends (``grant`` or ``offer``: granted,
``refuse``: refused). The rules answer with
:func:`~wireless_agents.agents.profile.answer_by_rules`. Printed: both accuracies, the model's
tokens per decision with and without a request, and every miss.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import yaml  # noqa: E402
from wireless_agents.agents.acts import Act  # noqa: E402
from wireless_agents.agents.agent import AgentConfig, EdgeAgent  # noqa: E402
from wireless_agents.agents.models import DEFAULT_MODEL, load_model  # noqa: E402
from wireless_agents.agents.profile import answer_by_rules  # noqa: E402
from wireless_agents.tools import LocalView  # noqa: E402

REQUEST = (3, Act("request", 1, "lower", 0.4, "my floor is missed"))


SETS = {"a": "request_answers.yaml", "b": "request_answers_b.yaml"}


def load_cases(name: str = "a") -> list[dict]:
    text = resources.files("wireless_agents.agents").joinpath(f"data/{SETS[name]}")
    return yaml.safe_load(text.read_text())["cases"]


def view() -> LocalView:
    """Link 1 of a small network: it hears link 3 (strong) and link 0 (weak)."""
    return LocalView(
        agent=1, p_max=1.0, noise=1e-3, direct_gain=1.0, interference_plus_noise=0.05,
        last_power=0.8, last_sinr=16.0, last_rate=4.09, neighbours=(3, 0),
        neighbour_gains=(0.05, 0.01), neighbour_rx_last=(0.04, 0.008),
    )  # fmt: skip


def answered(acts: list[Act]) -> str | None:
    """``grant`` (a grant or an offer to link 3), ``refuse``, or None (no answer)."""
    for a in acts:
        if a.to == REQUEST[0] and a.act in ("grant", "offer"):
            return "grant"
        if a.to == REQUEST[0] and a.act == "refuse":
            return "refuse"
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--set", choices=sorted(SETS), default="a")
    args = ap.parse_args(argv)
    cases = load_cases(args.set)[: args.limit]
    backend = load_model(args.model)
    cfg = AgentConfig(tools=("local_wmmse",), max_tokens=40)
    plain = EdgeAgent(1, backend, cfg).decide(view())
    model_ok = rules_ok = 0
    tokens = []
    misses = []
    for c in cases:
        agent = EdgeAgent(1, backend, cfg)
        agent.profile_text = c["profile"]
        d = agent.decide(view(), requests=[REQUEST])
        said = answered(d.acts)
        tokens.append(d.tokens)
        rules = answer_by_rules(c["profile"])
        model_ok += said == c["answer"]
        rules_ok += rules == c["answer"]
        if said != c["answer"] or rules != c["answer"]:
            misses.append((c["answer"], said, rules, c["profile"]))
    n = len(cases)
    print(f"request answers, set {args.set} ({SETS[args.set]}: {n} profiles, {args.model}):")
    print("| reader | correct | grants right | refusals right |")
    print("|---|---|---|---|")
    for name, key in (("model", 1), ("rules", 2)):
        rows = [(m[0], m[key]) for m in misses]
        wrong_g = sum(1 for want, got in rows if want == "grant" and got != want)
        wrong_r = sum(1 for want, got in rows if want == "refuse" and got != want)
        n_g = sum(c["answer"] == "grant" for c in cases)
        ok = model_ok if key == 1 else rules_ok
        print(f"| {name} | {ok}/{n} ({ok / n:.0%}) | {n_g - wrong_g}/{n_g} | "
              f"{n - n_g - wrong_r}/{n - n_g} |")  # fmt: skip
    print(f"model tokens per decision: {plain.tokens} without a request, "
          f"{sum(tokens) / max(n, 1):.0f} with one")  # fmt: skip
    for want, said, rules, text in misses:
        print(f"  want {want}: model {said}, rules {rules}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
