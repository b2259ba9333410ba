"""The rep response surface against independent computations.

Golden values come from SciPy quadrature of the payout curve against the normal density
(independent of our closed forms), brute-force grid maximisation of the rep's objective, and
finite differences / an unrolled solve for the implicit-function derivatives.
"""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from planopt.solvers import surface as S
from scipy import integrate, stats

from tests.unit.reps import PLAN_HIGH, PLAN_LOW, random_reps

PLANS = [
    np.array([85e3, 85e3, 0.0, 0.5, 1.1, 3.0]),  # seed 000's current plan
    np.array([60e3, 110e3, 0.4, 0.3, 2.0, 1.8]),  # threshold, accelerator, tight cap
    np.array([90e3, 50e3, 0.7, 0.9, 1.0, 1.2]),  # mostly a step bonus
]


def rep(mu=0.7, sigma=0.18, cost=400e3, risk=1e-5, outside=120e3, k=1.0):
    f = jnp.asarray
    return S.RepParams(f(mu), f(sigma), f(cost), f(risk), f(outside), f(k))


def pay(x, lev):
    """The payout curve written directly from the proto's definition (README 'Model')."""
    b, ti, t, q, acc, cap = lev
    s = ti * (1 - q) / (1 - t)
    if x < t:
        return b
    if x < 1:
        return b + s * (x - t)
    return b + ti + s * acc * (min(x, cap) - 1)


@pytest.mark.parametrize("lev", PLANS)
@pytest.mark.parametrize("m", [0.2, 0.75, 1.0, 1.4, 2.5])
def test_pay_moments_match_quadrature(lev, m):
    sigma = 0.2
    pdf = stats.norm(m, sigma).pdf
    breaks = sorted({lev[2], 1.0, lev[5]})
    lo, hi = m - 12 * sigma, m + 12 * sigma
    pts = [lo] + [b for b in breaks if lo < b < hi] + [hi]

    def quad(fn):
        return sum(integrate.quad(fn, a, b, epsabs=1e-12, epsrel=1e-12)[0] for a, b in itertools.pairwise(pts))

    mean_q = quad(lambda x: pay(x, lev) * pdf(x))
    var_q = quad(lambda x: (pay(x, lev) - mean_q) ** 2 * pdf(x))
    mean, var = S.pay_moments(jnp.asarray(lev), jnp.asarray(m), jnp.asarray(sigma))
    assert float(mean) == pytest.approx(mean_q, rel=1e-9, abs=1e-6)
    assert float(var) == pytest.approx(var_q, rel=1e-7, abs=1e-3)
    att_q = quad(lambda x: max(x, 0.0) * pdf(x))
    assert float(S.expected_attainment(jnp.asarray(m), jnp.asarray(sigma))) == pytest.approx(att_q, rel=1e-9)


@pytest.mark.parametrize("lev", PLANS)
def test_closed_form_slope_matches_autodiff(lev):
    p = rep(risk=3e-5)
    for m in np.linspace(-0.2, 2.5, 23):
        auto = jax.grad(S.rep_value)(jnp.asarray(m), jnp.asarray(lev), p)
        assert float(S._dV(jnp.asarray(m), jnp.asarray(lev), p)) == pytest.approx(float(auto), rel=1e-8, abs=1e-6)


@pytest.mark.parametrize("lev", PLANS)
@pytest.mark.parametrize("mu", [0.1, 0.45, 0.8, 1.2])
def test_best_mode_is_the_global_maximiser_on_a_fine_grid(lev, mu):
    p = rep(mu=mu, cost=250e3)
    lev_j = jnp.asarray(lev)
    brackets, exists = S._two_best_modes(lev_j, p)
    modes = [float(S.solve_mode(lev_j, p, *brackets[:, j])) for j in range(2) if bool(exists[j])]
    values = [float(S.rep_value(jnp.asarray(m), lev_j, p)) for m in modes]
    fine = np.linspace(mu - 1.0, mu + 3.0, 40001)
    brute = np.asarray(jax.vmap(lambda x: S.rep_value(x, lev_j, p))(jnp.asarray(fine)))
    assert max(values) >= brute.max() - 1e-6 * abs(brute.max())
    for m in modes:  # every reported mode is stationary
        assert abs(float(S._dV(jnp.asarray(m), lev_j, p))) < 1e-6 * 250e3


def _outcomes(lev, p, unrolled=False):
    k = S.ModelConstants(jnp.asarray(1000.0), jnp.asarray(15000.0))
    return jnp.stack(S.rep_response(lev, p, k, unrolled=unrolled))


@pytest.mark.parametrize("lev", PLANS)
@pytest.mark.parametrize("mu", [0.15, 0.6, 1.1])
def test_implicit_derivative_matches_unrolled_solve(lev, mu):
    """custom_jvp (implicit-function theorem) vs differentiating through the Newton iterations."""
    p = rep(mu=mu)
    lev_j = jnp.asarray(lev)
    implicit = jax.jacfwd(lambda x: _outcomes(x, p))(lev_j)
    unrolled = jax.jacfwd(lambda x: _outcomes(x, p, unrolled=True))(lev_j)
    np.testing.assert_allclose(np.asarray(implicit), np.asarray(unrolled), rtol=1e-6, atol=1e-9)


def test_outcomes_are_c1_in_the_plan_finite_differences_at_random_plans():
    """Aggregate smoothness (design.md section 3): at random plans and rosters with two-mode
    reps, central differences of every rep's outcomes agree with the implicit Jacobian."""
    rng = np.random.default_rng(7)
    n = 40
    params, k = random_reps(rng, n)
    lo, hi = PLAN_LOW, PLAN_HIGH
    magnitude = np.array([1.0, 1e5, 1e5, 1.0])  # attainment, pay, welfare, attrition
    checked = 0
    for _ in range(12):
        lev = lo + rng.uniform(0, 1, 6) * (hi - lo)
        _, jac = S.batch_value_and_jacobian(jnp.tile(jnp.asarray(lev), (n, 1)), params, k)
        jac = np.asarray(jac)[:, :4, :]
        for j in range(6):
            step = 1e-6 * (hi[j] - lo[j])
            d = np.zeros(6)
            d[j] = step
            yp, _ = S.batch_value_and_jacobian(jnp.tile(jnp.asarray(lev + d), (n, 1)), params, k)
            ym, _ = S.batch_value_and_jacobian(jnp.tile(jnp.asarray(lev - d), (n, 1)), params, k)
            fd = (np.asarray(yp)[:, :4] - np.asarray(ym)[:, :4]) / (2 * step)
            tol = 1e-4 * (np.abs(fd) + np.abs(jac[:, :, j])) + 1e-7 * magnitude / (hi[j] - lo[j])
            np.testing.assert_array_less(np.abs(fd - jac[:, :, j]), tol)
            checked += fd.size
    assert checked == 12 * 6 * n * 4


def test_a_mode_with_a_tiny_basin_carries_no_weight_so_the_outcome_does_not_jump():
    """Found on a 5,000-rep roster at the optimiser's final plan: this rep's V has a second
    maximum (m ~ 0.417) only 0.08 USD above the valley next to it (m ~ 0.428), narrower than
    the search grid's spacing. With a curvature-based fade it carried ~15% of the weight
    whenever the grid resolved it, so attainment jumped by ~0.04 under 1e-6 changes of the plan
    and the SQP stalled. Smoothness check (no golden outcome): along each lever, over a window
    of +-1e-4 (relative), the second differences of every outcome are what a C2 function gives
    (<= 1e-9 of its scale), i.e. no jump anywhere on the path."""
    p = rep(mu=0.25577908, sigma=0.16778527, cost=308921.99867069, risk=6.75228173e-06, outside=48736.95865121)
    lev = np.array([5.07076790e04, 7.60615185e04, 4.71698186e-01, 0.0, 1.13829244e00, 1.96686037e00])
    k = S.ModelConstants(jnp.asarray(1000.0), jnp.asarray(15000.0))
    magnitude = np.array([1.0, 1e5, 1e5, 1.0])  # attainment, pay, welfare, attrition
    path = np.linspace(-1e-4, 1e-4, 201)
    for j in (0, 1, 2, 4, 5):  # q = 0 sits on its bound
        levs = np.tile(lev, (path.size, 1))
        levs[:, j] *= 1.0 + path
        y = np.asarray(jax.vmap(lambda lv: jnp.stack(S.rep_response(lv, p, k)))(jnp.asarray(levs)))[:, :4]
        second = np.abs(y[2:] - 2 * y[1:-1] + y[:-2])
        assert np.all(second <= 1e-9 * magnitude), (j, second.max(axis=0))


@pytest.mark.parametrize("reps", [48, 1024])
def test_batch_locate_matches_the_per_rep_search_on_both_of_its_paths(reps):
    """``batch_locate`` refines the second mode and the valley only for the reps with a second
    grid maximum, gathered into ``second_mode_lanes`` lanes, or for every rep when more have one.
    Reference: ``_locate`` (grid, brackets and Newton) jitted for one rep at a time. Random
    rosters (``tests.unit.reps``: many reps with two modes) take the every-rep path; the same
    rosters with all but a few reps made single-mode (low effort cost: one steep mode) take the
    gathered one (its spare lanes recompute rep 0: with rep 0 among the two-mode reps and
    without). Both paths must give every rep's modes, valley and existence."""
    one = jax.jit(S._locate)
    rng = np.random.default_rng(11)
    lanes = S.second_mode_lanes(reps)
    seen = set()
    for few in (None, 0, 1):
        params, _ = random_reps(rng, reps)
        lev = jnp.tile(jnp.asarray(PLAN_HIGH), (reps, 1))  # many two-mode reps (~30%)
        if few == 0:  # rep 0 one of the two-mode reps: swap one in
            j = next(i for i in range(reps) if one(lev[i], S.RepParams(*(a[i] for a in params)))[1][1])
            swap = np.arange(reps)
            swap[[0, j]] = [j, 0]
            params = S.RepParams(*(a[swap] for a in params))
        if few is not None:  # all but `lanes // 2` reps from rep `few` on: no give-up mode
            keep = (np.arange(reps) >= few) & (np.arange(reps) < few + lanes // 2)
            params = params._replace(cost=jnp.where(keep, params.cost, 2e4), risk=jnp.where(keep, params.risk, 0.0))
        modes, exists = (np.asarray(a) for a in S.batch_locate(lev, params))
        two = int(exists[:, 1].sum())
        seen.add("gathered" if two <= lanes else "every")
        if few is not None:
            seen.add(f"rep 0 two-mode: {bool(exists[0, 1])}")
        # every rep on 48; on 1,024 the two-mode ones and 64 others
        for i in sorted({*range(0, reps, max(1, reps // 64)), *np.flatnonzero(exists[:, 1])}):
            ref_modes, ref_exists = one(lev[i], S.RepParams(*(a[i] for a in params)))
            np.testing.assert_array_equal(exists[i], np.asarray(ref_exists))
            np.testing.assert_allclose(modes[i], np.asarray(ref_modes), rtol=0, atol=1e-12)
    assert seen == {"gathered", "every", "rep 0 two-mode: True", "rep 0 two-mode: False"}


def test_first_argmax_is_argmax_on_grid_scores():
    """``_first_argmax`` (the brackets' arg-max) against ``jnp.argmax``: the first index of the
    largest score, on rounded random scores (many ties), with -inf entries (grid points that
    are no local maximum) and all -inf rows."""
    rng = np.random.default_rng(5)
    score = np.round(rng.normal(size=(512, S.GRID_POINTS)), 1)
    score[rng.random(score.shape) < 0.5] = -np.inf
    score[:8] = -np.inf
    got = np.asarray(jax.jit(jax.vmap(S._first_argmax))(jnp.asarray(score)))
    np.testing.assert_array_equal(got, np.asarray(jnp.argmax(jnp.asarray(score), axis=1)))
