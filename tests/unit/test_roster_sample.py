"""The sample stage of large solves (``problem.sample_rows``, ``optimize``'s ``_SampleStage``).

On a roster of more than ``SAMPLE_FACTOR * sample_reps`` reps every start is first solved on a
stratified, proportional sample, then the SQP on the whole roster continues from there. Checked
here: the sample's bookkeeping (every cell, its share, spread over the attainment order), that
it estimates the roster exactly where it must (a roster of m copies of the demo team: its
proportional sample is the team itself, and every firm metric is a mean or a ratio of sums, so
the sample's metrics equal the roster's — hand reasoning, no solver involved), and that a
staged solve still ends at a point certified on the whole roster (independent NNLS KKT check,
as in test_optimize.py) with the demo team's own optimum (solved without any sample).
"""

import dataclasses

import numpy as np
import pytest
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import SAMPLE_FACTOR, ScaledProblem, optimize
from planopt.solvers.problem import SolveOptions, Termination, demo_problem, sample_rows, take_rows

from bench.instances import synthetic
from tests.unit.test_optimize import independent_kkt

COPIES = 8


def _copies(m: int):
    """The demo problem with every rep repeated m times (rep-major: rep 0's copies first)."""
    p = demo_problem()
    r = p.roster
    rows = np.repeat(np.arange(r.size), m)
    roster = dataclasses.replace(
        take_rows(r, rows), rep_id=tuple(f"{r.rep_id[i]}-{j}" for i in range(r.size) for j in range(m))
    )
    return dataclasses.replace(p, roster=roster)


def test_sample_keeps_every_cell_its_share_and_the_attainment_spread():
    roster = synthetic(3000, ["A", "B", "C"], seed=5).roster
    rows = sample_rows(roster, 300)
    assert np.all(np.diff(rows) > 0)  # ascending, no repeats
    cells = list(zip(roster.role, roster.equity_group, strict=True))
    keys = sorted(set(cells))
    cell = np.array([keys.index(c) for c in cells])
    mu = np.asarray(roster.baseline_attainment)
    for c in range(len(keys)):
        members = np.flatnonzero(cell == c)
        picked = rows[cell[rows] == c]
        share = 300 * members.size / 3000
        assert picked.size == min(members.size, max(8, round(share)))
        # one rep per stratum of the cell's baseline-attainment order
        ranks = np.argsort(np.argsort(mu[members], kind="stable"), kind="stable")
        picked_ranks = np.sort(ranks[np.searchsorted(members, picked)])
        assert np.all(picked_ranks // (members.size / picked.size) == np.arange(picked.size))


def test_small_cells_keep_at_least_eight_reps_or_all_of_them():
    roster = synthetic(1000, ["A", "B"], seed=2).roster
    rows = sample_rows(roster, 10)  # shares of ~2-3 reps per cell
    cells = list(zip(roster.role, roster.equity_group, strict=True))
    for key in set(cells):
        size = sum(c == key for c in cells)
        assert sum(cells[i] == key for i in rows) == min(size, 8)


def test_the_sample_of_a_replicated_team_is_the_team_and_its_metrics_are_the_rosters():
    big = _copies(COPIES)
    rows = sample_rows(big.roster, 45)
    np.testing.assert_array_equal(rows // COPIES, np.arange(45))  # one copy of each rep
    sample = dataclasses.replace(big, roster=take_rows(big.roster, rows))
    full_model, sample_model = PlanModel(big), PlanModel(sample)
    rng = np.random.default_rng(4)
    space = ScaledProblem(big, full_model).space
    for _ in range(3):
        levers = space.levers(rng.uniform(0.1, 0.9, space.n))
        full, part = full_model.evaluate(levers), sample_model.evaluate(levers)
        for key in ("mean_attainment", "cost_of_sales", "attrition", "quota_weighted_attainment"):
            assert part.metrics[key] == pytest.approx(full.metrics[key], rel=1e-12), key
        np.testing.assert_allclose(part.values, full.values, rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(part.jac, full.jac, rtol=1e-9, atol=1e-9 * float(np.max(np.abs(full.jac))))


def test_a_staged_solve_is_certified_on_the_whole_roster_and_finds_the_teams_optimum():
    big = _copies(COPIES)
    options = SolveOptions(num_starts=2, seed=1, time_limit_s=120, sample_reps=45)
    assert big.roster.size > SAMPLE_FACTOR * options.sample_reps
    staged = optimize(big, options)
    assert staged.termination is Termination.LOCALLY_OPTIMAL, staged.detail
    assert staged.sample_reps == 45 and 0 < staged.sample_iterations < staged.iterations
    assert "stratified sample of 45 of 360 reps" in staged.detail
    assert staged.max_violation <= 1e-6 and staged.kkt_residual <= 1e-5
    fun = ScaledProblem(big)
    assert independent_kkt(fun, fun.space.to_z(staged.levers)) <= 1e-4
    # The sample is the demo team itself, so each start's sample optimum is a KKT point of the
    # whole roster too: the whole-roster SQP (warm multipliers) confirms it in a step or two.
    assert staged.iterations - staged.sample_iterations <= 2 * options.num_starts
    team = optimize(demo_problem(), dataclasses.replace(options, sample_reps=0))
    assert staged.evaluation.objective == pytest.approx(team.evaluation.objective, rel=1e-7)


def test_a_staged_solve_of_an_infeasible_roster_lists_a_relaxation_that_works():
    big = _copies(COPIES)
    tight = dataclasses.replace(big, constraints=dataclasses.replace(big.constraints, max_cost_of_sales=0.06))
    options = SolveOptions(num_starts=1, seed=0, time_limit_s=120, sample_reps=45)
    sol = optimize(tight, options)
    assert sol.termination is Termination.INFEASIBLE, sol.detail
    (cap,) = [r for r in sol.relaxations if r.name == "cost_of_sales"]
    relaxed = dataclasses.replace(
        tight, constraints=dataclasses.replace(tight.constraints, max_cost_of_sales=cap.relaxed_bound + 1e-7)
    )
    again = optimize(relaxed, options)
    assert again.termination is Termination.LOCALLY_OPTIMAL, again.detail
    assert again.evaluation.metrics["cost_of_sales"] == pytest.approx(cap.relaxed_bound, abs=1e-5)  # tight


def test_no_sample_stage_below_the_threshold_or_by_default():
    below = optimize(demo_problem(), SolveOptions(num_starts=1, seed=0, time_limit_s=60, sample_reps=45))
    assert below.sample_reps == 0 and below.sample_iterations == 0  # 45 reps <= 4 x 45
    default = optimize(_copies(COPIES), SolveOptions(num_starts=1, seed=0, time_limit_s=60))
    assert default.sample_reps == 0 and "sample" not in default.detail  # opt-in
