"""The engine: one PettingZoo ParallelEnv for every topology of the shared band."""

from __future__ import annotations

import warnings

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv

from . import metrics
from .observations import (
    DB_HIGH,
    DB_LOW,
    build_observations,
    observation_space,
    split_per_agent,
    strongest_interferers,
)
from .rendering import render_text
from .scenarios.base import Scenario

REWARDS = ("sum_rate", "rate")
SPACINGS = ("linear", "dbm")
DBM_SPAN_DB = 37.0  # "dbm" levels run from p_max - 37 dB (1 dBm for 38 dBm) up to p_max


def power_levels_w(n_levels: int, p_max: float, spacing: str = "linear") -> np.ndarray:
    """The ``n_levels`` transmit powers (W) of the discrete action, ascending, 0 and p_max included.

    ``"linear"``: evenly spaced in watts. ``"dbm"``: 0 W, then ``n_levels - 1`` levels evenly
    spaced in dBm from ``p_max - 37 dB`` to ``p_max`` (for 38 dBm: 1, ..., 38 dBm, the levels of
    Nasir & Guo 2019 with 10 levels).
    """
    if n_levels < 2:
        raise ValueError("power_levels must be at least 2 (0 and p_max)")
    if spacing == "linear":
        return np.linspace(0.0, p_max, n_levels)
    if spacing == "dbm":
        if n_levels == 2:
            return np.array([0.0, p_max])
        top = float(metrics.watts_to_dbm(p_max))
        return np.concatenate(
            [[0.0], metrics.dbm_to_watts(np.linspace(top - DBM_SPAN_DB, top, n_levels - 1))]
        )
    raise ValueError(f"power_spacing must be one of {SPACINGS}, got {spacing!r}")


class WirelessEnv(ParallelEnv):
    """K transmitter-receiver links sharing one band; each agent sets its transmit power.

    ## Description

    Every agent ``agent_i`` is one link (transmitter ``i`` -> receiver ``i``) on an edge device.
    All links share one band, so each one's transmit power is interference to all the others. A
    scenario (``gaussian``, ``d2d``, ``cellular``; see :mod:`environment.scenarios`) produces the
    gain matrix ``G`` of each slot, ``G[i, j]`` = linear power gain from transmitter ``j`` to
    receiver ``i``. Rates follow :mod:`environment.metrics`:
    ``rate_i = log2(1 + G_ii p_i / (noise + sum_{j != i} G_ij p_j))`` bit/s/Hz.

    ## Action Space

    ``Box(0, p_max, (1,), float32)``: transmit power in watts, clipped to ``[0, p_max]``. With
    ``power_levels=N``: ``Discrete(N)``, index into :attr:`levels` (see :func:`power_levels_w`).
    An agent missing from the action dict stays silent (0 W) for that slot.

    ## Observation Space

    Local only, a ``Dict`` of float32 Boxes; see the table in :mod:`environment.observations`:
    ``direct_gain_db``, ``interference_plus_noise_dbm``, ``sinr_db``, ``rate``, ``power_w``,
    ``interferer_gain_db`` (n,), ``interferer_rx_dbm`` (n,), n = ``n_interferers``.

    ## Rewards

    ``reward="sum_rate"`` (default): every agent gets the network sum-rate of the slot (bit/s/Hz).
    ``reward="rate"``: every agent gets its own link's rate.

    ## Info

    ``infos[agent]``: ``gains`` (K, K) read-only matrix the next action will face (global channel
    knowledge for planners allowed it; one array shared by all agents), ``p_max`` (W), ``noise``
    (W), ``rate`` (bit/s/Hz) and ``sinr`` (linear) of the agent's link in the last slot, ``power``
    (W) it used, ``neighbours``: indices of its strongest interferers, strongest first (the order
    of ``interferer_gain_db``).

    ## Starting State

    ``reset`` makes a new drop (positions, shadowing, fading) from the env's seeded generator.
    Nobody has transmitted yet: last powers, SINRs and rates are 0.

    ## Episode End

    No termination. Every agent is truncated after ``max_steps`` slots.

    ## Arguments

    ``scenario``: a :class:`~environment.scenarios.base.Scenario`. ``max_steps`` (100).
    ``reward`` ("sum_rate" | "rate"). ``power_levels`` (None = continuous, or N >= 2).
    ``power_spacing`` ("linear" | "dbm"). ``n_interferers`` (default ``min(5, K - 1)``).
    ``time_slices`` (1: one power vector per slot; L > 1: see "Time slices").
    ``render_mode`` (None | "ansi" | "human"). ``seed``: seeds the first ``reset`` that gets no
    seed of its own; afterwards ``reset()`` continues the generator, ``reset(seed=s)`` reseeds.
    """

    metadata = {"name": "wireless_agents_v0", "render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(
        self,
        scenario: Scenario,
        max_steps: int = 100,
        reward: str = "sum_rate",
        power_levels: int | None = None,
        power_spacing: str = "linear",
        n_interferers: int | None = None,
        render_mode: str | None = None,
        seed: int | None = None,
        time_slices: int = 1,
    ):
        if reward not in REWARDS:
            raise ValueError(f"reward must be one of {REWARDS}, got {reward!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}")
        if max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        if isinstance(time_slices, bool) or int(time_slices) != time_slices or time_slices < 1:
            raise ValueError(
                f"time_slices (mini_slots) must be an integer >= 1, got {time_slices!r}"
            )
        self.time_slices = int(time_slices)
        self.scenario = scenario
        k = scenario.n_agents
        if k < 1:
            raise ValueError("n_agents must be at least 1")
        self.max_steps = int(max_steps)
        self.reward_mode = reward
        self.render_mode = render_mode
        self.p_max = float(scenario.p_max)
        self.noise = float(scenario.noise)
        self.n_interferers = min(5, k - 1) if n_interferers is None else int(n_interferers)
        if not 0 <= self.n_interferers <= k - 1:
            raise ValueError(f"n_interferers must lie in [0, {k - 1}]")
        self.levels = (
            None
            if power_levels is None
            else power_levels_w(power_levels, self.p_max, power_spacing)
        )
        self.possible_agents = [f"agent_{i}" for i in range(k)]
        self.agents = []
        # One space object shared by all agents (identical spaces; cheap for K = 1000).
        self._obs_space = observation_space(self.n_interferers, self.p_max, self.time_slices)
        n = self.time_slices
        if self.levels is None:
            self._act_space = spaces.Box(0.0, self.p_max, shape=(n,), dtype=np.float32)
        elif n == 1:
            self._act_space = spaces.Discrete(len(self.levels))
        else:
            self._act_space = spaces.MultiDiscrete([len(self.levels)] * n)
        self.observation_spaces = dict.fromkeys(self.possible_agents, self._obs_space)
        self.action_spaces = dict.fromkeys(self.possible_agents, self._act_space)
        self.state_space = spaces.Box(DB_LOW, DB_HIGH, shape=(k * k,), dtype=np.float32)
        self._seed = seed
        self.np_random, _ = seeding.np_random(seed)
        self.gains = None
        self.steps = 0
        self._last = None

    # -- spaces -------------------------------------------------------------------------------

    def observation_space(self, agent: str) -> spaces.Dict:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    # -- world --------------------------------------------------------------------------------

    @property
    def n_agents(self) -> int:
        """Number of links K."""
        return len(self.possible_agents)

    @property
    def positions(self):
        """``(tx, rx)`` positions in metres, each ``(K, 2)``, or None (gaussian)."""
        return self.scenario.positions

    @property
    def last_powers(self) -> np.ndarray:
        """Powers (W) used in the last slot, ``(K,)`` (the mean over its time slices); zeros
        right after reset."""
        return self._last["powers"]

    @property
    def last_schedule(self) -> np.ndarray:
        """The ``(K, L)`` schedule (W per link and time slice) of the last slot; zeros right
        after reset. With ``L = 1`` the last powers as one column."""
        return self._last.get("schedule", self._last["powers"][:, None])

    def powers_from_actions(self, actions: dict) -> np.ndarray:
        """Transmit powers in watts for an action dict (missing agents: 0 W): ``(K,)`` with one
        time slice, else the ``(K, L)`` schedule (an agent's single power fills its row)."""
        n = self.time_slices
        if n > 1:
            return self._schedule_from_actions(actions)
        p = np.zeros(self.n_agents)
        for i, agent in enumerate(self.possible_agents):
            a = actions.get(agent)
            if a is None:
                continue
            if self.levels is None:
                p[i] = float(np.asarray(a, dtype=float).reshape(-1)[0])
            else:
                idx = int(np.asarray(a).reshape(-1)[0])
                if not 0 <= idx < len(self.levels):
                    raise ValueError(f"{agent}: power level {idx} not in [0, {len(self.levels)})")
                p[i] = self.levels[idx]
        return np.clip(np.nan_to_num(p, nan=0.0), 0.0, self.p_max)

    def _schedule_from_actions(self, actions: dict) -> np.ndarray:
        n = self.time_slices
        p = np.zeros((self.n_agents, n))
        for i, agent in enumerate(self.possible_agents):
            a = actions.get(agent)
            if a is None:
                continue
            row = np.asarray(a).reshape(-1)
            if row.size not in (1, n):
                raise ValueError(
                    f"{agent}: action has {row.size} powers; give 1 or {n} (time slices)"
                )
            if self.levels is None:
                p[i] = row.astype(float)
            else:
                idx = row.astype(int)
                if np.any(idx < 0) or np.any(idx >= len(self.levels)):
                    raise ValueError(f"{agent}: power level not in [0, {len(self.levels)})")
                p[i] = self.levels[idx]
        return np.clip(np.nan_to_num(p, nan=0.0), 0.0, self.p_max)

    def actions_from_powers(self, powers) -> dict:
        """Action dict for a power vector ``(K,)`` or a ``(K, L)`` schedule in watts (nearest
        level if discrete). A ``(K,)`` vector is used in every time slice."""
        arr = np.asarray(powers, dtype=float)
        if self.time_slices > 1 or arr.ndim == 2:
            return self._actions_from_schedule(arr)
        p = np.clip(arr.reshape(-1), 0.0, self.p_max)
        if self.levels is None:
            return {
                a: np.array([p[i]], dtype=np.float32) for i, a in enumerate(self.possible_agents)
            }
        idx = np.abs(p[:, None] - self.levels[None, :]).argmin(axis=1)
        return {a: int(idx[i]) for i, a in enumerate(self.possible_agents)}

    def _actions_from_schedule(self, arr: np.ndarray) -> dict:
        k, n = self.n_agents, self.time_slices
        if arr.ndim == 1:
            arr = np.repeat(arr.reshape(k, 1), n, axis=1)
        if arr.shape != (k, n):
            raise ValueError(
                f"a schedule must have shape ({k}, {n}) (links, time slices), got {arr.shape}"
            )
        p = np.clip(arr, 0.0, self.p_max)
        if self.levels is None:
            return {a: p[i].astype(np.float32) for i, a in enumerate(self.possible_agents)}
        idx = np.abs(p[:, :, None] - self.levels[None, None, :]).argmin(axis=2)
        if n == 1:
            return {a: int(idx[i, 0]) for i, a in enumerate(self.possible_agents)}
        return {a: idx[i].copy() for i, a in enumerate(self.possible_agents)}

    # -- PettingZoo API -----------------------------------------------------------------------

    def reset(self, seed: int | None = None, options: dict | None = None):
        if seed is None and self._seed is not None:
            seed, self._seed = self._seed, None
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
            self._seed = None
        self.agents = self.possible_agents[:]
        self.steps = 0
        self.gains = self._freeze(self.scenario.reset(self.np_random))
        k = self.n_agents
        zeros = np.zeros(k)
        self._last = {
            "gains": self.gains,
            "powers": zeros,
            "sinr": zeros,
            "rates": zeros,
            "ipn": np.full(k, self.noise),
        }
        if self.time_slices > 1:
            self._last["schedule"] = np.zeros((k, self.time_slices))
        obs, infos = self._observe()
        return obs, infos

    def step(self, actions: dict):
        if not self.agents:
            raise RuntimeError("step() called on a finished episode; call reset() first")
        powers = self.powers_from_actions(actions)
        self._last = self.slot_record(self.gains, powers)
        rates = self._last["rates"]
        self.steps += 1
        self.gains = self._freeze(self.scenario.step(self.np_random))

        if self.reward_mode == "sum_rate":
            rewards = dict.fromkeys(self.agents, float(rates.sum()))
        else:
            rewards = {a: float(rates[i]) for i, a in enumerate(self.possible_agents)}
        done = self.steps >= self.max_steps
        terminations = dict.fromkeys(self.agents, False)
        truncations = dict.fromkeys(self.agents, done)
        obs, infos = self._observe()
        if done:
            self.agents = []
        if self.render_mode == "human":
            self.render()
        return obs, rewards, terminations, truncations, infos

    def render(self):
        if self.render_mode is None:
            warnings.warn(
                "render() called without render_mode; pass render_mode='ansi'", stacklevel=2
            )
            return None
        text = "(not reset yet)" if self.gains is None else render_text(self)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def state(self) -> np.ndarray:
        """Global state for centralized training: the current gain matrix in dB, flattened."""
        g_db = np.clip(metrics.linear_to_db(self.gains), DB_LOW, DB_HIGH)
        return g_db.ravel().astype(np.float32)

    def close(self):
        pass

    # -- helpers ------------------------------------------------------------------------------

    def slot_record(self, g: np.ndarray, powers: np.ndarray) -> dict:
        """What powers ``(K,)`` (or a ``(K, L)`` schedule) make on gains ``g`` ``(K, K)``:
        the last-slot record an observation is built from (gains, powers, SINR, rates in
        bit/s/Hz, interference plus noise in W; a schedule's slice rates averaged, see the
        class docstring, "Time slices")."""
        if powers.ndim == 1:
            ipn = metrics.interference_plus_noise(g, powers, self.noise)
            sinr = np.diagonal(g) * powers / ipn
            rates = metrics.shannon_rate(sinr)
            return {"gains": g, "powers": powers, "sinr": sinr, "rates": rates, "ipn": ipn}
        return self._time_shared(g, powers)

    def _time_shared(self, g: np.ndarray, schedule: np.ndarray) -> dict:
        per = schedule.T  # (L, K): one power vector per time slice
        ipn = metrics.interference_plus_noise(g, per, self.noise)
        rates = metrics.shannon_rate(np.diagonal(g) * per / ipn).mean(axis=0)
        return {
            "gains": g,
            "powers": per.mean(axis=0),
            "sinr": np.exp2(rates) - 1.0,
            "rates": rates,
            "ipn": ipn.mean(axis=0),
            "schedule": schedule,
        }

    @staticmethod
    def _freeze(gains: np.ndarray) -> np.ndarray:
        gains = np.asarray(gains, dtype=float)
        gains.setflags(write=False)
        return gains

    def _observe(self):
        return self.observe_on(self.gains, self._last)

    def observe_on(self, gains: np.ndarray, last: dict) -> tuple[dict, dict]:
        """``(obs, infos)`` of every agent were ``gains`` ``(K, K)`` the coming slot's channel
        and ``last`` (a :meth:`slot_record`) the last slot's."""
        neighbours = strongest_interferers(gains, self.n_interferers)
        batched = build_observations(
            gains,
            last["gains"],
            last["powers"],
            last["ipn"],
            last["sinr"],
            last["rates"],
            neighbours,
            self.p_max,
        )
        if self.time_slices > 1:
            batched["power_schedule_w"] = np.clip(last["schedule"], 0.0, self.p_max).astype(
                np.float32
            )
        obs = split_per_agent(batched, self.possible_agents)
        nb = neighbours.tolist()
        infos = {
            a: {
                "gains": gains,
                "p_max": self.p_max,
                "noise": self.noise,
                "rate": float(last["rates"][i]),
                "sinr": float(last["sinr"][i]),
                "power": float(last["powers"][i]),
                "neighbours": nb[i],
            }
            for i, a in enumerate(self.possible_agents)
        }
        if self.time_slices > 1:
            for i, a in enumerate(self.possible_agents):
                infos[a]["schedule"] = last["schedule"][i].tolist()
        return obs, infos
