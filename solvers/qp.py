"""The convex subproblem of the SQP loop: an elastic QP solved by HiGHS.

    minimise    g.p + 1/2 p^T H p + rho * sum(v)
    subject to  c + J p <= v,  v >= 0,  lo <= p <= hi

``H`` is the (damped BFGS) model of the Lagrangian's curvature; ``v`` are elastic slacks
(Fletcher's S-l1-QP), so the subproblem is always feasible and the l1 merit function is
modelled exactly.

Two interchangeable backends, both HiGHS, cached per thread (neither cvxpy problems nor Highs
objects are thread-safe; HiGHS runs with threads=1):

* ``CvxpyQP``: the reference formulation in cvxpy, built once per shape (n, m) with
  ``cp.Parameter``s, DPP asserted (H enters as ``|L^T p|^2`` with ``L L^T = H``).
* ``HighsQP``: the same QP passed straight to highspy. cvxpy's per-solve parameter
  canonicalisation costs ~10 ms on the demo problem against ~0.3 ms for HiGHS itself, and the
  SQP solves one QP per iteration. ``tests/unit/test_qp.py`` checks that both backends return
  the same step and multipliers.
* ``DaqpQP`` (default): most subproblems have feasible linearised constraints and multipliers
  below ``rho``, and then the elastic QP's solution has ``v = 0`` and is that of the QP with
  hard constraints (the elastic KKT conditions hold with the same multipliers). That dense QP
  goes to DAQP (a dual active-set method for small dense QPs, in C): 0.02 ms on the demo's
  6-lever subproblem against 0.45 ms for HiGHS, 0.22 vs 7.2 ms at 72 levers x 60 rows, with KKT
  residuals ~1e-14 against HiGHS' ~1e-8. The other subproblems (an infeasible linearisation, a
  multiplier at ``rho``) DAQP solves as a few hard QPs over a guessed set of violated rows
  (``DaqpQP``); only when that fails (a cycling guess, a DAQP failure) does ``HighsQP`` answer.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass

import clarabel
import cvxpy as cp
import daqp
import highspy
import numpy as np
from scipy import sparse

_local = threading.local()


@dataclass
class QPResult:
    ok: bool
    status: str
    step: np.ndarray  # p
    slack: np.ndarray  # v
    multipliers: np.ndarray  # lambda >= 0 for c + J p <= v
    lower_multipliers: np.ndarray  # for p >= lo
    upper_multipliers: np.ndarray  # for p <= hi


class CvxpyQP:
    def __init__(self, n: int, m: int, solver: str = "HIGHS") -> None:
        self.n, self.m = n, m
        self.solver = solver
        self.p = cp.Variable(n)
        self.v = cp.Variable(m, nonneg=True)
        self.g = cp.Parameter(n)
        self.lt = cp.Parameter((n, n))
        self.c = cp.Parameter(m)
        self.jac = cp.Parameter((m, n))
        self.lo = cp.Parameter(n)
        self.hi = cp.Parameter(n)
        self.rho = cp.Parameter(nonneg=True)
        self.cons = [self.c + self.jac @ self.p <= self.v, self.p >= self.lo, self.p <= self.hi]
        objective = self.g @ self.p + 0.5 * cp.sum_squares(self.lt @ self.p) + self.rho * cp.sum(self.v)
        self.problem = cp.Problem(cp.Minimize(objective), self.cons)
        assert self.problem.is_dpp(), "the SQP subproblem must be DPP (built once, re-solved)"

    def solve(
        self,
        g: np.ndarray,
        h: np.ndarray,
        c: np.ndarray,
        jac: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        rho: float,
        time_limit_s: float = 10.0,
    ) -> QPResult:
        self.g.value, self.lt.value, self.c.value, self.jac.value = g, cholesky_t(h), c, jac
        self.lo.value, self.hi.value, self.rho.value = lo, hi, rho
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # inaccurate solutions are judged by the merit test
                if self.solver == "HIGHS":
                    self.problem.solve(solver=cp.HIGHS, threads=1, time_limit=max(time_limit_s, 1e-3))
                else:
                    self.problem.solve(solver=self.solver, time_limit=max(time_limit_s, 1e-3))
        except cp.error.SolverError as exc:
            return self._failed(f"solver error: {exc}")
        status = self.problem.status
        # cvxpy can report a status with zeros when a limit hits before an incumbent: only an
        # optimal (or optimal_inaccurate) primal-dual pair is trusted.
        if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or self.p.value is None:
            return self._failed(str(status))
        return QPResult(
            ok=True,
            status=str(status),
            step=np.asarray(self.p.value, dtype=float),
            slack=np.asarray(self.v.value, dtype=float),
            multipliers=np.maximum(np.asarray(self.cons[0].dual_value, dtype=float), 0.0),
            lower_multipliers=np.maximum(np.asarray(self.cons[1].dual_value, dtype=float), 0.0),
            upper_multipliers=np.maximum(np.asarray(self.cons[2].dual_value, dtype=float), 0.0),
        )

    def _failed(self, status: str) -> QPResult:
        return _failed(self.n, self.m, status)


def cholesky_t(h: np.ndarray) -> np.ndarray:
    """L^T with L L^T = h (+ a tiny diagonal shift if h is only semidefinite)."""
    n = h.shape[0]
    reg = 1e-10 * max(1.0, float(np.max(np.abs(np.diag(h))))) if n else 0.0
    for _ in range(8):
        try:
            return np.linalg.cholesky(h + reg * np.eye(n)).T
        except np.linalg.LinAlgError:
            reg *= 100.0
    return np.eye(n)


class ClarabelQP:
    """The same elastic QP passed straight to Clarabel (interior point): HiGHS' fallback.

    Through cvxpy the fallback cost ~0.1 s per QP on M (canonicalisation), directly ~2 ms.
    Rows (A x + s = b, s >= 0) over x = [p, v]: c + J p - v <= 0, -v <= 0, p <= hi, -p <= -lo.
    """

    def __init__(self, n: int, m: int) -> None:
        self.n, self.m = n, m
        self.settings = clarabel.DefaultSettings()
        self.settings.verbose = False

    def solve(
        self,
        g: np.ndarray,
        h: np.ndarray,
        c: np.ndarray,
        jac: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        rho: float,
        time_limit_s: float = 10.0,
    ) -> QPResult:
        n, m = self.n, self.m
        eye_n, eye_m = sparse.identity(n, format="csc"), sparse.identity(m, format="csc")
        zero_mn, zero_nm = sparse.csc_matrix((m, n)), sparse.csc_matrix((n, m))
        a = sparse.vstack(
            [
                sparse.hstack([sparse.csc_matrix(np.asarray(jac, dtype=float)), -eye_m]),
                sparse.hstack([zero_mn, -eye_m]),
                sparse.hstack([eye_n, zero_nm]),
                sparse.hstack([-eye_n, zero_nm]),
            ],
            format="csc",
        )
        b = np.concatenate([-np.asarray(c, dtype=float), np.zeros(m), hi, -lo])
        hess = np.zeros((n + m, n + m))
        hess[:n, :n] = 0.5 * (h + h.T)
        q = np.concatenate([g, np.full(m, rho)])
        self.settings.time_limit = max(time_limit_s, 1e-3)
        solver = clarabel.DefaultSolver(
            sparse.triu(sparse.csc_matrix(hess), format="csc"),
            q,
            a,
            b,
            [clarabel.NonnegativeConeT(2 * (m + n))],
            self.settings,
        )
        sol = solver.solve()
        status = str(sol.status)
        if status not in ("Solved", "AlmostSolved"):
            return _failed(n, m, status)
        x, z = np.asarray(sol.x), np.maximum(np.asarray(sol.z), 0.0)
        return QPResult(
            ok=True,
            status="optimal" if status == "Solved" else "optimal_inaccurate",
            step=x[:n].copy(),
            slack=np.maximum(x[n:], 0.0),
            multipliers=z[:m].copy(),
            lower_multipliers=z[2 * m + n :].copy(),
            upper_multipliers=z[2 * m : 2 * m + n].copy(),
        )


class HighsQP:
    """The elastic QP passed directly to highspy (columns [p, v], rows c + J p - v <= 0)."""

    def _fall_back(self, *args: object) -> QPResult:
        *qp_args, reason = args
        return _fall_back_solve(self, tuple(qp_args), str(reason))

    def __init__(self, n: int, m: int) -> None:
        self.n, self.m = n, m
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        # HiGHS' active-set QP can cycle on degenerate subproblems (seen: 1.5M iterations on a
        # 6-variable QP). A small iteration cap detects that in milliseconds; the solve then
        # falls back to an interior-point method (Clarabel, called directly).
        self.highs.setOptionValue("qp_iteration_limit", 50 * (n + m) + 500)
        self._fallback: ClarabelQP | None = None
        # Row-major J with the -I of the slacks, as a column-wise sparse matrix: column k < n
        # holds J[:, k]; column n + j holds -1 in row j.
        self._start = np.concatenate([np.arange(n + 1) * m, n * m + np.arange(1, m + 1)]).astype(np.int32)
        self._index = np.concatenate([np.tile(np.arange(m), n), np.arange(m)]).astype(np.int32)
        tri = np.tril_indices(n)
        # HiGHS triangular Hessian: lower triangle, column-wise.
        order = np.lexsort((tri[0], tri[1]))
        self._h_rows, self._h_cols = tri[0][order], tri[1][order]
        self._h_start = np.concatenate([[0], np.cumsum(np.bincount(self._h_cols, minlength=n))]).astype(np.int32)
        self._h_start = np.concatenate([self._h_start, np.full(m, self._h_start[-1])]).astype(np.int32)

    def solve(
        self,
        g: np.ndarray,
        h: np.ndarray,
        c: np.ndarray,
        jac: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        rho: float,
        time_limit_s: float = 10.0,
    ) -> QPResult:
        n, m = self.n, self.m
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = n + m
        lp.num_row_ = m
        lp.col_cost_ = np.concatenate([g, np.full(m, rho)])
        lp.col_lower_ = np.concatenate([lo, np.zeros(m)])
        lp.col_upper_ = np.concatenate([hi, np.full(m, inf)])
        lp.row_lower_ = np.full(m, -inf)
        lp.row_upper_ = -np.asarray(c, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self._start
        lp.a_matrix_.index_ = self._index
        lp.a_matrix_.value_ = np.concatenate([np.asarray(jac, dtype=float).T.ravel(), -np.ones(m)])
        hess = highspy.HighsHessian()
        hess.dim_ = n + m
        hess.format_ = highspy.HessianFormat.kTriangular
        hess.start_ = self._h_start
        hess.index_ = self._h_rows.astype(np.int32)
        hess.value_ = np.asarray(h, dtype=float)[self._h_rows, self._h_cols]
        model = highspy.HighsModel()
        model.lp_ = lp
        model.hessian_ = hess
        self.highs.clearSolver()
        # HiGHS' run clock is cumulative over the life of the instance: the limit is absolute.
        self.highs.setOptionValue("time_limit", self.highs.getRunTime() + max(time_limit_s, 1e-3))
        self.highs.passModel(model)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return self._fall_back(g, h, c, jac, lo, hi, rho, time_limit_s, self.highs.modelStatusToString(status))
        sol = self.highs.getSolution()
        if not sol.value_valid or not sol.dual_valid:
            return self._fall_back(g, h, c, jac, lo, hi, rho, time_limit_s, "no valid primal-dual solution")
        x = np.asarray(sol.col_value)
        # Trust but verify: (p, v) = (0, max(c, 0)) is feasible, so an optimal answer cannot be
        # worse. HiGHS' QP has returned "optimal" points that are (seen on the M instance).
        p = x[:n]
        value = g @ p + 0.5 * p @ h @ p + rho * np.sum(np.maximum(c + jac @ p, 0.0))
        at_zero = rho * np.sum(np.maximum(c, 0.0))
        if value > at_zero + 1e-9 * (1.0 + abs(at_zero)):
            return self._fall_back(g, h, c, jac, lo, hi, rho, time_limit_s, "HiGHS optimum worse than p = 0")
        col_dual = np.asarray(sol.col_dual)[:n]
        return QPResult(
            ok=True,
            status="optimal",
            step=p.copy(),
            slack=np.maximum(x[n:], 0.0),
            # HiGHS: row dual of an active "<=" row is <= 0 in a minimisation.
            multipliers=np.maximum(-np.asarray(sol.row_dual), 0.0),
            lower_multipliers=np.maximum(col_dual, 0.0),
            upper_multipliers=np.maximum(-col_dual, 0.0),
        )


def _fall_back_solve(qp: HighsQP, args: tuple, reason: str) -> QPResult:  # type: ignore[type-arg]
    if qp._fallback is None:
        qp._fallback = ClarabelQP(qp.n, qp.m)
    result = qp._fallback.solve(*args)
    result.status = f"{result.status} (Clarabel after HiGHS: {reason})"
    return result


def _failed(n: int, m: int, status: str) -> QPResult:
    z_n, z_m = np.zeros(n), np.zeros(m)
    return QPResult(False, status, z_n, z_m, z_m, z_n, z_n)


class DaqpQP:
    """The elastic QP as a short sequence of hard-constrained QPs by DAQP, else ``HighsQP``
    (module docstring). ``status`` says which: "optimal" (DAQP) or HiGHS' own status.

    The elastic QP is convex, and its KKT conditions say: each row's multiplier is rho where the
    linearised row ``r_j = c_j + J_j p`` is violated, 0 where it holds strictly, anything in
    [0, rho] at r_j = 0. So for a guess E of the violated rows, the QP

        minimise g.p + 1/2 p^T H p + rho * sum_{j in E} J_j p
        subject to r_j <= 0 (j not in E),  r_j >= 0 (j in E),  lo <= p <= hi

    answers the elastic QP exactly when its multipliers say the guess was right: those of the
    rows outside E are at most rho, and those (nu_j) of the rows in E at most rho (the elastic
    multiplier of such a row is rho - nu_j). Otherwise the rows that break it change sides and
    the QP is re-solved (``ELASTIC_ROUNDS`` at most; E = {} first, then the rows whose multiplier
    exceeds rho, or, if the linearisation is infeasible, the rows p = 0 violates). Before these
    rounds HiGHS answered 8 of the demo solve's 36 subproblems and 62 of M's 155 (seed 0), at
    0.84 / 3.7 ms each. A guess that cycles, an infeasible QP or a DAQP failure goes to
    ``HighsQP``."""

    ELASTIC_ROUNDS = 6

    def __init__(self, n: int, m: int) -> None:
        self.n, self.m = n, m
        self.elastic = HighsQP(n, m)
        self._sense = np.zeros(n + m, dtype=np.int32)
        self._infinite = np.full(m, 1e30)  # DAQP's "no bound" (its default infinity)
        self.hard_solves = 0  # subproblems DAQP answered (the rest went to HiGHS)
        self.elastic_solves = 0  # of those, the ones with violated rows (E non-empty)

    def solve(
        self,
        g: np.ndarray,
        h: np.ndarray,
        c: np.ndarray,
        jac: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        rho: float,
        time_limit_s: float = 10.0,
    ) -> QPResult:
        n, m = self.n, self.m
        c = np.asarray(c, dtype=float)
        g = np.asarray(g, dtype=float)
        jac = np.ascontiguousarray(jac, dtype=float)
        hh = np.ascontiguousarray(0.5 * (h + h.T), dtype=float)
        stop = time.monotonic() + max(time_limit_s, 1e-3)  # all rounds together
        inside = np.zeros(m, dtype=bool)  # E
        seen: set[bytes] = set()
        for _ in range(self.ELASTIC_ROUNDS):
            seen.add(inside.tobytes())
            upper = np.where(inside, self._infinite, -c)
            lower = np.where(inside, -c, -self._infinite)
            x, _, flag, info = daqp.solve(
                hh,
                g + rho * (jac[inside].sum(axis=0) if inside.any() else 0.0),
                jac,
                np.concatenate([hi, upper]),
                np.concatenate([lo, lower]),
                self._sense.copy(),
                primal_tol=1e-10,
                time_limit=max(stop - time.monotonic(), 1e-3),
            )
            if flag != 1 or not np.all(np.isfinite(x)):
                if flag == -1 and not inside.any() and np.any(c > 0.0):
                    inside = c > 0.0  # infeasible linearisation: the rows p = 0 violates
                    continue
                break
            lam = np.asarray(info["lam"], dtype=float)
            rows = lam[n:]
            # elastic multipliers: rows outside E their own, rows in E rho minus theirs
            mult = np.where(inside, rho + np.minimum(rows, 0.0), np.maximum(rows, 0.0))
            wrong_out = ~inside & (mult > rho * (1.0 + 1e-9))
            wrong_in = inside & (mult < -rho * 1e-9)
            if not (wrong_out.any() or wrong_in.any()):
                self.elastic_solves += int(inside.any())
                slack = np.where(inside, np.maximum(c + jac @ x, 0.0), 0.0)
                return self._answer(x, slack, np.clip(mult, 0.0, rho), lam)
            inside = (inside | wrong_out) & ~wrong_in
            if inside.tobytes() in seen:
                break
        return self.elastic.solve(g, h, c, jac, lo, hi, rho, max(stop - time.monotonic(), 1e-3))

    def _answer(self, x: np.ndarray, slack: np.ndarray, mult: np.ndarray, lam: np.ndarray) -> QPResult:
        n = self.n
        self.hard_solves += 1
        return QPResult(
            ok=True,
            status="optimal",
            step=np.asarray(x, dtype=float).copy(),
            slack=slack,
            multipliers=mult,
            lower_multipliers=np.maximum(-lam[:n], 0.0),
            upper_multipliers=np.maximum(lam[:n], 0.0),
        )


Subproblem = CvxpyQP | HighsQP | DaqpQP
BACKENDS: dict[str, type[Subproblem]] = {"daqp": DaqpQP, "highs": HighsQP, "cvxpy": CvxpyQP}


def subproblem(n: int, m: int, backend: str = "daqp") -> Subproblem:
    """This thread's QP of shape (n, m) for a backend, built on first use."""
    cache: dict[tuple[str, int, int], Subproblem] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (backend, n, m)
    if key not in cache:
        cache[key] = BACKENDS[backend](n, m)
    return cache[key]
