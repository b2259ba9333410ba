"""Firm metrics and constraints of a plan, with exact block-sparse Jacobians.

The per-rep surface (JAX, ``surface.py``) gives each rep's outcomes and their derivatives with
respect to the rep's own role levers. Every firm metric is a smooth function of sums of those
outcomes over cells (role x equity group), so its gradient is assembled here from segment sums
(reps are sorted by cell once, then ``np.add.reduceat``): the cost is one surface evaluation with
6 forward tangents, whatever the number of roles.
"""

from __future__ import annotations

import collections
import concurrent.futures
import copy
import ctypes
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import jax
import numpy as np
from planopt.solvers.audit import AuditDesign, design_matrix
from planopt.solvers.problem import ObjectiveKind, PlanProblem
from planopt.solvers.risk import RiskDraws, risk_draws, risk_value, risk_value_and_grad
from planopt.solvers.scan import SCAN_MAX_REPS
from planopt.solvers.surface import (
    LEVERS,
    N_LEVERS,
    OUTCOME_FIELDS,
    SECOND_ORDER_FIELDS,
    ModelConstants,
    RepParams,
    batch_locate,
    mixture_at,
    single_mode_derivatives_at,
    single_mode_jacobian_at,
    two_mode_derivatives_at,
    values_at,
)

BASE, TI = LEVERS.index("base_usd"), LEVERS.index("target_incentive_usd")
ATT, PAY, WELFARE, LEAVE, EFFORT, GIVE_UP = (OUTCOME_FIELDS.index(f) for f in OUTCOME_FIELDS)
# The surface kernels run on reps in chunks of these fixed sizes only, so each kernel compiles
# exactly three shapes whatever the roster size: the server's warm-up covers every roster, and
# no request pays a JIT compile (compiling the second-order kernels takes seconds each).
# Per-rep cost falls with the chunk size (second-order kernel on the 2-core box, session 4: 249 /
# 113 / 81 microseconds per rep at 48 / 192 / 1,024; session 5, modes located separately: ~115 /
# 57 / 55), so a remainder is padded up to a larger chunk when that is cheaper than several small
# ones (bench/README.md).
SURFACE_CHUNKS: tuple[int, ...] = (1024, 192, 48)
# The single-mode second-order kernel runs on blocks of this many reps (``rep_hessians``), and
# lock-step starts' plans are batched into calls of this many reps (``PlanModel.prefetch``).
# Rosters over ``SCAN_MAX_REPS`` use ``LARGE_HESSIAN_BLOCK`` instead: every server compiles the
# 48-rep shape anyway (the 48-rep chunk's kernel, the warm-up's demo solve), and a second shape
# keeps ~70 MB more resident (L's server with both: warm / serving peak 829 / 1,063 MiB against
# 750 / 996 with the 48 one only; budget 1 GiB), while their curvature comes from a sample of reps
# (1,920 of 100,000 on L), where the cheaper blocks would save ~13 ms of a ~0.3 s iteration.
HESSIAN_BLOCK = 192
LARGE_HESSIAN_BLOCK = 48
# Rosters of such chunks only are ``PlanModel.speculative`` (their first order comes from the
# second-order kernel, on these chunks).
SPECULATIVE_CHUNK = SURFACE_CHUNKS[-1]
# The two-mode kernel (``surface.two_mode_derivatives_at``) serves the few reps with two effort
# modes (0-2 of M's 1,000 at most iterates) on blocks of TWO_MODE_BLOCK reps: one or two reps do
# not pay for a chunk.
TWO_MODE_BLOCK = 8
# rep_derivatives sums per-rep Hessians into cell moments this many reps at a time (bounds the
# per-rep buffer: 4,096 x 3 x 6 x 6 doubles = 3.5 MB instead of 86 MB for 100,000 reps).
HESSIAN_BUFFER = 4096
# Kernel calls dispatched ahead of their copy-out (``_in_flight``: chunks of mode location and
# of the first order, blocks of second order).
FIRST_ORDER_LOOKAHEAD = 4
# Lock-step starts (``PlanModel.prefetch``): a small roster's plans are evaluated this many reps
# to a kernel call (4 demo-team plans of 48 padded reps), and a small model keeps the first order
# of this many points.
LOCKSTEP_BLOCK = HESSIAN_BLOCK
LOCKSTEP_PLANS = 8


def chunk_plan(n: int) -> tuple[int, ...]:
    """Chunk sizes covering n reps: whole 1,024-chunks, then the remainder as one more 1,024 if
    it exceeds 576 (three 192-chunks cost about as much), else 192-chunks and a last 192 or
    48-chunks (one 192 beats more than two 48s)."""
    big, small, tiny = SURFACE_CHUNKS
    count, rest = divmod(n, big)
    sizes = [big] * count
    if rest > 3 * small:
        return (*sizes, big)
    count, rest = divmod(rest, small)
    sizes += [small] * count
    if rest > 2 * tiny:
        sizes.append(small)
    elif rest > 0 or not sizes:
        sizes += [tiny] * max(-(-rest // tiny), 1)
    return tuple(sizes)


def hessian_block_for(n: int) -> int:
    """The second-order block size of an n-rep roster (``HESSIAN_BLOCK``, ``LARGE_HESSIAN_BLOCK``)."""
    return HESSIAN_BLOCK if n <= SCAN_MAX_REPS else LARGE_HESSIAN_BLOCK


def release_freed_heap() -> None:
    """Give the heap that XLA's compiler freed back to the OS (glibc ``malloc_trim``). Compiling
    the second-order kernel leaves ~600 MB freed but still mapped (the demo's kernels: resident
    1.22 GB after compiling, 0.63 GB after the trim); a server or a long solve would otherwise
    carry it. No-op where glibc is absent."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


def bucket_size(n: int) -> int:
    """Padded roster length: the sum of the chunk plan (45 reps run as 48, 1,000 as 1,024)."""
    return sum(chunk_plan(n))


def _concat(outs: list) -> tuple[np.ndarray, ...] | np.ndarray:  # type: ignore[type-arg]
    if isinstance(outs[0], tuple):
        return tuple(np.concatenate([np.asarray(o[i]) for o in outs]) for i in range(len(outs[0])))
    return np.concatenate([np.asarray(o) for o in outs])


def _store(outputs: tuple[np.ndarray, ...], part: slice, chunk: tuple, n: int) -> None:  # type: ignore[type-arg]
    """Copy one chunk's kernel outputs into rows ``part`` of ``outputs`` (padding rows past
    ``n`` dropped)."""
    stop = min(part.stop, n)
    if stop > part.start:
        for out, values in zip(outputs, chunk, strict=True):
            out[part.start : stop] = np.asarray(values)[: stop - part.start]


_T = TypeVar("_T")
_A = TypeVar("_A")


def _in_flight(calls: Iterable[_T]) -> Iterator[_T]:
    """The results of ``calls`` (a lazy iterable whose items dispatch kernels), each handed on once
    ``FIRST_ORDER_LOOKAHEAD`` later calls are dispatched: the kernels queue back to back while the
    caller copies an earlier result out, and only that many calls' device buffers are alive at
    once (on 100,000 reps, all first-order chunks at once were another 34 MB at the solve's
    memory peak, and all mode-location chunks ~80 MB of grid values)."""
    pending: collections.deque[_T] = collections.deque()
    for call in calls:
        pending.append(call)
        if len(pending) > FIRST_ORDER_LOOKAHEAD:
            yield pending.popleft()
    yield from pending


# Threads that run a large roster's surface chunks (``set_chunk_threads``); None: the calling
# thread dispatches them (``_in_flight``).
_chunk_pool: concurrent.futures.ThreadPoolExecutor | None = None


def set_chunk_threads(threads: int) -> None:
    """Run the mode location and first order of rosters of several surface chunks on ``threads``
    threads (<= 1: on the calling thread, the default). Worth it only on an XLA CPU pool of as
    many threads: it runs one execution per calling thread, and one execution splits a 1,024-rep
    chunk's loops poorly over its threads (120 evaluations of one chunk on this 2-core box's
    two-thread pool: 315-333 ms from one thread, 215-236 ms from two; on a one-thread pool 350
    ms either way; bench/README.md, session 23). The server sets it with that pool size."""
    global _chunk_pool
    old, _chunk_pool = (
        _chunk_pool,
        (concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="planopt-chunk") if threads > 1 else None),
    )
    if old is not None:
        old.shutdown(wait=False)


def _host(outputs: Any) -> Any:
    """A kernel call's outputs copied to the host (a tuple of arrays or one array)."""
    return tuple(np.asarray(o) for o in outputs) if isinstance(outputs, tuple) else np.asarray(outputs)


def _chunk_results(call: Callable[[_A], Any], items: list[_A]) -> Iterator[Any]:
    """``call(item)``'s outputs for each item, in order: on the chunk threads
    (``set_chunk_threads``), copied to the host there, or dispatched from this thread ahead of
    their copy-out (``_in_flight``). Each chunk is computed alone either way: the same numbers."""
    pool = _chunk_pool
    if pool is None or len(items) < 2:
        yield from _in_flight(call(item) for item in items)
    else:
        yield from pool.map(lambda item: _host(call(item)), items)


# A first-order cache entry (``PlanModel._first_order``): levers' bytes, outcomes, Jacobians and
# per-rep Hessians (or None).
_FirstOrder = tuple[bytes, np.ndarray, np.ndarray, "np.ndarray | None"]


def _single_mode(exists: np.ndarray) -> np.ndarray:
    """Which reps (rows of a (., 2) existence array) have exactly one effort mode: those the
    single-mode kernels serve (``surface._single_mode_outcomes``)."""
    return exists[:, 0] & ~exists[:, 1]


@dataclass
class HessianMoments:
    """The per-rep lever Hessians of attainment, pay and attrition (``SECOND_ORDER_FIELDS``),
    summed per cell (role x equity group) with the per-rep weights every Lagrangian is built
    from: 1 (``plain``), the rep's quota (``quota``), and each per-rep linear form of pay the
    adjusted-equity-gap constraints use (``pay_forms``, ``PlanModel.pay_forms`` order). A sample's
    rows carry their ``HessianSample`` weights. A Lagrangian's second-order part is a linear
    combination of these sums (``PlanModel.lagrangian_hessian``): no per-rep array is kept, so
    the memory is that of the cells, not of the roster."""

    plain: np.ndarray  # (C, 3, 6, 6)
    quota: np.ndarray  # (C, 3, 6, 6)
    pay_forms: np.ndarray  # (F, C, 6, 6)


@dataclass
class RepDerivatives:
    """One surface evaluation with second order, in sorted (cell) order: outcomes (n, 6), lever
    Jacobians (n, 6, 6) of every rep, and the cell sums of lever Hessians (``HessianMoments``) of
    every rep or, with a ``HessianSample``, of the sampled reps, each standing for its weight's
    worth of reps of its cell (``sampled``: how many reps entered the second order)."""

    y: np.ndarray
    jac: np.ndarray
    moments: HessianMoments
    sampled: int


@dataclass(frozen=True)
class HessianSample:
    """A stratified systematic sample of reps for the curvature model: in every cell (role x
    equity group) with more than ``per_cell`` reps, ``per_cell`` reps evenly spaced in the
    order of their baseline attainment, each weighted by cell size / ``per_cell`` (so the
    weighted sum of sampled per-rep Hessians estimates the cell's sum without bias); smaller
    cells are taken whole with weight 1. Deterministic: the same roster gives the same sample."""

    rows: np.ndarray  # sorted-order indices, ascending
    weight: np.ndarray  # reps each sampled row stands for


def _ratio_curvature(u: float, v: float, gu: np.ndarray, gv: np.ndarray) -> np.ndarray:
    """The part of the Hessian of u / v that is not (Hess u) / v - u (Hess v) / v**2: the outer
    products of the flattened gradients of the numerator and denominator."""
    cross = np.outer(gu, gv)
    return -(cross + cross.T) / v**2 + 2.0 * u * np.outer(gv, gv) / v**3


class _Assembled(NamedTuple):
    """``PlanModel._assemble``'s answer for B plans."""

    metrics: dict[str, np.ndarray]  # firm totals and the objective, each (B,)
    objective_grad: np.ndarray  # (B, R, 6)
    values: np.ndarray  # (B, m)
    jac: np.ndarray  # (B, m, R, 6)
    role_sum: np.ndarray  # (B, R, 4): attainment, pay, revenue, leave


# The firm metric each objective maximises (any other kind: profit_usd, gross margin x revenue - pay).
_OBJECTIVE_METRIC = {
    ObjectiveKind.ATTAINMENT: "mean_attainment",
    ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT: "quota_weighted_attainment",
    ObjectiveKind.REVENUE: "revenue_usd",
}


class NonFiniteOutcome(FloatingPointError):
    """The model is not finite for some reps (roster order indices) at the evaluated plan."""

    def __init__(self, rows: np.ndarray) -> None:
        super().__init__(f"non-finite model outcome for {rows.size} rep(s), first rows {rows[:5].tolist()}")
        self.rows = rows


@dataclass(frozen=True)
class ConstraintSpec:
    """value (sense) bound, scaled as c = +-(value - bound) / scale <= 0."""

    name: str
    kind: str  # cost_of_sales | ote | base_share | equity_gap | attrition
    sense: str  # "<=" or ">="
    bound: float
    scale: float  # business units per scaled unit (a natural step: 1 pt, 1% of OTE)
    unit: str  # "fraction" or "usd"
    role: str = ""
    group: str = ""


class SpecArrays(NamedTuple):
    """Per constraint row: c = sign * (value - bound) / scale <= 0 (``ConstraintSpec``)."""

    sign: np.ndarray
    bound: np.ndarray
    scale: np.ndarray

    @staticmethod
    def of(specs: list[ConstraintSpec]) -> SpecArrays:
        return SpecArrays(
            np.array([1.0 if s.sense == "<=" else -1.0 for s in specs]),
            np.array([s.bound for s in specs]),
            np.array([s.scale for s in specs]),
        )


@dataclass
class Evaluation:
    """Objective, constraint values and their gradients w.r.t. the (R, 6) lever matrix."""

    objective: float
    objective_grad: np.ndarray  # (R, 6)
    values: np.ndarray  # (m,) constraint values in business units
    jac: np.ndarray  # (m, R, 6)
    metrics: dict[str, float]
    role_metrics: dict[str, dict[str, float]]
    rep: dict[str, np.ndarray]  # per-rep outcomes in roster order

    def scaled(self, specs: list[ConstraintSpec] | SpecArrays) -> tuple[np.ndarray, np.ndarray]:
        """Scaled residuals c (<= 0 when satisfied) and their Jacobian (m, R, 6), by the specs or
        their ``SpecArrays`` (``PlanModel.spec_arrays``: built once per model)."""
        sign, bound, scale = specs if isinstance(specs, SpecArrays) else SpecArrays.of(specs)
        c = sign * (self.values - bound) / scale
        jac = self.jac * (sign / scale)[:, None, None]
        return c, jac


def _top_bottom_quartile(values: np.ndarray) -> tuple[float, float]:
    """Means of the top and bottom 25% of reps, the boundary rep counted fractionally."""
    v = np.sort(values)
    n = len(v)
    quarter = n / 4.0
    whole = int(np.floor(quarter))
    frac = quarter - whole
    weights = np.zeros(n)
    weights[:whole] = 1.0
    if frac > 0:
        weights[whole] = frac
    bottom = float(np.dot(weights, v) / quarter)
    top = float(np.dot(weights[::-1], v) / quarter)
    return top, bottom


@dataclass(frozen=True)
class _ValuePlan:
    """Which constraint rows are which kind, with the roles, cells and pay forms they read:
    ``values_from_stats`` fills every row of a kind with one vectorised expression."""

    cost_of_sales: np.ndarray
    attrition: np.ndarray
    ote: np.ndarray
    ote_role: np.ndarray
    share: np.ndarray
    share_role: np.ndarray
    gap: np.ndarray
    gap_cell: np.ndarray
    gap_role: np.ndarray
    adjusted: np.ndarray
    adjusted_form: np.ndarray  # index into ``pay_forms`` (0 is the reference group's mean)

    @staticmethod
    def of(specs: list[ConstraintSpec], model: PlanModel) -> _ValuePlan:
        def rows(kind: str) -> np.ndarray:
            return np.array([j for j, s in enumerate(specs) if s.kind == kind], dtype=np.int64)

        def roles(kind: str) -> np.ndarray:
            return np.array([model.roles.index(s.role) for s in specs if s.kind == kind], dtype=np.int64)

        forms = {g: 1 + i for i, g in enumerate(model.adjusted_gap_rows)}
        return _ValuePlan(
            cost_of_sales=rows("cost_of_sales"),
            attrition=rows("attrition"),
            ote=rows("ote"),
            ote_role=roles("ote"),
            share=rows("base_share"),
            share_role=roles("base_share"),
            gap=rows("equity_gap"),
            gap_cell=np.array(
                [model._cell_index[(s.role, s.group)] for s in specs if s.kind == "equity_gap"], dtype=np.int64
            ),
            gap_role=roles("equity_gap"),
            adjusted=rows("adjusted_equity_gap"),
            adjusted_form=np.array([forms[s.group] for s in specs if s.kind == "adjusted_equity_gap"], dtype=np.int64),
        )


class PlanModel:
    """A plan problem made ready for repeated evaluation (sorted, padded, constraints built)."""

    def __init__(
        self, problem: PlanProblem, hessian_block: int | None = None, first_order_hessians: bool | None = None
    ) -> None:
        """``hessian_block``: the second-order block size to use instead of this roster's own
        (``hessian_block(n)``): the server's warm-up compiles, on one chunk-sized roster, the
        blocks of the larger rosters that share its chunks (and, as the flag follows the block
        size, their first-order kernels). ``first_order_hessians``: instead of the default
        (below); False gives the first order alone (the bench's peers, which take no Hessians
        or ask for them separately)."""
        self.problem = problem
        roster, template = problem.roster, problem.template
        self.roles = template.roles
        role_index = {r: i for i, r in enumerate(self.roles)}
        role_idx = np.array([role_index[r] for r in roster.role], dtype=np.int64)
        groups = sorted(set(roster.equity_group))
        group_idx = np.array([groups.index(g) for g in roster.equity_group], dtype=np.int64)
        cell = role_idx * len(groups) + group_idx
        self.order = np.argsort(cell, kind="stable")
        self.n = roster.size
        cell_sorted = cell[self.order]
        starts = np.flatnonzero(np.r_[True, cell_sorted[1:] != cell_sorted[:-1]])
        self.cell_starts = starts
        self.cell_ids = cell_sorted[starts]
        self.cell_role = self.cell_ids // len(groups)
        self.cell_group = [groups[g] for g in self.cell_ids % len(groups)]
        self.cell_count = np.diff(np.r_[starts, self.n]).astype(float)
        self.cell_of = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, self.n]))  # sorted order
        self.role_idx_sorted = role_idx[self.order]
        self._cell_index = {
            (self.roles[r], g): i for i, (r, g) in enumerate(zip(self.cell_role, self.cell_group, strict=True))
        }
        self._cell_to_role = np.eye(len(self.roles))[self.cell_role]  # (C, R) one-hot
        self.role_count = np.bincount(role_idx, minlength=len(self.roles)).astype(float)
        self.quota_sorted = roster.quota_usd[self.order].astype(float)
        self.total_quota = float(self.quota_sorted.sum())
        self.chunks = chunk_plan(self.n)
        self.bucket = sum(self.chunks)
        pad = self.bucket - self.n

        def col(a: np.ndarray, fill: float) -> np.ndarray:
            # Host arrays: jit transfers them with the call (one jnp.asarray per column per
            # request cost more than the transfer itself).
            return np.concatenate([np.asarray(a, dtype=float)[self.order], np.full(pad, fill)])

        k = roster.effort_productivity
        self.params = RepParams(
            mu=col(roster.baseline_attainment, 0.5),
            sigma=col(roster.noise_sd, 0.2),
            cost=col(roster.effort_cost_usd / k**2, 1e5),
            risk=col(roster.risk_aversion_per_usd, 0.0),
            outside=col(roster.outside_option_usd, 0.0),
            productivity=col(k, 1.0),
        )
        bounds = np.cumsum((0, *self.chunks))
        self._chunk_slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
        # Each chunk's parameters on the device once: every evaluation passes them to 2-3 kernels,
        # and a host array is copied in at each call (2-3% of an optimiser evaluation on the demo
        # team, measured interleaved in one process). The second-order blocks gather theirs
        # from ``params`` (host) per call, as their rows vary.
        self._chunk_params = [RepParams(*jax.device_put([a[part] for a in self.params])) for part in self._chunk_slices]
        # Small rosters (every chunk one Hessian block): each first-order evaluation computes the
        # reps' second order too, in the same kernel (``single_mode_derivatives_at``). The SQP
        # asks for second order at the points it accepts, nearly all on the demo (34 of 36);
        # one kernel call instead of two there saves more than the rejected trials waste.
        self.speculative = all(size == SPECULATIVE_CHUNK for size in self.chunks)  # <= 96 reps
        self.hessian_block = hessian_block_for(self.n) if hessian_block is None else hessian_block
        # Every first-order evaluation computes the second order too, on the surface chunks
        # (``single_mode_derivatives_at``): small rosters (above) and rosters with
        # ``HESSIAN_BLOCK`` blocks (up to ``SCAN_MAX_REPS``, M's size). On M a trial then costs
        # ~1.3 ms more and an accepted point (~2 of 3 trials) ~4 ms less; since session 25 the
        # SQP values M's trial points alone and asks for the first order only at the points it
        # accepts (``optimize.ScaledProblem.lazy_values``), so no trial pays it. The 1,024-rep chunk of
        # that kernel keeps ~40 MB more resident in a warm server than 192-rep blocks did (678
        # against 640 MiB after the default warm-up; session 22), for M ~12% faster (seeds 0-3,
        # one core, alternating: 6.1-6.7 s against 7.2-8.0 s, the same iterates). Large rosters
        # (``LARGE_HESSIAN_BLOCK``) take their curvature from a sample of reps
        # (``HessianSample``): the first order alone.
        self.first_order_hessians = (
            (self.speculative or self.hessian_block == HESSIAN_BLOCK)
            if first_order_hessians is None
            else first_order_hessians
        )
        # The modes located at the last lever matrices (an SQP asks for the Hessian at the
        # point it has just evaluated): the second-order kernel then skips the mode search.
        self._located: tuple[tuple[bytes, list[tuple[np.ndarray, np.ndarray]]], ...] = ()
        # The last (levers, y, jac, per-rep Hessians or None), most recent first: see
        # ``first_order_hessians``. One point's on a large roster (100,000 reps' Jacobians are
        # 29 MB); a small roster's keep a lock-step round's (``prefetch``).
        self._first_order: tuple[_FirstOrder, ...] = ()
        self._cached_points = LOCKSTEP_PLANS if self.speculative else 1
        self._lockstep_device: RepParams | None = None  # ``_lockstep_params``
        # every rep's Hessian moments at the lock-step passes' plans (``_lockstep_pass``)
        self._moments: tuple[tuple[bytes, HessianMoments], ...] = ()
        self.lever_rows = np.r_[self.role_idx_sorted, np.zeros(pad, dtype=np.int64)]
        self.constants = ModelConstants(
            *jax.device_put(
                [np.asarray(float(problem.model.temperature_usd)), np.asarray(float(problem.model.attrition_scale_usd))]
            )
        )
        self.quota_padded = np.concatenate([self.quota_sorted, np.zeros(pad)])
        self.specs = self._build_constraints()
        self.risk = self._risk_draws()
        # Derived from the roster only, computed on first use and shared with every
        # ``with_problem`` copy (one dict object): ``audit_design``.
        self._roster_memo: dict[str, Any] = {}

    def audit_design(self) -> AuditDesign | None:
        """The pay-equity audit's regression for this roster (roster order), factorised once
        and shared by this model's ``with_problem`` copies; None with fewer than two groups."""
        if "audit" not in self._roster_memo:  # a race computes it twice, harmlessly
            r = self.problem.roster
            self._roster_memo["audit"] = AuditDesign.of(r.role, r.quota_usd, r.equity_group)
        return self._roster_memo["audit"]  # type: ignore[no-any-return]

    def _risk_draws(self) -> RiskDraws | None:
        risk = self.problem.constraints.cost_of_sales_risk
        return None if risk is None else risk_draws(risk, self.bucket)

    def risk_measure(self, levers: np.ndarray, with_jacobian: bool) -> tuple[float, np.ndarray]:
        """The CVaR / quantile of simulated cost of sales and its (R, 6) gradient (zeros when
        not asked for)."""
        risk = self.problem.constraints.cost_of_sales_risk
        assert risk is not None and self.risk is not None
        d = self.risk
        args = (
            np.asarray(levers, dtype=float),
            self.lever_rows,
            self.params,
            self.constants,
            d.eps,
            d.u,
            d.z,
            self.quota_padded,
            np.float64(risk.smoothing),
        )
        quantile = risk.measure == "quantile"
        if not with_jacobian:
            return float(risk_value(*args, np.int64(d.tail), quantile=quantile)), np.zeros((len(self.roles), N_LEVERS))
        value, grad = risk_value_and_grad(*args, np.int64(d.tail), quantile=quantile)
        return float(value), np.asarray(grad)

    # ----------------------------------------------------------------- constraints
    def _build_constraints(self) -> list[ConstraintSpec]:
        c = self.problem.constraints
        specs: list[ConstraintSpec] = []
        if c.max_cost_of_sales is not None:
            specs.append(ConstraintSpec("cost_of_sales", "cost_of_sales", "<=", c.max_cost_of_sales, 0.01, "fraction"))
        if c.ote_band_fraction is not None:
            for role in self.roles:
                market = self.problem.market_ote_usd[role]
                scale = 0.01 * market
                lo, hi = market * (1 - c.ote_band_fraction), market * (1 + c.ote_band_fraction)
                specs.append(ConstraintSpec(f"ote_min[{role}]", "ote", ">=", lo, scale, "usd", role))
                specs.append(ConstraintSpec(f"ote_max[{role}]", "ote", "<=", hi, scale, "usd", role))
        for role in self.roles:
            mix = c.mix.get(role) or c.mix.get("*")
            if mix is None:
                continue
            if mix.min_base_share is not None:
                specs.append(
                    ConstraintSpec(
                        f"base_share_min[{role}]", "base_share", ">=", mix.min_base_share, 0.01, "fraction", role
                    )
                )
            if mix.max_base_share is not None:
                specs.append(
                    ConstraintSpec(
                        f"base_share_max[{role}]", "base_share", "<=", mix.max_base_share, 0.01, "fraction", role
                    )
                )
        if c.max_equity_gap is not None:
            for ci, role_i in enumerate(self.cell_role):
                role = self.roles[role_i]
                if int(np.sum(self.cell_role == role_i)) < 2:
                    continue  # one group in the role: no gap to constrain
                group = self.cell_group[ci]
                for sense, bound in (("<=", c.max_equity_gap), (">=", -c.max_equity_gap)):
                    tag = "max" if sense == "<=" else "min"
                    specs.append(
                        ConstraintSpec(
                            f"equity_gap_{tag}[{role}/{group}]",
                            "equity_gap",
                            sense,
                            bound,
                            0.01,
                            "fraction",
                            role,
                            group,
                        )
                    )
        if c.max_attrition is not None:
            specs.append(ConstraintSpec("attrition", "attrition", "<=", c.max_attrition, 0.01, "fraction"))
        self.adjusted_gap_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if c.max_adjusted_equity_gap is not None and len(set(self.problem.roster.equity_group)) >= 2:
            r = self.problem.roster
            ref, others, x, first = design_matrix(
                np.asarray(r.role, dtype=object)[self.order],
                self.quota_sorted,
                np.asarray(r.equity_group, dtype=object)[self.order],
            )
            # The OLS coefficient of group g is a fixed linear form of per-rep pay: row
            # first + j of pinv(X); the reference mean is another one.
            pinv = np.linalg.pinv(x)
            is_ref = (np.asarray(r.equity_group, dtype=object)[self.order] == ref).astype(float)
            mean_ref = is_ref / is_ref.sum()
            for j, g in enumerate(others):
                self.adjusted_gap_rows[g] = (pinv[first + j], mean_ref)
                for sense, bound in (("<=", c.max_adjusted_equity_gap), (">=", -c.max_adjusted_equity_gap)):
                    tag = "max" if sense == "<=" else "min"
                    specs.append(
                        ConstraintSpec(
                            f"adjusted_equity_gap_{tag}[{g}]",
                            "adjusted_equity_gap",
                            sense,
                            bound,
                            0.01,
                            "fraction",
                            group=g,
                        )
                    )
        # Per-rep linear forms of pay whose Hessian sums the Lagrangian needs (HessianMoments):
        # the reference group's mean, then each adjusted-gap coefficient row.
        gap_rows = list(self.adjusted_gap_rows.values())
        self.pay_forms = (
            np.stack([gap_rows[0][1], *(coef for coef, _ in gap_rows)]) if gap_rows else np.zeros((0, self.n))
        )
        risk = c.cost_of_sales_risk
        if risk is not None:
            name = f"cost_of_sales_{'quantile' if risk.measure == 'quantile' else 'cvar'}[{risk.level:g}]"
            specs.append(ConstraintSpec(name, "cost_of_sales_risk", "<=", risk.max, 0.01, "fraction"))
        self._value_plan = _ValuePlan.of(specs, self)
        self.spec_arrays = SpecArrays.of(specs)  # for ``Evaluation.scaled`` on every evaluation
        return specs

    def with_problem(self, problem: PlanProblem) -> PlanModel:
        """This model for a problem that differs only in constraints or objective (same roster,
        roles and behaviour model): shares the roster arrays and compiled shapes, and the
        lock-step parameters on the device, put there once on this model (not per copy: ~0.1 ms
        per request on the server's cached models)."""
        if self.speculative:
            self._lockstep_params()
        other = copy.copy(self)
        other.problem = problem
        other.specs = other._build_constraints()
        other._moments = ()  # their pay forms are the constraints' (``_build_constraints``)
        other.risk = other._risk_draws()
        return other

    # ----------------------------------------------------------------- evaluation
    @property
    def has_exact_hessian(self) -> bool:
        """Every constraint kind has an exact Hessian except the simulated risk measure."""
        return all(s.kind != "cost_of_sales_risk" for s in self.specs)

    def _modes(self, lev: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per chunk: the reps' located effort modes and whether each exists (no derivatives)."""
        key = lev.tobytes()
        for cached, found in self._located:
            if cached == key:
                return found
        # Copied to the host as they finish (``_in_flight``): dispatched all at once, every
        # chunk's grid values (0.8 MB a 1,024-rep chunk) were alive together until its Newton
        # refinement ran, the largest item of L's solve peak (sampled in process: RSS 962 MB at
        # this line, 822 MB warm; 909 MB in flight).
        chunks = list(zip(self._chunk_slices, self._chunk_params, strict=True))
        located = [
            (np.asarray(modes), np.asarray(exists))
            for modes, exists in _chunk_results(lambda c: batch_locate(lev[c[0]], c[1]), chunks)
        ]
        self._remember_modes(key, located)
        return located

    def _remember_modes(self, key: bytes, located: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self._located = ((key, located), *self._located[: max(self._cached_points, 2) - 1])

    def _kernel(self, kernel, levers: np.ndarray):  # type: ignore[no-untyped-def]
        """``kernel(lev, params, constants, modes, exists)`` chunk by chunk (fixed shapes), at
        the located modes, outputs concatenated along the padded, sorted reps."""
        lev = np.asarray(levers, dtype=float)[self.lever_rows]
        located = self._modes(lev)
        outs = [
            kernel(lev[part], p, self.constants, *modes)
            for part, p, modes in zip(self._chunk_slices, self._chunk_params, located, strict=True)
        ]
        return _concat(outs)

    def compile_kernels(self, levers: np.ndarray | None = None, scan: bool | None = None) -> None:
        """Run every surface kernel (values, Jacobian, second order) once, so each of this
        roster's chunk shapes is compiled now rather than inside a timed or deadline-bound call.
        ``scan``: also the lever scan's (``compile_batch_kernels``); by default when this
        roster is small enough to be scanned (``scan.SCAN_MAX_REPS``)."""
        levers = self.problem.template.value if levers is None else levers
        self.evaluate(levers)
        # the values kernel itself: ``evaluate(levers, with_jacobian=False)`` would answer from
        # the first order just cached, and a server warmed without the lever scan (rosters over
        # SCAN_MAX_REPS only) then compiled it on its first request (0.5 s on a 1,024-rep chunk)
        self._kernel(values_at, levers)
        self.evaluate(levers, with_jacobian=False)
        if self.first_order_hessians and not self.speculative:
            # the first-order kernel alone on these chunks: a roster over SCAN_MAX_REPS runs its
            # first order through it on the same chunk shapes (the server's warm-up compiles a
            # chunk size once, on a roster of that size)
            self._first_order_kernels(levers, hessians=False)
        self.rep_derivatives(levers)
        # both second-order kernels, whichever the reps at ``levers`` needed
        located = self._located_arrays(levers)
        self._hessian_blocks(located[0], located[1], np.arange(self.hessian_block) % self.n)
        self._two_mode_derivatives(*located, np.arange(TWO_MODE_BLOCK) % self.n)
        if self.speculative:
            levers = np.asarray(levers, dtype=float)
            self._lockstep_pass([(levers.tobytes(), levers)] * 2)  # lock-step starts' shape
        if scan is None:
            scan = self.n <= SCAN_MAX_REPS
        if scan:
            self.compile_batch_kernels()
        release_freed_heap()

    def compile_batch_kernels(self) -> None:
        """Run ``batch_values``' chunk kernels once on every ``SURFACE_CHUNKS`` size. It lays B
        plans' reps end to end, so its chunks are the sizes B x n reps need, not this roster's
        own: the lever scan of a 45-rep solve (49 plans, 2,205 reps) runs 1,024- and 192-rep
        chunks. Without this a server warmed for 48-rep rosters compiled six kernels on its
        first OptimizePlan."""
        for size in SURFACE_CHUNKS:
            rows = np.arange(size) % self.n
            lev = np.asarray(self.problem.template.value, dtype=float)[self.lever_rows[rows]]
            np.asarray(self._values_chunk(lev, RepParams(*(a[rows] for a in self.params))))

    def hessian_sample(self, per_cell: int) -> HessianSample | None:
        """The curvature sample (``HessianSample``); None when every cell is within
        ``per_cell`` (the sample would be the whole roster)."""
        if per_cell <= 0 or np.all(self.cell_count <= per_cell):
            return None
        rows, weight = [], []
        mu = self.params.mu[: self.n]
        for start, count in zip(self.cell_starts, self.cell_count.astype(int), strict=True):
            members = start + np.argsort(mu[start : start + count], kind="stable")
            if count <= per_cell:
                rows.append(np.sort(members))
                weight.append(np.ones(count))
                continue
            # midpoints of per_cell equal strata of the attainment order
            pick = np.floor((np.arange(per_cell) + 0.5) * count / per_cell).astype(int)
            rows.append(np.sort(members[pick]))
            weight.append(np.full(per_cell, count / per_cell))
        all_rows = np.concatenate(rows)
        order = np.argsort(all_rows, kind="stable")
        return HessianSample(all_rows[order], np.concatenate(weight)[order])

    def rep_hessians(self, levers: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Lever Hessians (k, 3, 6, 6) of ``SECOND_ORDER_FIELDS`` of the reps ``rows`` (sorted
        order), at the modes located for ``levers``: reps with one effort mode (nearly all) by
        the single-mode kernel, the others by the two-mode one (``_two_mode_derivatives``).

        The single-mode kernel runs on blocks of
        ``hessian_block`` reps (``HESSIAN_BLOCK``; ``LARGE_HESSIAN_BLOCK`` over
        ``SCAN_MAX_REPS`` reps): it costs 2.6 / 1.7 us per rep at 48 / 192 (M's reps; 10.9 /
        4.3 us before its directional derivatives, ``surface._lever_derivatives``), and each
        compiled shape of it keeps memory resident (a fresh process's RSS grew 28 / 12 MB with
        the 48 / 192-rep shapes; 157 / 67 MB before), so a large roster's model has one (48)
        and an M-sized one another (192); small ones (``speculative``) have both, for their
        first order on 48-rep chunks and their lock-step passes. On M (seeds 0 and 1,
        alternating) 192-rep blocks took 1.59-1.61 / 0.94-0.97 s against 1.77-2.16 / 1.05-1.13 s
        with 48, the same iterations."""
        return self._rep_hessians(*self._located_arrays(levers), rows)

    def _rep_hessians(self, lev: np.ndarray, modes: np.ndarray, exists: np.ndarray, rows: np.ndarray) -> np.ndarray:
        single = _single_mode(exists[rows])
        hess = np.empty((rows.size, len(SECOND_ORDER_FIELDS), N_LEVERS, N_LEVERS))
        if single.any():
            hess[single] = self._hessian_blocks(lev, modes, rows[single])
        if not single.all():
            hess[~single] = self._two_mode_derivatives(lev, modes, exists, rows[~single])[2]
        return hess

    def _located_arrays(self, levers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-rep levers (padded, sorted), located effort modes (., 3) and existence (., 2)."""
        lev = np.asarray(levers, dtype=float)[self.lever_rows]
        located = self._modes(lev)
        modes = np.concatenate([np.asarray(m) for m, _ in located])
        exists = np.concatenate([np.asarray(e) for _, e in located])
        return lev, modes, exists

    def _rep_blocks(
        self, lev: np.ndarray, rows: np.ndarray, b: int, *per_rep: np.ndarray
    ) -> Iterator[tuple[int, int, np.ndarray, RepParams, tuple[np.ndarray, ...]]]:
        """``rows`` in blocks of ``b`` (the last padded by repeating its last row): (offset, how
        many of the block are real rows, the block's levers, parameters and rows of each
        ``per_rep`` array). Every input is gathered once for all blocks; the blocks are views."""
        padded = np.concatenate([rows, np.full(-rows.size % b, rows[-1] if rows.size else 0)])
        lev_all = lev[padded]
        params_all = [a[padded] for a in self.params]
        extra_all = [a[padded] for a in per_rep]
        for start in range(0, padded.size, b):
            sl = slice(start, start + b)
            yield (
                start,
                min(b, rows.size - start),
                lev_all[sl],
                RepParams(*(a[sl] for a in params_all)),
                tuple(a[sl] for a in extra_all),
            )

    def _hessian_blocks(self, lev: np.ndarray, modes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per-rep Hessians of ``rows`` by the single-mode kernel, in ``hessian_block`` blocks
        (``_derivative_blocks``)."""
        hess = self._derivative_blocks(single_mode_derivatives_at, lev, rows, self.hessian_block, modes, whole=False)[2]
        assert hess is not None
        return hess

    def _derivative_blocks(
        self, kernel: Any, lev: np.ndarray, rows: np.ndarray, block: int, *per_rep: np.ndarray, whole: bool = True
    ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """Outcomes, Jacobians and Hessians of ``rows`` by a derivative kernel (single- or
        two-mode: ``kernel(lev, params, constants, *per_rep)`` -> (y, jac, hess)), in blocks of
        ``block`` reps dispatched ahead of their copy-out (``_in_flight``: the next block's Python
        overlaps the running kernel). Without ``whole`` only the Hessians are copied out (the
        first two are None)."""
        shapes = (
            (len(OUTCOME_FIELDS),),
            (len(OUTCOME_FIELDS), N_LEVERS),
            (len(SECOND_ORDER_FIELDS), N_LEVERS, N_LEVERS),
        )
        outputs = tuple(np.empty((rows.size, *shape)) if whole or i == 2 else None for i, shape in enumerate(shapes))
        blocks = self._rep_blocks(lev, rows, block, *per_rep)
        calls = (
            (start, real, kernel(lev_b, params, self.constants, *extra)) for start, real, lev_b, params, extra in blocks
        )
        for start, real, done in _in_flight(calls):
            for out, part in zip(outputs, done, strict=True):
                if out is not None:
                    out[start : start + real] = np.asarray(part)[:real]
        return outputs  # type: ignore[return-value]

    def rep_derivatives(self, levers: np.ndarray, sample: HessianSample | None = None) -> RepDerivatives:
        """Outcomes and Jacobians of every rep (the first-order kernel; reused when ``levers``
        was just evaluated) and the cell moments (``HessianMoments``) of the lever Hessians of
        every rep or, given a ``sample``, of the sampled reps only: the curvature model of a
        large roster at a fraction of the cost (on 100,000 reps, 20 roles, 2 groups and 48 per
        cell: 1,920 second-order reps instead of 100,000). Per-rep Hessians are summed into the
        moments ``HESSIAN_BUFFER`` reps at a time."""
        y, jac = self.rep_outcomes(levers)
        if sample is None:
            key = np.asarray(levers, dtype=float).tobytes()
            moments = next((m for k, m in self._moments if k == key), None)
            if moments is not None:
                return RepDerivatives(y, jac, moments, self.n)
        rows = np.arange(self.n) if sample is None else sample.rows
        weight = np.ones(self.n) if sample is None else sample.weight
        cells = self.cell_ids.size
        forms = self.pay_forms
        plain = np.zeros((cells, len(SECOND_ORDER_FIELDS), N_LEVERS, N_LEVERS))
        quota = np.zeros_like(plain)
        pay_forms = np.zeros((forms.shape[0], cells, N_LEVERS, N_LEVERS))
        pay = SECOND_ORDER_FIELDS.index("pay")
        computed = self._first_order_hessians_at(levers)
        located = self._located_arrays(levers) if computed is None else None
        for start in range(0, rows.size, HESSIAN_BUFFER):
            part = rows[start : start + HESSIAN_BUFFER]
            per_rep = computed[part] if located is None else self._rep_hessians(*located, part)  # type: ignore[index]
            hess = per_rep * weight[start : start + HESSIAN_BUFFER, None, None, None]
            # rows ascend, so each cell's rows are contiguous: segment sums, one per cell present
            cell = self.cell_of[part]
            seg = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
            present = cell[seg]
            plain[present] += np.add.reduceat(hess, seg, axis=0)
            quota[present] += np.add.reduceat(hess * self.quota_sorted[part, None, None, None], seg, axis=0)
            for f in range(forms.shape[0]):
                pay_forms[f, present] += np.add.reduceat(hess[:, pay] * forms[f, part, None, None], seg, axis=0)
        return RepDerivatives(y, jac, HessianMoments(plain, quota, pay_forms), int(rows.size))

    def _whole_moments(self, hess: np.ndarray) -> list[HessianMoments]:
        """``HessianMoments`` of B plans from every rep's Hessians (B, n, 3, 6, 6), weight 1:
        ``rep_derivatives``' sums (every cell present, one part), vectorised over the plans."""
        pay = SECOND_ORDER_FIELDS.index("pay")
        starts, q, forms = self.cell_starts, self.quota_sorted, self.pay_forms
        plain = np.add.reduceat(hess, starts, axis=1)
        quota = np.add.reduceat(hess * q[:, None, None, None], starts, axis=1)
        pay_forms = [np.add.reduceat(hess[:, :, pay] * form[:, None, None], starts, axis=1) for form in forms]
        shape = (0, self.cell_ids.size, N_LEVERS, N_LEVERS)
        return [
            HessianMoments(plain[b], quota[b], np.stack([f[b] for f in pay_forms]) if pay_forms else np.zeros(shape))
            for b in range(hess.shape[0])
        ]

    def role_sum(self, per_rep: np.ndarray) -> np.ndarray:
        """Sums over each role's reps (R, ...) of a per-rep array in sorted order (n, ...)."""
        out = np.zeros((len(self.roles), *per_rep.shape[1:]))
        np.add.at(out, self.cell_role, np.add.reduceat(per_rep, self.cell_starts, axis=0))
        return out

    def rep_outcomes(self, levers: np.ndarray, with_jacobian: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Per-rep outcomes (n, 6) and Jacobians (n, 6, 6), in sorted (cell) order. Without the
        Jacobian (a separate, cheaper kernel) the returned Jacobian is zeros."""
        if not with_jacobian:
            # a point the optimiser evaluated (its final plan) has its outcomes cached already
            # (from the derivative kernel: equal to the value kernel's to the last bit or two)
            cached = self._cached_first_order(np.asarray(levers, dtype=float).tobytes())
            y = cached[1] if cached is not None else self._kernel(values_at, levers)[: self.n]
            # zeros without their memory (29 MB on 100,000 reps): a read-only view of one block
            return y, np.broadcast_to(np.zeros((1, y.shape[1], N_LEVERS)), (self.n, y.shape[1], N_LEVERS))
        key = np.asarray(levers, dtype=float).tobytes()
        cached = self._cached_first_order(key)
        if cached is not None:
            return cached[1], cached[2]  # the SQP's curvature model asks again
        # the oldest point's arrays go now unless the caller holds them
        self._first_order = self._first_order[: self._cached_points - 1]
        y, jac, hess = self._first_order_kernels(levers)
        self._remember_first_order(key, y, jac, hess)
        return y, jac

    def _cached_first_order(self, key: bytes) -> _FirstOrder | None:
        return next((entry for entry in self._first_order if entry[0] == key), None)

    def _remember_first_order(self, key: bytes, y: np.ndarray, jac: np.ndarray, hess: np.ndarray | None) -> None:
        y.flags.writeable = jac.flags.writeable = False
        self._first_order = ((key, y, jac, hess), *self._first_order[: self._cached_points - 1])

    def _first_order_hessians_at(self, levers: np.ndarray) -> np.ndarray | None:
        """The per-rep Hessians computed with the first order at ``levers``
        (``first_order_hessians``), or None."""
        cached = self._cached_first_order(np.asarray(levers, dtype=float).tobytes())
        return None if cached is None else cached[3]

    def prefetch(self, plans: list[np.ndarray]) -> None:
        """Evaluate several lever matrices' first (and, ``speculative``, second) order in one
        batched pass, for ``rep_outcomes`` / ``evaluate`` / ``rep_derivatives`` to answer from
        (the SQP's lock-step starts, ``sqp.solve_many``). The plans' padded rosters are laid end
        to end, ``LOCKSTEP_BLOCK // bucket`` to a kernel call (the last group padded with
        copies of its last plan; a plan left alone runs as usual): the demo team's 4 starts are
        one 192-rep call instead of four 48-rep ones. The outputs are the per-plan kernels'
        (each rep is computed on its own); only small rosters (``speculative``) batch, as a
        large roster's chunks are already large. A no-op otherwise."""
        if not self.speculative or len(plans) < 2:
            return
        slots = LOCKSTEP_BLOCK // self.bucket
        todo: list[tuple[bytes, np.ndarray]] = []
        for levers in plans[: self._cached_points]:
            levers = np.asarray(levers, dtype=float)
            key = levers.tobytes()
            if self._cached_first_order(key) is None and all(key != k for k, *_ in todo):
                todo.append((key, levers))
        for first in range(0, len(todo), slots):
            group = todo[first : first + slots]
            if len(group) > 1:  # a plan left alone is evaluated as usual when asked
                self._lockstep_pass(group)

    def _lockstep_pass(self, group: list[tuple[bytes, np.ndarray]]) -> None:
        """``prefetch``'s kernel pass over one group of (key, levers), at most ``LOCKSTEP_BLOCK //
        bucket`` of them."""
        slots = LOCKSTEP_BLOCK // self.bucket
        padded = group + [group[-1]] * (slots - len(group))
        lev = np.concatenate([levers[self.lever_rows] for _, levers in padded])
        params = self._lockstep_params()
        # the second-order kernel takes the modes on the device, queued behind the location;
        # the host copies them out while it runs
        located = batch_locate(lev, params)
        derivatives = single_mode_derivatives_at(lev, params, self.constants, located[0])
        modes, exists = (np.asarray(a) for a in located)
        y, jac, hess = (np.asarray(a) for a in derivatives)
        hessians = []
        for i, (key, _) in enumerate(group):
            rows = slice(i * self.bucket, (i + 1) * self.bucket)
            lev_i, modes_i, exists_i = lev[rows], modes[rows], exists[rows]
            self._remember_modes(lev_i.tobytes(), [(modes_i[part], exists_i[part]) for part in self._chunk_slices])
            out = (y[rows][: self.n].copy(), jac[rows][: self.n].copy(), hess[rows][: self.n].copy())
            self._two_mode_fixup(lev_i, modes_i, exists_i, *out)
            self._remember_first_order(key, *out)
            hessians.append(out[2])
        # the curvature model's cell sums of every plan at once (``rep_derivatives`` asks at the
        # accepted ones): sums over each plan's reps in the order ``rep_derivatives`` takes
        for (key, _), moments in zip(group, self._whole_moments(np.stack(hessians)), strict=True):
            self._moments = ((key, moments), *self._moments[: self._cached_points - 1])

    def _lockstep_params(self) -> RepParams:
        """The roster's (padded) parameters repeated ``LOCKSTEP_BLOCK // bucket`` times, on the
        device (``prefetch``)."""
        if self._lockstep_device is None:
            slots = LOCKSTEP_BLOCK // self.bucket
            self._lockstep_device = RepParams(*jax.device_put([np.tile(a, slots) for a in self.params]))
        return self._lockstep_device

    def _first_order_kernels(
        self, levers: np.ndarray, hessians: bool | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Outcomes (n, 6), Jacobians (n, 6, 6) and, with ``first_order_hessians``, the lever
        Hessians (n, 3, 6, 6) (else None): every chunk by the single-mode kernel (fixed chunk
        shapes), then the reps with two effort modes (few: 0-2 of 1,000 on M) again by the
        two-mode kernel, in ``TWO_MODE_BLOCK`` blocks, over the single-mode answer.
        ``hessians``: instead of ``first_order_hessians``."""
        hessians = self.first_order_hessians if hessians is None else hessians
        lev, modes, exists = self._located_arrays(levers)
        n = self.n
        y = np.empty((n, len(OUTCOME_FIELDS)))
        jac = np.empty((n, len(OUTCOME_FIELDS), N_LEVERS))
        hess = np.empty((n, len(SECOND_ORDER_FIELDS), N_LEVERS, N_LEVERS)) if hessians else None
        outputs = (y, jac) if hess is None else (y, jac, hess)
        kernel = single_mode_derivatives_at if hessians else single_mode_jacobian_at
        chunks = list(zip(self._chunk_slices, self._chunk_params, strict=True))
        results = _chunk_results(lambda c: kernel(lev[c[0]], c[1], self.constants, modes[c[0]]), chunks)
        for (part, _), chunk in zip(chunks, results, strict=True):  # copied out as later chunks run
            _store(outputs, part, chunk, n)
        self._two_mode_fixup(lev, modes, exists, y, jac, hess)
        return y, jac, hess

    def _two_mode_fixup(
        self,
        lev: np.ndarray,
        modes: np.ndarray,
        exists: np.ndarray,
        y: np.ndarray,
        jac: np.ndarray,
        hess: np.ndarray | None,
    ) -> None:
        """Overwrite the single-mode kernel's answers for the reps with two effort modes (few:
        0-2 of 1,000 on M) with the two-mode kernel's (``_two_mode_derivatives``); their
        Hessians too where ``hess`` is given."""
        two = np.flatnonzero(~_single_mode(exists[: self.n]))
        if two.size:
            y[two], jac[two], h = self._two_mode_derivatives(lev, modes, exists, two)
            if hess is not None:
                hess[two] = h

    def _two_mode_derivatives(
        self, lev: np.ndarray, modes: np.ndarray, exists: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Outcomes, Jacobians and Hessians of ``rows`` by the two-mode kernel
        (``two_mode_derivatives_at``), in ``TWO_MODE_BLOCK`` blocks (``_derivative_blocks``)."""
        return self._derivative_blocks(two_mode_derivatives_at, lev, rows, TWO_MODE_BLOCK, modes, exists)  # type: ignore[return-value]

    def mixture(self, levers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-rep effort modes and weights (padded length, sorted order; Monte Carlo)."""
        return self._kernel(mixture_at, levers)

    def batch_values(self, levers: np.ndarray) -> np.ndarray:
        """Per-rep outcomes (B, n, 6) in sorted order of B lever matrices (B, R, 6), without
        derivatives: the B plans' reps laid end to end and run through the fixed chunk shapes
        (any of the three: ``compile_batch_kernels``). Many plans cost one pass instead of B:
        the lever scan's 49 plans of the demo team are 2,205 reps, 3 chunk calls instead of 49
        (``scan.py``)."""
        levers = np.asarray(levers, dtype=float)
        count, n = levers.shape[0], self.n
        lev = levers[:, self.lever_rows[:n]].reshape(count * n, N_LEVERS)
        chunks = chunk_plan(count * n)
        pad = sum(chunks) - count * n
        lev = np.concatenate([lev, np.repeat(lev[-1:], pad, axis=0)])
        params = RepParams(
            *(np.concatenate([np.tile(a[:n], count), np.repeat(a[n - 1 : n], pad)]) for a in self.params)
        )
        bounds = np.cumsum((0, *chunks))
        outs = [
            self._values_chunk(lev[a:b], RepParams(*(x[a:b] for x in params))) for a, b in itertools.pairwise(bounds)
        ]
        return np.concatenate([np.asarray(o) for o in outs])[: count * n].reshape(count, n, -1)

    def _values_chunk(self, lev: np.ndarray, p: RepParams) -> Any:
        """One chunk of ``batch_values`` (host arrays): outcomes at the located modes."""
        return values_at(lev, p, self.constants, *batch_locate(lev, p))

    def cell_stats(self, y: np.ndarray) -> np.ndarray:
        """Per-cell sums (C, 4 + F) of the per-rep quantities every firm metric but the simulated
        risk measure is a function of (with the levers): attainment, pay, quota x attainment
        (revenue), leave probability, then pay times each of ``pay_forms``. ``y``: per-rep
        outcomes (..., n, 6) in sorted order (leading dimensions: a batch of plans)."""
        q = self.quota_sorted
        att, pay = y[..., ATT], y[..., PAY]
        cols = [att, pay, q * att, y[..., LEAVE], *(form * pay for form in self.pay_forms)]
        return np.add.reduceat(np.stack(cols, axis=-1), self.cell_starts, axis=-2)

    def values_from_stats(self, stats: np.ndarray, levers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The objective (B,) and constraint values (B, m), in business units, of B plans from
        their cell sums (B, C, 4 + F; ``cell_stats``) and lever matrices (B, R, 6). The values
        ``evaluate`` reports; the simulated risk measure's (not a function of cell sums) are NaN.
        Vectorised over the batch: the lever scan (``scan.py``) prices many plans at once."""
        stats = np.asarray(stats, dtype=float)
        levers = np.asarray(levers, dtype=float)
        total = stats.sum(axis=1)  # (B, S)
        att, pay, rev, leave = (total[:, i] for i in range(4))
        role_pay = stats[:, :, 1] @ self._cell_to_role  # (B, R)
        n = float(self.n)
        obj = self.problem.objective
        if obj.kind is ObjectiveKind.ATTAINMENT:
            objective = att / n
        elif obj.kind is ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT:
            objective = rev / self.total_quota
        elif obj.kind is ObjectiveKind.REVENUE:
            objective = rev
        else:
            objective = obj.gross_margin * rev - pay
        plan = self._value_plan
        values = np.full((stats.shape[0], len(self.specs)), np.nan)
        values[:, plan.cost_of_sales] = (pay / rev)[:, None]
        values[:, plan.attrition] = (leave / n)[:, None]
        values[:, plan.ote] = levers[:, plan.ote_role, BASE] + levers[:, plan.ote_role, TI]
        base = levers[:, plan.share_role, BASE]
        values[:, plan.share] = base / (base + levers[:, plan.share_role, TI])
        values[:, plan.adjusted] = total[:, 4 + plan.adjusted_form] / total[:, 4:5]
        cell_mean = stats[:, plan.gap_cell, 1] / self.cell_count[plan.gap_cell]
        values[:, plan.gap] = cell_mean / (role_pay[:, plan.gap_role] / self.role_count[plan.gap_role]) - 1.0
        return objective, values

    def evaluate(
        self,
        levers: np.ndarray,
        with_jacobian: bool = True,
        reps: RepDerivatives | None = None,
        report: bool = True,
    ) -> Evaluation:
        """Firm metrics and constraint values at ``levers`` and, unless ``with_jacobian`` is
        False (EvaluatePlan, reports), their lever Jacobians (zeros when skipped). ``reps``:
        the surface already evaluated at ``levers`` (with second order), not evaluated again.
        ``report=False`` (the optimiser's calls): the objective, the constraint values and their
        gradients only, computed exactly as with it; ``metrics`` then holds the firm totals and
        the objective, and ``role_metrics`` and ``rep`` are empty (quartiles, per-role and
        per-rep outcomes are skipped)."""
        levers = np.asarray(levers, dtype=float)
        y, jy = (reps.y, reps.jac) if reps is not None else self.rep_outcomes(levers, with_jacobian)
        self._check_finite(y, jy if with_jacobian or reps is not None else None)
        core = self._assemble(levers[None], y[None], jy[None], with_jacobian)
        last = ("profit_usd", "objective")  # after the report's metrics, as always
        metrics = {k: v[0] for k, v in core.metrics.items() if k not in last}
        if report:
            n = float(self.n)
            top, bottom = _top_bottom_quartile(y[:, ATT])
            metrics["top_quartile_attainment"] = top
            metrics["bottom_quartile_attainment"] = bottom
            metrics["mean_pay_usd"] = metrics["total_pay_usd"] / n
            metrics["mean_effort"] = float(np.mean(y[:, EFFORT]))
            metrics["give_up_share"] = float(np.mean(y[:, GIVE_UP]))
        metrics.update({k: core.metrics[k][0] for k in last if k in core.metrics})
        role_metrics: dict[str, dict[str, float]] = {}
        role_sum = core.role_sum[0]
        for r, role in enumerate(self.roles if report else ()):
            b, ti = levers[r, BASE], levers[r, TI]
            cnt = self.role_count[r]
            role_metrics[role] = {
                "ote_usd": b + ti,
                "market_ote_usd": float(self.problem.market_ote_usd.get(role, float("nan"))),
                "base_share": b / (b + ti),
                "mean_attainment": role_sum[r, 0] / cnt,
                "mean_pay_usd": role_sum[r, 1] / cnt,
                "attrition": role_sum[r, 3] / cnt,
                "reps": cnt,
            }
        rep = {}
        if report:
            inverse = np.empty_like(self.order)
            inverse[self.order] = np.arange(self.n)
            for name in OUTCOME_FIELDS:
                rep[name] = y[inverse, OUTCOME_FIELDS.index(name)]
        return Evaluation(
            objective=float(metrics["objective"]),
            objective_grad=core.objective_grad[0],
            values=core.values[0],
            jac=core.jac[0],
            metrics={k: float(v) for k, v in metrics.items()},
            role_metrics=role_metrics,
            rep=rep,
        )

    def evaluate_cached(self, plans: list[np.ndarray]) -> list[Evaluation | None]:
        """``evaluate(levers, report=False)`` of several plans whose first order is cached (a
        ``prefetch``), assembled in one vectorised pass (``_assemble``: the same operations as
        one plan's, so the same numbers); None for a plan that is not cached or whose outcomes
        are not finite (``evaluate`` then computes it, or raises, when asked)."""
        found: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        for i, levers in enumerate(plans):
            levers = np.asarray(levers, dtype=float)
            cached = self._cached_first_order(levers.tobytes())
            if cached is not None and np.isfinite(cached[1]).all() and np.isfinite(cached[2]).all():
                found.append((i, levers, cached[1], cached[2]))
        out: list[Evaluation | None] = [None] * len(plans)
        if not found:
            return out
        core = self._assemble(
            np.stack([f[1] for f in found]), np.stack([f[2] for f in found]), np.stack([f[3] for f in found]), True
        )
        for b, (i, *_) in enumerate(found):
            out[i] = Evaluation(
                objective=float(core.metrics["objective"][b]),
                objective_grad=core.objective_grad[b],
                values=core.values[b],
                jac=core.jac[b],
                metrics={k: float(v[b]) for k, v in core.metrics.items()},
                role_metrics={},
                rep={},
            )
        return out

    def _check_finite(self, y: np.ndarray, jy: np.ndarray | None) -> None:
        finite = np.isfinite(y).all(axis=1)
        if jy is not None:
            finite &= np.isfinite(jy).all(axis=(1, 2))
        if not finite.all():
            raise NonFiniteOutcome(np.sort(self.order[np.flatnonzero(~finite)]))

    def _assemble(self, levers: np.ndarray, y: np.ndarray, jy: np.ndarray, with_jacobian: bool) -> _Assembled:
        """The objective, constraint values and their lever gradients of B plans (B, R, 6) from
        their per-rep outcomes (B, n, 6) and Jacobians (B, n, 6, 6), every step vectorised over
        the plans (the lock-step starts' evaluations, ``evaluate_cached``; ``evaluate`` is B = 1).
        Every sum runs over reps or cells within a plan in the same order whatever B is."""
        q = self.quota_sorted
        count, n_roles = levers.shape[0], len(self.roles)
        # Cell sums of [attainment, pay, revenue, leave, pay forms...] and the lever Jacobians
        # of the first four.
        stats = self.cell_stats(y)  # (B, C, 4 + F)
        cell_sum = stats[:, :, :4]
        if not with_jacobian:
            return self._assemble_values(levers, stats)
        # (B, C, 4, 6), one column at a time: no (n, 4, 6) stack (19 MB on 100,000 reps)
        cell_jac = np.stack(
            [
                np.add.reduceat(part, self.cell_starts, axis=1)
                for part in (jy[:, :, ATT], jy[:, :, PAY], q[:, None] * jy[:, :, ATT], jy[:, :, LEAVE])
            ],
            axis=2,
        )
        role_sum = np.zeros((count, n_roles, 4))
        role_jac = np.zeros((count, n_roles, 4, N_LEVERS))
        # cells into roles along axis 1 (views with it first: ``add.at`` indexes axis 0)
        np.add.at(role_sum.swapaxes(0, 1), self.cell_role, cell_sum.swapaxes(0, 1))
        np.add.at(role_jac.swapaxes(0, 1), self.cell_role, cell_jac.swapaxes(0, 1))
        total = role_sum.sum(axis=1)  # (B, 4)
        pay_sum, rev_sum = total[:, 1], total[:, 2]
        d_att, d_pay, d_rev, d_leave = (role_jac[:, :, i, :] for i in range(4))  # each (B, R, 6)
        n = float(self.n)
        per = (slice(None), None, None)  # a (B,) total against (B, R, 6) gradients
        metrics, key = self._firm_metrics(total)
        grads = {
            "mean_attainment": d_att / n,
            "quota_weighted_attainment": d_rev / self.total_quota,
            "revenue_usd": d_rev,
            "total_pay_usd": d_pay,
            "cost_of_sales": d_pay / rev_sum[per] - pay_sum[per] * d_rev / rev_sum[per] ** 2,
            "attrition": d_leave / n,
        }
        if key == "profit_usd":
            grads[key] = self.problem.objective.gross_margin * d_rev - d_pay

        _, values = self.values_from_stats(stats, levers)
        jac = np.zeros((count, len(self.specs), n_roles, N_LEVERS))
        # every row of a kind by one expression (``_ValuePlan``; M has 98 rows: a loop over them
        # was ~0.3 ms of each of its evaluations), the same operations per element
        plan = self._value_plan
        jac[:, plan.cost_of_sales] = grads["cost_of_sales"][:, None]
        jac[:, plan.attrition] = grads["attrition"][:, None]
        jac[:, plan.ote, plan.ote_role, BASE] = 1.0
        jac[:, plan.ote, plan.ote_role, TI] = 1.0
        b, ti = levers[:, plan.share_role, BASE], levers[:, plan.share_role, TI]
        jac[:, plan.share, plan.share_role, BASE] = ti / (b + ti) ** 2
        jac[:, plan.share, plan.share_role, TI] = -b / (b + ti) ** 2
        r, ci = plan.gap_role, plan.gap_cell
        pc, nc = cell_sum[:, ci, 1, None], self.cell_count[ci, None]
        pr, nr = role_sum[:, r, 1, None], self.role_count[r, None]
        jac[:, plan.gap, r] = (nr / nc) * (cell_jac[:, ci, 1] * pr - pc * role_jac[:, r, 1]) / pr**2
        for j in plan.adjusted:
            coef_row, mean_ref = self.adjusted_gap_rows[self.specs[j].group]
            for k in range(count):
                den = float(mean_ref @ y[k, :, PAY])
                jac[k, j] = self.role_sum(((coef_row - values[k, j] * mean_ref) / den)[:, None] * jy[k, :, PAY])
        for j, spec in enumerate(self.specs):
            if spec.kind == "cost_of_sales_risk":
                for k in range(count):
                    values[k, j], jac[k, j] = self.risk_measure(levers[k], with_jacobian)
        return _Assembled(metrics, grads[key], values, jac, role_sum)

    def _firm_metrics(self, total: np.ndarray) -> tuple[dict[str, np.ndarray], str]:
        """Firm totals (each (B,)) from B plans' sums of attainment, pay, revenue and leave
        (B, 4), then the objective's own metric (profit is added for it) and ``objective``; and
        the objective's metric's name."""
        att_sum, pay_sum, rev_sum, leave_sum = (total[:, i] for i in range(4))
        n = float(self.n)
        metrics = {
            "mean_attainment": att_sum / n,
            "quota_weighted_attainment": rev_sum / self.total_quota,
            "revenue_usd": rev_sum,
            "total_pay_usd": pay_sum,
            "cost_of_sales": pay_sum / rev_sum,
            "attrition": leave_sum / n,
        }
        key = _OBJECTIVE_METRIC.get(self.problem.objective.kind, "profit_usd")
        if key == "profit_usd":
            metrics[key] = self.problem.objective.gross_margin * rev_sum - pay_sum
        metrics["objective"] = metrics[key]
        return metrics, key

    def _assemble_values(self, levers: np.ndarray, stats: np.ndarray) -> _Assembled:
        """``_assemble`` without the Jacobian (EvaluatePlan, reports): the same metrics and
        values by the same operations, gradients zero."""
        count, n_roles = levers.shape[0], len(self.roles)
        role_sum = np.zeros((count, n_roles, 4))
        np.add.at(role_sum.swapaxes(0, 1), self.cell_role, stats[:, :, :4].swapaxes(0, 1))
        metrics, _ = self._firm_metrics(role_sum.sum(axis=1))
        _, values = self.values_from_stats(stats, levers)
        for j, spec in enumerate(self.specs):
            if spec.kind == "cost_of_sales_risk":
                for k in range(count):
                    values[k, j] = self.risk_measure(levers[k], False)[0]
        return _Assembled(
            metrics,
            np.zeros((count, n_roles, N_LEVERS)),
            values,
            np.zeros((count, len(self.specs), n_roles, N_LEVERS)),
            role_sum,
        )

    # ----------------------------------------------------------------- second order
    def lagrangian_hessian(
        self, levers: np.ndarray, reps: RepDerivatives, objective_weight: float, weights: np.ndarray
    ) -> np.ndarray:
        """Exact Hessian, w.r.t. the flattened (R, 6) lever matrix, of

            objective_weight * objective + sum_j weights[j] * values[j]

        (values in business units, as in ``Evaluation.values``). Every firm metric is linear in
        per-rep outcomes or a ratio u / v of two such linear forms (cost of sales, equity gaps,
        base share), so the Hessian is the per-rep Hessians weighted by the metric's derivative
        with respect to each rep's outcome (block-diagonal by role) plus, for each ratio, the
        outer products of the gradients of u and v. Each such weight is, per cell, a constant,
        a multiple of the rep's quota or a multiple of one of ``pay_forms`` — so the weighted sum
        is a combination of the cell moments (``HessianMoments``), and no step here is per rep
        except the gradient sums of the ratios' forms. Not defined for the simulated risk
        measure (``has_exact_hessian``)."""
        if not self.has_exact_hessian:
            raise ValueError("no exact Hessian for the simulated cost-of-sales risk measure")
        levers = np.asarray(levers, dtype=float)
        y, jy = reps.y, reps.jac
        n_roles, cells = len(self.roles), self.cell_ids.size
        size = n_roles * N_LEVERS
        n = float(self.n)
        att_o, pay_o, leave_o = (SECOND_ORDER_FIELDS.index(f) for f in ("attainment", "pay", "attrition"))
        # Coefficients of the moments: per cell and outcome (plain, quota-weighted), per pay form.
        c_plain = np.zeros((cells, len(SECOND_ORDER_FIELDS)))
        c_quota = np.zeros_like(c_plain)
        c_form = np.zeros(self.pay_forms.shape[0])
        outer = np.zeros((size, size))
        # Cell sums of pay and revenue and of their lever gradients.
        q = self.quota_sorted
        cell_pay = np.add.reduceat(y[:, PAY], self.cell_starts)
        cell_jpay = np.add.reduceat(jy[:, PAY], self.cell_starts, axis=0)  # (C, 6)
        pay_sum, rev_sum = float(cell_pay.sum()), float(q @ y[:, ATT])

        def by_role(cell_rows: np.ndarray) -> np.ndarray:  # (C, 6) -> flattened (R * 6)
            out = np.zeros((n_roles, N_LEVERS))
            np.add.at(out, self.cell_role, cell_rows)
            return out.ravel()

        need_totals = objective_weight != 0.0 or any(s.kind == "cost_of_sales" for s in self.specs)
        role_jpay = by_role(cell_jpay)
        g_pay = role_jpay if need_totals else np.zeros(size)
        g_rev = self.role_sum(q[:, None] * jy[:, ATT]).ravel() if need_totals else np.zeros(size)

        a = objective_weight
        obj = self.problem.objective
        if obj.kind is ObjectiveKind.ATTAINMENT:
            c_plain[:, att_o] += a / n
        elif obj.kind is ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT:
            c_quota[:, att_o] += a / self.total_quota
        elif obj.kind is ObjectiveKind.REVENUE:
            c_quota[:, att_o] += a
        else:
            c_quota[:, att_o] += a * obj.gross_margin
            c_plain[:, pay_o] -= a
        role_pay = np.zeros(n_roles)
        np.add.at(role_pay, self.cell_role, cell_pay)
        gap_forms = {g: i + 1 for i, g in enumerate(self.adjusted_gap_rows)}  # pay_forms order
        for spec, a in zip(self.specs, weights, strict=True):
            if a == 0.0:
                continue
            if spec.kind == "cost_of_sales":
                c_plain[:, pay_o] += a / rev_sum
                c_quota[:, att_o] -= a * pay_sum / rev_sum**2
                outer += a * _ratio_curvature(pay_sum, rev_sum, g_pay, g_rev)
            elif spec.kind == "attrition":
                c_plain[:, leave_o] += a / n
            elif spec.kind == "base_share":
                r = self.roles.index(spec.role)
                b, ti = levers[r, BASE], levers[r, TI]
                s3 = (b + ti) ** 3
                i, j = r * N_LEVERS + BASE, r * N_LEVERS + TI
                outer[i, i] += a * -2.0 * ti / s3
                outer[j, j] += a * 2.0 * b / s3
                outer[i, j] += a * (b - ti) / s3
                outer[j, i] += a * (b - ti) / s3
            elif spec.kind == "equity_gap":
                r = self.roles.index(spec.role)
                ci = self._cell_index[(spec.role, spec.group)]
                k = self.role_count[r] / self.cell_count[ci]
                pc, pr = float(cell_pay[ci]), float(role_pay[r])
                c_plain[ci, pay_o] += a * k / pr
                c_plain[self.cell_role == r, pay_o] -= a * k * pc / pr**2
                # both gradients live in role r's levers: the outer products are its block only
                sl = slice(r * N_LEVERS, (r + 1) * N_LEVERS)
                outer[sl, sl] += a * _ratio_curvature(k * pc, pr, k * cell_jpay[ci], role_jpay[sl])
            elif spec.kind == "adjusted_equity_gap":
                coef_row, mean_ref = self.adjusted_gap_rows[spec.group]
                pay = y[:, PAY]
                num, den = float(coef_row @ pay), float(mean_ref @ pay)
                c_form[gap_forms[spec.group]] += a / den
                c_form[0] -= a * (num / den) / den
                gu = self.role_sum(coef_row[:, None] * jy[:, PAY]).ravel()
                gv = self.role_sum(mean_ref[:, None] * jy[:, PAY]).ravel()
                outer += a * _ratio_curvature(num, den, gu, gv)
            # ote: linear in the levers, no curvature
        mom = reps.moments
        per_cell = np.einsum("co,coij->cij", c_plain, mom.plain) + np.einsum("co,coij->cij", c_quota, mom.quota)
        per_cell += np.einsum("f,fcij->cij", c_form, mom.pay_forms)
        blocks = np.zeros((n_roles, N_LEVERS, N_LEVERS))
        np.add.at(blocks, self.cell_role, per_cell)
        hess = outer
        for r in range(n_roles):
            sl = slice(r * N_LEVERS, (r + 1) * N_LEVERS)
            hess[sl, sl] += blocks[r]
        return 0.5 * (hess + hess.T)
