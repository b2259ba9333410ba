"""Surface kernels run on fixed chunk shapes: every roster size reuses three compiled shapes."""

import dataclasses

import numpy as np
import pytest
from planopt.client import demo
from planopt.server.app import DEFAULT_WARM_BUCKETS
from planopt.solvers import model as M
from planopt.solvers import surface as S
from planopt.solvers.model import HESSIAN_BLOCK, SURFACE_CHUNKS, PlanModel, chunk_plan
from planopt.solvers.problem import CostOfSalesRisk, Objective, ObjectiveKind, demo_problem


def test_chunk_plan_covers_every_roster_with_bounded_padding():
    big, small, tiny = SURFACE_CHUNKS
    for n in range(1, 5000):
        plan = chunk_plan(n)
        assert set(plan) <= set(SURFACE_CHUNKS)
        assert list(plan) == sorted(plan, reverse=True)
        padding = sum(plan) - n
        assert 0 <= padding < big - 3 * small  # at most 447 reps of padding
        assert plan.count(tiny) <= 2 and plan.count(small) <= 5
    assert chunk_plan(45) == (tiny,)
    assert chunk_plan(1000) == (big,)
    assert chunk_plan(100) == (small,)


def test_default_warm_up_compiles_every_chunk_shape():
    assert {c for b in DEFAULT_WARM_BUCKETS for c in chunk_plan(b)} == set(SURFACE_CHUNKS)


def _roster(n: int) -> dict:  # type: ignore[type-arg]
    base = demo.demo_roster()
    cols = {k: [v[i % demo.N_REPS] for i in range(n)] for k, v in base.items()}
    cols["rep_id"] = [f"x{i}" for i in range(n)]
    return cols


def test_chunked_outcomes_equal_the_single_roster_outcomes_and_compile_nothing_new():
    # Reps are independent given the plan, so a roster of 96 (two 48-chunks) that repeats the
    # demo reps must give each copy the demo rep's outcomes (the reference is the 45-rep model).
    small = demo_problem()
    ref = PlanModel(small).evaluate(small.template.value, with_jacobian=False).rep
    PlanModel(small).rep_derivatives(small.template.value)
    PlanModel(small).evaluate(small.template.value)
    compiled = S.compiled_shapes()
    for n in (5, 47, 50, 96):  # chunk plans (48,) and (48, 48)
        p = demo_problem(_roster(n))
        model = PlanModel(p)
        rep = model.evaluate(p.template.value, with_jacobian=False).rep
        for field in ("attainment", "pay", "attrition", "effort"):
            expected = np.asarray(ref[field])[np.arange(n) % demo.N_REPS]
            np.testing.assert_allclose(rep[field], expected, rtol=1e-12, atol=1e-12)
        model.evaluate(p.template.value)
        model.rep_derivatives(p.template.value)
    assert S.compiled_shapes() == compiled


def test_second_order_blocks_line_up_with_the_reps_in_a_1024_chunk():
    """The second-order kernel runs on ``HESSIAN_BLOCK``-rep blocks, the last one padded by
    repeating its last rep. Each copy of a demo rep must get the demo rep's Hessian (the
    reference: the 45-rep model, one block), including the reps of the padded last block, and
    the sampled form (``rows``) must give the same Hessians for the rows it asks for."""
    n = 1020  # with 192-rep blocks: 5 full ones, sorted positions 960-1,019 in the padded last one
    full = n // HESSIAN_BLOCK * HESSIAN_BLOCK
    assert 0 < n - full < HESSIAN_BLOCK
    problem = demo_problem(_roster(n))
    model = PlanModel(problem)
    assert model.chunks == (1024,) and model.hessian_block == HESSIAN_BLOCK
    lev = problem.template.value
    second = model.rep_hessians(lev, np.arange(n))
    assert second.shape == (n, 3, 6, 6)
    small = demo_problem()
    ref = PlanModel(small)
    ref_hess = ref.rep_hessians(small.template.value, np.arange(demo.N_REPS))
    # rep i of the big roster is demo rep i % 45; both models sort by cell (one role, groups)
    big_rep = np.empty(n, dtype=int)
    big_rep[model.order] = np.arange(n)
    small_rep = np.empty(demo.N_REPS, dtype=int)
    small_rep[ref.order] = np.arange(demo.N_REPS)
    in_last_block = [int(i) for i in np.flatnonzero(big_rep >= full)]
    assert len(in_last_block) == n - full
    for i in [0, 1, 44, 500, *in_last_block[:: max(1, len(in_last_block) // 12)], in_last_block[-1]]:
        np.testing.assert_allclose(second[big_rep[i]], ref_hess[small_rep[i % demo.N_REPS]], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.rep_hessians(lev, np.array([3, 700, 1019])), second[[3, 700, 1019]], rtol=1e-12)


def test_hessian_moments_are_the_weighted_cell_sums_of_the_per_rep_hessians():
    """``rep_derivatives`` sums per-rep Hessians into cell moments in buffers of reps; the
    reference sums the per-rep Hessians (``rep_hessians``) cell by cell with ``np.add.at``, here
    over several buffers (a small buffer) and with a sample's weights."""
    problem = demo_problem(_roster(300))
    model = PlanModel(problem)
    lev = problem.template.value
    per_rep = model.rep_hessians(lev, np.arange(model.n))
    q = model.quota_sorted
    saved = M.HESSIAN_BUFFER
    try:
        M.HESSIAN_BUFFER = 64  # 5 buffers, cells straddling them
        for sample in (None, model.hessian_sample(7)):
            rows = np.arange(model.n) if sample is None else sample.rows
            weight = np.ones(model.n) if sample is None else sample.weight
            got = model.rep_derivatives(lev, sample)
            assert got.sampled == rows.size
            h = per_rep[rows] * weight[:, None, None, None]
            plain = np.zeros_like(got.moments.plain)
            quota = np.zeros_like(got.moments.quota)
            np.add.at(plain, model.cell_of[rows], h)
            np.add.at(quota, model.cell_of[rows], h * q[rows, None, None, None])
            np.testing.assert_allclose(got.moments.plain, plain, rtol=1e-12, atol=0)
            np.testing.assert_allclose(got.moments.quota, quota, rtol=1e-12, atol=0)
            assert got.moments.pay_forms.shape == (0, model.cell_ids.size, 6, 6)
    finally:
        M.HESSIAN_BUFFER = saved


def test_the_optimisers_lean_evaluation_equals_the_full_one():
    """``evaluate(report=False)`` (every SQP trial) skips the report-only outputs (quartiles,
    per-role and per-rep outcomes) and must give bit-for-bit the objective, constraint values
    and gradients of the full evaluation — the SQP's iterates may not depend on it."""
    problem = demo_problem()
    model = PlanModel(problem)
    for shift in (0.0, 0.05):
        lev = problem.template.value * (1.0 + shift)
        full = model.evaluate(lev)
        model._first_order = ()  # the kernels again, not the last points' arrays
        lean = model.evaluate(lev, report=False)
        assert lean.objective == full.objective
        for a, b in ((lean.objective_grad, full.objective_grad), (lean.values, full.values), (lean.jac, full.jac)):
            np.testing.assert_array_equal(a, b)
        assert lean.rep == {} and lean.role_metrics == {}
        assert {k: full.metrics[k] for k in lean.metrics} == lean.metrics
        assert "top_quartile_attainment" in full.metrics and full.rep["pay"].shape == (problem.roster.size,)


@pytest.mark.parametrize("kind", list(ObjectiveKind))
def test_the_value_only_assembly_equals_the_full_ones_values(kind):
    """``evaluate(with_jacobian=False)`` (EvaluatePlan, reports) assembles without any gradient
    (``_assemble_values``) and must give, from the same per-rep outcomes, bit for bit the
    metrics and constraint values of the full assembly, for every objective and with every
    constraint kind active (equity gaps, adjusted gap, attrition, OTE, the simulated risk
    measure); its gradients are zeros. Through ``evaluate``, the value kernel's per-rep outcomes
    may differ from the Jacobian kernel's in the last bit, so there the check is to 1e-12."""
    p = demo_problem()
    constraints = dataclasses.replace(
        p.constraints,
        max_equity_gap=0.05,
        max_adjusted_equity_gap=0.05,
        max_attrition=0.2,
        cost_of_sales_risk=CostOfSalesRisk(max=0.2, draws=200, seed=3),
    )
    problem = dataclasses.replace(p, constraints=constraints, objective=Objective(kind, gross_margin=0.6))
    model = PlanModel(problem)
    kinds = {s.kind for s in model.specs}
    assert {"equity_gap", "adjusted_equity_gap", "attrition", "cost_of_sales_risk", "ote"} <= kinds
    for shift in (0.0, 0.05):
        lev = problem.template.value * (1.0 + shift)
        y, jy = model.rep_outcomes(lev)
        full = model._assemble(lev[None], y[None], jy[None], True)
        lean = model._assemble(lev[None], y[None], jy[None], False)
        assert list(lean.metrics) == list(full.metrics)
        for name in full.metrics:
            np.testing.assert_array_equal(lean.metrics[name], full.metrics[name])
        np.testing.assert_array_equal(lean.values, full.values)
        np.testing.assert_array_equal(lean.role_sum, full.role_sum)
        assert not lean.objective_grad.any() and not lean.jac.any()
        # end to end: the report too
        whole = model.evaluate(lev)
        model._first_order = ()  # the value kernel, not the outcomes just cached
        values_only = model.evaluate(lev, with_jacobian=False)
        assert list(values_only.metrics) == list(whole.metrics)
        for name, value in whole.metrics.items():
            assert values_only.metrics[name] == pytest.approx(value, rel=1e-12, abs=1e-15)
        np.testing.assert_allclose(values_only.values, whole.values, rtol=1e-12, atol=1e-15)
        assert values_only.role_metrics.keys() == whole.role_metrics.keys()
        for name, col in whole.rep.items():
            np.testing.assert_allclose(values_only.rep[name], col, rtol=1e-12, atol=1e-15)


def test_a_value_only_evaluation_at_a_cached_point_takes_the_cached_outcomes(monkeypatch):
    """The optimiser's final plan was evaluated with derivatives on the way (cached), so its
    value-only evaluation (``finish``) takes those outcomes instead of running the value kernel;
    they must equal the value kernel's to round-off (the two kernels are different programs)."""
    problem = demo_problem()
    model = PlanModel(problem)
    lev = problem.template.value * 1.03
    cold = model.evaluate(lev, with_jacobian=False)  # nothing cached at lev: the value kernel
    model.evaluate(lev)  # with derivatives: lev's first order is cached now
    calls = []
    kernel = model._kernel
    monkeypatch.setattr(model, "_kernel", lambda *a: calls.append(a) or kernel(*a))
    warm = model.evaluate(lev, with_jacobian=False)
    assert calls == []
    for name, value in cold.metrics.items():
        assert warm.metrics[name] == pytest.approx(value, rel=1e-12, abs=1e-15)
    for name, col in cold.rep.items():
        np.testing.assert_allclose(warm.rep[name], col, rtol=1e-12, atol=1e-15)
    model.evaluate(lev * 1.01, with_jacobian=False)  # not cached: the kernel runs
    assert len(calls) == 1


def test_a_block_roster_warms_the_first_order_kernel_of_large_rosters_on_its_chunks():
    """A roster up to ``SCAN_MAX_REPS`` computes its first order with the second-order kernel
    (``first_order_hessians``); a roster over it runs the first-order kernel alone on the same
    chunk shapes, and the server's warm-up compiles each chunk size on one roster of that size.
    So ``compile_kernels`` of the former must compile the latter's kernel too: a model of the
    same chunks with large-roster blocks then compiles nothing for its first order."""
    problem = demo_problem(_roster(100))
    model = PlanModel(problem)
    assert model.chunks == (192,) and model.first_order_hessians and not model.speculative
    model.compile_kernels(scan=False)
    compiled = S.compiled_shapes()
    large = PlanModel(problem, hessian_block=M.LARGE_HESSIAN_BLOCK)  # as the warm-up builds L's
    assert not large.first_order_hessians
    large.evaluate(problem.template.value)
    assert S.compiled_shapes() == compiled


def test_chunks_on_threads_give_one_threads_numbers(monkeypatch):
    """``set_chunk_threads``: a roster of several chunks has its modes located and its first order
    computed on the chunk threads, chunk by chunk as on the calling thread, so to the same bits."""
    import threading

    p = demo_problem(_roster(96))  # two 48-rep chunks
    assert len(PlanModel(p)._chunk_slices) == 2
    levers = np.asarray(p.template.value, dtype=float)
    threads: set[str] = set()
    locate = M.batch_locate

    def spy(*args):  # type: ignore[no-untyped-def]
        threads.add(threading.current_thread().name)
        return locate(*args)

    monkeypatch.setattr(M, "batch_locate", spy)
    alone = PlanModel(p)
    y1, j1 = alone.rep_outcomes(levers)
    assert threads == {threading.current_thread().name}
    threads.clear()
    try:
        M.set_chunk_threads(2)
        spread = PlanModel(p)
        y2, j2 = spread.rep_outcomes(levers)
        m2 = spread._located_arrays(levers)
    finally:
        M.set_chunk_threads(1)
    assert threads and all(name.startswith("planopt-chunk") for name in threads)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(j1, j2)
    for a, b in zip(alone._located_arrays(levers), m2, strict=True):
        np.testing.assert_array_equal(a, b)
