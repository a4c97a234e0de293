"""Neighbourhood WMMSE: the agent solves the small problem of the links it hears.

Each note carries its sender's own row of the channel as its receiver measured it (direct gain
``G[j, j]``, the gains ``G[j, k]`` of the interferers it hears, the power ``G[j, k] p_k`` it
expects from each of them, and its expected interference plus noise). With the notes of the links
it hears, agent ``i`` knows the gain matrix of its neighbourhood ``S = {i} + senders``: rows of
``S`` restricted to columns of ``S``. Interference a member receives from outside ``S`` stays what
that member expects (it becomes that member's noise). WMMSE (Shi et al. 2011) on this matrix
gives the agent a joint plan for its neighbourhood; the agent only uses its own entry. WMMSE is
a local method: from full power (the centralized reference's start) it keeps every link on even
where the best plan silences one, so the agent runs it from several starts (full power, the
powers it last heard, the best on/off patterns of its neighbourhood) and keeps the plan with the
highest local (weighted) sum-rate (:func:`weighted_local_plan`, the multi-start of
``planners.best`` on the agent's small problem); the team's plans then often beat centralized
WMMSE. Neighbourhoods larger than ``ONOFF_MAX_N`` get greedy on/off searches (one link
switched at a time, from all on, all off and the pattern heard) in place of every pattern,
random WMMSE starts, and the winner's power levels polished (best-response sweeps, then WMMSE
to stationarity), as ``planners.best`` does.
Neighbourhoods overlap, and every negotiation
round repeats this with the neighbours' newer notes, so the local plans agree where they overlap.

Interferers a member senses but does not count as neighbours (weaker than the TIN threshold,
``planners.coordination.inputs.significant_neighbours``) are not in the matrix; their summed
gain comes with the member's row (``outside_gain``), and the local problem assumes they may
transmit at full power: a plan that silences every neighbour of a high-SNR link is otherwise
valued as if that link were alone (measured: d2d K = 8, seed 2, the team settled at 0.30 of
``best``'s sum-rate on plans that counted on such a link at 74 dB SNR, 32 dB of it lost to an
interferer it had left out).

The network objective the agent's view carries (``view.objective``, None = sum-rate) chooses the
plan of the neighbourhood (:func:`local_wmmse`): ``weighted_sum_rate`` runs weighted WMMSE, each
member's log-rate term scaled by its weight (Shi et al. 2011's ``alpha_k``; the agent's own from
its view, the others' from their notes, 1 when unstated); ``max_min`` and ``min_power`` solve
the neighbourhood exactly (:mod:`tools.local_objectives`: the largest common rate, the least
powers meeting the members' floors).

Only what reached the agent is used: its :class:`~tools.view.LocalView` and its mailbox.
Units: gains linear, powers and noise in watts.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.tools.local_objectives import max_min_local, min_power_local
from wireless_agents.tools.local_rates import LN2, power_for_rate, rate
from wireless_agents.tools.view import LocalView, Note, power_cap, up_to_grid

ONOFF_MAX_N = 8  # neighbourhoods up to this size try every on/off pattern (2^n - 1 of them)
ONOFF_STARTS = 3  # the best patterns by the local weighted sum-rate that also start WMMSE
# neighbourhoods above ONOFF_MAX_N and up to this size get greedy on/off searches; larger ones
# none: one agent's on/off plan of 17 or more links is planned against far links that their own
# neighbourhoods plan otherwise (d2d K = 64, seeds 0-5, tool team: 0.880 of WMMSE with the
# search at every size, 1.002 without it above 16; K = 32: 0.913 / 0.941)
GREEDY_MAX_N = 16
# the same neighbourhoods (above ONOFF_MAX_N, up to GREEDY_MAX_N) also get RANDOM_STARTS WMMSE
# starts and the winner polished (best-response sweeps over POLISH_LEVELS powers, then WMMSE to
# POLISH_TOL), as planners.best does: the on/off starts find the links to keep on, not their
# levels; WMMSE from them stops at a plan where all are loud while a better one has one link
# loud and the rest quiet (d2d K = 16, seed 9: the neighbourhood's plan at 38.7 bit/s/Hz
# against best's 41.6 on the same links; the team 0.842 of best, 1.000 with them)
RANDOM_STARTS = 8
POLISH_LEVELS = 21
POLISH_SWEEPS = 10
POLISH_ITERS = 300
POLISH_TOL = 1e-7
QUANT_TOL = 0.1  # relative error of a sum of quantized notes' figures (0.25 dB codes: 2.9 % each)


def local_problem(view: LocalView) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """``(members, G, noise, caps)`` of the agent's neighbourhood, agent first, in watts.

    ``members`` are the agent and every sender whose note carries its channel row; ``G[a, b]`` the
    gain from member ``b``'s transmitter to member ``a``'s receiver (0 when ``a`` does not hear
    ``b``: too weak to be measured); ``noise[a]`` what member ``a`` expects from everyone outside
    the neighbourhood plus its thermal noise, at least its thermal noise plus its
    ``outside_gain`` at ``p_max`` (the interferers it left out, at full power); ``caps`` each
    member's largest power.
    """
    notes = [n for n in view.latest_notes().values() if n.direct_gain and n.sender != view.agent]
    members = [view.agent] + [n.sender for n in notes]
    idx = {m: a for a, m in enumerate(members)}
    n = len(members)
    g = np.zeros((n, n))
    noise = np.zeros(n)
    caps = np.full(n, view.p_max)
    caps[0] = view.p_cap
    # the agent's own row: its direct gain and the interferers it measures
    g[0, 0] = view.direct_gain
    ipn = view.estimated_interference_plus_noise()
    inside = 0.0
    latest = view.latest_notes()
    expected = view.expected_received()
    for j, gij in zip(view.neighbours, view.neighbour_gains, strict=True):
        if j in idx:
            g[0, idx[j]] = gij
            inside += expected[j]
    for j, gij in view.outside:  # measured as interference; now a column of the problem
        if j in idx:
            g[0, idx[j]] = gij
            inside += gij * (latest[j].power or 0.0)
    noise[0] = max(ipn - inside, view.noise + (view.outside_gain or 0.0) * view.p_max)
    # each member's row, as its note reported it
    for a, nt in enumerate(notes, start=1):
        g[a, a] = nt.direct_gain
        for k, gk in nt.gains.items():
            if k in idx and k != nt.sender:
                g[a, idx[k]] = gk
        noise[a] = _member_noise(view, nt, idx, latest)
        caps[a] = power_cap(view.p_max, nt.cap)
    return members, g, noise, caps


def _member_noise(
    view: LocalView, nt: Note, idx: dict, latest: dict, outside: bool = True
) -> float:
    """What member ``nt.sender`` expects from outside the neighbourhood plus noise (W): what
    it receives from its neighbours that are not members, plus the rest of its expected total
    (interference from transmitters it does not count as neighbours, and noise), at least its
    thermal noise plus its ``outside_gain`` at ``p_max``. The rest is the difference of
    quantized figures (``interference_plus_noise`` less every neighbour's share, each known
    within ``QUANT_TOL``): where it is within their error of 0 it is taken as noise alone (a
    loud neighbour's share otherwise leaves tens of dB of phantom noise, and two agents each
    find their own link the one to keep on: d2d K = 6, seed 4, slot 1 at 1.5 bit/s/Hz).
    ``outside`` False: without the shares it receives from its neighbours that are not members
    (:func:`quiet_outside_noise`)."""
    total = nt.interference_plus_noise or view.noise
    received = sum(nt.received.values())

    # members it does not talk to (its row's gains without a received share): at their powers
    def power(k):  # as last heard: the agent's own last power, a member's proposal
        return view.last_power if k == view.agent else (latest[k].power or 0.0)

    received += sum(gk * power(k) for k, gk in nt.gains.items()
                    if k in idx and k not in nt.received and k != nt.sender)  # fmt: skip
    rest = total - received
    if rest <= QUANT_TOL * total:
        rest = view.noise
    rest = max(rest, view.noise + (nt.outside_gain or 0.0) * view.p_max)
    if not outside:
        return rest
    return rest + sum(r for k, r in nt.received.items() if k not in idx)


def quiet_outside_noise(view: LocalView, members: list[int], noise: np.ndarray) -> np.ndarray:
    """``(n,)`` the members' noise of :func:`local_problem` (``noise``) with each member's row
    without the shares it reported from its neighbours outside the neighbourhood (W): as if
    those had fallen silent. A note prices them as its sender last heard them, and while the
    agent settles they move unseen (the links of its own wave, which it does not hear): d2d
    K = 16, seed 4, link 2 priced its members' noise with link 8 at full power while 8, in its
    wave, went silent, and took the band from the links the earlier waves had kept on."""
    idx = {m: a for a, m in enumerate(members)}
    latest = view.latest_notes()
    out = np.array(noise, dtype=float)
    for a, m in enumerate(members[1:], start=1):
        out[a] = _member_noise(view, latest[m], idx, latest, outside=False)
    return out


def _member_values(view: LocalView, members: list[int], field: str, unstated: float) -> np.ndarray:
    """``(n,)`` each member's ``field`` (``unstated`` where none is given): the agent's own from
    its view, the others' from their latest notes."""
    latest = view.latest_notes()
    own = getattr(view, field)
    out = [unstated if own is None else float(own)]
    for m in members[1:]:
        n = latest.get(m)
        value = None if n is None else getattr(n, field)
        out.append(unstated if value is None else float(value))
    return np.asarray(out, dtype=float)


def member_floors(view: LocalView, members: list[int]) -> np.ndarray:
    """``(n,)`` each member's rate floor (bit/s/Hz, 0 = none)."""
    return _member_values(view, members, "min_rate", 0.0)


def member_powers(view: LocalView, members: list[int]) -> np.ndarray:
    """``(n,)`` each member's power as last heard (W): the agent's own last power, the others'
    proposals from their latest notes (their cap, or p_max, where a note states none)."""
    latest = view.latest_notes()
    out = [min(view.last_power, view.p_cap)]
    for m in members[1:]:
        n = latest.get(m)
        cap = view.p_max if n is None else power_cap(view.p_max, n.cap)
        out.append(cap if n is None or n.power is None else min(float(n.power), cap))
    return np.asarray(out, dtype=float)


def member_weights(view: LocalView, members: list[int]) -> np.ndarray:
    """``(n,)`` each member's priority weight (1 when unstated)."""
    return _member_values(view, members, "weight", 1.0)


def wmmse_local(g: np.ndarray, noise: np.ndarray, caps: np.ndarray, iters: int = 100,
                tol: float = 1e-3, weights: np.ndarray | None = None,
                start: np.ndarray | None = None, fixed: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """(Weighted) sum-rate WMMSE on one small gain matrix from full power (Jacobi, as the
    reference), or from powers ``start`` (W, (n,); a silent member stays silent): powers (W).
    ``weights`` (n,) the members' ``alpha`` (None: all 1, the sum-rate). ``fixed`` (n,) bool:
    members held at their ``start`` power (None: none). Stops when the weighted sum-rate gains
    at most ``tol`` bit/s/Hz."""
    a = np.ones(len(caps)) if weights is None else np.asarray(weights, dtype=float)
    gd = np.diag(g).copy()
    gx = g - np.diag(gd)
    v = np.sqrt(caps if start is None else np.clip(start, 0.0, caps))
    held = None if fixed is None or not np.any(fixed) else (np.asarray(fixed, bool), v.copy())

    def receivers(v):
        p = v * v
        interf = gx @ p + noise
        total = interf + gd * p
        return np.sqrt(gd) * v / total, total / interf

    u, w = receivers(v)
    obj = (a * np.log(w)).sum() / LN2
    for _ in range(iters):
        den = g.T @ (a * w * u * u)
        v = np.clip(np.divide(a * w * u * np.sqrt(gd), den, out=np.zeros_like(v), where=den > 0),
                    0.0, np.sqrt(caps))  # fmt: skip
        if held is not None:
            v[held[0]] = held[1][held[0]]
        u, w = receivers(v)
        new = (a * np.log(w)).sum() / LN2
        if new - obj <= tol:
            break
        obj = new
    return np.minimum(v * v, caps)


def local_utility(g: np.ndarray, noise: np.ndarray, p: np.ndarray, weights) -> np.ndarray:
    """Weighted sum-rate (bit/s/Hz) of powers ``p`` ((n,) or (m, n) W) on the local problem."""
    p = np.atleast_2d(p)
    gd = np.diag(g)
    signal = p * gd
    interf = p @ g.T - signal + noise
    return (np.asarray(weights) * np.log2(1.0 + signal / interf)).sum(axis=-1)


def weighted_local_plan(g: np.ndarray, noise: np.ndarray, caps: np.ndarray, weights,
                        current: np.ndarray | None = None, fixed: np.ndarray | None = None,
                        quiet: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """The best weighted plan (W, (n,)) of several local WMMSE starts, by the local weighted
    sum-rate (the multi-start of ``planners.best`` on the agent's small problem): full power,
    ``current`` (the members' powers as last heard, when given), and the ``ONOFF_STARTS`` best
    on/off patterns (every one of the ``2^n`` when ``n <= ONOFF_MAX_N``, else none), each also
    kept as it is; larger neighbourhoods, up to ``GREEDY_MAX_N``, get :func:`greedy_onoff` from
    all on, all off and the pattern of ``current``, ``RANDOM_STARTS`` random starts, and the
    winner polished by :func:`best_response_sweeps` and WMMSE to ``POLISH_TOL``). A start's
    silent members stay silent under WMMSE, so the patterns
    let the search reach plans where a light link leaves the air to a heavy one, which WMMSE
    from full power does not find. With ``current`` given, only plans in which the agent
    (member 0) transmits, or is silent for links that are on already
    (:func:`yields_only_to_links_on`), are candidates (WMMSE from full power, which keeps the
    agent on, always is). ``fixed`` ((n,) bool, with ``current``): members whose power is final
    (:attr:`~tools.view.LocalView.settled`), held at ``current`` in every start, pattern,
    switch and WMMSE step: the plan is the agent's best answer to them. The others have not
    proposed in the round yet and answer after it (settling, ``TeamConfig.settle``), so in a
    neighbourhood above ``ONOFF_MAX_N`` the agent may then be silent for those of them that
    are still off too. ``quiet`` ((n,) W, with ``fixed``): the members' noise without the
    shares of links outside the neighbourhood (:func:`quiet_outside_noise`), which move unseen
    while the agent settles; a plan's score is then its local sum-rate under ``noise`` plus
    under ``quiet`` (above ``ONOFF_MAX_N`` members and up to ``GREEDY_MAX_N``: d2d K = 64,
    seeds 0-1, tool team, 0.994 of WMMSE with it above 16 too, 1.001 without). Neighbourhoods
    up to ``ONOFF_MAX_N``, which try every pattern, keep the guard and the score as they were,
    so every run of K <= 8 keeps its trace."""
    n = len(caps)
    hold = None
    if fixed is not None and current is not None and np.any(fixed):
        hold = np.asarray(fixed, dtype=bool)
        now = np.clip(np.asarray(current, dtype=float), 0.0, caps)

    def pin(p):  # the settled members at their powers
        return p if hold is None else np.where(hold, now, p)

    starts = [pin(np.asarray(caps, dtype=float))]
    if current is not None:
        starts.append(np.clip(np.asarray(current, dtype=float), 0.0, caps))
    if 1 < n <= ONOFF_MAX_N:
        on = (np.arange(1, 2**n)[:, None] >> np.arange(n)) & 1  # every pattern but all-silent
        patterns = pin(np.where(on > 0, caps, 0.0))
        score = local_utility(g, noise, patterns, weights)
        starts += list(patterns[np.argsort(-score, kind="stable")[:ONOFF_STARTS]])
    elif ONOFF_MAX_N < n <= GREEDY_MAX_N:
        froms = [np.ones(n, dtype=bool), np.zeros(n, dtype=bool)]
        if current is not None:
            froms.append(np.asarray(current, dtype=float) > 0)
        if hold is not None:
            froms = [np.where(hold, now > 0, f) for f in froms]
        starts += [pin(greedy_onoff(g, noise, caps, weights, f, hold)) for f in froms]
    if ONOFF_MAX_N < n <= GREEDY_MAX_N:  # random starts, as planners.best's (seeded: the same)
        rng = np.random.default_rng(0)
        starts += [pin(rng.uniform(size=n) * caps) for _ in range(RANDOM_STARTS)]
    plans = [q for s in starts
             for q in (s, wmmse_local(g, noise, caps, weights=weights, start=s, fixed=hold))]  # fmt: skip

    def best_of(plans):
        if current is not None:  # no silence on a promise: see yields_only_to_links_on
            heard_on = np.asarray(current, dtype=float) > 0
            if hold is not None and n > ONOFF_MAX_N:  # those yet to answer (settling) may turn on
                heard_on |= ~hold
            plans = [q for q in plans if yields_only_to_links_on(q, heard_on)]
        score = local_utility(g, noise, np.array(plans), weights)
        if hold is not None and quiet is not None and ONOFF_MAX_N < n <= GREEDY_MAX_N:
            score = score + local_utility(g, quiet, np.array(plans), weights)
        return plans[int(np.argmax(score))]

    win = best_of(plans)
    if ONOFF_MAX_N < n <= GREEDY_MAX_N:  # the winner's power levels polished, as best's
        q = best_response_sweeps(g, noise, caps, weights, win, hold)
        fine = wmmse_local(g, noise, caps, weights=weights, start=q, fixed=hold,
                           iters=POLISH_ITERS, tol=POLISH_TOL)  # fmt: skip
        win = best_of([win, q, fine])
    return win


def best_response_sweeps(g: np.ndarray, noise: np.ndarray, caps: np.ndarray, weights,
                         p: np.ndarray, fixed: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Powers (W, (n,)) from ``p`` by best-response sweeps: each member in turn takes the level
    of ``POLISH_LEVELS`` in ``[0, cap]`` (its present power first, so ties keep it) that raises
    the local weighted sum-rate most, the others held, until a sweep moves nobody (at most
    ``POLISH_SWEEPS``; ``planners.greedy.best_response_sweeps`` on the agent's small problem,
    the polish of ``planners.best``). ``fixed`` ((n,) bool): members never moved."""
    p = np.array(p, dtype=float)
    held = np.zeros(len(caps), dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    frac = np.linspace(0.0, 1.0, POLISH_LEVELS)
    for _ in range(POLISH_SWEEPS):
        moved = False
        for i in np.flatnonzero(~held):
            cand = np.repeat(p[None], POLISH_LEVELS + 1, axis=0)
            cand[1:, i] = frac * caps[i]
            score = local_utility(g, noise, cand, weights)
            j = int(np.argmax(score))
            if j > 0 and score[j] > score[0] + 1e-12:
                p, moved = cand[j], True
        if not moved:
            break
    return p


def greedy_onoff(g: np.ndarray, noise: np.ndarray, caps: np.ndarray, weights,
                 on: np.ndarray, fixed: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """An on/off plan (W, (n,): each member at its cap or silent) from pattern ``on`` ((n,)
    bool): switch the one member whose switch raises the local weighted sum-rate most, until no
    switch does (at most ``2 n`` switches; ``planners.best``'s greedy binary search on the
    agent's small problem). ``fixed`` ((n,) bool): members never switched (None: none)."""
    on = np.array(on, dtype=bool)
    n = len(caps)
    flips = ~np.eye(n, dtype=bool)
    if fixed is not None:
        flips |= np.asarray(fixed, dtype=bool)[:, None] & np.eye(n, dtype=bool)  # no switch
    for _ in range(2 * n):
        patterns = np.vstack([on[None], np.where(flips, on, ~on)])  # as is, then each switch
        score = local_utility(g, noise, np.where(patterns, caps, 0.0), weights)
        j = int(np.argmax(score))
        if j == 0 or not score[j] > score[0] + 1e-12:
            break
        on = patterns[j]
    return np.where(on, caps, 0.0)


def yields_only_to_links_on(plan: np.ndarray, heard_on: np.ndarray) -> bool:
    """Whether the agent (member 0) may follow ``plan``: it transmits in it, or every other
    member the plan has transmitting is transmitting already (``heard_on``, (n,) bool). Each
    agent follows only its own entry of its neighbourhood's plan, and the neighbours plan
    neighbourhoods of their own: silence in favour of a link that is off relies on that link
    turning on, which its own plan may not do; when several agents do it at once the whole
    area falls silent (measured: d2d K = 5, seed 301, a slot at 0 bit/s/Hz)."""
    if plan[0] > 0:
        return True
    on = plan[1:] > 0
    return bool(on.any() and np.all(heard_on[1:][on]))


def planning_objective(view: LocalView) -> str:
    """The objective the agent plans its neighbourhood for: its view's, else
    ``weighted_sum_rate`` when a note it heard carries a weight (a device's own profile gave
    its link a weight that no operator stated: the scorer resolves weights alone the same way),
    else ``sum_rate``."""
    if view.objective:
        return view.objective
    if any(n.weight is not None for n in view.latest_notes().values()):
        return "weighted_sum_rate"
    return "sum_rate"


def local_wmmse(view: LocalView) -> dict:
    """The agent's power in the plan of its neighbourhood for the network objective (see the
    module docstring): the best of several WMMSE starts for the (weighted) sum-rate
    (:func:`weighted_local_plan`), the exact local max-min or minimum power plan for
    ``max_min`` / ``min_power``.

    With no neighbour's row yet (the first proposals of a cold slot) the neighbourhood is the
    agent alone against what it expects, and the plan is its cap (sum-rate, max-min) or the
    least power for its own floor (min-power). The max-min and minimum-power plans meet every
    member's floor at the members' planned powers; WMMSE's ignores floors, so its power is
    raised to the one that meets the agent's own floor against the interference it expects
    (where the cap allows), as it is when the local floors cannot be met together (max-min:
    WMMSE's power, min-power: none, then raised). Under ``min_power`` the power is rounded *up*
    to the 0.001 p_max grid (as :func:`~wireless_agents.tools.functions.min_power`), so a floor
    met on the local problem is not missed by rounding.
    """
    members, g, noise, caps = local_problem(view)
    objective = planning_objective(view)
    ipn = view.estimated_interference_plus_noise()
    plan = None
    if objective in ("max_min", "min_power"):
        solve = max_min_local if objective == "max_min" else min_power_local
        plan = solve(g, noise, caps, member_floors(view, members))
    if plan is not None:  # the local plan meets the members' floors at the members' powers
        p = float(plan[0])
    else:
        if objective == "min_power":
            p = 0.0
        else:  # the (weighted) sum-rate: weights 1 unless the objective weighs the links
            w = member_weights(view, members) if objective == "weighted_sum_rate" else None
            w = np.ones(len(caps)) if w is None else w
            held, quiet = None, None
            if view.settled:
                held = np.array([m in view.settled for m in members])
                quiet = quiet_outside_noise(view, members, noise)
            p = float(weighted_local_plan(g, noise, caps, w, member_powers(view, members),
                                          held, quiet)[0])  # fmt: skip
        if view.min_rate:
            p = min(max(p, power_for_rate(view.direct_gain, view.min_rate, ipn)), view.p_cap)
    if objective == "min_power":
        p = min(up_to_grid(p / view.p_max) * view.p_max, view.p_cap)
    return {
        "suggested_power": round(p / view.p_max, 4),
        "rate": round(rate(view.direct_gain, p, ipn), 3),
        "neighbourhood": len(members),
    }


def channel_row(view: LocalView, power: float) -> dict:
    """The fields of the agent's own channel row for its outgoing :class:`Note`."""
    return {
        "direct_gain": view.direct_gain,
        # the neighbours' gains and those of the loud interferers it does not talk to
        "gains": {
            **dict(zip(view.neighbours, view.neighbour_gains, strict=True)),
            **dict(view.outside),
        },  # fmt: skip
        "received": view.expected_received(),
        "interference_plus_noise": view.estimated_interference_plus_noise(),
        "cap": view.cap,
        "outside_gain": view.outside_gain,
    }


__all__ = [
    "Note", "best_response_sweeps", "channel_row", "greedy_onoff", "local_problem", "local_wmmse", "member_floors", "member_weights",
    "local_utility", "quiet_outside_noise", "member_powers", "planning_objective", "weighted_local_plan", "wmmse_local",
]  # fmt: skip
