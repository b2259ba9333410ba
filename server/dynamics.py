"""SimulateDynamics: validation, conversion, the comparison and the grid search."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from planopt.server.validation import InvalidRequest, _Collector
from planopt.solvers import dynamics as dyn
from planopt.v1 import planopt_pb2 as pb

PERIODS = (1, 2, 3, 4, 6, 12)
MAX_PLANS = 8
MAX_GRID = 25


def _plan_spec(p: dyn.DynamicPlan, name: str) -> pb.DynamicPlanSpec:
    return pb.DynamicPlanSpec(
        name=name,
        period_months=p.period_months,
        bonus_usd=p.bonus_usd,
        commission_usd=p.commission_usd,
        ceiling=p.ceiling,
        ratchet=p.ratchet,
    )


def _check_plan(v: _Collector, path: str, p: pb.DynamicPlanSpec) -> None:
    if p.period_months not in (0, *PERIODS):
        v.add(f"{path}.period_months", f"must be one of {PERIODS} (0 = 3), got {p.period_months}")
    v.number(f"{path}.bonus_usd", p.bonus_usd, 0.0, 1e7)
    v.number(f"{path}.commission_usd", p.commission_usd, 0.0, 1e8)
    if v.number(f"{path}.ceiling", p.ceiling, 0.0, 10.0) and 0 < p.ceiling < 1:
        v.add(f"{path}.ceiling", f"must be 0 (none) or in [1, 10], got {p.ceiling!r}")
    v.number(f"{path}.ratchet", p.ratchet, 0.0, 1.0)


def parse(req: pb.SimulateDynamicsRequest) -> tuple[list[tuple[str, dyn.DynamicPlan]], dyn.RepModel, dyn.Grids]:
    v = _Collector()
    if len(req.plans) > MAX_PLANS:
        v.add("plans", f"{len(req.plans)} plans; at most {MAX_PLANS}")
    for i, p in enumerate(req.plans[:MAX_PLANS]):
        _check_plan(v, f"plans[{i}]", p)
    r = req.rep
    ranges = {
        "baseline": (-1.0, 1.0, False),
        "productivity": (0.0, 1.0, True),
        "noise": (0.0, 1.0, False),
        "effort_cost_usd": (0.0, 1e8, True),
    }
    for name, (lo, hi, open_lo) in ranges.items():
        if r.HasField(name):
            v.number(f"rep.{name}", getattr(r, name), lo, hi, open_lo)
    if req.HasField("discount") and v.number("discount", req.discount, 0.0, 1.0, open_lo=True) and req.discount >= 1:
        v.add("discount", "must be below 1 for the stationary problem")
    if not 0 <= req.years <= 10:
        v.add("years", f"must be in [0, 10], got {req.years}")
    if req.simulated_reps and not 100 <= req.simulated_reps <= 100_000:
        v.add("simulated_reps", f"must be in [100, 100000] (0 = 4000), got {req.simulated_reps}")
    for name in ("annual_quota_usd", "gross_margin"):
        if req.HasField(name):
            v.number(name, getattr(req, name), 0.0, 1e10 if name == "annual_quota_usd" else 1.0, open_lo=True)
    for name in ("optimise_bonus_usd", "optimise_commission_usd"):
        for i, x in enumerate(getattr(req, name)):
            v.number(f"{name}[{i}]", x, 0.0, 1e8)
    grid = max(len(req.optimise_bonus_usd), 1) * max(len(req.optimise_commission_usd), 1)
    if (len(req.optimise_bonus_usd) or len(req.optimise_commission_usd)) and grid > MAX_GRID:
        v.add("optimise_bonus_usd", f"the grid has {grid} plans; at most {MAX_GRID}")
    if v.items:
        raise InvalidRequest(v.items)
    if req.plans:
        plans = [
            (
                p.name or f"plan {i + 1}",
                dyn.DynamicPlan(p.period_months or 3, p.bonus_usd, p.commission_usd, p.ceiling, p.ratchet),
            )
            for i, p in enumerate(req.plans)
        ]
    else:
        plans = list(dyn.variants(dyn.DynamicPlan()).items())
    default = dyn.RepModel()
    rep = dyn.RepModel(
        *(
            getattr(r, f) if r.HasField(f) else getattr(default, f)
            for f in ("baseline", "productivity", "noise", "effort_cost_usd")
        )
    )
    grids = dyn.Grids(discount=req.discount if req.HasField("discount") else 0.99, years=req.years)
    return plans, rep, grids


def run(req: pb.SimulateDynamicsRequest, check: Callable[[], None]) -> pb.SimulateDynamicsResponse:
    """``check`` raises when the caller has gone or the deadline passed (called between solves)."""
    plans, rep, grids = parse(req)
    reps = req.simulated_reps or 4000
    quota_usd = req.annual_quota_usd if req.HasField("annual_quota_usd") else 1.2e6
    margin = req.gross_margin if req.HasField("gross_margin") else 0.7

    def outcome(name: str, plan: dyn.DynamicPlan) -> pb.DynamicOutcome:
        def stop() -> bool:
            check()  # raises the abort itself
            return False

        stop()
        sol = dyn.solve(plan, rep, grids, should_stop=stop)
        sim = dyn.simulate(plan, rep, sol, reps=reps, seed=int(req.seed))
        last = plan.period_months - 1
        return pb.DynamicOutcome(
            name=name,
            plan=_plan_spec(plan, name),
            effort_by_month=sim.effort_by_month.tolist(),
            sales_by_month=sim.sales_by_month.tolist(),
            expected_sales=sim.revenue,
            incentive_pay_usd=sim.pay,
            effort_cost_usd=sim.effort_cost,
            firm_profit_usd=margin * sim.revenue * quota_usd - sim.pay,
            give_up_effort=sim.give_up_effort,
            on_track_effort=sim.on_track_effort,
            near_quota_effort=sim.near_quota_effort,
            effort_at_grid_max=sim.at_effort_max,
            quota_end=sim.quota_end,
            sweeps=sol.sweeps,
            bellman_residual=sol.bellman_residual,
            policy_value_gap=sol.policy_value_gap,
            policy_stable=sol.policy_stable,
            policy_sales=sol.sales_grid.tolist(),
            policy_effort=sol.policy[
                last, :, int(np.argmin(np.abs(sol.quota_grid - plan.period_months / 12)))
            ].tolist(),
        )

    t0 = time.monotonic()
    out = pb.SimulateDynamicsResponse()
    for name, plan in plans:
        out.outcomes.append(outcome(name, plan))
    if len(req.optimise_bonus_usd) or len(req.optimise_commission_usd):
        name0, base = plans[0]
        best = None
        for bonus in req.optimise_bonus_usd or [base.bonus_usd]:
            for commission in req.optimise_commission_usd or [base.commission_usd]:
                cand = outcome(
                    f"{name0}: bonus {bonus:g}, commission {commission:g}",
                    replace(base, bonus_usd=bonus, commission_usd=commission),
                )
                if best is None or cand.firm_profit_usd > best.firm_profit_usd:
                    best = cand
        assert best is not None
        out.best.CopyFrom(best)
    stable = all(o.policy_stable for o in out.outcomes)
    out.termination.CopyFrom(
        pb.Termination(
            reason=pb.Termination.OPTIMAL if stable else pb.Termination.NUMERICAL_ERROR,
            detail=f"{len(out.outcomes)} plan(s) solved by dynamic programming in {time.monotonic() - t0:.1f} s"
            + ("" if stable else "; a policy failed the policy-iteration check"),
        )
    )
    return out
