"""Metrics (Prometheus), one JSON log line per RPC with a request id, optional OpenTelemetry spans.

Metrics live in a registry per server (tests run several servers in one process); the scrape
endpoint is started only when a metrics port is configured. Tracing is off unless
``PLANOPT_OTEL_TRACING=1`` and ``opentelemetry-api`` is installed (an SDK/exporter configured by
the deployment then receives the spans; with the bare API they are no-ops).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
import weakref
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server

log = logging.getLogger("planopt.server")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)
REQUEST_ID_KEY = "x-request-id"
# Trailer naming the process of a multi-process group that answered: "index/count".
PROCESS_KEY = "planopt-process"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._httpd: Any = None  # the /metrics HTTP server, when serve() started one
        r = self.registry
        self.latency = Histogram(
            "planopt_rpc_latency_seconds",
            "Server-side RPC latency by method and status code",
            ["method", "code"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.terminations = Counter(
            "planopt_terminations", "Solver termination reasons", ["method", "reason"], registry=r
        )
        self.in_flight = Gauge("planopt_rpc_in_flight", "RPCs admitted (computing or queued)", registry=r)
        self.running = Gauge("planopt_rpc_running", "RPCs holding a compute slot", registry=r)
        self.shed = Counter("planopt_shed", "RPCs refused with RESOURCE_EXHAUSTED", ["method"], registry=r)
        self.cache = Counter(
            "planopt_response_cache",
            "Response-cache lookups by method and result (hit, miss)",
            ["method", "result"],
            registry=r,
        )
        self.cache_bytes = Gauge(
            "planopt_response_cache_bytes", "Serialised bytes held by the response cache", registry=r
        )
        self.jit_compiles = Counter("planopt_jit_compiles", "XLA backend compilations in this process", registry=r)
        self.jit_compile_seconds = Counter(
            "planopt_jit_compile_seconds", "Seconds spent in XLA backend compilation", registry=r
        )
        _JIT_LISTENERS.add(self)

    def scrape(self) -> bytes:
        return generate_latest(self.registry)  # type: ignore[no-any-return]

    def serve(self, host: str, port: int) -> int:
        """Start the /metrics HTTP endpoint; returns the bound port (port 0 = any free)."""
        self._httpd, _thread = start_http_server(port, addr=host, registry=self.registry)
        return int(self._httpd.server_port)

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


# JAX reports compilations through jax.monitoring; one process-wide listener feeds every server.
_JIT_LISTENERS: weakref.WeakSet[Metrics] = weakref.WeakSet()
_listener_lock = threading.Lock()
_listener_installed = False
_BACKEND_COMPILE = "/jax/core/compile/backend_compile_duration"


def install_jit_listener() -> None:
    global _listener_installed
    with _listener_lock:
        if _listener_installed:
            return
        import jax.monitoring

        def on_duration(event: str, duration_secs: float, **_: str | int) -> None:
            if event == _BACKEND_COMPILE:
                for m in list(_JIT_LISTENERS):
                    m.jit_compiles.inc()
                    m.jit_compile_seconds.inc(duration_secs)

        jax.monitoring.register_event_duration_secs_listener(on_duration)
        _listener_installed = True


def request_id(metadata: Any) -> str:
    """The caller's x-request-id (sanitised, <= 64 chars) or a fresh one."""
    for key, value in metadata or ():
        if key == REQUEST_ID_KEY and isinstance(value, str):
            clean = "".join(ch for ch in value if ch.isalnum() or ch in "-_.:")[:64]
            if clean:
                return clean
    return uuid.uuid4().hex


def _tracer() -> Any:
    if os.environ.get("PLANOPT_OTEL_TRACING", "") not in ("1", "true", "yes"):
        return None
    try:
        from opentelemetry import trace
    except ImportError:
        log.warning("PLANOPT_OTEL_TRACING is set but opentelemetry-api is not installed; tracing off")
        return None
    return trace.get_tracer("planopt.server")


_TRACER = _tracer()


@contextlib.contextmanager
def span(name: str, attributes: dict[str, Any]) -> Iterator[Any]:
    """An OpenTelemetry span when tracing is configured, else nothing (no cost)."""
    if _TRACER is None:
        yield None
        return
    with _TRACER.start_as_current_span(name, attributes=attributes) as s:
        yield s
