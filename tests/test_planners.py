"""Behaviour of the classical power planners: optimality, batching, caps, inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from wireless_agents.environment.metrics import rates, sum_rate
from wireless_agents.planners import (
    ALGORITHMS,
    Planner,
    PlannerInputError,
    ProblemTooLarge,
    describe,
    get_planner,
    solve,
    solve_detailed,
)
from wireless_agents.planners._reference import gaussian_amplitudes, scalar_wmmse
from wireless_agents.planners.wmmse import wmmse_run


def gains(b, k, seed=0, factor=1.0):
    rng = np.random.default_rng(seed)
    g = rng.exponential(size=(b, k, k))
    g[:, ~np.eye(k, dtype=bool)] *= factor
    return g


def test_wmmse_objective_never_decreases():
    g = gains(60, 6, seed=1, factor=3.0)
    w = np.random.default_rng(2).uniform(0.2, 3.0, size=(60, 6))
    caps = np.random.default_rng(3).uniform(0.1, 5.0, size=(60, 6))
    _, iters, hist = wmmse_run(g, caps, 0.5, weights=w, max_iter=200, tol=1e-9, history=True)
    assert iters.max() > 5
    for s in range(60):
        h = hist[: iters[s] + 1, s]
        assert not np.isnan(h).any()
        assert np.all(np.diff(h) >= -1e-9), h


def test_wmmse_matches_the_scalar_reference():
    h = gaussian_amplitudes(10, 30, seed=2017)
    ref = np.array([scalar_wmmse(x) for x in h])
    ours = solve(h**2)
    np.testing.assert_allclose(ours, ref, atol=1e-10)


@pytest.mark.parametrize("algo", ["wmmse", "fp", "greedy", "best"])
def test_batch_equals_one_by_one(algo):
    g = gains(12, 5, seed=4, factor=2.0)
    batch = solve(g, algo=algo)
    single = np.array([solve(x, algo=algo) for x in g])
    np.testing.assert_allclose(batch, single, atol=1e-9)


def test_single_link_uses_full_power():
    assert solve(np.array([[0.3]]), p_max=2.0) == pytest.approx([2.0])
    assert solve(np.array([[0.3]]), p_max=2.0, max_power=[0.5]) == pytest.approx([0.5])
    for algo in ALGORITHMS:
        if algo not in ("random", "minpower"):  # minpower: no floor, no power
            assert solve(np.array([[0.3]]), algo=algo) == pytest.approx([1.0]), algo
    assert solve(np.array([[0.3]]), algo="minpower") == pytest.approx([0.0])


def fine_grid(g, levels=201):
    grid = np.linspace(0.0, 1.0, levels)
    p1, p2 = np.meshgrid(grid, grid, indexing="ij")
    p = np.stack([p1.ravel(), p2.ravel()], axis=-1)
    return sum_rate(g[None], p).max()


def test_two_links_best_reaches_the_fine_grid_and_wmmse_is_stationary():
    g = gains(15, 2, seed=5, factor=2.0)
    best = sum_rate(g, solve(g, algo="best"))
    for s in range(15):
        assert best[s] >= fine_grid(g[s]) - 1e-9
    # WMMSE run to convergence satisfies the KKT conditions of the box-constrained problem.
    p, _ = wmmse_run(g, np.ones((15, 2)), 1.0, max_iter=20000, tol=1e-13)
    eps = 1e-6
    for i in range(2):
        d = np.zeros(2)
        d[i] = eps
        grad = (sum_rate(g, np.clip(p + d, 0, None)) - sum_rate(g, np.clip(p - d, 0, None))) / (
            2 * eps
        )
        interior = (p[:, i] > 1e-4) & (p[:, i] < 1 - 1e-4)
        assert np.all(np.abs(grad[interior]) < 1e-3)
        assert np.all(grad[p[:, i] >= 1 - 1e-9] > -1e-6)


def test_optimal_equals_bruteforce_enumeration():
    g = gains(6, 3, seed=6, factor=2.0)
    caps = np.array([1.0, 0.5, 2.0])
    levels = 5
    p = solve(g, algo="optimal", levels=levels, refine=False, max_power=caps, p_max=2.0)
    for s in range(6):
        best = max(
            sum_rate(g[s], np.array(c) * caps)
            for c in itertools.product(np.linspace(0, 1, levels), repeat=3)
        )
        assert sum_rate(g[s], p[s]) == pytest.approx(best, abs=1e-12)


def test_best_never_below_wmmse_and_near_the_grid_optimum():
    for factor in (1.0, 20.0):
        g = gains(40, 3, seed=7, factor=factor)
        wm = sum_rate(g, solve(g))
        be = sum_rate(g, solve(g, algo="best"))
        opt = sum_rate(g, solve(g, algo="optimal", levels=31))
        assert np.all(be >= wm - 1e-12)
        assert np.all(be >= 0.99 * opt)
    g = gains(50, 8, seed=8, factor=5.0)
    assert np.all(sum_rate(g, solve(g, algo="best")) >= sum_rate(g, solve(g)) - 1e-12)


@pytest.mark.parametrize("algo", list(ALGORITHMS))
def test_every_algorithm_honours_caps(algo):
    g = gains(5, 4, seed=9)
    cap = np.array([0.0, 0.3, 2.0, 5.0])
    p = solve(g, p_max=2.0, algo=algo, max_power=cap)
    assert p.shape == (5, 4)
    assert np.all(p >= 0)
    assert np.all(p <= np.minimum(cap, 2.0) + 1e-12)
    assert np.all(p[:, 0] == 0)
    q = solve(g[0], p_max=[1.0, 2.0, 3.0, 4.0], algo=algo, max_power_frac=[1.0, 0.5, 0.0, 0.25])
    assert q.shape == (4,)
    assert np.all(q <= np.array([1.0, 1.0, 0.0, 1.0]) + 1e-12)


def test_optimal_refuses_large_problems():
    with pytest.raises(ProblemTooLarge, match=r"21\^8 .*limit.*best"):
        solve(gains(1, 8)[0], algo="optimal")
    assert isinstance(ProblemTooLarge("x"), ValueError)


def test_random_is_seeded():
    g = gains(3, 5)
    a, b = solve(g, algo="random"), solve(g, algo="random")
    np.testing.assert_array_equal(a, b)
    c = solve(g, algo="random", seed=1)
    assert not np.allclose(a, c)
    assert np.all((c >= 0) & (c <= 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gains": np.ones((3, 4))}, "shape"),
        ({"gains": np.ones((2, 3, 3, 3))}, "shape"),
        ({"gains": np.array([[1.0, np.nan], [0.1, 1.0]])}, "NaN"),
        ({"gains": np.array([[1.0, -0.1], [0.1, 1.0]])}, "non-negative"),
        ({"p_max": 0.0}, "p_max"),
        ({"p_max": [1.0, 1.0, 1.0]}, "p_max"),
        ({"noise": -1.0}, "noise"),
        ({"algo": "magic"}, "unknown algo 'magic'"),
        ({"levels": 3}, "does not take option 'levels'"),
        ({"max_power_frac": 1.5}, "max_power_frac"),
        ({"max_power": [-1.0, 1.0]}, "max_power"),
        ({"min_rate": [np.inf, 0.0]}, "min_rate"),
        ({"gains": "abc"}, "numeric"),
    ],
)
def test_bad_inputs_raise_one_line_value_errors(kwargs, message):
    args = {"gains": np.array([[1.0, 0.1], [0.2, 1.0]])} | kwargs
    with pytest.raises(ValueError, match=message) as err:
        solve(**args)
    assert isinstance(err.value, PlannerInputError)
    assert "\n" not in str(err.value)


def test_solution_report_and_planner_contract():
    g = gains(4, 3, seed=10)
    sol = solve_detailed(g, algo="best")
    assert sol.powers.shape == (4, 3) and sol.rates.shape == (4, 3)
    np.testing.assert_allclose(sol.sum_rate, sum_rate(g, sol.powers))
    np.testing.assert_allclose(sol.rates, rates(g, sol.powers))
    assert sol.feasible.all() and sol.violations == [] and sol.algo == "best"
    assert sol.seconds > 0 and np.all(sol.iterations > 0)
    one = solve_detailed(g[0])
    assert isinstance(one.sum_rate, float) and one.feasible is True
    assert set(describe()) == set(ALGORITHMS)
    for name in ALGORITHMS:
        planner = get_planner(name)
        assert isinstance(planner, Planner) and planner.name == name
        np.testing.assert_allclose(planner.plan(g, 1.0, 1.0, {}), solve(g, algo=name))
    capped = get_planner("wmmse").plan(g[0], 1.0, 1.0, {"max_power": [0.0, 1.0, 1.0]})
    assert capped[0] == 0.0
    with pytest.raises(ValueError, match="unknown planner"):
        get_planner("nope")
