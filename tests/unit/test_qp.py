"""The QP backends (cvxpy reference, direct highspy, the direct Clarabel fallback: an
interior-point method, a different algorithm from HiGHS' active set, and DAQP's hard-constrained
QP where it answers the elastic one) solve the same elastic QP: same step, slacks and
multipliers, and the KKT conditions of the QP hold (checked here by hand)."""

import numpy as np
import pytest
from planopt.solvers.qp import ClarabelQP, CvxpyQP, DaqpQP, HighsQP

from bench.qp_backends import random_elastic_qp


@pytest.mark.parametrize("seed", range(6))
def test_backends_agree_and_satisfy_qp_kkt(seed):
    rng = np.random.default_rng(seed)
    n, m = 6 + seed, 3 + seed
    a = rng.normal(size=(n, n))
    h = a @ a.T + 0.1 * np.eye(n)
    g = rng.normal(size=n)
    c = rng.normal(size=m)
    jac = rng.normal(size=(m, n))
    lo, hi = -0.3 * np.ones(n), 0.3 * np.ones(n)
    rho = 5.0
    ref = CvxpyQP(n, m).solve(g, h, c, jac, lo, hi, rho)
    fast = HighsQP(n, m).solve(g, h, c, jac, lo, hi, rho)
    interior = ClarabelQP(n, m).solve(g, h, c, jac, lo, hi, rho)
    dense = DaqpQP(n, m).solve(g, h, c, jac, lo, hi, rho)
    assert ref.ok and fast.ok and interior.ok and dense.ok
    np.testing.assert_allclose(dense.step, ref.step, atol=1e-6)
    np.testing.assert_allclose(dense.multipliers, ref.multipliers, atol=1e-5)
    np.testing.assert_allclose(dense.slack, ref.slack, atol=1e-6)
    np.testing.assert_allclose(fast.step, ref.step, atol=1e-6)
    np.testing.assert_allclose(fast.multipliers, ref.multipliers, atol=1e-5)
    np.testing.assert_allclose(interior.step, ref.step, atol=1e-6)
    np.testing.assert_allclose(interior.multipliers, ref.multipliers, atol=1e-5)
    np.testing.assert_allclose(interior.lower_multipliers, ref.lower_multipliers, atol=1e-5)
    np.testing.assert_allclose(interior.upper_multipliers, ref.upper_multipliers, atol=1e-5)
    for r in (ref, fast, interior, dense):
        # Stationarity in p: g + H p + J^T lam - mu_lo + mu_hi = 0
        resid = g + h @ r.step + jac.T @ r.multipliers - r.lower_multipliers + r.upper_multipliers
        assert np.max(np.abs(resid)) < 1e-5
        # Stationarity in v: rho - lam - (dual of v >= 0) = 0 with that dual >= 0  =>  lam <= rho
        assert np.all(r.multipliers <= rho + 1e-6)
        # Feasibility and complementarity of the linearised rows.
        rows = c + jac @ r.step - r.slack
        assert np.all(rows <= 1e-6)
        assert np.max(np.abs(r.multipliers * rows)) < 1e-5


@pytest.mark.parametrize("seed", range(4))
def test_daqp_answers_the_elastic_qp_exactly_and_hands_over_when_it_cannot(seed):
    """Feasible linearisation and a large penalty: DAQP's hard-constrained solution is the
    elastic QP's (v = 0), to 1e-7 of the cvxpy reference. An infeasible linearisation (two rows
    asking J p <= -1 and -J p <= -1) or a penalty below the multipliers: DAQP's elastic rounds
    (rows moved into the penalised set) answer with positive slacks, the same as the reference.
    Allowed a single round, it cannot finish those, and HiGHS answers them the same."""
    rng = np.random.default_rng(100 + seed)
    n, m = 6, 4
    a = rng.normal(size=(n, n))
    h = a @ a.T + 0.1 * np.eye(n)
    g = rng.normal(size=n)
    jac = rng.normal(size=(m, n))
    lo, hi = -0.3 * np.ones(n), 0.3 * np.ones(n)
    c = -np.abs(rng.normal(size=m)) * 0.01  # p = 0 satisfies every row: feasible
    qp = DaqpQP(n, m)
    ref = CvxpyQP(n, m).solve(g, h, c, jac, lo, hi, 1e3)
    got = qp.solve(g, h, c, jac, lo, hi, 1e3)
    assert qp.hard_solves == 1 and qp.elastic_solves == 0 and got.status == "optimal"
    np.testing.assert_allclose(got.step, ref.step, atol=1e-7)
    np.testing.assert_allclose(got.multipliers, ref.multipliers, atol=1e-6)
    assert np.all(got.slack == 0.0)
    jac_bad = np.vstack([jac[:1], -jac[:1], jac[2:]])
    c_bad = np.r_[1.0, 1.0, c[2:]]
    single_round = DaqpQP(n, m)
    single_round.ELASTIC_ROUNDS = 1
    for cc, jj, rho, infeasible in ((c_bad, jac_bad, 5.0, True), (c, jac, 1e-6, False)):
        ref = CvxpyQP(n, m).solve(g, h, cc, jj, lo, hi, rho)
        before = qp.elastic_solves
        got = qp.solve(g, h, cc, jj, lo, hi, rho)
        handed = single_round.solve(g, h, cc, jj, lo, hi, rho)
        assert qp.elastic_solves == before + 1 and got.status == "optimal"  # DAQP's rounds
        assert single_round.hard_solves == 0  # HiGHS answered
        for r in (got, handed):
            np.testing.assert_allclose(r.step, ref.step, atol=1e-6)
            np.testing.assert_allclose(r.slack, ref.slack, atol=1e-6)
            np.testing.assert_allclose(r.multipliers, ref.multipliers, atol=1e-5)
        if infeasible:  # rows 0 and 1 cannot both hold: the slacks take up the difference
            assert got.slack[0] + got.slack[1] >= 2.0 - 1e-6


@pytest.mark.parametrize("seed", range(60))
def test_daqp_elastic_rounds_match_highs_on_random_elastic_qps(seed):
    """Random QPs where many rows end up elastic, sizes like the SQP's (6-30 levers, 3-25 rows),
    penalties 0.05 to 1e5 (the SQP's cap), and by seed: pairs of contradictory rows (an
    infeasible linearisation), a row no step can change that p = 0 violates, a duplicated row
    (degenerate multipliers), a trust region of 1e-6. The DAQP backend's answer (elastic rounds
    or its HiGHS hand-over) has the objective of HiGHS' (an independent active-set code) to
    1e-7 relative plus what DAQP's row tolerance (1e-10) is worth at the penalty, and satisfies
    the elastic QP's KKT conditions checked by hand."""
    case = random_elastic_qp(seed)
    g, h, c, jac, lo, hi, rho = case.args
    n, m = jac.shape[1], jac.shape[0]
    value = case.value
    qp, peer = DaqpQP(n, m), HighsQP(n, m)
    got = qp.solve(g, h, c, jac, lo, hi, rho)
    ref = peer.solve(g, h, c, jac, lo, hi, rho)
    assert got.ok and ref.ok
    tol = 1e-7 * (1.0 + abs(value(ref.step))) + rho * m * 1e-10
    assert abs(value(got.step) - value(ref.step)) <= tol
    resid = g + h @ got.step + jac.T @ got.multipliers - got.lower_multipliers + got.upper_multipliers
    assert np.max(np.abs(resid)) < 1e-7 * (1.0 + rho)
    rows = c + jac @ got.step
    assert np.all((got.multipliers >= 0.0) & (got.multipliers <= rho * (1 + 1e-9)))
    assert np.all(got.multipliers[rows > 1e-8] >= rho * (1 - 1e-9))  # violated rows: rho
    assert np.all(got.multipliers[rows < -1e-8] <= 1e-9 * (1.0 + rho))  # strictly satisfied rows: 0
    np.testing.assert_allclose(got.slack, np.maximum(rows, 0.0), atol=1e-9)
    assert np.all(got.step >= lo - 1e-12) and np.all(got.step <= hi + 1e-12)


def test_fd_hessian_of_a_quadratic_lagrangian_is_exact_and_made_positive():
    # L(z) = f + lam c with f = 1/2 z^T A z and c = 1/2 z^T B z - 1: Hessian A + lam B (closed
    # form); an indefinite one comes back with |eigenvalues|.
    from planopt.solvers.sqp import _fd_hessian

    a = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 3.0]])
    b = np.array([[1.0, 0.0, 0.3], [0.0, -4.0, 0.0], [0.3, 0.0, 0.5]])

    def fun(z):
        return 0.5 * z @ a @ z, a @ z, np.array([0.5 * z @ b @ z - 1.0]), (b @ z)[None, :]

    z = np.array([0.3, 0.6, 0.5])
    lam = np.array([0.2])
    h = _fd_hessian(fun, z, lam)
    np.testing.assert_allclose(h, a + 0.2 * b, atol=1e-8)  # positive definite already
    w, v = np.linalg.eigh(a + 1.0 * b)
    assert w.min() < 0
    np.testing.assert_allclose(_fd_hessian(fun, z, np.array([1.0])), (v * np.abs(w)) @ v.T, atol=1e-8)
