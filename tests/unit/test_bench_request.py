"""The gRPC latency bench sends each instance as a request: the server must read back exactly
the problem the in-process bench solves (reference: the instance itself, field by field)."""

import numpy as np
import pytest
from planopt.client.requests import ROSTER_NUMERIC, build_options
from planopt.server.convert import optimize_problem

from bench.grpc_latency import request_from_problem
from bench.instances import instance


@pytest.mark.parametrize("name", ["S", "M"])
def test_bench_request_carries_the_instance(name):
    problem = instance(name)
    back = optimize_problem(request_from_problem(problem, build_options(num_starts=2)))
    for field in ("rep_id", "role", "equity_group"):
        assert getattr(back.roster, field) == getattr(problem.roster, field)
    for field in ROSTER_NUMERIC:
        np.testing.assert_array_equal(getattr(back.roster, field), getattr(problem.roster, field))
    assert back.template.roles == problem.template.roles
    np.testing.assert_array_equal(back.template.free, problem.template.free)
    for field in ("value", "lower", "upper"):
        a, b = getattr(back.template, field), getattr(problem.template, field)
        np.testing.assert_array_equal(a[problem.template.free], b[problem.template.free])
    np.testing.assert_array_equal(back.template.value, problem.template.value)
    assert back.market_ote_usd == problem.market_ote_usd
    assert back.constraints == problem.constraints
    assert back.objective == problem.objective and back.model == problem.model
