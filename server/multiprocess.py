"""Multi-process serving: N spawned server processes share one port through SO_REUSEPORT."""

from __future__ import annotations

import dataclasses
import logging
import queue
import signal
import sys
import threading
import time
from typing import Any

from planopt.server.app import ServerConfig, create_server, shutdown
from planopt.server.process import exit_after_drain, write_port_file


def _child(config: ServerConfig, grace: float, stop: Any, ready: Any, level: str) -> None:
    """One server process of a multi-process group: same port, own workers, own warm-up."""
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent coordinates shutdown
    own = threading.Event()  # a SIGTERM sent to this process alone
    signal.signal(signal.SIGTERM, lambda *_: own.set())
    server, port = create_server(config)
    ready.put(port)
    while not (own.is_set() or stop.is_set()):
        time.sleep(0.2)
    shutdown(server, grace)
    ready.close()
    ready.join_thread()
    exit_after_drain(0)


def run_group(
    config: ServerConfig, processes: int, grace: float, log_level: str, port_file: str | None, stop: threading.Event
) -> int:
    """N spawned processes bind one port with SO_REUSEPORT (the kernel spreads connections).

    Spawn, not fork: JAX/XLA and gRPC threads do not survive a fork. Each process compiles (or
    loads from the shared persistent cache) its own JIT buckets and has its own health; a
    metrics port, if set, is metrics_port + process index.
    """
    import multiprocessing as mp
    import socket

    log = logging.getLogger("planopt.server")
    port = config.port
    holder = None
    if port == 0:  # pick a port every child can share, and hold it while they bind
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind((config.host, 0))
        port = holder.getsockname()[1]
    ctx = mp.get_context("spawn")
    stop_event = ctx.Event()
    ready = ctx.Queue()
    procs = []
    for i in range(processes):
        child_config = dataclasses.replace(
            config,
            port=port,
            reuse_port=True,
            metrics_port=None
            if config.metrics_port is None
            else (config.metrics_port + i if config.metrics_port else 0),
        )
        p = ctx.Process(target=_child, args=(child_config, grace, stop_event, ready, log_level), daemon=False)
        p.start()
        procs.append(p)
    started = 0
    deadline = time.monotonic() + 600
    while started < len(procs):
        try:
            ready.get(timeout=0.5)
            started += 1
        except queue.Empty:
            if any(not p.is_alive() for p in procs) or time.monotonic() > deadline or stop.is_set():
                log.error("a server process failed to start; stopping the group")
                stop_event.set()
                for p in procs:
                    p.join(30)
                return 1
    if holder is not None:
        holder.close()
    log.info("%d processes listening on %s:%d (warming up)", len(procs), config.host, port)
    write_port_file(port_file, port)
    while not stop.wait(0.5):
        if any(not p.is_alive() for p in procs):
            log.error("a server process died; stopping the group")
            break
    stop_event.set()
    codes = []
    for p in procs:
        p.join(grace + 30)
        if p.is_alive():
            p.kill()
        codes.append(p.exitcode)
    if any(c != 0 for c in codes):
        log.error("server processes exited with codes %s", codes)
        return 1
    return 0
