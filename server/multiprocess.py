"""Multi-process serving: N spawned server processes share one port through SO_REUSEPORT."""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Sequence
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


# --cpu-affinity: how a group's processes share the CPUs this server may run on.
AFFINITY_MODES = ("split", "inherit")


def cpu_shares(cpus: Sequence[int], processes: int) -> list[set[int]]:
    """Disjoint, contiguous, near-equal shares of ``cpus``, one per process (the first
    ``len(cpus) % processes`` shares one CPU larger); with more processes than CPUs, process i
    gets CPU ``i mod len(cpus)`` alone."""
    ordered = sorted(cpus)
    if not ordered or processes < 1:
        raise ValueError(f"no CPUs to share ({ordered}) or no processes ({processes})")
    if processes >= len(ordered):
        return [{ordered[i % len(ordered)]} for i in range(processes)]
    size, extra = divmod(len(ordered), processes)
    shares, start = [], 0
    for i in range(processes):
        stop = start + size + (1 if i < extra else 0)
        shares.append(set(ordered[start:stop]))
        start = stop
    return shares


def run_group(
    config: ServerConfig,
    processes: int,
    grace: float,
    log_level: str,
    port_file: str | None,
    stop: threading.Event,
    affinity: str = "split",
) -> int:
    """N spawned processes bind one port with SO_REUSEPORT (the kernel spreads connections).

    Spawn, not fork: JAX/XLA and gRPC threads do not survive a fork. Each process compiles (or
    loads from the shared persistent cache) its own JIT buckets and has its own health; a
    metrics port, if set, is metrics_port + process index.

    ``affinity="split"`` (the default) starts each process on its own share of the CPUs this
    server may use (``cpu_shares``; a spawned process inherits the affinity of the thread that
    starts it, so it holds from the child's first instruction). XLA sizes its CPU thread pool
    from the affinity, so each process's kernels run on its share instead of every process
    spreading every small kernel over every core: on this 2-core box, 2 processes took 1.46-1.52
    ms of CPU per distinct EvaluatePlan against 3.1-3.6 ms, and 42-45 ms per OptimizePlan
    against 53-55 ms (README, "Throughput and overload"). ``"inherit"``: every process may run
    on every CPU."""
    if affinity not in AFFINITY_MODES:
        raise ValueError(f"affinity must be one of {AFFINITY_MODES}, not {affinity!r}")
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
    own_cpus = os.sched_getaffinity(0)
    shares = cpu_shares(sorted(own_cpus), processes) if affinity == "split" else [own_cpus] * processes
    for i in range(processes):
        child_config = dataclasses.replace(
            config,
            port=port,
            reuse_port=True,
            process_tag=f"{i}/{processes}",
            metrics_port=None
            if config.metrics_port is None
            else (config.metrics_port + i if config.metrics_port else 0),
        )
        p = ctx.Process(target=_child, args=(child_config, grace, stop_event, ready, log_level), daemon=False)
        os.sched_setaffinity(0, shares[i])  # this thread's: the child inherits it
        try:
            p.start()
        finally:
            os.sched_setaffinity(0, own_cpus)
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
    log.info(
        "%d processes listening on %s:%d (warming up), CPUs %s",
        len(procs),
        config.host,
        port,
        " / ".join(",".join(map(str, sorted(s))) for s in shares),
    )
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
