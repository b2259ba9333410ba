"""Sparse LPs and MILPs on HiGHS, with an independently computed certificate.

    minimise    c.x
    subject to  row_lo <= A x <= row_hi,  col_lo <= x <= col_hi,  x_j integer for j in ints

HiGHS is called through highspy with the matrix passed column-wise (no modelling layer: the
territory MILP has 10^5 columns). For an LP the result carries a KKT residual computed here in
numpy from the returned primal-dual pair — primal feasibility, stationarity c - A^T y - z = 0,
dual sign and complementary slackness — so a certificate does not rest on the solver's word.
For a MILP it carries HiGHS' dual bound and relative gap, and the primal violation computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf


@dataclass
class LinearProgram:
    c: np.ndarray
    a: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray | None = None  # bool mask of integer columns
    offset: float = 0.0


@dataclass
class LPResult:
    # "optimal", "infeasible", "time_limit", "time_limit_no_incumbent", "interrupted", "error: ..."
    status: str
    x: np.ndarray
    objective: float
    # MILP: HiGHS' best bound and relative gap; LP: the dual objective and its gap to the primal.
    bound: float
    gap: float
    max_violation: float
    # LP only (NaN for a MILP): scaled max of stationarity, dual sign and complementarity.
    kkt_residual: float
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))
    col_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))
    nodes: int = 0

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "time_limit", "interrupted") and self.x.size > 0


def violation(lp: LinearProgram, x: np.ndarray) -> float:
    """Largest bound or row violation of x (absolute units of each row)."""
    ax = lp.a @ x
    parts = [
        np.maximum(lp.row_lo - ax, 0.0),
        np.maximum(ax - lp.row_hi, 0.0),
        np.maximum(lp.col_lo - x, 0.0),
        np.maximum(x - lp.col_hi, 0.0),
    ]
    if lp.integer is not None and lp.integer.any():
        parts.append(np.abs(x[lp.integer] - np.round(x[lp.integer])))
    return float(max((p.max() if p.size else 0.0) for p in parts))


def kkt_residual(lp: LinearProgram, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """Scaled KKT residual of (x, y, z) for the LP (HiGHS' sign convention: c = A^T y + z,
    y_i > 0 only at a row's lower bound, y_i < 0 only at its upper bound; z likewise)."""
    scale = max(1.0, float(np.max(np.abs(lp.c))) if lp.c.size else 1.0)
    stationarity = np.abs(lp.c - lp.a.T @ y - z)
    ax = lp.a @ x

    def sided(dual: np.ndarray, value: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
        pos, neg = np.maximum(dual, 0.0), np.maximum(-dual, 0.0)
        # A multiplier on a side with no bound is dual infeasible; on a finite side it must be
        # complementary to that side's slack (measured relative to the bound's magnitude).
        worst = 0.0
        lo_inf, hi_inf = lo <= -INF, hi >= INF
        if pos.size:
            worst = max(worst, float(np.max(np.where(lo_inf, pos, 0.0))), float(np.max(np.where(hi_inf, neg, 0.0))))
            lo_gap = np.where(lo_inf, 0.0, (value - lo) / (1.0 + np.abs(np.where(lo_inf, 0.0, lo))))
            hi_gap = np.where(hi_inf, 0.0, (hi - value) / (1.0 + np.abs(np.where(hi_inf, 0.0, hi))))
            worst = max(worst, float(np.max(pos * np.abs(lo_gap))), float(np.max(neg * np.abs(hi_gap))))
        return worst

    parts = [
        float(np.max(stationarity)) / scale if stationarity.size else 0.0,
        sided(y, ax, lp.row_lo, lp.row_hi) / scale,
        sided(z, x, lp.col_lo, lp.col_hi) / scale,
    ]
    return max(parts)


def dual_objective(lp: LinearProgram, y: np.ndarray, z: np.ndarray) -> float:
    def side(dual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
        pos, neg = np.maximum(dual, 0.0), np.maximum(-dual, 0.0)
        return float(np.sum(np.where(pos > 0, pos * np.where(lo <= -INF, 0.0, lo), 0.0))) - float(
            np.sum(np.where(neg > 0, neg * np.where(hi >= INF, 0.0, hi), 0.0))
        )

    return side(y, lp.row_lo, lp.row_hi) + side(z, lp.col_lo, lp.col_hi) + lp.offset


def _highs() -> highspy.Highs:
    """A fresh instance per solve: its run clock starts at 0 (so time_limit is this solve's),
    and nothing is shared between threads."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


def solve(
    lp: LinearProgram,
    time_limit_s: float = 30.0,
    mip_gap: float = 1e-4,
    should_stop: Callable[[], bool] | None = None,
    start: np.ndarray | None = None,
) -> LPResult:
    """Solve with HiGHS (one thread, a fresh instance). ``should_stop`` is polled by the
    MIP search so a caller that has gone stops the work; ``start`` is a MIP starting point."""
    n = lp.c.size
    h = _highs()
    model = highspy.HighsLp()
    model.num_col_ = n
    model.num_row_ = lp.a.shape[0]
    model.col_cost_ = np.asarray(lp.c, dtype=float)
    model.col_lower_ = np.asarray(lp.col_lo, dtype=float)
    model.col_upper_ = np.asarray(lp.col_hi, dtype=float)
    model.row_lower_ = np.asarray(lp.row_lo, dtype=float)
    model.row_upper_ = np.asarray(lp.row_hi, dtype=float)
    model.offset_ = float(lp.offset)
    a = sp.csc_matrix(lp.a)
    a.sort_indices()
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = a.indptr.astype(np.int32)
    model.a_matrix_.index_ = a.indices.astype(np.int32)
    model.a_matrix_.value_ = a.data.astype(float)
    is_mip = lp.integer is not None and bool(lp.integer.any())
    if is_mip:
        assert lp.integer is not None
        model.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in lp.integer
        ]
    h.setOptionValue("time_limit", max(time_limit_s, 1e-3))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.passModel(model)
    if is_mip and start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float)
        h.setSolution(sol)
    stopped = [False]
    if should_stop is not None and is_mip:

        def poll(event: object) -> None:
            if should_stop():
                stopped[0] = True
                event.interrupt()  # type: ignore[attr-defined]

        h.cbMipInterrupt.subscribe(poll)
    try:
        h.run()
    finally:
        if should_stop is not None and is_mip:
            h.cbMipInterrupt.clear()
    status = h.getModelStatus()
    info = h.getInfo()
    name = h.modelStatusToString(status)
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float) if sol.value_valid else np.zeros(0)
    has_x = x.size == n
    if status == highspy.HighsModelStatus.kOptimal:
        text = "optimal"
    elif status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        text = "infeasible"
    elif status == highspy.HighsModelStatus.kTimeLimit:
        text = "time_limit" if has_x else "time_limit_no_incumbent"
    elif status == highspy.HighsModelStatus.kInterrupt or stopped[0]:
        text = "interrupted" if has_x else "time_limit_no_incumbent"
    else:
        text = f"error: {name}"
    if not has_x or text in ("infeasible",) or text.startswith("error"):
        return LPResult(text, np.zeros(0), float("nan"), float("nan"), float("nan"), float("nan"), float("nan"))
    objective = float(lp.c @ x + lp.offset)
    viol = violation(lp, x)
    if is_mip:
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap)
        return LPResult(text, x, objective, bound, gap, viol, float("nan"), nodes=int(info.mip_node_count))
    y = np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else np.zeros(lp.a.shape[0])
    z = np.asarray(sol.col_dual, dtype=float) if sol.dual_valid else np.zeros(n)
    dual = dual_objective(lp, y, z)
    gap = abs(objective - dual) / max(1.0, abs(objective))
    kkt = kkt_residual(lp, x, y, z) if sol.dual_valid else float("nan")
    return LPResult(text, x, objective, dual, gap, viol, kkt, row_dual=y, col_dual=z)
