"""Sharing time with the strongest interferers: a local time-sharing plan over mini-slots.

A link that hears strong interferers may either *reuse* space (every link transmits in every
time slice at its planned power) or *share* time (the links take turns over the slot's L time
slices, each link's rate its mean over the slices). :func:`share_plan` computes, from one link's
:class:`~tools.view.LocalView` alone, the schedule of its neighbourhood (itself and the partners
it names): the gains among them come from its own row and from its partners' notes (their rows
as their receivers see them); interference from outside the group is what they measured beyond
the group's part (held fixed).

The plan is a small linear program over time fractions of candidate power vectors (every on/off
pattern of the group at the caps, every pattern of two links or more at the powers giving its
links their largest common rate, and the reuse vector), ``scipy.optimize.linprog``: the group's
objective subject to each floor on the mean rate (a floor out of reach even alone is left out),
then rounded to whole slices exactly over the LP's support, the reuse vector and each link
alone (every way of giving the L slices to those candidates: least floor shortfall first, then
the objective; when no way meets every floor, the most floors met first, a partner's floor
counted met only when its estimated rate clears it by the notes' precision). Planners-independent: nothing here sees the gain matrix or imports a planner.

Units: gains linear, powers and noise in watts, rates in bit/s/Hz.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from wireless_agents.environment.objectives import utility

from .view import LocalView, power_cap

MAX_GROUP = 6  # the caller and at most three partners (2^4 - 1 on/off patterns)
MAX_CANDIDATES = 8  # columns the rounding enumerates over
RATE_TOL = 1e-6
# bit/s/Hz a partner's estimated mean rate must clear its floor by to count as met when the
# floors cannot all be met: its rows come from its notes, known on the air to +-0.125 dB
# (``planners/coordination/air.py``), about 0.04 bit/s/Hz per slice at high SNR
NOTE_MARGIN = 0.04


class Slices:
    """A plan's slices: ``members`` the link ids, ``schedule`` (n, L) W of each (rows in that
    order)."""

    members: tuple[int, ...]
    schedule: np.ndarray

    def slices_of(self, link: int) -> list[int]:
        """The slices in which ``link`` transmits (a power above 0)."""
        row = self.schedule[self.members.index(link)]
        return [int(t) for t in np.flatnonzero(row > 0)]


@dataclass(frozen=True)
class SharePlan(Slices):
    """A neighbourhood's schedule over ``L`` slices.

    ``members`` the link ids (the caller first); ``schedule`` (n, L) W; ``rates`` (n,) the
    schedule's mean rates; ``reuse_rates`` (n,) the rates of the reuse vector (every slice the
    same); ``value``/``reuse_value`` the group's objective of each; ``floors`` (n,) the floors
    (0: none); ``short``/``reuse_short`` the total floor shortfall of each (bit/s/Hz)."""

    members: tuple[int, ...]
    schedule: np.ndarray
    rates: np.ndarray
    reuse_rates: np.ndarray
    value: float
    reuse_value: float
    floors: np.ndarray
    short: float
    reuse_short: float

    @property
    def takes_turns(self) -> bool:
        """Whether the schedule shares time (some link's power differs between slices); one
        vector in every slice is no time-sharing, whatever its powers."""
        return bool(np.ptp(self.schedule, axis=1).max(initial=0.0) > 0)

    @property
    def misses(self) -> int:
        """The floors the schedule misses (by its estimated rates)."""
        return _misses(self.floors, self.rates)

    @property
    def reuse_misses(self) -> int:
        """The floors reuse misses (by its estimated rates)."""
        return _misses(self.floors, self.reuse_rates)

    @property
    def better(self) -> bool:
        """Whether sharing beats reuse: it takes turns, and misses fewer floors, or as many
        and has a smaller floor shortfall, or the same and a higher objective (by more than
        round-off)."""
        if not self.takes_turns:
            return False
        if self.misses != self.reuse_misses:
            return self.misses < self.reuse_misses
        if self.short < self.reuse_short - RATE_TOL:
            return True
        same = abs(self.short - self.reuse_short) <= RATE_TOL
        return same and self.value > self.reuse_value + 1e-9 * max(1.0, abs(self.reuse_value))


def _misses(floors, rates) -> int:
    return int(np.sum((floors > 0) & (rates < floors - RATE_TOL)))


def neighbourhood(view: LocalView, partners, size: int = MAX_GROUP
                  ) -> tuple[tuple[int, ...], dict]:  # fmt: skip
    """The group ``(caller, *partners)`` whose rows the view holds (a partner without a note in
    the mailbox is left out; at most ``size`` links) and its problem: ``gains`` (n, n), ``caps``/``floors``/
    ``weights``/``background`` (n,) (background: noise plus interference from outside the
    group, W), ``base`` (n,) the powers each announced last (W)."""
    notes = view.latest_notes()
    members = [view.agent] + [int(j) for j in partners if int(j) in notes and j != view.agent]
    members = members[:size]
    n = len(members)
    g = np.zeros((n, n))
    own = dict(zip(view.neighbours, view.neighbour_gains, strict=True))
    g[0, 0] = view.direct_gain
    for b, j in enumerate(members[1:], start=1):
        g[0, b] = own.get(j, 0.0)
    base = np.zeros(n)
    base[0] = view.last_power
    caps, floors, weights = np.zeros(n), np.zeros(n), np.ones(n)
    caps[0], floors[0] = view.p_cap, float(view.min_rate or 0.0)
    weights[0] = 1.0 if view.weight is None else float(view.weight)
    background = np.zeros(n)
    for a, j in enumerate(members[1:], start=1):
        nt = notes[j]
        g[a, a] = float(nt.direct_gain or 0.0)
        for b, k in enumerate(members):
            if b != a:
                g[a, b] = float(nt.gains.get(k, 0.0))
        base[a] = float(nt.power or 0.0)
        caps[a] = power_cap(view.p_max, nt.cap)
        floors[a] = float(nt.min_rate or 0.0)
        weights[a] = 1.0 if nt.weight is None else float(nt.weight)
        # noise plus what it expects from the interferers it hears outside the group (its
        # total less the group's part would carry the total's rounding on the air)
        outside = sum(float(x) for k, x in nt.received.items() if k not in members)
        background[a] = view.noise + outside
    rx = view.expected_received()
    inside = sum(rx.get(k, 0.0) for k in members[1:])
    background[0] = max(view.noise, view.estimated_interference_plus_noise() - inside)
    return tuple(members), {"gains": g, "caps": caps, "floors": floors, "weights": weights,
                            "background": background, "base": base}  # fmt: skip


def column_rates(gains, powers, background) -> np.ndarray:
    """Rates (C, n) of power columns (C, n) (W) with the given background (n,) (W)."""
    p = np.atleast_2d(np.asarray(powers, dtype=float))
    rx = p[:, None, :] * gains[None]  # (C, n, n): received at i from j
    own = np.diagonal(rx, axis1=1, axis2=2)
    ipn = background[None] + rx.sum(-1) - own
    return np.log2(1.0 + own / ipn)


def balanced_columns(gains, caps, background, patterns, iters: int = 40) -> np.ndarray:
    """For each on/off pattern (P, n) of two links or more, the powers (P, n) W that give its
    links the largest common rate within their caps (bisection on the rate, the least powers
    reaching it: ``environment.power_control``); a pattern none reaches keeps its caps."""
    from wireless_agents.environment.power_control import sinr_target_powers

    on = np.asarray(patterns, dtype=bool)
    b, n = on.shape
    g = np.broadcast_to(gains, (b, n, n))
    noise = np.broadcast_to(background, (b, n))
    cap = np.where(on, caps[None], 0.0)
    alone = np.log2(1.0 + np.diagonal(gains) * caps / background)
    lo = np.zeros(b)
    hi = np.where(on, alone[None], np.inf).min(-1)
    best = cap.copy()
    for _ in range(iters):
        mid = (lo + hi) / 2.0
        gamma = np.where(on, (np.exp2(mid) - 1.0)[:, None], 0.0)
        p, ok, _ = sinr_target_powers(g, noise, cap, gamma, np.zeros((b, n)), on, spectral=False)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
        best = np.where(ok[:, None], p, best)
    return best


def _lp(rates, powers, floors, objective, weights, p_max) -> np.ndarray | None:
    """Time fractions (C,) over the columns: the objective under the mean-rate floors (a floor
    no column reaches is left out). None when the floors cannot be met together."""
    from scipy.optimize import linprog

    c_n, n = rates.shape
    served = (floors > 0) & (rates.max(axis=0) >= floors - RATE_TOL)
    if objective == "max_min":  # variables x (C) and t: max t, t <= mean rate of every link
        cost = np.r_[np.zeros(c_n), -1.0]
        a_ub = np.c_[-rates.T, np.ones(n)]
        b_ub = np.zeros(n)
        a_eq, bounds = np.r_[np.ones(c_n), 0.0][None], [(0, None)] * c_n + [(None, None)]
    else:
        if objective == "min_power":
            cost = powers.sum(-1) / max(p_max, 1e-300)
        else:
            w = weights if objective == "weighted_sum_rate" else np.ones(n)
            cost = -(rates @ w)
        a_ub, b_ub = np.zeros((0, c_n)), np.zeros(0)
        a_eq, bounds = np.ones((1, c_n)), [(0, None)] * c_n
    if served.any():
        rows = -rates.T[served]
        if objective == "max_min":
            rows = np.c_[rows, np.zeros(int(served.sum()))]
        a_ub = np.r_[a_ub, rows]
        b_ub = np.r_[b_ub, -floors[served]]
    res = linprog(cost, A_ub=a_ub if len(b_ub) else None, b_ub=b_ub if len(b_ub) else None,
                  A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")  # fmt: skip
    if res.status != 0:
        return None
    return np.clip(res.x[:c_n], 0.0, None)


def _round(rates, powers, floors, objective, weights, p_max, cand, slices):
    """The best whole-slice counts over candidate columns ``cand``: least floor shortfall, then
    the largest objective; when no count meets every floor, the most floors met first (the
    oracle's rule, :mod:`wireless_agents.planners.timeshare_polish`), a partner's (row 1 on)
    counted met only when its estimated rate clears the floor by ``NOTE_MARGIN`` (a floor met
    by a hair on a note's rounded gains is often missed on the air). Returns (counts (C,),
    mean rates (n,), value, shortfall)."""
    combos = np.array(list(itertools.combinations_with_replacement(range(len(cand)), slices)))
    counts = np.zeros((len(combos), len(cand)), dtype=int)
    for t in range(slices):
        np.add.at(counts, (np.arange(len(combos)), combos[:, t]), 1)
    r = counts @ rates[cand] / slices  # (M, n)
    p = counts @ powers[cand] / slices
    short = np.where(floors > 0, np.maximum(floors - r, 0.0), 0.0).sum(-1)
    value = utility(objective, r, p, p_max, weights)
    best = min(range(len(combos)), key=lambda m: (round(short[m], 9), -value[m], m))
    if short[best] > 0:  # the floors cannot all be met: serve as many as the slices can
        margin = np.r_[0.0, np.full(len(floors) - 1, NOTE_MARGIN)]
        missed = ((floors > 0) & (r < floors + margin - RATE_TOL)).sum(-1)
        best = min(range(len(combos)), key=lambda m: (missed[m], round(short[m], 9), -value[m], m))
    full = np.zeros(rates.shape[0], dtype=int)
    full[cand] = counts[best]
    return full, r[best], float(value[best]), float(short[best])


def share_plan(view: LocalView, partners, slices: int, objective: str | None = None,
               base=None) -> SharePlan | None:  # fmt: skip
    """The schedule over ``slices`` time slices of the caller and its ``partners`` (strongest
    first) under the network ``objective`` (None: the sum-rate). ``base`` {link: W}: the reuse
    powers (default: what each announced last). None when no partner's rows are known."""
    members, prob = neighbourhood(view, partners)
    n = len(members)
    if n < 2 or slices < 2:
        return None
    objective = objective or "sum_rate"
    g, caps, floors, bg = prob["gains"], prob["caps"], prob["floors"], prob["background"]
    reuse = prob["base"].copy()
    if base is not None:
        reuse = np.array([float(base.get(j, reuse[a])) for a, j in enumerate(members)])
    reuse = np.clip(reuse, 0.0, caps)
    patterns = np.array([[(m >> a) & 1 for a in range(n)] for m in range(1, 2**n)], dtype=float)
    multi = patterns[patterns.sum(-1) >= 2]
    balanced = balanced_columns(g, caps, bg, multi) if len(multi) else np.zeros((0, n))
    # (C, n): the reuse column first, then every on/off pattern at the caps, then the
    # patterns of several links at their balanced powers
    powers = np.r_[reuse[None], patterns * caps[None], balanced]
    rates = column_rates(g, powers, bg)
    weights = prob["weights"]
    p_max = view.p_max
    x = _lp(rates, powers, floors, objective, weights, p_max)
    if x is None:  # the floors cannot all be met: serve the other terms with floors dropped
        x = _lp(rates, powers, np.zeros(n), objective, weights, p_max)
    support = [] if x is None else [int(c) for c in np.argsort(-x) if x[c] > 1e-9]
    alone = [1 << a for a in range(n)]  # the column of link a alone (pattern bit a)
    cand = list(dict.fromkeys([0, *support, *alone]))[:MAX_CANDIDATES]
    counts, r, value, short = _round(rates, powers, floors, objective, weights, p_max, cand,
                                     slices)  # fmt: skip
    order = [c for c in range(len(counts)) for _ in range(counts[c])]
    schedule = powers[order].T.copy()  # (n, L)
    r0 = rates[0]
    v0 = float(utility(objective, r0, reuse, p_max, weights))
    s0 = float(np.where(floors > 0, np.maximum(floors - r0, 0.0), 0.0).sum())
    return SharePlan(members, schedule, r, r0, value, v0, floors, short, s0)
