"""Feasibility restoration before the deadline (``sqp.solve(restore=True)``).

The problem is analytic: maximise z0 + z1 inside the circle z0**2 + z1**2 <= 1/2 (scaled so
c = z0**2 + z1**2 - 1/2 <= 0). Started just outside it at (0.503, 0.503), the nearest feasible
point is the projection (1/2, 1/2) (hand calculation: the circle's radius sqrt(1/2) along the
diagonal). The clock is a fake that advances one second per function evaluation, so "the
deadline is near" is exact rather than a race with the machine.
"""

import numpy as np
import pytest
from planopt.solvers import sqp


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _problem(clock: _Clock):
    def fun(z: np.ndarray):
        clock.now += 1.0  # every evaluation costs one second
        c = np.array([z[0] ** 2 + z[1] ** 2 - 0.5])
        return -(z[0] + z[1]), -np.ones(2), c, np.array([[2 * z[0], 2 * z[1]]])

    return fun


@pytest.fixture
def clock(monkeypatch):
    fake = _Clock()
    monkeypatch.setattr(sqp.time, "monotonic", fake)
    return fake


def test_no_feasible_point_and_the_deadline_near_restores_feasibility(clock):
    fun = _problem(clock)
    z0 = np.array([0.503, 0.503])  # violation 6.0e-3, within RESTORE_VIOLATION
    # The first evaluation takes the clock past the deadline: no SQP iteration fits.
    res = sqp.solve(fun, z0, sqp.SQPSettings(), deadline=clock.now + 0.5, restore=True)
    assert res.status == "time_limit"
    assert res.incumbent is not None
    assert res.incumbent.violation <= 1e-6
    np.testing.assert_allclose(res.incumbent.z, [0.5, 0.5], atol=1e-6)  # the projection
    assert clock.now - 1000.0 <= 1 + sqp.RESTORE_STEPS  # the start, then at most 2 steps


def test_restoration_only_when_asked_and_only_near_feasibility(clock):
    fun = _problem(clock)
    near, far = np.array([0.503, 0.503]), np.array([0.6, 0.6])  # far: violation 0.22
    for z0, restore in ((near, False), (far, True)):
        res = sqp.solve(fun, z0, sqp.SQPSettings(), deadline=clock.now + 0.5, restore=restore)
        assert res.status == "time_limit" and res.incumbent is None


def test_restoration_waits_while_an_iteration_still_fits(clock):
    """With time for several iterations the SQP iterates as usual and ends at the optimum
    (1/2, 1/2), which it also reaches from outside; restoration is for the last iteration."""
    fun = _problem(clock)
    res = sqp.solve(fun, np.array([0.503, 0.503]), sqp.SQPSettings(), deadline=clock.now + 1e6, restore=True)
    assert res.status == "converged"
    np.testing.assert_allclose(res.point.z, [0.5, 0.5], atol=1e-5)


def test_an_iteration_the_deadline_cannot_fit_is_not_started(clock):
    """Unconstrained, linear objective, radius 0.01: every iteration costs one evaluation
    (one fake second). With a feasible start and 2.5 s left after it, two iterations fit and
    the third (predicted to end 0.5 s late) is not started: the solve ends on time."""

    def fun(z: np.ndarray):
        clock.now += 1.0
        return -float(z[0] + z[1]), -np.ones(2), np.zeros(0), np.zeros((0, 2))

    start = clock.now
    deadline = start + 1.0 + 2.5
    settings = sqp.SQPSettings(initial_radius=0.01, hessian="bfgs")
    res = sqp.solve(fun, np.zeros(2), settings, deadline=deadline)
    assert res.status == "time_limit" and res.incumbent is not None
    assert clock.now <= deadline
    assert clock.now - start == 3.0  # the start and two iterations
