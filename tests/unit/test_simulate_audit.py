"""Monte Carlo evaluation and the pay-equity audit.

Golden values: the analytic expectations of the response model (closed-form truncated-normal
moments, independent of the sampler) with a standard-error bound; hand-built rosters with a
planted within-role gap (its size known by construction) and a pure role-mix gap (adjusted gap
zero by construction); the payout curve at hand-computed points.
"""

import numpy as np
import pytest
from planopt.solvers.audit import audit
from planopt.solvers.model import PlanModel
from planopt.solvers.problem import demo_problem
from planopt.solvers.simulate import simulate
from planopt.solvers.surface import payout


@pytest.fixture(scope="module")
def demo():
    problem = demo_problem()
    model = PlanModel(problem)
    return problem, model, model.evaluate(problem.template.value, with_jacobian=False)


def test_payout_curve_at_hand_computed_points():
    # B 60k, TI 40k, threshold 50%, quota bonus 20%, accelerator 2, cap 200%:
    # slope s = 40k * 0.8 / 0.5 = 64k per unit attainment.
    lev = np.array([60_000.0, 40_000.0, 0.5, 0.2, 2.0, 2.0])
    cases = {0.3: 60_000, 0.75: 60_000 + 16_000, 1.0: 100_000, 1.5: 100_000 + 64_000, 2.5: 100_000 + 128_000}
    for x, expected in cases.items():
        assert float(payout(lev, np.asarray(x))) == pytest.approx(expected, rel=1e-12)


def test_mc_means_converge_to_the_analytic_expectations(demo):
    problem, model, ev = demo
    mc = simulate(model, problem.template.value, draws=20_000, seed=3)
    # mean attainment: analytic E[max(X, 0)] averaged over reps, within 4 standard errors
    se = mc.mean_attainment_stderr95 / 1.96
    assert abs(mc.mean_attainment.mean - ev.metrics["mean_attainment"]) <= 4 * se
    pay_se = mc.total_pay_usd.sd / np.sqrt(mc.draws)
    assert abs(mc.total_pay_usd.mean - ev.metrics["total_pay_usd"]) <= 4 * pay_se
    rev_se = mc.revenue_usd.sd / np.sqrt(mc.draws)
    assert abs(mc.revenue_usd.mean - ev.metrics["revenue_usd"]) <= 4 * rev_se
    # per-rep mean pay against the rep's analytic expected pay
    rep_mean = np.array([s.mean for s in mc.rep_pay_usd])
    rep_se = np.array([s.sd for s in mc.rep_pay_usd]) / np.sqrt(mc.draws)
    assert np.all(np.abs(rep_mean - ev.rep["pay"]) <= 5 * rep_se + 1e-9)
    assert mc.attainment_histogram.sum() == mc.draws * model.n


def test_mc_is_deterministic_by_seed_and_varies_with_it(demo):
    problem, model, _ = demo
    a = simulate(model, problem.template.value, draws=3000, seed=11, market_shock_sd=0.1)
    b = simulate(model, problem.template.value, draws=3000, seed=11, market_shock_sd=0.1)
    c = simulate(model, problem.template.value, draws=3000, seed=12, market_shock_sd=0.1)
    assert np.array_equal(a.samples_cost_of_sales, b.samples_cost_of_sales)
    assert a.mean_attainment == b.mean_attainment
    assert not np.array_equal(a.samples_cost_of_sales, c.samples_cost_of_sales)


def test_shared_market_shock_widens_the_firm_distribution(demo):
    problem, model, _ = demo
    calm = simulate(model, problem.template.value, draws=4000, seed=1, market_shock_sd=0.0)
    shocked = simulate(model, problem.template.value, draws=4000, seed=1, market_shock_sd=0.15)
    # Independent noise averages out over 45 reps; a common shock does not: sd >= 0.15 * ~1.
    assert shocked.mean_attainment.sd > 3 * calm.mean_attainment.sd
    assert shocked.mean_attainment.sd == pytest.approx(0.15, rel=0.25)


def test_audit_finds_a_planted_within_role_gap():
    rng = np.random.default_rng(0)
    n = 40
    quota = np.repeat(rng.uniform(5e5, 2e6, n), 2)  # twins: same role, same quota
    role = np.repeat(np.where(np.arange(n) % 2 == 0, "AE", "SE"), 2)
    group = np.tile(["A", "B"], n)
    base_pay = np.repeat(rng.uniform(1.2e5, 1.8e5, n), 2) + 2000 * np.log(quota)
    planted = -0.04 * 150_000  # B earns 6,000 less than its twin
    pay = base_pay + np.where(group == "B", planted, 0.0)
    att = np.repeat(rng.uniform(0.6, 1.2, n), 2) - np.where(group == "B", 0.05, 0.0)
    # Tie in group sizes: the reference is the first name in sorted order ("A").
    result = audit(pay, att, role, quota, group, max_gap=0.03)
    (gap,) = result.gaps
    assert result.reference_group == "A" and gap.group == "B"
    ref_mean = pay[group == "A"].mean()
    # Twins share role and quota, so the adjusted gap is exactly the planted difference.
    assert gap.adjusted_pay_gap == pytest.approx(planted / ref_mean, rel=1e-9)
    assert gap.adjusted_attainment_gap == pytest.approx(-0.05, rel=1e-9)
    assert gap.flagged and 0 < gap.adjusted_pay_gap_se < 1.0


def test_audit_does_not_flag_a_pure_role_mix_gap():
    rng = np.random.default_rng(1)
    n = 60
    role = np.where(np.arange(n) < 30, "AE", "SDR")
    group = np.where((np.arange(n) < 24) | ((np.arange(n) >= 30) & (np.arange(n) < 36)), "A", "B")
    quota = rng.uniform(5e5, 2e6, n)
    pay = np.where(role == "AE", 180_000.0, 90_000.0) + 1000 * np.log(quota)  # pay set by role only
    att = np.full(n, 0.9)
    result = audit(pay, att, role, quota, group, max_gap=0.05)
    (gap,) = result.gaps
    assert abs(gap.raw_pay_gap) > 0.2  # B is mostly SDRs: a large raw gap...
    assert abs(gap.adjusted_pay_gap) < 1e-9  # ...that role and quota explain entirely
    assert not gap.flagged


def test_audit_needs_two_groups():
    assert audit(np.ones(3), np.ones(3), ["AE"] * 3, np.ones(3), ["", "", ""], 0.05) is None


def test_ols_matches_the_textbook_formulas():
    """Golden values from the normal equations (full rank: inv(X'X)) and from lstsq + pinv (a
    duplicated column: rank-deficient) — computed here independently of the SVD in ``_ols``."""
    from planopt.solvers.audit import _ols

    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(50), rng.normal(size=(50, 3))])
    ys = x @ rng.normal(size=(4, 2)) + rng.normal(size=(50, 2))
    coef, se = _ols(x, ys)
    for k in range(2):
        beta = np.linalg.solve(x.T @ x, x.T @ ys[:, k])
        resid = ys[:, k] - x @ beta
        s2 = resid @ resid / (50 - 4)
        np.testing.assert_allclose(coef[:, k], beta, rtol=1e-10)
        np.testing.assert_allclose(se[:, k], np.sqrt(np.diag(s2 * np.linalg.inv(x.T @ x))), rtol=1e-10)
    deficient = np.column_stack([x, x[:, 1]])  # rank 4 of 5 columns
    coef, se = _ols(deficient, ys)
    beta, *_ = np.linalg.lstsq(deficient, ys[:, 0], rcond=None)
    resid = ys[:, 0] - deficient @ beta
    s2 = resid @ resid / (50 - 4)
    np.testing.assert_allclose(coef[:, 0], beta, rtol=1e-9, atol=1e-12)
    expected = np.sqrt(np.diag(s2 * np.linalg.pinv(deficient.T @ deficient)))
    np.testing.assert_allclose(se[:, 0], expected, rtol=1e-8)


def test_model_audit_design_is_factorised_once_and_matches_the_audit():
    """EvaluatePlan audits with the model's cached regression (``PlanModel.audit_design``): one
    object shared by every ``with_problem`` copy of the model, and for any outcomes the same
    answer as ``audit`` computed from scratch on the roster."""
    import dataclasses

    from planopt.solvers.audit import audit_with

    problem = demo_problem()
    model = PlanModel(problem)
    design = model.audit_design()
    assert design is not None
    other = model.with_problem(dataclasses.replace(problem, constraints=dataclasses.replace(problem.constraints)))
    assert other.audit_design() is design
    r = problem.roster
    rng = np.random.default_rng(5)
    for _ in range(3):
        pay = rng.uniform(1.2e5, 2.0e5, r.size)
        att = rng.uniform(0.5, 1.3, r.size)
        fresh = audit(pay, att, r.role, r.quota_usd, r.equity_group, 0.04)
        cached = audit_with(design, pay, att, 0.04)
        assert cached.reference_group == fresh.reference_group
        for a, b in zip(cached.gaps, fresh.gaps, strict=True):
            assert dataclasses.astuple(a)[:2] == dataclasses.astuple(b)[:2]
            np.testing.assert_allclose(dataclasses.astuple(a)[2:7], dataclasses.astuple(b)[2:7], rtol=1e-12)
            assert a.flagged == b.flagged
