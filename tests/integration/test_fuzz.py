"""Property-based fuzzing of the real server (hypothesis): arbitrary and adversarial mutations of
valid requests. Every reply must be OK or INVALID_ARGUMENT / FAILED_PRECONDITION carrying field
violations with a field path; never INTERNAL, UNKNOWN or a dead server.

``make test`` runs PLANOPT_FUZZ_EXAMPLES (default 60) cases per property; the nightly mode
(``PLANOPT_FUZZ_EXAMPLES=10000 pytest tests/integration/test_fuzz.py``) runs many more.
Roster sizes for EvaluatePlan stay in the warmed 48-rep bucket so the test does not spend its
time compiling; OptimizePlan is fuzzed in VALIDATE_ONLY mode at any size (the solver paths are
covered by tests/integration/test_bad_input.py and the optimiser tests).
"""

import math
import os

import grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planopt.client import PlanClient, PlanError
from planopt.client.requests import LEVERS, ROSTER_NUMERIC, demo_evaluate_request, demo_request
from planopt.v1 import planopt_pb2 as pb

EXAMPLES = int(os.environ.get("PLANOPT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("PLANOPT_FUZZ_RANDOM", "") != "1",  # reproducible in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ALLOWED = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION}

nasty_floats = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, -1.0, 1e308, -1e308, 5e-324, 1e-300, 1e300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=10),
)
nasty_strings = st.one_of(st.sampled_from(["", " ", "AE", "ghost-role", "\x00", "é" * 300]), st.text(max_size=20))


def _mutation():
    roster_col = st.sampled_from(ROSTER_NUMERIC)
    lever = st.sampled_from(LEVERS)
    lever_part = st.sampled_from(["value", "lower", "upper"])
    constraint = st.sampled_from(
        ["max_cost_of_sales", "ote_band_fraction", "max_equity_gap", "max_attrition", "salary_floor_usd"]
    )
    return st.one_of(
        st.tuples(st.just("roster_value"), roster_col, st.integers(0, 200), nasty_floats),
        st.tuples(st.just("truncate"), roster_col, st.integers(0, 60)),
        st.tuples(st.just("role"), st.integers(0, 60), nasty_strings),
        st.tuples(st.just("rep_id"), st.integers(0, 60), nasty_strings),
        st.tuples(st.just("lever"), lever, lever_part, nasty_floats),
        st.tuples(st.just("free"), lever, st.booleans()),
        st.tuples(st.just("constraint"), constraint, nasty_floats),
        st.tuples(st.just("mix"), nasty_strings, nasty_floats, nasty_floats),
        st.tuples(st.just("market"), nasty_strings, nasty_floats),
        st.tuples(st.just("objective"), st.integers(-3, 10), nasty_floats),
        st.tuples(st.just("model"), nasty_floats, nasty_floats),
        st.tuples(st.just("plan_role"), nasty_strings),
        st.tuples(
            st.just("drop_roles"),
        ),
        st.tuples(st.just("resize"), st.integers(0, 5000)),
    )


def _apply(request, mutation, allow_resize: bool):
    kind, *args = mutation
    roster = request.roster
    n = len(roster.rep_id)
    if kind == "roster_value":
        col, i, value = args
        column = getattr(roster, col)
        if len(column):
            column[i % len(column)] = value
    elif kind == "truncate":
        col, keep = args
        del getattr(roster, col)[keep:]
    elif kind == "role" and n:
        roster.role[args[0] % n] = args[1]
    elif kind == "rep_id" and n:
        roster.rep_id[args[0] % n] = args[1]
    elif kind == "lever":
        name, part, value = args
        for rp in request.plan.roles:
            setattr(getattr(rp, name), part, value)
    elif kind == "free" and hasattr(request.plan.roles[0] if request.plan.roles else None, args[0]):
        getattr(request.plan.roles[0], args[0]).free = args[1]
    elif kind == "constraint":
        setattr(request.constraints, args[0], args[1])
    elif kind == "mix":
        request.constraints.mix.append(pb.MixBound(role=args[0], min_base_share=args[1], max_base_share=args[2]))
    elif kind == "market":
        request.market.roles.append(pb.RoleMarket(role=args[0], median_ote_usd=args[1]))
    elif kind == "objective":
        request.objective.kind = args[0]
        request.objective.gross_margin_fraction = args[1]
    elif kind == "model" and hasattr(request, "model"):
        request.model.effort_choice_temperature_usd = args[0]
        request.model.attrition_scale_usd = args[1]
    elif kind == "plan_role" and request.plan.roles:
        request.plan.roles[0].role = args[0]
    elif kind == "drop_roles":
        del request.plan.roles[:]
    elif kind == "resize" and allow_resize:
        size = args[0]
        for field in ("rep_id", "role", "equity_group", *ROSTER_NUMERIC):
            column = getattr(roster, field)
            values = list(column)
            if not values:
                continue
            del column[:]
            column.extend(values[i % len(values)] if field != "rep_id" else f"r{i}" for i in range(size))


def _check(call):
    try:
        call()
    except PlanError as err:
        assert err.code in ALLOWED, f"{err.code.name}: {err.message}"
        assert err.violations, "an INVALID_ARGUMENT must name the offending fields"
        for field, description in err.violations:
            assert field and description


@FUZZ
@given(st.lists(_mutation(), min_size=1, max_size=4))
def test_optimize_validate_only_never_fails_internally(client, mutations):
    request = demo_request(pb.SolveOptions(mode=pb.SolveOptions.VALIDATE_ONLY))
    for mutation in mutations:
        _apply(request, mutation, allow_resize=True)
    _check(lambda: client.optimize_plan_raw(request, timeout=60))


@FUZZ
@given(st.lists(_mutation(), min_size=1, max_size=4))
def test_evaluate_never_fails_internally(client, mutations):
    request = demo_evaluate_request()
    for mutation in mutations:
        _apply(request, mutation, allow_resize=False)
    _check(lambda: client.evaluate_plan_raw(request, timeout=60))


QUOTA_SCALARS = ["company_target_usd", "over_assignment", "outlier_threshold"]
QUOTA_LIMITS = ["min_quota_to_potential", "max_quota_to_potential", "max_increase", "max_decrease"]
TERRITORY_SCALARS = [
    "workload_band",
    "potential_band",
    "travel_weight",
    "disruption_weight",
    "contiguity_weight",
    "max_disruption",
    "mip_gap",
    "time_limit_seconds",
]


def _coverage_mutation(columns, strings, scalars):
    return st.one_of(
        st.tuples(st.just("value"), st.sampled_from(columns), st.integers(0, 30), nasty_floats),
        st.tuples(st.just("truncate"), st.sampled_from(columns + strings), st.integers(0, 30)),
        st.tuples(st.just("string"), st.sampled_from(strings), st.integers(0, 30), nasty_strings),
        st.tuples(st.just("scalar"), st.sampled_from(scalars), nasty_floats),
        st.tuples(st.just("int"), st.sampled_from(["frontier_points", "objective", "edge"]), st.integers(-5, 200)),
    )


def _apply_coverage(request, holder, mutation):
    kind = mutation[0]
    if kind in ("value", "string"):
        _, name, i, value = mutation
        column = getattr(holder, name)
        if len(column):
            column[i % len(column)] = value
    elif kind == "truncate":
        _, name, size = mutation
        column = getattr(holder, name)
        del column[size:]
    elif kind == "scalar":
        _, name, value = mutation
        target = request.limits if name in QUOTA_LIMITS else request
        setattr(target, name, value)
    else:
        _, name, value = mutation
        if name == "edge":
            if hasattr(request, "adjacency_a"):
                request.adjacency_a.append(value % 7)
                request.adjacency_b.append(value - 3)
        elif name == "objective":
            request.objective = value % 5
        elif hasattr(request, name):
            setattr(request, name, value)


@FUZZ
@given(
    st.lists(
        _coverage_mutation(
            ["potential_usd", "account_count", "last_year_sales_usd", "last_year_quota_usd"],
            ["territory_id"],
            QUOTA_SCALARS + QUOTA_LIMITS,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_allocate_quotas_never_fails_internally(client, mutations):
    from planopt.client import coverage

    cols = coverage.demo_quotas()
    request = coverage.quotas_request(cols, 5e7, max_increase=0.2)
    for mutation in mutations:
        _apply_coverage(request, request.territories, mutation)
    _check(lambda: client.allocate_quotas_raw(request, timeout=60))


@FUZZ
@given(
    st.lists(
        _coverage_mutation(
            ["potential_usd", "workload", "x", "y", "relationship"], ["account_id", "current_rep"], TERRITORY_SCALARS
        ),
        min_size=1,
        max_size=4,
    )
)
def test_design_territories_never_fails_internally(client, mutations):
    from planopt.client import coverage

    accounts, reps = coverage.demo_territories(accounts=24, reps=3, seed=1)
    request = coverage.territories_request(accounts, reps, workload_band=0.3)
    request.time_limit_seconds = 2.0
    for mutation in mutations:
        _apply_coverage(request, request.accounts, mutation)
    _check(lambda: client.design_territories_raw(request, timeout=60))


def test_server_still_healthy_after_fuzzing(server_target):
    with PlanClient(server_target) as client:
        assert client.health() == "SERVING"
