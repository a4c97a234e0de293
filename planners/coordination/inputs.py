"""The decide graph's input for one slot: each agent's view, the hearing graph, the channel.

:func:`decide_input` turns the slot's local observations (or, without them, the gain matrix)
and the constraints into the JSON input of the decide graph. Each agent's
:class:`~wireless_agents.tools.LocalView` keeps only its significant interferers
(:func:`significant_neighbours`, at most ``max_neighbours`` of them), and no device hears more
than ``max_peers`` others (:func:`peer_tables`), so views, notes and local problems stay bounded
as K grows; per-link constraints become each view's ``min_rate`` and
``cap`` (:func:`link_caps`). The network objective and the link weights, when the constraints
state them (``objective``, ``weights``: :func:`goals`), become each view's ``objective`` and
``weight``; without them the views are the plain sum-rate views they always were.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from wireless_agents.environment.objectives import link_weights, resolve_objective
from wireless_agents.tools import LocalView

from . import channel as ch
from .clusters import make_clusters
from .config import TeamConfig
from .state import view_to_dict


def per_link(value, k: int, default=None) -> list:
    """A scalar or per-link constraint as ``k`` floats; a missing or non-finite entry is
    ``default``."""
    if value is None:
        return [default] * k
    arr = np.broadcast_to(np.asarray(value, dtype=float), (k,))
    return [default if not np.isfinite(v) else float(v) for v in arr]


def link_caps(constraints: dict, k: int, p_max: float) -> list[float | None]:
    """Each link's own power cap (W) from ``max_power`` (W) and ``max_power_frac`` (of
    ``p_max``), the lower of the two; None where neither is set. The effective cap (with
    ``p_max``) is :func:`~wireless_agents.tools.view.power_cap`."""
    caps = per_link(constraints.get("max_power"), k)
    fracs = per_link(constraints.get("max_power_frac"), k)
    return [
        c if f is None else (f * p_max if c is None else min(c, f * p_max))
        for c, f in zip(caps, fracs, strict=True)
    ]


def goals(constraints: dict, k: int) -> tuple[str | None, list[float | None]]:
    """``(objective, weights)`` the team plans for: the constraints' ``objective`` (a name of
    ``environment.objectives.OBJECTIVES``) and ``weights`` (K,) resolved as
    :func:`~wireless_agents.environment.objectives.resolve_objective` does (weights alone mean
    ``weighted_sum_rate``); ``(None, [None] * k)`` when neither is given (plain sum-rate)."""
    objective, weights = constraints.get("objective"), constraints.get("weights")
    if objective is None and weights is None:
        return None, [None] * k
    objective = resolve_objective(objective, weights)
    if weights is None:
        return objective, [None] * k
    return objective, [float(w) for w in link_weights(weights, k)]


def significant_neighbours(
    view: LocalView, strongest: int, tin_eta: float | None, most: int | None = None
) -> LocalView:
    """``view`` keeping the ``strongest`` interferers it senses (strongest first, as observed) and
    any other whose interference-to-noise ratio at full power reaches ``SNR ** tin_eta`` (own
    signal-to-noise ratio at full power), at ``most`` of them in all (the strongest; None: no
    bound). The others stay in the measured interference; those above the noise at full power
    are the view's ``outside`` (its notes' rows carry their gains: a plan of the neighbourhood
    that silences every neighbour of a link otherwise values that link as if it were alone),
    the summed gain of the rest its ``outside_gain``."""
    snr = view.direct_gain * view.p_max / view.noise
    keep = [
        a
        for a, g in enumerate(view.neighbour_gains)
        if a < strongest or (tin_eta is not None and g * view.p_max / view.noise >= snr**tin_eta)
    ][:most]
    return keep_neighbours(view, keep)


def keep_neighbours(view: LocalView, keep: list[int]) -> LocalView:
    """``view`` with only the neighbours at positions ``keep`` (in their order)."""
    if len(keep) == len(view.neighbours):
        return view
    left = [a for a in range(len(view.neighbours)) if a not in keep]
    loud = [a for a in left if view.neighbour_gains[a] * view.p_max >= view.noise]
    quiet = sum(view.neighbour_gains[a] for a in left if a not in loud)
    return replace(
        view,
        outside=(*view.outside, *((view.neighbours[a], view.neighbour_gains[a]) for a in loud)),
        outside_gain=(view.outside_gain or 0.0) + quiet if quiet > 0 else view.outside_gain,
        neighbours=tuple(view.neighbours[a] for a in keep),
        neighbour_gains=tuple(view.neighbour_gains[a] for a in keep),
        neighbour_rx_last=tuple(view.neighbour_rx_last[a] for a in keep),
    )


def peer_tables(views: list[LocalView], most: int | None) -> list[LocalView]:
    """``views`` trimmed so that no device hears more than ``most`` peers on the control channel.

    A device hears its own neighbours and every device that counts it as one (the symmetric
    closure, :func:`~.channel.listeners`); however short each neighbour list, that closure can
    grow with K around a loud transmitter. Each device keeps a peer table of at most ``most``
    entries, filled strongest link first: the pairs ``(i, j)`` with ``j`` in ``i``'s list go
    through in order of the measured gain ``G[i, j]`` (ties by ids); a pair whose link is already
    in both tables is kept, a new link only when both tables have room; a dropped pair leaves
    ``j`` in ``i``'s measured interference. None: no bound (the views as they are)."""
    if most is None:
        return views
    pairs = sorted(
        ((-g, i, a) for i, v in enumerate(views) for a, g in enumerate(v.neighbour_gains)),
    )
    table: list[set[int]] = [set() for _ in views]
    keep: list[list[int]] = [[] for _ in views]
    for _, i, a in pairs:
        j = views[i].neighbours[a]
        if j in table[i] or (len(table[i]) < most and len(table[j]) < most):
            table[i].add(j)
            table[j].add(i)
            keep[i].append(a)
    return [keep_neighbours(v, sorted(kp)) for v, kp in zip(views, keep, strict=True)]


def decide_input(gains, p_max, noise, constraints, ctx: dict, cfg: TeamConfig, own=None) -> dict:
    """The decide graph's input for one slot (JSON-able).

    ``constraints``: ``min_rate``, ``max_power``/``max_power_frac``, and the goals
    ``objective``/``weights`` (:func:`goals`). ``gains`` (K, K) the slot's gain matrix: only
    the simulated world uses it (the control channel's loss matrix ``p_loss`` and the closed
    loop's mini-slots, ``gains``), and the agents' first views when ``ctx`` carries no
    observation. ``ctx``: ``obs``/``infos`` (the
    env's), ``slot``, ``seed``, ``carry`` (notes heard last slot), ``positions``/``clusters``
    (three tiers). ``own(i, view) -> view``: agent ``i``'s own tightening of its view (its
    device profile's floor and cap, :meth:`~.team.Team.own_view`); None: the views as built.
    """
    k = gains.shape[-1]
    cons = dict(constraints or {})
    mins = [m if m and m > 0 else None for m in per_link(cons.get("min_rate"), k)]
    caps = link_caps(cons, k, p_max)
    objective, weights = goals(cons, k)
    obs, infos = ctx.get("obs"), ctx.get("infos")
    built = []
    for i in range(k):
        name = f"agent_{i}"
        if obs is not None and infos is not None:
            nb = [int(j) for j in infos[name]["neighbours"]]
            v = LocalView.from_observation(
                i, obs[name], nb, p_max, noise, min_rate=mins[i], cap=caps[i]
            )
            v = replace(v, objective=objective, weight=weights[i])
            v = significant_neighbours(v, cfg.strongest, cfg.tin_eta, cfg.max_neighbours)
        else:  # no observation: the agent's own row of gains, nobody transmitted yet
            n = min(5, k - 1) if cfg.n_interferers is None else cfg.n_interferers
            order = [j for j in np.argsort(-gains[i], kind="stable") if j != i][:n]
            nb = [int(j) for j in order]
            v = LocalView(
                agent=i, p_max=p_max, noise=noise, direct_gain=float(gains[i, i]),
                interference_plus_noise=noise, neighbours=tuple(nb),
                neighbour_gains=tuple(float(gains[i, j]) for j in nb),
                neighbour_rx_last=tuple(0.0 for _ in nb), min_rate=mins[i], cap=caps[i],
                objective=objective, weight=weights[i],
            )  # fmt: skip
        built.append(v)
    views, neighbours = [], []
    for i, v in enumerate(peer_tables(built, cfg.max_peers)):
        if own is not None:
            v = own(i, v)
        views.append(view_to_dict(v))
        neighbours.append(list(v.neighbours))
    clusters = None
    if cfg.tiers == 3:
        clusters = ctx.get("clusters") or make_clusters(ctx.get("positions"), k, cfg.cluster_size)
        if clusters is None:
            raise ValueError(
                "tiers=3 needs clusters: pass context positions (the scenario's geometry) "
                "or clusters; a scenario without geometry has none"
            )
        clusters = [sorted(int(i) for i in c) for c in clusters]
        if sorted(i for c in clusters for i in c) != list(range(k)):
            raise ValueError("clusters must partition the devices 0..K-1")
    return {
        "slot": int(ctx.get("slot", 0)),
        "seed": int(ctx.get("seed", cfg.seed)),
        "clusters": clusters,
        "p_max": p_max,
        "noise": noise,
        "gains": np.asarray(gains, dtype=float).tolist(),
        "views": views,
        "neighbours": neighbours,
        "p_loss": ch.loss_matrix(gains, cfg.ctrl_power or p_max, noise, cfg.loss),
        "carry": ctx.get("carry") or {},
        "settings": cfg.settings(),
        "proposals": {},
        "events": [],
        "decisions": [],
    }
