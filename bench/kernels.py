"""The single-mode second-order kernel against forward over forward, same reps, same process.

    python -m bench.kernels [--repeats 300] [--json]

``single_mode_derivatives_at`` (outcomes, Jacobians and the Hessians of attainment, pay and
attrition, by second derivatives along fixed directions: ``surface._lever_derivatives``) against
the construction it replaced, forward over forward on the Jacobian of the same outcome function
(``surface._lever_jacobian`` then ``surface._lever_hessians``, as in
``tests/unit/test_hessian.py``). The demo team's reps, tiled to 48 / 192 / 384 (one lock-step
start, the demo's 4 lock-step starts, 8), at the demo's current plan. The two kernels are timed
alternately (warm, median of 5 rounds of ``--repeats`` calls each, the outputs copied to the
host), and each row reports their largest Hessian difference relative to each outcome's largest
entry in the demo's lever-range units.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
from planopt.solvers import surface as S
from planopt.solvers.model import PlanModel
from planopt.solvers.problem import demo_problem


@jax.jit
def forward_over_forward(lev: Any, p: S.RepParams, k: S.ModelConstants, located: Any) -> Any:
    def one(lv: Any, pp: S.RepParams, m: Any) -> Any:
        outcomes = functools.partial(S._single_mode_outcomes, p=pp, k=k, mode=m)
        y, jac = S._lever_jacobian(outcomes, lv)
        return y, jac, S._lever_hessians(outcomes, lv, k)

    return jax.vmap(one)(lev, p, located[:, 0])


KERNELS: dict[str, Callable[..., Any]] = {
    "directional": S.single_mode_derivatives_at,
    "forward_over_forward": forward_over_forward,
}


def _per_call_ms(kernel: Callable[..., Any], args: tuple[Any, ...], repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        [np.asarray(a) for a in kernel(*args)]
    return 1000.0 * (time.perf_counter() - start) / repeats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    problem = demo_problem()
    model = PlanModel(problem)
    base = np.asarray(problem.template.value, dtype=float)[model.lever_rows]
    width = (problem.template.upper - problem.template.lower)[0]
    box = np.outer(width, width)[None, None]
    for copies in (1, 4, 8):
        lev = np.concatenate([base] * copies)
        params = S.RepParams(*(np.tile(a, copies) for a in model.params))
        located = np.asarray(S.batch_locate(lev, params)[0])
        inputs = (lev, params, model.constants, located)
        hess = {name: np.asarray(kernel(*inputs)[2]) for name, kernel in KERNELS.items()}  # (also compiles)
        size = np.max(np.abs(hess["forward_over_forward"] * box), axis=(0, 2, 3))[None, :, None, None]
        gap = float(np.max(np.abs(hess["directional"] - hess["forward_over_forward"]) * box / size))
        times: dict[str, list[float]] = {name: [] for name in KERNELS}
        for _ in range(5):
            for name, kernel in KERNELS.items():
                times[name].append(_per_call_ms(kernel, inputs, args.repeats))
        ms = {name: statistics.median(t) for name, t in times.items()}
        row = {
            "reps": int(lev.shape[0]),
            "directional_ms": round(ms["directional"], 4),
            "forward_over_forward_ms": round(ms["forward_over_forward"], 4),
            "speedup": round(ms["forward_over_forward"] / ms["directional"], 2),
            "hessian_gap_range_units": gap,
        }
        print(json.dumps(row) if args.json else " ".join(f"{key}={value}" for key, value in row.items()), flush=True)


if __name__ == "__main__":
    main()
