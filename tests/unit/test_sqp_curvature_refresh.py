"""A sampled curvature model is refined when the trust radius stays stuck (``sqp.STUCK_STEPS``).

The SQP asks its caller for a better curvature model (``refine_curvature``: a larger sample of
reps on a large roster) after ``POOR_STEPS`` poor steps in a row, and after ``STUCK_STEPS``
accepted steps in a row that the trust radius cut without growing. The second pattern is L's
(bench/README.md, session 24): ratios that alternate about 0.7 and 0.35 at a tiny radius,
neither poor (< 0.25) nor good enough to grow the radius.

Built by hand: f = -0.4 z on [0, 1] with a reported gradient of -1, so every step realises 0.4 of
the model's decrease: fair (>= 0.25, the radius never shrinks), under ``sqp.CRAWL_RATIO`` (the
crawl rule never grows it) and under 0.75 (the classic rule never grows it). From z = 0 at
radius 0.01 every step is 0.01 and is cut by the radius, so the caller is asked after the 6th,
12th, ... accepted step: at z = 0.06, 0.12, ..., 0.96 (16 times in 100 steps).
"""

import numpy as np
import pytest
from planopt.solvers import sqp


def _fun(z: np.ndarray):
    return -0.4 * float(z[0]), np.array([-1.0]), np.zeros(0), np.zeros((0, 1))


def _solve(refinable: bool):
    asked_at: list[float] = []
    last = {"z": np.nan}

    def hessian(z: np.ndarray, lam: np.ndarray, weight: float) -> np.ndarray:
        last["z"] = float(z[0])
        return np.zeros((1, 1))  # convexified to the floor: the steps are the radius's

    def refine() -> bool:
        asked_at.append(last["z"])
        return refinable

    settings = sqp.SQPSettings(initial_radius=0.01)
    res = sqp.solve(_fun, np.array([0.0]), settings, float("inf"), hessian=hessian, refine_curvature=refine)
    return res, asked_at


def test_a_radius_stuck_for_stuck_steps_asks_for_a_better_model():
    assert sqp.STUCK_STEPS == 6  # the hand count above
    res, asked_at = _solve(refinable=True)
    assert res.status == "converged" and res.point.z[0] == 1.0
    assert asked_at == pytest.approx([0.06 * k for k in range(1, 17)], abs=1e-12)


def test_a_caller_without_a_better_model_changes_nothing():
    refined, _ = _solve(refinable=True)
    res, asked_at = _solve(refinable=False)
    assert len(asked_at) > 16  # asked at every stuck step from the 6th on, answered no
    assert (res.status, res.iterations) == (refined.status, refined.iterations) == ("converged", 101)


def test_without_the_rule_a_fair_crawl_never_asks(monkeypatch):
    monkeypatch.setattr(sqp, "STUCK_STEPS", 10**9)
    res, asked_at = _solve(refinable=True)
    assert res.iterations == 101
    assert asked_at == []
