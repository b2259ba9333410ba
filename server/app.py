"""``create_server(config) -> (server, port)``: servicer, health, reflection, bounded pool, warm-up."""

from __future__ import annotations

import logging
import os
import threading
import weakref
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from planopt.server.servicer import PlanOptimizerServicer
from planopt.v1 import planopt_pb2 as pb
from planopt.v1 import planopt_pb2_grpc as pb_grpc

log = logging.getLogger("planopt.server")

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["PlanOptimizer"].full_name
DEFAULT_WARM_BUCKETS = (48, 1024)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_buckets() -> tuple[int, ...]:
    value = os.environ.get("PLANOPT_WARM_BUCKETS")
    if not value:
        return DEFAULT_WARM_BUCKETS
    return tuple(int(x) for x in value.split(",") if x.strip())


@dataclass
class ServerConfig:
    """Every field can also come from the environment (PLANOPT_*), flags override it."""

    host: str = field(default_factory=lambda: os.environ.get("PLANOPT_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _env_int("PLANOPT_PORT", 50051))
    workers: int = field(default_factory=lambda: _env_int("PLANOPT_WORKERS", 2))
    # RPCs admitted beyond the running ones before RESOURCE_EXHAUSTED (bounded queue).
    queue: int = field(default_factory=lambda: _env_int("PLANOPT_QUEUE", 8))
    # Roster size buckets compiled before health reports SERVING.
    warm_buckets: tuple[int, ...] = field(default_factory=_env_buckets)
    # Persistent JAX compilation cache ("" disables it).
    jax_cache_dir: str = field(
        default_factory=lambda: os.environ.get(
            "PLANOPT_JAX_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "planopt", "jax")
        )
    )
    max_message_bytes: int = 64 * 1024 * 1024
    # Wait for warm-up inside create_server (tests); otherwise it runs in the background.
    block_until_warm: bool = False
    # When set, warm-up (and so SERVING) waits for this event: lets an orchestrator or a test
    # hold the server in NOT_SERVING.
    warm_gate: threading.Event | None = None


def configure_jax(cache_dir: str) -> None:
    import jax

    jax.config.update("jax_enable_x64", True)
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", cache_dir)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def warm_up(buckets: tuple[int, ...]) -> None:
    """Compile the surface for every bucket and build one QP, exactly as requests will."""
    from planopt.client import demo
    from planopt.solvers.model import PlanModel, bucket_size
    from planopt.solvers.optimize import optimize
    from planopt.solvers.problem import SolveOptions, demo_problem

    base = demo.demo_roster()
    for size in sorted({bucket_size(b) for b in buckets}):
        reps = max(demo.N_REPS, size)
        cols = {k: [v[i % demo.N_REPS] for i in range(reps)] for k, v in base.items()}
        cols["rep_id"] = [f"w{i}" for i in range(reps)]
        problem = demo_problem(cols)
        PlanModel(problem).evaluate(problem.template.value)
        log.info("warmed bucket %d", bucket_size(reps))
    # One short solve warms cvxpy/HiGHS code paths (not the JIT; that is done above).
    optimize(demo_problem(), SolveOptions(num_starts=1, max_iterations=3, time_limit_s=30))


_HEALTH: weakref.WeakKeyDictionary[grpc.Server, health.HealthServicer] = weakref.WeakKeyDictionary()


def health_of(server: grpc.Server) -> health.HealthServicer:
    """The health servicer of a server made by ``create_server``."""
    return _HEALTH[server]


def create_server(config: ServerConfig | None = None) -> tuple[grpc.Server, int]:
    """Build and start the server. Health is NOT_SERVING until warm-up has compiled every bucket."""
    config = config or ServerConfig()
    configure_jax(config.jax_cache_dir)
    options = [
        ("grpc.so_reuseport", 0),
        ("grpc.max_receive_message_length", config.max_message_bytes),
        ("grpc.max_send_message_length", config.max_message_bytes),
    ]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="planopt-worker"),
        options=options,
        maximum_concurrent_rpcs=config.workers + config.queue,
    )
    pb_grpc.add_PlanOptimizerServicer_to_server(PlanOptimizerServicer(), server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server
    )
    port = server.add_insecure_port(f"{config.host}:{config.port}")
    if port == 0:
        raise RuntimeError(f"could not bind {config.host}:{config.port}")
    server.start()

    def warm() -> None:
        if config.warm_gate is not None:
            config.warm_gate.wait()
        try:
            warm_up(config.warm_buckets)
        except Exception:  # pragma: no cover - a failed warm-up must be visible, not silent
            log.exception("warm-up failed; staying NOT_SERVING")
            return
        for name in ("", SERVICE_NAME):
            health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("SERVING on port %d", port)

    if config.block_until_warm:
        warm()
    else:
        threading.Thread(target=warm, name="planopt-warmup", daemon=True).start()
    _HEALTH[server] = health_servicer
    return server, port


def shutdown(server: grpc.Server, grace_s: float = 10.0) -> None:
    """NOT_SERVING first (balancers stop sending), then refuse new calls and drain in-flight ones."""
    health_of(server).enter_graceful_shutdown()
    server.stop(grace_s).wait()
