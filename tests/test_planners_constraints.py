"""Minimum-rate constraints: met when feasible, reported (and raised) when not."""

from __future__ import annotations

import numpy as np
import pytest
from wireless_agents.environment.metrics import rates
from wireless_agents.planners import ALGORITHMS, InfeasibleError, feasibility, solve, solve_detailed


def gains(b, k, seed=0, factor=1.0):
    rng = np.random.default_rng(seed)
    g = rng.exponential(size=(b, k, k))
    g[:, ~np.eye(k, dtype=bool)] *= factor
    return g


def feasible_targets(g, seed):
    """Targets met by some random power vector, on two of the links: feasible by construction."""
    rng = np.random.default_rng(seed)
    b, k = g.shape[:2]
    r0 = rates(g, rng.uniform(size=(b, k)))
    mask = np.zeros((b, k), dtype=bool)
    mask[:, :2] = True
    return np.where(mask, 0.9 * r0, 0.0)


@pytest.mark.parametrize("algo", list(ALGORITHMS))
def test_min_rates_met_when_feasible(algo):
    g = gains(8, 4, seed=11, factor=2.0)
    target = feasible_targets(g, seed=12)
    opts = {"levels": 11} if algo == "optimal" else {}
    sol = solve_detailed(g, algo=algo, min_rate=target, **opts)
    assert sol.feasible.all(), sol.violations
    assert np.all(sol.rates >= target - 1e-6)
    assert np.all(sol.powers <= 1.0 + 1e-12)


def test_constrained_best_keeps_a_good_sum_rate():
    g = gains(20, 4, seed=13)
    target = feasible_targets(g, seed=14)
    sol = solve_detailed(g, algo="best", min_rate=target)
    assert sol.feasible.all()
    # The minimal-power repair alone already meets the targets; best must do at least as well.
    ok, p_star = feasibility(g, np.ones((20, 4)), np.ones((20, 4)), target)
    assert ok.all()
    assert np.all(sol.sum_rate >= rates(g, p_star).sum(-1) - 1e-9)


def test_nan_and_zero_mean_no_minimum():
    g = gains(1, 3, seed=15)[0]
    a = solve(g, algo="wmmse")
    b = solve(g, algo="wmmse", min_rate=[np.nan, 0.0, np.nan])
    np.testing.assert_array_equal(a, b)


def test_infeasible_targets_are_reported_and_strict_raises():
    g = np.array([[1.0, 0.5, 0.2], [0.3, 1.0, 0.4], [0.2, 0.1, 0.5]])
    # Link 2 alone at full power reaches log2(1.5) = 0.58 bit/s/Hz: 1.5 is out of reach.
    target = [0.5, 0.0, 1.5]
    sol = solve_detailed(g, min_rate=target)
    assert sol.feasible is False
    assert len(sol.violations) == 1
    assert sol.violations[0].startswith("link 2: needs 1.50 bit/s/Hz, best reachable 0.58")
    assert sol.rates[0] >= 0.5 - 1e-6  # the reachable target is still met
    p = solve(g, min_rate=target)  # best effort, no exception
    np.testing.assert_allclose(p, sol.powers)
    with pytest.raises(InfeasibleError, match="link 2") as err:
        solve(g, min_rate=target, strict=True)
    assert isinstance(err.value, ValueError)
    assert err.value.solution.feasible is False
    ok, _ = feasibility(g[None], np.ones((1, 3)), np.ones((1, 3)), np.array([target]))
    assert not ok[0]


def test_jointly_infeasible_targets_name_the_links():
    # Two strongly coupled links that each reach 1 bit/s/Hz alone but not together.
    g = np.array([[1.0, 4.0], [4.0, 1.0]])
    target = [0.9, 0.9]
    ok, _ = feasibility(g[None], np.ones((1, 2)), np.ones((1, 2)), np.array([target]))
    assert not ok[0]
    sol = solve_detailed(g, algo="best", min_rate=target)
    assert not sol.feasible
    assert any("cannot all be met together" in v for v in sol.violations)
    with pytest.raises(InfeasibleError, match="link"):
        solve(g, algo="best", min_rate=target, strict=True)


def test_feasibility_matches_the_minimal_power_vector():
    g = gains(30, 3, seed=16, factor=0.5)
    target = np.full((30, 3), 0.4)
    noise = np.ones((30, 3))
    caps = np.ones((30, 3))
    ok, p_star = feasibility(g, noise, caps, target)
    assert ok.any() and (~ok).any()
    r = rates(g, p_star)
    assert np.all(r[ok] >= 0.4 - 1e-9)
    assert np.all(p_star[ok] <= 1.0 + 1e-12)
    # Where the strict test fails no algorithm can meet the targets; where it passes all do.
    sol = solve_detailed(g, algo="wmmse", min_rate=target)
    np.testing.assert_array_equal(sol.feasible, ok)
    assert sum(v.startswith("problem ") for v in sol.violations) == len(sol.violations) > 0


def test_best_with_a_floor_finds_the_floored_link_alone_at_full_power():
    """Link 0 alone would carry the most, but link 1 needs 2 bit/s/Hz. Repairing the
    unconstrained optimum keeps link 0 on (13.7 bit/s/Hz in all, what WMMSE finds); the floored
    link alone at full power carries 16.6: the constrained grid offers it."""
    g = np.array([[1e6, 1e3], [1e4, 1e5]])
    w = solve_detailed(g, algo="wmmse", min_rate=[0.0, 2.0])
    b = solve_detailed(g, algo="best", min_rate=[0.0, 2.0])
    assert w.feasible and b.feasible and w.sum_rate < 14.0
    assert b.sum_rate == pytest.approx(np.log2(1 + 1e5)) and list(b.powers) == [0.0, 1.0]
    # never below the repaired multi-start answer, batched or not
    many = gains(20, 4, seed=3, factor=2.0)
    target = np.where(np.arange(4) == 1, 1.0, 0.0) * np.ones((20, 4))
    new = solve_detailed(many, algo="best", min_rate=target)
    fp = solve_detailed(many, algo="fp", min_rate=target)
    both = new.feasible & fp.feasible
    assert both.any() and np.all(new.sum_rate[both] >= fp.sum_rate[both] - 1e-9)


def test_a_floor_out_of_reach_alone_is_reported_not_chased():
    """Link 1 cannot reach 3 bit/s/Hz even alone: the plan does not silence link 0 for it."""
    g = np.array([[1.0, 0.1], [0.5, 1.0]])  # link 1 alone at p_max: log2(2) = 1 bit/s/Hz
    sol = solve_detailed(g, algo="best", min_rate=[0.0, 3.0])
    assert not sol.feasible and sol.violations[0].startswith("link 1: needs 3.00")
    free = solve_detailed(g, algo="best")
    assert sol.sum_rate == pytest.approx(free.sum_rate)  # the unreachable floor changed nothing
    assert sol.powers[0] > 0.5
