"""The response cache: least-recently-used out first, bounded by serialised bytes, copies only.

Expected sizes come from protobuf's own ``ByteSize`` of the messages built here, not from the
cache; the eviction order is the LRU definition worked by hand.
"""

from planopt.server.cache import TIME_DEPENDENT, ResponseCache
from planopt.v1 import planopt_pb2 as pb


def _response(detail: str) -> pb.EvaluatePlanResponse:
    r = pb.EvaluatePlanResponse()
    r.receipt.request_sha256 = detail
    return r


def test_get_returns_an_independent_copy():
    cache = ResponseCache(10_000)
    original = _response("a" * 64)
    assert cache.put("EvaluatePlan", "d1", original)
    original.receipt.request_sha256 = "changed after put"
    first = cache.get("EvaluatePlan", "d1")
    assert first is not None and first.receipt.request_sha256 == "a" * 64
    first.receipt.cached = True
    second = cache.get("EvaluatePlan", "d1")
    assert second is not None and not second.receipt.cached


def test_keys_are_per_method():
    cache = ResponseCache(10_000)
    cache.put("EvaluatePlan", "d1", _response("x"))
    assert cache.get("OptimizePlan", "d1") is None
    assert cache.get("EvaluatePlan", "d2") is None


def test_bounded_by_bytes_least_recently_used_out_first():
    one = _response("a" * 100)
    size = one.ByteSize()
    cache = ResponseCache(3 * size)  # room for exactly three
    for key in ("k1", "k2", "k3"):
        cache.put("EvaluatePlan", key, _response("a" * 100))
    assert cache.bytes == 3 * size and len(cache) == 3
    assert cache.get("EvaluatePlan", "k1") is not None  # k1 now most recent; k2 is the oldest
    cache.put("EvaluatePlan", "k4", _response("a" * 100))
    assert cache.get("EvaluatePlan", "k2") is None
    for key in ("k1", "k3", "k4"):
        assert cache.get("EvaluatePlan", key) is not None
    assert cache.bytes <= 3 * size


def test_larger_than_the_whole_cache_is_not_stored():
    big = _response("b" * 1000)
    cache = ResponseCache(big.ByteSize() - 1)
    assert not cache.put("EvaluatePlan", "big", big)
    assert cache.get("EvaluatePlan", "big") is None and cache.bytes == 0


def test_zero_bytes_disables():
    cache = ResponseCache(0)
    assert not cache.enabled
    assert not cache.put("EvaluatePlan", "d", _response("x"))
    assert cache.get("EvaluatePlan", "d") is None


def test_deadline_dependent_reasons_are_listed():
    names = set(pb.Termination.Reason.keys())
    assert names >= TIME_DEPENDENT
    assert "LOCALLY_OPTIMAL" not in TIME_DEPENDENT and "INFEASIBLE" not in TIME_DEPENDENT
