"""Response cache: identical requests get the stored answer instead of a second computation.

Every planopt computation is a pure function of its request (the request's seeds included), so
two calls whose deterministic serialisations hash alike (``Receipt.request_sha256``) have the
same answer. Planners toggle between what-ifs, dashboards re-ask the same evaluation, and
services retry; a hit costs the hash and a copy (~0.1 ms on the demo) instead of the model
(~3 ms for EvaluatePlan, ~0.3 s for OptimizePlan on the demo team).

Used by OptimizePlan, EvaluatePlan and CompareScenarios. What is kept: only answers that do not
depend on when or how long the call ran — never a
``FEASIBLE_TIME_LIMIT``, ``NO_FEASIBLE_POINT_YET`` or ``CANCELLED`` result (those depend on the
deadline), never an error. The cache is soft state: bounded by the responses' serialised bytes
(least recently used out first), per process, lost on restart, and it never changes an answer —
the server stays stateless. A hit is marked ``Receipt.cached = true`` and its ``elapsed`` is
that call's own time.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import numpy as np
from cachetools import LRUCache
from planopt.client.requests import ROSTER_NUMERIC

# Termination reasons whose result depends on the call's deadline or its cancellation.
TIME_DEPENDENT = frozenset({"FEASIBLE_TIME_LIMIT", "NO_FEASIBLE_POINT_YET", "CANCELLED"})


def deadline_independent(solution: Any) -> bool:
    """Whether a solve's answer depends only on its request (``solvers.optimize.Solution``):
    nothing cut short by a time limit or a cancellation, so it may be cached."""
    return not solution.time_limited and solution.termination.value not in TIME_DEPENDENT


class ResponseCache:
    """Thread-safe LRU of response messages keyed by (method, request digest), bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(int(max_bytes), 0)
        self._lru: LRUCache[tuple[str, str], tuple[Any, int]] = LRUCache(
            maxsize=max(self.max_bytes, 1), getsizeof=lambda entry: entry[1]
        )
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def bytes(self) -> int:
        with self._lock:
            return int(self._lru.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._lru)

    def get(self, method: str, digest: str) -> Any | None:
        """A fresh copy of the stored response (the caller may edit it), or None."""
        if not self.enabled:
            return None
        with self._lock:
            entry = self._lru.get((method, digest))
        if entry is None:
            return None
        stored = entry[0]
        copy = type(stored)()
        copy.CopyFrom(stored)
        return copy

    def put(self, method: str, digest: str, response: Any) -> bool:
        """Keep a copy of ``response``; False when it is larger than the whole cache."""
        if not self.enabled:
            return False
        size = response.ByteSize()
        if size > self.max_bytes:
            return False
        stored = type(response)()
        stored.CopyFrom(response)
        with self._lock:
            self._lru[(method, digest)] = (stored, size)
        return True


class ModelCache:
    """Thread-safe LRU of prepared ``PlanModel``s, keyed by what their roster arrays depend on:
    the roster, the plan's role order and the behaviour model (``model_key``). A request's
    constraints and objective are applied to a copy (``PlanModel.with_problem``), so the cached
    model itself is never evaluated and concurrent calls share only read-only arrays.

    What-if traffic asks about one team again and again (EvaluatePlan on the demo: preparing the
    model was ~0.18 of ~1.05 ms in process). Bounded in reps (least recently used out first):
    the arrays are ~150 bytes per rep. Soft state like ``ResponseCache``: it never changes an
    answer."""

    def __init__(self, max_reps: int) -> None:
        self.max_reps = max(int(max_reps), 0)
        self._lru: LRUCache[str, Any] = LRUCache(
            maxsize=max(self.max_reps, 1), getsizeof=lambda model: max(int(model.n), 1)
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def model(self, problem: Any) -> Any:
        """A ``PlanModel`` for ``problem``: a copy of the cached one for its roster, or new."""
        from planopt.solvers.model import PlanModel

        if self.max_reps <= 0 or problem.roster.size > self.max_reps:
            return PlanModel(problem)
        key = model_key(problem)
        with self._lock:
            base = self._lru.get(key)
            if base is not None:
                self.hits += 1
        if base is None:
            base = PlanModel(problem)  # outside the lock: other calls go on meanwhile
            with self._lock:
                self.misses += 1
                self._lru[key] = base
        return base.with_problem(problem)


def model_key(problem: Any) -> str:
    """Digest of everything a ``PlanModel``'s roster arrays depend on: every roster column, the
    plan's role order and the behaviour model (not constraints, objective or plan values)."""
    roster = problem.roster
    digest = hashlib.sha256()
    for name in ("rep_id", "role", "equity_group"):
        digest.update("\x1f".join(getattr(roster, name)).encode())
        digest.update(b"\x1e")
    for name in ROSTER_NUMERIC:
        digest.update(np.ascontiguousarray(getattr(roster, name), dtype=np.float64).tobytes())
    digest.update(repr(tuple(problem.template.roles)).encode())
    digest.update(repr(problem.model).encode())
    return digest.hexdigest()
