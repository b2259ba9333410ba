"""A real planopt server on a free port (real gRPC, JAX, cvxpy and HiGHS), shared by the module."""

import pytest
from planopt.client import PlanClient
from planopt.server import ServerConfig, create_server, shutdown


@pytest.fixture(scope="session")
def server_target():
    server, port = create_server(ServerConfig(port=0, workers=2, queue=4, warm_buckets=(48,)))
    target = f"127.0.0.1:{port}"
    with PlanClient(target) as client:
        client.wait_until_serving(timeout=300)
    yield target
    shutdown(server, grace_s=5)


@pytest.fixture()
def client(server_target):
    with PlanClient(server_target, timeout=120) as c:
        yield c
