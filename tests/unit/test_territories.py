"""Territory MILP against brute force: every assignment of 7 accounts to 3 reps (3^7 = 2,187)
is enumerated and scored by the loops below, written from the definitions in the module
docstring and independent of ``territories.evaluate``. HiGHS runs with a zero MIP gap."""

import dataclasses
import itertools

import numpy as np
import pytest
from planopt.solvers.territories import TerritoryProblem, design, frontier

M, K = 7, 3


def _problem(**kw):
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 100, (M, 2))
    home = rng.uniform(0, 100, (K, 2))
    args = dict(
        account_id=[f"a{i}" for i in range(M)],
        rep_id=[f"r{j}" for j in range(K)],
        potential=rng.uniform(1, 10, M),
        workload=rng.uniform(1, 5, M),
        distance=np.linalg.norm(xy[:, None, :] - home[None, :, :], axis=2),
        current=rng.integers(0, K, M),
        locked=np.full(M, -1),
        capacity=np.array([1.0, 1.0, 1.5]),
        relationship=rng.uniform(0, 1, M),
        workload_band=0.5,
        potential_band=0.6,
        edges=np.array([[0, 1], [1, 2], [3, 4], [5, 6], [2, 5]]),
        mip_gap=0.0,
    )
    args.update(kw)
    return TerritoryProblem(**args)


def _score(p, assign):
    """Every measure of one assignment, by explicit loops."""
    share = [c / sum(p.capacity) for c in p.capacity]
    w_tot, p_tot = sum(p.workload), sum(p.potential)
    work = [sum(p.workload[i] for i in range(M) if assign[i] == j) for j in range(K)]
    pot = [sum(p.potential[i] for i in range(M) if assign[i] == j) for j in range(K)]
    travel = sum(p.distance[i][assign[i]] for i in range(M))
    d0 = sum(sum(p.distance[i]) / K for i in range(M))
    moved = [p.current[i] != -1 and assign[i] != p.current[i] for i in range(M)]
    had = [p.current[i] != -1 for i in range(M)]
    disruption = sum(p.workload[i] for i in range(M) if moved[i]) / w_tot
    rel_tot = sum(p.relationship[i] * p.workload[i] for i in range(M) if had[i])
    rel_loss = sum(p.relationship[i] * p.workload[i] for i in range(M) if moved[i]) / rel_tot
    w_dev = max(abs(work[j] / (share[j] * w_tot) - 1) for j in range(K))
    p_dev = max(abs(pot[j] / (share[j] * p_tot) - 1) for j in range(K))
    w_imb = sum(abs(work[j] - share[j] * w_tot) for j in range(K)) / (2 * w_tot)
    p_imb = sum(abs(pot[j] - share[j] * p_tot) for j in range(K)) / (2 * p_tot)
    cut = sum(assign[a] != assign[b] for a, b in p.edges) / len(p.edges)
    locked_ok = all(p.locked[i] < 0 or assign[i] == p.locked[i] for i in range(M))
    return dict(
        travel=travel,
        travel_norm=travel / d0,
        disruption=disruption,
        rel_loss=rel_loss,
        w_dev=w_dev,
        p_dev=p_dev,
        w_imb=w_imb,
        p_imb=p_imb,
        cut=cut,
        locked_ok=locked_ok,
    )


def _feasible(p, s, widen=0.0):
    return (
        s["locked_ok"]
        and s["w_dev"] <= p.workload_band + widen + 1e-12
        and s["p_dev"] <= p.potential_band + widen + 1e-12
    )


def _all(p):
    return [(np.array(a), _score(p, a)) for a in itertools.product(range(K), repeat=M)]


@pytest.fixture(scope="module")
def base():
    p = _problem()
    return p, _all(p)


def test_weighted_design_is_the_brute_force_optimum(base):
    p, every = base
    p = dataclasses.replace(p, travel_weight=1.0, disruption_weight=0.7, contiguity_weight=0.3)
    best = min(s["travel_norm"] + 0.7 * s["disruption"] + 0.3 * s["cut"] for _, s in every if _feasible(p, s))
    d = design(p)
    assert d.status == "optimal"
    assert d.objective == pytest.approx(best, abs=1e-9)
    s = _score(p, d.assignment)
    assert _feasible(p, s)  # balance bands respected, by the independent scorer
    assert s["travel_norm"] + 0.7 * s["disruption"] + 0.3 * s["cut"] == pytest.approx(best, abs=1e-9)


def test_seed_score_design_is_the_brute_force_optimum(base):
    p, every = base
    p = dataclasses.replace(p, objective="seed_score")

    def seed(s):  # seed 002: 40% potential balance, 25% travel, 20% workload, 15% relationships
        return 0.40 * s["p_imb"] + 0.25 * s["travel_norm"] + 0.20 * s["w_imb"] + 0.15 * s["rel_loss"]

    best = min(seed(s) for _, s in every if _feasible(p, s))
    d = design(p)
    assert d.objective == pytest.approx(best, abs=1e-9)
    assert d.metrics.seed_score == pytest.approx(best, abs=1e-9)


def test_epsilon_design_and_locks_match_brute_force(base):
    p, _ = base
    locked = np.full(M, -1)
    locked[[0, 4]] = [2, 0]
    p = dataclasses.replace(p, objective="epsilon", max_disruption=0.55, locked=locked)
    every = _all(p)
    best = min(s["travel_norm"] for _, s in every if _feasible(p, s) and s["disruption"] <= 0.55 + 1e-12)
    unconstrained = min(s["travel_norm"] for _, s in every if _feasible(p, s))
    assert unconstrained < best - 1e-6  # the disruption limit binds
    d = design(p)
    assert d.objective == pytest.approx(best, abs=1e-9)
    assert d.assignment[0] == 2 and d.assignment[4] == 0
    assert d.metrics.disruption <= 0.55 + 1e-9


def _non_dominated(p, every):
    pts = {(round(s["travel"], 9), round(s["disruption"], 9)) for _, s in every if _feasible(p, s)}
    return sorted(
        (pt for pt in pts if not any(o[0] <= pt[0] and o[1] <= pt[1] and o != pt for o in pts)), key=lambda t: t[1]
    )


def test_exact_frontier_is_the_brute_force_pareto_set(base):
    p, every = base
    expected = _non_dominated(p, every)
    assert len(expected) >= 4
    got = [(fp.design.metrics.travel, fp.design.metrics.disruption) for fp in frontier(p, 50, exact=True)]
    assert len(got) == len(expected)
    for (t, d), (te, de) in zip(got, expected, strict=True):
        assert t == pytest.approx(te, abs=1e-7) and d == pytest.approx(de, abs=1e-7)


def test_grid_frontier_points_are_non_dominated(base):
    p, every = base
    expected = _non_dominated(p, every)
    got = frontier(p, 4)
    assert 2 <= len(got) <= 4
    for fp in got:
        pt = (fp.design.metrics.travel, fp.design.metrics.disruption)
        assert any(abs(pt[0] - e[0]) < 1e-7 and abs(pt[1] - e[1]) < 1e-7 for e in expected), pt
    # The two ends are the lexicographic extremes of the true frontier.
    assert got[0].design.metrics.disruption == pytest.approx(expected[0][1], abs=1e-9)
    assert got[-1].design.metrics.travel == pytest.approx(expected[-1][0], abs=1e-7)


def test_infeasible_bands_report_the_minimal_widening(base):
    p, _ = base
    p = dataclasses.replace(p, workload_band=0.02, potential_band=0.05)
    every = _all(p)
    needed = min(max(s["w_dev"] - 0.02, s["p_dev"] - 0.05, 0.0) for _, s in every)
    d = design(p)
    assert d.status == "infeasible"
    assert d.relaxed_workload_band == pytest.approx(0.02 + needed, abs=1e-7)
    assert d.relaxed_potential_band == pytest.approx(0.05 + needed, abs=1e-7)
    widened = design(dataclasses.replace(p, workload_band=0.02 + needed + 1e-6, potential_band=0.05 + needed + 1e-6))
    assert widened.status == "optimal"


def test_accounts_of_a_departed_rep_always_count_as_moved(base):
    p, _ = base
    current = p.current.copy()
    current[current == 1] = -2  # rep 1 has gone
    q = dataclasses.replace(p, current=current, disruption_weight=1.0)
    d = design(q)
    gone = current == -2
    assert gone.any()
    floor = q.workload[gone].sum() / q.workload.sum()
    assert d.metrics.disruption >= floor - 1e-12
    s = _score(q, d.assignment)
    assert d.metrics.disruption == pytest.approx(s["disruption"], abs=1e-12)
