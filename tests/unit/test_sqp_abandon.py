"""A start is given up once another start holds a feasible plan and its own penalty has climbed
to ``sqp.ABANDON_PENALTY`` while it is still more than ``sqp.ABANDON_VIOLATION`` infeasible
(``sqp.solve(abandon=True)``, ``optimize``'s sequential starts).

Problem (analytic): minimise z on [0, 1] subject to c(z) = 1/2 - 10 (z - 1/5)**2 <= 0. The
feasible set in the box is z >= 1/5 + sqrt(1/20) (hand calculation: c = 0 there; the other root,
1/5 - sqrt(1/20) < 0, lies outside the box), so the optimum is z* = 1/5 + sqrt(1/20) = 0.42360...
with multiplier 1 / c'(z*) = 1 / (20 sqrt(1/20)) = 0.2236... (stationarity 1 - lambda * 20
(z* - 1/5) = 0 with c'(z) = -20 (z - 1/5)). From z = 0.1 the objective and the violation both
push z down to the bound 0, where c = 0.1 > 0 and the linearisation c + c'(0) p <= 0 needs
p <= -0.025: no step inside the box meets it, so the penalty climbs while the start stays 0.1
infeasible (the hand count in the first test).
"""

import math
import time

import numpy as np
import pytest
from planopt.solvers import sqp
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import optimize
from planopt.solvers.problem import SolveOptions

from bench.instances import instance

Z_STAR = 0.2 + math.sqrt(0.05)
LAMBDA_STAR = 1.0 / (20.0 * math.sqrt(0.05))


def _fun(z: np.ndarray):
    c = np.array([0.5 - 10.0 * (z[0] - 0.2) ** 2])
    return float(z[0]), np.ones(1), c, np.array([[-20.0 * (z[0] - 0.2)]])


def _hessian(z: np.ndarray, lam: np.ndarray, weight: float) -> np.ndarray:
    return np.array([[-20.0 * float(lam[0])]])  # the objective is linear


def _solve(z0: float, abandon: bool) -> sqp.SQPResult:
    settings = sqp.SQPSettings(hessian="exact")
    return sqp.solve(_fun, np.array([z0]), settings, time.monotonic() + 60.0, hessian=_hessian, abandon=abandon)


def test_an_infeasible_start_at_a_huge_penalty_is_abandoned():
    """Hand count: iteration 1 steps to the bound z = 0 (the row elastic, its multiplier rho =
    10, so the multiplier rule sets rho = 20); at z = 0 every QP step is zero, and while
    infeasible each such iteration multiplies rho by 10 (200 after iteration 2, 2,000 after 3);
    iteration 4 opens with rho >= ABANDON_PENALTY and a violation of 0.1 > ABANDON_VIOLATION."""
    res = _solve(0.1, abandon=True)
    assert res.status == "abandoned"
    assert res.point.z[0] == 0.0
    assert res.point.violation == pytest.approx(0.1)
    assert res.iterations == 4


def test_without_abandon_the_same_start_runs_on_to_the_capped_penalty():
    # the contrast: only the caller's "another start is feasible" stops the start there; alone it
    # raises rho to 20,000 and 200,000 (iterations 4 and 5) and stops as stalled at the cap (6)
    res = _solve(0.1, abandon=False)
    assert res.status == "stalled"
    assert res.point.violation == pytest.approx(0.1)
    assert res.iterations == 6


def test_a_start_that_reaches_feasibility_is_not_abandoned():
    res = _solve(0.9, abandon=True)
    assert res.status == "converged"
    assert res.point.z[0] == pytest.approx(Z_STAR, abs=1e-6)
    np.testing.assert_allclose(res.multipliers, [LAMBDA_STAR], rtol=1e-4)


@pytest.fixture(scope="module")
def medium():
    problem = instance("M")
    model = PlanModel(problem)
    model.compile_kernels()
    return problem, model


def test_m_seed_0_abandons_its_infeasible_start_and_keeps_the_optimum(medium, monkeypatch: pytest.MonkeyPatch):
    """M seed 0's fourth start raises the penalty from 10 to 1e5 in 16 iterations while it is
    0.4-28 points infeasible, and without the rule stalls infeasible after 40 iterations
    (bench/README.md, session 26). With it the start stops after 9 and the answer (the second
    start's optimum) is the same."""
    problem, model = medium
    statuses: list[list[str]] = []
    original = sqp.solve

    def recorded(*args, **kwargs):
        res = original(*args, **kwargs)
        statuses[-1].append(res.status)
        return res

    monkeypatch.setattr(sqp, "solve", recorded)
    options = SolveOptions(num_starts=4, seed=0, time_limit_s=600)
    statuses.append([])
    kept = optimize(problem, options, model=model)
    monkeypatch.setattr(sqp, "ABANDON_PENALTY", math.inf)
    statuses.append([])
    base = optimize(problem, options, model=model)
    assert statuses[0].count("abandoned") == 1 and "abandoned" not in statuses[1]
    assert kept.termination.value == base.termination.value == "LOCALLY_OPTIMAL"
    assert kept.evaluation.objective == pytest.approx(base.evaluation.objective, abs=1e-9)
    assert kept.iterations <= base.iterations - 20  # 78 against 109 when written
