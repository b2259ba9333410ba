"""Start ``python -m planopt.server`` as a child process on a free port (demo, benches, tests)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time


def start_server_process(
    args: list[str] | None = None, timeout_s: float = 120.0, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    """Spawn the server with ``--port 0`` plus ``args``; return it and its ``127.0.0.1:PORT`` once
    it listens (it may still be warming up: wait for health SERVING before calling it). The
    child's standard output goes to the caller's standard error (HiGHS prints a banner when it
    is loaded), so a caller's own output (a bench's JSON lines) stays clean."""
    port_file = os.path.join(tempfile.mkdtemp(prefix="planopt-"), "port")
    proc = subprocess.Popen(
        [sys.executable, "-m", "planopt.server", "--port", "0", "--port-file", port_file, *(args or [])],
        env=env,
        stdout=sys.stderr,
    )
    deadline = time.monotonic() + timeout_s
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"planopt server did not start (exit code {proc.poll()})")
        time.sleep(0.05)
    with open(port_file) as fh:
        return proc, f"127.0.0.1:{fh.read().strip()}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a child's ``--metrics-port``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_port_file(path: str | None, port: int) -> None:
    if path:
        with open(path + ".tmp", "w") as fh:
            fh.write(str(port))
        os.replace(path + ".tmp", path)


def exit_after_drain(code: int) -> None:
    """Leave a server process once it has drained, without interpreter finalization.

    At finalization CPython ends daemon threads that try to take the GIL with ``pthread_exit``;
    a thread parked inside a C++ library (gRPC, XLA, HiGHS) is then unwound through frames that
    swallow the forced unwind, and the process aborts ("FATAL: exception not rethrown") after a
    clean shutdown. By now every call has finished and the metrics endpoint is closed, so there
    is nothing left for finalization to do but flush the logs and standard streams.
    """
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
