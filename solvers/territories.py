"""Territory design (seed 002): assign accounts to reps, as a MILP on HiGHS.

Variables x_ij in {0, 1} (account i to rep j), one rep per account. Measures, all linear in x:

* travel          sum_ij d_ij x_ij (distance from rep j's home base to account i), reported raw
                  and normalised by ``D0 = sum_i mean_j d_ij`` (the travel of a random assignment);
* disruption      moved workload / total workload: sum_i w_i (1 - x_i,current(i)) / W;
* relationship    the same, weighted by relationship strength (seed 002's "preservation" term);
  loss
* imbalance       sum_j |W_j - c_j W| / (2 W) for workload, and the same for potential, where
                  c_j = capacity_j / sum(capacity) (the share of the work rep j should carry);
                  i.e. the share of the total that would have to move to balance exactly;
* contiguity      the share of adjacency edges (account pairs) cut between two reps: cut_ab =
                  1/2 sum_j |x_aj - x_bj|, linearised with one continuous variable per edge and rep.

Balance constraints: W_j and P_j within [(1 - band) c_j W, (1 + band) c_j W]. Locked accounts
are fixed. Objectives: ``weighted`` (travel_weight * travel_norm + disruption_weight *
disruption + contiguity_weight * cut share), ``epsilon`` (travel_norm subject to disruption <=
eps), ``seed_score`` (seed 002's weights: 0.40 potential imbalance + 0.25 travel_norm + 0.20
workload imbalance + 0.15 relationship loss). The non-dominated (travel, disruption) frontier is
traced by the epsilon-constraint method, each point lexicographically optimal (minimise travel
at disruption <= eps, then disruption at that travel) so it is not merely weakly efficient.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from planopt.solvers import linprog

SEED_WEIGHTS = {"potential_balance": 0.40, "travel": 0.25, "workload_balance": 0.20, "relationship": 0.15}


@dataclass
class TerritoryProblem:
    account_id: list[str]
    rep_id: list[str]
    potential: np.ndarray  # (m,)
    workload: np.ndarray  # (m,)
    distance: np.ndarray | None  # (m, k) or None: no geography (travel is 0)
    current: np.ndarray  # (m,) int rep index, -1 = none, -2 = a rep that has gone (always moved)
    locked: np.ndarray  # (m,) int rep index, -1 = free
    capacity: np.ndarray  # (k,)
    relationship: np.ndarray  # (m,) in [0, 1]
    workload_band: float | None = None
    potential_band: float | None = None
    edges: np.ndarray | None = None  # (e, 2) account index pairs
    objective: str = "weighted"  # "weighted" | "epsilon" | "seed_score"
    travel_weight: float = 1.0
    disruption_weight: float = 1.0
    contiguity_weight: float = 0.0
    max_disruption: float | None = None  # epsilon
    seed_weights: dict[str, float] = field(default_factory=lambda: dict(SEED_WEIGHTS))
    mip_gap: float = 1e-4
    time_limit_s: float = 30.0


@dataclass
class DesignMetrics:
    travel: float
    travel_norm: float
    disruption: float
    moved_accounts: int
    relationship_loss: float
    workload_imbalance: float
    potential_imbalance: float
    max_workload_deviation: float  # max_j |W_j / (c_j W) - 1|
    max_potential_deviation: float
    cut_share: float
    seed_score: float
    workload: np.ndarray
    potential: np.ndarray
    accounts: np.ndarray
    rep_travel: np.ndarray


@dataclass
class Design:
    status: str  # "optimal" | "time_limit" | "interrupted" | "infeasible" | "time_limit_no_incumbent" | ...
    detail: str
    assignment: np.ndarray  # (m,) rep index; -1 when none
    metrics: DesignMetrics | None
    objective: float
    bound: float
    gap: float
    max_violation: float
    nodes: int
    seconds: float = 0.0
    # When infeasible: the smallest common widening of the balance bands that is feasible.
    relaxed_workload_band: float | None = None
    relaxed_potential_band: float | None = None


@dataclass
class FrontierPoint:
    design: Design
    epsilon: float


def travel_scale(p: TerritoryProblem) -> float:
    if p.distance is None:
        return 1.0
    d0 = float(np.sum(np.mean(p.distance, axis=1)))
    return d0 if d0 > 0 else 1.0


def evaluate(p: TerritoryProblem, assign: np.ndarray) -> DesignMetrics:
    """The measures of an assignment, computed directly (not from the MILP)."""
    m, k = p.potential.size, p.capacity.size
    rows = np.arange(m)
    share = p.capacity / p.capacity.sum()
    w_total, p_total = float(p.workload.sum()), float(p.potential.sum())
    workload = np.bincount(assign, weights=p.workload, minlength=k)
    potential = np.bincount(assign, weights=p.potential, minlength=k)
    accounts = np.bincount(assign, minlength=k).astype(float)
    if p.distance is not None:
        per = p.distance[rows, assign]
        travel = float(per.sum())
        rep_travel: np.ndarray = np.bincount(assign, weights=per, minlength=k).astype(float)
    else:
        travel, rep_travel = 0.0, np.zeros(k)
    has = p.current != -1
    moved = has & (assign != p.current)
    disruption = float(p.workload[moved].sum() / w_total) if w_total > 0 else 0.0
    rel_w = p.relationship * p.workload * has
    relationship_loss = float(rel_w[moved].sum() / rel_w.sum()) if rel_w.sum() > 0 else 0.0
    w_imb = float(np.abs(workload - share * w_total).sum() / (2 * w_total)) if w_total > 0 else 0.0
    p_imb = float(np.abs(potential - share * p_total).sum() / (2 * p_total)) if p_total > 0 else 0.0
    w_dev = float(np.max(np.abs(workload / (share * w_total) - 1.0))) if w_total > 0 else 0.0
    p_dev = float(np.max(np.abs(potential / (share * p_total) - 1.0))) if p_total > 0 else 0.0
    if p.edges is not None and len(p.edges):
        cut_share = float(np.mean(assign[p.edges[:, 0]] != assign[p.edges[:, 1]]))
    else:
        cut_share = 0.0
    t_norm = travel / travel_scale(p)
    sw = p.seed_weights
    seed = (
        sw["potential_balance"] * p_imb
        + sw["travel"] * t_norm
        + sw["workload_balance"] * w_imb
        + sw["relationship"] * relationship_loss
    )
    return DesignMetrics(
        travel=travel,
        travel_norm=t_norm,
        disruption=disruption,
        moved_accounts=int(moved.sum()),
        relationship_loss=relationship_loss,
        workload_imbalance=w_imb,
        potential_imbalance=p_imb,
        max_workload_deviation=w_dev,
        max_potential_deviation=p_dev,
        cut_share=cut_share,
        seed_score=float(seed),
        workload=workload,
        potential=potential,
        accounts=accounts,
        rep_travel=rep_travel,
    )


class _Model:
    """The MILP's columns and rows for one problem; objectives and epsilon rows vary per solve."""

    def __init__(self, p: TerritoryProblem, band_slack: bool = False) -> None:
        self.p = p
        m, k = p.potential.size, p.capacity.size
        self.m, self.k = m, k
        nx = m * k
        share = p.capacity / p.capacity.sum()
        w_total, p_total = float(p.workload.sum()), float(p.potential.sum())
        self.w_total, self.p_total = w_total, p_total
        cols = 0
        self.x = slice(0, nx)
        cols = nx
        n_edges = 0 if p.edges is None else len(p.edges)
        self.u = slice(cols, cols + n_edges * k)
        cols += n_edges * k
        seed = p.objective == "seed_score"
        self.ep = slice(cols, cols + (k if seed else 0))
        cols += k if seed else 0
        self.ew = slice(cols, cols + (k if seed else 0))
        cols += k if seed else 0
        self.s = slice(cols, cols + (1 if band_slack else 0))  # common widening of the bands
        cols += 1 if band_slack else 0
        self.n = cols
        rows: list[sp.spmatrix] = []
        lo: list[np.ndarray] = []
        hi: list[np.ndarray] = []

        def block(parts: dict[str, sp.spmatrix], r: int) -> sp.csr_matrix:
            mats = []
            for name in ("x", "u", "ep", "ew", "s"):
                sl = getattr(self, name)
                width = sl.stop - sl.start
                if width == 0:
                    continue
                mats.append(parts.get(name, sp.csr_matrix((r, width))))
            return sp.hstack(mats).tocsr()

        # Each account to exactly one rep.
        assign = sp.kron(sp.identity(m), np.ones((1, k)), format="csr")
        rows.append(block({"x": assign}, m))
        lo.append(np.ones(m))
        hi.append(np.ones(m))
        # Per-rep sums of a column vector v: row j = sum_i v_i x_ij.
        self.per_rep = lambda v: sp.kron(np.asarray(v, dtype=float)[None, :], sp.identity(k), format="csr")
        for band, vec, total in ((p.workload_band, p.workload, w_total), (p.potential_band, p.potential, p_total)):
            if band is None or total <= 0:
                continue
            target = share * total
            if band_slack:
                # W_j - s * c_j T <= (1 + band) c_j T and W_j + s * c_j T >= (1 - band) c_j T.
                col = sp.csr_matrix(target[:, None])
                rows.append(block({"x": self.per_rep(vec), "s": -col}, k))
                lo.append(np.full(k, -linprog.INF))
                hi.append((1 + band) * target)
                rows.append(block({"x": self.per_rep(vec), "s": col}, k))
                lo.append((1 - band) * target)
                hi.append(np.full(k, linprog.INF))
            else:
                rows.append(block({"x": self.per_rep(vec)}, k))
                lo.append((1 - band) * target)
                hi.append((1 + band) * target)
        if seed:
            for name, vec, total in (("ep", p.potential, p_total), ("ew", p.workload, w_total)):
                target = share * total
                eye = sp.identity(k, format="csr")
                rows.append(block({"x": self.per_rep(vec), name: -eye}, k))  # V_j - e_j <= c_j T
                lo.append(np.full(k, -linprog.INF))
                hi.append(target)
                rows.append(block({"x": self.per_rep(vec), name: eye}, k))  # V_j + e_j >= c_j T
                lo.append(target)
                hi.append(np.full(k, linprog.INF))
        if n_edges:
            assert p.edges is not None
            e_idx = np.arange(n_edges)
            # Row (e, j): u_ej - x_aj + x_bj >= 0 and u_ej + x_aj - x_bj >= 0.
            r_idx = (e_idx[:, None] * k + np.arange(k)[None, :]).ravel()
            xa = (p.edges[:, 0][:, None] * k + np.arange(k)[None, :]).ravel()
            xb = (p.edges[:, 1][:, None] * k + np.arange(k)[None, :]).ravel()
            eye = sp.identity(n_edges * k, format="csr")
            for sign in (1.0, -1.0):
                dx = sp.csr_matrix(
                    (
                        np.concatenate([-sign * np.ones(r_idx.size), sign * np.ones(r_idx.size)]),
                        (np.concatenate([r_idx, r_idx]), np.concatenate([xa, xb])),
                    ),
                    shape=(n_edges * k, nx),
                )
                rows.append(block({"x": dx, "u": eye}, n_edges * k))
                lo.append(np.zeros(n_edges * k))
                hi.append(np.full(n_edges * k, linprog.INF))
        self.a = sp.vstack(rows).tocsc()
        self.row_lo = np.concatenate(lo)
        self.row_hi = np.concatenate(hi)
        self.col_lo = np.zeros(self.n)
        self.col_hi = np.full(self.n, linprog.INF)
        self.col_hi[self.x] = 1.0
        for i in np.flatnonzero(p.locked >= 0):
            row = slice(i * k, (i + 1) * k)
            self.col_hi[row] = 0.0
            self.col_lo[i * k + p.locked[i]] = 1.0
            self.col_hi[i * k + p.locked[i]] = 1.0
        self.integer = np.zeros(self.n, dtype=bool)
        self.integer[self.x] = True
        # Measure vectors over the columns (the constant part of disruption is kept apart).
        self.travel = np.zeros(self.n)
        if p.distance is not None:
            self.travel[self.x] = p.distance.ravel() / travel_scale(p)
        # Accounts of a rep that has gone (current == -2) count as moved whatever happens.
        had = np.flatnonzero(p.current != -1)
        has = np.flatnonzero(p.current >= 0)
        self.keep_cols = has * k + p.current[has]
        self.disruption = np.zeros(self.n)
        self.disruption_const = float(p.workload[had].sum() / w_total) if w_total > 0 else 0.0
        if w_total > 0:
            self.disruption[self.keep_cols] = -p.workload[has] / w_total
        rel_total = float(np.sum(p.relationship[had] * p.workload[had]))
        self.relation = np.zeros(self.n)
        self.relation_const = 1.0 if rel_total > 0 else 0.0
        if rel_total > 0:
            self.relation[self.keep_cols] = -p.relationship[has] * p.workload[has] / rel_total
        self.cut = np.zeros(self.n)
        if n_edges:
            self.cut[self.u] = 0.5 / n_edges

    def objective(self) -> tuple[np.ndarray, float]:
        p = self.p
        if p.objective == "seed_score":
            sw = p.seed_weights
            c = sw["travel"] * self.travel + sw["relationship"] * self.relation
            const = sw["relationship"] * self.relation_const
            if self.p_total > 0:
                c[self.ep] = sw["potential_balance"] / (2 * self.p_total)
            if self.w_total > 0:
                c[self.ew] = sw["workload_balance"] / (2 * self.w_total)
            return c + p.contiguity_weight * self.cut, const
        if p.objective == "epsilon":
            return self.travel + p.contiguity_weight * self.cut, 0.0
        c = p.travel_weight * self.travel + p.disruption_weight * self.disruption + p.contiguity_weight * self.cut
        return c, p.disruption_weight * self.disruption_const

    def lp(self, c: np.ndarray, offset: float, extra: list[tuple[np.ndarray, float, float]]) -> linprog.LinearProgram:
        a, lo, hi = self.a, self.row_lo, self.row_hi
        if extra:
            a = sp.vstack([a, sp.csr_matrix(np.array([e[0] for e in extra]))]).tocsc()
            lo = np.concatenate([lo, [e[1] for e in extra]])
            hi = np.concatenate([hi, [e[2] for e in extra]])
        return linprog.LinearProgram(c, a, lo, hi, self.col_lo, self.col_hi, self.integer, offset)

    def start(self, assign: np.ndarray) -> np.ndarray:
        """A full column vector for a starting assignment (auxiliary columns consistent)."""
        p, k = self.p, self.k
        v = np.zeros(self.n)
        v[np.arange(self.m) * k + assign] = 1.0
        if self.u.stop > self.u.start:
            assert p.edges is not None
            xa = v[self.x].reshape(self.m, k)[p.edges[:, 0]]
            xb = v[self.x].reshape(self.m, k)[p.edges[:, 1]]
            v[self.u] = np.abs(xa - xb).ravel()
        if self.ep.stop > self.ep.start:
            met = evaluate(p, assign)
            share = p.capacity / p.capacity.sum()
            v[self.ep] = np.abs(met.potential - share * self.p_total)
            v[self.ew] = np.abs(met.workload - share * self.w_total)
        return v

    def assignment(self, x: np.ndarray) -> np.ndarray:
        return np.argmax(x[self.x].reshape(self.m, self.k), axis=1)


def _start_assignment(p: TerritoryProblem) -> np.ndarray:
    k = p.capacity.size
    nearest = np.argmin(p.distance, axis=1) if p.distance is not None else np.arange(p.potential.size) % k
    out = np.where(p.current >= 0, p.current, nearest)
    return np.where(p.locked >= 0, p.locked, out)


def _design(
    model: _Model,
    c: np.ndarray,
    offset: float,
    extra: list[tuple[np.ndarray, float, float]],
    time_limit_s: float,
    should_stop: Callable[[], bool] | None,
) -> Design:
    t0 = time.monotonic()
    lp = model.lp(c, offset, extra)
    start = model.start(_start_assignment(model.p))
    res = linprog.solve(lp, time_limit_s, model.p.mip_gap, should_stop, start=start)
    seconds = time.monotonic() - t0
    if not res.has_solution:
        return Design(
            res.status,
            f"HiGHS: {res.status}",
            np.full(model.m, -1),
            None,
            np.nan,
            np.nan,
            np.nan,
            np.nan,
            res.nodes,
            seconds,
        )
    assign = model.assignment(res.x)
    return Design(
        status=res.status,
        detail=f"HiGHS MILP: {res.status}, objective {res.objective:.6g}, bound {res.bound:.6g}, gap {res.gap:.2e}",
        assignment=assign,
        metrics=evaluate(model.p, assign),
        objective=res.objective,
        bound=res.bound,
        gap=res.gap,
        max_violation=res.max_violation,
        nodes=res.nodes,
        seconds=seconds,
    )


def design(p: TerritoryProblem, should_stop: Callable[[], bool] | None = None) -> Design:
    """The optimal design for the problem's objective; when infeasible, the minimal widening of
    the balance bands that makes it feasible."""
    model = _Model(p)
    c, offset = model.objective()
    extra = []
    if p.objective == "epsilon" and p.max_disruption is not None:
        extra.append((model.disruption, -linprog.INF, p.max_disruption - model.disruption_const))
    out = _design(model, c, offset, extra, p.time_limit_s, should_stop)
    if out.status == "infeasible":
        out.detail = "no assignment satisfies the balance bands, locks" + (" and the disruption limit" if extra else "")
        if p.workload_band is not None or p.potential_band is not None:
            relaxed = _band_relaxation(p, extra, should_stop)
            if relaxed is not None:
                out.relaxed_workload_band = None if p.workload_band is None else p.workload_band + relaxed
                out.relaxed_potential_band = None if p.potential_band is None else p.potential_band + relaxed
                out.detail += f"; widening the balance bands by {relaxed:.4g} makes it feasible"
    return out


def _band_relaxation(
    p: TerritoryProblem, extra: list[tuple[np.ndarray, float, float]], should_stop: Callable[[], bool] | None
) -> float | None:
    model = _Model(replace(p, objective="weighted", contiguity_weight=0.0), band_slack=True)
    c = np.zeros(model.n)
    c[model.s] = 1.0
    # The epsilon row was built for the original column layout: rebuild it on this one.
    rebuilt = []
    for row, lo, hi in extra:
        v = np.zeros(model.n)
        v[model.x] = row[model.x]
        rebuilt.append((v, lo, hi))
    res = linprog.solve(model.lp(c, 0.0, rebuilt), p.time_limit_s, 0.0, should_stop)
    if not res.has_solution:
        return None
    return float(res.x[model.s][0])


def frontier(
    p: TerritoryProblem,
    points: int,
    should_stop: Callable[[], bool] | None = None,
    exact: bool = False,
    step: float = 1e-5,
) -> list[FrontierPoint]:
    """Non-dominated (travel, disruption) designs by the epsilon-constraint method: on an even
    grid of disruption limits between the two lexicographic extremes, or (``exact``) every
    non-dominated point in turn, each one ``step`` less disruptive than the last, up to
    ``points`` points."""
    q = replace(p, objective="epsilon", contiguity_weight=0.0)
    model = _Model(q)
    per_solve = p.time_limit_s / max(2 * (points + 2), 1)
    tol = 1e-9

    def lexmin(first: str, eps: float | None) -> Design:
        c_first = model.travel if first == "travel" else model.disruption
        c_second = model.disruption if first == "travel" else model.travel
        off_first = 0.0 if first == "travel" else model.disruption_const
        off_second = model.disruption_const if first == "travel" else 0.0
        extra: list[tuple[np.ndarray, float, float]] = []
        if eps is not None:
            extra.append((model.disruption, -linprog.INF, eps - model.disruption_const + tol))
        one = _design(model, c_first, off_first, extra, per_solve, should_stop)
        if one.metrics is None:
            return one
        best = one.objective - off_first
        cap = best + tol * max(1.0, abs(best))
        two = _design(model, c_second, off_second, [*extra, (c_first, -linprog.INF, cap)], per_solve, should_stop)
        if two.metrics is None:
            return one
        two.gap = max(one.gap, two.gap)
        two.detail = f"lexicographic: {one.detail}; then {two.detail}"
        return two

    a = lexmin("travel", None)
    if a.metrics is None:
        return [FrontierPoint(a, float("nan"))]
    b = lexmin("disruption", None)
    if b.metrics is None:
        return [FrontierPoint(a, a.metrics.disruption)]
    lo, hi = b.metrics.disruption, a.metrics.disruption
    found = [FrontierPoint(b, lo)]
    if exact:
        # Walk down from the least-travel end: each step asks for strictly less disruption than
        # the last point, so every non-dominated point is visited once (up to `points`).
        eps = hi
        while len(found) < points - 1 and eps > lo + step:
            if should_stop is not None and should_stop():
                break
            nxt = lexmin("travel", eps - step)
            if nxt.metrics is None or nxt.metrics.disruption <= lo + tol:
                break
            found.append(FrontierPoint(nxt, eps - step))
            eps = nxt.metrics.disruption
    elif points > 2 and hi > lo + tol:
        for eps in np.linspace(lo, hi, points)[1:-1]:
            if should_stop is not None and should_stop():
                break
            found.append(FrontierPoint(lexmin("travel", float(eps)), float(eps)))
    found.append(FrontierPoint(a, hi))
    # Keep each distinct non-dominated point once, by ascending disruption.
    kept: list[FrontierPoint] = []
    solved = [f for f in found if f.design.metrics is not None]
    for fp in sorted(solved, key=lambda f: f.design.metrics.disruption if f.design.metrics else 0.0):
        mt = fp.design.metrics
        assert mt is not None
        dominated = any(
            o.design.metrics is not None
            and o.design.metrics.disruption <= mt.disruption + tol
            and o.design.metrics.travel <= mt.travel + tol * max(1.0, mt.travel)
            and (
                o.design.metrics.disruption < mt.disruption - tol
                or o.design.metrics.travel < mt.travel - tol * max(1.0, mt.travel)
            )
            for o in found
        )
        duplicate = any(
            abs(k.design.metrics.disruption - mt.disruption) <= tol  # type: ignore[union-attr]
            and abs(k.design.metrics.travel - mt.travel) <= tol * max(1.0, mt.travel)  # type: ignore[union-attr]
            for k in kept
        )
        if not dominated and not duplicate:
            kept.append(fp)
    return kept
