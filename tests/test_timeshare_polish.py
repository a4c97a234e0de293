"""The time-sharing schedule's polish (free per-slice powers) and the L-slice verdict."""

import numpy as np
from wireless_agents.planners.api import solve_detailed
from wireless_agents.planners.timeshare_exact import slices_can_meet


def test_polish_meets_floors_the_rounding_missed():
    # three links whose LP fractions do not round to quarters: the rounding alone (before the
    # polish) left link 2 short by 0.07 bit/s/Hz; free per-slice powers meet every floor
    g = np.array([[1.138, 0.118, 0.448], [1.373, 1.996, 0.837], [5.075, 0.774, 0.651]])
    floors = [1.78, 1.89, 1.84]
    sol = solve_detailed(g, 100.0, 1.0, algo="timeshare", mini_slots=4, min_rate=floors)
    assert sol.lp_feasible
    assert sol.feasible, sol.violations
    assert np.all(sol.rates >= np.array(floors) - 1e-6)
    assert sol.slices_feasible is True
    assert sol.utility <= sol.bound + 1e-9  # the LP value still bounds the schedule


def _pair():
    # two links that hear each other 100x louder than themselves: sending together is worth
    # nothing, so the mean rates are the alone rates times the slices each takes
    g = np.array([[1.0, 100.0], [100.0, 1.0]])
    alone = np.log2(1.0 + 100.0)
    return g, np.array([0.3, 0.6]) * alone


def test_no_four_slice_schedule_meets_them_proved():
    # the LP takes 35% / 65% of the slot; quarters need 2 + 3 = 5 slices: impossible, proved
    g, floors = _pair()
    sol = solve_detailed(g, 100.0, 1.0, algo="timeshare", mini_slots=4, min_rate=floors)
    assert sol.lp_feasible and not sol.feasible
    assert sol.slices_feasible is False
    assert any("by 4 slices: impossible, proved" in v for v in sol.violations)
    assert slices_can_meet(g, np.full(2, 100.0), np.ones(2), floors, 4) is False


def test_eight_slices_can_and_one_slice_keeps_its_fields():
    g, floors = _pair()
    sol = solve_detailed(g, 100.0, 1.0, algo="timeshare", mini_slots=8, min_rate=floors)
    assert sol.feasible and sol.slices_feasible is True  # 3 + 5 eighths
    assert slices_can_meet(g, np.full(2, 100.0), np.ones(2), floors, 8) is None  # not disproved
    one = solve_detailed(g, 100.0, 1.0, algo="timeshare", mini_slots=1, min_rate=floors)
    assert one.slices_feasible is None and one.powers.shape == (2, 1)
