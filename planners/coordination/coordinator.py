"""What the cloud (L0) and the cluster coordinators (L1) share: from reports to an answer.

A coordinator gets the reports of the devices that did not settle (and, for the cloud, of their
victims). It builds the partial problem those reports describe (:func:`partial_problem`), runs
the classical constrained solver on it as its tool, optionally keeps the team's own proposals
when the solver's plan is no better on that problem (:func:`estimate`, the cloud's guard), and
its model (if any) accepts the plan or not with a short note (:func:`model_answer`).
:func:`coordinate` does all of it and returns a :class:`CoordinatorResult`.

Units: gains linear, powers and noise in W, rates in bit/s/Hz; a problem is normalized by
``p_max`` (powers as fractions of it).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np
from wireless_agents.agents.backends.base import BackendError, GenerationConfig
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.tools.view import power_cap

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"accept": {"type": "boolean"}, "note": {"type": "string", "maxLength": 40}},
    "required": ["accept", "note"],
    "additionalProperties": False,
}
CLOUD_SYSTEM = (
    "You are the cloud coordinator of a radio network. Edge devices could not agree on transmit "
    "powers and sent you their measurements. Your solver proposed a joint plan. Answer JSON "
    '{"accept": true|false, "note": "<short reason>"}; accept unless the plan breaks a rule.'
)
CLUSTER_SYSTEM = (
    "You coordinate one cluster of a radio network. Devices of your cluster could not agree on "
    "transmit powers and sent you their measurements. Your solver proposed a plan for them. "
    'Answer JSON {"accept": true|false, "note": "<short reason>"}; accept unless the plan breaks '
    "a rule."
)
SYSTEM = {0: CLOUD_SYSTEM, 1: CLUSTER_SYSTEM}  # by tier: 0 the cloud, 1 a cluster coordinator


@dataclass
class CoordinatorResult:
    """One coordinator's answer to one request.

    ``plan`` {device: power (W)} for every link of the problem; ``feasible`` whether the solver
    met the floors; ``accept``/``note`` the coordinator model's answer (accept, "solver plan"
    without a model); ``seconds``/``tokens`` its model's time and prompt + completion tokens;
    ``estimate`` the guard's comparison (None without the guard); ``gains``/``noise`` the
    problem it solved (:func:`partial_problem`, gains scaled by p_max, noise in W).
    """

    plan: dict[int, float]
    feasible: bool
    accept: bool
    note: str
    seconds: float
    tokens: int
    estimate: dict | None
    gains: np.ndarray
    noise: np.ndarray


def unsettled_agents(state: dict) -> list[int]:
    """Devices that did not settle: still moving by more than ``tol``, or their floor unmet
    (every device when the team did not agree and no one stands out)."""
    k = len(state["views"])
    props = state["proposals"]
    tol = state["settings"]["tol"]
    rp = state["rounds_powers"]
    prev = rp[-2] if len(rp) > 1 else [float(v["last_power"]) for v in state["views"]]
    p_max = state["p_max"]
    out = [
        i
        for i in range(k)
        if abs(rp[-1][i] - prev[i]) / p_max > tol or not props[str(i)]["floor_ok"]
    ]
    if not state["agreed"] and not out:
        out = list(range(k))
    return out


def partial_problem(reports: dict, comp: list[int], props: dict, victims=()):
    """The problem a coordinator can build from the reports it holds (normalized by p_max).

    Links: ``comp`` (the escalating devices), then ``victims`` (devices that list one of them
    as a neighbour: their receivers hear it). Row ``a`` comes from that link's own report: its
    direct gain, the gains of its neighbours among the links (W/W), and the rest of what it
    measured last slot (noise plus interference from transmitters outside the links) as its
    effective noise (W). A victim's cap is its current proposal: the coordinator may lower a
    victim (which only helps the devices outside the problem) but never raise it, so every
    device its plan can harm has its rate in the objective. Returns ``(g, noise, mins, caps)``:
    gains scaled by p_max, noise in W, floors in bit/s/Hz, caps as fractions of p_max.
    """
    links = list(comp) + [v for v in victims if v not in comp]
    n = len(links)
    idx = {i: a for a, i in enumerate(links)}
    p_max = float(next(iter(reports.values()))["p_max"])
    g = np.zeros((n, n))
    noise = np.zeros(n)
    mins = np.zeros(n)
    caps = np.ones(n)
    for i in links:
        r = reports[i]
        a = idx[i]
        g[a, a] = r["direct_gain"] * p_max
        outside = float(r["interference_plus_noise"])
        for j, gij, rx in zip(
            r["neighbours"], r["neighbour_gains"], r["neighbour_rx_last"], strict=True
        ):
            if j in idx:
                g[a, idx[j]] = gij * p_max
                outside -= rx
        noise[a] = max(outside, r["noise"])
        mins[a] = r.get("min_rate") or 0.0
        cap = power_cap(r["p_max"], r.get("cap"))
        if a >= len(comp):
            cap = min(cap, max(float(props[str(i)]["power"]), 0.0))
        caps[a] = cap / r["p_max"]
    return g, noise, mins, caps


def estimate(g, noise, mins, x) -> tuple[float, float]:
    """Estimated (sum-rate in bit/s/Hz, total floor shortfall in bit/s/Hz) of fractions ``x``
    on a coordinator's problem (:func:`partial_problem`)."""
    r = link_rates(g, x, noise)
    return float(r.sum()), float(np.maximum(mins - r, 0.0).sum())


def model_answer(backend, system: str, request: dict) -> tuple[bool, str, float, int]:
    """The coordinator model's answer to ``request`` (what it was asked and the solver's plan):
    ``(accept, note, seconds, tokens)``. A model that fails, or answers anything but
    ``{"accept": true|false, "note": "..."}`` (unparsable, a list, a number, wrong-typed fields),
    accepts the plan with the reason as its note."""
    t0 = time.perf_counter()
    try:
        msgs = [
            {"role": "system", "content": system},
            {"role": "user", "content": json.dumps(request)},
        ]
        cfg = GenerationConfig(max_tokens=30, temperature=0.0, seed=0)
        if backend.is_chat:
            out = backend.chat(msgs, schema=ANSWER_SCHEMA, config=cfg)
        else:
            from wireless_agents.agents.prompts import as_completion_prompt

            out = backend.complete(as_completion_prompt(msgs), schema=ANSWER_SCHEMA, config=cfg)
        accept, note = _answer_fields(json.loads(out.text))
        return accept, note, out.seconds, out.prompt_tokens + out.completion_tokens
    except (BackendError, ValueError, TypeError) as exc:
        note = f"coordinator model unavailable: {str(exc)[:60]}"
        return True, note, time.perf_counter() - t0, 0


def _answer_fields(ans) -> tuple[bool, str]:
    """``(accept, note)`` of a parsed answer; ``ValueError`` naming what is wrong when it is
    not ``{"accept": bool, "note": str}`` (a server that ignores the schema may send any JSON)."""
    if not isinstance(ans, dict):
        raise ValueError(f"answer is a JSON {type(ans).__name__}, not an object")
    accept, note = ans.get("accept", True), ans.get("note", "")
    if not isinstance(accept, bool) or not isinstance(note, str):
        raise ValueError("answer's accept is not true/false or its note not text")
    return accept, note[:40]


def coordinate(reports: dict, comp: list[int], props: dict, p_max: float, reason: str, *,
               backend=None, tier: int = 0, victims=(), guard: bool = False,
               ) -> CoordinatorResult:  # fmt: skip
    """A coordinator's solver on the reports of ``comp`` (+ ``victims``), then its model's
    accept/note.

    ``tier`` 0: the cloud; 1: a cluster coordinator (its model's system prompt); ``backend``
    its model (None: the solver alone). ``victims``: non-escalated devices whose reports were
    pulled in (see :func:`partial_problem`). ``guard``: keep the team's proposals (``props``)
    unless the solver's plan is better on the same problem (fewer floor bit/s/Hz short, then a
    higher estimated sum-rate over every link of the problem): escalating never makes the plan
    the coordinator can judge worse.
    """
    from wireless_agents.planners.api import solve_detailed

    links = list(comp) + [v for v in victims if v not in comp]
    g, noise_eff, mins, caps = partial_problem(reports, comp, props, victims)
    sol = solve_detailed(
        g, 1.0, noise_eff, algo="wmmse", max_power=caps,
        min_rate=mins if np.any(mins > 0) else None,
    )  # fmt: skip
    x = np.asarray(sol.powers, dtype=float)
    note = "solver plan"
    est = None
    if guard:
        x0 = np.clip([float(props[str(i)]["power"]) / p_max for i in links], 0.0, caps)
        rate_s, short_s = estimate(g, noise_eff, mins, x)
        rate_t, short_t = estimate(g, noise_eff, mins, x0)
        better = short_s < short_t - 1e-6 or (short_s <= short_t + 1e-6 and rate_s > rate_t + 1e-6)
        est = {"solver_sum_rate": rate_s, "team_sum_rate": rate_t,
               "solver_short": short_s, "team_short": short_t, "kept_team": not better}  # fmt: skip
        if not better:
            x, note = x0, "team plan kept"
    # the problem is in units of p_max: the solver's powers are fractions; scale to watts
    plan = {i: float(x[n]) * p_max for n, i in enumerate(links)}
    accept, secs, toks = True, 0.0, 0
    if backend is not None:
        request = {
            "request": reason,
            "agents": comp,
            "plan": {str(i): round(plan[i] / p_max, 3) for i in links},
            "feasible": bool(sol.feasible),
        }
        accept, note, secs, toks = model_answer(backend, SYSTEM[tier], request)
    return CoordinatorResult(plan, bool(sol.feasible), accept, note, secs, toks, est,
                             g, noise_eff)  # fmt: skip
