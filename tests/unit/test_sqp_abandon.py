"""A start is given up once another start holds a feasible plan (``sqp.solve(held=f)``,
``optimize``'s sequential starts) and either its own penalty has climbed to
``sqp.ABANDON_PENALTY`` while it is still more than ``sqp.ABANDON_VIOLATION`` infeasible, or
after ``sqp.ABANDON_ITERATIONS`` it is feasible at an objective more than ``sqp.ABANDON_GAP``
worse than the plan held.

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
from planopt.solvers.optimize import optimize
from planopt.solvers.problem import SolveOptions

Z_STAR = 0.2 + math.sqrt(0.05)
LAMBDA_STAR = 1.0 / (20.0 * math.sqrt(0.05))


def _fun(z: np.ndarray):
    c = np.array([0.5 - 10.0 * (z[0] - 0.2) ** 2])
    return float(z[0]), np.ones(1), c, np.array([[-20.0 * (z[0] - 0.2)]])


def _hessian(z: np.ndarray, lam: np.ndarray, weight: float) -> np.ndarray:
    return np.array([[-20.0 * float(lam[0])]])  # the objective is linear


def _solve(z0: float, held: float | None) -> sqp.SQPResult:
    settings = sqp.SQPSettings(hessian="exact")
    return sqp.solve(_fun, np.array([z0]), settings, time.monotonic() + 60.0, hessian=_hessian, held=held)


def test_an_infeasible_start_at_a_huge_penalty_is_abandoned():
    """Hand count: iteration 1 steps to the bound z = 0 (the row elastic, its multiplier rho =
    10, so the multiplier rule sets rho = 20); at z = 0 every QP step is zero, and while
    infeasible each such iteration multiplies rho by 10 (200 after iteration 2, 2,000 after 3);
    iteration 4 opens with rho >= ABANDON_PENALTY and a violation of 0.1 > ABANDON_VIOLATION."""
    res = _solve(0.1, held=Z_STAR)  # another start holds the optimum
    assert res.status == "abandoned"
    assert res.point.z[0] == 0.0
    assert res.point.violation == pytest.approx(0.1)
    assert res.iterations == 4


def test_without_a_held_plan_the_same_start_runs_on_to_the_capped_penalty():
    # the contrast: only the caller's "another start is feasible" stops the start there; alone it
    # raises rho to 20,000 and 200,000 (iterations 4 and 5) and stops as stalled at the cap (6)
    res = _solve(0.1, held=None)
    assert res.status == "stalled"
    assert res.point.violation == pytest.approx(0.1)
    assert res.iterations == 6


def test_a_start_that_reaches_feasibility_is_not_abandoned():
    res = _solve(0.9, held=Z_STAR)
    assert res.status == "converged"
    assert res.point.z[0] == pytest.approx(Z_STAR, abs=1e-6)
    np.testing.assert_allclose(res.multipliers, [LAMBDA_STAR], rtol=1e-4)


def test_a_feasible_start_far_behind_the_held_plan_is_abandoned_after_the_budget(monkeypatch: pytest.MonkeyPatch):
    """With a budget of 1 iteration: from z = 0.9 (feasible, f = 0.9) the first step (at most the
    initial trust radius 0.25) leaves f >= 0.65, more than ABANDON_GAP x (1 + 0.1) above a held
    plan's f = 0.1, so iteration 2 opens by giving the start up; held at f = 1 (a worse plan),
    the same start runs on to the optimum."""
    monkeypatch.setattr(sqp, "ABANDON_ITERATIONS", 1)
    res = _solve(0.9, held=0.1)
    assert res.status == "abandoned"
    assert res.iterations == 2
    assert 0.65 <= res.point.z[0] < 0.9
    res = _solve(0.9, held=1.0)
    assert res.status == "converged"
    assert res.point.z[0] == pytest.approx(Z_STAR, abs=1e-6)


@pytest.mark.parametrize(
    ("seed", "infeasible", "saved"),
    [
        # the fourth start raises the penalty from 10 to 1e5 in 16 iterations while 0.4-28 points
        # infeasible, and run on stalls infeasible after 40: stopped after 9 (78 against 109)
        (0, True, 20),
        # the second start crawls at trust radii of 1e-5..1e-3 with the KKT residual flat at
        # ~0.12, then converges after 99 iterations 0.7% below the held plan: stopped after 62,
        # the first iterate past the budget within ABANDON_NEAR of feasibility (117 against 153)
        (9, False, 30),
    ],
)
def test_m_abandons_a_start_and_keeps_the_answer(medium, monkeypatch: pytest.MonkeyPatch, seed, infeasible, saved):
    """M (bench instance, 1,000 reps), 4 starts; traces in bench/README.md, session 26."""
    problem, model = medium
    results: list[list[sqp.SQPResult]] = []
    original = sqp.solve

    def recorded(*args, **kwargs):
        res = original(*args, **kwargs)
        results[-1].append(res)
        return res

    monkeypatch.setattr(sqp, "solve", recorded)
    budget = sqp.ABANDON_ITERATIONS
    options = SolveOptions(num_starts=4, seed=seed, time_limit_s=600)
    results.append([])
    kept = optimize(problem, options, model=model)
    monkeypatch.setattr(sqp, "ABANDON_PENALTY", math.inf)
    monkeypatch.setattr(sqp, "ABANDON_ITERATIONS", 10**6)
    results.append([])
    base = optimize(problem, options, model=model)
    abandoned = [r for r in results[0] if r.status == "abandoned"]
    assert len(abandoned) == 1 and all(r.status != "abandoned" for r in results[1])
    if infeasible:
        assert abandoned[0].point.violation > sqp.ABANDON_VIOLATION
        assert abandoned[0].iterations <= budget
    else:
        assert abandoned[0].point.violation <= sqp.ABANDON_NEAR
        assert abandoned[0].iterations > budget
    assert kept.termination.value == base.termination.value == "LOCALLY_OPTIMAL"
    assert "1 given up" in kept.detail and "given up" not in base.detail
    assert kept.evaluation.objective == pytest.approx(base.evaluation.objective, abs=1e-9)
    assert kept.iterations <= base.iterations - saved
