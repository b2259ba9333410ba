"""The trust region's crawl rule (``sqp.CRAWL_STEPS``, ``sqp.CRAWL_RATIO``).

A one-lever problem built so that every step is held at the trust radius and realises exactly
0.6 of the model's predicted decrease: the reported gradient of the objective is -1 while the
objective falls by only 0.6 per unit (f = -0.6 z on [0, 1]). A ratio of 0.6 is "fair" (above
0.25, so the radius never shrinks; below 0.75, so the classic rule never grows it). Hand count
from z = 0 with radius 0.01: with the crawl rule the radius doubles after every 3 such steps —
3 steps each of 0.01, 0.02, 0.04, 0.08 and 0.16 reach z = 0.93, a 16th step (cut to 0.07 by the
bound) reaches z = 1, and the 17th iteration finds the KKT point. Without it the SQP crawls 100
steps of 0.01.
"""

import numpy as np
from planopt.solvers import sqp


def _fun(z: np.ndarray):
    return -0.6 * float(z[0]), np.array([-1.0]), np.zeros(0), np.zeros((0, 1))


def _solve():
    settings = sqp.SQPSettings(initial_radius=0.01, hessian="bfgs")
    return sqp.solve(_fun, np.array([0.0]), settings, deadline=float("inf"))


def test_fair_steps_held_at_the_radius_double_it_every_crawl_steps():
    res = _solve()
    assert res.status == "converged"
    assert res.point.z[0] == 1.0
    assert res.iterations == 17


def test_without_the_crawl_rule_the_radius_stays_put(monkeypatch):
    monkeypatch.setattr(sqp, "CRAWL_STEPS", 10**9)
    res = _solve()
    assert res.status == "converged"
    assert res.point.z[0] == 1.0
    assert res.iterations == 101
