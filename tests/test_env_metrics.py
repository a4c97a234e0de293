"""Link metrics of environment/metrics.py on cases worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from wireless_agents.environment import metrics

G = np.array([[1.0, 0.5], [0.25, 2.0]])
P = np.array([1.0, 2.0])
NOISE = 0.5


def test_two_link_sinr_and_rates_by_hand():
    # Link 0: 1*1 / (0.5 + 0.5*2) = 2/3.  Link 1: 2*2 / (0.5 + 0.25*1) = 16/3.
    np.testing.assert_allclose(metrics.interference_plus_noise(G, P, NOISE), [1.5, 0.75])
    np.testing.assert_allclose(metrics.sinr(G, P, NOISE), [2 / 3, 16 / 3])
    np.testing.assert_allclose(metrics.rates(G, P, NOISE), np.log2([5 / 3, 19 / 3]))
    assert metrics.sum_rate(G, P, NOISE) == pytest.approx(np.log2(5 / 3 * 19 / 3))


def test_silent_interferer_gives_snr():
    p = np.array([1.0, 0.0])
    np.testing.assert_allclose(metrics.sinr(G, p, NOISE), [2.0, 0.0])


def test_batch_shapes_match_singles():
    rng = np.random.default_rng(0)
    g = rng.exponential(size=(4, 3, 3))
    p = rng.uniform(size=(4, 3))
    assert metrics.rates(g, p).shape == (4, 3)
    assert metrics.sum_rate(g, p).shape == (4,)
    assert metrics.jain_fairness(p).shape == (4,)
    assert metrics.energy_efficiency(g, p).shape == (4,)
    for b in range(4):
        np.testing.assert_allclose(metrics.rates(g, p)[b], metrics.rates(g[b], p[b]))


def test_jain_bounds():
    assert metrics.jain_fairness(np.ones(5)) == pytest.approx(1.0)
    assert metrics.jain_fairness(np.array([3.0, 0, 0, 0])) == pytest.approx(0.25)
    assert metrics.jain_fairness(np.zeros(3)) == 1.0
    x = np.random.default_rng(1).uniform(size=(100, 6))
    j = metrics.jain_fairness(x)
    assert np.all((j >= 1 / 6 - 1e-12) & (j <= 1 + 1e-12))


def test_energy_efficiency():
    expected = np.log2(5 / 3 * 19 / 3) / 3.0  # bit/s/Hz over 3 W
    assert metrics.energy_efficiency(G, P, NOISE) == pytest.approx(expected)
    with_circuit = metrics.energy_efficiency(G, P, NOISE, bandwidth_hz=10.0, circuit_power=0.5)
    assert with_circuit == pytest.approx(10 * np.log2(5 / 3 * 19 / 3) / 4.0)
    assert metrics.energy_efficiency(G, np.zeros(2), NOISE) == 0.0


def test_unit_conversions():
    assert metrics.dbm_to_watts(30.0) == pytest.approx(1.0)
    assert metrics.watts_to_dbm(10**0.8) == pytest.approx(38.0)
    assert metrics.linear_to_db(100.0) == pytest.approx(20.0)
    assert metrics.db_to_linear(-30.0) == pytest.approx(1e-3)
