"""Admission control: at most ``workers`` RPCs compute, at most ``queue`` more wait, the rest are
refused at once with RESOURCE_EXHAUSTED.

gRPC's own ``maximum_concurrent_rpcs`` also counts health checks and cannot tell a queued call's
deadline, so the server admits here instead (and keeps gRPC's limit only as a looser backstop).
A queued call waits for a slot no longer than its deadline and gives up as soon as its caller
has gone, so no worker ever starts computing for a caller that cannot receive the answer.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class Shed(Exception):
    """The server is full: the caller should back off (RESOURCE_EXHAUSTED)."""


class QueueTimeout(Exception):
    """The call's deadline passed (or its caller went away) while it waited for a worker."""

    def __init__(self, cancelled: bool) -> None:
        super().__init__("cancelled while queued" if cancelled else "deadline passed while queued")
        self.cancelled = cancelled


class Admission:
    def __init__(self, workers: int, queue: int, poll_s: float = 0.02) -> None:
        if workers < 1 or queue < 0:
            raise ValueError(f"workers must be >= 1 and queue >= 0 (got {workers}, {queue})")
        self.workers = workers
        self.limit = workers + queue
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._waiters: deque[threading.Event] = deque()  # FIFO: a freed slot goes to the oldest
        self._admitted = 0
        self._running = 0
        self._service_s: dict[str, float] = {}  # EWMA of compute time per kind of call

    @property
    def admitted(self) -> int:
        return self._admitted

    @property
    def running(self) -> int:
        return self._running

    def expected_wait_s(self, kind: str) -> float:
        """Rough queueing delay for a new call: the calls ahead of it, served ``workers`` at a
        time, each taking the recent mean compute time of this kind of call."""
        ahead = max(self._admitted - self.workers + 1, 0)
        return ahead / self.workers * self._service_s.get(kind, 0.0)

    def record(self, kind: str, seconds: float) -> None:
        with self._lock:
            old = self._service_s.get(kind)
            self._service_s[kind] = seconds if old is None else 0.8 * old + 0.2 * seconds

    def enter(self, deadline: float | None, is_active: Callable[[], bool], kind: str = "") -> None:
        """Take a compute slot, waiting in the bounded FIFO queue; raises Shed or QueueTimeout.

        A call that would queue past its deadline is refused at once (Shed) rather than admitted
        to time out later: the caller learns in milliseconds and can go elsewhere.
        """
        with self._lock:
            if self._admitted >= self.limit:
                raise Shed(f"server full: {self._admitted} calls admitted (limit {self.limit})")
            if deadline is not None and self._admitted >= self.workers:
                wait = self.expected_wait_s(kind)
                if time.monotonic() + wait >= deadline:
                    raise Shed(f"server busy: expected queueing {wait:.2f}s exceeds the call's deadline")
            self._admitted += 1
            if self._running < self.workers and not self._waiters:
                self._running += 1
                return
            turn = threading.Event()
            self._waiters.append(turn)
        while not turn.wait(self.poll_s):
            cancelled = not is_active()
            if cancelled or (deadline is not None and time.monotonic() >= deadline):
                with self._lock:
                    if turn.is_set():  # the slot arrived meanwhile: give it back properly
                        break
                    self._waiters.remove(turn)
                    self._admitted -= 1
                raise QueueTimeout(cancelled=cancelled)

    def leave(self) -> None:
        with self._lock:
            self._admitted -= 1
            if self._waiters:
                self._waiters.popleft().set()  # the slot passes straight to the oldest waiter
            else:
                self._running -= 1
