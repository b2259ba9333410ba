"""Service throughput, tail latency, overload shedding and recovery, measured with the load-test
SDK (open loop, HDR histograms) against a real server process on loopback.

    python -m bench.service [--workers 2] [--processes N [--cpu-affinity split|inherit]]
                            [--connections C] [--overload-seconds 60] [--json]

Scenarios (each a JSON line): EvaluatePlan and OptimizePlan (demo team) at rising rates, every
call a distinct request (seed i), so the server computes each one; the same with one request
repeated (``*-cached``: the response-cache hit path); then OptimizePlan at 4x the highest
distinct rate that stayed healthy, for --overload-seconds (shed latency = latency of
RESOURCE_EXHAUSTED replies; admitted calls' deadline misses; server RSS before and after); then
the sustainable rate again (recovery). Each row also has the server's CPU time (every process
of a group, from /proc) per OK call.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
from pathlib import Path

from planopt.client import PlanClient
from planopt.client.loadtest import AUTO_PER_PROCESS, LoadResult, build_request, connections, run_load
from planopt.server.multiprocess import AFFINITY_MODES
from planopt.server.process import start_server_process


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def rss_mb(pid: int) -> float:
    """Resident MiB of ``pid`` and its live children (a multi-process group's servers)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        with contextlib.suppress(OSError), open(f"/proc/{p}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024.0
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its live children (a multi-process group's servers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def start_server(workers: int, queue: int, processes: int = 1, affinity: str = "split") -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    return start_server_process(
        [
            "--cpu-affinity",
            affinity,
            "--workers",
            str(workers),
            "--queue",
            str(queue),
            "--processes",
            str(processes),
            "--warm-buckets",
            "48",
            "--log-level",
            "WARNING",
        ]
    )


def healthy(r: LoadResult, p99_ms: float) -> bool:
    return r.codes.get("OK", 0) == r.scheduled and r.latency_ms.get("p99", 1e9) <= p99_ms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--queue", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of each rate step")
    ap.add_argument("--overload-seconds", type=float, default=60.0)
    ap.add_argument("--processes", type=int, default=1, help="server processes (SO_REUSEPORT group)")
    ap.add_argument("--cpu-affinity", choices=AFFINITY_MODES, default="split", help="the server's --cpu-affinity")
    ap.add_argument(
        "--connections",
        type=int,
        help="client TCP connections, spread evenly over a group's processes (default 4, or 8 per process)",
    )
    ap.add_argument("--only", choices=("evaluate", "optimize"), help="one RPC's rate steps, no overload phase")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    proc, target = start_server(args.workers, args.queue, args.processes, args.cpu_affinity)

    def emit(tag: str, r: LoadResult, **extra: object) -> None:
        row = {"scenario": tag, **r.to_dict(), **extra}
        print(json.dumps(row) if args.json else f"[{tag}] {r.format()} {extra or ''}", flush=True)

    try:
        count = args.connections or (4 if args.processes == 1 else AUTO_PER_PROCESS * args.processes)
        clients = connections(target, count, balance=True, max_attempts=1)
        with PlanClient(target, max_attempts=1) as probe:
            probe.wait_until_serving(timeout=600)
        client = clients
        steps = (
            ("evaluate", (50, 100, 200, 400, 600, 800, 1000, 1200), 100.0, True),
            ("optimize", (1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 80, 100), 1000.0, True),
            ("evaluate", (400, 800, 1600), 100.0, False),
            ("optimize", (100, 200, 400), 100.0, False),
        )
        best_distinct = {}
        for rpc, rates, p99, distinct in steps:
            if args.only and rpc != args.only:
                continue
            request = build_request(rpc)
            run_load(client, rpc, request, rate=min(rates), duration_s=2.0, distinct=distinct)  # warm the path
            best = 0.0
            for rate in rates:
                cpu0 = cpu_seconds(proc.pid)
                r = run_load(
                    client, rpc, request, rate=rate, duration_s=args.seconds, timeout_s=10.0, distinct=distinct
                )
                cpu_ms = 1000.0 * (cpu_seconds(proc.pid) - cpu0) / max(r.codes.get("OK", 0), 1)
                tag = f"{rpc}@{rate}" if distinct else f"{rpc}-cached@{rate}"
                emit(tag, r, healthy=healthy(r, p99), server_cpu_ms_per_ok=round(cpu_ms, 3))
                if not healthy(r, p99):
                    break
                best = rate
            if distinct:
                best_distinct[rpc] = best
        if args.only:
            return
        # Overload: 4x the last healthy optimize rate, distinct requests (the cache cannot help).
        request = build_request("optimize")
        sustainable = max(best_distinct.get("optimize", 0.0), 1.0)
        before = rss_mb(proc.pid)
        r = run_load(
            client,
            "optimize",
            request,
            rate=4 * sustainable,
            duration_s=args.overload_seconds,
            concurrency=256,
            timeout_s=5.0,
            distinct=True,
        )
        after = rss_mb(proc.pid)
        emit(
            "overload_4x",
            r,
            sustainable_rate=sustainable,
            shed_ms=r.latency_ms_by_code.get("RESOURCE_EXHAUSTED", {}),
            deadline_exceeded=r.codes.get("DEADLINE_EXCEEDED", 0),
            rss_mb_before=round(before, 1),
            rss_mb_after=round(after, 1),
        )
        r = run_load(
            client, "optimize", request, rate=sustainable, duration_s=args.seconds, timeout_s=10.0, distinct=True
        )
        emit("recovery", r, healthy=healthy(r, 1000.0))
        for c in clients:
            c.close()
    finally:
        proc.terminate()
        proc.wait(60)


if __name__ == "__main__":
    main()
