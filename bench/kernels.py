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

Then mode location's brackets (``surface._brackets``: the two best grid maxima of each rep's V,
by a max and a min over indices, ``surface._first_argmax``) against the same function with
``jnp.argmax`` (what it replaced: XLA's CPU arg-max is not vectorised), on the grid values of
the demo's reps tiled to 192 and 1,024 (a lock-step pass, a large chunk): alternating, with
whether the brackets are identical.

Last, the two-mode kernel (``surface.two_mode_derivatives_at``: each rep's two modes and valley
differentiated as one batch of stationary points, the mixture composed by the chain rule)
against what it replaced in the model, ``jacobian_at`` then ``hessian_at`` (forward mode through
the whole mixture), on a block of ``TWO_MODE_BLOCK`` reps that all have two effort modes (drawn
over behaviour ranges where many do, at one plan): alternating, with the largest Jacobian and
Hessian differences relative to each lever's / outcome's largest entry, and each construction's
compile time (first call).
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
import jax.numpy as jnp
import numpy as np
from planopt.solvers import surface as S
from planopt.solvers.model import TWO_MODE_BLOCK, PlanModel
from planopt.solvers.problem import demo_problem


@jax.jit
def forward_over_forward(lev: Any, p: S.RepParams, k: S.ModelConstants, located: Any) -> Any:
    def one(lv: Any, pp: S.RepParams, m: Any) -> Any:
        outcomes = functools.partial(S._single_mode_outcomes, p=pp, k=k, mode=m)
        y, jac = S._lever_jacobian(outcomes, lv)
        return y, jac, S._lever_hessians(outcomes, lv, k)

    return jax.vmap(one)(lev, p, located[:, 0])


def _argmax_brackets(grid: Any, v: Any) -> Any:
    """``surface._brackets`` with ``jnp.argmax`` (the construction before session 21)."""
    left = jnp.concatenate([jnp.array([-jnp.inf]), v[:-1]])
    right = jnp.concatenate([v[1:], jnp.array([-jnp.inf])])
    score = jnp.where((v >= left) & (v > right), v, -jnp.inf)
    first = jnp.argmax(score)
    second = jnp.argmax(jnp.where(jnp.arange(S.GRID_POINTS) == first, -jnp.inf, score))
    idx = jnp.stack([first, second])
    last, spacing = S.GRID_POINTS - 1, grid[1] - grid[0]
    lo = jnp.where(idx == 0, grid[jnp.maximum(idx - 1, 0)] - spacing, grid[jnp.maximum(idx - 1, 0)])
    hi = jnp.where(idx == last, grid[jnp.minimum(idx + 1, last)] + spacing, grid[jnp.minimum(idx + 1, last)])
    return jnp.stack([grid[idx], lo, hi]), jnp.isfinite(score[idx])


BRACKETS: dict[str, Callable[..., Any]] = {
    "max_min": jax.jit(jax.vmap(S._brackets)),
    "argmax": jax.jit(jax.vmap(_argmax_brackets)),
}


def _whole_mixture(lev: Any, p: S.RepParams, k: S.ModelConstants, located: Any, exists: Any) -> Any:
    """The model's two-mode derivatives before session 22: the general kernels."""
    y, jac = S.jacobian_at(lev, p, k, located, exists)
    return y, jac, S.hessian_at(lev, p, k, located, exists)


TWO_MODE: dict[str, Callable[..., Any]] = {"composed": S.two_mode_derivatives_at, "whole_mixture": _whole_mixture}


def two_mode_block(seed: int = 0) -> tuple[np.ndarray, S.RepParams, S.ModelConstants, np.ndarray, np.ndarray]:
    """``TWO_MODE_BLOCK`` reps with two effort modes at one plan: levers, parameters, constants,
    located modes and existence (the behaviour ranges of the tests' two-mode rosters)."""
    rng = np.random.default_rng(seed)
    n = 512
    params = S.RepParams(
        mu=rng.uniform(0.1, 1.2, n),
        sigma=rng.uniform(0.1, 0.3, n),
        cost=rng.uniform(2e5, 6e5, n),
        risk=rng.uniform(0, 2e-5, n),
        outside=rng.uniform(9e4, 1.5e5, n),
        productivity=np.ones(n),
    )
    lev = np.tile([100e3, 110e3, 0.5, 0.6, 2.5, 2.8], (n, 1))
    located, exists = (np.asarray(a) for a in S.batch_locate(lev, params))
    two = np.flatnonzero(exists[:, 0] & exists[:, 1])[:TWO_MODE_BLOCK]
    assert two.size == TWO_MODE_BLOCK, two.size
    constants = S.ModelConstants(np.asarray(1000.0), np.asarray(15000.0))
    return lev[two], S.RepParams(*(a[two] for a in params)), constants, located[two], exists[two]


KERNELS: dict[str, Callable[..., Any]] = {
    "directional": S.single_mode_derivatives_at,
    "forward_over_forward": forward_over_forward,
}


def _per_call_ms(kernel: Callable[..., Any], args: tuple[Any, ...], repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        [np.asarray(a) for a in kernel(*args)]
    return 1000.0 * (time.perf_counter() - start) / repeats


def _alternating_ms(kernels: dict[str, Callable[..., Any]], inputs: tuple[Any, ...], repeats: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in kernels}
    for _ in range(5):
        for name, kernel in kernels.items():
            times[name].append(_per_call_ms(kernel, inputs, repeats))
    return {name: statistics.median(t) for name, t in times.items()}


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
        ms = _alternating_ms(KERNELS, inputs, args.repeats)
        row = _row("second_order", int(lev.shape[0]), ms, "directional", "forward_over_forward")
        _emit({**row, "hessian_gap_range_units": gap}, args.json)
    for reps in (192, 1024):
        rows = np.arange(reps) % model.n
        grid_values = S._batch_grid_values(base[rows], S.RepParams(*(a[rows] for a in model.params)))
        out = {name: [np.asarray(a) for a in fn(*grid_values)] for name, fn in BRACKETS.items()}
        same = all(np.array_equal(a, b) for a, b in zip(out["max_min"], out["argmax"], strict=True))
        ms = _alternating_ms(BRACKETS, grid_values, args.repeats)
        _emit({**_row("brackets", reps, ms, "max_min", "argmax"), "identical": same}, args.json)
    inputs = two_mode_block()
    compile_s, out = {}, {}
    for name, kernel in TWO_MODE.items():
        start = time.perf_counter()
        out[name] = [np.asarray(a) for a in kernel(*inputs)]
        compile_s[name] = time.perf_counter() - start
    (_, jac, hess), (_, jac_ref, hess_ref) = out["composed"], out["whole_mixture"]
    ms = _alternating_ms(TWO_MODE, inputs, args.repeats)
    row = {
        **_row("two_mode", TWO_MODE_BLOCK, ms, "composed", "whole_mixture"),
        "composed_compile_s": round(compile_s["composed"], 1),
        "whole_mixture_compile_s": round(compile_s["whole_mixture"], 1),
        "jacobian_gap": float(np.max(np.abs(jac - jac_ref) / np.max(np.abs(jac_ref), axis=(0, 1)))),
        "hessian_gap": float(np.max(np.abs(hess - hess_ref) / np.max(np.abs(hess_ref), axis=(0, 2, 3))[:, None, None])),
    }
    _emit(row, args.json)


def _row(kernel: str, reps: int, ms: dict[str, float], new: str, old: str) -> dict[str, Any]:
    """A comparison row: each construction's median ms per call and the old one's time over
    the new one's."""
    return {
        "kernel": kernel,
        "reps": reps,
        f"{new}_ms": round(ms[new], 4),
        f"{old}_ms": round(ms[old], 4),
        "speedup": round(ms[old] / ms[new], 2),
    }


def _emit(row: dict[str, Any], as_json: bool) -> None:
    print(json.dumps(row) if as_json else " ".join(f"{key}={value}" for key, value in row.items()), flush=True)


if __name__ == "__main__":
    main()
