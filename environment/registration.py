"""``make_env`` and the PettingZoo registry entries of the topologies.

``make_env("d2d", n_agents=6, seed=0)`` builds the scenario config from the keyword arguments
that belong to it (see the ``*Config`` dataclasses) and hands the rest to
:class:`~environment.core.WirelessEnv`. The same envs are registered in PettingZoo's parallel
registry as ``wireless_agents/<topology>-v0``::

    import wireless_agents, pettingzoo
    env = pettingzoo.make("parallel", "wireless_agents/d2d-v0", n_agents=6, seed=0)
"""

from __future__ import annotations

import dataclasses

import pettingzoo

from .core import WirelessEnv
from .scenarios import SCENARIOS

NAMESPACE = "wireless_agents"
VERSION = 0


def make_env(
    topology: str = "d2d",
    n_agents: int | None = None,
    seed: int | None = None,
    *,
    max_steps: int = 100,
    reward: str = "sum_rate",
    power_levels: int | None = None,
    power_spacing: str = "linear",
    n_interferers: int | None = None,
    render_mode: str | None = None,
    max_cycles: int | None = None,
    mini_slots: int = 1,
    config=None,
    **scenario_kwargs,
) -> WirelessEnv:
    """Build the wireless env of one topology ("gaussian", "d2d" or "cellular").

    Args:
        topology: scenario name.
        n_agents: number of links K (default: the config's, 6 for gaussian/d2d, 7 cells).
        seed: seeds the first ``reset()``; same seed and actions give the same trajectory.
        max_steps: slots per episode before truncation (``max_cycles`` is PettingZoo's alias).
        reward: "sum_rate" (shared) or "rate" (own link).
        power_levels: None for continuous power, or N >= 2 discrete levels.
        power_spacing: "linear" (W) or "dbm" spacing of the discrete levels.
        n_interferers: interferers per observation (default ``min(5, K - 1)``).
        render_mode: None, "ansi" or "human".
        mini_slots: time slices per slot (1: one power vector per slot; L: a (K, L) schedule,
            each link's rate its mean over the slices; the env's ``time_slices``).
        config: a ready scenario config dataclass (then ``scenario_kwargs`` override its fields).
        **scenario_kwargs: fields of the topology's config, e.g. ``area_per_link_m2=2500``.
    """
    if topology not in SCENARIOS:
        raise ValueError(f"unknown topology {topology!r}; choose one of {sorted(SCENARIOS)}")
    cls = SCENARIOS[topology]
    if config is None:
        config = cls.config_class()
    names = {f.name for f in dataclasses.fields(config)}
    unknown = set(scenario_kwargs) - names
    if unknown:
        raise TypeError(f"unknown argument(s) for {topology}: {sorted(unknown)}")
    if n_agents is not None:
        scenario_kwargs["n_agents"] = n_agents
    config = dataclasses.replace(config, **scenario_kwargs)
    return WirelessEnv(
        cls(config),
        max_steps=max_cycles if max_cycles is not None else max_steps,
        reward=reward,
        power_levels=power_levels,
        power_spacing=power_spacing,
        n_interferers=n_interferers,
        render_mode=render_mode,
        seed=seed,
        time_slices=mini_slots,
    )


def env_id(topology: str) -> str:
    """Registry id of a topology, e.g. ``wireless_agents/d2d-v0``."""
    return f"{NAMESPACE}/{topology}-v{VERSION}"


def register_all() -> None:
    """Register every topology in PettingZoo's parallel registry (idempotent)."""
    for topology in SCENARIOS:
        if env_id(topology) not in pettingzoo.parallel_registry:
            pettingzoo.register(
                "parallel",
                env_id(topology),
                entry_point="wireless_agents.environment.registration:make_env",
                kwargs={"topology": topology},
            )
