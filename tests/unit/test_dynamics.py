"""Multi-period plans by dynamic programming (seed 001): convergence (value iteration's Bellman
residual, policy iteration's fixed point), the limiting cases with known answers (a one-month
plan without ratcheting is the static model, checked against its closed form and Monte Carlo;
zero noise gives the deterministic optimum, by hand), and the behaviours the seed describes."""

import math
from dataclasses import replace

import numpy as np
import pytest
from planopt.solvers import dynamics as dyn


@pytest.fixture(scope="module")
def quarterly():
    plan, rep = dyn.DynamicPlan(), dyn.RepModel()
    sol = dyn.solve(plan, rep)
    return plan, rep, sol, dyn.simulate(plan, rep, sol, reps=20_000, seed=1)


def test_value_iteration_converges_to_a_policy_iteration_fixed_point(quarterly):
    _, _, sol, _ = quarterly
    g = dyn.Grids()
    bound = sol.bellman_residual * g.discount**12 / (1 - g.discount**12)
    assert bound < g.tol
    assert sol.policy_stable
    assert sol.policy_value_gap < 1e-4  # USD, on values of ~1e5


def test_one_month_plan_is_the_static_model():
    plan = dyn.DynamicPlan(period_months=1, bonus_usd=3000, commission_usd=100_000, ceiling=1.5)
    rep = dyn.RepModel()
    g = dyn.Grids()
    sol = dyn.solve(plan, rep, g)
    e_star, u_star = dyn.static_optimum(plan, rep, dyn.effort_grid(g))
    assert 0 < e_star < g.effort_max
    np.testing.assert_allclose(sol.policy[:, 0, 0], e_star)  # every month, at the period start
    assert sol.value[0, 0, 0] * (1 - g.discount) == pytest.approx(u_star, rel=1e-8)
    # The closed form against Monte Carlo of the static model (independent of both).
    rng = np.random.default_rng(3)
    x = rep.baseline + rep.productivity * e_star + rep.noise * rng.standard_normal(2_000_000)
    q = 1 / 12
    u = 3000 * (x >= q) + 100_000 * np.clip(x - q, 0, 0.5 * q) - rep.effort_cost_usd * e_star**2 / 2
    assert u_star == pytest.approx(u.mean(), abs=4 * u.std() / math.sqrt(u.size))


def test_zero_noise_gives_the_deterministic_optimum():
    # Quarterly bonus B at quota q = 0.25, no commission: with convex effort cost the cheapest way
    # to the quota spreads effort evenly, e* = (q - 3 baseline) / (3 k) = 0.75 per month, worth
    # it since 3 c e*^2 / 2 = 8,437.5 < B. One plan year, undiscounted: V = 4 (B - 3 c e*^2 / 2).
    plan = dyn.DynamicPlan(period_months=3, bonus_usd=10_000, commission_usd=0.0, ceiling=0.0)
    rep = dyn.RepModel(baseline=0.25 / 3 - 0.015, productivity=0.02, noise=0.0, effort_cost_usd=10_000)
    # 1/12 of sales and 0.75 of effort on the grids
    g = dyn.Grids(years=1, sales_max=80 / 96, effort_max=1.0, effort_points=41, effort_power=1.0)
    sol = dyn.solve(plan, rep, g)
    assert sol.value[0, 0, 0] == pytest.approx(4 * (10_000 - 3 * 10_000 * 0.75**2 / 2), rel=1e-9)
    sim = dyn.simulate(plan, rep, sol, reps=10)
    np.testing.assert_allclose(sim.effort_by_month, 0.75)
    assert sim.revenue == pytest.approx(1.0)


def test_seed_behaviours(quarterly):
    plan, rep, _sol, sim = quarterly
    months = sim.effort_by_month.reshape(4, 3)
    # Bunching: reps within reach of the quota push hard in the quarter's last month.
    assert sim.near_quota_effort > 2 * months[:, 0].mean()
    # Giving up: reps far behind entering the quarter's last month stop trying.
    assert sim.give_up_effort < 0.25 * sim.on_track_effort
    assert sim.give_up_effort < 0.1 * sim.near_quota_effort
    assert sim.at_effort_max == 0.0  # the effort grid does not bind
    # Holding back: strong ratcheting (next quota follows this quarter's sales) lowers effort.
    ratchet = replace(plan, ratchet=0.5)
    held = dyn.simulate(ratchet, rep, dyn.solve(ratchet, rep), reps=20_000, seed=1)
    assert held.effort_by_month.mean() < sim.effort_by_month.mean()
    assert held.revenue < sim.revenue


def test_solve_stops_between_sweeps_when_asked():
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(dyn.Stopped):
        dyn.solve(dyn.DynamicPlan(), dyn.RepModel(), should_stop=stop)
    assert len(calls) == 4  # checked before every sweep; stopped at the fourth check


def test_a_new_plan_of_the_same_structure_reuses_the_compiled_sweeps():
    """The value-iteration sweeps are jitted once per structure (period, ceiling on/off, noise
    on/off, grid shapes), with the plan's and rep's numbers traced: SimulateDynamics used to
    compile its sweeps again on every call (8 compiles, ~2 s of a ~17 s request). The answer
    for the new numbers must still be the new plan's (its value differs)."""
    from planopt.solvers.dynamics import _policy_sweep, _sweep

    g = dyn.Grids(sales_points=21, effort_points=11, max_sweeps=400)
    first = dyn.solve(dyn.DynamicPlan(bonus_usd=10_000.0), dyn.RepModel(), g)
    sizes = (_sweep._cache_size(), _policy_sweep._cache_size())
    second = dyn.solve(dyn.DynamicPlan(bonus_usd=12_500.0, commission_usd=150_000.0), dyn.RepModel(noise=0.03), g)
    assert (_sweep._cache_size(), _policy_sweep._cache_size()) == sizes
    assert not np.allclose(first.value, second.value)
    dyn.solve(dyn.DynamicPlan(ceiling=0.0), dyn.RepModel(), g)  # no ceiling: another structure
    assert _sweep._cache_size() == sizes[0] + 1
