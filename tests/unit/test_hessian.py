"""Exact second order: the surface's per-rep Hessians and the Lagrangian Hessian the SQP uses.

Independent reference: central differences of the *exact first derivatives* (the Jacobian
kernel, itself checked against differences of values in test_surface.py, and the model's
hand-assembled gradients). The Hessian comes from a different computation (forward over
forward JAX through the modes' implicit-function rule, then assembled per metric kind), so
agreement checks both the second-order implicit derivatives and the assembly of ratio metrics.
"""

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest
from planopt.solvers import sqp
from planopt.solvers import surface as S
from planopt.solvers.optimize import ScaledProblem, optimize
from planopt.solvers.problem import Objective, ObjectiveKind, SolveOptions, demo_problem

from bench.instances import synthetic
from tests.unit.reps import PLAN_HIGH, PLAN_LOW, random_reps


def test_rep_hessians_match_differences_of_the_exact_jacobian():
    rng = np.random.default_rng(3)
    n = 40
    params, k = random_reps(rng, n)
    lo, hi = PLAN_LOW, PLAN_HIGH
    rows = [S.OUTCOME_FIELDS.index(f) for f in S.SECOND_ORDER_FIELDS]
    checked = 0
    for _ in range(4):
        lev = lo + rng.uniform(0, 1, 6) * (hi - lo)
        y, jac, hess = S.batch_value_jacobian_hessian(jnp.tile(jnp.asarray(lev), (n, 1)), params, k)
        y0, jac0 = S.batch_value_and_jacobian(jnp.tile(jnp.asarray(lev), (n, 1)), params, k)
        np.testing.assert_allclose(np.asarray(y), np.asarray(y0), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(jac), np.asarray(jac0), rtol=1e-9, atol=1e-12)
        hess = np.asarray(hess)
        # Levers differ by 10 orders of magnitude (USD vs fractions): compare entries scaled to
        # the lever ranges, relative to each outcome's largest curvature over reps and levers.
        scaled = hess * np.outer(hi - lo, hi - lo)[None, None]
        size = np.max(np.abs(scaled), axis=(0, 2, 3))[None, :, None]  # per outcome
        for j in range(6):
            step = 1e-6 * (hi[j] - lo[j])
            d = np.zeros(6)
            d[j] = step
            _, jp = S.batch_value_and_jacobian(jnp.tile(jnp.asarray(lev + d), (n, 1)), params, k)
            _, jm = S.batch_value_and_jacobian(jnp.tile(jnp.asarray(lev - d), (n, 1)), params, k)
            fd = (np.asarray(jp)[:, rows, :] - np.asarray(jm)[:, rows, :]) / (2 * step)  # (n, 3, 6)
            err = np.abs(fd - hess[:, :, :, j]) * (hi - lo)[None, None, :] * (hi[j] - lo[j]) / size
            assert float(np.max(err)) < 1e-4, (j, float(np.max(err)))
            checked += fd.size
    assert checked == 4 * 6 * n * 3 * 6


def test_two_mode_kernel_composes_the_general_kernels_derivatives():
    """``two_mode_derivatives_at`` differentiates each stationary point (two modes, the valley)
    on its own and composes the mixture by the chain rule; the reference differentiates the
    whole mixture by forward mode (``jacobian_at``, and ``hessian_at``: forward over forward).
    Two independent constructions of the same derivatives must agree on every rep, those with
    two modes included (the behaviour ranges of ``tests.unit.reps``: many at these plans)."""
    rng = np.random.default_rng(3)
    n = 40
    params, k = random_reps(rng, n)
    two_mode = 0
    for _ in range(4):
        lev = jnp.tile(jnp.asarray(PLAN_LOW + rng.uniform(0, 1, 6) * (PLAN_HIGH - PLAN_LOW)), (n, 1))
        located = S.batch_locate(lev, params)
        y_ref, jac_ref = (np.asarray(a) for a in S.jacobian_at(lev, params, k, *located))
        hess_ref = np.asarray(S.hessian_at(lev, params, k, *located))
        y, jac, hess = (np.asarray(a) for a in S.two_mode_derivatives_at(lev, params, k, *located))
        np.testing.assert_allclose(y, y_ref, rtol=1e-13, atol=1e-13)
        jac_scale = np.max(np.abs(jac_ref), axis=(0, 1))[None, None, :]  # per lever
        assert float(np.max(np.abs(jac - jac_ref) / jac_scale)) <= 1e-12
        scale = np.max(np.abs(hess_ref), axis=(0, 2, 3))[None, :, None, None]  # per outcome
        assert float(np.max(np.abs(hess - hess_ref) / scale)) <= 1e-9
        two_mode += int(np.sum(np.asarray(located[1])[:, 1]))
    assert two_mode > 0


def _lagrangian_fd(fun: ScaledProblem, z: np.ndarray, lam: np.ndarray, h: float = 1e-5) -> np.ndarray:
    out = np.zeros((z.size, z.size))
    for i in range(z.size):
        up, down = z.copy(), z.copy()
        up[i] += h
        down[i] -= h
        _, g1, _, j1 = fun(up)
        _, g0, _, j0 = fun(down)
        out[:, i] = ((g1 + j1.T @ lam) - (g0 + j0.T @ lam)) / (2 * h)
    return 0.5 * (out + out.T)


def _multi_role(objective: ObjectiveKind):
    # 4 roles x 2 groups, every constraint kind with an exact Hessian (CoS ratio, OTE band,
    # base-share ratio, per-cell equity-gap ratios, attrition, adjusted-gap ratio).
    p = synthetic(44, ["A", "B", "C", "D"], seed=5)
    c = dataclasses.replace(p.constraints, max_adjusted_equity_gap=0.05)
    return dataclasses.replace(p, constraints=c, objective=Objective(objective, 0.6))


@pytest.mark.parametrize(
    "problem",
    [demo_problem(), _multi_role(ObjectiveKind.PROFIT), _multi_role(ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT)],
    ids=["demo", "multi-role-profit", "multi-role-quota-weighted"],
)
def test_lagrangian_hessian_matches_differences_of_the_exact_gradient(problem):
    fun = ScaledProblem(problem)
    kinds = {s.kind for s in fun.specs}
    rng = np.random.default_rng(11)
    for _ in range(2):
        z = rng.uniform(0.2, 0.8, fun.space.n)
        _, _, c, _ = fun(z)
        lam = rng.uniform(0.0, 2.0, c.size)
        exact = fun.hessian(z, lam)
        fd = _lagrangian_fd(fun, z, lam)
        scale = float(np.max(np.abs(fd)))
        assert float(np.max(np.abs(exact - fd))) <= 1e-4 * scale, float(np.max(np.abs(exact - fd))) / scale
        # The objective alone (phase 1 uses objective_weight=0: constraints only).
        only_c = fun.hessian(z, lam, objective_weight=0.0)
        only_f = fun.hessian(z, np.zeros_like(lam))
        np.testing.assert_allclose(only_c + only_f, exact, rtol=1e-10, atol=1e-12 * scale)
    if problem.roster.size > 45:
        assert {"cost_of_sales", "ote", "base_share", "equity_gap", "attrition", "adjusted_equity_gap"} <= kinds


def test_convexify_keeps_eigenvectors_and_flips_negative_curvature():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    w = np.array([-3.0, -1e-9, 0.5, 2.0, 10.0])
    h = convexified = sqp.convexify((q * w) @ q.T)
    assert convexified is not None
    expected = (q * np.array([3.0, 1e-5, 0.5, 2.0, 10.0])) @ q.T  # floor 1e-6 x largest
    np.testing.assert_allclose(h, expected, atol=1e-12)
    assert sqp.convexify(np.full((2, 2), np.nan)) is None


def test_exact_hessian_sqp_reaches_the_bfgs_optimum_in_fewer_iterations():
    p = demo_problem()
    options = SolveOptions(num_starts=2, seed=0, time_limit_s=120)
    exact = optimize(p, dataclasses.replace(options, hessian="exact"))
    bfgs = optimize(p, dataclasses.replace(options, hessian="bfgs"))
    assert exact.termination.value == bfgs.termination.value == "LOCALLY_OPTIMAL"
    assert exact.evaluation.objective == pytest.approx(bfgs.evaluation.objective, rel=1e-6)
    assert exact.iterations < bfgs.iterations


def test_single_mode_kernels_give_the_general_kernels_derivatives():
    """The model runs reps with one effort mode through ``single_mode_jacobian_at`` and
    ``single_mode_derivatives_at`` and the rest through ``two_mode_derivatives_at``. On a
    roster where many reps have two modes (the behaviour ranges of ``tests.unit.reps``), at
    random plans, every rep's outcomes, Jacobians and Hessians must equal the general kernels'
    (the reference: ``jacobian_at`` on every chunk, ``hessian_at`` on every block: forward mode
    through the whole mixture, with no per-kind shortcut)."""
    from planopt.solvers.model import TWO_MODE_BLOCK, PlanModel

    rng = np.random.default_rng(7)
    model = PlanModel(demo_problem(_mixed_roster(100, rng)))
    assert not model.speculative  # one 192-rep chunk: the separate kernels
    rows = np.arange(model.n)
    both = 0
    for _ in range(3):
        levers = (PLAN_LOW + rng.uniform(0, 1, 6) * (PLAN_HIGH - PLAN_LOW))[None, :]
        got = model.rep_hessians(levers, rows)
        lev, modes, exists = model._located_arrays(levers)
        ref = np.concatenate(
            [
                np.asarray(S.hessian_at(lev_b, params, model.constants, *extra))[:real]
                for _, real, lev_b, params, extra in model._rep_blocks(lev, rows, TWO_MODE_BLOCK, modes, exists)
            ]
        )
        scale = np.max(np.abs(ref), axis=(0, 2, 3))[None, :, None, None]  # per outcome
        assert float(np.max(np.abs(got - ref) / scale)) <= 1e-9
        model._first_order = ()
        y, jac = model.rep_outcomes(levers)
        y_ref, jac_ref = (a[: model.n] for a in model._kernel(S.jacobian_at, levers))
        np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
        jac_scale = np.max(np.abs(jac_ref), axis=(0, 1))[None, None, :]  # per lever
        assert float(np.max(np.abs(jac - jac_ref) / jac_scale)) <= 1e-12
        both += int(np.sum(exists[: model.n, 1]))
    assert 0 < both < 3 * model.n  # both kernels were exercised


def _mixed_roster(n: int, rng: np.random.Generator) -> dict:
    """The demo team's columns repeated to ``n`` reps, with behaviour drawn over ranges where
    many reps have two effort modes at random plans."""
    from planopt.client import demo

    base = demo.demo_roster()
    cols = {key: [v[i % demo.N_REPS] for i in range(n)] for key, v in base.items()}
    cols["rep_id"] = [f"m{i}" for i in range(n)]
    cols["baseline_attainment"] = list(rng.uniform(0.1, 1.2, n))
    cols["noise_sd"] = list(rng.uniform(0.1, 0.3, n))
    cols["effort_productivity"] = [1.0] * n
    cols["effort_cost_usd"] = list(rng.uniform(2e5, 6e5, n))
    cols["risk_aversion_per_usd"] = list(rng.uniform(0.0, 2e-5, n))
    cols["outside_option_usd"] = list(rng.uniform(9e4, 1.5e5, n))
    return cols


@pytest.mark.parametrize("reps", [90, 150])
def test_speculative_second_order_equals_the_separate_kernels(reps):
    """A roster of at most two 48-rep chunks is ``speculative``, and one of up to
    ``SCAN_MAX_REPS`` (150 reps: one 192-rep chunk) has ``first_order_hessians``: each
    first-order evaluation computes the per-rep Hessians too (``single_mode_derivatives_at`` on
    the chunks, plus the two-mode kernel for two-mode reps), and
    ``rep_derivatives`` at that point reuses them. The
    reference is the same model with both off (``single_mode_jacobian_at`` then
    ``rep_hessians`` on blocks, themselves checked against the general kernels above and
    against differences of the exact Jacobian): outcomes, Jacobians and every cell moment must
    agree, at random plans where some reps have two modes."""
    from planopt.solvers.model import PlanModel

    rng = np.random.default_rng(11)
    problem = demo_problem(_mixed_roster(reps, rng))
    model, reference = PlanModel(problem), PlanModel(problem, first_order_hessians=False)
    assert model.first_order_hessians
    assert (model.speculative, model.chunks) == ((True, (48, 48)) if reps == 90 else (False, (192,)))
    two_mode = 0
    for _ in range(3):
        levers = (PLAN_LOW + rng.uniform(0, 1, 6) * (PLAN_HIGH - PLAN_LOW))[None, :]
        got, ref = model.rep_derivatives(levers), reference.rep_derivatives(levers)
        assert model._first_order_hessians_at(levers) is not None  # reused, not recomputed
        assert reference._first_order_hessians_at(levers) is None
        np.testing.assert_allclose(got.y, ref.y, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got.jac, ref.jac, rtol=1e-12, atol=1e-9)
        for name in ("plain", "quota", "pay_forms"):
            a, b = getattr(got.moments, name), getattr(ref.moments, name)
            assert a.shape == b.shape
            assert float(np.max(np.abs(a - b), initial=0.0)) <= 1e-9 * float(np.max(np.abs(b), initial=1.0))
        two_mode += int(np.sum(model._located_arrays(levers)[2][: model.n, 1]))
    assert two_mode > 0  # the two-mode kernel's path was exercised too


@pytest.mark.parametrize("ti_scale", [0.05, 1.0, 8.0])
def test_directional_second_order_equals_forward_over_forward(ti_scale):
    """The single-mode kernel's derivatives (``_lever_derivatives``: second derivatives along
    fixed directions, each lever and each pair, mixed entries from differences, in the levers'
    natural units) against forward over forward on the same outcome function (``_lever_jacobian``
    and ``_lever_hessians``: an independent construction of the same derivatives), at random
    plans, including target incentives far from the natural unit (2,000 to 1,040,000 USD),
    where the differences lose the most digits. Hessians to 1e-9 of each outcome's largest
    entry in the levers' range units; outcomes and Jacobians to round-off."""
    import functools

    import jax

    rng = np.random.default_rng(21)
    n = 48
    params, k = random_reps(rng, n)

    @jax.jit
    def reference(lev, p, mode):
        def one(lv, pp, m):
            outcomes = functools.partial(S._single_mode_outcomes, p=pp, k=k, mode=m)
            y, jac = S._lever_jacobian(outcomes, lv)
            return y, jac, S._lever_hessians(outcomes, lv, k)

        return jax.vmap(one)(lev, p, mode)

    width = (PLAN_HIGH - PLAN_LOW) * np.where(np.arange(6) == 1, ti_scale, 1.0)
    for _ in range(3):
        lev = PLAN_LOW + rng.uniform(0, 1, 6) * (PLAN_HIGH - PLAN_LOW)
        lev[1] *= ti_scale
        levs = jnp.tile(jnp.asarray(lev), (n, 1))
        modes, _ = S.batch_locate(levs, params)
        y, jac, hess = (np.asarray(a) for a in S.single_mode_derivatives_at(levs, params, k, modes))
        y0, jac0, hess0 = (np.asarray(a) for a in reference(levs, params, modes[:, 0]))
        np.testing.assert_allclose(y, y0, rtol=1e-12, atol=1e-12)
        jac_scale = np.max(np.abs(jac0 * width), axis=(0, 2))[None, :, None]  # per outcome
        assert float(np.max(np.abs(jac - jac0) * width / np.maximum(jac_scale, 1e-300))) <= 1e-12
        box = np.outer(width, width)[None, None]
        size = np.max(np.abs(hess0 * box), axis=(0, 2, 3))[None, :, None, None]  # per outcome
        assert float(np.max(np.abs(hess - hess0) * box / size)) <= 1e-9  # measured: <= 1.5e-11
