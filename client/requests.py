"""Build planopt.v1 requests from plain Python, numpy arrays or a pandas DataFrame.

Nothing here imports numpy or pandas: any sequence (or DataFrame column) is accepted and read
with ``float()`` / ``str()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import duration_pb2
from planopt.v1 import planopt_pb2 as pb

ROSTER_NUMERIC = (
    "quota_usd",
    "baseline_attainment",
    "effort_productivity",
    "noise_sd",
    "effort_cost_usd",
    "risk_aversion_per_usd",
    "outside_option_usd",
)
LEVERS = (
    "base_usd",
    "target_incentive_usd",
    "threshold_attainment",
    "quota_bonus_share",
    "accelerator",
    "cap_attainment",
)
OBJECTIVES = {
    "attainment": pb.Objective.EXPECTED_ATTAINMENT,
    "quota_weighted_attainment": pb.Objective.QUOTA_WEIGHTED_ATTAINMENT,
    "revenue": pb.Objective.EXPECTED_REVENUE,
    "profit": pb.Objective.EXPECTED_PROFIT,
}


@dataclass(frozen=True)
class Lever:
    """A plan lever: fixed at ``value``, or free in [lower, upper] when both bounds are given."""

    value: float
    lower: float | None = None
    upper: float | None = None

    @property
    def free(self) -> bool:
        return self.lower is not None and self.upper is not None


LeverSpec = float | int | Lever | tuple | Mapping[str, float]


def _column(columns: Any, name: str) -> list[Any]:
    col = columns[name]
    if hasattr(col, "tolist"):  # numpy array / pandas Series
        return list(col.tolist())
    return list(col)


def build_roster(roster: Any) -> pb.Roster:
    """A Roster from a mapping of columns (lists, numpy arrays) or a pandas DataFrame."""
    if isinstance(roster, pb.Roster):
        return roster
    names = list(roster.keys()) if hasattr(roster, "keys") else list(roster.columns)
    out = pb.Roster(
        rep_id=[str(x) for x in _column(roster, "rep_id")],
        role=[str(x) for x in _column(roster, "role")],
    )
    for name in ROSTER_NUMERIC:
        if name in names:
            getattr(out, name).extend(float(x) for x in _column(roster, name))
    if "equity_group" in names:
        out.equity_group.extend(str(x) for x in _column(roster, "equity_group"))
    return out


def _lever(spec: LeverSpec) -> pb.Lever:
    if isinstance(spec, Lever):
        lv = spec
    elif isinstance(spec, Mapping):
        lv = Lever(float(spec["value"]), spec.get("lower"), spec.get("upper"))
    elif isinstance(spec, tuple):  # (value, lower, upper)
        lv = Lever(float(spec[0]), float(spec[1]), float(spec[2]))
    else:
        lv = Lever(float(spec))
    if lv.free:
        return pb.Lever(value=lv.value, free=True, lower=float(lv.lower), upper=float(lv.upper))  # type: ignore[arg-type]
    return pb.Lever(value=lv.value)


def build_plan(plan: Any) -> pb.PlanTemplate:
    """``{role: {lever: value | (value, lower, upper) | Lever}}`` -> PlanTemplate."""
    if isinstance(plan, pb.PlanTemplate):
        return plan
    out = pb.PlanTemplate()
    for role, levers in plan.items():
        rp = pb.RolePlan(role=role)
        for name, spec in levers.items():
            if name not in LEVERS:
                raise ValueError(f"unknown lever {name!r}; expected one of {LEVERS}")
            getattr(rp, name).CopyFrom(_lever(spec))
        out.roles.append(rp)
    return out


def build_market(market: Mapping[str, float] | pb.Market | None) -> pb.Market:
    if isinstance(market, pb.Market):
        return market
    return pb.Market(roles=[pb.RoleMarket(role=r, median_ote_usd=float(v)) for r, v in (market or {}).items()])


def build_constraints(constraints: Mapping[str, Any] | pb.Constraints | None) -> pb.Constraints:
    """Keys as the proto fields; ``mix`` maps role (or "*") to (min_base_share, max_base_share)."""
    if isinstance(constraints, pb.Constraints):
        return constraints
    out = pb.Constraints()
    for key, value in (constraints or {}).items():
        if value is None:
            continue
        if key == "mix":
            for role, (lo, hi) in value.items():
                mb = pb.MixBound(role=role)
                if lo is not None:
                    mb.min_base_share = float(lo)
                if hi is not None:
                    mb.max_base_share = float(hi)
                out.mix.append(mb)
        else:
            setattr(out, key, float(value))
    return out


def build_objective(objective: str | pb.Objective, gross_margin: float | None = None) -> pb.Objective:
    if isinstance(objective, pb.Objective):
        return objective
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; expected one of {sorted(OBJECTIVES)}")
    out = pb.Objective(kind=OBJECTIVES[objective])
    if gross_margin is not None:
        out.gross_margin_fraction = gross_margin
    return out


def _duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(round(seconds * 1e9))
    return d


def build_options(
    time_limit_s: float | None = None,
    seed: int = 0,
    num_starts: int = 0,
    validate_only: bool = False,
    max_iterations: int = 0,
    feasibility_tolerance: float | None = None,
    kkt_tolerance: float | None = None,
    warm_start: Any = None,
) -> pb.SolveOptions:
    out = pb.SolveOptions(
        seed=seed,
        num_starts=num_starts,
        max_iterations=max_iterations,
        mode=pb.SolveOptions.VALIDATE_ONLY if validate_only else pb.SolveOptions.SOLVE,
    )
    if time_limit_s is not None:
        out.time_limit.CopyFrom(_duration(time_limit_s))
    if feasibility_tolerance is not None:
        out.feasibility_tolerance = feasibility_tolerance
    if kkt_tolerance is not None:
        out.kkt_tolerance = kkt_tolerance
    if warm_start is not None:
        out.warm_start.CopyFrom(build_plan(warm_start))
    return out


def plan_from_result(plan: Iterable[pb.RolePlanResult]) -> dict[str, dict[str, float]]:
    """A returned plan as ``{role: {lever: value}}`` (fixed levers), e.g. for a warm start."""
    return {rp.role: {name: getattr(rp, name) for name in LEVERS} for rp in plan}


def model_options(temperature_usd: float | None = None, attrition_scale_usd: float | None = None) -> pb.ModelOptions:
    out = pb.ModelOptions()
    if temperature_usd is not None:
        out.effort_choice_temperature_usd = temperature_usd
    if attrition_scale_usd is not None:
        out.attrition_scale_usd = attrition_scale_usd
    return out


def demo_request(options: pb.SolveOptions | None = None, seed_targets: bool = False) -> pb.OptimizePlanRequest:
    """The seed-000 demo team, current plan, bounds and constraints as an OptimizePlanRequest.

    ``seed_targets`` uses the seed's own targets (CoS 12%, attrition 15%) instead of the
    planner's default constraints (CoS no higher than today, attrition at the industry 18%).
    """
    from planopt.client import demo

    plan = {demo.ROLE: {name: (demo.CURRENT_PLAN[name], *demo.PLAN_BOUNDS[name]) for name in LEVERS}}
    return pb.OptimizePlanRequest(
        roster=build_roster(demo.demo_roster()),
        market=build_market({demo.ROLE: demo.MARKET_OTE_USD}),
        plan=build_plan(plan),
        constraints=build_constraints(demo.SEED_TARGET_CONSTRAINTS if seed_targets else demo.CONSTRAINTS),
        objective=build_objective("attainment"),
        options=options or pb.SolveOptions(),
    )


def evaluate_request_from(opt: pb.OptimizePlanRequest) -> pb.EvaluatePlanRequest:
    """The EvaluatePlan request for an OptimizePlan request's current lever values."""
    plan = pb.PlanTemplate()
    for rp in opt.plan.roles:  # evaluate the current values (bounds are ignored anyway)
        fixed = pb.RolePlan(role=rp.role)
        for name in LEVERS:
            getattr(fixed, name).value = getattr(rp, name).value
        plan.roles.append(fixed)
    return pb.EvaluatePlanRequest(
        roster=opt.roster, market=opt.market, plan=plan, constraints=opt.constraints, objective=opt.objective
    )


def demo_evaluate_request() -> pb.EvaluatePlanRequest:
    """EvaluatePlan of the seed-000 team's current plan."""
    return evaluate_request_from(demo_request())


def read_csv(path: str, numeric: Iterable[str]) -> dict[str, list[Any]]:
    """Columns of a CSV file with a header row; the ``numeric`` columns parsed as floats (with
    the file, line and column named when a cell is not a number), the rest kept as strings."""
    import csv

    numeric = set(numeric)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path}: no rows")
    columns: dict[str, list[Any]] = {name: [] for name in rows[0]}
    for number, row in enumerate(rows, start=2):
        for name, value in row.items():
            if name in numeric:
                try:
                    columns[name].append(float(value))
                except (TypeError, ValueError):
                    raise ValueError(f"{path}:{number}: column {name!r}: not a number: {value!r}") from None
            else:
                columns[name].append(value if value is not None else "")
    return columns


def roster_from_csv(path: str) -> dict[str, list[Any]]:
    """Roster columns from a CSV file with a header row (``rep_id``, ``role``, the numeric
    columns of ``Roster`` and optionally ``equity_group``)."""
    return read_csv(path, ROSTER_NUMERIC)


def csv_request(path: str) -> pb.OptimizePlanRequest:
    """OptimizePlan for a roster from CSV: each distinct ``role`` gets the demo plan (levers,
    bounds), the demo market OTE and the demo constraints. A starting point for planners; edit
    the request (or use PlanClient.optimize_plan) for anything else."""
    from planopt.client import demo

    columns = roster_from_csv(path)
    if "role" not in columns or "rep_id" not in columns:
        raise ValueError(f"{path}: needs 'rep_id' and 'role' columns")
    roles = sorted(set(columns["role"]))
    base = demo_request()
    request = pb.OptimizePlanRequest()
    request.CopyFrom(base)
    request.roster.CopyFrom(build_roster(columns))
    request.market.CopyFrom(build_market({r: demo.MARKET_OTE_USD for r in roles}))
    del request.plan.roles[:]
    for role in roles:
        rp = pb.RolePlan()
        rp.CopyFrom(base.plan.roles[0])
        rp.role = role
        request.plan.roles.append(rp)
    return request
