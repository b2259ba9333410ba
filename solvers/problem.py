"""Typed inputs of the plan optimiser (no gRPC, no JAX): what a notebook user builds."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from planopt.solvers.surface import LEVERS, N_LEVERS


@dataclass(frozen=True)
class Roster:
    """Columnar roster: one entry per rep in every column."""

    rep_id: tuple[str, ...]
    role: tuple[str, ...]
    quota_usd: np.ndarray
    baseline_attainment: np.ndarray  # mu: attainment at zero incentive effort (fraction)
    effort_productivity: np.ndarray  # k: attainment per unit effort
    noise_sd: np.ndarray  # sigma: sd of attainment noise (fraction of quota)
    effort_cost_usd: np.ndarray  # d: USD per unit effort squared
    risk_aversion_per_usd: np.ndarray  # r: Arrow-Pratt coefficient, 1/USD
    outside_option_usd: np.ndarray  # USD certainty equivalent of the rep's best alternative
    equity_group: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.rep_id)


@dataclass(frozen=True)
class PlanTemplate:
    """Per role: lever values (the current plan), bounds and which levers are free."""

    roles: tuple[str, ...]
    value: np.ndarray  # (R, 6) in LEVERS order
    lower: np.ndarray  # (R, 6)
    upper: np.ndarray  # (R, 6)
    free: np.ndarray  # (R, 6) bool

    def __post_init__(self) -> None:
        for name in ("value", "lower", "upper", "free"):
            arr = getattr(self, name)
            if arr.shape != (len(self.roles), N_LEVERS):
                raise ValueError(f"PlanTemplate.{name} must have shape (roles, {N_LEVERS})")

    def lever(self, role: str, name: str) -> float:
        return float(self.value[self.roles.index(role), LEVERS.index(name)])


@dataclass(frozen=True)
class MixBound:
    min_base_share: float | None = None  # base / OTE lower bound (fraction)
    max_base_share: float | None = None


@dataclass(frozen=True)
class Constraints:
    max_cost_of_sales: float | None = None  # total expected pay / expected revenue
    ote_band_fraction: float | None = None  # |OTE - market OTE| <= band * market OTE, per role
    mix: dict[str, MixBound] = field(default_factory=dict)  # per role; "*" applies to all roles
    max_equity_gap: float | None = None  # |group mean pay / role mean pay - 1| per (role, group)
    max_attrition: float | None = None  # mean expected attrition probability
    salary_floor_usd: float | None = None  # lower bound on base salary in every role
    cost_of_sales_risk: CostOfSalesRisk | None = None  # CVaR / quantile of simulated CoS
    max_adjusted_equity_gap: float | None = None  # |OLS-adjusted group pay gap| (audit.py)


@dataclass(frozen=True)
class CostOfSalesRisk:
    max: float
    measure: str = "cvar"  # or "quantile"
    level: float = 0.9
    draws: int = 2000
    seed: int = 0
    market_shock_sd: float = 0.0
    smoothing: float = 0.01


class ObjectiveKind(enum.Enum):
    ATTAINMENT = "attainment"  # mean expected attainment (fraction of quota)
    QUOTA_WEIGHTED_ATTAINMENT = "quota_weighted_attainment"  # revenue / total quota
    REVENUE = "revenue"  # expected revenue, USD
    PROFIT = "profit"  # gross_margin * revenue - total pay, USD


@dataclass(frozen=True)
class Objective:
    kind: ObjectiveKind = ObjectiveKind.ATTAINMENT
    gross_margin: float = 0.7  # only for PROFIT


@dataclass(frozen=True)
class BehaviourModel:
    temperature_usd: float = 1000.0  # logit temperature between a rep's effort modes
    attrition_scale_usd: float = 15000.0  # logistic scale of attrition in (outside - welfare)


@dataclass(frozen=True)
class PlanProblem:
    roster: Roster
    market_ote_usd: dict[str, float]
    template: PlanTemplate
    constraints: Constraints = Constraints()
    objective: Objective = Objective()
    model: BehaviourModel = BehaviourModel()


class Termination(enum.Enum):
    LOCALLY_OPTIMAL = "LOCALLY_OPTIMAL"  # KKT conditions hold to tolerance at a feasible point
    FEASIBLE_TIME_LIMIT = "FEASIBLE_TIME_LIMIT"  # best feasible plan found before the limit
    ITERATION_LIMIT = "ITERATION_LIMIT"  # feasible, KKT not reached within the iteration limit
    INFEASIBLE = "INFEASIBLE"  # no feasible plan found; see relaxations
    NO_FEASIBLE_POINT_YET = "NO_FEASIBLE_POINT_YET"  # time limit before any feasible point
    NUMERICAL_ERROR = "NUMERICAL_ERROR"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = 10.0
    seed: int = 0
    num_starts: int = 4
    max_iterations: int = 200
    feasibility_tol: float = 1e-6  # in scaled units (see ConstraintSpec.scale)
    kkt_tol: float = 1e-5
    warm_start: np.ndarray | None = None  # (R, 6) lever values of a previous plan
    hessian: str | None = None  # SQP curvature model: exact | bfgs | fd (None: SQPSettings' default)
    # Exact curvature from a stratified sample of this many reps per cell (role x equity group);
    # 0 = every rep. Gradients and constraints always use every rep (model.HessianSample).
    # 48: cells up to 48 reps (S, M) are exact; L's 2,500-rep cells start at 2%, growing 4x when
    # the model's predictions keep failing (sqp.solve's refine_curvature).
    hessian_sample_per_cell: int = 48
    # Rosters of more than optimize.SAMPLE_FACTOR x this many reps solve each start on a
    # stratified, proportional sample first (this many reps or optimize.SAMPLE_FRACTION of the
    # roster, whichever is more), then on every rep from there (optimize.py). 0 = never: the
    # default, as it is not reliably faster (20,000 reps 2x faster; L between 2x slower and
    # 1.4x faster depending on the sample, and at a lower KKT point; bench/README.md).
    sample_reps: int = 0
    # After the starts, scan each lever of the best optimum for a better basin and re-solve from
    # there (scan.py); rosters over scan.SCAN_MAX_REPS are never scanned.
    lever_scan: bool = True


def sample_rows(roster: Roster, k: int, min_per_cell: int = 8) -> np.ndarray:
    """Sorted row indices of a stratified, proportional sample of about ``k`` reps: each cell
    (role x equity group) keeps its share of the roster (at least ``min_per_cell`` reps, or all
    of a smaller cell), taken at the midpoints of equal strata of baseline attainment. Means,
    ratios of sums and group gaps over the sample estimate the roster's."""
    n = roster.size
    _, role_code = np.unique(np.asarray(roster.role, dtype=object), return_inverse=True)
    _, group_code = np.unique(np.asarray(roster.equity_group, dtype=object), return_inverse=True)
    cell = role_code * (int(group_code.max()) + 1) + group_code
    mu = np.asarray(roster.baseline_attainment, dtype=float)
    picked = []
    for c in np.unique(cell):
        members = np.flatnonzero(cell == c)
        members = members[np.argsort(mu[members], kind="stable")]
        count = members.size
        keep = min(count, max(min_per_cell, round(k * count / n)))
        picked.append(members[np.floor((np.arange(keep) + 0.5) * count / keep).astype(int)])
    return np.sort(np.concatenate(picked))


def take_rows(roster: Roster, rows: np.ndarray) -> Roster:
    """The reps ``rows`` of ``roster`` (in that order)."""
    pick = [int(i) for i in rows]
    columns: dict[str, Any] = {}
    for f in fields(Roster):
        col = getattr(roster, f.name)
        columns[f.name] = tuple(col[i] for i in pick) if isinstance(col, tuple) else np.asarray(col)[rows]
    return Roster(**columns)


def roster_from_columns(columns: dict[str, list]) -> Roster:  # type: ignore[type-arg]
    """A Roster from plain columns (the shape of ``planopt.client.demo.demo_roster()``)."""
    arr = {k: np.asarray(v, dtype=float) for k, v in columns.items() if k not in ("rep_id", "role", "equity_group")}
    return Roster(
        rep_id=tuple(columns["rep_id"]),
        role=tuple(columns["role"]),
        equity_group=tuple(columns.get("equity_group") or [""] * len(columns["rep_id"])),
        **arr,
    )


def template_from_levers(
    roles: tuple[str, ...],
    values: dict[str, dict[str, float]],
    bounds: dict[str, dict[str, tuple[float, float]]] | None = None,
) -> PlanTemplate:
    """A PlanTemplate from per-role lever dicts; a lever with bounds is free, else fixed."""
    r = len(roles)
    value = np.zeros((r, N_LEVERS))
    lower = np.zeros((r, N_LEVERS))
    upper = np.zeros((r, N_LEVERS))
    free = np.zeros((r, N_LEVERS), dtype=bool)
    for i, role in enumerate(roles):
        for j, name in enumerate(LEVERS):
            value[i, j] = values[role][name]
            b = (bounds or {}).get(role, {}).get(name)
            if b is None:
                lower[i, j] = upper[i, j] = value[i, j]
            else:
                lower[i, j], upper[i, j] = b
                free[i, j] = True
    return PlanTemplate(roles=roles, value=value, lower=lower, upper=upper, free=free)


def demo_problem(columns: dict[str, list] | None = None, seed_targets: bool = False) -> PlanProblem:  # type: ignore[type-arg]
    """The seed-000 demo problem (the client's embedded team, plan, bounds and constraints)."""
    from planopt.client import demo

    roster = roster_from_columns(columns or demo.demo_roster())
    roles = (demo.ROLE,)
    template = template_from_levers(roles, {demo.ROLE: demo.CURRENT_PLAN}, {demo.ROLE: demo.PLAN_BOUNDS})
    c = demo.SEED_TARGET_CONSTRAINTS if seed_targets else demo.CONSTRAINTS
    lo, hi = c["mix"]["*"]
    return PlanProblem(
        roster=roster,
        market_ote_usd={demo.ROLE: demo.MARKET_OTE_USD},
        template=template,
        constraints=Constraints(
            max_cost_of_sales=c["max_cost_of_sales"],
            ote_band_fraction=c["ote_band_fraction"],
            mix={"*": MixBound(lo, hi)},
            max_equity_gap=c["max_equity_gap"],
            max_attrition=c["max_attrition"],
            salary_floor_usd=c["salary_floor_usd"],
        ),
    )
