"""Admission control: which floors the closed loop gives up when they cannot all be met together.

Constrained Foschini-Miljanic power control (DCPC, Grandhi, Zander & Yates 1995) converges to
the floors when they are jointly feasible; when they are not, links climb to their caps with
floors still missed, keep asking their neighbours for cuts nobody can give, and every link loses.
The classical cure is to remove links until the rest is feasible, one step at a time: the
stepwise removal of Zander (1992, "Distributed cochannel interference control in cellular radio
systems", IEEE Trans. Veh. Technol. 41(3)) and the distributed gradual removal of Andersin,
Rosberg & Zander (1996, "Gradual removals in cellular PCS with constrained power control and
noise", Wireless Networks 2(1)), where a link removes itself once power control has driven it to
its cap below its target. Here a removed link only gives up its *floor* (it keeps transmitting as
a link without one: it complies with requests and may yield, :mod:`.yielding`), and which link
gives up is settled by priority, lowest first (priority-based removal, as in admission control
with link priorities): a link's priority is ``w_i r_i``, the weighted rate its floor guarantees
(``w_i`` its objective weight, 1 unless the objective is ``weighted_sum_rate``; ``r_i`` its floor,
bit/s/Hz), the objective's value its floor protects. Giving up the smallest floors first is also
the oracle's choice (:func:`wireless_agents.planners.constraints.choose` keeps the candidate
missing the least total floor rate): a floor is worth a check only when it holds in full.

One removal round runs in two control-channel mini-slots, after :func:`.floor_control.floor_loop`
stopped with floors missed:

1. *Alarms.* A link whose power control *diverged* (at its cap, floor still missed, reachable
   were the others silent: its own measurements) broadcasts an alarm with its priority and the
   links with a floor that block it (:func:`blocking`: its loudest interferers with a floor,
   as many as their silence takes to close its floor).
2. *Candidates.* Every link that diverged or is named in an alarm it heard is a candidate (a
   link that holds its floor at little power, disturbing no one, is not); a candidate that
   has not announced yet (named, not diverged) announces its priority. A candidate gives up its floor when its ``(priority, -id)`` is below every
   candidate's it heard (ties: the larger id gives up), and says so with an ``inform`` act
   (:mod:`wireless_agents.agents.acts`: its power, reason "my floor is given up").

Every alarm, announcement and inform is a control-channel message (loss, bytes), counted. The
loop (:func:`.floor_control.close_floors`) then runs power control again on the floors kept, and
repeats rounds while links still diverge (at most one floor per link, so at most K rounds).

Units: rates bit/s/Hz, powers watts.
"""

from __future__ import annotations

import numpy as np
from wireless_agents.agents.acts import Act

from . import channel as ch
from .minislot import Measurement

RATE_TOL = 1e-6  # bit/s/Hz a rate may fall short of a floor by round-off
REASON = "my floor is given up"


def diverged(m: Measurement, p, caps, floors, noise: float) -> np.ndarray:
    """``(K,)`` bool: links at their cap whose floor is missed but reachable alone (element ``i``
    reads link ``i``'s own measurements only)."""
    gamma = np.where(floors > 0, np.exp2(floors) - 1.0, 0.0)
    at_cap = (caps > 0) & (p >= caps * (1 - 1e-9))
    reachable = m.direct * caps / noise >= gamma
    missed = m.rate(p) < floors - RATE_TOL
    return (floors > 0) & at_cap & reachable & missed


def blocking(m: Measurement, i: int, cap_i: float, floors) -> list[int]:
    """The links with a floor that diverged link ``i`` names in its alarm: its loudest heard
    interferers with a floor (largest ``rx_ij`` first), as many as it takes for their silence to
    close its floor at its cap (all of them when even that is not enough). Reads row ``i`` of
    ``m`` and the floors its neighbours' notes carry."""
    gamma = 2.0 ** float(floors[i]) - 1.0
    excess = float(m.ipn[i]) - float(m.direct[i]) * cap_i / gamma
    heard = [j for j in np.argsort(-m.rx[i], kind="stable") if m.rx[i, j] > 0 and floors[j] > 0]
    out, cut = [], 0.0
    for j in heard:
        if cut >= excess:
            break
        out.append(int(j))
        cut += float(m.rx[i, j])
    return out


def priorities(floors, weights) -> np.ndarray:
    """``(K,)`` each link's priority ``w_i r_i`` (``weights`` None: all 1)."""
    w = np.ones(len(floors)) if weights is None else np.asarray(weights, dtype=float)
    return w * np.asarray(floors, dtype=float)


def removal_round(m: Measurement, p, caps, floors, weights, noise: float, p_max: float,
                  hears: list[list[int]], p_loss, seed: int, slot: int, n: int,
                  ) -> tuple[list[int], dict]:  # fmt: skip
    """One round (steps 1-2): ``(links giving up their floor, record)``; ``n`` numbers the round
    in the slot (its channel draws). The record has ``diverged``, ``candidates`` (id ->
    priority as announced), ``dropped``, ``informs`` (the act texts), ``minislots`` (one per
    wave of messages) and channel ``counters``."""
    counters = {"sent": 0, "delivered": 0, "lost": 0, "bytes": 0}
    used = []  # the mini-slots the round took (one per wave of messages)

    def send(envelopes: list[dict], part: int) -> dict:
        used.append(part)
        inbox, out = ch.deliver(envelopes, hears, p_loss, ch.seeded_rng(seed, slot, 6151, n, part))
        for key, v in out.as_dict().items():
            counters[key] += v
        return inbox

    div = [int(i) for i in np.flatnonzero(diverged(m, p, caps, floors, noise))]
    prio = priorities(floors, weights)
    record = {"diverged": div, "candidates": {}, "dropped": [], "informs": [], "minislots": 0}
    if not div:
        return [], {**record, "counters": counters}
    said = {i: round(float(prio[i]), 3) for i in div}  # as announced on the air
    names = {i: blocking(m, i, caps[i], floors) for i in div}
    alarms = send([{"from": i, "slot": slot, "alarm": said[i], "names": names[i]} for i in div], 0)
    cands = set(div) | {j for j, box in alarms.items() if any(j in e["names"] for e in box)}
    late = sorted(j for j in cands if j not in said)
    said.update({j: round(float(prio[j]), 3) for j in late})
    heard = {j: list(box) for j, box in alarms.items()}
    if late:
        for j, box in send(
            [{"from": j, "slot": slot, "priority": said[j]} for j in late], 1
        ).items():
            heard.setdefault(j, []).extend(box)
    dropped = []
    for j in sorted(cands):
        rivals = [(e.get("alarm", e.get("priority")), -e["from"]) for e in heard.get(j, [])
                  if e["from"] in cands]  # fmt: skip
        if all((said[j], -j) < r for r in rivals):
            dropped.append(j)
    informs = []
    if dropped:
        for j in dropped:
            act = Act("inform", amount=min(float(p[j]) / p_max, 1.0), reason=REASON)
            informs.append({"from": j, "slot": slot, "act": act.text})
        send(informs, 2)
    record.update(candidates={str(j): said[j] for j in sorted(cands)}, dropped=dropped,
                  informs=[e["act"] for e in informs], minislots=len(used))  # fmt: skip
    return dropped, {**record, "counters": counters}
