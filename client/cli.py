"""``planopt``: the planner CLI (thin: talks to a running server).

planopt optimize   (--demo | --roster FILE.csv) [--seed-targets] [--format table|json]
                   [--cvar-cos MAX [--cvar-level 0.9] [--shock SD]] [--max-adjusted-gap F]
planopt evaluate   (--demo | --roster FILE.csv) [--draws N --mc-seed S --shock SD] [--plot PNG]
planopt frontier   (--demo | --roster FILE.csv) --budget cost_of_sales|equity_gap|attrition
                   (--values a,b,c | --from A --to B --points K) [--plot PNG]
planopt audit      (--demo | --roster FILE.csv) [--max-gap 0.05]
planopt compare    (--demo | --roster FILE.csv) [--draws 2000]   (current vs optimised)
planopt sensitivity (--demo | --roster FILE.csv) [--inputs a,b] [--fraction 0.1] [--plot PNG]
planopt quotas     (--demo | --csv TERRITORIES.csv --company-target USD) [--max-increase F]
                   [--max-decrease F] [--min-ratio F --max-ratio F] [--over-assignment F]
                   [--objective min_max|weighted]
planopt territories (--demo | --accounts ACCOUNTS.csv --reps REPS.csv) [--objective
                   weighted|epsilon|seed_score] [--workload-band F] [--potential-band F]
                   [--max-disruption F] [--frontier K [--exact-frontier]]
                   [--remove-rep ID ...] [--add-rep ID:X:Y ...] [--plot MAP.png]
planopt tiers      (--demo | --csv PRICES.csv | --request F.json) [--quantile-tiers 4 | --cuts a,b]
                   [--rates 0,5,10,15] [--after AFTER.csv] [--optimise [--levels ..] [--max-tiers K]
                   [--max-cost X] [--cost-basis X]] [--plot PNG]
planopt dynamics   (--demo | --request F.json) [--years N] [--bonus-grid a,b --commission-grid c,d]
                   [--plot PNG]

Common: --target host:port, --token, --tls-ca, --timeout, --json-out FILE (the response in
protobuf's canonical JSON). A CSV roster gets the demo plan, market and constraints per role.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from google.protobuf import json_format
from planopt.client.client import PlanClient, PlanError
from planopt.client.report import format_report
from planopt.client.requests import (
    LEVERS,
    build_options,
    csv_request,
    demo_request,
    evaluate_request_from,
)
from planopt.client.results import evaluate_result, frontier_point, optimize_result
from planopt.v1 import planopt_pb2 as pb

BUDGETS = {
    "cost_of_sales": pb.SweepFrontierRequest.COST_OF_SALES,
    "equity_gap": pb.SweepFrontierRequest.EQUITY_GAP,
    "attrition": pb.SweepFrontierRequest.ATTRITION,
}


def _base_request(args: argparse.Namespace, options: pb.SolveOptions | None = None) -> pb.OptimizePlanRequest:
    if args.roster:
        request = csv_request(args.roster)
        if options is not None:
            request.options.CopyFrom(options)
        return request
    return demo_request(options, seed_targets=getattr(args, "seed_targets", False))


def _current_plan(request: pb.OptimizePlanRequest) -> dict[str, dict[str, float]]:
    return {rp.role: {name: getattr(rp, name).value for name in LEVERS} for rp in request.plan.roles}


def _write_json(args: argparse.Namespace, message: Any) -> None:
    text = json_format.MessageToJson(message)
    if args.json_out:
        with open(args.json_out, "w") as fh:
            fh.write(text + "\n")
    if args.format == "json":
        print(text)


def _title(args: argparse.Namespace, what: str) -> str:
    return f"{what}: " + (f"roster {args.roster}" if args.roster else "seed-000 demo team (45 AEs)")


def _optimize(args: argparse.Namespace, client: PlanClient) -> int:
    options = build_options(time_limit_s=args.time_limit, seed=args.seed, num_starts=args.starts)
    request = _base_request(args, options)
    if args.cvar_cos is not None:
        risk = request.constraints.cost_of_sales_risk
        risk.max, risk.level, risk.market_shock_sd = args.cvar_cos, args.cvar_level, args.shock
    if args.max_adjusted_gap is not None:
        request.constraints.max_adjusted_equity_gap = args.max_adjusted_gap
    response = client.optimize_plan_raw(request, timeout=args.timeout)
    _write_json(args, response)
    if args.format == "table":
        title = _title(args, "OptimizePlan") + (", the seed's own targets" if args.seed_targets else "")
        print(format_report(optimize_result(response), _current_plan(request), title=title))
    if args.plot:
        from planopt.client import plots

        result = optimize_result(response)
        curves = {}
        for role, lev in _current_plan(request).items():
            curves[f"{role} current"] = lev
            rp = result.plan[role]
            curves[f"{role} optimised"] = {name: getattr(rp, name) for name in LEVERS}
        print(f"wrote {plots.payout_curves(curves, args.plot)}")
    return 0


def _evaluate_response(args: argparse.Namespace, client: PlanClient) -> tuple[pb.EvaluatePlanResponse, Any]:
    request = evaluate_request_from(_base_request(args))
    draws = getattr(args, "draws", 0)
    if draws:
        request.monte_carlo.CopyFrom(pb.MonteCarloOptions(draws=draws, seed=args.mc_seed, market_shock_sd=args.shock))
    if getattr(args, "max_gap", None) is not None:
        request.equity_audit.max_gap = args.max_gap
    response = client.evaluate_plan_raw(request, timeout=args.timeout)
    return response, evaluate_result(response)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _evaluate(args: argparse.Namespace, client: PlanClient) -> int:
    response, result = _evaluate_response(args, client)
    _write_json(args, response)
    if args.format == "table":
        m = result.metrics
        print(f"== {_title(args, 'EvaluatePlan')}, current plan ==")
        for label, value in (
            ("mean attainment", _pct(m.mean_attainment)),
            ("top / bottom quartile", f"{_pct(m.top_quartile_attainment)} / {_pct(m.bottom_quartile_attainment)}"),
            ("cost of sales", f"{100 * m.cost_of_sales:.2f}%"),
            ("attrition", _pct(m.attrition)),
            ("revenue", f"${m.revenue_usd / 1e6:,.2f}M"),
            ("total pay", f"${m.total_pay_usd / 1e6:,.2f}M"),
        ):
            print(f"  {label:<24} {value}")
        mc = result.monte_carlo
        if mc is not None:
            print(f"\n== Monte Carlo: {mc.draws} simulated years, seed {mc.seed}, shock sd {args.shock:g} ==")
            print(f"  {'':<18} {'mean':>10} {'P10':>10} {'P50':>10} {'P90':>10}")
            rows = (
                ("mean attainment", mc.mean_attainment, _pct),
                ("cost of sales", mc.cost_of_sales, lambda v: f"{100 * v:.2f}%"),
                ("total pay ($M)", mc.total_pay_usd, lambda v: f"{v / 1e6:.2f}"),
                ("revenue ($M)", mc.revenue_usd, lambda v: f"{v / 1e6:.2f}"),
            )
            for label, d, fmt in rows:
                print(f"  {label:<18} {fmt(d.mean):>10} {fmt(d.p10):>10} {fmt(d.p50):>10} {fmt(d.p90):>10}")
            print(f"  P(cost of sales > cap) = {mc.prob_cost_of_sales_above_cap:.3f}")
            print(f"  MC error of mean attainment: +/- {100 * mc.mean_attainment_stderr95:.2f} pts (95%)")
    if args.plot and result.monte_carlo is not None:
        from planopt.client import plots

        print(f"wrote {plots.attainment_histogram(result.monte_carlo.attainment_histogram, args.plot)}")
    return 0


def _audit(args: argparse.Namespace, client: PlanClient) -> int:
    response, result = _evaluate_response(args, client)
    _write_json(args, response.equity_audit)
    if args.format == "table":
        a = result.equity_audit
        if a is None:
            print("no equity audit: the roster has fewer than two equity groups")
            return 0
        print(f"== Pay-equity audit: {_title(args, 'current plan')} ==")
        print(f"reference group {a.reference_group!r}; policy limit {_pct(a.max_gap)} (adjusted pay gap)")
        print(
            f"  {'group':<10} {'reps':>5} {'raw pay':>9} {'adj. pay':>9} {'+/- se':>8} {'raw att':>9} {'adj. att':>9}  flag"
        )
        for g in a.gaps:
            print(
                f"  {g.group:<10} {g.reps:>5} {_pct(g.raw_pay_gap):>9} {_pct(g.adjusted_pay_gap):>9} "
                f"{_pct(g.adjusted_pay_gap_se):>8} {100 * g.raw_attainment_gap:>+8.1f}p "
                f"{100 * g.adjusted_attainment_gap:>+8.1f}p  {'OVER LIMIT' if g.flagged else 'ok'}"
            )
        print("adjusted = least-squares gap at equal role and log quota; att in points of quota")
    return 0


def _frontier_values(args: argparse.Namespace) -> list[float]:
    if args.values:
        return [float(x) for x in args.values.split(",") if x.strip()]
    if args.lo is None or args.hi is None:
        raise SystemExit("frontier: give --values a,b,c or --from A --to B [--points K]")
    k = max(args.points, 2)
    return [args.lo + (args.hi - args.lo) * i / (k - 1) for i in range(k)]


def _frontier(args: argparse.Namespace, client: PlanClient) -> int:
    values = _frontier_values(args)
    options = build_options(seed=args.seed, num_starts=args.starts)
    request = pb.SweepFrontierRequest(problem=_base_request(args, options), budget=BUDGETS[args.budget], values=values)
    final = None
    for msg in client.sweep_frontier_raw(request, timeout=args.timeout):
        if msg.done:
            final = msg
        else:
            width = 30
            filled = width * msg.completed // msg.total
            bar = "#" * filled + "-" * (width - filled)
            end = "\n" if msg.completed == msg.total else ""
            print(f"\r[{bar}] {msg.completed}/{msg.total} {args.budget}={msg.point.budget:g}", end=end, file=sys.stderr)
    assert final is not None
    _write_json(args, final)
    points = [frontier_point(p) for p in final.frontier]
    if args.format == "table":
        print(f"== Frontier over {args.budget}: {_title(args, 'best plan per budget')} ==")
        print(f"  {'budget':>8} {'status':<16} {'attain.':>8} {'CoS':>7} {'attrit.':>8} {'shadow':>9}  base / TI")
        for p in points:
            plan = next(iter(p.plan.values()), None)
            levers = f"${plan.base_usd:,.0f} / ${plan.target_incentive_usd:,.0f}" if plan else ""
            print(
                f"  {_pct(p.budget):>8} {p.termination:<16} {_pct(p.metrics.mean_attainment):>8} "
                f"{100 * p.metrics.cost_of_sales:>6.2f}% {_pct(p.metrics.attrition):>8} {p.shadow_price:>9.3f}  {levers}"
            )
        print("shadow = d objective / d budget (objective units per unit of budget)")
    if args.plot:
        from planopt.client import plots

        objs = [p.metrics.objective if p.termination != "INFEASIBLE" else None for p in points]
        print(f"wrote {plots.frontier([p.budget for p in points], objs, args.plot, f'{args.budget} budget (%)')}")
    return 0


def _compare(args: argparse.Namespace, client: PlanClient) -> int:
    base = _base_request(args, build_options(seed=args.seed, num_starts=args.starts))
    request = pb.CompareScenariosRequest(
        base=base, monte_carlo=pb.MonteCarloOptions(draws=args.draws, seed=args.mc_seed)
    )
    response = client.compare_scenarios_raw(request, timeout=args.timeout)
    _write_json(args, response)
    if args.format == "table":
        print(f"== {_title(args, 'CompareScenarios')} (same {args.draws} draws for every scenario) ==")
        print(
            f"  {'scenario':<12} {'attain.':>8} {'d attain.':>10} {'paired P10..P90':>18} {'CoS':>7} {'attrit.':>8}  violates"
        )
        for sc in response.scenarios:
            m, d = sc.metrics, sc.paired_delta_mean_attainment
            band = f"{100 * d.p10:+.1f}..{100 * d.p90:+.1f}p" if sc.HasField("monte_carlo") else ""
            print(
                f"  {sc.name:<12} {_pct(m.mean_attainment):>8} {100 * sc.delta_mean_attainment:>+9.1f}p {band:>18} "
                f"{100 * m.cost_of_sales:>6.2f}% {_pct(m.attrition):>8}  {', '.join(sc.violated) or '-'}"
            )
    return 0


def _sensitivity(args: argparse.Namespace, client: PlanClient) -> int:
    enum = pb.SensitivityRequest.Input
    inputs = [enum.Value(x.strip().upper()) for x in args.inputs.split(",") if x.strip()] if args.inputs else []
    request = pb.SensitivityRequest(
        problem=_base_request(args, build_options(seed=args.seed, num_starts=args.starts)),
        inputs=inputs,
        tornado_fraction=args.fraction,
    )
    response = client.sensitivity_raw(request, timeout=args.timeout)
    _write_json(args, response)
    x = response.tornado_fraction
    if args.format == "table":
        print(f"== {_title(args, 'Sensitivity of the optimal objective')} ==")
        print(f"optimum: {_pct(response.objective)} ({pb.Termination.Reason.Name(response.termination.reason)})")
        print(
            f"  {'input':<20} {'pts/+1%':>9} {f'-{100 * x:g}% re-opt':>12} {f'+{100 * x:g}% re-opt':>12} {'linear -/+':>16}"
        )
        for row in response.inputs:
            print(
                f"  {enum.Name(row.input).lower():<20} {row.derivative:>+9.4f} {_pct(row.objective_low):>12} "
                f"{_pct(row.objective_high):>12} {_pct(row.predicted_low):>7} / {_pct(row.predicted_high):>6}"
            )
        print("pts/+1% = points of the objective per +1% of the input (envelope theorem, exact locally)")
    if args.plot and response.inputs:
        from planopt.client import plots

        names = [enum.Name(r.input).lower() for r in response.inputs]
        low = [r.objective_low for r in response.inputs]
        high = [r.objective_high for r in response.inputs]
        print(f"wrote {plots.tornado(names, low, high, response.objective, args.plot, x)}")
    return 0


def _quotas(args: argparse.Namespace, client: PlanClient) -> int:
    from planopt.client import coverage
    from planopt.client.requests import read_csv

    if args.request:
        request = _read_request(args.request, pb.AllocateQuotasRequest())
        title = args.request
    else:
        if args.demo:
            columns = coverage.demo_quotas()
            target = args.company_target or 1.08 * sum(columns["last_year_quota_usd"])
            source = "45 demo territories (seed 000 team), target +8% on last year"
        else:
            if args.company_target is None:
                raise ValueError("quotas --csv needs --company-target USD")
            columns = read_csv(args.csv, coverage.QUOTA_NUMERIC)
            target, source = args.company_target, args.csv
        request = coverage.quotas_request(
            columns,
            target,
            over_assignment=args.over_assignment,
            max_increase=args.max_increase,
            max_decrease=args.max_decrease,
            min_quota_to_potential=args.min_ratio,
            max_quota_to_potential=args.max_ratio,
            objective=args.objective,
        )
        title = f"{source}, company target ${target:,.0f}"
    response = client.allocate_quotas_raw(request, timeout=args.timeout)
    _write_json(args, response)
    if args.format == "table":
        print(f"== AllocateQuotas: {title} ==")
        print(coverage.quota_table(response))
    return 0


def _territories(args: argparse.Namespace, client: PlanClient) -> int:
    from planopt.client import coverage
    from planopt.client.requests import read_csv

    if args.request:
        request = _read_request(args.request, pb.DesignTerritoriesRequest())
        accounts, reps, title = {}, {}, args.request
    elif args.demo:
        accounts, reps = coverage.demo_territories()
        title = "demo: 240 accounts, 8 reps, a drifted current assignment"
    else:
        if not (args.accounts and args.reps):
            raise ValueError("territories needs --demo or both --accounts and --reps")
        accounts = read_csv(args.accounts, coverage.ACCOUNT_NUMERIC)
        reps = read_csv(args.reps, coverage.REP_NUMERIC)
        title = f"{args.accounts} / {args.reps}"
    if not args.request:
        request = coverage.territories_request(
            accounts,
            reps,
            workload_band=args.workload_band,
            potential_band=args.potential_band,
            objective=args.objective,
            max_disruption=args.max_disruption,
            frontier_points=args.frontier,
        )
    request.exact_frontier = request.exact_frontier or args.exact_frontier
    if args.time_limit is not None:
        request.time_limit_seconds = args.time_limit
    if args.remove_rep or args.add_rep:
        sc = request.scenarios.add(name="what-if")
        sc.remove_rep_ids.extend(args.remove_rep or [])
        for spec in args.add_rep or []:
            rid, x, y = spec.split(":")
            sc.add_reps.rep_id.append(rid)
            sc.add_reps.home_x.append(float(x))
            sc.add_reps.home_y.append(float(y))
    response = client.design_territories_raw(request, timeout=args.timeout)
    _write_json(args, response)
    if args.format == "table":
        print(f"== DesignTerritories: {title} ==")
        print(coverage.territory_table(response))
    if args.plot and response.design.assigned_rep and len(request.accounts.x) and len(request.reps.home_x):
        from planopt.client import plots

        a = request.accounts
        homes = dict(zip(request.reps.rep_id, zip(request.reps.home_x, request.reps.home_y, strict=True), strict=True))
        path = plots.territory_map(list(a.x), list(a.y), list(response.design.assigned_rep), homes, args.plot)
        print(f"wrote {path}")
    return 0


def _floats(text: str | None) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()] if text else []


def _distribution(path: str, msg: pb.PriceDistribution, step: float) -> None:
    from planopt.client.requests import read_csv

    cols = read_csv(path, ("price", "density", "deal_price"))
    if "deal_price" in cols:
        msg.deal_price.extend(cols["deal_price"])
        msg.grid_step = step
    else:
        msg.price.extend(cols["price"])
        msg.density.extend(cols["density"])


def _tiers(args: argparse.Namespace, client: PlanClient) -> int:
    from planopt.client import coverage

    if args.request:
        request = _read_request(args.request, pb.DesignPriceTiersRequest())
    else:
        request = pb.DesignPriceTiersRequest(optimise=args.optimise, max_tiers=args.max_tiers)
        if args.demo:
            price, dens = coverage.seed_price_distribution()
            request.distribution.price.extend(price)
            request.distribution.density.extend(dens)
        else:
            _distribution(args.csv, request.distribution, args.grid_step)
        if args.after:
            _distribution(args.after, request.after, args.grid_step)
        if args.cuts:
            request.tiers.cut_price.extend(_floats(args.cuts))
        else:
            request.tiers.quantile_tiers = args.quantile_tiers
        request.tiers.incentive_ppt.extend(_floats(args.rates))
        request.incentive_levels_ppt.extend(_floats(args.levels))
        for name in ("share_per_ppt", "decay"):
            if getattr(args, name) is not None:
                setattr(request.response, name, getattr(args, name))
        if args.max_cost is not None:
            request.max_incentive_cost = args.max_cost
        if args.cost_basis is not None:
            request.incentive_cost_basis = args.cost_basis
        request.unit_cost = args.unit_cost
    response = client.design_price_tiers_raw(request, timeout=args.timeout)
    _write_json(args, response)
    if args.format == "table":
        print("== DesignPriceTiers: " + ("seed 004 example" if args.demo else (args.csv or args.request)) + " ==")
        print(coverage.tiers_table(response))
    if args.plot:
        from planopt.client import plots

        shifted = {
            name: list(getattr(response, name).shifted_density)
            for name in ("evaluated", "optimised")
            if response.HasField(name)
        }
        print(f"wrote {plots.price_distribution(list(response.price), list(response.density), shifted, args.plot)}")
    return 0


def _dynamics(args: argparse.Namespace, client: PlanClient) -> int:
    if args.request:
        request = _read_request(args.request, pb.SimulateDynamicsRequest())
    else:
        request = pb.SimulateDynamicsRequest(years=args.years, seed=args.seed)
        request.optimise_bonus_usd.extend(_floats(args.bonus_grid))
        request.optimise_commission_usd.extend(_floats(args.commission_grid))
    response = client.simulate_dynamics_raw(request, timeout=args.timeout)
    _write_json(args, response)
    if args.format == "table":
        print(f"== SimulateDynamics: {args.request or 'seed 001 plan variants'} ==")
        print(f"termination: {pb.Termination.Reason.Name(response.termination.reason)} — {response.termination.detail}")
        print(
            f"  {'plan':<26} {'sales':>6} {'pay $':>9} {'profit $':>10} {'give-up':>8} {'on-track':>8}  effort by month"
        )
        rows = list(response.outcomes) + ([response.best] if response.HasField("best") else [])
        for o in rows:
            profile = " ".join(f"{e:.2f}" for e in o.effort_by_month)
            print(
                f"  {o.name[:26]:<26} {o.expected_sales:>6.3f} {o.incentive_pay_usd:>9,.0f} {o.firm_profit_usd:>10,.0f} "
                f"{o.give_up_effort:>8.3f} {o.near_quota_effort:>8.3f}  {profile}"
            )
        print(
            "sales in annual-quota units; give-up / near-q = last-month effort below a third of quota / within a third"
        )
    if args.plot:
        from planopt.client import plots

        curves = {o.name: list(o.effort_by_month) for o in response.outcomes}
        policies = {o.name: (list(o.policy_sales), list(o.policy_effort)) for o in response.outcomes}
        print(f"wrote {plots.effort_profiles(curves, args.plot, policies)}")
    return 0


def _read_request(path: str, message: Any) -> Any:
    """A request in protobuf's canonical JSON (e.g. one written by --json-out of a request)."""
    with open(path) as fh:
        return json_format.Parse(fh.read(), message)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", default="127.0.0.1:50051", help="server host:port")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--json-out", help="also write the response as JSON to this file")
    p.add_argument("--timeout", type=float, default=300.0, help="call deadline, seconds")
    p.add_argument("--token", help="bearer token")
    p.add_argument("--tls-ca", help="PEM CA: use TLS")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="planopt", description="planopt planner CLI")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("optimize", "evaluate", "frontier", "audit", "compare", "sensitivity"):
        p = sub.add_parser(name)
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("--demo", action="store_true", help="use the embedded seed-000 team")
        src.add_argument("--roster", help="CSV roster (rep_id, role, numeric columns, equity_group)")
        _add_common(p)
        if name in ("optimize", "frontier", "compare", "sensitivity"):
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--starts", type=int, default=0, help="multi-start count (0 = server default)")
        if name in ("optimize", "evaluate", "frontier", "sensitivity"):
            p.add_argument("--plot", help="write a PNG (needs planopt[plots])")
        if name == "optimize":
            p.add_argument(
                "--seed-targets",
                action="store_true",
                help="constrain to the seed's own targets (CoS 12%%, attrition 15%%)",
            )
            p.add_argument("--time-limit", type=float, default=None, help="solver time limit, seconds")
            p.add_argument("--cvar-cos", type=float, help="CVaR of simulated cost of sales <= this (fraction)")
            p.add_argument("--cvar-level", type=float, default=0.9, help="CVaR tail level")
            p.add_argument("--shock", type=float, default=0.0, help="market shock sd in the CVaR simulation")
            p.add_argument("--max-adjusted-gap", type=float, help="regression-adjusted equity pay gap limit")
        if name == "sensitivity":
            p.add_argument("--inputs", help="comma list, e.g. noise_sd,market_ote (default: all)")
            p.add_argument("--fraction", type=float, default=0.1, help="tornado half-width (fraction)")
        if name == "compare":
            p.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws shared by the scenarios")
            p.add_argument("--mc-seed", type=int, default=0)
        if name == "evaluate":
            p.add_argument("--draws", type=int, default=0, help="Monte Carlo draws (0 = expected values only)")
            p.add_argument("--mc-seed", type=int, default=0)
            p.add_argument("--shock", type=float, default=0.0, help="sd of a market shock shared by all reps")
        if name == "frontier":
            p.add_argument("--budget", choices=sorted(BUDGETS), default="cost_of_sales")
            p.add_argument("--values", help="comma-separated budget values (fractions)")
            p.add_argument("--from", dest="lo", type=float)
            p.add_argument("--to", dest="hi", type=float)
            p.add_argument("--points", type=int, default=7)
        if name == "audit":
            p.add_argument("--max-gap", type=float, default=None, help="flag adjusted gaps above this fraction")
    p = sub.add_parser("quotas", help="split a company target across territories (LP)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demo", action="store_true", help="45 demo territories")
    src.add_argument("--request", help="an AllocateQuotasRequest in protobuf JSON")
    src.add_argument(
        "--csv",
        help="territory_id, potential_usd[, account_count, last_year_sales_usd, "
        "last_year_quota_usd, expected_sales_usd]",
    )
    p.add_argument("--company-target", type=float, help="USD (demo default: last year's total +8%%)")
    p.add_argument("--over-assignment", type=float, default=0.0)
    p.add_argument("--max-increase", type=float, help="vs last year's quota (fraction)")
    p.add_argument("--max-decrease", type=float, help="vs last year's quota (fraction)")
    p.add_argument("--min-ratio", type=float, help="min quota / potential")
    p.add_argument("--max-ratio", type=float, help="max quota / potential")
    p.add_argument("--objective", choices=("min_max", "weighted"), default="min_max")
    _add_common(p)
    p = sub.add_parser("territories", help="assign accounts to reps (MILP)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demo", action="store_true", help="240 demo accounts, 8 reps")
    src.add_argument("--request", help="a DesignTerritoriesRequest in protobuf JSON")
    src.add_argument(
        "--accounts", help="account_id, potential_usd, workload[, x, y, current_rep, locked_rep, relationship]"
    )
    p.add_argument("--reps", help="rep_id[, home_x, home_y, capacity]")
    p.add_argument("--objective", choices=("weighted", "epsilon", "seed_score"), default="weighted")
    p.add_argument("--workload-band", type=float, default=0.15)
    p.add_argument("--potential-band", type=float, default=None)
    p.add_argument("--max-disruption", type=float, default=None, help="epsilon: moved workload share")
    p.add_argument("--frontier", type=int, default=0, help="trace the travel/disruption frontier (points)")
    p.add_argument("--exact-frontier", action="store_true", help="every non-dominated point (up to --frontier)")
    p.add_argument("--time-limit", type=float, default=None, help="per MILP, seconds")
    p.add_argument("--remove-rep", action="append", help="what-if: this rep leaves (repeatable)")
    p.add_argument("--add-rep", action="append", help="what-if: ID:X:Y joins (repeatable)")
    p.add_argument("--plot", help="write a PNG map of the design (needs planopt[plots] and coordinates)")
    _add_common(p)
    p = sub.add_parser("tiers", help="price-tier incentives (seed 004)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demo", action="store_true", help="seed 004's example ($100-150, quartile tiers)")
    src.add_argument("--csv", help="price,density columns, or a deal_price column")
    src.add_argument("--request", help="a DesignPriceTiersRequest in protobuf JSON")
    p.add_argument("--grid-step", type=float, default=1.0, help="bin width for deal_price")
    p.add_argument("--quantile-tiers", type=int, default=4)
    p.add_argument("--cuts", help="cut prices a,b,c (instead of quantile tiers)")
    p.add_argument("--rates", default="0,5,10,15", help="ppt per tier")
    p.add_argument("--share-per-ppt", dest="share_per_ppt", type=float)
    p.add_argument("--decay", type=float)
    p.add_argument("--after", help="CSV of the distribution observed after the tiers: fit the response")
    p.add_argument("--optimise", action="store_true", help="exact search for the best tiers")
    p.add_argument("--levels", help="candidate rates, ppt (default 0,5,10,15,20)")
    p.add_argument("--max-tiers", type=int, default=4)
    p.add_argument("--max-cost", type=float, help="expected incentive cost per deal <= this")
    p.add_argument("--cost-basis", type=float, help="rates are ppt of this amount per deal (default: price)")
    p.add_argument("--unit-cost", type=float, default=0.0)
    p.add_argument("--plot", help="PNG of the distribution before/after (needs planopt[plots])")
    _add_common(p)
    p = sub.add_parser("dynamics", help="multi-period plans with ratcheting (seed 001)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demo", action="store_true", help="seed 001's plan variants")
    src.add_argument("--request", help="a SimulateDynamicsRequest in protobuf JSON")
    p.add_argument("--years", type=int, default=0, help="finite horizon in years (0 = stationary)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--bonus-grid", help="grid search the first plan's bonus, e.g. 5000,10000,20000")
    p.add_argument("--commission-grid", help="grid search the first plan's commission")
    p.add_argument("--plot", help="PNG of effort by month per plan (needs planopt[plots])")
    _add_common(p)
    args = parser.parse_args(argv)
    handlers = {
        "dynamics": _dynamics,
        "tiers": _tiers,
        "quotas": _quotas,
        "territories": _territories,
        "optimize": _optimize,
        "evaluate": _evaluate,
        "frontier": _frontier,
        "audit": _audit,
        "compare": _compare,
        "sensitivity": _sensitivity,
    }
    with PlanClient(args.target, timeout=args.timeout, token=args.token, tls_ca=args.tls_ca) as client:
        try:
            return handlers[args.command](args, client)
        except PlanError as err:
            print(f"error: {err}", file=sys.stderr)
            for field, description in err.violations:
                print(f"  {field}: {description}", file=sys.stderr)
            return 2
        except (OSError, ValueError, RuntimeError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
