"""Server lifecycle: health gating, load shedding, SIGTERM, reflection."""

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from planopt.client import PlanClient, PlanError
from planopt.client.loadtest import connections
from planopt.client.requests import build_options, demo_evaluate_request, demo_request
from planopt.server import ServerConfig, create_server, shutdown
from planopt.server.process import start_server_process


def test_health_is_not_serving_until_warm_then_serving_then_not_serving_on_shutdown():
    gate = threading.Event()
    server, port = create_server(ServerConfig(port=0, warm_buckets=(48,), warm_gate=gate))
    with PlanClient(f"127.0.0.1:{port}") as client:
        assert client.health() == "NOT_SERVING"
        assert client.health("") == "NOT_SERVING"
        gate.set()
        client.wait_until_serving(timeout=300)
        assert client.health() == "SERVING"
        assert client.optimize_plan_raw(demo_request(build_options(num_starts=1))).plan
        stopper = threading.Thread(target=shutdown, args=(server, 2.0))
        stopper.start()
        time.sleep(0.2)
        try:
            status = client.health(timeout=1)
        except grpc.RpcError:
            status = "UNAVAILABLE"
        assert status in ("NOT_SERVING", "UNAVAILABLE")
        stopper.join(10)
        with pytest.raises(PlanError) as info:
            client.optimize_plan_raw(demo_request(), timeout=2)
        assert info.value.code is grpc.StatusCode.UNAVAILABLE


def test_warm_up_leaves_its_objects_out_of_the_cyclic_collector():
    """After warm-up (before SERVING) the server freezes what is alive (``gc.freeze``), so full
    collections under load do not rescan JAX, XLA and the warm models (100+ ms pauses)."""
    import gc

    gc.unfreeze()
    server, _ = create_server(ServerConfig(port=0, workers=1, queue=0, warm_buckets=(48,), block_until_warm=True))
    try:
        assert gc.get_freeze_count() > 10_000
    finally:
        shutdown(server, 0)
        gc.unfreeze()


def test_full_server_sheds_with_resource_exhausted():
    server, port = create_server(ServerConfig(port=0, workers=1, queue=0, warm_buckets=(48,), block_until_warm=True))
    try:
        with PlanClient(f"127.0.0.1:{port}", timeout=120) as client:
            request = demo_request(build_options(num_starts=8))

            def call():
                try:
                    client.optimize_plan_raw(request)
                    return "OK"
                except PlanError as err:
                    return err.code.name

            with ThreadPoolExecutor(6) as pool:
                codes = list(pool.map(lambda _: call(), range(6)))
        assert "OK" in codes
        assert "RESOURCE_EXHAUSTED" in codes
        assert set(codes) <= {"OK", "RESOURCE_EXHAUSTED"}
    finally:
        shutdown(server, 5)


def test_reflection_lists_the_service(server_target):
    channel = grpc.insecure_channel(server_target)
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {s.name for r in responses for s in r.list_services_response.service}
    channel.close()
    assert "planopt.v1.PlanOptimizer" in names


def test_python_m_server_stops_cleanly_on_sigterm():
    proc, target = start_server_process(
        ["--warm-buckets", "48", "--workers", "2", "--queue", "4", "--grace", "60"],
        env={**os.environ, "PLANOPT_LOG_LEVEL": "WARNING"},
    )
    try:
        with PlanClient(target) as client:
            client.wait_until_serving(timeout=300)
            assert client.optimize_plan_raw(demo_request(build_options(num_starts=1))).plan
        # SIGTERM under load: every call admitted before the signal completes OK; calls after
        # it are refused (UNAVAILABLE) rather than dropped mid-way.
        with PlanClient(target, timeout=120, max_attempts=1) as client, ThreadPoolExecutor(6) as pool:
            request = demo_request(build_options(num_starts=2))

            def call(_):
                try:
                    return "OK" if client.optimize_plan_raw(request).plan else "EMPTY"
                except PlanError as err:
                    return err.code.name

            in_flight = [pool.submit(call, i) for i in range(6)]
            time.sleep(0.5)  # all six admitted (2 computing, 4 queued)
            proc.send_signal(signal.SIGTERM)
            codes = [f.result(timeout=120) for f in in_flight]
            assert codes == ["OK"] * 6
            time.sleep(0.2)
            late = call(0)
            assert late in ("UNAVAILABLE", "OK")  # OK only if it raced in before the listener closed
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_multi_process_group_serves_on_one_port_and_stops_cleanly():
    proc, target = start_server_process(
        ["--processes", "2", "--warm-buckets", "48", "--workers", "1"],
        env={**os.environ, "PLANOPT_LOG_LEVEL": "WARNING"},
    )
    try:
        from pathlib import Path

        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        servers = [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(servers) == 2  # two spawned server processes (plus the resource tracker)
        # the default --cpu-affinity split: each process on its own share of this test's CPUs
        allowed = [os.sched_getaffinity(int(c)) for c in servers]
        mine = os.sched_getaffinity(0)
        assert all(a and a <= mine for a in allowed)
        if len(mine) >= 2:
            assert not allowed[0] & allowed[1] and allowed[0] | allowed[1] == mine
        # the load-test SDK's balanced connections: two per process, taking calls in turn; each
        # call's planopt-process trailer names the process that answered it
        clients = connections(target, 4, balance=True)
        try:
            # right after start: it returned only once every process had warmed up
            assert all(c.health() == "SERVING" for c in clients)
            answered = []
            for c in clients:
                response, call = c.stub.EvaluatePlan.with_call(demo_evaluate_request(), timeout=60)
                assert response.metrics.mean_attainment > 0
                answered.append(dict(call.trailing_metadata())["planopt-process"])
            assert answered in (["0/2", "1/2", "0/2", "1/2"], ["1/2", "0/2", "1/2", "0/2"])
        finally:
            for c in clients:
                c.close()
        for _ in range(6):  # separate connections: the kernel spreads them over the processes
            with PlanClient(target) as client:
                client.wait_until_serving(timeout=300)
                assert client.evaluate_plan_raw(demo_evaluate_request()).metrics.mean_attainment > 0
        # count 0: AUTO_PER_PROCESS (8) per process of the group
        clients = connections(target, 0, balance=True)
        try:
            tags = [
                dict(c.stub.EvaluatePlan.with_call(demo_evaluate_request(), timeout=60)[1].trailing_metadata())[
                    "planopt-process"
                ]
                for c in clients
            ]
            assert sorted(tags) == ["0/2"] * 8 + ["1/2"] * 8
        finally:
            for c in clients:
                c.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=90) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
