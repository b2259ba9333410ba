"""Lock-step starts (``sqp.solve_many``, ``PlanModel.prefetch``): the starts of a small roster
share their kernel calls, and nothing else about the solve changes.

References are independent of the batched path: each start run alone by ``sqp.solve``, and each
plan evaluated alone through its own 48-rep kernels.
"""

import dataclasses

import numpy as np
import pytest
from planopt.solvers import optimize as optimize_module
from planopt.solvers import sqp
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import LOCKSTEP_MIN_TIME_S, ScaledProblem, optimize
from planopt.solvers.problem import SolveOptions, demo_problem


@pytest.fixture(scope="module")
def problem():
    return demo_problem()


def test_prefetched_plans_equal_plans_evaluated_alone(problem):
    fun = ScaledProblem(problem, PlanModel(problem))
    alone = ScaledProblem(problem, PlanModel(problem))
    rng = np.random.default_rng(1)
    zs = [rng.uniform(0.05, 0.95, fun.space.n) for _ in range(7)]  # a group of 4, then 3
    fun.prefetch(zs)
    two_mode_reps = 0
    for z in zs:
        levers = fun.space.levers(z)
        before = fun.model._first_order
        y, jac = fun.model.rep_outcomes(levers)
        assert fun.model._first_order is before  # answered from the prefetched pass
        hess = fun.model._first_order_hessians_at(levers)
        y_ref, jac_ref = alone.model.rep_outcomes(levers)
        hess_ref = alone.model._first_order_hessians_at(levers)
        exists = alone.model._located_arrays(levers)[2][: alone.model.n]
        two_mode_reps += int(np.sum(exists[:, 1]))
        np.testing.assert_array_equal(y, y_ref)
        np.testing.assert_array_equal(jac, jac_ref)
        # the 192-rep kernel may round differently from the 48-rep one in the last bits
        np.testing.assert_allclose(hess, hess_ref, rtol=1e-12, atol=1e-12 * np.max(np.abs(hess_ref)))
        assert np.array_equal(fun(z)[0], alone(z)[0])
    assert two_mode_reps > 0  # the general kernels' fix-up is exercised too


def test_prefetched_evaluations_equal_evaluate_at_each_plan(problem):
    """The round's objectives, constraints and gradients are assembled for all plans at once
    (``PlanModel.evaluate_cached``); each must be exactly what ``evaluate`` gives for that plan
    alone from the same surface outputs (one code path, ``_assemble``, run with B plans or 1)."""
    fun = ScaledProblem(problem, PlanModel(problem))
    rng = np.random.default_rng(2)
    zs = [rng.uniform(0.05, 0.95, fun.space.n) for _ in range(4)]
    fun.prefetch(zs)
    assert len(fun._prefetched) == 4
    for z in zs:
        batched = fun(z)
        assert z.tobytes() not in fun._prefetched  # each answer is used once
        alone = fun._scaled(fun.model.evaluate(fun.space.levers(z), report=False))
        for got, want in zip(batched, alone, strict=True):
            np.testing.assert_array_equal(got, want)
    uncached = fun.space.levers(rng.uniform(0.05, 0.95, fun.space.n))
    assert fun.model.evaluate_cached([uncached]) == [None]


def test_prefetched_hessian_moments_equal_rep_derivatives_own_sums(problem):
    """The lock-step pass sums every plan's per-rep Hessians into cell moments at once; they
    must equal ``rep_derivatives``' own sums at each plan, pay forms (an adjusted equity gap)
    included."""
    constrained = dataclasses.replace(
        problem, constraints=dataclasses.replace(problem.constraints, max_adjusted_equity_gap=0.05)
    )
    fun = ScaledProblem(constrained, PlanModel(constrained))
    model = fun.model
    assert model.pay_forms.shape[0] > 0
    rng = np.random.default_rng(3)
    zs = [rng.uniform(0.05, 0.95, fun.space.n) for _ in range(4)]
    fun.prefetch(zs)
    assert len(model._moments) == 4  # one batched sum per plan, answered from below
    for z in zs:
        levers = fun.space.levers(z)
        batched = model.rep_derivatives(levers).moments
        kept, model._moments = model._moments, ()
        own = model.rep_derivatives(levers).moments
        model._moments = kept
        for got, want in ((batched.plain, own.plain), (batched.quota, own.quota), (batched.pay_forms, own.pay_forms)):
            np.testing.assert_array_equal(got, want)


def test_lockstep_starts_take_the_iterates_of_sequential_starts(problem, monkeypatch):
    options = SolveOptions(num_starts=4, seed=0)
    model = PlanModel(problem)
    assert ScaledProblem(problem, model).lockstep
    calls = []
    original = PlanModel.prefetch
    monkeypatch.setattr(PlanModel, "prefetch", lambda self, plans: calls.append(len(plans)) or original(self, plans))
    together = optimize(problem, options, model=model)
    assert calls and max(calls) == 4  # the four starts were evaluated together
    monkeypatch.setattr(optimize_module.ScaledProblem, "lockstep", property(lambda self: False))
    calls.clear()
    alone = optimize(problem, options, model=PlanModel(problem))
    assert not calls
    assert together.termination is alone.termination
    assert (together.iterations, together.starts, together.detail) == (alone.iterations, alone.starts, alone.detail)
    np.testing.assert_allclose(together.levers, alone.levers, rtol=1e-9)
    assert together.evaluation.objective == pytest.approx(alone.evaluation.objective, abs=1e-12)


def test_a_short_time_limit_runs_the_starts_in_turn(problem, monkeypatch):
    """Lock-step starts share the time, so under a short limit the first start would finish
    later than on its own: below ``LOCKSTEP_MIN_TIME_S`` the starts run one after another (the
    first one's plan as early as before)."""
    calls = []
    original = PlanModel.prefetch
    monkeypatch.setattr(PlanModel, "prefetch", lambda self, plans: calls.append(len(plans)) or original(self, plans))
    model = PlanModel(problem)
    short = optimize(problem, SolveOptions(num_starts=4, time_limit_s=0.9 * LOCKSTEP_MIN_TIME_S), model=model)
    assert not calls
    assert short.starts >= 1
    optimize(problem, SolveOptions(num_starts=4, time_limit_s=LOCKSTEP_MIN_TIME_S), model=model)
    assert calls


def _toy(z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """min (z0 - 0.8)^2 + (z1 - 0.3)^2 s.t. z0 + z1 <= 1; not finite (FloatingPointError) for
    z0 > 0.8, where one of the starts' trial steps lands (and is rejected)."""
    if z[0] > 0.8:
        raise FloatingPointError("outside the toy's domain")
    f = (z[0] - 0.8) ** 2 + (z[1] - 0.3) ** 2
    g = np.array([2 * (z[0] - 0.8), 2 * (z[1] - 0.3)])
    return f, g, np.array([z[0] + z[1] - 1.0]), np.array([[1.0, 1.0]])


def test_solve_many_equals_solve_from_each_start():
    settings = sqp.SQPSettings(hessian="bfgs")
    starts = [np.array([0.0, 0.0]), np.array([0.7, 0.9]), np.array([0.5, 0.1])]
    rounds = []
    many = sqp.solve_many(_toy, starts, settings, float("inf"), prefetch=lambda zs: rounds.append(len(zs)))
    assert rounds and max(rounds) == 3
    rejected = []

    def counted(z: np.ndarray):  # type: ignore[no-untyped-def]
        rejected.append(z[0] > 0.8)
        return _toy(z)

    for z0, res in zip(starts, many, strict=True):
        alone = sqp.solve(counted, z0, settings, float("inf"))
        assert res.status == alone.status == "converged"
        assert res.iterations == alone.iterations
        np.testing.assert_array_equal(res.point.z, alone.point.z)
        np.testing.assert_allclose(res.point.z, [0.75, 0.25], atol=1e-5)  # closed form (KKT by hand)
    assert any(rejected)  # a trial outside the domain was rejected, and the start went on


def test_solve_many_passes_an_error_at_a_start_point_to_the_caller():
    def broken(z: np.ndarray):  # type: ignore[no-untyped-def]
        if z[0] > 0.5:
            raise ValueError("boom")
        return _toy(z)

    with pytest.raises(ValueError, match="boom"):
        sqp.solve_many(broken, [np.zeros(2), np.array([0.7, 0.0])], sqp.SQPSettings(), float("inf"), lambda zs: None)
