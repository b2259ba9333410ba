"""The demo team reproduces seed 000 under the current plan (golden values: the seed's text)."""

import pytest
from planopt.solvers.model import PlanModel
from planopt.solvers.problem import demo_problem

# Seed 000: "average attainment: 78%", "Top quartile attainment: 125%, bottom quartile: 45%",
# "Current cost of sales: 13.5% of revenue", "Voluntary attrition: 22% annually".
SEED = {
    "mean_attainment": 0.78,
    "top_quartile_attainment": 1.25,
    "bottom_quartile_attainment": 0.45,
    "cost_of_sales": 0.135,
    "attrition": 0.22,
}


def test_current_plan_reproduces_seed_000_within_one_point():
    problem = demo_problem()
    assert problem.roster.size == 45
    assert sum(problem.roster.quota_usd) / 45 == pytest.approx(1.2e6)  # "Average quota: $1.2M"
    ev = PlanModel(problem).evaluate(problem.template.value)
    for key, target in SEED.items():
        assert abs(ev.metrics[key] - target) <= 0.01, (key, ev.metrics[key])
    # The current plan as the seed states it: $85K + $85K, half commission, half bonus, 1.1x.
    assert ev.role_metrics["AE-MidMarket"]["ote_usd"] == 170_000


def test_quartile_means_by_hand():
    from planopt.solvers.model import _top_bottom_quartile

    values = [float(v) for v in range(1, 10)]  # 9 values: a quarter is 2.25 of them
    top, bottom = _top_bottom_quartile(__import__("numpy").array(values))
    assert top == pytest.approx((9 + 8 + 0.25 * 7) / 2.25)
    assert bottom == pytest.approx((1 + 2 + 0.25 * 3) / 2.25)
