"""The load generator's wire shortcut (``loadtest.seeded_bytes``): a distinct call's request is
the serialized base request with the seed's own message appended, which protobuf must parse as
exactly ``with_seed(request, seed)`` (the reference: a parsed copy with the field set)."""

import pytest
from planopt.client.loadtest import build_request, seeded_bytes, with_seed
from planopt.v1 import planopt_pb2 as pb


@pytest.mark.parametrize("rpc", ["optimize", "evaluate"])
@pytest.mark.parametrize("base_seed", [0, 77])
@pytest.mark.parametrize("seed", [0, 1, 2**48 - 1, 2**64 - 1])
def test_appended_seed_parses_as_the_request_with_that_seed(rpc, base_seed, seed):
    request = with_seed(build_request(rpc), base_seed)
    if isinstance(request, pb.EvaluatePlanRequest):
        request.monte_carlo.draws = 500  # a sibling field the merge must keep
    else:
        request.options.num_starts = 3
    wire = seeded_bytes(request.SerializeToString(), request, seed)
    parsed = type(request).FromString(wire)
    assert parsed == with_seed(request, seed)
    assert (parsed.options.seed if rpc == "optimize" else parsed.monte_carlo.seed) == seed
