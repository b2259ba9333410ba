"""The prepared-model cache (``server.cache.ModelCache``): what a model's roster arrays depend on
is its key, a request's constraints are applied to a copy, and the bound is in reps.

Reference: a ``PlanModel`` built from scratch for the same problem (no cache); the evaluations
must be identical, not merely close, since the same arrays go through the same kernels.
"""

import dataclasses

import numpy as np
from planopt.server.cache import ModelCache, model_key
from planopt.solvers.model import PlanModel
from planopt.solvers.problem import demo_problem


def test_a_cached_model_with_other_constraints_evaluates_like_a_fresh_one():
    cache = ModelCache(1_000)
    first = demo_problem()
    tighter = dataclasses.replace(first, constraints=dataclasses.replace(first.constraints, max_cost_of_sales=0.05))
    assert model_key(first) == model_key(tighter)  # constraints are not part of the key
    cache.model(first)
    got = cache.model(tighter)
    assert (cache.hits, cache.misses) == (1, 1)
    ref = PlanModel(tighter)
    levers = tighter.template.value
    a, b = got.evaluate(levers), ref.evaluate(levers)
    assert a.objective == b.objective
    np.testing.assert_array_equal(a.values, b.values)  # the tighter cap's constraint values
    assert [s.bound for s in got.specs] == [s.bound for s in ref.specs]
    assert next(s.bound for s in got.specs if s.kind == "cost_of_sales") == 0.05


def test_a_changed_roster_column_is_a_different_model():
    first = demo_problem()
    quota = first.roster.quota_usd.copy()
    quota[3] *= 1.01
    other = dataclasses.replace(first, roster=dataclasses.replace(first.roster, quota_usd=quota))
    assert model_key(first) != model_key(other)
    cache = ModelCache(1_000)
    cache.model(first)
    got = cache.model(other)
    assert (cache.hits, cache.misses) == (0, 2)
    assert got.evaluate(other.template.value).objective == PlanModel(other).evaluate(other.template.value).objective


def test_bounded_in_reps_least_recently_used_out_first():
    first = demo_problem()  # 45 reps
    shifted = [
        dataclasses.replace(
            first,
            roster=dataclasses.replace(first.roster, quota_usd=first.roster.quota_usd * (1.0 + 0.01 * i)),
        )
        for i in range(3)
    ]
    cache = ModelCache(100)  # two 45-rep models fit, not three
    for problem in shifted:
        cache.model(problem)
    cache.model(shifted[2])
    cache.model(shifted[1])
    assert (cache.hits, cache.misses) == (2, 3)
    cache.model(shifted[0])  # evicted by the third
    assert cache.misses == 4


def test_zero_disables_and_a_roster_over_the_bound_is_not_kept():
    for cache in (ModelCache(0), ModelCache(10)):
        cache.model(demo_problem())
        cache.model(demo_problem())
        assert cache.hits == 0
