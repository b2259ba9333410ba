"""``python -m planopt.server`` / ``planopt-server``: run the server until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from planopt.server.app import ServerConfig, create_server, info_of, shutdown
from planopt.server.multiprocess import AFFINITY_MODES, run_group
from planopt.server.process import exit_after_drain, write_port_file


def main(argv: list[str] | None = None) -> int:
    defaults = ServerConfig()
    parser = argparse.ArgumentParser(prog="planopt-server", description="planopt gRPC server")
    parser.add_argument("--host", default=defaults.host, help="bind address (env PLANOPT_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port, 0 = any free (env PLANOPT_PORT)")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="worker threads (env PLANOPT_WORKERS)")
    parser.add_argument(
        "--queue",
        type=int,
        default=defaults.queue,
        help="admitted RPCs beyond the workers before RESOURCE_EXHAUSTED (env PLANOPT_QUEUE)",
    )
    parser.add_argument(
        "--warm-buckets",
        default=",".join(map(str, defaults.warm_buckets)),
        help="roster size buckets compiled before SERVING (env PLANOPT_WARM_BUCKETS)",
    )
    parser.add_argument("--tls-cert", default=defaults.tls_cert, help="PEM certificate chain (env PLANOPT_TLS_CERT)")
    parser.add_argument("--tls-key", default=defaults.tls_key, help="PEM private key (env PLANOPT_TLS_KEY)")
    parser.add_argument(
        "--tls-client-ca",
        default=defaults.tls_client_ca,
        help="PEM CA of client certificates: turns on mutual TLS (env PLANOPT_TLS_CLIENT_CA)",
    )
    parser.add_argument(
        "--auth-tokens-file",
        default=defaults.auth_tokens_file,
        help="bearer tokens, one per line 'TOKEN [Method,...]' (env PLANOPT_AUTH_TOKENS_FILE; "
        "PLANOPT_AUTH_TOKENS adds comma-separated tokens)",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=defaults.metrics_port,
        help="serve Prometheus /metrics on this port (env PLANOPT_METRICS_PORT; default off)",
    )
    parser.add_argument(
        "--max-message-bytes",
        type=int,
        default=defaults.max_message_bytes,
        help="largest request/response (env PLANOPT_MAX_MESSAGE_BYTES)",
    )
    parser.add_argument(
        "--response-cache-mib",
        type=int,
        default=defaults.response_cache_mib,
        help="MiB of answers kept for identical requests, per process; 0 = off (env PLANOPT_RESPONSE_CACHE_MIB)",
    )
    parser.add_argument(
        "--gil-switch-ms",
        type=float,
        default=defaults.gil_switch_ms,
        help="CPython GIL switch interval in ms; 0 = CPython's own (env PLANOPT_GIL_SWITCH_MS)",
    )
    parser.add_argument(
        "--xla-threads",
        type=int,
        default=defaults.xla_threads,
        help=(
            "threads of XLA's CPU pool per process; 0 = one per CPU, XLA's own; default 1, or 0 when "
            "every warm bucket is over 5,000 reps (env PLANOPT_XLA_THREADS)"
        ),
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("PLANOPT_PROCESSES", "1")),
        help="server processes sharing the port via SO_REUSEPORT (spawned, not forked; env PLANOPT_PROCESSES)",
    )
    parser.add_argument(
        "--cpu-affinity",
        choices=AFFINITY_MODES,
        default=os.environ.get("PLANOPT_CPU_AFFINITY", "split"),
        help="with --processes > 1: split = each process on its own share of the CPUs (XLA then sizes "
        "its thread pool to the share); inherit = every process on every CPU (env PLANOPT_CPU_AFFINITY)",
    )
    parser.add_argument("--grace", type=float, default=10.0, help="seconds in-flight calls get on SIGTERM")
    parser.add_argument("--port-file", help="write the bound port here once listening (for scripts)")
    parser.add_argument("--log-level", default=os.environ.get("PLANOPT_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    if args.cpu_affinity not in AFFINITY_MODES:  # (argparse does not check a default from the environment)
        parser.error(
            f"--cpu-affinity / PLANOPT_CPU_AFFINITY must be one of {AFFINITY_MODES}, not {args.cpu_affinity!r}"
        )
    if args.xla_threads is not None and args.xla_threads < 0:
        parser.error(f"--xla-threads / PLANOPT_XLA_THREADS must be 0 (XLA's own) or more, not {args.xla_threads}")
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    config = ServerConfig(
        host=args.host,
        port=args.port,
        workers=args.workers,
        queue=args.queue,
        warm_buckets=tuple(int(x) for x in args.warm_buckets.split(",") if x.strip()),
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        tls_client_ca=args.tls_client_ca,
        auth_tokens_file=args.auth_tokens_file,
        metrics_port=args.metrics_port,
        max_message_bytes=args.max_message_bytes,
        response_cache_mib=args.response_cache_mib,
        gil_switch_ms=args.gil_switch_ms,
        xla_threads=args.xla_threads,
    )
    log = logging.getLogger("planopt.server")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.processes > 1:
        return run_group(config, args.processes, args.grace, args.log_level, args.port_file, stop, args.cpu_affinity)
    server, port = create_server(config)
    log.info("listening on %s:%d (warming up)", args.host, port)
    metrics_port = info_of(server).metrics_port
    if metrics_port is not None:
        log.info("metrics on http://%s:%d/metrics", args.host, metrics_port)
    write_port_file(args.port_file, port)
    while not stop.wait(0.5):
        pass
    log.info("shutting down (grace %.1fs)", args.grace)
    shutdown(server, args.grace)
    return 0


def run() -> None:
    """Console entry point: run the server, then leave without finalization (see exit_after_drain)."""
    exit_after_drain(main())


if __name__ == "__main__":
    run()
