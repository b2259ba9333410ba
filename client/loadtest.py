"""Open-loop load tests of a planopt server (``planopt-loadtest``, or import ``run_load``).

Requests are *scheduled* at a constant rate (request i at t0 + i / rate) whatever the server does,
and each latency is measured from its scheduled time, not from when it was actually sent: a
server that stalls is charged for the whole queue it causes (no coordinated omission, unlike a
closed loop). ``concurrency`` bounds the calls outstanding at once; a call that has to wait for a
free slot still counts from its scheduled time. Latencies go into HDR histograms (``hdrhistogram``,
3 significant digits, 1 µs to 10 min), overall and per status code.

    planopt-loadtest --target 127.0.0.1:50051 --rpc optimize --rate 50 --duration 30 --demo --json

Needs ``pip install 'planopt[loadtest]'`` (the thin client plus hdrhistogram).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from hdrh.histogram import HdrHistogram
from planopt.client.client import PlanClient
from planopt.client.requests import build_options, csv_request, demo_request, evaluate_request_from
from planopt.v1 import planopt_pb2 as pb

PERCENTILES = (50.0, 90.0, 99.0, 99.9)
_MAX_US = 600_000_000


def _histogram() -> HdrHistogram:
    return HdrHistogram(1, _MAX_US, 3)


@dataclass
class LoadResult:
    rpc: str
    target_rate: float
    duration_s: float
    scheduled: int
    completed: int
    elapsed_s: float
    codes: dict[str, int]
    latency_ms: dict[str, float]  # p50/p90/p99/p99.9/max/mean over all completed calls
    latency_ms_by_code: dict[str, dict[str, float]] = field(default_factory=dict)
    max_send_lag_ms: float = 0.0  # worst delay between a call's schedule and its send
    distinct: bool = False  # every call a different request (a server-side cache cannot answer)

    @property
    def achieved_qps(self) -> float:
        return self.completed / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def ok_qps(self) -> float:
        return self.codes.get("OK", 0) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rpc": self.rpc,
            "target_rate": self.target_rate,
            "duration_s": self.duration_s,
            "scheduled": self.scheduled,
            "completed": self.completed,
            "elapsed_s": round(self.elapsed_s, 3),
            "achieved_qps": round(self.achieved_qps, 2),
            "ok_qps": round(self.ok_qps, 2),
            "codes": self.codes,
            "latency_ms": self.latency_ms,
            "latency_ms_by_code": self.latency_ms_by_code,
            "max_send_lag_ms": round(self.max_send_lag_ms, 3),
            "distinct": self.distinct,
        }

    def format(self) -> str:
        lines = [
            f"{self.rpc}: {self.completed}/{self.scheduled} calls in {self.elapsed_s:.1f}s at target "
            f"{self.target_rate:g}/s -> {self.achieved_qps:.1f}/s completed, {self.ok_qps:.1f}/s OK"
            + (" (distinct requests)" if self.distinct else " (one request repeated)"),
            "codes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.codes.items())),
            "latency ms (from scheduled time): " + "  ".join(f"{k} {v:.2f}" for k, v in self.latency_ms.items()),
        ]
        for code, lat in sorted(self.latency_ms_by_code.items()):
            lines.append(f"  {code:<20} " + "  ".join(f"{k} {v:.2f}" for k, v in lat.items()))
        return "\n".join(lines)


def _summary(h: HdrHistogram) -> dict[str, float]:
    if h.get_total_count() == 0:
        return {}
    out = {f"p{p:g}": h.get_value_at_percentile(p) / 1000.0 for p in PERCENTILES}
    out["max"] = h.get_max_value() / 1000.0
    out["mean"] = round(h.get_mean_value() / 1000.0, 3)
    return out


def run_load(
    client: PlanClient | Sequence[PlanClient],
    rpc: str,
    request: pb.OptimizePlanRequest | pb.EvaluatePlanRequest,
    rate: float,
    duration_s: float,
    concurrency: int = 64,
    timeout_s: float = 10.0,
    distinct: bool = False,
    first_seed: int | None = None,
) -> LoadResult:
    """Send ``rate`` calls per second for ``duration_s`` seconds (open loop); wait for them all.

    Several clients (each its own connection, see ``connections``) take calls in turn: a
    multi-process server behind SO_REUSEPORT balances connections, not calls. With
    ``distinct``, call i carries seed ``first_seed + i`` (``options.seed`` /
    ``monte_carlo.seed``; ``first_seed`` random by default, so runs against the same server do
    not repeat each other either): no two requests are identical and the server's response cache
    cannot answer any of them, which measures computation; without it, one request repeated
    measures the cache-hit path."""
    if rate <= 0 or duration_s <= 0 or concurrency < 1:
        raise ValueError("rate, duration and concurrency must be positive")
    if rpc not in ("optimize", "evaluate"):
        raise ValueError(f"rpc must be 'optimize' or 'evaluate', got {rpc!r}")
    clients = [client] if isinstance(client, PlanClient) else list(client)
    # Bytes in, bytes out: the request is serialized once and a distinct call's seed appended
    # (``seeded_bytes``), and replies are not parsed (only their status is used), so the load
    # generator spends its CPU on gRPC, not on protobuf (it shares the box with the server).
    method = "OptimizePlan" if rpc == "optimize" else "EvaluatePlan"
    methods = [c.bytes_method(method) for c in clients]
    payload = request.SerializeToString()
    metadata = clients[0].call_metadata()
    total = _histogram()
    by_code: dict[str, HdrHistogram] = {}
    codes: Counter[str] = Counter()
    lock = threading.Lock()
    slots = threading.Semaphore(concurrency)
    outstanding = threading.Semaphore(0)
    n = max(round(rate * duration_s), 1)
    interval = 1.0 / rate
    max_lag = 0.0
    if first_seed is None:
        first_seed = int.from_bytes(os.urandom(6), "little")

    def done(future: grpc.Future, scheduled: float) -> None:
        latency_us = max(int((time.monotonic() - scheduled) * 1e6), 1)
        code = future.code().name if future.code() is not None else "UNKNOWN"
        with lock:
            codes[code] += 1
            total.record_value(min(latency_us, _MAX_US))
            by_code.setdefault(code, _histogram()).record_value(min(latency_us, _MAX_US))
        slots.release()
        outstanding.release()

    # One open health watch per connection for the run: gRPC's sync client starts a thread to
    # poll a channel whenever its first call is in flight and ends it when none is, so a
    # connection that idles between calls paid for a new thread per call (a quarter of the load
    # generator's CPU at 700 calls/s over 32 connections).
    watches = [c.channel.unary_stream("/grpc.health.v1.Health/Watch")(b"", metadata=metadata) for c in clients]
    t0 = time.monotonic()
    for i in range(n):
        scheduled = t0 + i * interval
        delay = scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        slots.acquire()
        max_lag = max(max_lag, time.monotonic() - scheduled)
        call = seeded_bytes(payload, request, first_seed + i) if distinct else payload
        future = methods[i % len(methods)].future(call, timeout=timeout_s, metadata=metadata)
        future.add_done_callback(lambda f, s=scheduled: done(f, s))
    for _ in range(n):
        outstanding.acquire()
    elapsed = time.monotonic() - t0
    for watch in watches:
        watch.cancel()
    return LoadResult(
        rpc=rpc,
        target_rate=rate,
        duration_s=duration_s,
        scheduled=n,
        completed=sum(codes.values()),
        elapsed_s=elapsed,
        codes=dict(codes),
        latency_ms=_summary(total),
        latency_ms_by_code={k: _summary(h) for k, h in by_code.items()},
        max_send_lag_ms=max_lag * 1000.0,
        distinct=distinct,
    )


def with_seed(
    request: pb.OptimizePlanRequest | pb.EvaluatePlanRequest, seed: int
) -> pb.OptimizePlanRequest | pb.EvaluatePlanRequest:
    """A copy of ``request`` with its seed set (multi-start seed, or Monte Carlo seed)."""
    out = type(request)()
    out.CopyFrom(request)
    if isinstance(out, pb.OptimizePlanRequest):
        out.options.seed = seed
    else:
        out.monte_carlo.seed = seed
    return out


def seeded_bytes(payload: bytes, request: pb.OptimizePlanRequest | pb.EvaluatePlanRequest, seed: int) -> bytes:
    """``with_seed(request, seed)``'s wire form from ``payload`` (``request`` serialized): the
    seed's own message appended. Protobuf parses concatenated messages as one, merging embedded
    messages and keeping the last value of a scalar field, so the server reads exactly
    ``with_seed(request, seed)`` (a test checks) at the cost of a few bytes."""
    if seed == 0:  # proto3 writes no default value, so nothing to append would override a seed
        return with_seed(request, 0).SerializeToString()
    if isinstance(request, pb.OptimizePlanRequest):
        tail = pb.OptimizePlanRequest(options=pb.SolveOptions(seed=seed))
    else:
        tail = pb.EvaluatePlanRequest(monte_carlo=pb.MonteCarloOptions(seed=seed))
    return payload + tail.SerializeToString()


# connections(count=0, balance=True): this many per server process (one for a single process).
AUTO_PER_PROCESS = 8


def connections(target: str, count: int, balance: bool = False, **kwargs: Any) -> list[PlanClient]:
    """``count`` clients of ``target``, each on its own TCP connection (a local subchannel pool).

    A multi-process server (``--processes``) shares its port through SO_REUSEPORT: the kernel
    hashes each new connection to one process, so a few connections load the processes
    unevenly (60/40 with 32 connections was common: the busier process sheds while the other
    idles). With ``balance``, once the server is SERVING each new connection is asked which
    process it reached (a VALIDATE_ONLY OptimizePlan, whose ``planopt-process`` trailer says
    "index/count") and kept only while that process has fewer than its share, so the returned
    connections are spread evenly and ordered round-robin over the processes. A server that
    sends no trailer (one process) keeps the first ``count``; so does one that refuses the probe.
    ``count=0`` with ``balance``: ``AUTO_PER_PROCESS`` per process of a group, one otherwise.
    Returns once every process it reached reports SERVING (each warms up on its own)."""

    def client() -> PlanClient:
        return PlanClient(target, options=[("grpc.use_local_subchannel_pool", 1)], **kwargs)

    if not balance:
        return [client() for _ in range(max(count, 1))]
    probe = demo_request(build_options(validate_only=True))
    kept: dict[int, list[PlanClient]] = {}
    extra: list[PlanClient] = []
    share = 0
    attempts = 0
    while attempts < 20 * max(count, 1):
        attempts += 1
        c = client()
        if attempts == 1:
            c.wait_until_serving()
        group = _process_of(c, probe)
        if group is None:  # no trailer: nothing to balance
            extra.append(c)
            if len(extra) >= max(count, 1):
                return extra
            continue
        index, processes = group
        count = count or AUTO_PER_PROCESS * processes
        share = -(-count // processes)
        if len(kept.setdefault(index, [])) < share:
            kept[index].append(c)
        else:
            c.close()
        if len(kept) == processes and all(len(v) == share for v in kept.values()):
            break
    count = max(count, 1)
    for c in extra:
        c.close()
    ordered = [c for row in itertools.zip_longest(*kept.values()) for c in row if c is not None]
    for c in ordered[count:]:
        c.close()
    # each process warms up (and reports health) on its own: wait for every one reached
    for row in kept.values():
        row[0].wait_until_serving()
    return ordered[:count] + [client() for _ in range(count - len(ordered))]  # (short only if unlucky)


def _process_of(c: PlanClient, probe: pb.OptimizePlanRequest) -> tuple[int, int] | None:
    """The (index, count) a connection's server process reports, or None."""
    try:
        _, call = c.stub.OptimizePlan.with_call(probe, timeout=30.0, metadata=c.call_metadata())
    except grpc.RpcError:
        return None
    for key, value in call.trailing_metadata() or ():
        if key == "planopt-process":
            index, _, total = str(value).partition("/")
            return int(index), int(total)
    return None


def build_request(rpc: str, roster_csv: str | None = None) -> pb.OptimizePlanRequest | pb.EvaluatePlanRequest:
    """The demo request, or the demo plan and constraints on a roster from CSV."""
    request = demo_request() if roster_csv is None else csv_request(roster_csv)
    return request if rpc == "optimize" else evaluate_request_from(request)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="planopt-loadtest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", required=True, help="host:port (or dns:///name:port with --round-robin)")
    ap.add_argument("--rpc", choices=("optimize", "evaluate"), default="evaluate")
    ap.add_argument("--rate", type=float, required=True, help="calls per second (open loop)")
    ap.add_argument("--duration", type=float, required=True, help="seconds of load")
    ap.add_argument("--concurrency", type=int, default=64, help="most calls outstanding at once")
    ap.add_argument("--timeout", type=float, default=10.0, help="deadline of each call, seconds")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help="the seed-000 demo team (default)")
    src.add_argument("--roster", help="CSV roster (demo plan and constraints applied per role)")
    ap.add_argument("--token", help="bearer token")
    ap.add_argument("--tls-ca", help="PEM CA: use TLS")
    ap.add_argument("--round-robin", action="store_true", help="balance over every resolved address")
    ap.add_argument(
        "--connections",
        type=int,
        default=0,
        help="TCP connections, taking calls in turn and spread evenly over a multi-process server's processes unless --no-balance; 0 (default): 8 per process of a multi-process server, else 1",
    )
    ap.add_argument(
        "--no-balance",
        action="store_true",
        help="keep the connections as the kernel spreads them, instead of an equal number per server process",
    )
    ap.add_argument(
        "--distinct",
        action="store_true",
        help="give each call its own seed (a random base + i), so no request repeats and the server's response cache cannot answer",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    request = build_request(args.rpc, args.roster)
    clients = connections(
        args.target,
        args.connections,
        balance=not args.no_balance,
        token=args.token,
        tls_ca=args.tls_ca,
        round_robin=args.round_robin,
        max_attempts=1,
    )
    try:
        clients[0].wait_until_serving(timeout=300)
        result = run_load(
            clients, args.rpc, request, args.rate, args.duration, args.concurrency, args.timeout, args.distinct
        )
    finally:
        for c in clients:
            c.close()
    print(json.dumps(result.to_dict()) if args.json else result.format())
    return 0


if __name__ == "__main__":
    sys.exit(main())
