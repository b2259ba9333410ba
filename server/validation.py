"""Request validation: every problem is collected as (field path, description) before solving.

Paths follow the proto field names, e.g. ``roster.quota_usd[17]`` or
``plan.roles[0].cap_attainment.lower``; the description quotes the offending value.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from planopt.v1 import planopt_pb2 as pb

MAX_REPS = 200_000
MAX_ROLES = 1_000

# (lower, upper) valid ranges of roster columns; None = unbounded side. "open" marks (lo, hi].
ROSTER_RANGES: dict[str, tuple[float, float, bool]] = {
    "quota_usd": (1.0, 1e10, False),
    "baseline_attainment": (-1.0, 5.0, False),
    "effort_productivity": (1e-3, 100.0, False),
    "noise_sd": (0.02, 3.0, False),
    "effort_cost_usd": (1.0, 1e9, False),
    "risk_aversion_per_usd": (0.0, 1e-3, False),
    "outside_option_usd": (0.0, 1e8, False),
}
_RANGE_NAMES = list(ROSTER_RANGES)
_LO = np.array([lo for lo, _, _ in ROSTER_RANGES.values()])
_HI = np.array([hi for _, hi, _ in ROSTER_RANGES.values()])
_CLOSED_LO = np.array([not open_lo for _, _, open_lo in ROSTER_RANGES.values()])

LEVER_RANGES: dict[str, tuple[float, float]] = {
    "base_usd": (0.0, 1e7),
    "target_incentive_usd": (0.0, 1e7),
    "threshold_attainment": (0.0, 0.95),
    "quota_bonus_share": (0.0, 1.0),
    "accelerator": (0.0, 10.0),
    "cap_attainment": (1.0, 10.0),
}


@dataclass(frozen=True)
class Violation:
    field: str
    description: str


class InvalidRequest(Exception):
    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in violations[:5]))
        self.violations = violations


class _Collector:
    def __init__(self) -> None:
        self.items: list[Violation] = []

    def add(self, field: str, description: str) -> None:
        if len(self.items) < 100:  # enough to act on; a bad million-rep column stays readable
            self.items.append(Violation(field, description))

    def number(self, field: str, value: float, lo: float, hi: float, open_lo: bool = False) -> bool:
        if not math.isfinite(value):
            self.add(field, f"must be a finite number, got {value!r}")
            return False
        if (value <= lo if open_lo else value < lo) or value > hi:
            left = "(" if open_lo else "["
            self.add(field, f"must be in {left}{lo:g}, {hi:g}], got {value!r}")
            return False
        return True


def _check_roster(r: pb.Roster, roles: set[str], v: _Collector) -> None:
    n = len(r.rep_id)
    if n == 0:
        v.add("roster.rep_id", "roster is empty: at least one rep is required")
        return
    if n > MAX_REPS:
        v.add("roster.rep_id", f"roster has {n} reps; at most {MAX_REPS} are supported")
        return
    columns = ["role", *ROSTER_RANGES]
    for name in columns:
        size = len(getattr(r, name))
        if size != n:
            v.add(f"roster.{name}", f"has {size} entries but roster.rep_id has {n}: all columns must have equal length")
    if len(r.equity_group) not in (0, n):
        v.add("roster.equity_group", f"has {len(r.equity_group)} entries but roster.rep_id has {n} (or leave it empty)")
    ids = list(r.rep_id)
    if "" in ids or len(set(ids)) != n:  # the per-rep walk only when something is wrong
        seen: set[str] = set()
        for i, rid in enumerate(ids):
            if not rid:
                v.add(f"roster.rep_id[{i}]", "must be a non-empty string")
            elif rid in seen:
                v.add(f"roster.rep_id[{i}]", f"duplicate rep id {rid!r}")
            seen.add(rid)
    if len(r.role) == n and not set(r.role) <= roles:
        for i, role in enumerate(r.role):
            if role not in roles:
                v.add(f"roster.role[{i}]", f"unknown role {role!r}: not in plan.roles")
    if all(len(getattr(r, name)) == n for name in ROSTER_RANGES):
        cols = np.empty((len(_RANGE_NAMES), n))
        for k, name in enumerate(_RANGE_NAMES):
            cols[k] = np.fromiter(getattr(r, name), float, n)
        ok = (cols > _LO[:, None]) | ((cols == _LO[:, None]) & _CLOSED_LO[:, None])
        ok &= cols <= _HI[:, None]  # NaN compares False: not ok
        if ok.all():
            return
        bad: Iterator[tuple[int, int]] = zip(*np.nonzero(~ok), strict=True)  # column by column, like the loop below
        values: np.ndarray | list[np.ndarray] = cols
    else:  # ragged columns (reported above): each column's own entries
        values = [np.asarray(getattr(r, name), dtype=float) for name in ROSTER_RANGES]
        bad = ((k, i) for k, col in enumerate(values) for i in range(col.size))
    # only the offending entries go through the per-value check (and its message)
    for k, i in bad:
        name = _RANGE_NAMES[k]
        lo, hi, open_lo = ROSTER_RANGES[name]
        if not v.number(f"roster.{name}[{i}]", float(values[k][i]), lo, hi, open_lo) and len(v.items) >= 100:
            return


def _check_plan(plan: pb.PlanTemplate, path: str, v: _Collector, bounds: bool) -> set[str]:
    roles: set[str] = set()
    if len(plan.roles) == 0:
        v.add(f"{path}.roles", "at least one role plan is required")
    if len(plan.roles) > MAX_ROLES:
        v.add(f"{path}.roles", f"{len(plan.roles)} roles; at most {MAX_ROLES} are supported")
    for i, rp in enumerate(plan.roles):
        rpath = f"{path}.roles[{i}]"
        if not rp.role:
            v.add(f"{rpath}.role", "must be a non-empty role name")
        elif rp.role in roles:
            v.add(f"{rpath}.role", f"duplicate role {rp.role!r}")
        roles.add(rp.role)
        for name, (lo, hi) in LEVER_RANGES.items():
            lever = getattr(rp, name)
            lpath = f"{rpath}.{name}"
            v.number(f"{lpath}.value", lever.value, lo, hi)
            if bounds and lever.free:
                ok_lo = v.number(f"{lpath}.lower", lever.lower, lo, hi)
                ok_hi = v.number(f"{lpath}.upper", lever.upper, lo, hi)
                if ok_lo and ok_hi and lever.lower > lever.upper:
                    v.add(f"{lpath}.lower", f"lower bound {lever.lower!r} is greater than upper bound {lever.upper!r}")
        if bounds:
            base_min = rp.base_usd.lower if rp.base_usd.free else rp.base_usd.value
            ti_min = rp.target_incentive_usd.lower if rp.target_incentive_usd.free else rp.target_incentive_usd.value
            if math.isfinite(base_min + ti_min) and base_min + ti_min <= 0:
                v.add(f"{rpath}.base_usd", "base + target incentive (OTE) can reach 0: give one a positive lower bound")
        else:
            if rp.base_usd.value + rp.target_incentive_usd.value <= 0:
                v.add(f"{rpath}.base_usd.value", "base + target incentive (OTE) must be positive")
    return roles


RISK_MAX_CELLS = 4_000_000  # draws x padded reps held per evaluation (planopt.solvers.risk)


def _check_risk(r: pb.CostOfSalesRisk, reps: int, v: _Collector) -> None:
    path = "constraints.cost_of_sales_risk"
    if not r.HasField("max"):
        if r.draws or r.HasField("level") or r.market_shock_sd or r.HasField("smoothing") or r.seed:
            v.add(f"{path}.max", "the risk constraint's options are set but its max is not")
        return
    v.number(f"{path}.max", r.max, 0.0, 1.0, open_lo=True)
    if r.measure not in pb.CostOfSalesRisk.Measure.values():
        v.add(f"{path}.measure", f"unknown measure {r.measure}")
    if r.HasField("level"):
        v.number(f"{path}.level", r.level, 0.5, 0.999)
    if r.draws and not 100 <= r.draws <= 20_000:
        v.add(f"{path}.draws", f"must be in [100, 20000] (0 = default 2000), got {r.draws}")
    elif (r.draws or 2000) * max(reps, 1) > RISK_MAX_CELLS:
        v.add(f"{path}.draws", f"draws x reps = {(r.draws or 2000) * reps} exceeds {RISK_MAX_CELLS}; use fewer draws")
    v.number(f"{path}.market_shock_sd", r.market_shock_sd, 0.0, 1.0)
    if r.HasField("smoothing"):
        v.number(f"{path}.smoothing", r.smoothing, 0.0, 0.2, open_lo=True)


def _check_constraints(
    c: pb.Constraints, plan: pb.PlanTemplate, market: pb.Market, v: _Collector, reps: int = 0
) -> None:
    _check_risk(c.cost_of_sales_risk, reps, v)
    roles = {rp.role for rp in plan.roles}
    fractions = {
        "max_cost_of_sales": (0.0, 1.0, True),
        "ote_band_fraction": (0.0, 1.0, False),
        "max_equity_gap": (0.0, 1.0, False),
        "max_attrition": (0.0, 1.0, False),
        "max_adjusted_equity_gap": (0.0, 1.0, False),
    }
    for name, (lo, hi, open_lo) in fractions.items():
        if c.HasField(name):
            v.number(f"constraints.{name}", getattr(c, name), lo, hi, open_lo)
    if c.HasField("salary_floor_usd") and v.number("constraints.salary_floor_usd", c.salary_floor_usd, 0.0, 1e7):
        for i, rp in enumerate(plan.roles):
            b = rp.base_usd
            if not b.free and b.value < c.salary_floor_usd:
                v.add(
                    f"plan.roles[{i}].base_usd.value",
                    f"fixed base {b.value!r} is below constraints.salary_floor_usd {c.salary_floor_usd!r}",
                )
            elif b.free and b.upper < c.salary_floor_usd:
                v.add(
                    f"plan.roles[{i}].base_usd.upper",
                    f"upper bound {b.upper!r} is below constraints.salary_floor_usd {c.salary_floor_usd!r}",
                )
    seen: set[str] = set()
    for i, mb in enumerate(c.mix):
        path = f"constraints.mix[{i}]"
        if mb.role != "*" and mb.role not in roles:
            v.add(f"{path}.role", f"unknown role {mb.role!r}: not in plan.roles (use '*' for all roles)")
        if mb.role in seen:
            v.add(f"{path}.role", f"duplicate mix entry for {mb.role!r}")
        seen.add(mb.role)
        ok = True
        for name in ("min_base_share", "max_base_share"):
            if mb.HasField(name):
                ok = v.number(f"{path}.{name}", getattr(mb, name), 0.0, 1.0) and ok
        if (
            ok
            and mb.HasField("min_base_share")
            and mb.HasField("max_base_share")
            and mb.min_base_share > mb.max_base_share
        ):
            v.add(
                f"{path}.min_base_share",
                f"min_base_share {mb.min_base_share!r} is greater than max_base_share {mb.max_base_share!r}",
            )
    if c.HasField("ote_band_fraction"):
        have = {m.role for m in market.roles}
        for role in sorted(roles - have):
            v.add("market.roles", f"no market median OTE for role {role!r}; constraints.ote_band_fraction needs one")


def _check_market(market: pb.Market, roles: set[str], v: _Collector) -> None:
    seen: set[str] = set()
    for i, m in enumerate(market.roles):
        if m.role not in roles:
            v.add(f"market.roles[{i}].role", f"unknown role {m.role!r}: not in plan.roles")
        if m.role in seen:
            v.add(f"market.roles[{i}].role", f"duplicate role {m.role!r}")
        seen.add(m.role)
        v.number(f"market.roles[{i}].median_ote_usd", m.median_ote_usd, 0.0, 1e8, open_lo=True)


def _check_common(objective: pb.Objective, model: pb.ModelOptions, v: _Collector) -> None:
    if objective.kind not in pb.Objective.Kind.values():
        v.add("objective.kind", f"unknown objective kind {objective.kind}")
    if objective.HasField("gross_margin_fraction"):
        v.number("objective.gross_margin_fraction", objective.gross_margin_fraction, 0.0, 1.0, open_lo=True)
    if model.HasField("effort_choice_temperature_usd"):
        v.number("model.effort_choice_temperature_usd", model.effort_choice_temperature_usd, 10.0, 1e6)
    if model.HasField("attrition_scale_usd"):
        v.number("model.attrition_scale_usd", model.attrition_scale_usd, 100.0, 1e7)


def _check_options(o: pb.SolveOptions, roles: set[str], v: _Collector) -> None:
    if o.mode not in pb.SolveOptions.Mode.values():
        v.add("options.mode", f"unknown mode {o.mode}")
    if o.HasField("time_limit"):
        seconds = o.time_limit.seconds + o.time_limit.nanos * 1e-9
        v.number("options.time_limit", seconds, 0.0, 600.0, open_lo=True)
    if not 0 <= o.num_starts <= 64:
        v.add("options.num_starts", f"must be in [0, 64] (0 = default 4), got {o.num_starts}")
    if not 0 <= o.max_iterations <= 10_000:
        v.add("options.max_iterations", f"must be in [0, 10000] (0 = default 200), got {o.max_iterations}")
    if o.HasField("feasibility_tolerance"):
        v.number("options.feasibility_tolerance", o.feasibility_tolerance, 1e-9, 1.0)
    if o.HasField("kkt_tolerance"):
        v.number("options.kkt_tolerance", o.kkt_tolerance, 1e-10, 1.0)
    if o.HasField("warm_start"):
        warm_roles = _check_plan(o.warm_start, "options.warm_start", v, bounds=False)
        for role in sorted(warm_roles - roles):
            v.add("options.warm_start.roles", f"unknown role {role!r}: not in plan.roles")


def _check_roles_used(roster: pb.Roster, plan: pb.PlanTemplate, v: _Collector) -> None:
    used = set(roster.role)
    for i, rp in enumerate(plan.roles):
        if rp.role and rp.role not in used and len(roster.rep_id) > 0:
            v.add(f"plan.roles[{i}].role", f"role {rp.role!r} has no reps in the roster")


def validate_optimize(req: pb.OptimizePlanRequest) -> None:
    v = _Collector()
    roles = _check_plan(req.plan, "plan", v, bounds=True)
    _check_roster(req.roster, roles, v)
    _check_roles_used(req.roster, req.plan, v)
    _check_market(req.market, roles, v)
    _check_constraints(req.constraints, req.plan, req.market, v, len(req.roster.rep_id))
    _check_common(req.objective, req.model, v)
    _check_options(req.options, roles, v)
    if v.items:
        raise InvalidRequest(v.items)


MAX_DRAWS = 1_000_000
MAX_DRAW_CELLS = 20_000_000  # draws x reps (solvers/simulate.py MAX_CELLS)


def _check_monte_carlo(mc: pb.MonteCarloOptions, reps: int, v: _Collector) -> None:
    if mc.draws < 0 or mc.draws > MAX_DRAWS or mc.draws == 1:
        v.add("monte_carlo.draws", f"must be 0 (off) or in [2, {MAX_DRAWS}], got {mc.draws}")
    elif mc.draws * reps > MAX_DRAW_CELLS:
        v.add(
            "monte_carlo.draws",
            f"draws x reps = {mc.draws} x {reps} exceeds {MAX_DRAW_CELLS}: use at most {MAX_DRAW_CELLS // max(reps, 1)} draws",
        )
    v.number("monte_carlo.market_shock_sd", mc.market_shock_sd, 0.0, 2.0)


def validate_evaluate(req: pb.EvaluatePlanRequest) -> None:
    v = _Collector()
    _check_monte_carlo(req.monte_carlo, len(req.roster.rep_id), v)
    if req.equity_audit.HasField("max_gap"):
        v.number("equity_audit.max_gap", req.equity_audit.max_gap, 0.0, 1.0)
    roles = _check_plan(req.plan, "plan", v, bounds=False)
    _check_roster(req.roster, roles, v)
    _check_roles_used(req.roster, req.plan, v)
    _check_market(req.market, roles, v)
    _check_constraints(req.constraints, req.plan, req.market, v, len(req.roster.rep_id))
    _check_common(req.objective, req.model, v)
    if v.items:
        raise InvalidRequest(v.items)


FRONTIER_BUDGETS = {
    pb.SweepFrontierRequest.COST_OF_SALES: "max_cost_of_sales",
    pb.SweepFrontierRequest.EQUITY_GAP: "max_equity_gap",
    pb.SweepFrontierRequest.ATTRITION: "max_attrition",
}


def _nested_optimize(req: pb.OptimizePlanRequest, prefix: str, v: _Collector) -> None:
    """Validate an embedded OptimizePlanRequest, its field paths under ``prefix``."""
    try:
        validate_optimize(req)
    except InvalidRequest as exc:
        for item in exc.violations:
            v.add(f"{prefix}.{item.field}", item.description)


def validate_frontier(req: pb.SweepFrontierRequest) -> None:
    v = _Collector()
    _nested_optimize(req.problem, "problem", v)
    if req.budget not in FRONTIER_BUDGETS:
        v.add("budget", f"must be COST_OF_SALES, EQUITY_GAP or ATTRITION, got {req.budget}")
    elif req.budget == pb.SweepFrontierRequest.EQUITY_GAP and len(set(req.problem.roster.equity_group)) < 2:
        v.add("budget", "EQUITY_GAP needs a roster with two or more equity groups (problem.roster.equity_group)")
    if not 2 <= len(req.values) <= 50:
        v.add("values", f"give 2 to 50 budget values, got {len(req.values)}")
    for i, x in enumerate(req.values):
        v.number(f"values[{i}]", x, 0.0, 1.0, open_lo=True)
    if len(set(req.values)) != len(req.values):
        v.add("values", "budget values must be distinct")
    if v.items:
        raise InvalidRequest(v.items)


MAX_SCENARIOS = 10


def validate_compare(req: pb.CompareScenariosRequest) -> None:
    v = _Collector()
    _nested_optimize(req.base, "base", v)
    _check_monte_carlo(req.monte_carlo, len(req.base.roster.rep_id), v)
    if len(req.scenarios) > MAX_SCENARIOS:
        v.add("scenarios", f"at most {MAX_SCENARIOS} scenarios, got {len(req.scenarios)}")
    base_roles = {rp.role for rp in req.base.plan.roles}
    names: set[str] = set()
    for i, sc in enumerate(req.scenarios):
        path = f"scenarios[{i}]"
        if not sc.name:
            v.add(f"{path}.name", "must be a non-empty label")
        elif sc.name in names:
            v.add(f"{path}.name", f"duplicate scenario name {sc.name!r}")
        names.add(sc.name)
        if sc.optimise:
            if len(sc.plan.roles):
                v.add(f"{path}.plan", "give either a plan or optimise = true, not both")
            sub = _Collector()
            _check_constraints(sc.constraints, req.base.plan, req.base.market, sub, len(req.base.roster.rep_id))
            for item in sub.items:
                v.add(f"{path}.{item.field}", item.description)
        else:
            roles = _check_plan(sc.plan, f"{path}.plan", v, bounds=False)
            if roles and roles != base_roles:
                v.add(f"{path}.plan.roles", f"must cover exactly the base plan's roles {sorted(base_roles)}")
    if v.items:
        raise InvalidRequest(v.items)


def validate_sensitivity(req: pb.SensitivityRequest) -> None:
    v = _Collector()
    _nested_optimize(req.problem, "problem", v)
    known = set(pb.SensitivityRequest.Input.values()) - {pb.SensitivityRequest.INPUT_UNSPECIFIED}
    for i, x in enumerate(req.inputs):
        if x not in known:
            v.add(f"inputs[{i}]", f"unknown input {x}")
    if req.tornado_fraction != 0.0:
        v.number("tornado_fraction", req.tornado_fraction, 0.0, 0.5, open_lo=True)
    if v.items:
        raise InvalidRequest(v.items)
