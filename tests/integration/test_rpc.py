"""OptimizePlan / EvaluatePlan through the thin client against the real server."""

import json
import os
import subprocess
import sys

import grpc
import pytest
from google.protobuf import json_format
from planopt.client import PlanError, demo
from planopt.client.report import format_report
from planopt.client.requests import LEVERS, build_options, demo_evaluate_request, demo_request, plan_from_result
from planopt.client.results import optimize_result
from planopt.v1 import planopt_pb2 as pb


def test_optimize_demo_returns_a_certified_improvement(client):
    result = optimize_result(client.optimize_plan_raw(demo_request()))
    assert result.termination == "LOCALLY_OPTIMAL"
    assert result.max_violation <= 1e-6 and result.kkt_residual <= 1e-5
    assert result.metrics.mean_attainment > result.baseline.mean_attainment + 0.05
    assert result.metrics.cost_of_sales <= 0.135 + 1e-8
    names = {c.name for c in result.constraints}
    assert {"cost_of_sales", "attrition", "ote_min[AE-MidMarket]", "base_share_min[AE-MidMarket]"} <= names
    cos = next(c for c in result.constraints if c.name == "cost_of_sales")
    assert cos.active and cos.shadow_price > 0  # a looser CoS cap buys attainment
    plan = result.plan[demo.ROLE]
    assert plan.ote_usd == pytest.approx(plan.base_usd + plan.target_incentive_usd)
    assert len(result.reps["attainment"]) == 45
    assert result.request_sha256 and len(result.request_sha256) == 64


def test_evaluate_current_plan_matches_optimizer_baseline(client):
    req = demo_request()
    plan = {demo.ROLE: {name: getattr(req.plan.roles[0], name).value for name in LEVERS}}
    ev = client.evaluate_plan(
        demo.demo_roster(), plan, market={demo.ROLE: demo.MARKET_OTE_USD}, constraints=demo.CONSTRAINTS
    )
    opt = optimize_result(client.optimize_plan_raw(req))
    assert ev.metrics.mean_attainment == pytest.approx(opt.baseline.mean_attainment, rel=1e-12)
    assert ev.metrics.cost_of_sales == pytest.approx(0.135, abs=0.01)  # seed 000
    cos = next(c for c in ev.constraints if c.name == "cost_of_sales")
    assert cos.value == pytest.approx(ev.metrics.cost_of_sales)


def test_same_request_same_response_except_timings(client):
    req = demo_request(build_options(seed=3, num_starts=2))
    a, b = client.optimize_plan_raw(req), client.optimize_plan_raw(req)
    assert b.receipt.cached  # the second is the response cache's copy (computed twice: test_production)
    for r in (a, b):
        r.stats.ClearField("elapsed")
        r.receipt.ClearField("elapsed")
        r.receipt.cached = False
    assert a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def test_validate_only_does_not_solve(client):
    resp = client.optimize_plan_raw(demo_request(build_options(validate_only=True)))
    assert resp.termination.reason == pb.Termination.VALIDATED
    assert len(resp.plan) == 0


def test_infeasible_request_is_a_result_not_an_error(client):
    """INFEASIBLE is a result with the smallest relaxation; re-solving at the relaxed cap (plus a
    hair), warm-started from the returned plan as the API says, is feasible and tight (the
    relaxation is right), and the planner's report says how to re-solve."""
    raw = client.optimize_plan_raw(demo_request(seed_targets=True))
    result = optimize_result(raw)
    assert result.termination == "INFEASIBLE"
    assert [r.constraint for r in result.relaxations] == ["cost_of_sales"]
    cap = result.relaxations[0].relaxed_bound
    assert 0.12 < cap < 0.15
    again_req = demo_request(build_options(warm_start=plan_from_result(raw.plan)), seed_targets=True)
    again_req.constraints.max_cost_of_sales = cap + 1e-5
    again = optimize_result(client.optimize_plan_raw(again_req))
    assert again.termination == "LOCALLY_OPTIMAL"
    assert again.metrics.cost_of_sales == pytest.approx(cap + 1e-5, abs=1e-7)
    report = format_report(result, plan_from_result(raw.plan))
    assert "cost_of_sales" in report and "warm-start from this plan" in report


def test_short_deadline_gives_a_plan_or_deadline_exceeded_never_internal(client):
    for timeout in (0.05, 0.3, 1.0):
        try:
            resp = client.optimize_plan_raw(demo_request(build_options(time_limit_s=60)), timeout=timeout)
        except PlanError as err:
            assert err.code in (grpc.StatusCode.DEADLINE_EXCEEDED,), err
            continue
        assert resp.termination.reason in (pb.Termination.LOCALLY_OPTIMAL, pb.Termination.FEASIBLE_TIME_LIMIT), (
            resp.termination
        )
        # The solver's limit came from the deadline, not from time_limit (60 s).
        assert resp.stats.elapsed.ToNanoseconds() / 1e9 < timeout


def test_cli_json_is_the_canonical_protobuf_mapping(server_target):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "planopt.client.cli",
            "optimize",
            "--demo",
            "--format",
            "json",
            "--target",
            server_target,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    data = json.loads(out.stdout)
    assert data["termination"]["reason"] == "LOCALLY_OPTIMAL"
    parsed = json_format.Parse(out.stdout, pb.OptimizePlanResponse())  # round-trips as the proto
    assert parsed.plan[0].role == demo.ROLE


def test_cli_table_prints_before_and_after(server_target):
    out = subprocess.run(
        [sys.executable, "-m", "planopt.client.cli", "optimize", "--demo", "--target", server_target],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ},
    )
    for needle in (
        "mean attainment",
        "cost of sales",
        "attrition",
        "median OTE vs market",
        "shadow price",
        "LOCALLY_OPTIMAL",
    ):
        assert needle in out.stdout


def test_bytes_method_round_trips_serialized_messages(client):
    # the load generator's path: a serialized request in, the serialized reply out, parsed here
    # only to check it is the typed method's answer
    request = demo_evaluate_request()
    raw = client.bytes_method("EvaluatePlan")(request.SerializeToString(), timeout=60, metadata=client.call_metadata())
    assert isinstance(raw, bytes)
    parsed = pb.EvaluatePlanResponse.FromString(raw)
    typed = client.evaluate_plan_raw(request)
    assert parsed.metrics == typed.metrics
    # call_metadata carries the request id; the server echoes it in the trailers the stub exposes
    _, call = client.stub.EvaluatePlan.with_call(request, timeout=60, metadata=client.call_metadata("rid-123"))
    assert call.code() == grpc.StatusCode.OK
    assert ("x-request-id", "rid-123") in tuple(call.trailing_metadata())


@pytest.mark.parametrize("method", ["SweepFrontier", "NoSuchMethod", "planopt.v1.PlanOptimizer/OptimizePlan"])
def test_bytes_method_refuses_what_is_not_a_unary_method(client, method):
    with pytest.raises(ValueError, match="not a unary method"):
        client.bytes_method(method)
