"""Envelope-theorem derivatives of the optimal objective against re-optimisation.

Golden values: the problem re-solved (warm-started, tight KKT tolerance) at inputs scaled by
1 +- 5e-4, central difference of the two optimal objectives — an independent computation that
never uses shadow prices. At +-0.5% the two disagree (by 4-12%) because the OTE floor, 0.08%
away at the optimum, becomes active: the derivative is local, the tornado shows the rest.
"""

import dataclasses

import pytest
from planopt.solvers.optimize import optimize
from planopt.solvers.problem import SolveOptions, demo_problem
from planopt.solvers.sensitivity import INPUTS, envelope_derivative, perturb, sensitivity

H = 5e-4


@pytest.fixture(scope="module")
def solved():
    problem = demo_problem()
    options = SolveOptions(num_starts=4, seed=0, kkt_tol=1e-6, max_iterations=400, time_limit_s=300)
    solution = optimize(problem, options)
    assert solution.termination.value == "LOCALLY_OPTIMAL"
    return problem, options, solution


@pytest.mark.parametrize("name", INPUTS)
def test_envelope_derivative_matches_reoptimised_difference(solved, name):
    problem, options, solution = solved
    warm = dataclasses.replace(options, warm_start=solution.levers, num_starts=1)
    hi = optimize(perturb(problem, name, H), warm)
    lo = optimize(perturb(problem, name, -H), warm)
    assert hi.termination.value == lo.termination.value == "LOCALLY_OPTIMAL"
    fd = (hi.evaluation.objective - lo.evaluation.objective) / (2 * H)
    d = envelope_derivative(problem, solution, name)
    assert d == pytest.approx(fd, rel=2e-3, abs=1e-5)


def test_tornado_brackets_and_prediction(solved):
    problem, options, solution = solved
    (row,) = sensitivity(problem, solution, ["noise_sd"], 0.1, options)
    base = solution.evaluation.objective
    # More noise lowers attainment, less raises it; the linear prediction is first order.
    assert row.objective_low > base > row.objective_high
    assert row.predicted_low == pytest.approx(base - 0.1 * row.derivative)
    assert abs(row.objective_high - row.predicted_high) < 0.2 * abs(row.derivative) * 0.1 + 1e-3
