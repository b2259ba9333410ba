"""``planopt``: the planner CLI (thin: talks to a running server).

planopt optimize --demo [--seed-targets] [--format table|json] [--target host:port]
planopt evaluate --demo [--format table|json] [--target host:port]
"""

from __future__ import annotations

import argparse
import sys

from google.protobuf import json_format
from planopt.client import demo
from planopt.client.client import PlanClient, PlanError
from planopt.client.report import format_report
from planopt.client.requests import build_options, demo_evaluate_request, demo_request
from planopt.client.results import optimize_result


def _current_plan() -> dict[str, dict[str, float]]:
    return {demo.ROLE: dict(demo.CURRENT_PLAN)}


def _optimize(args: argparse.Namespace, client: PlanClient) -> int:
    options = build_options(time_limit_s=args.time_limit, seed=args.seed, num_starts=args.starts)
    request = demo_request(options, seed_targets=args.seed_targets)
    response = client.optimize_plan_raw(request, timeout=args.timeout)
    if args.format == "json":
        print(json_format.MessageToJson(response))
    else:
        title = "OptimizePlan: seed-000 demo team (45 AEs)"
        if args.seed_targets:
            title += ", the seed's own targets"
        print(format_report(optimize_result(response), _current_plan(), title=title))
    return 0


def _evaluate(args: argparse.Namespace, client: PlanClient) -> int:
    request = demo_evaluate_request()
    response = client.evaluate_plan_raw(request, timeout=args.timeout)
    if args.format == "json":
        print(json_format.MessageToJson(response))
        return 0
    m = response.metrics
    print("== EvaluatePlan: seed-000 demo team, current plan ==")
    for label, value in (
        ("mean attainment", f"{100 * m.mean_attainment:.1f}%"),
        (
            "top / bottom quartile",
            f"{100 * m.top_quartile_attainment:.1f}% / {100 * m.bottom_quartile_attainment:.1f}%",
        ),
        ("cost of sales", f"{100 * m.cost_of_sales:.2f}%"),
        ("attrition", f"{100 * m.attrition:.1f}%"),
        ("revenue", f"${m.revenue_usd / 1e6:,.2f}M"),
        ("total pay", f"${m.total_pay_usd / 1e6:,.2f}M"),
    ):
        print(f"  {label:<24} {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="planopt", description="planopt planner CLI")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("optimize", "evaluate"):
        p = sub.add_parser(name)
        p.add_argument("--demo", action="store_true", required=True, help="use the embedded seed-000 team")
        p.add_argument("--target", default="127.0.0.1:50051", help="server host:port")
        p.add_argument("--format", choices=("table", "json"), default="table")
        p.add_argument("--timeout", type=float, default=120.0, help="call deadline, seconds")
        if name == "optimize":
            p.add_argument(
                "--seed-targets",
                action="store_true",
                help="constrain to the seed's own targets (CoS 12%%, attrition 15%%)",
            )
            p.add_argument("--time-limit", type=float, default=None, help="solver time limit, seconds")
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--starts", type=int, default=0, help="multi-start count (0 = server default)")
    args = parser.parse_args(argv)
    with PlanClient(args.target, timeout=args.timeout) as client:
        try:
            if args.command == "optimize":
                return _optimize(args, client)
            return _evaluate(args, client)
        except PlanError as err:
            print(f"error: {err}", file=sys.stderr)
            for field, description in err.violations:
                print(f"  {field}: {description}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
