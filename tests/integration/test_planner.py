"""Planner features through the real server: Monte Carlo EvaluatePlan, the equity audit, and the
streamed SweepFrontier.

Golden values: the server's own analytic expectations are the independent reference for the MC
means (closed-form moments vs sampling, standard-error bound); the frontier is checked against
separate OptimizePlan calls and against the finite difference of its own objective (shadow
price); monotonicity follows from nested feasible sets with warm starts.
"""

import itertools
import math

import numpy as np
import pytest
from planopt.client import PlanError, demo
from planopt.client.requests import build_options, demo_evaluate_request, demo_request, evaluate_request_from
from planopt.client.results import evaluate_result
from planopt.v1 import planopt_pb2 as pb


def mc_request(draws, seed, shock=0.0):
    req = demo_evaluate_request()
    req.monte_carlo.CopyFrom(pb.MonteCarloOptions(draws=draws, seed=seed, market_shock_sd=shock))
    return req


def test_monte_carlo_through_the_rpc_is_seeded_and_unbiased(client):
    a = client.evaluate_plan_raw(mc_request(10_000, 7))
    b = client.evaluate_plan_raw(mc_request(10_000, 7))
    assert a.monte_carlo == b.monte_carlo  # same seed -> identical numbers
    mc = a.monte_carlo
    assert mc.draws == 10_000 and len(mc.rep_pay_usd) == 45
    se = mc.mean_attainment_stderr95 / 1.96
    assert abs(mc.mean_attainment.mean - a.metrics.mean_attainment) <= 4 * se
    assert mc.mean_attainment.p10 <= mc.mean_attainment.p50 <= mc.mean_attainment.p90
    assert 0.0 <= mc.prob_cost_of_sales_above_cap <= 1.0
    assert sum(mc.attainment_histogram) == 10_000 * 45
    c = client.evaluate_plan_raw(mc_request(10_000, 8))
    assert c.monte_carlo.mean_attainment.mean != mc.mean_attainment.mean


def test_bad_monte_carlo_options_are_invalid_argument(client):
    from planopt.client import PlanError

    with pytest.raises(PlanError) as info:
        client.evaluate_plan_raw(mc_request(10_000_000, 0))
    assert info.value.violations[0][0] == "monte_carlo.draws"
    with pytest.raises(PlanError) as info:
        client.evaluate_plan_raw(mc_request(100, 0, shock=math.nan))
    assert info.value.violations[0][0] == "monte_carlo.market_shock_sd"


def test_equity_audit_detects_a_planted_gap(client):
    base = demo_evaluate_request()
    plain = evaluate_result(client.evaluate_plan_raw(base))
    assert plain.equity_audit is not None and len(plain.equity_audit.gaps) == 1
    planted = pb.EvaluatePlanRequest()
    planted.CopyFrom(base)
    groups = list(planted.roster.equity_group)
    for i, g in enumerate(groups):  # group B's territories are worse: 10 points less baseline
        if g == "B":
            planted.roster.baseline_attainment[i] -= 0.10
    result = evaluate_result(client.evaluate_plan_raw(planted))
    gap0, gap1 = plain.equity_audit.gaps[0], result.equity_audit.gaps[0]
    assert gap1.group == gap0.group
    sign = 1.0 if gap1.group == "B" else -1.0  # the reference may be either group
    assert sign * (gap1.adjusted_pay_gap - gap0.adjusted_pay_gap) < -0.01
    assert sign * (gap1.adjusted_attainment_gap - gap0.adjusted_attainment_gap) < -0.05
    assert gap1.flagged and not gap0.flagged  # 5% policy limit


def test_frontier_streams_progress_and_is_monotone(client):
    problem = demo_request(build_options(num_starts=2, seed=0))
    values = [0.05, 0.135, 0.1375, 0.14, 0.1425, 0.15]  # the least feasible cap is ~13.43%
    seen = []
    frontier = client.sweep_frontier(
        problem, "cost_of_sales", values, on_progress=lambda k, n, p: seen.append((k, n, p.budget))
    )
    assert [(k, n) for k, n, _ in seen] == [(k, 6) for k in range(1, 7)]
    assert [p.budget for p in frontier] == sorted(values)
    assert frontier[0].termination == "INFEASIBLE"  # 5% CoS cannot pay market OTE
    feasible = [p for p in frontier if p.termination == "LOCALLY_OPTIMAL"]
    assert len(feasible) == 5
    objs = [p.metrics.objective for p in feasible]
    assert all(b >= a - 1e-7 for a, b in itertools.pairwise(objs)), objs
    for p in feasible:
        assert p.max_violation <= 1e-6 and p.kkt_residual <= 1e-5 and p.shadow_price >= -1e-6
    # The point at today's cap equals a plain OptimizePlan at that cap.
    at = next(p for p in feasible if p.budget == 0.14)
    single = client.optimize_plan(
        demo.demo_roster(),
        {demo.ROLE: {k: (demo.CURRENT_PLAN[k], *demo.PLAN_BOUNDS[k]) for k in demo.PLAN_BOUNDS}},
        market={demo.ROLE: demo.MARKET_OTE_USD},
        constraints={**demo.CONSTRAINTS, "max_cost_of_sales": 0.14},
        num_starts=2,
    )
    assert at.metrics.objective == pytest.approx(single.metrics.objective, abs=1e-6)
    # Shadow price vs the frontier's own slope (central difference over 0.1375 .. 0.1425).
    lo, hi = (next(p for p in feasible if p.budget == b) for b in (0.1375, 0.1425))
    slope = (hi.metrics.objective - lo.metrics.objective) / 0.005
    assert at.shadow_price == pytest.approx(slope, rel=0.25)
    assert np.isfinite(slope) and slope > 0


def test_frontier_bad_input_names_the_field(client):
    from planopt.client import PlanError

    problem = demo_request()
    problem.roster.quota_usd[3] = -5.0
    with pytest.raises(PlanError) as info:
        client.sweep_frontier(problem, "cost_of_sales", [0.14])
    fields = [f for f, _ in info.value.violations]
    assert "problem.roster.quota_usd[3]" in fields and "values" in fields
    with pytest.raises(PlanError) as info:
        client.sweep_frontier(demo_request(), "attrition", [0.1, math.inf])
    assert [f for f, _ in info.value.violations] == ["values[1]"]


def _write_demo_csv(path):
    import csv

    cols = demo.demo_roster()
    names = list(cols)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for i in range(len(cols["rep_id"])):
            w.writerow([cols[n][i] for n in names])


def test_cli_planner_commands_tables_json_and_pngs(server_target, tmp_path, capsys):
    from planopt.client.cli import main

    roster = tmp_path / "team.csv"
    _write_demo_csv(roster)
    hist, front, curve = tmp_path / "hist.png", tmp_path / "front.png", tmp_path / "curve.png"
    out_json = tmp_path / "eval.json"
    common = ["--target", server_target]
    assert (
        main(
            [
                "evaluate",
                "--roster",
                str(roster),
                "--draws",
                "2000",
                "--mc-seed",
                "3",
                "--plot",
                str(hist),
                "--json-out",
                str(out_json),
                *common,
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "Monte Carlo: 2000 simulated years" in text and "P(cost of sales > cap)" in text
    from google.protobuf import json_format

    parsed = json_format.Parse(out_json.read_text(), pb.EvaluatePlanResponse())
    assert parsed.monte_carlo.draws == 2000
    assert main(["audit", "--demo", *common]) == 0
    assert "Pay-equity audit" in capsys.readouterr().out
    assert (
        main(["frontier", "--demo", "--values", "0.1375,0.14,0.145", "--starts", "1", "--plot", str(front), *common])
        == 0
    )
    captured = capsys.readouterr()
    assert "Frontier over cost_of_sales" in captured.out and "3/3" in captured.err
    assert main(["optimize", "--demo", "--starts", "1", "--plot", str(curve), *common]) == 0
    capsys.readouterr()
    assert main(["compare", "--demo", "--starts", "1", "--draws", "500", *common]) == 0
    text = capsys.readouterr().out
    assert "current" in text and "optimised" in text
    for png in (hist, front, curve):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Bad input through the CLI: a clear error naming the field, exit code 2.
    bad = tmp_path / "bad.csv"
    text = roster.read_text().splitlines()
    header, first = text[0].split(","), text[1].split(",")
    first[header.index("quota_usd")] = "-1"
    bad.write_text("\n".join([text[0], ",".join(first), *text[2:]]) + "\n")
    assert main(["evaluate", "--roster", str(bad), *common]) == 2
    assert "roster.quota_usd[0]" in capsys.readouterr().err


def test_compare_scenarios_on_common_random_numbers(client):
    base = demo_request(build_options(num_starts=2))
    cheap = pb.PlanTemplate()
    cheap.CopyFrom(base.plan)
    cheap.roles[0].target_incentive_usd.value = 60_000.0  # OTE 145K: below the 5% market band
    request = pb.CompareScenariosRequest(
        base=base,
        scenarios=[
            pb.Scenario(name="current", plan=base.plan),
            pb.Scenario(name="cheap", plan=cheap),
            pb.Scenario(name="optimised", optimise=True, constraints=base.constraints),
        ],
        monte_carlo=pb.MonteCarloOptions(draws=4000, seed=5),
    )
    resp = client.stub.CompareScenarios(request, timeout=120)
    current, low, best = resp.scenarios
    assert [s.name for s in resp.scenarios] == ["current", "cheap", "optimised"]
    # The reference's differences are zero; the others' equal the metric differences.
    assert current.delta_mean_attainment == 0.0 and current.paired_delta_mean_attainment.sd == 0.0
    assert best.delta_mean_attainment == pytest.approx(best.metrics.mean_attainment - current.metrics.mean_attainment)
    assert best.termination.reason == pb.Termination.LOCALLY_OPTIMAL and not best.violated
    # The optimised scenario equals a plain OptimizePlan on the same request.
    single = client.optimize_plan_raw(base)
    assert best.metrics.objective == pytest.approx(single.metrics.objective, abs=1e-9)
    # Policy check: the cheap plan breaks the OTE band (and nothing is hidden).
    assert f"ote_min[{demo.ROLE}]" in low.violated
    # Common random numbers: the paired difference is far tighter than either distribution.
    paired = best.paired_delta_mean_attainment
    assert paired.sd < 0.5 * best.monte_carlo.mean_attainment.sd
    assert paired.mean == pytest.approx(
        best.monte_carlo.mean_attainment.mean - current.monte_carlo.mean_attainment.mean, abs=1e-12
    )
    # Asked again, the same comparison comes from the response cache, identical but for timing.
    again = client.stub.CompareScenarios(request, timeout=120)
    assert again.receipt.cached and not resp.receipt.cached
    again.receipt.ClearField("elapsed")
    again.receipt.cached = False
    resp.receipt.ClearField("elapsed")
    assert again == resp


def test_compare_scenarios_cut_by_its_time_limit_is_not_cached(client):
    base = demo_request(build_options(num_starts=4, seed=11, time_limit_s=0.005))
    request = pb.CompareScenariosRequest(
        base=base, scenarios=[pb.Scenario(name="optimised", optimise=True, constraints=base.constraints)]
    )
    first, second = (client.stub.CompareScenarios(request, timeout=120) for _ in range(2))
    reason = pb.Termination.Reason.Name(first.scenarios[0].termination.reason)
    assert reason in ("FEASIBLE_TIME_LIMIT", "NO_FEASIBLE_POINT_YET"), reason
    assert not first.receipt.cached and not second.receipt.cached


def test_compare_bad_input_names_the_field(client):
    from planopt.client import PlanError

    base = demo_request()
    bad_plan = pb.PlanTemplate()
    bad_plan.CopyFrom(base.plan)
    bad_plan.roles[0].accelerator.value = math.nan
    request = pb.CompareScenariosRequest(
        base=base,
        scenarios=[pb.Scenario(name="a", plan=base.plan), pb.Scenario(name="a", plan=bad_plan)],
    )
    with pytest.raises(PlanError) as info:
        client.compare_scenarios_raw(request)
    fields = [f for f, _ in info.value.violations]
    assert "scenarios[1].name" in fields and "scenarios[1].plan.roles[0].accelerator.value" in fields


def test_sensitivity_rpc_and_cli(client, server_target, tmp_path, capsys):
    from planopt.client.cli import main
    from planopt.solvers.optimize import optimize
    from planopt.solvers.problem import SolveOptions, demo_problem
    from planopt.solvers.sensitivity import envelope_derivative

    enum = pb.SensitivityRequest.Input
    request = pb.SensitivityRequest(
        problem=demo_request(build_options(num_starts=4)), inputs=[enum.NOISE_SD, enum.MARKET_OTE], tornado_fraction=0.1
    )
    resp = client.sensitivity_raw(request)
    assert resp.termination.reason == pb.Termination.LOCALLY_OPTIMAL
    noise, market = resp.inputs
    # Same numbers as the in-process computation on the same problem (one code path, two doors).
    solution = optimize(demo_problem(), SolveOptions(num_starts=4))
    assert noise.derivative == pytest.approx(envelope_derivative(demo_problem(), solution, "noise_sd"), rel=1e-6)
    assert noise.objective_low > resp.objective > noise.objective_high
    assert market.termination_low == pb.Termination.LOCALLY_OPTIMAL
    png = tmp_path / "tornado.png"
    assert (
        main(
            [
                "sensitivity",
                "--demo",
                "--inputs",
                "noise_sd,risk_aversion",
                "--plot",
                str(png),
                "--target",
                server_target,
            ]
        )
        == 0
    )
    assert "noise_sd" in capsys.readouterr().out and png.read_bytes()[:4] == b"\x89PNG"


def test_cvar_cost_of_sales_constraint_through_the_rpc(client):
    req = demo_request(build_options(time_limit_s=120))
    req.constraints.max_cost_of_sales = 0.16
    risk = req.constraints.cost_of_sales_risk
    risk.max, risk.level, risk.draws, risk.seed, risk.market_shock_sd = 0.145, 0.9, 1000, 3, 0.1
    resp = client.optimize_plan_raw(req)
    assert resp.termination.reason == pb.Termination.LOCALLY_OPTIMAL, resp.termination.detail
    (row,) = [c for c in resp.constraints if c.name == "cost_of_sales_cvar[0.9]"]
    assert row.bound == 0.145 and row.value <= 0.145 + 1e-6
    # The expected value stays below its tail: CVaR >= mean.
    assert resp.metrics.cost_of_sales <= row.value
    risk.level = 0.2
    risk.draws = 50
    with pytest.raises(PlanError) as err:
        client.optimize_plan_raw(req)
    fields = [f for f, _ in err.value.violations]
    assert "constraints.cost_of_sales_risk.level" in fields and "constraints.cost_of_sales_risk.draws" in fields


def test_adjusted_equity_gap_constraint_agrees_with_the_audit(client):
    req = demo_request(build_options(time_limit_s=120))
    req.constraints.max_adjusted_equity_gap = 0.01
    resp = client.optimize_plan_raw(req)
    assert resp.termination.reason == pb.Termination.LOCALLY_OPTIMAL, resp.termination.detail
    rows = {c.name: c for c in resp.constraints if c.name.startswith("adjusted_equity_gap")}
    assert set(rows) == {"adjusted_equity_gap_max[B]", "adjusted_equity_gap_min[B]"}
    # EvaluatePlan's audit (an independent OLS fit) of the returned plan respects the limit.
    ev_req = evaluate_request_from(req)
    for rp, out in zip(ev_req.plan.roles, resp.plan, strict=True):
        for name in (
            "base_usd",
            "target_incentive_usd",
            "threshold_attainment",
            "quota_bonus_share",
            "accelerator",
            "cap_attainment",
        ):
            getattr(rp, name).value = getattr(out, name)
    ev_req.equity_audit.max_gap = 0.01
    audit = client.evaluate_plan_raw(ev_req).equity_audit
    (gap,) = audit.gaps
    assert abs(gap.adjusted_pay_gap) <= 0.01 + 1e-6
    assert gap.adjusted_pay_gap == pytest.approx(rows["adjusted_equity_gap_max[B]"].value, abs=1e-9)
