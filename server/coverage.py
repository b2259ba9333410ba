"""AllocateQuotas and DesignTerritories: validation, conversion to solver problems, responses.

Same conventions as the plan RPCs: every problem with a request is collected as a field path and
a description quoting the value (INVALID_ARGUMENT), limits that cannot all hold are a
termination (INFEASIBLE with a relaxation), not an error.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence

import numpy as np
from planopt.server.convert import duration
from planopt.server.validation import InvalidRequest, _Collector
from planopt.solvers.quotas import QuotaProblem, QuotaResult, Spread
from planopt.solvers.territories import SEED_WEIGHTS, Design, DesignMetrics, TerritoryProblem
from planopt.v1 import planopt_pb2 as pb

MAX_TERRITORIES = 200_000
MAX_ACCOUNTS = 50_000
MAX_COVERAGE_REPS = 2_000
MAX_CELLS = 2_000_000  # accounts x reps (binary variables)
MAX_EDGES = 200_000
MAX_SCENARIOS = 10
MAX_FRONTIER = 100


def _ids(v: _Collector, path: str, ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if not x:
            v.add(f"{path}[{i}]", f"must be a non-empty {what} id")
        elif x in seen:
            v.add(f"{path}[{i}]", f"duplicate {what} id {x!r}")
        seen.add(x)


def _column(
    v: _Collector,
    path: str,
    values: Sequence[float],
    n: int,
    lo: float,
    hi: float,
    open_lo: bool = False,
    optional: bool = True,
) -> bool:
    if len(values) != n and not (optional and len(values) == 0):
        tail = " (or leave it empty)" if optional else ""
        v.add(path, f"has {len(values)} entries but there are {n}{tail}: columns must have equal length")
        return False
    ok = True
    for i, x in enumerate(values):
        if not v.number(f"{path}[{i}]", x, lo, hi, open_lo):
            ok = False
            if len(v.items) >= 100:
                break
    return ok


def _optional(v: _Collector, msg: object, name: str, path: str, lo: float, hi: float, open_lo: bool = False) -> None:
    if msg.HasField(name):  # type: ignore[attr-defined]
        v.number(f"{path}.{name}" if path else name, getattr(msg, name), lo, hi, open_lo)


# --------------------------------------------------------------------------- AllocateQuotas
def validate_quotas(req: pb.AllocateQuotasRequest) -> None:
    v = _Collector()
    t = req.territories
    n = len(t.territory_id)
    if n == 0:
        v.add("territories.territory_id", "no territories: at least one is required")
    elif n > MAX_TERRITORIES:
        v.add("territories.territory_id", f"{n} territories; at most {MAX_TERRITORIES} are supported")
    else:
        _ids(v, "territories.territory_id", t.territory_id, "territory")
        _column(v, "territories.potential_usd", t.potential_usd, n, 0.0, 1e13, open_lo=True, optional=False)
        _column(v, "territories.account_count", t.account_count, n, 0.0, 1e7)
        _column(v, "territories.last_year_sales_usd", t.last_year_sales_usd, n, 0.0, 1e13, open_lo=True)
        _column(v, "territories.last_year_quota_usd", t.last_year_quota_usd, n, 0.0, 1e13, open_lo=True)
        _column(v, "territories.expected_sales_usd", t.expected_sales_usd, n, 0.0, 1e13, open_lo=True)
    v.number("company_target_usd", req.company_target_usd, 0.0, 1e15, open_lo=True)
    v.number("over_assignment", req.over_assignment, 0.0, 1.0)
    lim = req.limits
    for name in ("min_quota_to_potential", "max_quota_to_potential"):
        _optional(v, lim, name, "limits", 0.0, 100.0)
    _optional(v, lim, "max_increase", "limits", 0.0, 100.0)
    _optional(v, lim, "max_decrease", "limits", 0.0, 1.0)
    if (lim.HasField("max_increase") or lim.HasField("max_decrease")) and len(t.last_year_quota_usd) == 0:
        v.add(
            "limits.max_increase" if lim.HasField("max_increase") else "limits.max_decrease",
            "limits against last year's quota need territories.last_year_quota_usd",
        )
    if (
        lim.HasField("min_quota_to_potential")
        and lim.HasField("max_quota_to_potential")
        and lim.min_quota_to_potential > lim.max_quota_to_potential
    ):
        v.add(
            "limits.min_quota_to_potential",
            f"{lim.min_quota_to_potential!r} exceeds limits.max_quota_to_potential {lim.max_quota_to_potential!r}",
        )
    _optional(v, req, "outlier_threshold", "", 0.0, 10.0, open_lo=True)
    if req.objective not in pb.AllocateQuotasRequest.Objective.values():
        v.add("objective", f"unknown objective {req.objective}")
    if v.items:
        raise InvalidRequest(v.items)


def quota_problem(req: pb.AllocateQuotasRequest) -> QuotaProblem:
    t, lim = req.territories, req.limits

    def col(values: Sequence[float]) -> np.ndarray | None:
        return np.asarray(values, dtype=float) if len(values) else None

    return QuotaProblem(
        territory_id=list(t.territory_id),
        potential=np.asarray(t.potential_usd, dtype=float),
        target=req.company_target_usd,
        accounts=col(t.account_count),
        last_sales=col(t.last_year_sales_usd),
        last_quota=col(t.last_year_quota_usd),
        expected_sales=col(t.expected_sales_usd),
        over_assignment=req.over_assignment,
        min_quota_to_potential=lim.min_quota_to_potential if lim.HasField("min_quota_to_potential") else None,
        max_quota_to_potential=lim.max_quota_to_potential if lim.HasField("max_quota_to_potential") else None,
        max_increase=lim.max_increase if lim.HasField("max_increase") else None,
        max_decrease=lim.max_decrease if lim.HasField("max_decrease") else None,
        objective="weighted" if req.objective == pb.AllocateQuotasRequest.WEIGHTED_DEVIATION else "min_max",
        outlier_threshold=req.outlier_threshold if req.HasField("outlier_threshold") else 0.25,
    )


def _spread(s: Spread | None) -> pb.AttainmentSpread | None:
    if s is None:
        return None
    return pb.AttainmentSpread(min=s.min, p10=s.p10, median=s.median, p90=s.p90, max=s.max, sd=s.sd)


def quota_response(p: QuotaProblem, r: QuotaResult) -> pb.AllocateQuotasResponse:
    reason = {"optimal": pb.Termination.OPTIMAL, "infeasible": pb.Termination.INFEASIBLE}.get(
        r.status, pb.Termination.NUMERICAL_ERROR
    )
    out = pb.AllocateQuotasResponse(
        termination=pb.Termination(reason=reason, detail=r.detail),
        certificate=pb.Certificate(max_violation=r.max_violation, kkt_residual=r.kkt_residual),
        duality_gap=r.duality_gap,
        objective=r.objective,
        max_relative_deviation=r.max_relative_deviation,
        misallocated_share=r.misallocated_share,
        objective_change_per_pct_target=r.target_sensitivity_per_pct,
        fit=pb.OpportunityFit(source=r.fit_source, r_squared=r.fit_r2, coefficients=r.fit_coefficients),
        outliers=int(r.outlier.sum()),
    )
    for name, spread in (("spread_before", r.spread_before), ("spread_after", r.spread_after)):
        msg = _spread(spread)
        if msg is not None:
            getattr(out, name).CopyFrom(msg)
    tq = out.territories
    tq.territory_id.extend(p.territory_id)
    tq.quota_usd.extend(r.quota.tolist())
    tq.fair_share_usd.extend(r.fair_share.tolist())
    tq.expected_sales_usd.extend(r.expected_sales.tolist())
    tq.predicted_attainment.extend(r.predicted_attainment.tolist())
    if r.predicted_attainment_before is not None:
        tq.predicted_attainment_before.extend(r.predicted_attainment_before.tolist())
    if p.last_quota is not None and r.status == "optimal":
        tq.change_vs_last_year.extend((r.quota / p.last_quota - 1.0).tolist())
    tq.lower_usd.extend(r.lower.tolist())
    tq.upper_usd.extend(r.upper.tolist())
    tq.binding.extend(r.binding)
    tq.relief_per_pct.extend(r.relief_per_pct.tolist())
    if r.last_quota_to_fair is not None:
        tq.last_quota_to_fair.extend(r.last_quota_to_fair.tolist())
    tq.outlier.extend(bool(x) for x in r.outlier)
    if r.status == "infeasible" and math.isfinite(r.target_range[0]):
        lo, hi = r.target_range
        relaxed = min(max(p.target, lo), hi)
        if relaxed != p.target:
            out.relaxations.append(
                pb.Relaxation(
                    constraint="company_target_usd",
                    bound=p.target,
                    relaxed_bound=relaxed,
                    amount=abs(relaxed - p.target),
                    unit="usd",
                )
            )
    return out


# --------------------------------------------------------------------------- DesignTerritories
def _check_reps(v: _Collector, path: str, reps: pb.CoverageReps, coords: bool, required: bool) -> None:
    k = len(reps.rep_id)
    if required and k == 0:
        v.add(f"{path}.rep_id", "no reps: at least one is required")
    _ids(v, f"{path}.rep_id", reps.rep_id, "rep")
    if coords:
        for name in ("home_x", "home_y"):
            if len(getattr(reps, name)) != k:
                v.add(
                    f"{path}.{name}",
                    f"has {len(getattr(reps, name))} entries but there are {k} reps: "
                    "home bases are required with account coordinates (or pass `distance`)",
                )
            else:
                _column(v, f"{path}.{name}", getattr(reps, name), k, -1e7, 1e7, optional=False)
    elif len(reps.home_x) or len(reps.home_y):
        _column(v, f"{path}.home_x", reps.home_x, k, -1e7, 1e7, optional=False)
        _column(v, f"{path}.home_y", reps.home_y, k, -1e7, 1e7, optional=False)
    _column(v, f"{path}.capacity", reps.capacity, k, 0.0, 100.0, open_lo=True)


def validate_territories(req: pb.DesignTerritoriesRequest) -> None:
    v = _Collector()
    a = req.accounts
    m = len(a.account_id)
    k = len(req.reps.rep_id)
    if m == 0:
        v.add("accounts.account_id", "no accounts: at least one is required")
    elif m > MAX_ACCOUNTS:
        v.add("accounts.account_id", f"{m} accounts; at most {MAX_ACCOUNTS} are supported")
    if k > MAX_COVERAGE_REPS:
        v.add("reps.rep_id", f"{k} reps; at most {MAX_COVERAGE_REPS} are supported")
    if v.items:
        raise InvalidRequest(v.items)
    if m * max(k, 1) > MAX_CELLS:
        v.add("accounts.account_id", f"{m} accounts x {k} reps = {m * k} assignment variables; at most {MAX_CELLS}")
        raise InvalidRequest(v.items)
    _ids(v, "accounts.account_id", a.account_id, "account")
    _column(v, "accounts.potential_usd", a.potential_usd, m, 0.0, 1e13, optional=False)
    if _column(v, "accounts.workload", a.workload, m, 0.0, 1e9, optional=False) and sum(a.workload) <= 0:
        v.add("accounts.workload", "total workload is 0: at least one account needs workload > 0")
    has_xy = len(a.x) > 0 or len(a.y) > 0
    if has_xy:
        _column(v, "accounts.x", a.x, m, -1e7, 1e7, optional=False)
        _column(v, "accounts.y", a.y, m, -1e7, 1e7, optional=False)
    _column(v, "accounts.relationship", a.relationship, m, 0.0, 1.0)
    rep_ids = set(req.reps.rep_id)
    for name in ("current_rep", "locked_rep"):
        col = getattr(a, name)
        if len(col) not in (0, m):
            v.add(f"accounts.{name}", f"has {len(col)} entries but there are {m} accounts (or leave it empty)")
            continue
        for i, rid in enumerate(col):
            if rid and rid not in rep_ids:
                v.add(f"accounts.{name}[{i}]", f"unknown rep id {rid!r}: not in reps.rep_id")
    has_distance = len(req.distance) > 0
    if has_distance:
        if len(req.distance) != m * k:
            v.add("distance", f"has {len(req.distance)} entries; accounts x reps = {m} x {k} = {m * k} expected")
        else:
            _column(v, "distance", req.distance, m * k, 0.0, 1e9, optional=False)
    _check_reps(v, "reps", req.reps, coords=has_xy and not has_distance, required=True)
    _optional(v, req, "workload_band", "", 0.0, 10.0)
    _optional(v, req, "potential_band", "", 0.0, 10.0)
    _optional(v, req, "travel_weight", "", 0.0, 1e6)
    _optional(v, req, "disruption_weight", "", 0.0, 1e6)
    v.number("contiguity_weight", req.contiguity_weight, 0.0, 1e6)
    _optional(v, req, "max_disruption", "", 0.0, 1.0)
    if req.objective not in pb.DesignTerritoriesRequest.Objective.values():
        v.add("objective", f"unknown objective {req.objective}")
    if req.objective == pb.DesignTerritoriesRequest.EPSILON_CONSTRAINT and not req.HasField("max_disruption"):
        v.add("max_disruption", "EPSILON_CONSTRAINT needs max_disruption (the limit on moved workload share)")
    for name in ("potential_balance", "travel", "workload_balance", "relationship"):
        v.number(f"seed_weights.{name}", getattr(req.seed_weights, name), 0.0, 10.0)
    if len(req.adjacency_a) != len(req.adjacency_b):
        v.add("adjacency_b", f"has {len(req.adjacency_b)} entries but adjacency_a has {len(req.adjacency_a)}")
    elif len(req.adjacency_a) > MAX_EDGES or len(req.adjacency_a) * max(k, 1) > MAX_CELLS:
        v.add("adjacency_a", f"{len(req.adjacency_a)} edges; at most {min(MAX_EDGES, MAX_CELLS // max(k, 1))} here")
    else:
        for i, (ea, eb) in enumerate(zip(req.adjacency_a, req.adjacency_b, strict=True)):
            for name, e in (("adjacency_a", ea), ("adjacency_b", eb)):
                if not 0 <= e < m:
                    v.add(f"{name}[{i}]", f"account index {e} out of range [0, {m})")
            if ea == eb:
                v.add(f"adjacency_b[{i}]", f"an edge joins account {ea} to itself")
    if not 0 <= req.frontier_points <= MAX_FRONTIER:
        v.add("frontier_points", f"must be in [0, {MAX_FRONTIER}], got {req.frontier_points}")
    elif req.frontier_points == 1:
        v.add("frontier_points", "a frontier needs at least 2 points (or 0 for none)")
    _optional(v, req, "mip_gap", "", 0.0, 1.0)
    _optional(v, req, "time_limit_seconds", "", 0.0, 3600.0, open_lo=True)
    if len(req.scenarios) > MAX_SCENARIOS:
        v.add("scenarios", f"{len(req.scenarios)} scenarios; at most {MAX_SCENARIOS}")
    names: set[str] = set()
    account_ids = set(a.account_id)
    for s_i, sc in enumerate(req.scenarios[:MAX_SCENARIOS]):
        path = f"scenarios[{s_i}]"
        if not sc.name:
            v.add(f"{path}.name", "must be a non-empty name")
        elif sc.name in names:
            v.add(f"{path}.name", f"duplicate scenario name {sc.name!r}")
        names.add(sc.name)
        removed = set(sc.remove_rep_ids)
        for i, rid in enumerate(sc.remove_rep_ids):
            if rid not in rep_ids:
                v.add(f"{path}.remove_rep_ids[{i}]", f"unknown rep id {rid!r}")
        added = set(sc.add_reps.rep_id)
        if sc.add_reps.rep_id:
            if has_distance:
                v.add(
                    f"{path}.add_reps", "adding reps needs coordinates; this request gives an explicit distance matrix"
                )
            _check_reps(v, f"{path}.add_reps", sc.add_reps, coords=has_xy and not has_distance, required=False)
            for i, rid in enumerate(sc.add_reps.rep_id):
                if rid in rep_ids:
                    v.add(f"{path}.add_reps.rep_id[{i}]", f"rep id {rid!r} already exists")
        if len(rep_ids - removed) + len(added) == 0:
            v.add(f"{path}.remove_rep_ids", "a scenario must leave at least one rep")
        if len(sc.lock_account_ids) != len(sc.lock_rep_ids):
            v.add(
                f"{path}.lock_rep_ids",
                f"has {len(sc.lock_rep_ids)} entries but lock_account_ids has {len(sc.lock_account_ids)}",
            )
        else:
            for i, (acc, rid) in enumerate(zip(sc.lock_account_ids, sc.lock_rep_ids, strict=True)):
                if acc not in account_ids:
                    v.add(f"{path}.lock_account_ids[{i}]", f"unknown account id {acc!r}")
                if rid not in (rep_ids - removed) | added:
                    v.add(f"{path}.lock_rep_ids[{i}]", f"rep id {rid!r} is not a rep of this scenario")
        if len(a.locked_rep) == m:
            for i, rid in enumerate(a.locked_rep):
                if rid and rid in removed:
                    v.add(f"{path}.remove_rep_ids", f"rep {rid!r} has locked accounts (accounts.locked_rep[{i}])")
                    break
    if v.items:
        raise InvalidRequest(v.items)


@dataclasses.dataclass
class Coverage:
    """The request in arrays, kept so scenarios can edit the rep set."""

    account_id: list[str]
    rep_id: list[str]
    home: np.ndarray | None  # (k, 2)
    xy: np.ndarray | None  # (m, 2)
    distance: np.ndarray | None  # explicit (m, k)
    capacity: np.ndarray
    current: list[str]
    locked: list[str]


def territory_problem(req: pb.DesignTerritoriesRequest, time_limit_s: float) -> tuple[TerritoryProblem, Coverage]:
    a, reps = req.accounts, req.reps
    m, k = len(a.account_id), len(reps.rep_id)
    cov = Coverage(
        account_id=list(a.account_id),
        rep_id=list(reps.rep_id),
        home=np.column_stack([reps.home_x, reps.home_y]) if len(reps.home_x) == k and k else None,
        xy=np.column_stack([a.x, a.y]) if len(a.x) == m and len(a.x) else None,
        distance=np.asarray(req.distance, dtype=float).reshape(m, k) if len(req.distance) else None,
        capacity=np.asarray(reps.capacity, dtype=float) if len(reps.capacity) else np.ones(k),
        current=list(a.current_rep) if len(a.current_rep) else [""] * m,
        locked=list(a.locked_rep) if len(a.locked_rep) else [""] * m,
    )
    objective = {
        pb.DesignTerritoriesRequest.EPSILON_CONSTRAINT: "epsilon",
        pb.DesignTerritoriesRequest.SEED_SCORE: "seed_score",
    }.get(req.objective, "weighted")
    sw = req.seed_weights
    weights = (
        dict(SEED_WEIGHTS)
        if not any((sw.potential_balance, sw.travel, sw.workload_balance, sw.relationship))
        else {
            "potential_balance": sw.potential_balance,
            "travel": sw.travel,
            "workload_balance": sw.workload_balance,
            "relationship": sw.relationship,
        }
    )
    edges = np.column_stack([req.adjacency_a, req.adjacency_b]).astype(np.int64) if len(req.adjacency_a) else None
    problem = TerritoryProblem(
        account_id=cov.account_id,
        rep_id=cov.rep_id,
        potential=np.asarray(a.potential_usd, dtype=float),
        workload=np.asarray(a.workload, dtype=float),
        distance=None,
        current=np.zeros(m, dtype=np.int64),
        locked=np.zeros(m, dtype=np.int64),
        capacity=cov.capacity,
        relationship=np.asarray(a.relationship, dtype=float) if len(a.relationship) else np.ones(m),
        workload_band=req.workload_band if req.HasField("workload_band") else None,
        potential_band=req.potential_band if req.HasField("potential_band") else None,
        edges=edges,
        objective=objective,
        travel_weight=req.travel_weight if req.HasField("travel_weight") else 1.0,
        disruption_weight=req.disruption_weight if req.HasField("disruption_weight") else 1.0,
        contiguity_weight=req.contiguity_weight,
        max_disruption=req.max_disruption if req.HasField("max_disruption") else None,
        seed_weights=weights,
        mip_gap=req.mip_gap if req.HasField("mip_gap") else 1e-3,
        time_limit_s=time_limit_s,
    )
    return with_reps(problem, cov, cov.rep_id, cov.home, cov.capacity, {}), cov


def with_reps(
    p: TerritoryProblem,
    cov: Coverage,
    rep_id: list[str],
    home: np.ndarray | None,
    capacity: np.ndarray,
    extra_locks: dict[str, str],
) -> TerritoryProblem:
    """The problem for a rep set (the base one, or a scenario's): distances, current and locked
    indices are recomputed; accounts of a removed rep have no current rep (they must move)."""
    index = {r: j for j, r in enumerate(rep_id)}
    if cov.distance is not None:
        distance = cov.distance  # scenarios cannot change reps with an explicit matrix
    elif cov.xy is not None and home is not None:
        distance = np.linalg.norm(cov.xy[:, None, :] - home[None, :, :], axis=2)
    else:
        distance = None
    current = np.array([index.get(r, -2) if r else -1 for r in cov.current], dtype=np.int64)
    locked_ids = list(cov.locked)
    position = {acc: i for i, acc in enumerate(cov.account_id)}
    for acc, rid in extra_locks.items():
        locked_ids[position[acc]] = rid
    locked = np.array([index[r] if r else -1 for r in locked_ids], dtype=np.int64)
    return dataclasses.replace(p, rep_id=rep_id, distance=distance, current=current, locked=locked, capacity=capacity)


def scenario_problem(base: TerritoryProblem, cov: Coverage, sc: pb.TerritoryScenario) -> TerritoryProblem:
    removed = set(sc.remove_rep_ids)
    keep = [j for j, r in enumerate(cov.rep_id) if r not in removed]
    rep_id = [cov.rep_id[j] for j in keep] + list(sc.add_reps.rep_id)
    capacity = np.concatenate(
        [
            cov.capacity[keep],
            np.asarray(sc.add_reps.capacity, dtype=float)
            if len(sc.add_reps.capacity)
            else np.ones(len(sc.add_reps.rep_id)),
        ]
    )
    home = None
    if cov.home is not None:
        added = (
            np.column_stack([sc.add_reps.home_x, sc.add_reps.home_y]) if len(sc.add_reps.rep_id) else np.zeros((0, 2))
        )
        home = np.vstack([cov.home[keep], added])
    distance_cov = cov
    if cov.distance is not None:
        distance_cov = dataclasses.replace(cov, distance=cov.distance[:, keep])
    return with_reps(
        base, distance_cov, rep_id, home, capacity, dict(zip(sc.lock_account_ids, sc.lock_rep_ids, strict=True))
    )


def territory_metrics(mt: DesignMetrics) -> pb.TerritoryMetrics:
    return pb.TerritoryMetrics(
        travel=mt.travel,
        travel_norm=mt.travel_norm,
        disruption=mt.disruption,
        moved_accounts=mt.moved_accounts,
        relationship_loss=mt.relationship_loss,
        workload_imbalance=mt.workload_imbalance,
        potential_imbalance=mt.potential_imbalance,
        max_workload_deviation=mt.max_workload_deviation,
        max_potential_deviation=mt.max_potential_deviation,
        cut_share=mt.cut_share,
        seed_score=mt.seed_score,
    )


DESIGN_TERMINATION = {
    "optimal": pb.Termination.OPTIMAL,
    "time_limit": pb.Termination.FEASIBLE_TIME_LIMIT,
    "interrupted": pb.Termination.CANCELLED,
    "infeasible": pb.Termination.INFEASIBLE,
    "time_limit_no_incumbent": pb.Termination.NO_FEASIBLE_POINT_YET,
}


def design_message(p: TerritoryProblem, d: Design) -> pb.TerritoryDesign:
    out = pb.TerritoryDesign(
        termination=pb.Termination(
            reason=DESIGN_TERMINATION.get(d.status, pb.Termination.NUMERICAL_ERROR), detail=d.detail
        ),
        objective=d.objective,
        bound=d.bound,
        mip_gap=d.gap,
        max_violation=d.max_violation,
        nodes=d.nodes,
        elapsed=duration(d.seconds),
    )
    if d.metrics is not None:
        out.assigned_rep.extend(p.rep_id[j] for j in d.assignment)
        out.metrics.CopyFrom(territory_metrics(d.metrics))
        out.reps.rep_id.extend(p.rep_id)
        out.reps.workload.extend(d.metrics.workload.tolist())
        out.reps.potential_usd.extend(d.metrics.potential.tolist())
        out.reps.accounts.extend(int(x) for x in d.metrics.accounts)
        out.reps.travel.extend(d.metrics.rep_travel.tolist())
    for name, band, relaxed in (
        ("workload_band", p.workload_band, d.relaxed_workload_band),
        ("potential_band", p.potential_band, d.relaxed_potential_band),
    ):
        if band is not None and relaxed is not None:
            out.relaxations.append(
                pb.Relaxation(
                    constraint=name, bound=band, relaxed_bound=relaxed, amount=relaxed - band, unit="fraction"
                )
            )
    return out


def metrics_delta(a: pb.TerritoryMetrics, b: pb.TerritoryMetrics) -> pb.TerritoryMetrics:
    """a - b, field by field."""
    out = pb.TerritoryMetrics()
    for f in pb.TerritoryMetrics.DESCRIPTOR.fields:
        setattr(out, f.name, getattr(a, f.name) - getattr(b, f.name))
    return out


def run_scenarios(
    base: TerritoryProblem,
    cov: Coverage,
    base_design: Design,
    base_msg: pb.TerritoryDesign,
    scenarios: Sequence[pb.TerritoryScenario],
    solve: Callable[[TerritoryProblem], Design],
) -> list[pb.TerritoryScenarioResult]:
    results = []
    base_assigned = [base.rep_id[j] for j in base_design.assignment] if base_design.metrics is not None else None
    for sc in scenarios:
        problem = scenario_problem(base, cov, sc)
        t0 = time.monotonic()
        d = solve(problem)
        d.seconds = time.monotonic() - t0
        msg = design_message(problem, d)
        res = pb.TerritoryScenarioResult(name=sc.name, design=msg)
        if base_assigned is not None and d.metrics is not None:
            res.accounts_moved_vs_base = sum(1 for x, y in zip(msg.assigned_rep, base_assigned, strict=True) if x != y)
            res.delta.CopyFrom(metrics_delta(msg.metrics, base_msg.metrics))
        results.append(res)
    return results
