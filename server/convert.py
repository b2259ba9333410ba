"""proto <-> solver objects. No numerics here: the solver package does all of that."""

from __future__ import annotations

import numpy as np
from google.protobuf import duration_pb2
from planopt.solvers.audit import Audit
from planopt.solvers.model import Evaluation
from planopt.solvers.optimize import ConstraintReport, Solution
from planopt.solvers.problem import (
    BehaviourModel,
    Constraints,
    CostOfSalesRisk,
    MixBound,
    Objective,
    ObjectiveKind,
    PlanProblem,
    PlanTemplate,
    Roster,
    SolveOptions,
)
from planopt.solvers.simulate import MonteCarlo, Summary
from planopt.solvers.surface import LEVERS, N_LEVERS, commission_slope
from planopt.v1 import planopt_pb2 as pb

OBJECTIVES = {
    pb.Objective.KIND_UNSPECIFIED: ObjectiveKind.ATTAINMENT,
    pb.Objective.EXPECTED_ATTAINMENT: ObjectiveKind.ATTAINMENT,
    pb.Objective.QUOTA_WEIGHTED_ATTAINMENT: ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT,
    pb.Objective.EXPECTED_REVENUE: ObjectiveKind.REVENUE,
    pb.Objective.EXPECTED_PROFIT: ObjectiveKind.PROFIT,
}

DEFAULT_TIME_LIMIT_S = 10.0


def roster(r: pb.Roster) -> Roster:
    n = len(r.rep_id)
    return Roster(
        rep_id=tuple(r.rep_id),
        role=tuple(r.role),
        quota_usd=np.asarray(r.quota_usd, dtype=float),
        baseline_attainment=np.asarray(r.baseline_attainment, dtype=float),
        effort_productivity=np.asarray(r.effort_productivity, dtype=float),
        noise_sd=np.asarray(r.noise_sd, dtype=float),
        effort_cost_usd=np.asarray(r.effort_cost_usd, dtype=float),
        risk_aversion_per_usd=np.asarray(r.risk_aversion_per_usd, dtype=float),
        outside_option_usd=np.asarray(r.outside_option_usd, dtype=float),
        equity_group=tuple(r.equity_group) if len(r.equity_group) else ("",) * n,
    )


def template(plan: pb.PlanTemplate, use_bounds: bool = True) -> PlanTemplate:
    roles = tuple(rp.role for rp in plan.roles)
    shape = (len(roles), N_LEVERS)
    value, lower, upper = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    free = np.zeros(shape, dtype=bool)
    for i, rp in enumerate(plan.roles):
        for j, name in enumerate(LEVERS):
            lever = getattr(rp, name)
            value[i, j] = lever.value
            if use_bounds and lever.free:
                free[i, j] = True
                lower[i, j], upper[i, j] = lever.lower, lever.upper
                value[i, j] = min(max(lever.value, lever.lower), lever.upper)
            else:
                lower[i, j] = upper[i, j] = lever.value
    return PlanTemplate(roles=roles, value=value, lower=lower, upper=upper, free=free)


def constraints(c: pb.Constraints) -> Constraints:
    def opt(name: str) -> float | None:
        return getattr(c, name) if c.HasField(name) else None

    mix = {
        mb.role: MixBound(
            mb.min_base_share if mb.HasField("min_base_share") else None,
            mb.max_base_share if mb.HasField("max_base_share") else None,
        )
        for mb in c.mix
    }
    return Constraints(
        max_cost_of_sales=opt("max_cost_of_sales"),
        ote_band_fraction=opt("ote_band_fraction"),
        mix=mix,
        max_equity_gap=opt("max_equity_gap"),
        max_attrition=opt("max_attrition"),
        salary_floor_usd=opt("salary_floor_usd"),
        cost_of_sales_risk=_risk(c.cost_of_sales_risk),
        max_adjusted_equity_gap=opt("max_adjusted_equity_gap"),
    )


def _risk(r: pb.CostOfSalesRisk) -> CostOfSalesRisk | None:
    if not r.HasField("max"):
        return None
    return CostOfSalesRisk(
        max=r.max,
        measure="quantile" if r.measure == pb.CostOfSalesRisk.QUANTILE else "cvar",
        level=r.level if r.HasField("level") else 0.9,
        draws=r.draws or 2000,
        seed=int(r.seed),
        market_shock_sd=r.market_shock_sd,
        smoothing=r.smoothing if r.HasField("smoothing") else 0.01,
    )


def _problem(req: pb.OptimizePlanRequest | pb.EvaluatePlanRequest, use_bounds: bool) -> PlanProblem:
    defaults = BehaviourModel()
    model = BehaviourModel(
        temperature_usd=req.model.effort_choice_temperature_usd
        if req.model.HasField("effort_choice_temperature_usd")
        else defaults.temperature_usd,
        attrition_scale_usd=req.model.attrition_scale_usd
        if req.model.HasField("attrition_scale_usd")
        else defaults.attrition_scale_usd,
    )
    objective = Objective(
        kind=OBJECTIVES[req.objective.kind],
        gross_margin=req.objective.gross_margin_fraction if req.objective.HasField("gross_margin_fraction") else 0.7,
    )
    return PlanProblem(
        roster=roster(req.roster),
        market_ote_usd={m.role: m.median_ote_usd for m in req.market.roles},
        template=template(req.plan, use_bounds),
        constraints=constraints(req.constraints),
        objective=objective,
        model=model,
    )


def optimize_problem(req: pb.OptimizePlanRequest) -> PlanProblem:
    return _problem(req, use_bounds=True)


def evaluate_problem(req: pb.EvaluatePlanRequest) -> PlanProblem:
    return _problem(req, use_bounds=False)


def solve_options(o: pb.SolveOptions, problem: PlanProblem, deadline_limit_s: float | None) -> SolveOptions:
    limit = DEFAULT_TIME_LIMIT_S
    if o.HasField("time_limit"):
        limit = o.time_limit.seconds + o.time_limit.nanos * 1e-9
    if deadline_limit_s is not None:
        limit = min(limit, deadline_limit_s)
    warm = None
    if o.HasField("warm_start"):
        warm_t = template(o.warm_start, use_bounds=False)
        warm = problem.template.value.copy()
        for i, role in enumerate(warm_t.roles):
            warm[problem.template.roles.index(role)] = warm_t.value[i]
    defaults = SolveOptions()
    return SolveOptions(
        time_limit_s=limit,
        seed=int(o.seed),
        num_starts=o.num_starts or defaults.num_starts,
        max_iterations=o.max_iterations or defaults.max_iterations,
        feasibility_tol=o.feasibility_tolerance if o.HasField("feasibility_tolerance") else defaults.feasibility_tol,
        kkt_tol=o.kkt_tolerance if o.HasField("kkt_tolerance") else defaults.kkt_tol,
        warm_start=warm,
    )


def duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(round(seconds * 1e9))
    return d


def metrics(ev: Evaluation, roles: tuple[str, ...]) -> pb.Metrics:
    m = ev.metrics
    out = pb.Metrics(
        objective=m["objective"],
        mean_attainment=m["mean_attainment"],
        quota_weighted_attainment=m["quota_weighted_attainment"],
        revenue_usd=m["revenue_usd"],
        total_pay_usd=m["total_pay_usd"],
        cost_of_sales=m["cost_of_sales"],
        attrition=m["attrition"],
        top_quartile_attainment=m["top_quartile_attainment"],
        bottom_quartile_attainment=m["bottom_quartile_attainment"],
        mean_pay_usd=m["mean_pay_usd"],
        mean_effort=m["mean_effort"],
        give_up_share=m["give_up_share"],
        profit_usd=m.get("profit_usd", 0.0),
    )
    for role in roles:
        rm = ev.role_metrics[role]
        out.roles.append(
            pb.RoleMetrics(
                role=role,
                reps=int(rm["reps"]),
                ote_usd=rm["ote_usd"],
                market_median_ote_usd=0.0 if np.isnan(rm["market_ote_usd"]) else rm["market_ote_usd"],
                base_share=rm["base_share"],
                mean_attainment=rm["mean_attainment"],
                mean_pay_usd=rm["mean_pay_usd"],
                attrition=rm["attrition"],
            )
        )
    return out


def rep_outcomes(ev: Evaluation, rep_id: tuple[str, ...]) -> pb.RepOutcomes:
    return pb.RepOutcomes(
        rep_id=list(rep_id),
        attainment=ev.rep["attainment"].tolist(),
        pay_usd=ev.rep["pay"].tolist(),
        attrition=ev.rep["attrition"].tolist(),
        effort=ev.rep["effort"].tolist(),
        give_up=ev.rep["give_up"].tolist(),
    )


def constraint_report(c: ConstraintReport) -> pb.ConstraintReport:
    return pb.ConstraintReport(
        name=c.name,
        sense=c.sense,
        value=c.value,
        bound=c.bound,
        slack=c.slack,
        shadow_price=c.shadow_price,
        unit=c.unit,
        active=c.active,
    )


def plan_result(levers: np.ndarray, roles: tuple[str, ...]) -> list[pb.RolePlanResult]:
    out = []
    for i, role in enumerate(roles):
        lv = {name: float(levers[i, j]) for j, name in enumerate(LEVERS)}
        out.append(
            pb.RolePlanResult(
                role=role,
                commission_slope_usd=float(commission_slope(levers[i])),
                ote_usd=lv["base_usd"] + lv["target_incentive_usd"],
                **lv,
            )
        )
    return out


TERMINATION = {
    "LOCALLY_OPTIMAL": pb.Termination.LOCALLY_OPTIMAL,
    "FEASIBLE_TIME_LIMIT": pb.Termination.FEASIBLE_TIME_LIMIT,
    "ITERATION_LIMIT": pb.Termination.ITERATION_LIMIT,
    "INFEASIBLE": pb.Termination.INFEASIBLE,
    "NO_FEASIBLE_POINT_YET": pb.Termination.NO_FEASIBLE_POINT_YET,
    "NUMERICAL_ERROR": pb.Termination.NUMERICAL_ERROR,
    "CANCELLED": pb.Termination.CANCELLED,
}


def optimize_response(sol: Solution, problem: PlanProblem) -> pb.OptimizePlanResponse:
    roles = problem.template.roles
    return pb.OptimizePlanResponse(
        termination=pb.Termination(reason=TERMINATION[sol.termination.value], detail=sol.detail),
        certificate=pb.Certificate(max_violation=sol.max_violation, kkt_residual=sol.kkt_residual),
        plan=plan_result(sol.levers, roles),
        metrics=metrics(sol.evaluation, roles),
        baseline_metrics=metrics(sol.baseline, roles),
        constraints=[constraint_report(c) for c in sol.constraints],
        relaxations=[
            pb.Relaxation(constraint=r.name, bound=r.bound, relaxed_bound=r.relaxed_bound, amount=r.amount, unit=r.unit)
            for r in sol.relaxations
        ],
        reps=rep_outcomes(sol.evaluation, problem.roster.rep_id),
        stats=pb.SolveStats(iterations=sol.iterations, starts=sol.starts, elapsed=duration(sol.elapsed_s)),
    )


def distribution(s: Summary) -> pb.Distribution:
    return pb.Distribution(mean=s.mean, p10=s.p10, p50=s.p50, p90=s.p90, sd=s.sd)


def monte_carlo(mc: MonteCarlo) -> pb.MonteCarloResult:
    return pb.MonteCarloResult(
        draws=mc.draws,
        seed=mc.seed,
        mean_attainment=distribution(mc.mean_attainment),
        total_pay_usd=distribution(mc.total_pay_usd),
        revenue_usd=distribution(mc.revenue_usd),
        cost_of_sales=distribution(mc.cost_of_sales),
        prob_cost_of_sales_above_cap=mc.prob_cost_of_sales_above_cap,
        mean_attainment_stderr95=mc.mean_attainment_stderr95,
        rep_pay_usd=[distribution(s) for s in mc.rep_pay_usd],
        attainment_histogram=[int(c) for c in mc.attainment_histogram],
    )


def equity_audit(a: Audit) -> pb.EquityAudit:
    return pb.EquityAudit(
        reference_group=a.reference_group,
        max_gap=a.max_gap,
        gaps=[
            pb.EquityGap(
                group=g.group,
                reps=g.reps,
                raw_pay_gap=g.raw_pay_gap,
                adjusted_pay_gap=g.adjusted_pay_gap,
                adjusted_pay_gap_se=g.adjusted_pay_gap_se,
                raw_attainment_gap=g.raw_attainment_gap,
                adjusted_attainment_gap=g.adjusted_attainment_gap,
                flagged=g.flagged,
            )
            for g in a.gaps
        ],
    )


_BUDGET_KIND = {"max_cost_of_sales": "cost_of_sales", "max_attrition": "attrition", "max_equity_gap": "equity_gap"}


def frontier_point(sol: Solution, problem: PlanProblem, budget: float, field_name: str) -> pb.FrontierPoint:
    """One solved frontier point; the budget's shadow price sums every constraint it bounds
    (one per role x group for the equity gap)."""
    kind = _BUDGET_KIND[field_name]
    # d objective / d budget: a "<=" bound moves with the budget, a ">=" bound (-budget) against it.
    shadow = sum(
        (c.shadow_price if c.sense == "<=" else -c.shadow_price)
        for c in sol.constraints
        if c.kind == kind and np.isfinite(c.shadow_price)
    )
    return pb.FrontierPoint(
        budget=budget,
        termination=pb.Termination(reason=TERMINATION[sol.termination.value], detail=sol.detail),
        metrics=metrics(sol.evaluation, problem.template.roles),
        plan=plan_result(sol.levers, problem.template.roles),
        shadow_price=float(shadow),
        certificate=pb.Certificate(max_violation=sol.max_violation, kkt_residual=sol.kkt_residual),
    )


def lever_values(plan: pb.PlanTemplate, base: PlanProblem) -> np.ndarray:
    """A plan's lever values in the base template's role order (validated to cover its roles)."""
    given = template(plan, use_bounds=False)
    levers = base.template.value.copy()
    for i, role in enumerate(given.roles):
        levers[base.template.roles.index(role)] = given.value[i]
    return levers
