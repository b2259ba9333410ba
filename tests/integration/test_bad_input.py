"""Each class of bad input -> INVALID_ARGUMENT with a BadRequest violation naming the field path
and quoting the value; never INTERNAL, and the server keeps serving."""

import math

import grpc
import pytest
from planopt.client import PlanError
from planopt.client.requests import build_options, demo_request
from planopt.v1 import planopt_pb2 as pb


def _nan_quota(r):
    r.roster.quota_usd[3] = math.nan


def _negative_quota(r):
    r.roster.quota_usd[0] = -5.0


def _short_column(r):
    del r.roster.noise_sd[-1]


def _empty_roster(r):
    r.roster.CopyFrom(pb.Roster())


def _unknown_role(r):
    r.roster.role[5] = "Ghost"


def _lower_above_upper(r):
    r.plan.roles[0].base_usd.lower = 130_000.0


def _infinite_lever(r):
    r.plan.roles[0].accelerator.value = math.inf


def _threshold_too_high(r):
    r.plan.roles[0].threshold_attainment.value = 0.99


def _duplicate_rep(r):
    r.roster.rep_id[1] = r.roster.rep_id[0]


def _cos_cap_above_one(r):
    r.constraints.max_cost_of_sales = 1.5


def _mix_min_above_max(r):
    r.constraints.mix[0].min_base_share = 0.9


def _missing_market(r):
    del r.market.roles[:]


def _too_many_starts(r):
    r.options.num_starts = 1000


def _noise_zero(r):
    r.roster.noise_sd[7] = 0.0


def _huge_risk(r):
    r.roster.risk_aversion_per_usd[2] = 1e6


def _floor_above_fixed_base(r):
    r.plan.roles[0].base_usd.free = False
    r.plan.roles[0].base_usd.value = 50_000.0


CASES = [
    (_nan_quota, "roster.quota_usd[3]", "nan"),
    (_negative_quota, "roster.quota_usd[0]", "-5.0"),
    (_short_column, "roster.noise_sd", "44 entries"),
    (_empty_roster, "roster.rep_id", "empty"),
    (_unknown_role, "roster.role[5]", "'Ghost'"),
    (_lower_above_upper, "plan.roles[0].base_usd.lower", "130000.0"),
    (_infinite_lever, "plan.roles[0].accelerator.value", "inf"),
    (_threshold_too_high, "plan.roles[0].threshold_attainment.value", "0.99"),
    (_duplicate_rep, "roster.rep_id[1]", "duplicate"),
    (_cos_cap_above_one, "constraints.max_cost_of_sales", "1.5"),
    (_mix_min_above_max, "constraints.mix[0].min_base_share", "0.9"),
    (_missing_market, "market.roles", "AE-MidMarket"),
    (_too_many_starts, "options.num_starts", "1000"),
    (_noise_zero, "roster.noise_sd[7]", "0.0"),
    (_huge_risk, "roster.risk_aversion_per_usd[2]", "1000000.0"),
    (_floor_above_fixed_base, "plan.roles[0].base_usd.value", "50000.0"),
]


@pytest.mark.parametrize("mutate,field,needle", CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_bad_input_is_invalid_argument_with_field_path(client, mutate, field, needle):
    request = demo_request(build_options(num_starts=1))
    mutate(request)
    with pytest.raises(PlanError) as info:
        client.optimize_plan_raw(request)
    err = info.value
    assert err.code is grpc.StatusCode.INVALID_ARGUMENT, err
    fields = {f: d for f, d in err.violations}
    assert field in fields, err.violations
    assert needle in fields[field]


def test_evaluate_rejects_bad_input_too(client):
    req = demo_request()
    bad = pb.EvaluatePlanRequest(roster=req.roster, market=req.market, plan=req.plan)
    bad.roster.effort_cost_usd[4] = -1.0
    with pytest.raises(PlanError) as info:
        client.evaluate_plan_raw(bad)
    assert info.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert ("roster.effort_cost_usd[4]", "must be in [1, 1e+09], got -1.0") in info.value.violations


def test_server_still_serves_after_bad_input(client):
    assert client.health() == "SERVING"
    resp = client.optimize_plan_raw(demo_request(build_options(validate_only=True)))
    assert resp.termination.reason == pb.Termination.VALIDATED
