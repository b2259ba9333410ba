"""Quota allocation LP against independent answers: a bisection on the minimax value (from the
problem's own feasibility condition), the closed form of the weighted-L1 optimum, finite
differences of those for the dual-based sensitivity, and an exact planted fit."""

import numpy as np
import pytest
from planopt.solvers.quotas import QuotaProblem, allocate, quota_bounds


def _problem(seed=0, n=30, **kw):
    rng = np.random.default_rng(seed)
    potential = rng.lognormal(np.log(3e6), 0.5, n)
    last_quota = 1.2e6 * np.exp(rng.normal(0, 0.3, n))
    args = dict(
        territory_id=[f"t{i}" for i in range(n)],
        potential=potential,
        target=float(last_quota.sum() * 1.08),
        expected_sales=0.4 * potential * np.exp(rng.normal(0, 0.2, n)),
        last_quota=last_quota,
        max_increase=0.2,
        max_decrease=0.15,
        over_assignment=0.05,
    )
    args.update(kw)
    return QuotaProblem(**args)


def _fair(p):
    total = p.target * (1 + p.over_assignment)
    return total, total * p.expected_sales / p.expected_sales.sum()


def _minimax_by_bisection(p):
    """Smallest t with max(lo, f(1-t)) <= min(hi, f(1+t)) everywhere and the total inside
    [sum of lower, sum of upper]: the LP's value from its feasibility condition alone."""
    total, f = _fair(p)
    lo, hi, _, _ = quota_bounds(p)

    def feasible(t):
        a, b = np.maximum(lo, f * (1 - t)), np.minimum(hi, f * (1 + t))
        return bool(np.all(a <= b) and a.sum() <= total <= b.sum())

    left, right = 0.0, 100.0
    assert feasible(right)
    for _ in range(200):
        mid = 0.5 * (left + right)
        left, right = (left, mid) if feasible(mid) else (mid, right)
    return right


def test_minimax_value_matches_bisection_and_quotas_are_feasible():
    p = _problem()
    r = allocate(p)
    assert r.status == "optimal"
    t_star = _minimax_by_bisection(p)
    assert t_star > 0.05  # the change limits bind: the case worth testing
    assert r.objective == pytest.approx(t_star, rel=1e-8)
    total, f = _fair(p)
    lo, hi, _, _ = quota_bounds(p)
    assert r.quota.sum() == pytest.approx(total, rel=1e-10)
    assert np.all(r.quota >= lo * (1 - 1e-9)) and np.all(r.quota <= hi * (1 + 1e-9))
    assert np.max(np.abs(r.quota / f - 1)) <= t_star * (1 + 1e-8)
    assert r.kkt_residual < 1e-9 and r.max_violation < 1e-9 and r.duality_gap < 1e-9
    # Predicted attainment: expected sales at the company target over the quota.
    sales_at_target = p.target * p.expected_sales / p.expected_sales.sum()
    np.testing.assert_allclose(r.predicted_attainment, sales_at_target / r.quota, rtol=1e-10)


def test_weighted_objective_matches_the_closed_form():
    # min sum |q - f| s.t. sum q = T', lo <= q <= hi with sum f = T': clip f to the box, then the
    # leftover |sum(clip) - T'| must be moved at unit cost, so the optimum is
    # sum |clip - f| + |sum clip - T'| (divided by T' for the share).
    p = _problem(seed=3, objective="weighted")
    r = allocate(p)
    total, f = _fair(p)
    lo, hi, _, _ = quota_bounds(p)
    clip = np.clip(f, lo, hi)
    expected = (np.abs(clip - f).sum() + abs(clip.sum() - total)) / total
    assert r.status == "optimal"
    assert r.objective == pytest.approx(expected, rel=1e-8)
    assert r.misallocated_share == pytest.approx(expected, rel=1e-8)


def test_minimax_tie_break_minimises_misallocation_among_minimax_optima():
    # Among quotas with max deviation t*, the least misallocation is the weighted closed form on
    # the box tightened to [max(lo, f(1 - t*)), min(hi, f(1 + t*))].
    p = _problem(seed=5)
    r = allocate(p)
    t_star = _minimax_by_bisection(p)
    total, f = _fair(p)
    lo, hi, _, _ = quota_bounds(p)
    a, b = np.maximum(lo, f * (1 - t_star)), np.minimum(hi, f * (1 + t_star))
    clip = np.clip(f, a, b)
    expected = (np.abs(clip - f).sum() + abs(clip.sum() - total)) / total
    assert r.misallocated_share == pytest.approx(expected, rel=1e-6)
    w = allocate(_problem(seed=5, objective="weighted"))
    assert r.misallocated_share >= w.objective - 1e-12  # cannot beat the unconstrained-t optimum


def test_target_sensitivity_matches_finite_difference_of_the_bisection():
    p = _problem(seed=1)
    r = allocate(p)
    h = 1e-4
    up = _minimax_by_bisection(_problem(seed=1, target=p.target * (1 + h)))
    down = _minimax_by_bisection(_problem(seed=1, target=p.target * (1 - h)))
    fd_per_pct = (up - down) / (2 * h) * 0.01
    assert abs(fd_per_pct) > 1e-4
    assert r.target_sensitivity_per_pct == pytest.approx(fd_per_pct, rel=1e-3)


def test_infeasible_target_reports_the_range_and_the_relaxed_target_is_tight():
    p = _problem(seed=2, target=1e9)
    r = allocate(p)
    lo, hi, _, _ = quota_bounds(p)
    assert r.status == "infeasible"
    assert r.target_range == pytest.approx((lo.sum() / 1.05, hi.sum() / 1.05), rel=1e-12)
    relaxed = allocate(_problem(seed=2, target=r.target_range[1]))
    assert relaxed.status == "optimal"
    np.testing.assert_allclose(relaxed.quota, hi, rtol=1e-7)  # every quota on its upper limit


def test_crossed_limits_name_the_territory():
    p = _problem(seed=2, min_quota_to_potential=0.9, max_quota_to_potential=1.0, max_increase=0.0)
    r = allocate(p)
    assert r.status == "infeasible"
    assert "limits cross" in r.detail


def test_fit_recovers_planted_elasticity_and_flags_planted_outliers():
    rng = np.random.default_rng(4)
    n = 40
    potential = rng.lognormal(np.log(3e6), 0.6, n)
    accounts = rng.integers(5, 80, n).astype(float)
    sales = np.exp(0.3 + 0.8 * np.log(potential) + 0.1 * np.log1p(accounts))  # exact, no noise
    expected_share = sales / sales.sum()
    last_quota = 50e6 * expected_share
    last_quota[[3, 17]] *= [2.0, 0.5]  # planted: quotas unrelated to opportunity
    p = QuotaProblem(
        territory_id=[f"t{i}" for i in range(n)],
        potential=potential,
        target=55e6,
        accounts=accounts,
        last_sales=sales,
        last_quota=last_quota,
    )
    r = allocate(p)
    assert r.fit_source == "fitted"
    assert r.fit_r2 == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(r.fit_coefficients, [0.3, 0.8, 0.1], atol=1e-7)
    assert set(np.flatnonzero(r.outlier)) == {3, 17}
    # No limits: every territory gets its fair share and the same predicted attainment.
    np.testing.assert_allclose(r.predicted_attainment, 1.0, rtol=1e-8)
    assert r.spread_before is not None and r.spread_before.max > 1.5
