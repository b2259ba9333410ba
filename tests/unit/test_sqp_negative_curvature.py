"""Flipped negative curvature is trusted less after the model under-predicts its own steps
(``sqp.PESSIMISTIC_RATIO``).

Problem (analytic): minimise f(z) = -z**2 - e z on [0, 1] (e = 1e-4), from z = 1e-4, with a
trust radius of 1 so it never binds. The Hessian -2 is convexified to |-2| = 2, so each QP step
is p = -g / 2 = z + e / 2 (hand calculation): the iterate only doubles per step, and each step's
actual reduction is 3 p**2 against the model's p**2 (ratio 3). With the flipped curvature
scaled down after such steps, the step grows 4x, then 16x: z reaches the bound z = 1 (the
minimiser) in far fewer iterations.
"""

import time

import numpy as np
import pytest
from planopt.solvers import sqp

E = 1e-4


def _fun(z: np.ndarray):
    return float(-(z[0] ** 2) - E * z[0]), np.array([-2.0 * z[0] - E]), np.zeros(0), np.zeros((0, 1))


def _hessian(z: np.ndarray, lam: np.ndarray, weight: float) -> np.ndarray:
    return weight * np.array([[-2.0]])


def _solve() -> sqp.SQPResult:
    settings = sqp.SQPSettings(initial_radius=1.0)
    return sqp.solve(_fun, np.array([1e-4]), settings, time.monotonic() + 60.0, hessian=_hessian)


def test_first_steps_follow_the_flipped_curvature_by_hand():
    res = _solve()
    # z1 = 2 z0 + e/2 = 2.5e-4 before any evidence against the model: f = -z**2 - e z
    z1 = 2 * 1e-4 + E / 2
    assert res.history[1] == pytest.approx(-(z1**2) - E * z1, rel=1e-9)


def test_pessimistic_model_is_relaxed_and_reaches_the_bound_sooner():
    res = _solve()
    assert res.status == "converged"
    assert res.point.z[0] == 1.0
    assert res.iterations <= 7  # 5 when written


def test_without_relaxing_the_same_problem_takes_twice_as_long(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sqp, "PESSIMISTIC_RATIO", np.inf)
    res = _solve()
    assert res.status == "converged" and res.point.z[0] == 1.0
    assert res.iterations >= 12  # 14 when written: z doubles per step from 1e-4
