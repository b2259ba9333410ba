"""Production features against real servers: bearer auth, TLS and mutual TLS, Prometheus metrics
(including "the first request after SERVING compiles nothing"), request ids, the load-test SDK,
shedding counted in metrics."""

import re
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
import trustme
from planopt.client import PlanClient, PlanError
from planopt.client.loadtest import build_request, connections, run_load, with_seed
from planopt.client.requests import build_options, demo_evaluate_request, demo_request
from planopt.server import ServerConfig, create_server, info_of, shutdown

TOKEN_ALL = "all-methods-token-0123456789"
TOKEN_EVAL = "evaluate-only-token-0123456789"


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = re.match(r"^([a-zA-Z_:]+)(\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(m.group(4))
    return 0.0


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """A server with metrics on and bearer auth (one token for everything, one for EvaluatePlan)."""
    tokens = tmp_path_factory.mktemp("auth") / "tokens"
    tokens.write_text(f"# comment\n{TOKEN_ALL}\n{TOKEN_EVAL} EvaluatePlan\n")
    server, port = create_server(
        ServerConfig(
            port=0,
            workers=2,
            queue=2,
            warm_buckets=(48,),
            metrics_port=0,
            auth_tokens_file=str(tokens),
            block_until_warm=True,
        )
    )
    yield server, f"127.0.0.1:{port}"
    shutdown(server, 5)


def scrape(server) -> str:
    port = info_of(server).metrics_port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        return resp.read().decode()


def test_first_request_after_serving_compiles_nothing(secured):
    server, target = secured
    # The listener works: a brand-new function compiles once and is counted.
    import jax
    import jax.numpy as jnp

    probe = metric(scrape(server), "planopt_jit_compiles_total")
    jax.jit(lambda x: jnp.sin(x) * 3.0 + 1.25)(jnp.arange(7.0)).block_until_ready()
    before = metric(scrape(server), "planopt_jit_compiles_total")
    assert before >= probe + 1
    with PlanClient(target, token=TOKEN_ALL) as client:
        assert client.optimize_plan_raw(demo_request(build_options(num_starts=1))).plan
        client.evaluate_plan_raw(demo_evaluate_request())
    assert metric(scrape(server), "planopt_jit_compiles_total") == before


def test_a_fresh_server_process_compiles_nothing_after_serving():
    """The same contract without the test process's own JIT cache: the in-process server above
    shares it with every earlier test, so a shape the warm-up misses goes unnoticed there (the
    lever scan's 1,024- and 192-rep value chunks did: 6 compiles on the first OptimizePlan of a
    server warmed for 48-rep rosters). Here a server process of its own, persistent compilation
    cache off (a cache hit is not counted as a compile), answers the default OptimizePlan (4
    starts and the lever scan) and an EvaluatePlan with Monte Carlo draws."""
    import os

    from planopt.server.process import free_port, start_server_process

    metrics_port = free_port()  # for /metrics
    env = {**os.environ, "PLANOPT_LOG_LEVEL": "WARNING", "PLANOPT_JAX_CACHE_DIR": ""}
    proc, target = start_server_process(
        ["--warm-buckets", "48", "--workers", "1", "--metrics-port", str(metrics_port)], env=env
    )

    def compiles() -> float:
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as resp:
            return metric(resp.read().decode(), "planopt_jit_compiles_total")

    try:
        with PlanClient(target, timeout=300) as client:
            client.wait_until_serving(timeout=600)
            before = compiles()
            assert before > 0  # the warm-up's compiles were counted
            assert client.optimize_plan_raw(demo_request()).plan
            evaluate = demo_evaluate_request()
            evaluate.monte_carlo.draws = 200
            assert client.evaluate_plan_raw(evaluate).monte_carlo.draws == 200
            assert compiles() == before
    finally:
        proc.terminate()
        proc.wait(60)


def test_bearer_auth_codes(secured):
    _, target = secured
    with PlanClient(target) as anonymous, pytest.raises(PlanError) as info:
        anonymous.evaluate_plan_raw(demo_evaluate_request())
    assert info.value.code is grpc.StatusCode.UNAUTHENTICATED
    with PlanClient(target, token="not-a-valid-token-at-all") as wrong, pytest.raises(PlanError) as info:
        wrong.evaluate_plan_raw(demo_evaluate_request())
    assert info.value.code is grpc.StatusCode.UNAUTHENTICATED
    with PlanClient(target, token=TOKEN_EVAL) as scoped:
        assert scoped.evaluate_plan_raw(demo_evaluate_request()).metrics.mean_attainment > 0
        with pytest.raises(PlanError) as info:
            scoped.optimize_plan_raw(demo_request(build_options(num_starts=1)))
        assert info.value.code is grpc.StatusCode.PERMISSION_DENIED
        assert scoped.health() == "SERVING"  # health stays open to probes


def test_metrics_count_rpcs_by_method_code_and_termination(secured):
    server, target = secured
    text0 = scrape(server)
    with PlanClient(target, token=TOKEN_ALL) as client:
        client.evaluate_plan_raw(demo_evaluate_request())
        bad = demo_evaluate_request()
        bad.roster.quota_usd[0] = -1.0
        with pytest.raises(PlanError):
            client.evaluate_plan_raw(bad)
        client.optimize_plan_raw(demo_request(build_options(num_starts=1)))
    text1 = scrape(server)

    def delta(name, **labels):
        return metric(text1, name, **labels) - metric(text0, name, **labels)

    assert delta("planopt_rpc_latency_seconds_count", method="EvaluatePlan", code="OK") == 1
    assert delta("planopt_rpc_latency_seconds_count", method="EvaluatePlan", code="INVALID_ARGUMENT") == 1
    assert delta("planopt_terminations_total", method="OptimizePlan", reason="LOCALLY_OPTIMAL") == 1
    assert metric(text1, "planopt_rpc_in_flight") == 0


def test_request_id_is_echoed_in_trailing_metadata(secured):
    _, target = secured
    channel = grpc.insecure_channel(target)
    from planopt.v1 import planopt_pb2_grpc as pb_grpc

    stub = pb_grpc.PlanOptimizerStub(channel)
    _, call = stub.EvaluatePlan.with_call(
        demo_evaluate_request(),
        timeout=60,
        metadata=(("authorization", f"Bearer {TOKEN_ALL}"), ("x-request-id", "abc-123")),
    )
    assert ("x-request-id", "abc-123") in tuple(call.trailing_metadata())
    channel.close()


def test_load_test_sdk_open_loop_counts_every_call(secured):
    _, target = secured
    with PlanClient(target, token=TOKEN_ALL, max_attempts=1) as client:
        result = run_load(client, "evaluate", build_request("evaluate"), rate=40, duration_s=1.0)
    assert result.scheduled == 40 and result.completed == 40
    assert result.codes == {"OK": 40}
    lat = result.latency_ms
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99.9"] <= lat["max"]


def test_balanced_connections_to_one_process_are_plain_connections(secured):
    """A single server process sends no ``planopt-process`` trailer, so ``balance`` keeps the
    connections it opens (and the probe passes the bearer token)."""
    _, target = secured
    clients = connections(target, 3, balance=True, token=TOKEN_ALL, max_attempts=1)
    try:
        assert len(clients) == 3
        for c in clients:
            _, call = c.stub.EvaluatePlan.with_call(
                demo_evaluate_request(), timeout=60, metadata=(("authorization", f"Bearer {TOKEN_ALL}"),)
            )
            assert "planopt-process" not in dict(call.trailing_metadata())
        result = run_load(clients, "evaluate", build_request("evaluate"), rate=30, duration_s=0.5)
        assert result.codes == {"OK": 15}
    finally:
        for c in clients:
            c.close()
    auto = connections(target, 0, balance=True, token=TOKEN_ALL)  # one process: one connection
    try:
        assert len(auto) == 1
    finally:
        auto[0].close()


def test_load_test_sdk_distinct_requests_miss_the_cache(secured):
    server, target = secured

    def lookups(text, result):
        return metric(text, "planopt_response_cache_total", method="EvaluatePlan", result=result)

    text0 = scrape(server)
    with PlanClient(target, token=TOKEN_ALL, max_attempts=1) as client:
        result = run_load(client, "evaluate", build_request("evaluate"), rate=30, duration_s=1.0, distinct=True)
    text1 = scrape(server)
    assert result.codes == {"OK": 30} and result.distinct
    assert lookups(text1, "hit") - lookups(text0, "hit") == 0
    assert lookups(text1, "miss") - lookups(text0, "miss") == 30


def test_overload_is_shed_fast_and_counted(secured):
    server, target = secured
    shed0 = metric(scrape(server), "planopt_shed_total", method="OptimizePlan")
    request = demo_request(build_options(num_starts=4))
    with PlanClient(target, token=TOKEN_ALL, timeout=120, max_attempts=1) as client:

        def call(i):
            try:  # distinct seeds: identical requests could be answered by the response cache
                client.optimize_plan_raw(with_seed(request, 5_000 + i))
                return "OK"
            except PlanError as err:
                return err.code.name

        with ThreadPoolExecutor(10) as pool:
            codes = list(pool.map(call, range(10)))
    # 2 workers + 2 queued are admitted; the rest are refused.
    assert codes.count("OK") >= 4 and "RESOURCE_EXHAUSTED" in codes
    assert set(codes) <= {"OK", "RESOURCE_EXHAUSTED"}
    shed = metric(scrape(server), "planopt_shed_total", method="OptimizePlan") - shed0
    assert shed == codes.count("RESOURCE_EXHAUSTED")


def test_tls_and_mutual_tls(tmp_path):
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    client_cert = ca.issue_cert("planner@example.invalid")
    paths = {}
    for name, blob in (
        ("ca", ca.cert_pem.bytes()),
        ("cert", b"".join(p.bytes() for p in server_cert.cert_chain_pems)),
        ("key", server_cert.private_key_pem.bytes()),
        ("ccert", b"".join(p.bytes() for p in client_cert.cert_chain_pems)),
        ("ckey", client_cert.private_key_pem.bytes()),
    ):
        (tmp_path / name).write_bytes(blob)
        paths[name] = str(tmp_path / name)
    server, port = create_server(
        ServerConfig(
            port=0,
            warm_buckets=(48,),
            tls_cert=paths["cert"],
            tls_key=paths["key"],
            tls_client_ca=paths["ca"],
            block_until_warm=True,
        )
    )
    target = f"127.0.0.1:{port}"
    try:
        with PlanClient(target, tls_ca=paths["ca"], tls_cert=paths["ccert"], tls_key=paths["ckey"]) as client:
            assert client.evaluate_plan_raw(demo_evaluate_request()).metrics.mean_attainment > 0
        # TLS but no client certificate: the handshake is refused.
        with PlanClient(target, tls_ca=paths["ca"], max_attempts=1) as client, pytest.raises(PlanError) as info:
            client.evaluate_plan_raw(demo_evaluate_request(), timeout=10)
        assert info.value.code is grpc.StatusCode.UNAVAILABLE
        # Plaintext against a TLS port fails too.
        with PlanClient(target, max_attempts=1) as client, pytest.raises(PlanError):
            client.evaluate_plan_raw(demo_evaluate_request(), timeout=10)
    finally:
        shutdown(server, 5)


def test_client_round_robin_spreads_calls_over_three_replicas():
    """Client-side balancing as in deploy/ (a headless name resolving to every replica), with the
    name replaced by a static address list: gRPC's ipv4: resolver, three real servers."""
    servers = [
        create_server(ServerConfig(port=0, warm_buckets=(48,), metrics_port=0, block_until_warm=True)) for _ in range(3)
    ]
    try:
        target = "ipv4:" + ",".join(f"127.0.0.1:{port}" for _, port in servers)
        with PlanClient(target, round_robin=True) as client:
            client.wait_until_serving(timeout=120)
            for _ in range(12):
                client.evaluate_plan_raw(demo_evaluate_request())
        counts = [
            metric(scrape(server), "planopt_rpc_latency_seconds_count", method="EvaluatePlan", code="OK")
            for server, _ in servers
        ]
        assert sum(counts) == 12
        assert all(c >= 2 for c in counts), counts  # every replica served a share
    finally:
        for server, _ in servers:
            shutdown(server, 2)


def _without_timing(response):
    """The response minus the fields that legitimately differ between calls (elapsed, cached)."""
    out = type(response)()
    out.CopyFrom(response)
    out.receipt.ClearField("elapsed")
    out.receipt.cached = False
    return out


def test_identical_requests_are_answered_from_the_response_cache(secured):
    server, target = secured
    text0 = scrape(server)
    request = demo_evaluate_request()
    request.monte_carlo.draws = 64
    request.monte_carlo.seed = 7_777_001  # no other test sends this request
    other = demo_evaluate_request()
    other.monte_carlo.draws = 64
    other.monte_carlo.seed = 7_777_002
    with PlanClient(target, token=TOKEN_ALL) as client:
        first = client.evaluate_plan_raw(request)
        second = client.evaluate_plan_raw(request)
        third = client.evaluate_plan_raw(other)
    assert not first.receipt.cached and second.receipt.cached and not third.receipt.cached
    assert _without_timing(second) == _without_timing(first)
    assert third.monte_carlo != first.monte_carlo  # a different seed is a different request
    text1 = scrape(server)
    hits = metric(text1, "planopt_response_cache_total", method="EvaluatePlan", result="hit") - metric(
        text0, "planopt_response_cache_total", method="EvaluatePlan", result="hit"
    )
    misses = metric(text1, "planopt_response_cache_total", method="EvaluatePlan", result="miss") - metric(
        text0, "planopt_response_cache_total", method="EvaluatePlan", result="miss"
    )
    assert (hits, misses) == (1, 2)
    assert metric(text1, "planopt_response_cache_bytes") > 0


def test_only_deadline_independent_optimize_answers_are_cached(secured):
    _, target = secured
    converged = demo_request(build_options(num_starts=1, seed=9_001))
    cut = demo_request(build_options(num_starts=1, seed=9_002, time_limit_s=0.005))
    with PlanClient(target, token=TOKEN_ALL) as client:
        a = client.optimize_plan_raw(converged)
        b = client.optimize_plan_raw(converged)
        reasons = []
        for _ in range(2):
            try:
                r = client.optimize_plan_raw(cut)
            except PlanError as err:  # no feasible plan within 5 ms: a clean refusal, never cached
                assert err.code is grpc.StatusCode.DEADLINE_EXCEEDED
                reasons.append("DEADLINE_EXCEEDED")
                continue
            reasons.append(r.termination.Reason.Name(r.termination.reason))
            assert not r.receipt.cached, reasons
    assert a.termination.reason == a.termination.LOCALLY_OPTIMAL
    assert not a.receipt.cached and b.receipt.cached
    assert _without_timing(a) == _without_timing(b)
    assert set(reasons) <= {"FEASIBLE_TIME_LIMIT", "NO_FEASIBLE_POINT_YET", "DEADLINE_EXCEEDED"}, reasons


def test_response_cache_off_computes_every_call():
    server, port = create_server(ServerConfig(port=0, warm_buckets=(48,), response_cache_mib=0, block_until_warm=True))
    try:
        request = demo_evaluate_request()
        optimize = demo_request(build_options(seed=3, num_starts=2))
        with PlanClient(f"127.0.0.1:{port}") as client:
            replies = [client.evaluate_plan_raw(request) for _ in range(3)]
            solved = [client.optimize_plan_raw(optimize) for _ in range(2)]
        assert not any(r.receipt.cached for r in replies + solved)
        # computed afresh each time, and deterministic: same request, same answer
        assert len({_without_timing(r).SerializeToString(deterministic=True) for r in replies}) == 1
        for r in solved:
            r.stats.ClearField("elapsed")
        assert len({_without_timing(r).SerializeToString(deterministic=True) for r in solved}) == 1
        assert len(info_of(server).cache) == 0
        assert sys.getswitchinterval() == pytest.approx(ServerConfig().gil_switch_ms / 1000.0)
    finally:
        shutdown(server, 5)
