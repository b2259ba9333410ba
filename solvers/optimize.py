"""``optimize(problem, options) -> Solution``: multi-start SQP with certificates.

Variables are the free levers, mapped to z in [0, 1] (lower + z * (upper - lower)); fixed levers
stay at their values. The objective is maximised; internally ``f = -objective / obj_scale``
with ``obj_scale`` one point of the objective (0.01 of attainment, 1% of total quota in USD),
and each constraint is scaled by its natural step (``ConstraintSpec.scale``), so tolerances read
in points. Shadow prices are converted back to business units: d objective / d bound.

Starts after the first run in turn; once one holds a feasible plan, a later start that is getting
nowhere (its penalty at ``sqp.ABANDON_PENALTY`` while still infeasible, or past
``sqp.ABANDON_ITERATIONS`` feasible but ``sqp.ABANDON_GAP`` worse than the plan held) is given up.
Small rosters run their starts in lock-step instead (``sqp.solve_many``), without that rule.

When the starts converge, the lever scan (``scan.py``) looks along every single lever of the best
optimum for a better basin and the SQP re-solves from the moves it finds; a re-solve is kept
only if it reaches a better KKT point (``SolveOptions.lever_scan``).

If no start reaches a feasible point, the phase-1 problem (minimise the scaled l1 violation,
i.e. the smallest relaxation in points) is solved from the least-violating point, and the
result is INFEASIBLE with that relaxation per constraint.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from planopt.solvers import scan, sqp
from planopt.solvers.model import BASE, ConstraintSpec, Evaluation, PlanModel, RepDerivatives
from planopt.solvers.problem import ObjectiveKind, PlanProblem, SolveOptions, Termination, sample_rows, take_rows


@dataclass(frozen=True)
class ConstraintReport:
    name: str
    kind: str
    sense: str
    value: float
    bound: float
    slack: float  # >= 0 when satisfied (bound - value for <=, value - bound for >=)
    shadow_price: float  # d objective / d bound, objective units per bound unit
    unit: str
    active: bool


@dataclass(frozen=True)
class Relaxation:
    name: str
    bound: float
    relaxed_bound: float  # the bound that makes the found plan feasible
    amount: float  # |relaxed_bound - bound|, in the bound's unit
    unit: str


@dataclass
class Solution:
    levers: np.ndarray  # (R, 6)
    evaluation: Evaluation
    baseline: Evaluation
    termination: Termination
    detail: str
    max_violation: float  # scaled points: 1 = one point of CoS / attrition / 1% of OTE
    kkt_residual: float
    iterations: int
    starts: int
    elapsed_s: float
    constraints: list[ConstraintReport]
    relaxations: list[Relaxation] = field(default_factory=list)
    objective_scale: float = 0.01
    # Whether the time limit (or the caller's deadline) cut any part of the solve short: the
    # answer then depends on how long the call was given, not only on the problem.
    time_limited: bool = False
    # The SQP's multipliers of the scaled constraints at ``levers`` (None where it has none).
    multipliers: np.ndarray | None = None
    # Large rosters: the reps in the sample the starts were first solved on (0: no sample
    # stage) and that stage's iterations (included in ``iterations``).
    sample_reps: int = 0
    sample_iterations: int = 0


class LeverSpace:
    """z in [0, 1]^n  <->  the (R, 6) lever matrix (free levers only)."""

    def __init__(self, problem: PlanProblem) -> None:
        t = problem.template
        self.lower = t.lower.astype(float).copy()
        self.upper = t.upper.astype(float).copy()
        floor = problem.constraints.salary_floor_usd
        if floor is not None:
            self.lower[:, BASE] = np.where(t.free[:, BASE], np.maximum(self.lower[:, BASE], floor), self.lower[:, BASE])
        self.free = t.free & (self.upper > self.lower)
        self.fixed = np.where(self.free, 0.0, t.value)
        self.idx = np.flatnonzero(self.free.ravel())
        self.width = (self.upper - self.lower).ravel()[self.idx]
        self.low = self.lower.ravel()[self.idx]

    @property
    def n(self) -> int:
        return int(self.idx.size)

    def levers(self, z: np.ndarray) -> np.ndarray:
        x = self.fixed.ravel().copy()
        x[self.idx] = self.low + np.clip(z, 0.0, 1.0) * self.width
        return x.reshape(self.fixed.shape)

    def to_z(self, levers: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(levers, dtype=float).ravel()[self.idx] - self.low) / self.width, 0.0, 1.0)

    def chain(self, grad: np.ndarray) -> np.ndarray:
        """Gradient w.r.t. levers (..., R, 6) -> gradient w.r.t. z (..., n)."""
        flat = grad.reshape((*grad.shape[:-2], -1))
        return flat[..., self.idx] * self.width


class ScaledProblem:
    """The optimiser's view: z in [0, 1]^n -> (f, grad f, c, dc/dz), minimise f s.t. c <= 0.

    ``f = -objective / obj_scale`` and ``c_j = +-(value_j - bound_j) / scale_j``. Peers (SciPy
    SLSQP, IPOPT in bench/) and the tests' KKT checks call exactly this function.
    """

    def __init__(self, problem: PlanProblem, model: PlanModel | None = None, hessian_sample_per_cell: int = 0) -> None:
        self.problem = problem
        self.model = model or PlanModel(problem)
        self.space = LeverSpace(problem)
        self.specs = self.model.specs
        self.obj_scale = objective_scale(problem)
        # None: the curvature model sums every rep's Hessian (also when cells are small)
        self.sample_per_cell = hessian_sample_per_cell
        self.sample = self.model.hessian_sample(hessian_sample_per_cell)
        self._reps: tuple[np.ndarray, RepDerivatives] | None = None  # second order at the last point
        # the last prefetch's points, evaluated (``prefetch``), each answered once
        self._prefetched: dict[bytes, tuple[float, np.ndarray, np.ndarray, np.ndarray]] = {}
        # the free levers' block of a lever Hessian, and its scaling to z units (``hessian``)
        self._free_block = np.ix_(self.space.idx, self.space.idx)
        self._free_scale = np.outer(self.space.width, self.space.width)

    def refine_curvature(self) -> bool:
        """A four times larger curvature sample (every rep once it covers the largest cell);
        False when already exact. The SQP asks when its model keeps over-predicting."""
        if self.sample is None:
            return False
        self.sample_per_cell *= 4
        self.sample = self.model.hessian_sample(self.sample_per_cell)
        self._reps = None
        return True

    def __call__(self, z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        ready = self._prefetched.pop(z.tobytes(), None)
        if ready is not None:
            return ready
        ev = self.model.evaluate(self.space.levers(z), report=False)
        return self._scaled(ev)

    def values(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        """``self(z)``'s objective and constraints without their derivatives: the surface's
        values kernel at the located modes, which the derivative kernels reuse if the SQP then
        accepts ``z`` (``sqp.solve``'s ``values``)."""
        ev = self.model.evaluate(self.space.levers(z), with_jacobian=False, report=False)
        sign, bound, scale = self.model.spec_arrays
        return -ev.objective / self.obj_scale, sign * (ev.values - bound) / scale

    @property
    def lazy_values(self) -> sqp.Values | None:
        """``values`` for the SQP to value its trial points with, or None where a trial's whole
        evaluation is not much dearer than its values: large rosters, whose first order comes
        without the second (locate + Jacobian kernels against locate + values; L from 8 start
        points took 428 iterations in 184 s against 413 in 185 s), and small ones
        (``speculative``), which evaluate in lock-step, the first and second order from one
        kernel call on 48-rep chunks. On M a trial's whole evaluation carries every
        rep's second order too (``first_order_hessians``), ~2x its values alone, and ~40% of
        its trial points are rejected or replaced by their second-order correction: seeds 0-7
        took the same 860 iterations 8-14% faster (bench/README.md, session 25)."""
        model = self.model
        return self.values if model.first_order_hessians and not model.speculative else None

    def prefetch(self, zs: list[np.ndarray]) -> None:
        """Evaluate several points in one batched pass, for the calls that follow (the SQP's
        lock-step starts, ``sqp.solve_many``): their surface (``PlanModel.prefetch``), then their
        objective, constraints and gradients (``PlanModel.evaluate_cached``: the same numbers
        ``evaluate`` gives, assembled for all of them at once)."""
        plans = [self.space.levers(z) for z in zs]
        self.model.prefetch(plans)
        self._prefetched = {}
        if self.model.speculative:
            for z, ev in zip(zs, self.model.evaluate_cached(plans), strict=True):
                if ev is not None:
                    self._prefetched[z.tobytes()] = self._scaled(ev)

    @property
    def lockstep(self) -> bool:
        """Whether starts batch their evaluations (``PlanModel.prefetch``): a small roster with
        an exact, unsampled curvature model."""
        return self.model.speculative and self.sample is None

    def _scaled(self, ev: Evaluation) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        c, jac = ev.scaled(self.model.spec_arrays)
        grad = -self.space.chain(ev.objective_grad) / self.obj_scale
        return -ev.objective / self.obj_scale, grad, c, self.space.chain(jac)

    def hessian(self, z: np.ndarray, lam: np.ndarray, objective_weight: float = 1.0) -> np.ndarray:
        """Exact Hessian in z of the scaled Lagrangian ``objective_weight * f + lam . c``.

        The SQP evaluates trial points to first order and asks for this at the points it
        accepts: the second-order kernel then reuses the effort modes located, and the outcomes
        and Jacobians computed, for that evaluation (``PlanModel``), and rejected trials never
        pay for second order. With a curvature sample (``HessianSample``) only the sampled reps'
        Hessians enter (gradients are always exact). The per-rep Hessians of the last point are
        kept for further multiplier vectors."""
        levers = self.space.levers(z)
        cached = self._reps
        if cached is not None and np.array_equal(cached[0], z):
            reps = cached[1]
        else:
            reps = self.model.rep_derivatives(levers, self.sample)
            self._reps = (np.array(z, copy=True), reps)
        arrays = self.model.spec_arrays
        weights = lam * arrays.sign / arrays.scale if lam.size else np.zeros(len(self.specs))
        h_lev = self.model.lagrangian_hessian(levers, reps, -objective_weight / self.obj_scale, weights)
        return h_lev[self._free_block] * self._free_scale


def objective_scale(problem: PlanProblem) -> float:
    if problem.objective.kind in (ObjectiveKind.ATTAINMENT, ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT):
        return 0.01
    return 0.01 * float(np.sum(problem.roster.quota_usd))


def constraint_reports(
    specs: list[ConstraintSpec], ev: Evaluation, lam: np.ndarray | None, obj_scale: float, tol: float
) -> list[ConstraintReport]:
    reports = []
    c, _ = ev.scaled(specs)
    for j, spec in enumerate(specs):
        value = float(ev.values[j])
        slack = spec.bound - value if spec.sense == "<=" else value - spec.bound
        sign = 1.0 if spec.sense == "<=" else -1.0
        shadow = 0.0 if lam is None else sign * float(lam[j]) * obj_scale / spec.scale
        reports.append(
            ConstraintReport(
                name=spec.name,
                kind=spec.kind,
                sense=spec.sense,
                value=value,
                bound=spec.bound,
                slack=float(slack),
                shadow_price=shadow,
                unit=spec.unit,
                active=bool(c[j] >= -max(tol, 1e-6) * 10),
            )
        )
    return reports


def _starts(space: LeverSpace, problem: PlanProblem, options: SolveOptions) -> list[np.ndarray]:
    first = options.warm_start if options.warm_start is not None else problem.template.value
    starts = [space.to_z(first)]
    rng = np.random.default_rng(options.seed)
    for _ in range(max(options.num_starts, 1) - 1):
        starts.append(rng.uniform(0.05, 0.95, size=space.n))
    return starts


# A roster of more than SAMPLE_FACTOR x ``SolveOptions.sample_reps`` reps is solved from a sample.
SAMPLE_FACTOR = 4
# The sample's size: this fraction of the roster, at least ``SolveOptions.sample_reps`` (with
# sample_reps = 2,048: 20,000 reps -> 2,048; 100,000 -> 8,000). On L (1 start) a 2,048-rep sample
# took 148 s, an 8,192-rep one 77 s and an 8,000-rep one 198 s, against 104 s without (same day):
# the SQP on every rep from a sample optimum can crawl a long way on these flat landscapes.
SAMPLE_FRACTION = 0.08
# The sample stage's share of the time limit (the polish on the whole roster has the rest).
SAMPLE_TIME_SHARE = 0.5
# The lever scan (scan.py) after the starts: at most SCAN_ROUNDS re-solves from the moves it
# finds, each move lowering the scaled Lagrangian by more than SCAN_GAIN x (1 + |f|) (a tenth of
# the bench's relative quality bar), each re-solve kept only if its KKT point's scaled f is lower
# by more than SCAN_GAIN.
SCAN_ROUNDS = 3
SCAN_GAIN = 1e-7
# Lock-step starts (``sqp.solve_many``) share the time between them, so the first start's plan
# comes later than when the starts run one after another: on the demo with a 10-20 ms limit the
# starts in turn return a feasible plan (FEASIBLE_TIME_LIMIT), in lock-step none yet (measured,
# 5 runs each). Below this time limit the starts run in turn (the demo's full lock-step solve
# takes ~0.04 s).
LOCKSTEP_MIN_TIME_S = 1.0
# The trust radius (in z, the levers' unit box) the SQP on the whole roster starts with from a
# sample optimum (the default 0.25 is for a cold start): the optimum is near.
SAMPLE_POLISH_RADIUS = 0.05


def optimize(
    problem: PlanProblem,
    options: SolveOptions | None = None,
    should_stop: Callable[[], bool] | None = None,
    model: PlanModel | None = None,
) -> Solution:
    """The best plan over ``options.num_starts`` starts, with its certificate (module docstring).

    Opt-in (``options.sample_reps`` > 0): on a large roster (more than
    ``SAMPLE_FACTOR * options.sample_reps`` reps) each start is
    first moved to its optimum on a stratified, proportional sample of the roster
    (``problem.sample_rows``: every role x equity group cell keeps its share, spread over
    baseline attainment), where an iteration costs a fraction of one on the whole roster; the
    SQP on the whole roster then continues from there. Selection, certificates and relaxations
    are the whole roster's, exactly as without the sample stage."""
    return _optimize(options or SolveOptions(), problem, should_stop, model)


class _SampleStage:
    """Moves a start to its optimum on a stratified sample of the roster (``optimize``)."""

    def __init__(
        self, problem: PlanProblem, space: LeverSpace, options: SolveOptions, should_stop: Callable[[], bool] | None
    ) -> None:
        size = max(options.sample_reps, round(SAMPLE_FRACTION * problem.roster.size))
        self.rows = sample_rows(problem.roster, size)
        self.problem = dataclasses.replace(problem, roster=take_rows(problem.roster, self.rows))
        self.model = PlanModel(self.problem)
        self.options = dataclasses.replace(options, num_starts=1, sample_reps=0)
        self.should_stop = should_stop
        self.iterations = 0
        self.time_limited = False
        self.space = space  # the sample's lever space is the roster's (same template and bounds)

    def __call__(self, z0: np.ndarray, deadline: float) -> tuple[np.ndarray, np.ndarray | None]:
        left = max(deadline - time.monotonic(), 1e-3)
        options = dataclasses.replace(
            self.options, warm_start=self.space.levers(z0), time_limit_s=left * SAMPLE_TIME_SHARE
        )
        sol = _optimize(options, self.problem, self.should_stop, self.model)
        self.iterations += sol.iterations
        self.time_limited |= sol.time_limited
        return self.space.to_z(sol.levers), sol.multipliers


def _optimize(
    options: SolveOptions,
    problem: PlanProblem,
    should_stop: Callable[[], bool] | None = None,
    model: PlanModel | None = None,
) -> Solution:
    t0 = time.monotonic()
    deadline = t0 + options.time_limit_s
    fun = ScaledProblem(problem, model, options.hessian_sample_per_cell)
    model, space, specs, obj_scale = fun.model, fun.space, fun.specs, fun.obj_scale
    baseline = model.evaluate(problem.template.value, with_jacobian=False)

    settings = sqp.SQPSettings(
        max_iterations=options.max_iterations, feasibility_tol=options.feasibility_tol, kkt_tol=options.kkt_tol
    )
    if options.hessian is not None:
        settings.hessian = options.hessian
    # Exact second order where the model has it (all constraint kinds but the simulated risk
    # measure), from every rep or from a stratified sample of large cells (``HessianSample``,
    # grown when the SQP's model keeps over-predicting). The SQP asks for it at accepted points.
    exact = settings.hessian == "exact" and model.has_exact_hessian
    evaluate = fun
    curvature = fun.hessian if exact else None
    results: list[sqp.SQPResult] = []
    interrupted = ""
    k = options.sample_reps
    stage = (
        _SampleStage(problem, space, options, should_stop)
        if space.n and k and problem.roster.size > SAMPLE_FACTOR * k
        else None
    )
    if space.n == 0:
        z = np.zeros(0)
        f, g, c, jac = fun(z)
        point = sqp.Point(z, f, g, c, jac)
        results.append(
            sqp.SQPResult(
                point,
                np.zeros(c.size),
                "converged",
                0,
                0.0,
                point if point.violation <= options.feasibility_tol else None,
            )
        )
    elif (
        stage is None
        and fun.lockstep
        and settings.hessian == "exact"
        and options.num_starts > 1
        and options.time_limit_s >= LOCKSTEP_MIN_TIME_S
    ):
        # Small roster: the starts run in lock-step, each round's evaluations one batched
        # kernel pass (each start's iterates are those it takes alone). Every start may restore
        # feasibility near the deadline (none has an incumbent to lean on yet).
        results = sqp.solve_many(
            evaluate,
            _starts(space, problem, options),
            settings,
            deadline,
            fun.prefetch,
            should_stop,
            hessian=curvature,
            refine_curvature=fun.refine_curvature,
            restore=True,
        )
        interrupted = next((r.status for r in results if r.status in ("cancelled", "time_limit")), "")
        if any(r.status == "cancelled" for r in results):
            interrupted = "cancelled"
    else:
        for z0 in _starts(space, problem, options):
            if time.monotonic() >= deadline or (should_stop is not None and should_stop()):
                interrupted = interrupted or "time_limit"
                break
            lam0, radius0 = None, None
            held = min((r.incumbent.f for r in results if r.incumbent is not None), default=None)
            if stage is not None:
                z0, lam0 = stage(z0, deadline)
                radius0 = SAMPLE_POLISH_RADIUS
            res = sqp.solve(
                evaluate,
                z0,
                settings,
                deadline,
                should_stop,
                hessian=curvature,
                refine_curvature=fun.refine_curvature,
                multipliers=lam0,
                initial_radius=radius0,
                values=fun.lazy_values,
                # no start has a feasible point yet: near the deadline, restore feasibility;
                # once one has, a start that is getting nowhere is given up (``sqp.ABANDON_*``)
                restore=held is None,
                held=held,
            )
            results.append(res)
            if res.status in ("time_limit", "cancelled"):
                interrupted = res.status
                break
    iterations = sum(r.iterations for r in results)
    tol = options.feasibility_tol
    staged = ""
    if stage is not None:
        iterations += stage.iterations
        staged = (
            f" (each start first solved on a stratified sample of {stage.rows.size} of "
            f"{problem.roster.size} reps: {stage.iterations} of the {iterations} iterations)"
        )

    def finish(
        point: sqp.Point,
        lam: np.ndarray | None,
        term: Termination,
        detail: str,
        kkt: float,
        relax: list[Relaxation] | None = None,
        time_limited: bool = False,
    ) -> Solution:
        levers = space.levers(point.z)
        ev = model.evaluate(levers, with_jacobian=False)
        return Solution(
            levers=levers,
            evaluation=ev,
            baseline=baseline,
            termination=term,
            detail=detail + staged,
            max_violation=point.violation,
            kkt_residual=kkt,
            iterations=iterations,
            starts=len(results),
            elapsed_s=time.monotonic() - t0,
            constraints=constraint_reports(specs, ev, lam, obj_scale, tol),
            relaxations=relax or [],
            objective_scale=obj_scale,
            time_limited=time_limited or bool(interrupted) or (stage is not None and stage.time_limited),
            multipliers=lam,
            sample_reps=0 if stage is None else int(stage.rows.size),
            sample_iterations=0 if stage is None else stage.iterations,
        )

    if interrupted == "cancelled":
        best = min((r.point for r in results), key=lambda p: (p.violation, p.f))
        return finish(best, None, Termination.CANCELLED, "the caller cancelled the request", float("nan"))

    converged = [r for r in results if r.status == "converged" and r.point.violation <= tol]
    if converged and not interrupted:
        best = min(converged, key=lambda r: r.point.f)
        agree = sum(1 for r in converged if abs(r.point.f - best.point.f) <= 1e-6 * (1 + abs(best.point.f)))
        detail = f"KKT point; {len(converged)} of {len(results)} starts converged, {agree} to the best objective"
        given_up = sum(1 for r in results if r.status == "abandoned")
        if given_up:
            detail += f" ({given_up} given up as getting nowhere while another start held a feasible plan)"
        # The lever scan (scan.py): a better basin along single levers, re-solved from; kept only
        # when the re-solve converges to a better KKT point.
        moves, cut, before = 0, "", best.point.f
        # a scan and its re-solve cost about one start (M: 0.1 + 0.1 s against 0.3 s a start)
        per_start = (time.monotonic() - t0) / len(results)
        for _ in range(SCAN_ROUNDS if options.lever_scan else 0):
            if time.monotonic() + per_start > deadline:
                cut = "time_limit"
                break
            found = scan.improving_moves(
                fun, best.point.z, best.multipliers, SCAN_GAIN * (1.0 + abs(best.point.f)), deadline
            )
            if found is None:
                cut = "time_limit" if time.monotonic() > deadline else ""
                break
            res = sqp.solve(
                evaluate,
                found[0],
                settings,
                deadline,
                should_stop,
                hessian=curvature,
                refine_curvature=fun.refine_curvature,
                multipliers=best.multipliers,
                values=fun.lazy_values,
            )
            iterations += res.iterations
            if res.status in ("time_limit", "cancelled"):
                cut = res.status
                break
            if res.status != "converged" or res.point.violation > tol or res.point.f >= best.point.f - SCAN_GAIN:
                break
            best, moves = res, moves + 1
        if cut == "cancelled":
            return finish(best.point, None, Termination.CANCELLED, "the caller cancelled the request", float("nan"))
        if moves:
            gain = (before - best.point.f) * obj_scale
            detail += f"; the lever scan then moved it to a better optimum ({moves}x, objective +{gain:.3g})"
        if cut:
            detail += "; the lever scan was cut short (or skipped) by the time limit"
        return finish(
            best.point, best.multipliers, Termination.LOCALLY_OPTIMAL, detail, best.kkt_residual, time_limited=bool(cut)
        )

    incumbents = [r.incumbent for r in results if r.incumbent is not None]
    feasible_finals = [r for r in results if r.point.violation <= tol]
    if interrupted == "time_limit":
        if incumbents:
            best_point = min(incumbents, key=lambda p: p.f)
            owner = next((r for r in results if r.incumbent is best_point), None)
            lam = owner.multipliers if owner is not None and owner.point is best_point else None
            kkt = sqp.kkt_residual(best_point, lam) if lam is not None else float("nan")
            return finish(
                best_point, lam, Termination.FEASIBLE_TIME_LIMIT, "time limit reached; best feasible plan so far", kkt
            )
        best_point = min((r.point for r in results), key=lambda p: p.violation) if results else None
        if best_point is None:
            z = space.to_z(problem.template.value)
            f, g, c, jac = fun(z)
            best_point = sqp.Point(z, f, g, c, jac)
        return finish(
            best_point,
            None,
            Termination.NO_FEASIBLE_POINT_YET,
            "time limit reached before any feasible plan",
            float("nan"),
        )
    if feasible_finals:
        best = min(feasible_finals, key=lambda r: r.point.f)
        if best.status == "stalled":
            why = (
                f"the steps stalled after {best.iterations} iterations (the trust region collapsed: "
                "the surface is not smooth at this scale near the plan)"
            )
        else:
            why = f"the iteration limit ({settings.max_iterations}) was reached"
        return finish(
            best.point,
            best.multipliers,
            Termination.ITERATION_LIMIT,
            f"feasible, KKT residual {best.kkt_residual:.2e} above tolerance: {why}",
            best.kkt_residual,
        )

    # Phase 1: the smallest (scaled l1) relaxation, from the least-violating point.
    start = min(results, key=lambda r: float(np.sum(np.maximum(r.point.c, 0.0)))).point

    def after_starts(z: np.ndarray, objective_free: bool = False) -> sqp.SQPResult:
        # At least a second even when the starts used up the time limit: a verdict on
        # feasibility (or the plan phase 1 found) beats none.
        return sqp.solve(
            evaluate,
            z,
            settings,
            max(deadline, time.monotonic() + 1.0),
            should_stop,
            objective_free=objective_free,
            hessian=curvature,
            refine_curvature=fun.refine_curvature,
            values=fun.lazy_values,
        )

    phase1 = after_starts(start.z, objective_free=True)
    iterations += phase1.iterations
    point = phase1.point
    phase1_timed = phase1.status == "time_limit"
    if point.violation <= tol:
        # Phase 1 found a feasible point the starts missed: resume optimisation from it.
        res = after_starts(point.z)
        iterations += res.iterations
        if res.point.violation <= tol:
            if res.status == "converged":
                term = Termination.LOCALLY_OPTIMAL
            elif res.status == "time_limit":
                term = Termination.FEASIBLE_TIME_LIMIT
            else:
                term = Termination.ITERATION_LIMIT
            return finish(
                res.point,
                res.multipliers,
                term,
                "feasible point found by phase 1",
                res.kkt_residual,
                time_limited=phase1_timed or res.status == "time_limit",
            )
    if phase1.status == "numerical":
        return finish(
            point,
            None,
            Termination.NUMERICAL_ERROR,
            "the QP subproblems failed repeatedly; no verdict on feasibility",
            float("nan"),
            time_limited=phase1_timed,
        )
    relax = []
    for j, spec in enumerate(specs):
        excess = max(float(point.c[j]), 0.0)
        if excess <= tol:
            continue
        amount = excess * spec.scale
        relaxed = spec.bound + amount if spec.sense == "<=" else spec.bound - amount
        relax.append(Relaxation(spec.name, spec.bound, relaxed, amount, spec.unit))
    if phase1_timed:
        detail = (
            "no feasible plan found; phase 1 stopped at the time limit, so the relaxation listed is "
            "sufficient for this plan but may not be the smallest"
        )
        return finish(point, None, Termination.INFEASIBLE, detail, float("nan"), relax, time_limited=True)
    detail = "no feasible plan; the smallest relaxation (in points, l1) is listed"
    return finish(point, None, Termination.INFEASIBLE, detail, float("nan"), relax)
