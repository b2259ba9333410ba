"""The regression-adjusted pay gap as an OptimizePlan constraint.

Reference: ``audit.audit`` (an OLS fit by lstsq on per-rep expected pay) — the constraint is the
same coefficient written as a fixed linear form of pay (a row of pinv(X)) so it can be
differentiated; the two must agree, the gradient must match central differences, and an
optimised plan must satisfy the limit when the audit re-fits it."""

import dataclasses

import numpy as np
import pytest
from planopt.client.requests import build_options, demo_request
from planopt.server import convert
from planopt.solvers.audit import audit
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import optimize


@pytest.fixture(scope="module")
def problem():
    # Group B's reps are less productive, so the same plan pays them less: a real adjusted gap.
    req = demo_request(build_options(time_limit_s=300))
    p = convert.optimize_problem(req)
    r = p.roster
    is_b = np.asarray(r.equity_group) == "B"
    r = dataclasses.replace(r, effort_productivity=np.where(is_b, 0.75, 1.0) * r.effort_productivity)
    c = dataclasses.replace(p.constraints, max_equity_gap=None, max_cost_of_sales=0.16)
    p = dataclasses.replace(p, roster=r, constraints=c)
    return p, convert.solve_options(req.options, p, None)


def _audited_gap(p, levers):
    ev = PlanModel(p).evaluate(levers, with_jacobian=False)
    r = p.roster
    (gap,) = audit(ev.rep["pay"], ev.rep["attainment"], r.role, r.quota_usd, r.equity_group, 0.05).gaps
    return gap.adjusted_pay_gap


def _limited(p, limit):
    return dataclasses.replace(p, constraints=dataclasses.replace(p.constraints, max_adjusted_equity_gap=limit))


def test_constraint_value_is_the_audit_gap_and_its_gradient_is_exact(problem):
    p, _ = problem
    model = PlanModel(_limited(p, 0.05))
    levers = p.template.value.copy()
    levers[0, 1] *= 1.3  # more variable pay: a larger gap than the current plan's
    ev = model.evaluate(levers)
    names = [s.name for s in model.specs]
    j = names.index("adjusted_equity_gap_max[B]")
    assert ev.values[j] == pytest.approx(_audited_gap(p, levers), rel=1e-9)
    for k in (0, 1, 3, 4):
        h = 1e-5 * max(abs(levers[0, k]), 1.0)
        up, down = levers.copy(), levers.copy()
        up[0, k] += h
        down[0, k] -= h
        fd = (model.evaluate(up, False).values[j] - model.evaluate(down, False).values[j]) / (2 * h)
        assert ev.jac[j][0, k] == pytest.approx(fd, rel=1e-5, abs=1e-12)


def test_optimised_plan_meets_the_adjusted_gap_limit(problem):
    p, options = problem
    free = optimize(p, options)
    assert free.termination.value == "LOCALLY_OPTIMAL"
    gap0 = _audited_gap(p, free.levers)
    assert abs(gap0) > 0.1
    limit = 0.7 * abs(gap0)
    sol = optimize(_limited(p, limit), options)
    assert sol.termination.value == "LOCALLY_OPTIMAL", sol.detail
    gap = _audited_gap(p, sol.levers)
    assert abs(gap) <= limit + 1e-6
    assert abs(gap) >= limit - 1e-4  # active: the free optimum violates it
    assert sol.evaluation.objective < free.evaluation.objective
