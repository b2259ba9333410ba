"""The SQP's subproblem backends on random elastic QPs: DAQP's rounds (``DaqpQP``) against HiGHS
(``HighsQP``), same QPs, same process, with the objective gap between them.

    python -m bench.qp_backends [--count 400] [--json]

The QPs (``random_elastic_qp``, also the cases of ``tests/unit/test_qp.py``) are sized like the
SQP's subproblems (6-30 levers, 4-25 rows) and built so that many rows end up elastic: penalties
from 0.05 to 1e5, and by seed a contradictory pair of rows, a violated row no step changes, a
duplicated row, or a trust region of 1e-6. Each backend object is built once per QP outside the
timing (the SQP keeps one per thread and shape).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass

import numpy as np
from planopt.solvers.qp import DaqpQP, HighsQP


@dataclass
class ElasticQP:
    g: np.ndarray
    h: np.ndarray
    c: np.ndarray
    jac: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    rho: float

    @property
    def args(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        return self.g, self.h, self.c, self.jac, self.lo, self.hi, self.rho

    def value(self, p: np.ndarray) -> float:
        """The elastic QP's objective at ``p`` (the slacks at their optimum, max(0, c + J p))."""
        return float(self.g @ p + 0.5 * p @ self.h @ p + self.rho * np.sum(np.maximum(self.c + self.jac @ p, 0.0)))


def random_elastic_qp(seed: int) -> ElasticQP:
    """The elastic QP of ``seed`` (module docstring; ``seed % 5`` picks the special row)."""
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(6, 31)), int(rng.integers(4, 26))
    a = rng.normal(size=(n, n))
    h = a @ a.T / n + 1e-3 * np.eye(n)
    g = rng.normal(size=n)
    jac = rng.normal(size=(m, n))
    c = rng.normal(size=m)
    kind = seed % 5
    if kind == 1:  # contradictory rows: the linearisation is infeasible
        jac[1], c[1] = -jac[0], 1.0 - c[0]
    elif kind == 2:  # a violated row that no step changes
        jac[0], c[0] = 0.0, abs(c[0]) + 0.1
    elif kind == 3:  # the same row twice
        jac[1], c[1] = jac[0], c[0]
    radius = 1e-6 if kind == 4 else 0.2
    lo, hi = -radius * np.ones(n), radius * np.ones(n)
    rho = float(rng.choice([0.05, 0.5, 5.0, 1e3, 1e5]))
    return ElasticQP(g, h, c, jac, lo, hi, rho)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    times: dict[str, list[float]] = {"daqp": [], "highs": []}
    answered = elastic = 0
    gap = 0.0
    for seed in range(args.count):
        qp = random_elastic_qp(seed)
        n, m = qp.jac.shape[1], qp.jac.shape[0]
        daqp, highs = DaqpQP(n, m), HighsQP(n, m)
        t = time.perf_counter()
        got = daqp.solve(*qp.args)
        times["daqp"].append(time.perf_counter() - t)
        t = time.perf_counter()
        ref = highs.solve(*qp.args)
        times["highs"].append(time.perf_counter() - t)
        answered += daqp.hard_solves
        elastic += daqp.elastic_solves
        if got.ok and ref.ok:
            gap = max(gap, (qp.value(got.step) - qp.value(ref.step)) / (1.0 + abs(qp.value(ref.step))))
    out = {
        "qps": args.count,
        "answered_by_daqp": answered,
        "with_violated_rows": elastic,
        "daqp_median_ms": 1e3 * statistics.median(times["daqp"]),
        "highs_median_ms": 1e3 * statistics.median(times["highs"]),
        "speedup_vs_highs": statistics.median(times["highs"]) / statistics.median(times["daqp"]),
        "max_relative_objective_excess_vs_highs": gap,
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
