"""The convex subproblem of the SQP loop: an elastic QP in cvxpy, solved by HiGHS.

    minimise    g.p + 1/2 |L^T p|^2 + rho * sum(v)
    subject to  c + J p <= v,  v >= 0,  lo <= p <= hi

``L L^T`` is the (damped BFGS) model of the Lagrangian's curvature; ``v`` are elastic slacks
(Fletcher's S-l1-QP), so the subproblem is always feasible and the l1 merit function is
modelled exactly. Built once per shape (n variables, m constraints) with ``cp.Parameter``s,
DPP-compliant (asserted), cached per thread because cvxpy problems are not thread-safe.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

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


class ElasticQP:
    def __init__(self, n: int, m: int) -> None:
        self.n, self.m = n, m
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
        lt: np.ndarray,
        c: np.ndarray,
        jac: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        rho: float,
        time_limit_s: float = 10.0,
    ) -> QPResult:
        self.g.value, self.lt.value, self.c.value, self.jac.value = g, lt, c, jac
        self.lo.value, self.hi.value, self.rho.value = lo, hi, rho
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # inaccurate solutions are judged by the merit test
                self.problem.solve(solver=cp.HIGHS, threads=1, time_limit=max(time_limit_s, 1e-3))
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
        z_n, z_m = np.zeros(self.n), np.zeros(self.m)
        return QPResult(False, status, z_n, z_m, z_m, z_n, z_n)


def subproblem(n: int, m: int) -> ElasticQP:
    """This thread's QP of shape (n, m), built on first use."""
    cache: dict[tuple[int, int], ElasticQP] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (n, m)
    if key not in cache:
        cache[key] = ElasticQP(n, m)
    return cache[key]
