"""Typed results (dataclasses) decoded from planopt.v1 responses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from planopt.v1 import planopt_pb2 as pb


@dataclass(frozen=True)
class RolePlan:
    role: str
    base_usd: float
    target_incentive_usd: float
    threshold_attainment: float
    quota_bonus_share: float
    accelerator: float
    cap_attainment: float
    commission_slope_usd: float
    ote_usd: float


@dataclass(frozen=True)
class RoleMetrics:
    role: str
    reps: int
    ote_usd: float
    market_median_ote_usd: float
    base_share: float
    mean_attainment: float
    mean_pay_usd: float
    attrition: float


@dataclass(frozen=True)
class Metrics:
    objective: float
    mean_attainment: float
    quota_weighted_attainment: float
    revenue_usd: float
    total_pay_usd: float
    cost_of_sales: float
    attrition: float
    top_quartile_attainment: float
    bottom_quartile_attainment: float
    mean_pay_usd: float
    mean_effort: float
    give_up_share: float
    profit_usd: float
    roles: dict[str, RoleMetrics]


@dataclass(frozen=True)
class ConstraintResult:
    name: str
    sense: str
    value: float
    bound: float
    slack: float
    shadow_price: float
    unit: str
    active: bool


@dataclass(frozen=True)
class Relaxation:
    constraint: str
    bound: float
    relaxed_bound: float
    amount: float
    unit: str


@dataclass(frozen=True)
class OptimizeResult:
    termination: str  # e.g. "LOCALLY_OPTIMAL", "INFEASIBLE"
    detail: str
    max_violation: float
    kkt_residual: float
    plan: dict[str, RolePlan]
    metrics: Metrics
    baseline: Metrics
    constraints: list[ConstraintResult]
    relaxations: list[Relaxation]
    reps: dict[str, list[Any]]
    iterations: int
    starts: int
    elapsed_s: float
    request_sha256: str
    raw: pb.OptimizePlanResponse = field(repr=False)

    def to_json(self) -> str:
        """The response in protobuf's canonical JSON mapping."""
        return json_format.MessageToJson(self.raw)


@dataclass(frozen=True)
class Distribution:
    mean: float
    p10: float
    p50: float
    p90: float
    sd: float


@dataclass(frozen=True)
class MonteCarloResult:
    draws: int
    seed: int
    mean_attainment: Distribution
    total_pay_usd: Distribution
    revenue_usd: Distribution
    cost_of_sales: Distribution
    prob_cost_of_sales_above_cap: float
    mean_attainment_stderr95: float
    rep_pay_usd: list[Distribution]
    attainment_histogram: list[int]  # bins of 0.1 from 0 to 3 (last bin open)


@dataclass(frozen=True)
class EquityGap:
    group: str
    reps: int
    raw_pay_gap: float
    adjusted_pay_gap: float
    adjusted_pay_gap_se: float
    raw_attainment_gap: float
    adjusted_attainment_gap: float
    flagged: bool


@dataclass(frozen=True)
class EquityAudit:
    reference_group: str
    max_gap: float
    gaps: list[EquityGap]


@dataclass(frozen=True)
class FrontierPoint:
    budget: float
    termination: str
    metrics: Metrics
    plan: dict[str, RolePlan]
    shadow_price: float
    max_violation: float
    kkt_residual: float


@dataclass(frozen=True)
class EvaluateResult:
    metrics: Metrics
    constraints: list[ConstraintResult]
    reps: dict[str, list[Any]]
    request_sha256: str
    raw: pb.EvaluatePlanResponse = field(repr=False)
    monte_carlo: MonteCarloResult | None = None
    equity_audit: EquityAudit | None = None

    def to_json(self) -> str:
        return json_format.MessageToJson(self.raw)


def _metrics(m: pb.Metrics) -> Metrics:
    return Metrics(
        objective=m.objective,
        mean_attainment=m.mean_attainment,
        quota_weighted_attainment=m.quota_weighted_attainment,
        revenue_usd=m.revenue_usd,
        total_pay_usd=m.total_pay_usd,
        cost_of_sales=m.cost_of_sales,
        attrition=m.attrition,
        top_quartile_attainment=m.top_quartile_attainment,
        bottom_quartile_attainment=m.bottom_quartile_attainment,
        mean_pay_usd=m.mean_pay_usd,
        mean_effort=m.mean_effort,
        give_up_share=m.give_up_share,
        profit_usd=m.profit_usd,
        roles={
            r.role: RoleMetrics(
                r.role,
                r.reps,
                r.ote_usd,
                r.market_median_ote_usd,
                r.base_share,
                r.mean_attainment,
                r.mean_pay_usd,
                r.attrition,
            )
            for r in m.roles
        },
    )


def _constraints(items: Any) -> list[ConstraintResult]:
    return [
        ConstraintResult(c.name, c.sense, c.value, c.bound, c.slack, c.shadow_price, c.unit, c.active) for c in items
    ]


def _reps(r: pb.RepOutcomes) -> dict[str, list[Any]]:
    return {
        "rep_id": list(r.rep_id),
        "attainment": list(r.attainment),
        "pay_usd": list(r.pay_usd),
        "attrition": list(r.attrition),
        "effort": list(r.effort),
        "give_up": list(r.give_up),
    }


def _plan(items: Any) -> dict[str, RolePlan]:
    return {
        p.role: RolePlan(
            p.role,
            p.base_usd,
            p.target_incentive_usd,
            p.threshold_attainment,
            p.quota_bonus_share,
            p.accelerator,
            p.cap_attainment,
            p.commission_slope_usd,
            p.ote_usd,
        )
        for p in items
    }


def optimize_result(resp: pb.OptimizePlanResponse) -> OptimizeResult:
    return OptimizeResult(
        termination=pb.Termination.Reason.Name(resp.termination.reason),
        detail=resp.termination.detail,
        max_violation=resp.certificate.max_violation,
        kkt_residual=resp.certificate.kkt_residual,
        plan=_plan(resp.plan),
        metrics=_metrics(resp.metrics),
        baseline=_metrics(resp.baseline_metrics),
        constraints=_constraints(resp.constraints),
        relaxations=[Relaxation(r.constraint, r.bound, r.relaxed_bound, r.amount, r.unit) for r in resp.relaxations],
        reps=_reps(resp.reps),
        iterations=resp.stats.iterations,
        starts=resp.stats.starts,
        elapsed_s=resp.stats.elapsed.ToNanoseconds() / 1e9,
        request_sha256=resp.receipt.request_sha256,
        raw=resp,
    )


def _dist(d: pb.Distribution) -> Distribution:
    return Distribution(d.mean, d.p10, d.p50, d.p90, d.sd)


def evaluate_result(resp: pb.EvaluatePlanResponse) -> EvaluateResult:
    mc = None
    if resp.HasField("monte_carlo"):
        m = resp.monte_carlo
        mc = MonteCarloResult(
            draws=m.draws,
            seed=m.seed,
            mean_attainment=_dist(m.mean_attainment),
            total_pay_usd=_dist(m.total_pay_usd),
            revenue_usd=_dist(m.revenue_usd),
            cost_of_sales=_dist(m.cost_of_sales),
            prob_cost_of_sales_above_cap=m.prob_cost_of_sales_above_cap,
            mean_attainment_stderr95=m.mean_attainment_stderr95,
            rep_pay_usd=[_dist(d) for d in m.rep_pay_usd],
            attainment_histogram=list(m.attainment_histogram),
        )
    audit = None
    if resp.HasField("equity_audit"):
        a = resp.equity_audit
        audit = EquityAudit(
            a.reference_group,
            a.max_gap,
            [
                EquityGap(
                    g.group,
                    g.reps,
                    g.raw_pay_gap,
                    g.adjusted_pay_gap,
                    g.adjusted_pay_gap_se,
                    g.raw_attainment_gap,
                    g.adjusted_attainment_gap,
                    g.flagged,
                )
                for g in a.gaps
            ],
        )
    return EvaluateResult(
        metrics=_metrics(resp.metrics),
        constraints=_constraints(resp.constraints),
        reps=_reps(resp.reps),
        request_sha256=resp.receipt.request_sha256,
        raw=resp,
        monte_carlo=mc,
        equity_audit=audit,
    )


def frontier_point(p: pb.FrontierPoint) -> FrontierPoint:
    return FrontierPoint(
        budget=p.budget,
        termination=pb.Termination.Reason.Name(p.termination.reason),
        metrics=_metrics(p.metrics),
        plan=_plan(p.plan),
        shadow_price=p.shadow_price,
        max_violation=p.certificate.max_violation,
        kkt_residual=p.certificate.kkt_residual,
    )
