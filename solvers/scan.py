"""Lever scan: a global search along each single lever at a local optimum.

Why. On M (1,000 reps, 12 role cells) the SQP converges to one of several strict local optima
that differ almost only in a role's cap: role R1-S1's cap at 2.11, 2.98 or 1.5, R2-S0's at 1.96
or 3.0, each choice worth 1e-3 to 1.4e-3 points of the scaled objective (bench/README.md, session
14). Which one a start reaches depends on its path, and 4 starts often miss the best (IPOPT
found it on 8 of 8 start seeds, we on 2). The landscape along one lever is multimodal because a
cap (or threshold, or accelerator) only changes the behaviour of the few reps whose effort modes
sit near it.

What. At a KKT point (z*, lambda*) of the scaled problem, the scaled Lagrangian
``f + lambda* . c`` is evaluated with one lever of one role moved to each of ``SCAN_POINTS``
values across its bounds, the others held. A lever changes only its own role's reps, so one
surface evaluation with a lever column set to a value for *every* role prices all roles' moves
at once: each role's move is the optimum's cell sums with that role's cells taken from the
evaluation (``PlanModel.cell_stats``, ``PlanModel.values_from_stats``). So the scan costs
6 x ``SCAN_POINTS`` first-order surface evaluations (no derivatives), whatever the number of
roles. Every role's best move that lowers the Lagrangian by more than the caller's tolerance is
applied; the caller re-solves from there and keeps the result only if it is a better KKT point
(``optimize``): the scan can move the answer to a better optimum, never to a worse one.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from planopt.solvers.surface import N_LEVERS

if TYPE_CHECKING:
    from planopt.solvers.optimize import ScaledProblem

SCAN_POINTS = 8  # values per lever, evenly spaced across its bounds (both included)
# Rosters above this size are not scanned: the scan evaluates the surface for 1 + 6 x SCAN_POINTS
# plans, ~2 us per rep and plan on this 2-core box (M: ~0.1 s; 5,000 reps: ~1 s; L would take
# ~10 s). A large roster is scanned where its sample stage solves (``SolveOptions.sample_reps``).
SCAN_MAX_REPS = 5_000
# At most this many reps (plans x roster) per surface pass: the transient lever, parameter and
# outcome arrays stay under ~20 MB.
SCAN_BATCH_REPS = 131_072


def improving_moves(
    fun: ScaledProblem, z: np.ndarray, lam: np.ndarray, tol: float, deadline: float
) -> tuple[np.ndarray, float] | None:
    """The point ``z`` with each role's best single-lever move applied (those lowering the scaled
    Lagrangian by more than ``tol``) and the predicted decrease (the sum of the moves'), or None
    when no move qualifies, the model has no cell-sum form of its constraints (the simulated
    risk measure), the roster is over ``SCAN_MAX_REPS`` or the deadline passes."""
    if not fun.model.has_exact_hessian or fun.model.n > SCAN_MAX_REPS or fun.space.n == 0:
        return None
    moves = best_moves(fun, z, lam, deadline)
    if moves is None:
        return None
    position, value, gain = moves
    moved = (position >= 0) & (gain > tol)
    if not moved.any():
        return None
    out = z.copy()
    out[position[moved]] = value[moved]
    return out, float(np.sum(gain[moved]))


def best_moves(
    fun: ScaledProblem, z: np.ndarray, lam: np.ndarray, deadline: float = float("inf")
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per role (R,): the position in ``z`` of its best single-lever move over the scan grid
    (-1: the role has no free lever), the value it moves to, and the decrease of the scaled
    Lagrangian ``f + lam . c`` it brings (may be negative: no move helps). None if the deadline
    passes first."""
    model, space = fun.model, fun.space
    roles = len(model.roles)
    position = np.full(roles * N_LEVERS, -1)
    position[space.idx] = np.arange(space.n)
    position = position.reshape(roles, N_LEVERS)
    sign, bound, scale = model.spec_arrays
    weights = lam if lam.size else np.zeros(len(fun.specs))

    def lagrangian(stats: np.ndarray, levers: np.ndarray) -> np.ndarray:
        objective, values = model.values_from_stats(stats, levers)
        return -objective / fun.obj_scale + (sign * (values - bound) / scale) @ weights

    levers0 = space.levers(z)
    grid = np.linspace(0.0, 1.0, SCAN_POINTS)
    columns = [c for c in range(N_LEVERS) if np.any(position[:, c] >= 0)]
    # plan 0: the optimum; then, per column and value, that column moved for every role
    plans = [levers0]
    for column in columns:
        pos = position[:, column][position[:, column] >= 0]
        for value in grid:
            zz = z.copy()
            zz[pos] = value
            plans.append(space.levers(zz))
    group = max(1, SCAN_BATCH_REPS // model.n)  # plans per surface pass (bounds the memory)
    parts = []
    for first in range(0, len(plans), group):
        if time.monotonic() > deadline:
            return None
        parts.append(model.cell_stats(model.batch_values(np.stack(plans[first : first + group]))))
    stats = np.concatenate(parts)  # (plans, C, S)
    stats0 = stats[0]
    base = float(lagrangian(stats0[None], levers0[None])[0])
    best_gain = np.full(roles, -np.inf)
    best_move = np.full(roles, -1)  # the position (index into z) moved
    best_value = np.zeros(roles)
    k = 1
    points = grid.size
    for column in columns:
        movable = np.flatnonzero(position[:, column] >= 0)
        pos = position[movable, column]
        b = movable.size
        own = model.cell_role[None, :] == movable[:, None]  # (B, C): each movable role's cells
        # every grid value of this column at once: row v * B + i is role movable[i] at grid[v]
        batch_stats = np.where(own[None, :, :, None], stats[k : k + points, None], stats0[None, None])
        batch_levers = np.repeat(levers0[None], points * b, axis=0).reshape(points, b, *levers0.shape)
        moved = np.stack([plans[k + v][movable, column] for v in range(points)])  # (V, B)
        batch_levers[:, np.arange(b), movable, column] = moved
        k += points
        gains = base - lagrangian(
            batch_stats.reshape(points * b, *stats0.shape), batch_levers.reshape(points * b, *levers0.shape)
        )
        for value, gain in zip(grid, gains.reshape(points, b), strict=True):  # in grid order: ties keep the first
            better = np.isfinite(gain) & (gain > best_gain[movable])
            rows = movable[better]
            best_gain[rows] = gain[better]
            best_move[rows] = pos[better]
            best_value[rows] = value
    return best_move, best_value, best_gain
