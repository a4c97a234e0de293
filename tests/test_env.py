"""The wireless env: PettingZoo API, determinism, rewards, observations, mobility, registry."""

from __future__ import annotations

import warnings

import numpy as np
import pettingzoo
import pytest
from pettingzoo.test import api_test, parallel_api_test
from pettingzoo.utils.conversions import parallel_to_aec
from wireless_agents.environment import make_env, metrics
from wireless_agents.environment.geometry import in_hexagon

TOPOLOGIES = ("gaussian", "d2d", "cellular")


def _random_actions(env, rng):
    return env.actions_from_powers(rng.uniform(0.0, env.p_max, size=env.n_agents))


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("power_levels", [None, 5])
def test_parallel_api(topology, power_levels):
    env = make_env(topology, seed=0, max_steps=25, power_levels=power_levels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parallel_api_test(env, num_cycles=40)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_aec_api_via_conversion(topology):
    # The AEC test checks observations against the spaces; its Box-only style hints are ignored.
    env = make_env(topology, n_agents=4, seed=1, max_steps=15, power_levels=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api_test(parallel_to_aec(env), num_cycles=20)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_observations_in_space_and_infos(topology):
    env = make_env(topology, n_agents=8, seed=3, max_steps=30)
    rng = np.random.default_rng(0)
    obs, infos = env.reset()
    for _ in range(30):
        for agent in env.agents:
            assert env.observation_space(agent).contains(obs[agent]), (agent, obs[agent])
            info = infos[agent]
            assert info["gains"].shape == (8, 8)
            assert {"gains", "p_max", "noise", "rate", "sinr", "power", "neighbours"} <= set(info)
            assert len(info["neighbours"]) == env.n_interferers == 5
            assert int(agent.split("_")[1]) not in info["neighbours"]
        np.testing.assert_array_equal(infos["agent_0"]["gains"], env.gains)
        obs, _, _, trunc, infos = env.step(_random_actions(env, rng))
    assert all(trunc.values()) and env.agents == []


def _rollout(seed, topology="d2d", steps=20, power_levels=None):
    env = make_env(topology, n_agents=6, seed=seed, max_steps=steps, power_levels=power_levels)
    obs, infos = env.reset()
    rng = np.random.default_rng(seed)
    trace = [(obs, None, infos["agent_0"]["gains"])]
    for agent in env.possible_agents:
        env.action_space(agent).seed(seed)
    while env.agents:
        actions = {a: env.action_space(a).sample() for a in env.agents}
        if power_levels is None:
            actions = _random_actions(env, rng)
        obs, rew, _, _, infos = env.step(actions)
        trace.append((obs, rew, infos["agent_0"]["gains"]))
    return trace


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_same_seed_same_trajectory(topology):
    a, b = _rollout(7, topology), _rollout(7, topology)
    assert len(a) == len(b) == 21
    for (oa, ra, ga), (ob, rb, gb) in zip(a, b, strict=True):
        assert ra == rb
        np.testing.assert_array_equal(ga, gb)
        for agent in oa:
            for key in oa[agent]:
                np.testing.assert_array_equal(oa[agent][key], ob[agent][key])
    c = _rollout(8, topology)
    assert not np.array_equal(a[5][2], c[5][2])
    assert a[5][1] != c[5][1]


def test_same_seed_discrete_and_reset_reseeds():
    a, b = _rollout(3, power_levels=4), _rollout(3, power_levels=4)
    assert [t[1] for t in a] == [t[1] for t in b]
    env = make_env("d2d", seed=11)
    g0 = env.reset()[1]["agent_0"]["gains"]
    g1 = env.reset()[1]["agent_0"]["gains"]  # continues the generator: a new drop
    g2 = env.reset(seed=11)[1]["agent_0"]["gains"]
    assert not np.array_equal(g0, g1)
    np.testing.assert_array_equal(g0, g2)


@pytest.mark.parametrize("reward", ["sum_rate", "rate"])
def test_rewards_match_metrics(reward):
    env = make_env("cellular", seed=2, reward=reward)
    env.reset()
    rng = np.random.default_rng(1)
    for _ in range(5):
        gains = env.gains.copy()
        p = rng.uniform(0.0, env.p_max, size=env.n_agents)
        _, rew, _, _, infos = env.step(env.actions_from_powers(p))
        expected = metrics.rates(gains, p.astype(np.float32), env.noise)
        got = np.array([rew[a] for a in env.possible_agents])
        if reward == "sum_rate":
            np.testing.assert_allclose(got, expected.sum(), rtol=1e-6)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-6)
        np.testing.assert_allclose(
            [infos[a]["rate"] for a in env.possible_agents], expected, rtol=1e-6
        )


def test_observation_values():
    env = make_env("d2d", n_agents=6, seed=4, n_interferers=3)
    obs, infos = env.reset()
    o = obs["agent_2"]
    assert o["power_w"][0] == 0 and o["rate"][0] == 0
    np.testing.assert_allclose(o["interference_plus_noise_dbm"], -114.0, atol=1e-3)
    g = env.gains
    nb = infos["agent_2"]["neighbours"]
    assert len(nb) == 3
    row = np.delete(g[2], 2)
    assert g[2, nb[0]] == row.max()
    assert list(g[2, nb]) == sorted(g[2, nb], reverse=True)
    np.testing.assert_allclose(o["interferer_gain_db"], 10 * np.log10(g[2, nb]), atol=1e-3)
    np.testing.assert_allclose(o["direct_gain_db"], 10 * np.log10(g[2, 2]), atol=1e-3)
    p = np.linspace(0.5, env.p_max, 6)
    obs, _, _, _, infos2 = env.step(env.actions_from_powers(p))
    o = obs["agent_2"]
    np.testing.assert_allclose(o["power_w"], p[2], rtol=1e-6)
    sinr = metrics.sinr(g, p.astype(np.float32), env.noise)[2]
    np.testing.assert_allclose(o["sinr_db"], 10 * np.log10(sinr), atol=1e-3)
    np.testing.assert_allclose(o["rate"], np.log2(1 + sinr), rtol=1e-5)
    ipn = metrics.interference_plus_noise(g, p.astype(np.float32), env.noise)[2]
    np.testing.assert_allclose(o["interference_plus_noise_dbm"], 10 * np.log10(ipn) + 30, atol=1e-3)
    nb2 = infos2["agent_2"]["neighbours"]
    np.testing.assert_allclose(
        o["interferer_rx_dbm"], 10 * np.log10(g[2, nb2] * p[nb2].astype(np.float32)) + 30, atol=1e-3
    )


def test_actions_clipped_missing_silent_and_levels():
    env = make_env("gaussian", n_agents=3, seed=0)
    env.reset()
    p = env.powers_from_actions({"agent_0": np.array([5.0]), "agent_1": np.array([-1.0])})
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])
    lin = make_env("d2d", power_levels=4)
    np.testing.assert_allclose(lin.levels, np.linspace(0, lin.p_max, 4))
    dbm = make_env("d2d", power_levels=10, power_spacing="dbm")
    assert dbm.levels[0] == 0 and np.isclose(dbm.levels[-1], dbm.p_max)
    np.testing.assert_allclose(metrics.watts_to_dbm(dbm.levels[1:]), np.arange(1.0, 39.0, 37 / 8))
    assert dbm.action_space("agent_0").n == 10
    acts = dbm.actions_from_powers(dbm.levels[[0, 3, 9, 9, 2, 1]])
    assert [acts[a] for a in dbm.possible_agents] == [0, 3, 9, 9, 2, 1]
    with pytest.raises(ValueError):
        dbm.powers_from_actions({"agent_0": 10})


def test_truncation_and_finished_episode():
    env = make_env("gaussian", seed=0, max_steps=3)
    env.reset()
    for t in range(3):
        _, _, term, trunc, _ = env.step({})
        assert not any(term.values())
        assert all(trunc.values()) == (t == 2)
    with pytest.raises(RuntimeError):
        env.step({})


def test_d2d_receivers_move_and_stay_in_bounds():
    env = make_env("d2d", n_agents=10, seed=5, speed_mps=100.0, max_steps=300)
    env.reset()
    tx0, rx0 = (a.copy() for a in env.positions)
    side = env.scenario.side_m
    assert np.isclose(side, np.sqrt(10 * env.scenario.config.area_per_link_m2))
    c = env.scenario.config
    for _ in range(300):
        env.step({})
        tx, rx = env.positions
        d = np.linalg.norm(rx - tx, axis=1)
        assert np.all((d >= c.r_min_m - 1e-9) & (d <= c.r_max_m + 1e-9))
        assert np.all((rx >= 0) & (rx <= side))
    np.testing.assert_array_equal(tx, tx0)
    moved = np.linalg.norm(rx - rx0, axis=1)
    assert np.all(moved > 1.0)


def test_cellular_users_stay_in_cell_and_round_robin():
    env = make_env("cellular", seed=6, speed_mps=200.0, users_per_cell=3, max_steps=300)
    env.reset()
    sc = env.scenario
    first = env.positions[1].copy()
    served = []
    for _ in range(300):
        served.append(sc.scheduled.copy())
        env.step({})
        assert np.all(in_hexagon(sc.users, sc.anchor, sc.config.cell_radius_m))
        assert np.all(np.linalg.norm(sc.users - sc.anchor, axis=1) >= sc.config.r_min_m - 1e-9)
    assert [s[0] for s in served[:6]] == [0, 1, 2, 0, 1, 2]
    assert env.positions[0].shape == (7, 2)
    sc.slot = 0
    assert not np.allclose(sc.users[sc.scheduled], first)


def test_gain_matrix_follows_geometry():
    env = make_env("d2d", n_agents=20, seed=9, shadowing_std_db=0.0)
    env.reset()
    tx, rx = env.positions
    dist = np.linalg.norm(rx[:, None] - tx[None], axis=-1)
    # Without shadowing, G / pathloss is the fading power, Exp(1): mean near 1 over 400 pairs.
    pl = 10 ** (-(128.1 + 37.6 * np.log10(dist / 1000)) / 10)
    ratio = env.gains / pl
    assert 0.8 < ratio.mean() < 1.2


def test_registry_make():
    assert "wireless_agents/d2d-v0" in pettingzoo.parallel_registry
    env = pettingzoo.make("parallel", "wireless_agents/d2d-v0", n_agents=4, seed=1, max_cycles=7)
    assert env.possible_agents == [f"agent_{i}" for i in range(4)]
    assert env.max_steps == 7
    env2 = pettingzoo.make("parallel", "wireless_agents/cellular")  # latest version
    assert env2.scenario.name == "cellular" and env2.n_agents == 7
    assert make_env("d2d").n_agents == 6 and make_env("gaussian").p_max == 1.0
    with pytest.raises(TypeError):
        make_env("d2d", no_such_field=1)
    with pytest.raises(ValueError):
        make_env("mesh")


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_render_ansi(topology):
    env = make_env(topology, seed=0, render_mode="ansi")
    env.reset()
    env.step(env.actions_from_powers(np.full(env.n_agents, env.p_max)))
    text = env.render()
    assert isinstance(text, str)
    assert "agent_0" in text and "agent_5" in text and "SINR" in text
    if topology == "gaussian":
        assert "gain dB" in text
    else:
        grid = "\n".join(line for line in text.splitlines() if line.startswith("|"))
        assert "A" in grid and "a" in grid


def test_render_human_prints(capsys):
    env = make_env("d2d", n_agents=3, seed=0, render_mode="human")
    env.reset()
    env.step({})
    assert "agent_2" in capsys.readouterr().out


def test_env_attributes_for_planners():
    env = make_env("d2d", n_agents=6, seed=0)
    env.reset()
    assert env.gains.shape == (6, 6) and not env.gains.flags.writeable
    assert np.isclose(env.p_max, 10 ** (0.8), rtol=1e-9)  # 38 dBm
    assert np.isclose(env.noise, 10 ** (-14.4), rtol=1e-9)  # -114 dBm
    tx, rx = env.positions
    assert tx.shape == rx.shape == (6, 2)
    assert make_env("gaussian").positions is None
    assert env.state().shape == (36,)
