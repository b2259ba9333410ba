"""The sampled curvature model (``PlanModel.hessian_sample``) for large rosters.

Gradients and constraints always sum every rep; only the SQP's Hessian model sums a stratified
sample of per-rep Hessians, each weighted by the reps it stands for. Checked here: the sample's
bookkeeping (every cell, weights that count its reps, spread over the attainment order), the
weighted sum is exact where it must be (every rep of a cell identical: hand calculation
``N * H = (N / k) * k * H``), growth ends at the exact model, and an SQP on a sampled model
still ends at a KKT point certified independently (NNLS multipliers, as in test_optimize.py).
"""

import dataclasses
import itertools

import numpy as np
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import ScaledProblem, optimize
from planopt.solvers.problem import SolveOptions, Termination, demo_problem

from bench.instances import synthetic
from tests.unit.test_optimize import independent_kkt


def test_sample_takes_every_cell_and_its_weights_count_the_cell():
    model = PlanModel(synthetic(300, ["A", "B"], seed=3))
    assert model.hessian_sample(int(model.cell_count.max())) is None  # no cell to sample: exact
    sample = model.hessian_sample(8)
    assert sample is not None
    assert np.all(np.diff(sample.rows) > 0)  # ascending, no repeats
    mu = model.params.mu[: model.n]
    for start, count in zip(model.cell_starts, model.cell_count.astype(int), strict=True):
        inside = (sample.rows >= start) & (sample.rows < start + count)
        assert inside.sum() == min(8, count)
        assert np.isclose(sample.weight[inside].sum(), count)  # the sample stands for the cell
        # one rep per eighth of the cell's baseline-attainment order
        ranks = np.argsort(np.argsort(mu[start : start + count], kind="stable"), kind="stable")
        picked = np.sort(ranks[sample.rows[inside] - start])
        assert np.all(picked // (count / 8) == np.arange(8))


def _identical_reps(n: int):
    """The demo roster with every rep a copy of rep 0 (one role, one equity group)."""
    p = demo_problem()
    r = p.roster
    copies = {
        f.name: np.full(n, getattr(r, f.name)[0])
        for f in dataclasses.fields(r)
        if isinstance(getattr(r, f.name), np.ndarray)
    }
    roster = dataclasses.replace(
        r,
        rep_id=tuple(f"c{i}" for i in range(n)),
        role=(r.role[0],) * n,
        equity_group=("",) * n,
        **copies,
    )
    return dataclasses.replace(p, roster=roster)


def test_sampled_hessian_equals_the_exact_one_when_a_cells_reps_are_identical():
    problem = _identical_reps(45)
    exact, sampled = ScaledProblem(problem), ScaledProblem(problem, hessian_sample_per_cell=5)
    assert exact.sample is None and sampled.sample is not None and sampled.sample.rows.size == 5
    rng = np.random.default_rng(2)
    for _ in range(2):
        z = rng.uniform(0.2, 0.8, exact.space.n)
        _, _, c, _ = exact(z)
        lam = rng.uniform(0.0, 2.0, c.size)
        h, hs = exact.hessian(z, lam), sampled.hessian(z, lam)
        np.testing.assert_allclose(hs, h, rtol=1e-9, atol=1e-12 * float(np.max(np.abs(h))))


def test_refining_grows_the_sample_until_it_is_the_exact_model():
    fun = ScaledProblem(synthetic(300, ["A", "B"], seed=3), hessian_sample_per_cell=4)
    sizes = [fun.sample.rows.size]
    while fun.refine_curvature():
        sizes.append(0 if fun.sample is None else fun.sample.rows.size)
    assert sizes[0] == 4 * fun.model.cell_ids.size and sizes[-1] == 0  # ... then every rep
    assert all(a < b for a, b in itertools.pairwise(sizes[:-1]))
    assert not fun.refine_curvature()


def test_an_sqp_on_a_sampled_curvature_model_ends_at_a_certified_kkt_point():
    problem = synthetic(200, ["A", "B"], seed=7)
    sol = optimize(problem, SolveOptions(num_starts=1, seed=0, time_limit_s=120, hessian_sample_per_cell=3))
    assert sol.termination is Termination.LOCALLY_OPTIMAL, sol.detail
    assert sol.max_violation <= 1e-6 and sol.kkt_residual <= 1e-5
    fun = ScaledProblem(problem)
    assert independent_kkt(fun, fun.space.to_z(sol.levers)) <= 1e-4
