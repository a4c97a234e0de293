"""``timeshare``: a (K, L) power schedule over L time slices, from the time-sharing LP, rounded.

The slot is split into ``mini_slots = L`` equal time slices (the user-facing name; in code
"time slices", apart from the closed loop's pilot mini-slots of
``planners.coordination.minislot``). :func:`planners.timeshare_lp.solve_lp` gives the best
time fractions over candidate power vectors; its value is the ``bound`` (no schedule of any L
does better over those candidates; it is re-solved with the rounded schedule's columns added,
so it bounds the schedule's utility too). The fractions are then rounded to whole slices:

1. Largest remainder (Hamilton): each column gets ``floor(L x_c)`` slices, the slices left go
   to the largest remainders ``L x_c - floor(L x_c)`` (ties: the larger fraction, then the
   lower index).
2. Whole slices over the ``MILP_COLUMNS`` candidates of least reduced cost at the LP's
   duals (the support first; a mixed-integer program, ``scipy.optimize.milp`` with
   HiGHS: slice counts ``n_c >= 0`` summing to L, the LP's objective and floors
   ``sum_c n_c r_i^c >= L f_i``; the best counts found in ``MILP_NODES`` branch-and-bound
   nodes, a deterministic budget), kept when it scores
   better than step 1 (step 5's order).
3. Retarget: each link's rates in the columns it keeps are scaled so that its average over the
   rounded slices equals its LP average, and each column's powers become the least powers
   reaching its new rates (Foschini-Miljanic, ``constraints.min_powers``; a column whose new
   rates are out of reach keeps its powers); kept when it scores better (step 4's order).
4. Fix the floors: single moves of one slice from one column to another (among the LP's
   support and the best single vector) while a move lowers the total floor shortfall, or
   keeps it and raises the utility.
5. The best single vector of the objective (``planners.best``'s answer with the floors, the same
   in every slice) is improved by the same moves; of the two schedules the one that misses the
   floors by less, then has the larger utility, is kept. So the schedule is never worse than
   the best single vector, and with L = 1 it is that vector unless an LP column does better.
6. Floors still missed: each short link's rates in the slices it is on are raised by the factor
   it misses by (the others keep theirs), at the least powers reaching them
   (Foschini-Miljanic); kept when it scores better.

Batched over B by a loop (one LP per problem).
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np
from wireless_agents.environment.metrics import rates as link_rates
from wireless_agents.environment.objectives import utility

from .timeshare_lp import RATE_TOL, objective_cost, powers_for_rates, solve_lp
from .timeshare_polish import polish, turn_starts

MILP_NODES = 100  # the MILP of step 2 keeps the best slice counts found in this many nodes
MILP_COLUMNS = 64  # over this many columns: those of least reduced cost at the LP's duals
TURN_STARTS = 400  # step 7's turn-taking starts at most (every way for K = 3, L = 4: 330)
ON_OFF_MAX_K = 3  # step 7's turns include every on/off pattern up to this many links
MILP_SECONDS = 30.0  # and gives up after this much wall time (a safety net, never reached in tests)


def on_off(caps: np.ndarray) -> np.ndarray:
    """Every on/off pattern at the caps (2^K - 1, K) for K <= ``ON_OFF_MAX_K``, else none."""
    k = caps.shape[0]
    if k > ON_OFF_MAX_K:
        return np.zeros((0, k))
    bits = (np.arange(1, 2**k)[:, None] >> np.arange(k)[None]) & 1
    return bits * caps[None]


def _unique_rows(cols: np.ndarray) -> np.ndarray:
    _, idx = np.unique(np.round(cols, 12), axis=0, return_index=True)
    return cols[np.sort(idx)]


def largest_remainder(x: np.ndarray, slices: int) -> np.ndarray:
    """Whole slices per column (C,) summing to ``slices`` from fractions ``x`` (C,), sum 1."""
    share = np.asarray(x, dtype=float) * slices
    counts = np.floor(share + 1e-12).astype(int)
    left = slices - int(counts.sum())
    rem = share - counts
    order = sorted(range(len(x)), key=lambda c: (-rem[c], -x[c], c))
    for c in order[: max(left, 0)]:
        counts[c] += 1
    return counts


def retarget(gains, caps, noise, cols, r, x, counts, slices):
    """Step 2: columns (C, K) and their rates re-aimed at the LP's average rates."""
    lp_rate = x @ r  # (K,)
    kept = counts @ r / slices
    scale = np.where(kept > 0, lp_rate / np.where(kept > 0, kept, 1.0), 1.0)
    want = np.where(counts[:, None] > 0, r * scale[None], 0.0)
    p, ok = powers_for_rates(gains, caps, noise, cols, want)
    use = ok & (counts > 0)
    new = np.where(use[:, None], p, cols)
    return new, link_rates(gains[None], new, noise)


@contextlib.contextmanager
def _quiet_stdout():
    """File descriptor 1 to /dev/null for the block: HiGHS's MIP solver can print a debug line
    of its own to the C stdout, which would land inside ``wagents solve --json``."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def whole_slices(r, p, floors, objective, w, slices, served):
    """Step 2: slice counts (C,) over every column by a MILP, or None when it finds none."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    c_n, k = r.shape
    has_t = objective == "max_min"
    cost = objective_cost(objective, r, p, w)
    rows, lo = [], []
    for i in np.flatnonzero(floors > 0):
        rows.append(np.concatenate([r[:, i], [0.0] * int(has_t)]))
        lo.append(slices * floors[i])
    if has_t:
        for i in np.flatnonzero(served):
            rows.append(np.concatenate([r[:, i], [-float(slices)]]))
            lo.append(0.0)
    cons = [
        LinearConstraint(np.concatenate([np.ones(c_n), [0.0] * int(has_t)])[None], slices, slices)
    ]
    if rows:
        cons.append(LinearConstraint(np.array(rows), np.array(lo), np.inf))
    integrality = np.concatenate([np.ones(c_n), [0.0] * int(has_t)])
    upper = np.concatenate([np.full(c_n, slices), [np.inf] * int(has_t)])
    with _quiet_stdout():
        res = milp(cost, constraints=cons, integrality=integrality, bounds=Bounds(0, upper),
                   options={"time_limit": MILP_SECONDS, "node_limit": MILP_NODES})  # fmt: skip
    if res.x is None:
        return None
    return np.rint(res.x[:c_n]).astype(int)


def retarget_floors(gains, caps, noise, cols, r, counts, floors, slices):
    """Step 6: short links' rates raised in the slices they are on (see the module)."""
    avg = counts @ r / slices
    short = (floors > 0) & (avg < floors - RATE_TOL) & (avg > 0)
    if not short.any():
        return cols, r
    scale = np.where(short, floors / np.where(avg > 0, avg, 1.0), 1.0) * (1 + 1e-9)
    want = np.where(counts[:, None] > 0, r * scale[None], 0.0)
    p, ok = powers_for_rates(gains, caps, noise, cols, want)
    new = np.where((ok & (counts > 0))[:, None], p, cols)
    return new, link_rates(gains[None], new, noise)


def _score(counts, r, p, floors, objective, w, p_max, slices):
    """(shortfall, utility) of a slice allocation: average rates and powers over the slices."""
    rate = counts @ r / slices
    power = counts @ p / slices
    miss = np.where(floors > 0, np.maximum(floors - rate, 0.0), 0.0)
    short = float(np.where(miss > RATE_TOL, miss, 0.0).sum())
    return short, float(utility(objective, rate, power, p_max, w))


def improve(counts, r, p, floors, objective, w, p_max, slices, max_moves=None):
    """Single-slice moves between columns while they help (step 2 of the module docstring)."""
    counts = counts.copy()
    best = _score(counts, r, p, floors, objective, w, p_max, slices)
    n = r.shape[0]
    for _ in range(max_moves or slices * n + 1):
        found = None
        for a in np.flatnonzero(counts > 0):
            for b in range(n):
                if a == b:
                    continue
                counts[a] -= 1
                counts[b] += 1
                s = _score(counts, r, p, floors, objective, w, p_max, slices)
                counts[a] += 1
                counts[b] -= 1
                better = s[0] < best[0] - 1e-12 or (
                    s[0] <= best[0] + 1e-12 and s[1] > best[1] + 1e-12
                )
                if better and (found is None or _before(s, found[0])):
                    found = (s, a, b)
        if found is None:
            break
        best, a, b = found
        counts[a] -= 1
        counts[b] += 1
    return counts, best


def _before(s, t) -> bool:
    return s[0] < t[0] - 1e-12 or (s[0] <= t[0] + 1e-12 and s[1] > t[1])


def schedule_one(gains, caps, noise, p_max, objective, weights, floors, slices, single,
                 max_rounds=30):  # fmt: skip
    """One problem's schedule (K, L), LP bound, LP verdict and column generation rounds.

    ``single`` (K,) is the best single vector (kept when no schedule beats it)."""
    lp = solve_lp(
        gains, caps, noise, objective, weights, floors, budget=float(p_max.sum()), extra=[single],
        max_rounds=max_rounds,
    )  # fmt: skip
    keep = np.flatnonzero(lp.fractions > 1e-9)
    at = np.flatnonzero(np.all(np.isclose(lp.columns, single, rtol=0, atol=1e-12), axis=1))
    idx = np.unique(np.concatenate([keep, at]))
    cols, r, x = lp.columns[idx], lp.rates[idx], lp.fractions[idx]
    tail = (floors, objective, weights, p_max, slices)
    counts = largest_remainder(x, slices)
    options = [improve(counts, r, cols, *tail) + (cols,)]
    cols2, r2 = retarget(gains, caps, noise, cols, r, x, counts, slices)
    options.append(improve(counts, r2, cols2, *tail) + (cols2,))
    solo = np.zeros(len(idx), dtype=int)
    solo[int(np.flatnonzero(idx == at[0])[0]) if at.size else 0] = slices
    options.append(improve(solo, r, cols, *tail) + (cols,))
    served = (caps > 0) & (np.diagonal(gains) > 0)
    pool = np.arange(len(lp.columns))
    if lp.reduced is not None:
        pool = np.argsort(lp.reduced, kind="stable")[:MILP_COLUMNS]
    pr, pc = lp.rates[pool], lp.columns[pool]
    whole = whole_slices(pr, pc, floors, objective, weights, slices, served)
    if whole is not None:
        used = whole > 0
        options.append(improve(whole[used], pr[used], pc[used], *tail) + (pc[used],))
    best = options[0]
    for opt in options[1:]:
        if _before(opt[1], best[1]):
            best = opt
    counts, score, cols = best
    if score[0] > 0:  # floors still missed
        rr = link_rates(gains[None], cols, noise)
        cols2, r2 = retarget_floors(gains, caps, noise, cols, rr, counts, floors, slices)
        s2 = _score(counts, r2, cols2, *tail)
        if _before(s2, score):
            cols = cols2
    sched = np.repeat(cols, counts, axis=0).T  # (K, L): the columns in order, each its slices
    if slices > 1:
        starts = [sched] + [np.repeat(o[2], o[0], axis=0).T for o in options]
        if score[0] > 0 and lp.feasible:  # floors the LP meets still missed: turn-taking
            turns = np.vstack([lp.columns[keep], np.diag(caps), on_off(caps)])
            starts += turn_starts(_unique_rows(turns), slices, TURN_STARTS)

        def measure(s):
            r_s = link_rates(gains[None], s.T, noise)
            mean = r_s.mean(0)
            misses = int(np.sum((floors > 0) & (mean < floors - RATE_TOL)))
            return (misses, *_score(np.ones(slices), r_s, s.T, *tail))

        sched = polish(gains, caps, noise, starts, floors, objective, weights, measure)
        cols = sched.T
    # the bound: the LP over every candidate, the schedule's own columns included
    again = solve_lp(
        gains, caps, noise, objective, weights, floors, budget=float(p_max.sum()),
        extra=np.vstack([lp.columns, cols]), max_rounds=0,
    )  # fmt: skip
    value = max(lp.value, again.value) if again.feasible else lp.value
    return sched, value, lp.feasible or again.feasible, lp.rounds


def timeshare(gains, caps, noise, p_max, objective, weights, min_rate, slices, singles,
              max_rounds=30):  # fmt: skip
    """Schedules of a batch: ``gains`` (B, K, K), ``caps``/``noise``/``p_max``/``min_rate``/
    ``singles`` (B, K), ``weights`` (B, K) or None. Returns (schedules (B, K, L), bound (B,),
    lp_feasible (B,), rounds (B,))."""
    b = gains.shape[0]
    out = []
    for i in range(b):
        w = None if weights is None else weights[i]
        out.append(
            schedule_one(
                gains[i], caps[i], noise[i], p_max[i], objective, w, min_rate[i], slices,
                singles[i], max_rounds,
            )
        )  # fmt: skip
    scheds, bounds, oks, rounds = zip(*out, strict=True)
    return np.stack(scheds), np.array(bounds), np.array(oks), np.array(rounds)
