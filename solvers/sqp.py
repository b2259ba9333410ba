"""Trust-region S-l1-QP (sequential quadratic programming with an exact l1 merit function).

Problem (scaled):  minimise f(z)  s.t.  c(z) <= 0,  0 <= z <= 1.

At each iterate the elastic QP (``qp.py``) is solved with a convex model of the Lagrangian's
Hessian (exact second order with |eigenvalues| by default, the flipped negative ones relaxed
while the model keeps under-predicting; damped BFGS or finite differences selectable) and an
infinity-norm trust region; the step is accepted when the l1 merit ``f + rho * sum(max(0, c))``
decreases by a fair share of what the QP model predicted. The
penalty ``rho`` is kept above the multipliers (exactness of the l1 penalty), and lowered again
(a few times per start) when a feasible iterate's multipliers are far below it. A second-order
correction step is tried when a step is rejected (Maratos effect). Stops when the KKT
residual and the violation are below tolerance.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Generator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import numpy as np
from planopt.solvers.qp import QPResult, subproblem
from threadpoolctl import ThreadpoolController

P = ParamSpec("P")
R = TypeVar("R")
# A trust radius that binds step after step while the model predicts fairly (ratio >= CRAWL_RATIO
# but <= 0.75) is doubled after CRAWL_STEPS such steps: on L the SQP from a sample optimum
# otherwise crawled along a flat ridge at radius 1e-3..1e-2 with ratios 0.55-0.65 for 60 steps.
CRAWL_STEPS = 3
CRAWL_RATIO = 0.5
# A curvature model from a sample of reps (``refine_curvature``) is refined after STUCK_STEPS
# accepted steps in a row that the trust radius cut without it growing: a sound model earns a
# larger radius as its steps shrink (its error is third order), a biased one does not. On L
# (48 sampled reps per cell) the ratios alternated ~0.7 / ~0.35 at a radius of 1.7e-4 (the crawl
# rule above needs three >= 0.5 in a row) and the SQP took its 200 iterations (66 s) without
# converging; with this rule it converges in 59 (24 s; bench/README.md, session 24).
STUCK_STEPS = 6
_TRACE = bool(os.environ.get("PLANOPT_SQP_TRACE"))
QP_TIME_LIMIT_S = 1.0  # one subproblem; HiGHS' active-set QP can stall on degenerate models
# Restoration before the deadline (``solve(restore=True)``): when no feasible point has been
# found, the iterate is within RESTORE_VIOLATION (scaled units: 1 = one point of cost of sales)
# of feasibility and the time left is under RESTORE_MARGIN x the longest iteration so far, the
# last iteration is spent on (at most RESTORE_STEPS) minimum-norm steps onto the linearised
# constraints instead: a caller with a tight deadline gets a feasible plan, not none (L with the
# default 10 s ended 2.9e-5 short of feasibility without it).
RESTORE_VIOLATION = 1e-2
RESTORE_MARGIN = 1.5
RESTORE_STEPS = 2
RESTORE_PENALTY = 1e4
# The l1 penalty is lowered back to twice the multipliers when the iterate is feasible and the
# penalty exceeds that by PENALTY_EXCESS, at most PENALTY_LOWERINGS times per start.
PENALTY_EXCESS = 10.0
PENALTY_LOWERINGS = 3
# ... once the iterate is within PENALTY_LOWER_VIOLATION (scaled units: 1e-3 of a point) of
# feasibility, not only within the feasibility tolerance: what is left is the curvature of the
# active constraints, and the QP's multipliers (far below rho, so not elastic ones) are the real
# ones. On M seed 3 a random start raised rho to the cap while infeasible, then crawled 8 steps at
# a violation of 1.9e-6 and 34 at 1e-5..5e-4 with rho = 372, ratios 0.1-0.5 (185 iterations in
# all); with this, 127. M seeds 0-19: 2,235 -> 2,155 iterations, no seed more (bench/README.md,
# session 25).
PENALTY_LOWER_VIOLATION = 1e-3
# A start given up once another start holds a feasible plan (``solve(held=...)``), when its
# penalty has climbed to ABANDON_PENALTY (scaled units: 1,000 points of the objective per point of
# violation, far above any multiplier of a real plan; M's penalties settle at 20-160, twice the
# multipliers) while it is still more than ABANDON_VIOLATION infeasible. The penalty climbs like
# that only while the linearised constraints cannot be met inside the trust region step after step
# (each elastic multiplier equals rho, and rho doubles): the start is searching for feasibility
# alone, from far away. On M seeds 0-39 it stops 10 of 160 starts (after 8-17 iterations); run on,
# 5 of them stalled infeasible after 30-42 iterations and 5 took 44-62 to converge to optima no
# better than the seed's answer. M seeds 0-19: 2,155 -> 1,982 iterations, seeds 20-39 2,522 ->
# 2,381; the answers are the same on 39 seeds and higher on one (bench/README.md, session 26). At
# a threshold of 100 instead of 1,000 it stopped starts that would have led to better answers
# (mean objective 3e-9 lower).
ABANDON_PENALTY = 1e3
ABANDON_VIOLATION = RESTORE_VIOLATION
# ... or when, after ABANDON_ITERATIONS, it is feasible to ABANDON_NEAR (scaled points) with an
# objective more than ABANDON_GAP (relative) worse than the plan held. A start that long is
# crawling (trust radii of 1e-5..1e-3 along ridges where reps' effort modes switch, ratios far
# from 1; typical M starts converge in 16-30 iterations), and M's crawlers ended 0.7% below the
# best or hit the 200-iteration limit. On top of the penalty rule, M seeds 0-39: 4,363 -> 4,022
# iterations, and held-out seeds 40-79: 4,147 -> 3,903, the same answer on all 80 seeds (both
# rules against neither: 4,677 -> 4,022 and 4,621 -> 3,903). At 40 iterations (or a gap of
# 1e-3) it stopped starts that would have led to better answers on 4 of 80 seeds (by 1.5e-8 to
# 1.4e-7; bench/README.md, session 26).
ABANDON_ITERATIONS = 60
ABANDON_GAP = 3e-3
ABANDON_NEAR = 1e-4
# Infeasible at the capped penalty: STALL_STEPS accepted steps in a row that each remove less
# than STALL_SHRINK of the violation end the start as "stalled".
STALL_STEPS = 5
STALL_SHRINK = 1e-3
# Phase 1 (``objective_free``): the violation is its objective and the relaxation its answer, so
# its stall threshold is far tighter.
PHASE1_STALL_SHRINK = 1e-9
# Flipped negative curvature: after an accepted step inside the trust region whose actual
# reduction exceeded PESSIMISTIC_RATIO x the model's, the flipped eigenvalues are scaled by 1/4
# (down to NEGATIVE_SCALE_MIN); a poor or rejected step restores them (``convexify``).
PESSIMISTIC_RATIO = 1.5
NEGATIVE_SCALE_MIN = 1e-2

# fun(z) -> (f, grad f, c, J)
Functions = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray, np.ndarray]]
# values(z) -> (f, c): ``fun``'s values without the derivatives (``solve``'s ``values``)
Values = Callable[[np.ndarray], tuple[float, np.ndarray]]
# hessian(z, lam, objective_weight) -> Hessian of objective_weight * f + lam . c
Hessian = Callable[[np.ndarray, np.ndarray, float], np.ndarray]


@dataclass
class SQPSettings:
    max_iterations: int = 200
    feasibility_tol: float = 1e-6
    kkt_tol: float = 1e-5
    initial_radius: float = 0.25
    initial_penalty: float = 10.0
    max_penalty: float = 1e5
    # "daqp" (DAQP for the subproblems it answers exactly, else HiGHS), "highs" or "cvxpy" (the
    # reference formulation; the same QP)
    qp_backend: str = os.environ.get("PLANOPT_QP_BACKEND", "daqp")
    # The model of the Lagrangian's curvature:
    # "exact" (default): the exact Hessian from the caller's ``hessian`` function (forward over
    #   forward JAX through the surface, ``PlanModel.lagrangian_hessian``), convexified by
    #   |eigenvalues| with a floor; falls back to "bfgs" when the caller has none (the
    #   simulated risk constraint);
    # "bfgs": damped BFGS (about 5x more iterations; on M it stops 6e-5 short of IPOPT);
    # "fd": central differences of the exact gradient (2n evaluations per accepted step; the
    #   experiment that located the M gap, kept as an independent check).
    # Override with PLANOPT_SQP_HESSIAN.
    hessian: str = os.environ.get("PLANOPT_SQP_HESSIAN", "exact")


@dataclass
class Point:
    z: np.ndarray
    f: float
    g: np.ndarray
    c: np.ndarray
    jac: np.ndarray

    @property
    def violation(self) -> float:
        return float(np.max(self.c, initial=0.0)) if self.c.size else 0.0


@dataclass(frozen=True)
class _ValuesAt:
    """What a step generator yields for a trial point's values alone (``values``); a bare
    array asks for ``fun``'s whole answer."""

    z: np.ndarray


@dataclass
class SQPResult:
    point: Point
    multipliers: np.ndarray  # lambda for c <= 0 (scaled)
    status: str  # converged | iteration_limit | time_limit | cancelled | stalled | numerical | abandoned
    iterations: int
    kkt_residual: float
    incumbent: Point | None = None  # best feasible point seen (by f)
    history: list[float] = field(default_factory=list)


QP_MODEL_TOL = 1e-8  # relative: a QP step modelled this much worse than p = 0 is an inaccurate one
POOR_STEPS = 2  # consecutive poor model predictions before asking for a better curvature model
SNAP = 1e-8  # QP steps land within round-off of a bound; snap them onto it
_NO_DERIVATIVES = np.zeros(0)  # a trial point valued alone (``_steps``' ``lazy``)


def _snap(z: np.ndarray) -> np.ndarray:
    z = np.clip(z, 0.0, 1.0)
    z[z < SNAP] = 0.0
    z[z > 1.0 - SNAP] = 1.0
    return z


def kkt_residual(p: Point, lam: np.ndarray) -> float:
    """Max of scaled stationarity and complementarity |lambda_j c_j|. Stationarity is the
    projected-gradient step |z - clip(z - r, 0, 1)| of the Lagrangian gradient r: |r_i| inside
    the box, zero at a bound that r pushes against, and for a coordinate *near* such a bound
    its distance to it — so an iterate creeping onto a bound (on a 20,000-rep roster one sat at
    z = 2.3e-8 with r = 0.17, and a test "at bound if z <= 1e-8" kept the residual at 4.5e-2
    for 60 iterations) is measured by how far it still has to go."""
    r = p.g + p.jac.T @ lam if lam.size else p.g.copy()
    stat = np.abs(p.z - np.clip(p.z - r, 0.0, 1.0))
    scale = 1.0 + float(np.max(np.abs(p.g), initial=0.0))
    comp = float(np.max(np.abs(lam * p.c), initial=0.0)) if lam.size else 0.0
    return max(float(np.max(stat, initial=0.0)) / scale, comp)


def _damped_bfgs(h: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    hs = h @ s
    shs = float(s @ hs)
    sy = float(s @ y)
    if shs <= 1e-16:
        return h
    if sy < 0.2 * shs:  # Powell damping keeps H positive definite
        theta = 0.8 * shs / (shs - sy)
        y = theta * y + (1.0 - theta) * hs
        sy = float(s @ y)
    h = h - np.outer(hs, hs) / shs + np.outer(y, y) / sy
    return 0.5 * (h + h.T)


def convexify(h: np.ndarray, negative_scale: float = 1.0) -> np.ndarray | None:
    """Symmetric h with its eigenvalues replaced by |eigenvalue| (negative ones times
    ``negative_scale``), floored at 1e-6 of the largest: the QP subproblem must be convex; the
    trust region bounds the step where the true curvature is negative. None when h is not
    finite."""
    if not np.all(np.isfinite(h)):
        return None
    w, v = np.linalg.eigh(0.5 * (h + h.T))
    floor = 1e-6 * max(1.0, float(np.max(np.abs(w), initial=0.0)))
    w = np.where(w < 0.0, -negative_scale * w, w)
    return (v * np.maximum(w, floor)) @ v.T


def _fd_hessian(fun: Functions, z: np.ndarray, lam: np.ndarray, step: float = 1e-5) -> np.ndarray | None:
    """Central differences of the Lagrangian gradient g + J^T lam (one-sided at a bound),
    symmetrised and made positive definite by |eigenvalues| with a floor."""
    n = z.size
    h = np.zeros((n, n))
    for i in range(n):
        up, down = z.copy(), z.copy()
        up[i] = min(z[i] + step, 1.0)
        down[i] = max(z[i] - step, 0.0)
        width = up[i] - down[i]
        try:
            _, g1, _, j1 = fun(up)
            _, g0, _, j0 = fun(down)
        except FloatingPointError:
            return None
        grad1 = g1 + (j1.T @ lam if lam.size else 0.0)
        grad0 = g0 + (j0.T @ lam if lam.size else 0.0)
        h[:, i] = (grad1 - grad0) / width
    return convexify(h)


@functools.cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()  # first use: after numpy, SciPy and the QP solvers are loaded


def _with_single_threaded_blas(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _single_threaded_blas():
            return fn(*args, **kwargs)

    return wrapper


def _single_threaded_blas() -> AbstractContextManager[object]:
    """BLAS on one thread for the SQP's small dense algebra (eigh of the Hessian, products).
    With the JAX kernels' threads busy on the same cores, OpenBLAS' threads contend with them:
    on M (72 x 72) eigh took ~35 ms per call with 2 BLAS threads and < 1 ms with one."""
    return _blas_controller().limit(limits=1, user_api="blas")


@_with_single_threaded_blas
def solve(
    fun: Functions,
    z0: np.ndarray,
    settings: SQPSettings,
    deadline: float,
    should_stop: Callable[[], bool] | None = None,
    objective_free: bool = False,
    hessian: Hessian | None = None,
    refine_curvature: Callable[[], bool] | None = None,
    multipliers: np.ndarray | None = None,
    initial_radius: float | None = None,
    restore: bool = False,
    values: Values | None = None,
    held: float | None = None,
) -> SQPResult:
    """Run the SQP from z0. ``objective_free`` solves the phase-1 (minimum-violation) problem.
    ``hessian(z, lam, objective_weight)``: the exact Hessian of the Lagrangian at a point
    ``fun`` has evaluated (used when ``settings.hessian == "exact"``), asked for at accepted
    points only (on M about half the trials are rejected or corrected). ``refine_curvature()``: asked after ``POOR_STEPS`` consecutive steps whose actual merit
    reduction was under a quarter of the model's (rejected or not), and after ``STUCK_STEPS``
    accepted steps in a row cut by a trust radius that did not grow — the caller may make
    ``hessian`` more accurate (a larger sample of reps) and says whether it did; the model is
    then rebuilt at the current point. ``multipliers`` and ``initial_radius``: a warm start near a
    solution (estimates of the multipliers at z0, a trust radius smaller than the default).
    ``restore``: the caller has no feasible point yet, so with no incumbent near the deadline
    the last iteration goes to feasibility restoration (``RESTORE_VIOLATION``).
    ``values(z)``: ``fun``'s objective and constraints alone, when the caller has them for much
    less than the derivatives: each trial point is then valued first, and ``fun`` is asked only
    at the points accepted (~40% of M's trial points are rejected or replaced by their
    second-order correction; ``optimize.ScaledProblem.lazy_values``). An accepted point keeps
    the values it was accepted on. Where ``values`` equals ``fun``'s values the iterates are the
    same; the surface's values kernel agrees with its derivative kernels to round-off (~1e-14),
    which tips a decision rarely (M seeds 0-7: the same 860 iterations).
    ``held``: the objective f of a feasible plan the caller already holds (another start's): the
    start is given up (status "abandoned") if it is still more than ``ABANDON_VIOLATION``
    infeasible once its penalty reaches ``ABANDON_PENALTY``, or if after ``ABANDON_ITERATIONS``
    it is feasible (to ``ABANDON_NEAR``) at an f more than ``ABANDON_GAP`` worse than ``held``."""
    steps = _steps(
        fun,
        z0,
        settings,
        deadline,
        should_stop,
        objective_free,
        hessian,
        refine_curvature,
        multipliers,
        initial_radius,
        restore,
        values is not None,
        held,
    )
    return _drive([steps], fun, None, values)[0]


@_with_single_threaded_blas
def solve_many(
    fun: Functions,
    starts: Sequence[np.ndarray],
    settings: SQPSettings,
    deadline: float,
    prefetch: Callable[[list[np.ndarray]], None],
    should_stop: Callable[[], bool] | None = None,
    hessian: Hessian | None = None,
    refine_curvature: Callable[[], bool] | None = None,
    restore: bool = False,
) -> list[SQPResult]:
    """``solve`` from each of ``starts``, in lock-step: every round, the points the running
    starts want evaluated next are passed to ``prefetch`` together (one batched surface pass for
    all of them), then each start takes its own ``fun(z)`` (answered from what ``prefetch``
    computed) and runs to its next evaluation. Each start's iterates are exactly those ``solve``
    takes from it alone; only the kernel calls are shared. On the demo team (4 starts, 45 reps)
    the four 48-rep kernel calls of a round become one 192-rep call."""
    gens = [
        _steps(fun, z0, settings, deadline, should_stop, False, hessian, refine_curvature, None, None, restore, False)
        for z0 in starts
    ]
    return _drive(gens, fun, prefetch, None)


_Steps = Generator["np.ndarray | _ValuesAt", tuple[Any, ...], SQPResult]


def _drive(
    gens: list[_Steps],
    fun: Functions,
    prefetch: Callable[[list[np.ndarray]], None] | None,
    values: Values | None,
) -> list[SQPResult]:
    """Run SQP step generators (``_steps``) to the end: each yields the next point it needs
    evaluated and is sent ``fun``'s answer, or ``values``' for a ``_ValuesAt`` (or thrown the
    exception raised)."""
    results: list[SQPResult | None] = [None] * len(gens)
    pending: dict[int, np.ndarray | _ValuesAt] = {}
    for i, gen in enumerate(gens):
        try:
            pending[i] = next(gen)
        except StopIteration as stop:
            results[i] = stop.value
    while pending:
        if prefetch is not None and len(pending) > 1:
            prefetch([z for z in pending.values() if not isinstance(z, _ValuesAt)])
        asked, pending = pending, {}
        for i, z in asked.items():
            try:
                try:
                    out: tuple[Any, ...]
                    if isinstance(z, _ValuesAt):
                        assert values is not None  # only a lazy generator (``solve``'s) asks
                        out = values(z.z)
                    else:
                        out = fun(z)
                except Exception as exc:  # the start decides (a FloatingPointError rejects a trial)
                    pending[i] = gens[i].throw(exc)
                else:
                    pending[i] = gens[i].send(out)
            except StopIteration as stop:
                results[i] = stop.value
    return [r for r in results if r is not None]


def _steps(
    fun: Functions,
    z0: np.ndarray,
    settings: SQPSettings,
    deadline: float,
    should_stop: Callable[[], bool] | None,
    objective_free: bool,
    hessian: Hessian | None,
    refine_curvature: Callable[[], bool] | None,
    multipliers: np.ndarray | None,
    initial_radius: float | None,
    restore: bool,
    lazy: bool,
    held: float | None = None,
) -> _Steps:
    """The SQP as a generator of the points it evaluates (``solve``'s docstring); ``fun`` is
    called directly only by the finite-difference Hessian (``settings.hessian == "fd"``).
    ``lazy``: trial points are valued alone first (``_ValuesAt``), their derivatives asked for
    once accepted. ``held``: ``solve``'s."""
    n = z0.size
    z = _snap(np.asarray(z0, dtype=float).copy())
    f, g, c, jac = yield z
    if objective_free:
        f, g = 0.0, np.zeros(n)
    m_real = c.size
    point = Point(z, f, g, c, jac)
    # An empty constraint set is padded with one inactive row (cvxpy needs m >= 1).
    pad = m_real == 0
    exact = hessian if settings.hessian == "exact" else None
    obj_weight = 0.0 if objective_free else 1.0
    lam = np.zeros(m_real)
    if multipliers is not None and multipliers.shape == lam.shape and not objective_free:
        lam = np.maximum(np.asarray(multipliers, dtype=float), 0.0)
    h = np.eye(n)
    if exact is not None:
        first = convexify(exact(z, lam, obj_weight))
        h = first if first is not None else h
    radius = settings.initial_radius if initial_radius is None else initial_radius
    rho = 1.0 if objective_free else max(settings.initial_penalty, 2.0 * float(np.max(lam, initial=0.0)))
    incumbent = point if point.violation <= settings.feasibility_tol else None
    history = [point.f]
    qp = subproblem(n, max(m_real, 1), settings.qp_backend)
    status = "iteration_limit"
    it = 0
    stagnant = 0

    def merit(pt: Point) -> float:
        return pt.f + rho * float(np.sum(np.maximum(pt.c, 0.0)))

    poor = 0
    resets = 0  # consecutive Hessian-model resets after a QP step modelled worse than p = 0
    negative_scale = 1.0  # weight of the flipped negative curvature (PESSIMISTIC_RATIO)
    lowered = 0  # penalty lowerings so far (PENALTY_LOWERINGS)
    crawl = 0  # consecutive accepted steps held back by the trust radius (CRAWL_STEPS)
    stuck = 0  # consecutive accepted steps cut by the trust radius that did not grow it (STUCK_STEPS)

    def evaluate(
        zz: np.ndarray,
    ) -> Generator[np.ndarray, tuple[float, np.ndarray, np.ndarray, np.ndarray], Point | None]:
        try:
            ff, gg, cc, jj = yield zz
        except FloatingPointError:
            return None
        if objective_free:
            ff, gg = 0.0, np.zeros(n)
        if not (np.isfinite(ff) and np.all(np.isfinite(cc))):
            return None
        return Point(zz, ff, gg, cc, jj)

    def trial_at(zz: np.ndarray) -> Generator[np.ndarray | _ValuesAt, tuple[Any, ...], Point | None]:
        """A trial point: ``evaluate``'s, or (``lazy``) its values alone, with placeholder
        derivatives (``fun``'s replace them if the step is accepted)."""
        if not lazy:
            return (yield from evaluate(zz))
        try:
            ff, cc = yield _ValuesAt(zz)
        except FloatingPointError:
            return None
        if objective_free:
            ff = 0.0
        if not (np.isfinite(ff) and np.all(np.isfinite(cc))):
            return None
        return Point(zz, ff, _NO_DERIVATIVES, cc, _NO_DERIVATIVES)

    def qp_solve(pt: Point, c_rhs: np.ndarray) -> QPResult:
        lo = np.maximum(-radius, -pt.z)
        hi = np.minimum(radius, 1.0 - pt.z)
        cc = np.array([-1.0]) if pad else c_rhs
        jj = np.zeros((1, n)) if pad else pt.jac
        remaining = min(max(deadline - time.monotonic(), 1e-3), QP_TIME_LIMIT_S)
        return qp.solve(pt.g, h, cc, jj, lo, hi, rho, remaining)

    def restoration(pt: Point) -> Generator[np.ndarray, tuple[float, np.ndarray, np.ndarray, np.ndarray], Point | None]:
        """Minimum-norm steps onto the linearised constraints (the elastic QP with no objective,
        identity curvature and a large penalty): a feasible point near ``pt``, or None."""
        for _ in range(RESTORE_STEPS):
            remaining = min(max(deadline - time.monotonic(), 1e-3), QP_TIME_LIMIT_S)
            res = qp.solve(np.zeros(n), np.eye(n), pt.c, pt.jac, -pt.z, 1.0 - pt.z, RESTORE_PENALTY, remaining)
            if not res.ok:  # type: ignore[attr-defined]
                return None
            nxt = yield from evaluate(_snap(pt.z + res.step))  # type: ignore[attr-defined]
            if nxt is None or nxt.violation >= pt.violation:
                return None
            if _TRACE:
                print(f"sqp restoration: violation {pt.violation:.2e} -> {nxt.violation:.2e}")
            if nxt.violation <= settings.feasibility_tol:
                return nxt
            pt = nxt
        return None

    longest = 0.0  # the longest iteration so far (s)
    started = time.monotonic()
    for it in range(1, settings.max_iterations + 1):
        now = time.monotonic()
        if it > 1:
            longest = max(longest, now - started)
        started = now
        if should_stop is not None and should_stop():
            status = "cancelled"
            break
        left = deadline - now
        if (
            restore
            and incumbent is None
            and m_real
            and not objective_free
            and point.violation <= RESTORE_VIOLATION
            and left < RESTORE_MARGIN * longest
        ):
            incumbent = yield from restoration(point)
            status = "time_limit"
            break
        if held is not None and (
            (rho >= ABANDON_PENALTY and point.violation > ABANDON_VIOLATION)
            or (
                it > ABANDON_ITERATIONS
                and point.violation <= ABANDON_NEAR
                and point.f > held + ABANDON_GAP * (1.0 + abs(held))
            )
        ):
            status = "abandoned"
            break
        # With a feasible point in hand, do not start an iteration the deadline cannot fit (on
        # L one can take ~3 s): predicted by the longest one so far.
        if left <= 0.0 or (incumbent is not None and left < longest):
            status = "time_limit"
            break
        res = qp_solve(point, point.c)
        if not res.ok:  # type: ignore[attr-defined]
            radius *= 0.25
            if radius < 1e-10:
                status = "numerical"
                break
            continue
        p = res.step  # type: ignore[attr-defined]
        lam_qp = res.multipliers[:m_real]  # type: ignore[attr-defined]
        viol_sum = float(np.sum(np.maximum(point.c, 0.0)))
        model_val = float(point.g @ p + 0.5 * p @ h @ p)
        if m_real:
            model_val += rho * float(np.sum(np.maximum(point.c + point.jac @ p, 0.0)))
        pred = rho * viol_sum - model_val
        kkt = kkt_residual(point, lam_qp)
        # The QP's own accuracy is relative to the size of its objective, which at a large
        # penalty is dominated by rho * violation: on the demo's infeasible question (rho = 1e5,
        # violation 1.74) HiGHS' answers modelled 6.8e-5 (4e-10 relative) worse than p = 0.
        if pred < -QP_MODEL_TOL * (1.0 + abs(point.f) + rho * viol_sum):
            # p = 0 is feasible for the QP, so a step that models worse than it means the QP
            # solve was inaccurate (an ill-conditioned quasi-Newton model): restart the model,
            # once; the same again after the restart is the QP's limit, not the model's.
            resets += 1
            if _TRACE:
                print(f"sqp it={it} QP model increase {pred:.2e}; resetting the Hessian model")
            if resets > 1:
                lam = lam_qp
                status = "stalled"
                break
            h = np.eye(n) * max(float(np.mean(np.diag(h))), 1e-8)
            continue
        resets = 0
        if point.violation <= settings.feasibility_tol and kkt <= settings.kkt_tol:
            lam = lam_qp
            status = "converged"
            break
        if pred <= 1e-14 * (1.0 + abs(point.f)) or float(np.max(np.abs(p), initial=0.0)) < 1e-12:
            if _TRACE:
                print(f"sqp stop it={it} pred={pred:.2e} |p|={np.max(np.abs(p)):.2e} kkt={kkt:.2e} qp={res.status}")
            lam = lam_qp
            if point.violation > settings.feasibility_tol and rho < settings.max_penalty and not objective_free:
                rho *= 10.0
                continue
            status = "converged" if kkt <= 10 * settings.kkt_tol else "stalled"
            break
        trial = yield from trial_at(_snap(point.z + p))
        ratio = -np.inf
        if trial is not None:
            ratio = (merit(point) - merit(trial)) / pred
            if ratio < 1e-4 and m_real:
                # Second-order correction: re-solve with the constraint curvature seen at z + p.
                soc = qp_solve(point, trial.c - point.jac @ p)
                if soc.ok:  # type: ignore[attr-defined]
                    alt = yield from trial_at(_snap(point.z + soc.step))  # type: ignore[attr-defined]
                    if alt is not None:
                        alt_ratio = (merit(point) - merit(alt)) / pred
                        if alt_ratio > ratio:
                            trial, ratio, p = alt, alt_ratio, soc.step  # type: ignore[attr-defined]
        step_norm = float(np.max(np.abs(p), initial=0.0))
        if _TRACE:
            print(
                f"sqp it={it} f={point.f:.8f} viol={point.violation:.2e} kkt={kkt:.2e} pred={pred:.2e} "
                f"ratio={ratio:.3f} |p|={step_norm:.2e} radius={radius:.2e} rho={rho:.1f} qp={res.status}"
            )
        poor = poor + 1 if ratio < 0.25 else 0
        if lazy and trial is not None and ratio >= 1e-4:
            # accepted on its values: now its derivatives (a failure there rejects it). The
            # point keeps the values it was accepted on, so that every merit the SQP compares
            # comes from one function, ``values`` (the derivative kernel's own values differ
            # from them in the last bits)
            whole = yield from evaluate(trial.z)
            trial = None if whole is None else Point(trial.z, trial.f, whole.g, trial.c, whole.jac)
        if trial is not None and ratio >= 1e-4:
            s = trial.z - point.z
            y = (trial.g - point.g) + ((trial.jac - point.jac).T @ lam_qp if m_real else 0.0)
            at_edge = step_norm > 0.9 * radius
            if ratio > PESSIMISTIC_RATIO and not at_edge:
                # The model under-predicted a step it chose itself (not one the trust region cut):
                # its flipped negative curvature is too steep; trust it less until a poor step.
                negative_scale = max(negative_scale * 0.25, NEGATIVE_SCALE_MIN)
            elif ratio < 0.25:
                negative_scale = 1.0
            if exact is not None:
                model = convexify(exact(trial.z, lam_qp, obj_weight), negative_scale)
                h = model if model is not None else _damped_bfgs(h, s, y)
            else:
                h = _damped_bfgs(h, s, y)
            if settings.hessian == "fd" and not objective_free:
                fd = _fd_hessian(fun, trial.z, lam_qp)
                if fd is not None:
                    h = fd
            point = trial
            lam = lam_qp
            history.append(point.f)
            # Infeasible and the penalty at its cap: the iterates are minimising the violation
            # (this start is at a local infeasibility, or the problem is infeasible). Stop once
            # the violation stops shrinking (STALL_STEPS accepted steps in a row removing under
            # STALL_SHRINK of it) instead of crawling to the iteration limit (a start on M did:
            # 200 steps of ~3e-10; another spent 40 steps at a violation of 0.233 moving only
            # the objective, by 1e-7 per step): other starts or phase 1 decide.
            shrink = viol_sum - float(np.sum(np.maximum(point.c, 0.0)))
            if objective_free:
                # Phase 1 at a minimum of the violation (its objective): STALL_STEPS accepted steps
                # in a row removing under PHASE1_STALL_SHRINK of it end it. On the demo with a 5%
                # cost-of-sales cap, phase 1 from one start's end took 149 steps of ~1e-11 each
                # (ratios ~1.9, so the trust region never shrank) from a violation of 8.43.
                stagnant = stagnant + 1 if shrink <= PHASE1_STALL_SHRINK * viol_sum else 0
                if stagnant >= STALL_STEPS:
                    status = "stalled"
                    break
            elif point.violation > settings.feasibility_tol and rho >= settings.max_penalty:
                stagnant = stagnant + 1 if shrink <= STALL_SHRINK * viol_sum else 0
                if stagnant >= STALL_STEPS:
                    status = "stalled"
                    break
            else:
                stagnant = 0
            if point.violation <= settings.feasibility_tol and (incumbent is None or point.f < incumbent.f):
                incumbent = point
            crawl = crawl + 1 if at_edge and ratio >= CRAWL_RATIO else 0
            if (ratio > 0.75 and at_edge) or crawl >= CRAWL_STEPS:
                radius = min(2.0 * radius, 1.0)
                crawl = 0
                stuck = 0
            else:
                stuck = stuck + 1 if at_edge else 0
        else:
            negative_scale = 1.0
            radius = 0.25 * max(step_norm, 1e-12) if step_norm > 0 else 0.25 * radius
            if radius < 1e-12:
                lam = lam_qp
                status = "stalled"
                break
        if (
            (poor >= POOR_STEPS or stuck >= STUCK_STEPS)
            and exact is not None
            and refine_curvature is not None
            and refine_curvature()
        ):
            poor = stuck = 0
            model = convexify(exact(point.z, lam, obj_weight), negative_scale)
            h = model if model is not None else h
            if _TRACE:
                print(f"sqp it={it} curvature model refined")
        if m_real and not objective_free:
            top = float(np.max(lam_qp, initial=0.0))
            if top * 1.5 > rho:
                rho = min(2.0 * top, settings.max_penalty)
            elif (
                lowered < PENALTY_LOWERINGS
                and point.violation <= max(settings.feasibility_tol, PENALTY_LOWER_VIOLATION)
                and rho > PENALTY_EXCESS * max(2.0 * top, settings.initial_penalty)
            ):
                # Feasible again (or nearly: PENALTY_LOWER_VIOLATION) with multipliers far below
                # the penalty: a penalty raised while infeasible (to the cap on some M starts)
                # weighs round-off violations of 1e-7 like objective changes of 1e-2 and holds
                # the steps along a curved active constraint to ~1e-4 (ratios ~0.2 for 170
                # iterations). Lowered to twice the multipliers, at most PENALTY_LOWERINGS times
                # per start (no cycling).
                rho = max(2.0 * top, settings.initial_penalty)
                lowered += 1
    kkt = kkt_residual(point, lam)
    return SQPResult(point, lam, status, it, kkt, incumbent, history)
