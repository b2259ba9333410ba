"""Trial points valued alone (``sqp.solve``'s ``values``), their derivatives asked for once accepted.

The problem: minimise -z0 - z1 subject to z0^2 + z1^2 <= 1/2 in the unit box. Closed form: the
optimum is z = (1/2, 1/2) with f = -1, and its multiplier solves -1 + lambda * 2 * (1/2) = 0, so
lambda = 1. From the corner (1, 0) with a trust radius of 1 the first steps overshoot the curved
constraint, where the l1 merit rejects linearised steps (the Maratos effect) and second-order
corrections are tried: trial points that are never accepted, which the lazy mode values without
derivatives (9 iterations, 6 accepted, 12 trial points).
"""

import dataclasses

import numpy as np
import pytest
from planopt.solvers import sqp
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import ScaledProblem, optimize
from planopt.solvers.problem import CostOfSalesRisk, SolveOptions

from bench.instances import instance, synthetic


class _Counted:
    def __init__(self) -> None:
        self.full = 0
        self.values = 0

    def fun(self, z: np.ndarray):
        self.full += 1
        f = -float(z[0] + z[1])
        return f, np.array([-1.0, -1.0]), np.array([z[0] ** 2 + z[1] ** 2 - 0.5]), np.array([[2 * z[0], 2 * z[1]]])

    def value(self, z: np.ndarray):
        self.values += 1
        return -float(z[0] + z[1]), np.array([z[0] ** 2 + z[1] ** 2 - 0.5])


def _hessian(z: np.ndarray, lam: np.ndarray, weight: float) -> np.ndarray:
    return 2.0 * float(lam[0]) * np.eye(2)  # the objective is linear


def _solve(lazy: bool) -> tuple[sqp.SQPResult, _Counted]:
    counted = _Counted()
    res = sqp.solve(
        counted.fun,
        np.array([1.0, 0.0]),
        sqp.SQPSettings(initial_radius=1.0),
        deadline=float("inf"),
        hessian=_hessian,
        values=counted.value if lazy else None,
    )
    return res, counted


def test_lazy_trials_take_the_same_iterates_to_the_closed_form_optimum():
    lazy, _ = _solve(True)
    full, _ = _solve(False)
    assert lazy.status == full.status == "converged"
    assert lazy.iterations == full.iterations
    assert lazy.history == full.history
    np.testing.assert_array_equal(lazy.point.z, full.point.z)
    np.testing.assert_allclose(lazy.point.z, [0.5, 0.5], atol=1e-6)
    assert lazy.point.f == pytest.approx(-1.0, abs=1e-6)
    assert lazy.multipliers[0] == pytest.approx(1.0, abs=1e-5)


def test_derivatives_are_asked_for_only_at_the_start_and_the_accepted_points():
    lazy, lazy_calls = _solve(True)
    _, full_calls = _solve(False)
    accepted = len(lazy.history) - 1  # the history holds the start's f, then each accepted point's
    assert lazy_calls.full == 1 + accepted
    # every trial the full mode evaluated whole, the lazy mode valued alone
    assert lazy_calls.values == full_calls.full - 1
    assert full_calls.values == 0
    # the path has trials that were never accepted (the saving): rejected or corrected steps
    assert lazy_calls.values > accepted


def test_a_trial_whose_derivatives_fail_is_rejected():
    """A FloatingPointError from ``fun`` at a point accepted on its values rejects it, as it
    rejects a trial in the full mode: the SQP shrinks the radius and goes on."""
    counted = _Counted()
    failed = []

    def fun(z: np.ndarray):
        if counted.full == 1 and not failed:  # the first accepted trial's derivatives
            failed.append(z.copy())
            raise FloatingPointError("non-finite Jacobian")
        return counted.fun(z)

    res = sqp.solve(
        fun,
        np.array([1.0, 0.0]),
        sqp.SQPSettings(initial_radius=1.0),
        float("inf"),
        hessian=_hessian,
        values=counted.value,
    )
    assert len(failed) == 1
    assert res.status == "converged"
    np.testing.assert_allclose(res.point.z, [0.5, 0.5], atol=1e-6)


def test_the_optimiser_values_trials_alone_where_derivatives_carry_the_second_order(monkeypatch):
    """An M-like roster (180 reps, 4 roles: every evaluation carries every rep's second order)
    values its trials alone; the answer is the one the whole evaluations give, with fewer
    derivative-kernel passes. The demo team (lock-step, one kernel for both orders) and a model
    without first-order Hessians (large rosters) evaluate trials whole."""
    p = synthetic(180, [f"R{r}" for r in range(4)], seed=3)
    model = PlanModel(p)
    model.compile_kernels()
    fun = ScaledProblem(p, model)
    assert fun.lazy_values is not None
    assert ScaledProblem(instance("S")).lazy_values is None
    assert ScaledProblem(p, PlanModel(p, first_order_hessians=False)).lazy_values is None

    rng = np.random.default_rng(0)
    for _ in range(3):
        z = rng.uniform(0.05, 0.95, fun.space.n)
        f, _, c, _ = fun(z)
        fv, cv = fun.values(z)
        assert fv == pytest.approx(f, abs=1e-12)  # the values kernel against the derivative one
        np.testing.assert_allclose(cv, c, atol=1e-12)

    passes = []
    kernels = PlanModel._first_order_kernels
    monkeypatch.setattr(
        PlanModel, "_first_order_kernels", lambda self, *a, **k: passes.append(1) or kernels(self, *a, **k)
    )
    options = SolveOptions(num_starts=2, seed=1, time_limit_s=300)
    lazy = optimize(p, options, model=model)
    lazy_passes = len(passes)
    passes.clear()
    monkeypatch.setattr(ScaledProblem, "lazy_values", property(lambda self: None))
    whole = optimize(p, options, model=model)
    assert lazy.termination.value == whole.termination.value == "LOCALLY_OPTIMAL"
    assert lazy.iterations == whole.iterations
    assert lazy.evaluation.objective == pytest.approx(whole.evaluation.objective, abs=1e-12)
    assert lazy_passes < len(passes)


def test_lazy_trials_value_the_simulated_risk_constraint_as_the_whole_evaluation_does(monkeypatch):
    """The simulated cost-of-sales CVaR (no exact Hessian: BFGS) is valued by its own kernel on
    the lazy path (``PlanModel.risk_measure`` without the gradient): the same answer as the whole
    evaluations', with the CVaR bound active."""
    p = synthetic(180, ["A", "B"], seed=3)
    p = dataclasses.replace(
        p,
        constraints=dataclasses.replace(
            p.constraints, cost_of_sales_risk=CostOfSalesRisk(max=0.138, draws=200, seed=3)
        ),
    )
    model = PlanModel(p)
    model.compile_kernels()
    assert ScaledProblem(p, model).lazy_values is not None
    options = SolveOptions(num_starts=1, seed=0, time_limit_s=300)
    lazy = optimize(p, options, model=model)
    monkeypatch.setattr(ScaledProblem, "lazy_values", property(lambda self: None))
    whole = optimize(p, options, model=model)
    assert lazy.termination.value == whole.termination.value == "LOCALLY_OPTIMAL"
    # the CVaR's value and its value-and-gradient kernels agree to round-off, which could tip a
    # step decision on another CPU: the answer is compared, not the path
    assert lazy.evaluation.objective == pytest.approx(whole.evaluation.objective, abs=1e-8)
    risk = next(c for c in lazy.constraints if c.kind == "cost_of_sales_risk")
    assert risk.value == pytest.approx(0.138, abs=1e-6)  # active: the bound binds the plan
