"""The lever scan (``solvers/scan.py``): pricing many plans from cell sums, the per-role best
moves, and the better optimum it leads the solve to.

Independent references:
* plan values: computed here by hand from each plan's per-rep outcomes (the ordinary
  one-plan evaluation path, roster order) and, for the adjusted gap, by the audit's OLS fit;
* best moves: a brute force over every single-lever move on the grid, each priced by the
  ordinary ``ScaledProblem`` evaluation;
* the optimum the scan leads to: SciPy SLSQP from the same start (it stops lower), SLSQP
  started at our optimum (it finds nothing better) and an NNLS KKT check.
"""

import dataclasses
import time

import numpy as np
import pytest
from planopt.solvers import scan
from planopt.solvers.audit import audit
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import ScaledProblem, optimize
from planopt.solvers.problem import ObjectiveKind, SolveOptions

from bench.instances import synthetic
from bench.solvers import run_slsqp
from tests.unit.test_hessian import _multi_role
from tests.unit.test_optimize import independent_kkt


def _by_hand(p, model, levers):
    """Objective and constraint values from the plan's per-rep outcomes (roster order)."""
    rep = model.evaluate(levers, with_jacobian=False).rep
    r = p.roster
    att, pay, leave = rep["attainment"], rep["pay"], rep["attrition"]
    q = r.quota_usd
    role, group = np.asarray(r.role), np.asarray(r.equity_group)
    rev = float(q @ att)
    objective = {
        ObjectiveKind.ATTAINMENT: att.mean(),
        ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT: rev / q.sum(),
        ObjectiveKind.REVENUE: rev,
        ObjectiveKind.PROFIT: p.objective.gross_margin * rev - pay.sum(),
    }[p.objective.kind]
    gaps = {g.group: g.adjusted_pay_gap for g in audit(pay, att, r.role, q, r.equity_group, 0.05).gaps}
    values = []
    for spec in model.specs:
        i = model.roles.index(spec.role) if spec.role else -1
        b, ti = levers[i, 0], levers[i, 1]
        if spec.kind == "cost_of_sales":
            values.append(pay.sum() / rev)
        elif spec.kind == "attrition":
            values.append(leave.mean())
        elif spec.kind == "ote":
            values.append(b + ti)
        elif spec.kind == "base_share":
            values.append(b / (b + ti))
        elif spec.kind == "equity_gap":
            in_role = role == spec.role
            values.append(pay[in_role & (group == spec.group)].mean() / pay[in_role].mean() - 1.0)
        elif spec.kind == "adjusted_equity_gap":
            values.append(gaps[spec.group])
        else:
            raise AssertionError(spec.kind)
    return objective, np.array(values)


@pytest.mark.parametrize("objective", [ObjectiveKind.PROFIT, ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT])
def test_batched_plan_values_match_a_hand_computation_from_each_plans_outcomes(objective):
    p = _multi_role(objective)
    model = PlanModel(p)
    fun = ScaledProblem(p, model)
    assert {"cost_of_sales", "ote", "base_share", "equity_gap", "attrition", "adjusted_equity_gap"} <= {
        s.kind for s in model.specs
    }
    rng = np.random.default_rng(3)
    plans = np.stack([fun.space.levers(rng.uniform(0.0, 1.0, fun.space.n)) for _ in range(5)])
    objective_b, values_b = model.values_from_stats(model.cell_stats(model.batch_values(plans)), plans)
    for k, levers in enumerate(plans):
        objective_h, values_h = _by_hand(p, model, levers)
        assert objective_b[k] == pytest.approx(objective_h, rel=1e-10)
        np.testing.assert_allclose(values_b[k], values_h, rtol=1e-9, atol=1e-12)


def test_best_moves_are_the_brute_force_best_single_lever_moves():
    p = _multi_role(ObjectiveKind.PROFIT)
    fun = ScaledProblem(p)
    rng = np.random.default_rng(8)
    z = rng.uniform(0.2, 0.8, fun.space.n)
    _, _, c, _ = fun(z)
    lam = rng.uniform(0.0, 2.0, c.size)

    def lagrangian(zz):
        f, _, cc, _ = fun(zz)
        return f + lam @ cc

    base = lagrangian(z)
    position, value, gain = scan.best_moves(fun, z, lam)
    roles = len(p.template.roles)
    for r in range(roles):
        best = (-np.inf, -1, 0.0)
        for i in np.flatnonzero(fun.space.idx // 6 == r):
            for v in np.linspace(0.0, 1.0, scan.SCAN_POINTS):
                zz = z.copy()
                zz[i] = v
                g = base - lagrangian(zz)
                if g > best[0]:
                    best = (g, i, v)
        assert gain[r] == pytest.approx(best[0], rel=1e-8, abs=1e-10)
        assert (position[r], value[r]) == (best[1], best[2])
    # applied to one role at a time, a move lowers the Lagrangian by what it predicted (the
    # ordinary evaluation of the moved plan)
    for r in range(roles):
        zz = z.copy()
        zz[position[r]] = value[r]
        assert base - lagrangian(zz) == pytest.approx(gain[r], rel=1e-8, abs=1e-10)


def test_the_scan_leads_to_a_better_certified_optimum_than_the_start_reaches_and_slsqp_does_not_beat_it():
    # 180 reps, 4 roles: from the current plan both our SQP and SLSQP stop at an optimum ~2e-4
    # below the one the scan leads to (single roles' levers in other basins)
    p = synthetic(180, [f"R{r}" for r in range(4)], seed=3)
    model = PlanModel(p)
    model.compile_kernels()
    options = SolveOptions(num_starts=1, time_limit_s=300)  # the one start: the current plan
    plain = optimize(p, dataclasses.replace(options, lever_scan=False), model=model)
    scanned = optimize(p, options, model=model)
    assert plain.termination.value == scanned.termination.value == "LOCALLY_OPTIMAL"
    assert "lever scan then moved it" in scanned.detail
    assert scanned.evaluation.objective >= plain.evaluation.objective + 1e-4
    fun = ScaledProblem(p, model)
    z = fun.space.to_z(scanned.levers)
    assert scanned.max_violation <= 1e-6
    assert independent_kkt(fun, z) <= 1e-4

    # SciPy SLSQP from z0 (bench.solvers' peer runner, on its peers' first-order model): its
    # objective, -inf if infeasible. Which basin SLSQP lands in from the current plan turns on
    # round-off: the scan's optimum or the ~2e-4 worse one, depending on the last bits of the
    # two-mode reps' Jacobians (session 21 and 22 each saw it flip, once with the test run
    # alone but not in the whole suite). So the peer from the same start is asserted not to
    # beat ours, not to land lower.
    peer = ScaledProblem(p, PlanModel(p, first_order_hessians=False))

    def slsqp(z0):
        f, _, _ = run_slsqp(peer, [z0])
        return -f * peer.obj_scale

    assert scanned.evaluation.objective >= slsqp(fun.space.to_z(p.template.value)) - 1e-7
    # SLSQP from our optimum: no better point nearby
    assert slsqp(z) <= scanned.evaluation.objective + 1e-7


def test_a_deadline_too_short_for_the_scan_skips_it_and_says_so():
    p = synthetic(180, [f"R{r}" for r in range(4)], seed=3)
    model = PlanModel(p)
    model.compile_kernels()
    full = optimize(p, SolveOptions(num_starts=4, seed=0, time_limit_s=300), model=model)
    starts_only = optimize(p, SolveOptions(num_starts=4, seed=0, time_limit_s=300, lever_scan=False), model=model)
    # the time the starts took, plus a little: the scan and its re-solve (about one start) do not fit
    limit = starts_only.elapsed_s * 1.05 + 0.01
    t0 = time.monotonic()
    limited = optimize(p, SolveOptions(num_starts=4, seed=0, time_limit_s=limit), model=model)
    assert time.monotonic() - t0 <= limit + 0.5
    if limited.termination.value == "LOCALLY_OPTIMAL":
        if limited.time_limited:  # skipped or cut short, and it says so
            assert "cut short (or skipped) by the time limit" in limited.detail
            assert limited.evaluation.objective <= full.evaluation.objective + 1e-9
        else:  # this run's starts were fast enough for the whole scan: the full answer
            assert limited.evaluation.objective == pytest.approx(full.evaluation.objective, abs=1e-12)
    else:  # a noisy box: the starts themselves ran out of time
        assert limited.termination.value == "FEASIBLE_TIME_LIMIT"
        assert limited.time_limited
