"""The CVaR / quantile cost-of-sales constraint (sample-average approximation on common random
numbers): the smoothed payout equals the payout curve away from the quota step (closed form),
its gradient matches central differences, and an optimised plan that meets the constraint in
sample meets it out of sample — on fresh Monte Carlo draws of the unsmoothed model
(``simulate``) — within Monte Carlo error."""

import dataclasses

import numpy as np
import pytest
from planopt.client.requests import build_options, demo_request
from planopt.server import convert
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import optimize
from planopt.solvers.problem import CostOfSalesRisk
from planopt.solvers.risk import smooth_payout
from planopt.solvers.simulate import simulate
from planopt.solvers.surface import payout

SHOCK = 0.1


def test_smoothed_payout_is_the_payout_curve_away_from_the_step():
    lev = np.array([60e3, 90e3, 0.3, 0.4, 1.8, 2.5])
    x = np.r_[np.linspace(-0.5, 0.9, 50), np.linspace(1.1, 3.5, 50)]
    np.testing.assert_allclose(smooth_payout(lev, x, 0.01), payout(lev, x), rtol=1e-12)
    # At the step itself the smoothed curve pays half the bonus: TI * q / 2 above the commission.
    at_one = float(smooth_payout(lev, np.array(1.0), 0.01))
    assert at_one == pytest.approx(60e3 + 90e3 * (1 - 0.4) + 0.5 * 90e3 * 0.4)


@pytest.fixture(scope="module")
def problem():
    req = demo_request(build_options(time_limit_s=300))
    p = convert.optimize_problem(req)
    p = dataclasses.replace(p, constraints=dataclasses.replace(p.constraints, max_cost_of_sales=0.16))
    return p, convert.solve_options(req.options, p, None)


def _with_risk(p, **kw):
    risk = CostOfSalesRisk(**{"max": 0.2, "draws": 2000, "seed": 1, "market_shock_sd": SHOCK, **kw})
    return dataclasses.replace(p, constraints=dataclasses.replace(p.constraints, cost_of_sales_risk=risk))


def test_risk_gradient_matches_central_differences(problem):
    p, _ = problem
    model = PlanModel(_with_risk(p))
    levers = p.template.value.copy()
    value, grad = model.risk_measure(levers, with_jacobian=True)
    assert 0.1 < value < 0.3
    for j in (0, 1, 3, 4):  # base, TI, quota-bonus share, accelerator
        h = 1e-4 * max(abs(levers[0, j]), 1.0)
        up, down = levers.copy(), levers.copy()
        up[0, j] += h
        down[0, j] -= h
        fd = (model.risk_measure(up, False)[0] - model.risk_measure(down, False)[0]) / (2 * h)
        assert grad[0, j] == pytest.approx(fd, rel=1e-4, abs=1e-12)


def _out_of_sample(p, levers, level):
    """CVaR, the level-quantile and P(CoS > x) on 20,000 fresh unsmoothed draws, with the batch-
    means standard error of the CVaR (10 batches of 2,000)."""
    cos = simulate(PlanModel(p), levers, 20_000, seed=77, market_shock_sd=SHOCK).samples_cost_of_sales
    tail = round((1 - level) * 2000)
    batches = [np.sort(b)[::-1][:tail].mean() for b in cos.reshape(10, 2000)]
    return np.mean(batches), np.std(batches, ddof=1) / np.sqrt(10), cos


def test_cvar_constraint_binds_and_holds_out_of_sample(problem):
    p, options = problem
    base = optimize(p, options)
    assert base.termination.value == "LOCALLY_OPTIMAL"
    unconstrained = PlanModel(_with_risk(p)).risk_measure(base.levers, False)[0]
    cap = unconstrained - 0.003
    risky = _with_risk(p, max=cap)
    sol = optimize(risky, options)
    assert sol.termination.value == "LOCALLY_OPTIMAL", sol.detail
    in_sample = PlanModel(risky).risk_measure(sol.levers, False)[0]
    assert cap - 1e-4 <= in_sample <= cap + 1e-6  # active at the optimum
    assert sol.evaluation.objective < base.evaluation.objective  # the limit costs attainment
    cvar, se, _ = _out_of_sample(p, sol.levers, 0.9)
    assert cvar <= cap + 3 * se + 2e-4, (cvar, se, cap)


def test_quantile_constraint_holds_out_of_sample(problem):
    p, options = problem
    level = 0.8
    base = optimize(p, options)
    q0 = PlanModel(_with_risk(p, measure="quantile", level=level)).risk_measure(base.levers, False)[0]
    cap = q0 - 0.003
    risky = _with_risk(p, measure="quantile", level=level, max=cap)
    sol = optimize(risky, options)
    assert sol.termination.value in ("LOCALLY_OPTIMAL", "ITERATION_LIMIT"), sol.detail
    assert PlanModel(risky).risk_measure(sol.levers, False)[0] <= cap + 1e-6
    _, _, cos = _out_of_sample(p, sol.levers, level)
    exceed = float(np.mean(cos > cap))
    se = np.sqrt(level * (1 - level) / cos.size)
    assert exceed <= (1 - level) + 3 * se + 0.01, exceed  # 0.01: the smoothing and SAA error
