"""Max-min: the links left out of every group plan their slices around the groups' schedule.

A group's schedule (:mod:`.sharing`) is planned from one link's view and leaves the links
outside it at their settled power in every slice; under ``max_min`` the minimum falls to
them. Once the groups formed, each link in none of them (least rate first) plans its slices
with its neighbours still free, holding the schedule of those in a group as it now runs:

- the gains among the caller and its neighbours come from its own row and their notes (as in
  :func:`wireless_agents.tools.timeshare.neighbourhood`); each receiver's interference from
  the links outside that neighbourhood is what it measures in each slice (it changes from
  slice to slice, as the groups take turns), less the neighbourhood's part;
- in each slice the free links take one of: all off, every on/off pattern of them at their
  caps, or their settled powers (reuse); every way of giving the L slices those columns is
  scored by the least mean rate over the whole neighbourhood (the grouped neighbours count:
  turning a free link up in a slice lowers their rates), then the total;
- the plan is kept only when it raises that least rate above the settled powers' (a free link
  silent in the slices where its loud neighbours transmit, loud where they are silent).

The per-slice interference is measured with the groups' schedule on the air (a round of
pilots per slice, as step 4's closed loop runs); the neighbours' measurements are taken as
reaching the caller with their rows (not counted as messages of their own). Links whose rows
the caller does not hold are not scored: a plan that drops one of them below the common rate
is objected to in step 5 and dropped.

Units: gains linear, powers and noise in watts, rates in bit/s/Hz.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from wireless_agents.tools.timeshare import RATE_TOL, Slices, column_rates, neighbourhood

MAX_FREE = 3  # free links planned together (2^3 + 1 columns per slice, 9^L ways)
MAX_LINKS = 16  # the neighbourhood scored (the caller and the neighbours whose rows it holds)
MAX_WAYS = 20000  # ways of filling the slices scored at once


@dataclass(frozen=True)
class FillPlan(Slices):
    """The free links' slices around the fixed schedule.

    ``members`` the neighbourhood (the caller first); ``free`` the members planned here;
    ``schedule`` (n, L) W of every member (the fixed members' rows as they run); ``rates`` (n,)
    mean rates of it; ``base_rates`` (n,) those at the settled powers; ``value``/``base_value``
    the least of each."""

    members: tuple[int, ...]
    free: tuple[int, ...]
    schedule: np.ndarray
    rates: np.ndarray
    base_rates: np.ndarray
    value: float
    base_value: float

    @property
    def better(self) -> bool:
        """Whether the plan raises the neighbourhood's least mean rate (beyond round-off)."""
        return self.value > self.base_value + max(RATE_TOL, 1e-9 * abs(self.base_value))


def fill_plan(view, partners, sched, ipn, free) -> FillPlan | None:
    """The caller's plan of the free links' slices. ``partners`` its neighbours (strongest
    first); ``sched`` (K, L) W the schedule as it runs (free links at their settled powers);
    ``ipn`` (K, L) W the interference plus noise each receiver measures in each slice at it;
    ``free`` the links in no group and not planned yet. None when it has nothing to plan."""
    members, prob = neighbourhood(view, partners, size=MAX_LINKS)
    idx = [a for a, j in enumerate(members) if j in free]
    if not idx or idx[0] != 0:
        return None
    idx = idx[:MAX_FREE]
    n, n_sl = len(members), sched.shape[1]
    g, caps = prob["gains"], prob["caps"]
    cur = np.asarray(sched, dtype=float)[list(members)]  # (n, L)
    off_diag = g - np.diag(np.diagonal(g))
    inside = off_diag @ cur  # (n, L) the neighbourhood's part of what each receiver measures
    bg = np.maximum(np.asarray(ipn, dtype=float)[list(members)] - inside, view.noise)
    f = len(idx)
    pats = np.array([[(m >> b) & 1 for b in range(f)] for m in range(2**f)], dtype=float)
    reuse = cur[idx, 0]
    cols = np.r_[reuse[None], pats * caps[idx][None]]  # (C, f): reuse first, then all off ...
    n_c = len(cols)
    if n_c**n_sl > MAX_WAYS:
        return None
    rates = np.empty((n_sl, n_c, n))
    for t in range(n_sl):
        p = np.repeat(cur[:, t][None], n_c, axis=0)
        p[:, idx] = cols
        rates[t] = column_rates(g, p, bg[:, t])
    ways = np.array(list(itertools.product(range(n_c), repeat=n_sl)))  # (W, L)
    mean = rates[np.arange(n_sl)[None], ways].mean(axis=1)  # (W, n)
    score = np.round(mean.min(-1), 9)
    best = int(np.lexsort((-mean.sum(-1), -score))[0])
    base = mean[0]  # way 0: the reuse column in every slice (the schedule as it runs)
    out = cur.copy()
    for t, c in enumerate(ways[best]):
        out[idx, t] = cols[c]
    free_ids = tuple(members[a] for a in idx)
    return FillPlan(members, free_ids, out, mean[best], base, float(mean[best].min()),
                    float(base.min()))  # fmt: skip
