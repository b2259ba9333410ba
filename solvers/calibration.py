"""Fit the demo team's free constants to seed 000's statistics (run once; prints constants).

    python -m planopt.solvers.calibration

Least squares (SciPy) on mean / top-quartile / bottom-quartile attainment, cost of sales and
attrition under the current plan. The fitted values are pasted into ``planopt.client.demo``;
``tests/unit/test_calibration.py`` re-evaluates the model on the committed constants.
"""

from __future__ import annotations

import numpy as np
from planopt.client import demo
from planopt.solvers.model import PlanModel
from planopt.solvers.problem import demo_problem

KEYS = tuple(demo.SEED_TARGETS)


def seed_statistics(params: np.ndarray) -> dict[str, float]:
    columns = demo.generate_roster(*params)
    problem = demo_problem(columns)
    model = PlanModel(problem)
    ev = model.evaluate(problem.template.value)
    return {k: ev.metrics[k] for k in KEYS}


def main() -> None:
    from scipy.optimize import least_squares

    x0 = np.array([demo.MU_SHIFT, demo.MU_SCALE, demo.MU_SKEW, demo.QUOTA_SKILL, demo.OUTSIDE_BASE])
    scale = np.array([0.1, 0.1, 0.1, 0.05, 10_000.0])

    def residual(u: np.ndarray) -> np.ndarray:
        stats = seed_statistics(x0 + u * scale)
        return np.array([(stats[k] - demo.SEED_TARGETS[k]) * 100.0 for k in KEYS])

    fit = least_squares(residual, np.zeros(5), diff_step=1e-4, xtol=1e-10, ftol=1e-10)
    x = x0 + fit.x * scale
    names = ("MU_SHIFT", "MU_SCALE", "MU_SKEW", "QUOTA_SKILL", "OUTSIDE_BASE")
    for name, value in zip(names, x, strict=False):
        print(f"{name} = {value:.6f}")
    print({k: round(v, 4) for k, v in seed_statistics(x).items()})


if __name__ == "__main__":
    main()
