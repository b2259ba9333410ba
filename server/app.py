"""``create_server(config) -> (server, port)``: servicer, health, reflection, bounded pool, warm-up."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import threading
import weakref
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from planopt.server.admission import Admission
from planopt.server.cache import ResponseCache
from planopt.server.observability import Metrics, install_jit_listener
from planopt.server.security import BearerAuth, load_tokens, server_credentials
from planopt.server.servicer import PlanOptimizerServicer
from planopt.solvers.model import set_chunk_threads
from planopt.solvers.scan import SCAN_MAX_REPS
from planopt.v1 import planopt_pb2 as pb
from planopt.v1 import planopt_pb2_grpc as pb_grpc
from threadpoolctl import threadpool_limits

log = logging.getLogger("planopt.server")

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["PlanOptimizer"].full_name
# Every surface chunk shape (solvers.model.SURFACE_CHUNKS; a test keeps them equal): with these
# compiled before SERVING, no roster size makes a request pay a JIT compile.
DEFAULT_WARM_BUCKETS = (48, 192, 1024)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_optional_int(name: str) -> int | None:
    value = os.environ.get(name)
    return int(value) if value else None


def xla_threads_for(config: ServerConfig) -> int:
    """The XLA pool size a server starts with: ``config.xla_threads`` when set, else 0 (XLA's
    own, one thread per CPU) for a server whose warm buckets are all large rosters (over
    ``SCAN_MAX_REPS``, 5,000 reps: no lever scan, a sampled curvature model), and 1 otherwise.
    L's ~98 1,024-rep chunks an evaluation split well over the pool's threads (30-32 iterations
    in its 10 s against 20); a small roster's kernels do not, and one thread costs 14% less CPU
    per demo solve (README "Throughput and overload", session 23)."""
    if config.xla_threads is not None:
        return config.xla_threads
    buckets = config.warm_buckets
    return 0 if buckets and min(buckets) > SCAN_MAX_REPS else 1


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
    max_message_bytes: int = field(default_factory=lambda: _env_int("PLANOPT_MAX_MESSAGE_BYTES", 64 * 1024 * 1024))
    # Response cache (server/cache.py), MiB of serialised answers per process; 0 turns it off.
    response_cache_mib: int = field(default_factory=lambda: _env_int("PLANOPT_RESPONSE_CACHE_MIB", 64))
    # TLS: server certificate chain and key (PEM paths); with a client CA, mutual TLS.
    tls_cert: str | None = field(default_factory=lambda: os.environ.get("PLANOPT_TLS_CERT") or None)
    tls_key: str | None = field(default_factory=lambda: os.environ.get("PLANOPT_TLS_KEY") or None)
    tls_client_ca: str | None = field(default_factory=lambda: os.environ.get("PLANOPT_TLS_CLIENT_CA") or None)
    # Bearer tokens (see server/security.py); auth is on when any token is configured.
    auth_tokens_file: str | None = field(default_factory=lambda: os.environ.get("PLANOPT_AUTH_TOKENS_FILE") or None)
    auth_tokens: str | None = field(default_factory=lambda: os.environ.get("PLANOPT_AUTH_TOKENS") or None)
    # Prometheus /metrics endpoint (None = off; 0 = any free port, see Handle.metrics_port).
    metrics_port: int | None = field(
        default_factory=lambda: (
            int(os.environ["PLANOPT_METRICS_PORT"]) if os.environ.get("PLANOPT_METRICS_PORT") else None
        )
    )
    # "index/count" of this process in a multi-process group (``run_group`` sets it), sent as the
    # ``planopt-process`` trailer of every call; empty for a single process: no trailer.
    process_tag: str = ""
    # CPython's GIL switch interval, ms (``sys.setswitchinterval``; CPython's default is 5):
    # how long a thread running Python code may keep the GIL while another waits for it. 0.5
    # measured better under load (README "Throughput and overload": OptimizePlan at 4x load
    # 7.2 vs 6.4 OK/s, admitted p99 1.56 vs 1.77 s, 4 runs each); 0 leaves CPython's setting.
    gil_switch_ms: float = field(default_factory=lambda: float(os.environ.get("PLANOPT_GIL_SWITCH_MS", "0.5")))
    # Threads of XLA's CPU pool (the one every kernel's parallel loops run on); 0 leaves XLA's
    # own choice (one per CPU of the process's affinity). One on this 2-core box: S faster and
    # 14% cheaper in CPU (a second thread spins on the core a concurrent request could use), M
    # ~10% slower alone at ~20% less CPU, L a third fewer iterations in 10 s, so big-roster
    # servers want 0 (``start_xla``; README "Throughput and overload"). None (unset): 1, or 0
    # for a big-roster server, every warm bucket over 5,000 reps (``xla_threads_for``).
    xla_threads: int | None = field(default_factory=lambda: _env_optional_int("PLANOPT_XLA_THREADS"))
    # Let several processes bind the same port (multi-process mode; the kernel balances).
    reuse_port: bool = False
    # Threads beyond workers + queue: they answer health checks and refuse excess calls at once.
    # gRPC admits no more concurrent RPCs than there are threads, so no call ever waits unseen
    # in the executor's queue; beyond that gRPC itself answers RESOURCE_EXHAUSTED.
    spare_threads: int = 16
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


def start_xla(threads: int) -> int:
    """Start JAX's CPU backend with an intra-op pool of ``threads`` threads (0: XLA's default,
    one per CPU); return the pool's size.

    XLA sizes that pool from the CPUs the process may run on when the backend starts. So the
    calling thread's affinity is narrowed to ``threads`` of its CPUs while the backend starts,
    then it and every thread the backend started get the whole set back: the pool keeps its
    size, and nothing stays pinned (the gRPC workers, and the pool itself, run on any CPU). A
    no-op where the backend is already running (the size returned is then the one asked for),
    where ``threads`` is 0 or not below the CPU count, and off Linux."""
    import jax

    setaffinity = getattr(os, "sched_setaffinity", None)
    own = os.sched_getaffinity(0) if setaffinity is not None else set(range(os.cpu_count() or 1))
    if setaffinity is None or threads <= 0 or threads >= len(own):
        jax.devices()
        return len(own)
    tasks = "/proc/self/task"
    before = set(os.listdir(tasks))
    setaffinity(0, set(sorted(own)[:threads]))
    try:
        jax.devices()
    finally:
        setaffinity(0, own)
        for tid in set(os.listdir(tasks)) - before:
            with contextlib.suppress(OSError):  # a thread that has exited since
                setaffinity(int(tid), own)
    return threads


def warm_up(buckets: tuple[int, ...]) -> None:
    """Compile the surface kernels for every chunk shape the given roster sizes use (with the
    default ``SURFACE_CHUNKS`` that is every roster size), exactly as requests will."""
    from planopt.client import demo
    from planopt.solvers.model import PlanModel, chunk_plan, hessian_block_for, release_freed_heap
    from planopt.solvers.optimize import optimize
    from planopt.solvers.problem import SolveOptions, demo_problem
    from planopt.solvers.simulate import simulate

    base = demo.demo_roster()
    # Rosters of these sizes are lever-scanned, whose batched pass runs every chunk size: its
    # kernels are compiled too unless every bucket is too large to be scanned (an L-only server).
    scanned = any(b <= SCAN_MAX_REPS for b in buckets)
    for size in sorted({c for b in buckets for c in chunk_plan(b)}):
        reps = max(demo.N_REPS, size)
        cols = {k: [v[i % demo.N_REPS] for i in range(reps)] for k, v in base.items()}
        cols["rep_id"] = [f"w{i}" for i in range(reps)]
        problem = demo_problem(cols)
        # the second-order blocks of the rosters that run on this chunk size (a 1,024-rep chunk
        # serves M's 192-rep blocks and L's 48-rep ones): only those, as each shape keeps memory
        for block in sorted({hessian_block_for(b) for b in buckets if size in chunk_plan(b)}):
            model = PlanModel(problem, hessian_block=block)
            model.compile_kernels(scan=scanned)
        simulate(model, problem.template.value, draws=2)  # Monte Carlo kernels of this size
        log.info("warmed surface chunk %d", size)
    # One short solve warms cvxpy/HiGHS code paths (not the JIT; that is done above).
    optimize(demo_problem(), SolveOptions(num_starts=1, max_iterations=3, time_limit_s=30))
    release_freed_heap()  # what the compiler freed (compile_kernels did it per size too)


_HEALTH: weakref.WeakKeyDictionary[grpc.Server, health.HealthServicer] = weakref.WeakKeyDictionary()


def health_of(server: grpc.Server) -> health.HealthServicer:
    """The health servicer of a server made by ``create_server``."""
    return _HEALTH[server]


@dataclass
class ServerInfo:
    """What create_server set up besides the gRPC server (one per server)."""

    config: ServerConfig
    health: health.HealthServicer
    metrics: Metrics
    admission: Admission
    cache: ResponseCache
    metrics_port: int | None = None


_INFO: weakref.WeakKeyDictionary[grpc.Server, ServerInfo] = weakref.WeakKeyDictionary()


def info_of(server: grpc.Server) -> ServerInfo:
    return _INFO[server]


def create_server(config: ServerConfig | None = None) -> tuple[grpc.Server, int]:
    """Build and start the server. Health is NOT_SERVING until warm-up has compiled every bucket."""
    config = config or ServerConfig()
    configure_jax(config.jax_cache_dir)
    pool = start_xla(xla_threads_for(config))
    # A pool of several threads runs one execution per calling thread: a large roster's chunks
    # go out from as many threads (``solvers.model.set_chunk_threads``; one: the caller's own).
    set_chunk_threads(pool)
    # Requests already run on worker threads: BLAS threads inside one request (the SQP's eigh,
    # the equity audit's least squares) would only contend with them and with JAX's threads.
    threadpool_limits(limits=1, user_api="blas")
    if config.gil_switch_ms > 0:
        sys.setswitchinterval(config.gil_switch_ms / 1000.0)
    install_jit_listener()
    tokens = load_tokens(config.auth_tokens_file, config.auth_tokens)
    if bool(config.tls_cert) != bool(config.tls_key) or (config.tls_client_ca and not config.tls_cert):
        raise ValueError("TLS needs both a certificate and a key (and mutual TLS needs them too)")
    metrics = Metrics()
    admission = Admission(config.workers, config.queue)
    options = [
        ("grpc.so_reuseport", 1 if config.reuse_port else 0),
        ("grpc.max_receive_message_length", config.max_message_bytes),
        ("grpc.max_send_message_length", config.max_message_bytes),
    ]
    threads = config.workers + config.queue + config.spare_threads
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="planopt-worker"),
        options=options,
        interceptors=[BearerAuth(tokens)] if tokens else [],
        # Backstop only: admission control (server/admission.py) sheds first, and counts it.
        maximum_concurrent_rpcs=threads,
    )
    cache = ResponseCache(config.response_cache_mib * 1024 * 1024)
    servicer = PlanOptimizerServicer(admission=admission, metrics=metrics, cache=cache, process_tag=config.process_tag)
    pb_grpc.add_PlanOptimizerServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server
    )
    address = f"{config.host}:{config.port}"
    if config.tls_cert and config.tls_key:
        port = server.add_secure_port(
            address, server_credentials(config.tls_cert, config.tls_key, config.tls_client_ca)
        )
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        raise RuntimeError(f"could not bind {address}")
    info = ServerInfo(config, health_servicer, metrics, admission, cache)
    if config.metrics_port is not None:
        info.metrics_port = metrics.serve(config.host, config.metrics_port)
    server.start()

    def warm() -> None:
        if config.warm_gate is not None:
            config.warm_gate.wait()
        try:
            warm_up(config.warm_buckets)
        except Exception:  # pragma: no cover - a failed warm-up must be visible, not silent
            log.exception("warm-up failed; staying NOT_SERVING")
            return
        # Everything alive now (JAX, XLA's executables, numpy, the warm models: ~200,000
        # tracked objects) lives as long as the process: leave it out of the cyclic collector's
        # full passes. Without this each gen-2 pass scanned it for 100-120 ms under load (in
        # process, 24,000 distinct demo EvaluatePlans on one core: 2 such pauses, calls queued
        # behind them were shed); frozen, none in 24,000 calls, worst call 22 ms.
        gc.collect()
        gc.freeze()
        for name in ("", SERVICE_NAME):
            health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("SERVING on port %d", port)

    if config.block_until_warm:
        warm()
    else:
        threading.Thread(target=warm, name="planopt-warmup", daemon=True).start()
    _HEALTH[server] = health_servicer
    _INFO[server] = info
    return server, port


def shutdown(server: grpc.Server, grace_s: float = 10.0) -> None:
    """NOT_SERVING first (balancers stop sending), then refuse new calls and drain in-flight ones."""
    health_of(server).enter_graceful_shutdown()
    server.stop(grace_s).wait()
    info = _INFO.get(server)
    if info is not None:
        info.metrics.close()
