"""The planners under each objective: weighted sum-rate, max-min fairness, minimum power.

Hand-checkable two-link cases, an independent closed form for max-min (Perron-Frobenius,
C. W. Tan 2015), the exhaustive grid (``optimal``) as a yardstick on small K, batching, and
the default path left as it was.
"""

from __future__ import annotations

import numpy as np
import pytest
from wireless_agents.environment.metrics import rates, sinr
from wireless_agents.environment.objectives import OBJECTIVES, utility
from wireless_agents.planners import ALGORITHMS, PlannerInputError, solve, solve_detailed


def gains(b, k, seed=0, factor=1.0):
    rng = np.random.default_rng(seed)
    g = rng.exponential(size=(b, k, k))
    g[:, ~np.eye(k, dtype=bool)] *= factor
    return g


G2 = np.array([[1.0, 0.2], [0.3, 0.5]])  # G[i, j]: from transmitter j to receiver i


# -- max-min ------------------------------------------------------------------------------


def test_two_links_max_min_by_hand():
    # Equal SINR t with link 1 at its cap (the weaker link): p0 = t (1 + 0.2), 0.5 = t (1 + 0.3 p0)
    # -> 0.36 t^2 + t - 0.5 = 0.
    t = (-1.0 + np.sqrt(1.0 + 4 * 0.36 * 0.5)) / (2 * 0.36)
    sol = solve_detailed(G2, algo="maxmin")
    np.testing.assert_allclose(sol.powers, [1.2 * t, 1.0], rtol=1e-10)
    np.testing.assert_allclose(sinr(G2, sol.powers, 1.0), [t, t], rtol=1e-10)
    assert sol.objective == "sum_rate"  # maxmin plans max-min; the report scores what was asked
    mm = solve_detailed(G2, algo="best", objective="max_min")
    np.testing.assert_allclose(mm.powers, sol.powers)
    assert mm.utility == pytest.approx(np.log2(1 + t), abs=1e-10)


def test_two_links_without_interference():
    g = np.array([[1.0, 0.0], [0.0, 0.5]])
    sol = solve_detailed(g, algo="maxmin")  # link 1 at its cap: SINR 0.5; link 0 needs 0.5 W
    np.testing.assert_allclose(sol.powers, [0.5, 1.0], rtol=1e-10)


def test_max_min_equalizes_and_matches_the_perron_frobenius_closed_form():
    # Max-min SINR under per-link caps P (C. W. Tan, Wireless Network Optimization by
    # Perron-Frobenius Theory, Found. Trends Netw. 2015, ch. 3):
    # t* = 1 / max_i rho(F + u e_i^T / P_i), F_ij = G_ij / G_ii (i != j), u_i = noise / G_ii.
    g = gains(20, 4, seed=21, factor=0.5)
    caps = np.random.default_rng(22).uniform(0.2, 2.0, size=(20, 4))
    sol = solve_detailed(g, algo="maxmin", max_power=caps, p_max=2.0, noise=0.7)
    s = sinr(g, sol.powers, 0.7)
    np.testing.assert_allclose(s, s[:, :1] * np.ones(4), rtol=1e-9)
    gd = np.diagonal(g, axis1=1, axis2=2)
    f = g / gd[:, :, None]
    f[:, np.arange(4), np.arange(4)] = 0.0
    u = 0.7 / gd
    rho = np.zeros((20, 4))
    for i in range(4):
        m = f.copy()
        m[:, :, i] += u / caps[:, i : i + 1]
        rho[:, i] = np.abs(np.linalg.eigvals(m)).max(-1)
    np.testing.assert_allclose(s[:, 0], 1.0 / rho.max(-1), rtol=1e-9)
    assert np.all(sol.powers <= caps + 1e-12)
    # the binding cap is met with equality on at least one link
    assert np.all(np.isclose(sol.powers, caps, rtol=1e-9).any(-1))


def test_max_min_with_a_floor_above_the_common_rate():
    g = gains(1, 3, seed=23)[0]
    free = solve_detailed(g, algo="maxmin", objective="max_min").utility
    j = int(np.argmax(np.diag(g)))
    others = [i for i in range(3) if i != j]
    alone = np.log2(1.0 + g[j, j])  # link j at full power, the others silent
    assert alone > free + 0.1
    floor = np.zeros(3)
    floor[j] = 0.5 * (free + alone)
    sol = solve_detailed(g, algo="maxmin", objective="max_min", min_rate=floor)
    assert sol.feasible
    assert sol.rates[j] == pytest.approx(floor[j], abs=1e-9)  # exactly its floor
    assert sol.rates[others[0]] == pytest.approx(sol.rates[others[1]], abs=1e-9)  # equal
    assert 0 < sol.utility < free  # the floor costs the others


def test_max_min_silent_links_are_left_out_and_documented_as_zero():
    g = gains(1, 3, seed=24)[0]
    sol = solve_detailed(g, algo="maxmin", objective="max_min", max_power_frac=[1.0, 0.0, 1.0])
    assert sol.powers[1] == 0.0
    assert sol.utility == 0.0  # the minimum over all links: link 1 carries nothing
    assert sol.rates[0] == pytest.approx(sol.rates[2], rel=1e-9)  # the served links equalized
    assert sol.rates[0] > 0
    # nothing servable at all: all silent, no error
    none = solve_detailed(g, algo="maxmin", max_power_frac=0.0)
    assert np.all(none.powers == 0)


# -- minimum power ------------------------------------------------------------------------


def test_two_links_min_power_by_hand():
    floors = np.array([1.0, 0.5])
    gam = 2**floors - 1
    # gamma_0: p0 = gam0 (1 + 0.2 p1); gamma_1: 0.5 p1 = gam1 (1 + 0.3 p0)
    a = np.array([[1.0, -gam[0] * 0.2], [-gam[1] * 0.3, 0.5]])
    p = np.linalg.solve(a, [gam[0], gam[1]])
    sol = solve_detailed(G2, p_max=10.0, algo="minpower", objective="min_power", min_rate=floors)
    assert sol.feasible and not sol.violations
    np.testing.assert_allclose(sol.powers, p, rtol=1e-10)
    np.testing.assert_allclose(sol.rates, floors, rtol=1e-10)  # met with equality
    assert sol.utility == pytest.approx(1 - p.sum() / 20.0)
    assert solve_detailed(G2, p_max=10.0, algo="best", objective="min_power",
                          min_rate=floors).utility == pytest.approx(sol.utility)  # fmt: skip


def test_min_power_links_without_a_floor_are_silent():
    g = gains(1, 4, seed=25)[0]
    want = 0.3 * np.log2(1.0 + np.diag(g))  # 30% of each link's rate alone at full power
    floors = [want[0], 0, np.nan, want[3]]
    sol = solve_detailed(g, algo="minpower", objective="min_power", min_rate=floors)
    assert sol.feasible
    assert sol.powers[1] == 0 and sol.powers[2] == 0
    np.testing.assert_allclose(sol.rates[[0, 3]], want[[0, 3]], rtol=1e-9)
    assert np.all(solve(g, algo="minpower") == 0)  # no floor at all: no power


def test_infeasible_floors_are_reported():
    g = np.array([[1.0, 1.0], [1.0, 1.0]])  # gamma_0 gamma_1 F01 F10 = 1: no powers reach 1 and 1
    for algo in ("minpower", "maxmin", "best"):
        sol = solve_detailed(g, p_max=100.0, algo=algo, objective="min_power", min_rate=[1.0, 1.0])
        assert not sol.feasible
        assert len(sol.violations) >= 1 and "cannot all be met together" in sol.violations[0]
        assert np.all(sol.powers <= 100.0)


# -- weighted sum-rate --------------------------------------------------------------------


def test_weights_change_the_plan_and_best_beats_wmmse_on_them():
    g = gains(30, 4, seed=26, factor=2.0)
    w = np.random.default_rng(27).uniform(0.2, 4.0, size=(30, 4))
    plain = solve(g, algo="best")
    sol = solve_detailed(g, algo="best", weights=w)
    assert sol.objective == "weighted_sum_rate"
    assert not np.allclose(plain, sol.powers)
    np.testing.assert_allclose(sol.utility, (w * rates(g, sol.powers)).sum(-1))
    wm = solve_detailed(g, algo="wmmse", weights=w).utility
    assert np.all(sol.utility >= wm - 1e-12)
    assert np.all(sol.utility >= (w * rates(g, plain)).sum(-1) - 1e-12)


def test_a_heavy_weight_favours_its_link():
    g = np.array([[1.0, 0.8], [0.8, 1.0]])
    p = solve(g, p_max=10.0, algo="best", weights=[10.0, 1.0])
    assert p[0] == pytest.approx(10.0) and p[1] < 1e-6
    q = solve(g, p_max=10.0, algo="best", weights=[1.0, 10.0])
    assert q[1] == pytest.approx(10.0) and q[0] < 1e-6


def test_weighted_floors_met():
    g = gains(8, 4, seed=28, factor=2.0)
    target = np.where(np.arange(4) < 2, 0.9 * rates(g, np.full((8, 4), 0.5)), 0.0)
    sol = solve_detailed(g, algo="best", weights=[1.0, 1.0, 4.0, 1.0], min_rate=target)
    assert sol.all_feasible, sol.violations
    assert np.all(sol.rates >= target - 1e-6)


# -- against the exhaustive grid, on every objective --------------------------------------


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_exact_and_best_reach_the_grid_on_every_objective(objective):
    k, b = 3, 12
    g = gains(b, k, seed=29)
    kw = {}
    if objective == "weighted_sum_rate":
        kw["weights"] = np.random.default_rng(30).uniform(0.5, 3.0, size=(b, k))
    if objective == "min_power":
        kw["min_rate"] = np.full((b, k), 0.1)
    grid = solve_detailed(g, algo="optimal", objective=objective, levels=31, refine=False, **kw)
    ours = solve_detailed(g, algo="best", objective=objective, **kw)
    assert np.all(ours.feasible >= grid.feasible)  # the grid meets the floors: so do we
    ok = ours.feasible & grid.feasible
    assert ok.sum() >= b // 2
    assert np.all(ours.utility[ok] >= grid.utility[ok] - 1e-9)
    # and the grid is close: the exact optimum lies within a grid step of it
    assert np.all(ours.utility[ok] <= grid.utility[ok] + 0.25)
    polished = solve_detailed(g, algo="optimal", objective=objective, levels=31, **kw)
    assert np.all(polished.utility[ok] >= grid.utility[ok] - 1e-12)


# -- shapes, batching, refusals, the default path -----------------------------------------


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("algo", list(ALGORITHMS))
def test_every_algorithm_takes_every_objective(objective, algo):
    g = gains(5, 3, seed=31)
    opts = {"levels": 5} if algo == "optimal" else {}
    sol = solve_detailed(g, algo=algo, objective=objective, weights=[2.0, 1.0, 1.0],
                         min_rate=[0.1, 0.0, 0.0], **opts)  # fmt: skip
    assert sol.powers.shape == (5, 3) and np.shape(sol.utility) == (5,)
    assert sol.objective == objective
    w = [2.0, 1.0, 1.0] if objective == "weighted_sum_rate" else None
    np.testing.assert_allclose(sol.utility, utility(objective, sol.rates, sol.powers, 1.0, w))
    one = solve_detailed(g[0], algo=algo, objective=objective, weights=[2.0, 1.0, 1.0],
                         min_rate=[0.1, 0.0, 0.0], **opts)  # fmt: skip
    assert isinstance(one.utility, float) and one.powers.shape == (3,)


@pytest.mark.parametrize("algo", ["maxmin", "minpower"])
def test_exact_solvers_batch_equals_one_by_one(algo):
    g = gains(10, 4, seed=32, factor=1.5)
    mr = np.where(np.arange(4) % 2 == 0, 0.2, 0.0)
    batch = solve(g, algo=algo, min_rate=mr)
    single = np.array([solve(x, algo=algo, min_rate=mr) for x in g])
    np.testing.assert_allclose(batch, single, rtol=1e-12, atol=1e-15)


def test_default_path_is_the_sum_rate_unchanged():
    g = gains(10, 5, seed=33, factor=2.0)
    for algo in ("wmmse", "best"):
        a = solve_detailed(g, algo=algo)
        b = solve_detailed(g, algo=algo, objective="sum_rate", weights=[5, 1, 1, 1, 1])
        np.testing.assert_array_equal(a.powers, b.powers)  # sum_rate ignores weights
        assert a.objective == "sum_rate"
        np.testing.assert_array_equal(a.utility, a.sum_rate)
        ones = solve_detailed(g, algo=algo, weights=np.ones(5))
        assert ones.objective == "weighted_sum_rate"
        np.testing.assert_allclose(ones.powers, a.powers, rtol=1e-12, atol=1e-15)


def test_bad_objective_or_weights_refused():
    g = gains(1, 3)[0]
    with pytest.raises(PlannerInputError, match="unknown objective"):
        solve(g, objective="fair")
    with pytest.raises(PlannerInputError, match="non-negative"):
        solve(g, weights=[1.0, -1.0, 1.0])
    with pytest.raises(PlannerInputError, match="broadcastable"):
        solve(g, weights=[1.0, 1.0])
    with pytest.raises(PlannerInputError, match="does not take option"):
        solve(g, algo="maxmin", seed=3)
