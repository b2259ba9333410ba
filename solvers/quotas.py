"""Quota allocation (seed 000 §4): split a company target across territories by opportunity.

Opportunity. Each territory's expected sales ``s_i`` are, in order of preference: given
directly; fitted from last year's sales on territory factors (OLS of log sales on log potential
and, when given, log(1 + accounts) — the territory part of performance, not the rep's; R^2 says
how much of the sales variance territory quality explains); or proportional to potential.

Fair share. With quotas summing to ``T' = target * (1 + over_assignment)``, the fair share is
``f_i = T' * s_i / sum(s)``: every territory then has the same predicted attainment
``a_i = (s_i * target / sum(s)) / q_i = 1 / (1 + over_assignment)``.

LP. In ratio variables ``r_i = q_i / f_i`` (scale-free, well conditioned):

    min_max:   minimise t            s.t. |r_i - 1| <= t, sum_i (f_i / T') r_i = 1, lo_i <= r_i <= hi_i
               then, with t fixed at its optimum, minimise the weighted sum below (a tie-break:
               the minimax optimum is not unique when few bounds bind)
    weighted:  minimise sum_i (f_i / T') |r_i - 1|   (the share of the target assigned away from
               opportunity), same constraints

where the bounds come from quota / potential limits and the allowed change against last year's
quota. The certificate is the LP's KKT residual computed from HiGHS' primal-dual pair
(``linprog.kkt_residual``); the sensitivity of the optimum to the target and to each binding
bound comes from the same duals (envelope theorem).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from planopt.solvers import linprog


@dataclass
class QuotaProblem:
    territory_id: list[str]
    potential: np.ndarray
    target: float
    accounts: np.ndarray | None = None
    last_sales: np.ndarray | None = None
    last_quota: np.ndarray | None = None
    expected_sales: np.ndarray | None = None
    over_assignment: float = 0.0
    min_quota_to_potential: float | None = None
    max_quota_to_potential: float | None = None
    max_increase: float | None = None  # fraction of last year's quota
    max_decrease: float | None = None
    objective: str = "min_max"  # or "weighted"
    outlier_threshold: float = 0.25


@dataclass
class Spread:
    min: float
    p10: float
    median: float
    p90: float
    max: float
    sd: float

    @classmethod
    def of(cls, a: np.ndarray) -> Spread:
        return cls(
            float(a.min()),
            float(np.percentile(a, 10)),
            float(np.median(a)),
            float(np.percentile(a, 90)),
            float(a.max()),
            float(a.std()),
        )


@dataclass
class QuotaResult:
    status: str  # "optimal" | "infeasible" | "error: ..."
    detail: str
    quota: np.ndarray
    fair_share: np.ndarray
    expected_sales: np.ndarray
    predicted_attainment: np.ndarray
    predicted_attainment_before: np.ndarray | None
    spread_after: Spread | None
    spread_before: Spread | None
    lower: np.ndarray
    upper: np.ndarray
    binding: list[str]
    relief_per_pct: np.ndarray  # objective reduction per 1% relaxation of the binding bound
    outlier: np.ndarray  # bool
    last_quota_to_fair: np.ndarray | None
    objective: float = float("nan")
    max_relative_deviation: float = float("nan")
    misallocated_share: float = float("nan")
    target_sensitivity_per_pct: float = float("nan")  # d objective / (1% more target)
    max_violation: float = float("nan")
    kkt_residual: float = float("nan")
    duality_gap: float = float("nan")
    fit_r2: float = float("nan")
    fit_coefficients: list[float] = field(default_factory=list)
    fit_source: str = "potential"
    target_range: tuple[float, float] = (float("nan"), float("nan"))


def opportunity(p: QuotaProblem) -> tuple[np.ndarray, str, float, list[float]]:
    """Expected sales per territory, where they came from, the fit's R^2 and coefficients."""
    if p.expected_sales is not None:
        return np.asarray(p.expected_sales, dtype=float), "given", float("nan"), []
    if p.last_sales is not None:
        cols = [np.ones_like(p.potential), np.log(p.potential)]
        if p.accounts is not None:
            cols.append(np.log1p(p.accounts))
        x = np.column_stack(cols)
        y = np.log(p.last_sales)
        if x.shape[0] >= x.shape[1] + 2 and np.linalg.matrix_rank(x) == x.shape[1]:
            beta, *_ = np.linalg.lstsq(x, y, rcond=None)
            fitted = x @ beta
            ss_tot = float(np.sum((y - y.mean()) ** 2))
            r2 = 1.0 - float(np.sum((y - fitted) ** 2)) / ss_tot if ss_tot > 0 else 1.0
            return np.exp(fitted), "fitted", r2, [float(b) for b in beta]
    return np.asarray(p.potential, dtype=float).copy(), "potential", float("nan"), []


def quota_bounds(p: QuotaProblem) -> tuple[np.ndarray, np.ndarray, list[list[str]], list[list[str]]]:
    """USD bounds per territory and the names of the limits that set them."""
    n = p.potential.size
    lo, hi = np.zeros(n), np.full(n, np.inf)
    lo_name: list[list[str]] = [["zero"] for _ in range(n)]
    hi_name: list[list[str]] = [[] for _ in range(n)]

    def tighten(values: np.ndarray, name: str, upper: bool) -> None:
        for i, v in enumerate(values):
            if upper and v < hi[i]:
                hi[i], hi_name[i] = v, [name]
            elif not upper and v > lo[i]:
                lo[i], lo_name[i] = v, [name]

    if p.min_quota_to_potential is not None:
        tighten(p.min_quota_to_potential * p.potential, "min_quota_to_potential", upper=False)
    if p.max_quota_to_potential is not None:
        tighten(p.max_quota_to_potential * p.potential, "max_quota_to_potential", upper=True)
    if p.last_quota is not None:
        if p.max_decrease is not None:
            tighten((1.0 - p.max_decrease) * p.last_quota, "max_decrease", upper=False)
        if p.max_increase is not None:
            tighten((1.0 + p.max_increase) * p.last_quota, "max_increase", upper=True)
    return lo, hi, lo_name, hi_name


def allocate(p: QuotaProblem, time_limit_s: float = 30.0) -> QuotaResult:
    n = p.potential.size
    s, source, r2, beta = opportunity(p)
    total = p.target * (1.0 + p.over_assignment)
    fair = total * s / s.sum()
    attain_level = 1.0 / (1.0 + p.over_assignment)
    lo, hi, lo_name, hi_name = quota_bounds(p)
    before = None
    last_to_fair = None
    outlier = np.zeros(n, dtype=bool)
    if p.last_quota is not None:
        scaled = p.last_quota * total / p.last_quota.sum()
        before = attain_level * fair / scaled
        # Last year's quota against last year's own fair share (same total, same opportunity).
        last_to_fair = p.last_quota / (p.last_quota.sum() * s / s.sum())
        outlier = np.abs(last_to_fair - 1.0) > p.outlier_threshold
    empty = np.full(n, np.nan)
    result = QuotaResult(
        status="infeasible",
        detail="",
        quota=empty.copy(),
        fair_share=fair,
        expected_sales=s,
        predicted_attainment=empty.copy(),
        predicted_attainment_before=before,
        spread_after=None,
        spread_before=Spread.of(before) if before is not None else None,
        lower=lo,
        upper=hi,
        binding=[""] * n,
        relief_per_pct=np.zeros(n),
        outlier=outlier,
        last_quota_to_fair=last_to_fair,
        fit_r2=r2,
        fit_coefficients=beta,
        fit_source=source,
        target_range=(float(lo.sum() / (1.0 + p.over_assignment)), float(hi.sum() / (1.0 + p.over_assignment))),
    )
    crossed = np.flatnonzero(lo > hi * (1 + 1e-12))
    if crossed.size:
        i = int(crossed[0])
        result.detail = (
            f"territory {p.territory_id[i]!r}: its limits cross (lower {lo[i]:.6g} from {lo_name[i][0]} > "
            f"upper {hi[i]:.6g} from {hi_name[i][0]}); {crossed.size} territory(ies) affected"
        )
        return result
    if not (lo.sum() <= total * (1 + 1e-9) and hi.sum() >= total * (1 - 1e-9)):
        lo_t, hi_t = result.target_range
        result.detail = (
            f"the quota limits allow a company target in [{lo_t:.6g}, {hi_t:.6g}] USD; the target is "
            f"{p.target:.6g} (minimal relaxation: target {min(max(p.target, lo_t), hi_t):.6g}, or widen the limits)"
        )
        return result

    w = fair / total
    r_lo, r_hi = lo / fair, np.minimum(hi / fair, 1e12)
    eye = sp.identity(n, format="csc")
    if p.objective == "weighted":
        res = _solve_weighted(w, r_lo, r_hi, None, time_limit_s)
        phase1 = res
        objective = res.objective
    else:
        # Phase 1: minimise the max deviation t.
        a = sp.vstack(
            [
                sp.hstack([sp.csr_matrix(w), sp.csr_matrix((1, 1))]),
                sp.hstack([eye, -np.ones((n, 1))]),
                sp.hstack([eye, np.ones((n, 1))]),
            ]
        ).tocsc()
        lp = linprog.LinearProgram(
            c=np.concatenate([np.zeros(n), [1.0]]),
            a=a,
            row_lo=np.concatenate([[1.0], np.full(n, -linprog.INF), np.ones(n)]),
            row_hi=np.concatenate([[1.0], np.ones(n), np.full(n, linprog.INF)]),
            col_lo=np.concatenate([r_lo, [0.0]]),
            col_hi=np.concatenate([r_hi, [linprog.INF]]),
        )
        phase1 = linprog.solve(lp, time_limit_s)
        if phase1.status != "optimal":
            result.status = phase1.status
            result.detail = f"HiGHS: {phase1.status}"
            return result
        objective = phase1.objective
        # Phase 2: the least misallocation among minimax-optimal quotas.
        res = _solve_weighted(w, r_lo, r_hi, objective * (1 + 1e-9) + 1e-12, time_limit_s)
    if res.status != "optimal":
        result.status = res.status
        result.detail = f"HiGHS: {res.status}"
        return result
    r = res.x[:n]
    q = r * fair
    result.status = "optimal"
    result.quota = q
    result.predicted_attainment = attain_level * fair / q
    result.spread_after = Spread.of(result.predicted_attainment)
    result.objective = objective
    result.max_relative_deviation = float(np.max(np.abs(r - 1.0)))
    result.misallocated_share = float(np.sum(np.abs(q - fair)) / total)
    result.max_violation = max(phase1.max_violation, res.max_violation)
    result.kkt_residual = max(phase1.kkt_residual, res.kkt_residual)
    result.duality_gap = max(phase1.gap, res.gap)
    # Envelope theorem on phase 1 (the objective the caller asked for). The r-bounds are
    # lo/f and hi/f with f proportional to the target, so d(bound)/d(ln target) = -bound; only
    # bound-active columns carry a reduced cost z.
    z = phase1.col_dual[:n]
    bound_hit = np.where(z > 0, r_lo, np.where(z < 0, r_hi, 0.0))
    result.target_sensitivity_per_pct = float(np.sum(z * -bound_hit)) * 0.01
    result.relief_per_pct = np.abs(z) * np.abs(bound_hit) * 0.01
    tol = 1e-9
    for i in range(n):
        if z[i] > tol or (abs(q[i] - lo[i]) <= 1e-9 * max(1.0, hi[i] if np.isfinite(hi[i]) else lo[i]) and lo[i] > 0):
            result.binding[i] = "+".join(lo_name[i])
        elif z[i] < -tol or (np.isfinite(hi[i]) and abs(q[i] - hi[i]) <= 1e-9 * max(1.0, hi[i])):
            result.binding[i] = "+".join(hi_name[i])
    result.detail = (
        f"{'min-max deviation' if p.objective != 'weighted' else 'weighted deviation'} LP: objective "
        f"{objective:.6g}; opportunity from {source}"
    )
    return result


def _solve_weighted(
    w: np.ndarray, r_lo: np.ndarray, r_hi: np.ndarray, max_dev: float | None, time_limit_s: float
) -> linprog.LPResult:
    """minimise sum w_i d_i, d_i >= |r_i - 1|, sum w_i r_i = 1 (and |r_i - 1| <= max_dev)."""
    n = w.size
    eye = sp.identity(n, format="csc")
    a = sp.vstack(
        [
            sp.hstack([sp.csr_matrix(w), sp.csr_matrix((1, n))]),
            sp.hstack([eye, -eye]),  # r - d <= 1
            sp.hstack([eye, eye]),  # r + d >= 1
        ]
    ).tocsc()
    d_hi = np.full(n, linprog.INF if max_dev is None else max_dev)
    lp = linprog.LinearProgram(
        c=np.concatenate([np.zeros(n), w]),
        a=a,
        row_lo=np.concatenate([[1.0], np.full(n, -linprog.INF), np.ones(n)]),
        row_hi=np.concatenate([[1.0], np.ones(n), np.full(n, linprog.INF)]),
        col_lo=np.concatenate([r_lo, np.zeros(n)]),
        col_hi=np.concatenate([r_hi, d_hi]),
    )
    return linprog.solve(lp, time_limit_s)
