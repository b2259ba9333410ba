"""The floor of a unary call in Python gRPC on this box: a server that answers EvaluatePlan with a
prebuilt response (no validation, no model, no logging), sync (thread pool, as planopt's server)
and ``grpc.aio``, under the load-test SDK's open-loop load. What planopt's own EvaluatePlan costs
above this is its handler and plumbing, not gRPC.

    python -m bench.grpc_floor [--rates 500,1000] [--seconds 6] [--json]

Each line: server kind, offered rate, OK/s, p50/p99 latency (ms), and the server process's CPU
time per answered call (``/proc``, user + system), the two kinds alternating twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import grpc
from planopt.client.loadtest import build_request, connections, run_load
from planopt.server.process import free_port
from planopt.v1 import planopt_pb2 as pb
from planopt.v1 import planopt_pb2_grpc as pb_grpc


def _response() -> pb.EvaluatePlanResponse:
    """The size of a demo answer's per-rep part (45 reps)."""
    resp = pb.EvaluatePlanResponse()
    resp.metrics.mean_attainment = 0.8
    resp.reps.rep_id.extend(f"r{i}" for i in range(45))
    resp.reps.attainment.extend([0.8] * 45)
    resp.reps.pay_usd.extend([170_000.0] * 45)
    return resp


def serve(kind: str, port: int) -> None:
    resp = _response()

    class Sync(pb_grpc.PlanOptimizerServicer):
        def EvaluatePlan(self, request, context):  # type: ignore[no-untyped-def]
            return resp

    class Aio(pb_grpc.PlanOptimizerServicer):
        async def EvaluatePlan(self, request, context):  # type: ignore[no-untyped-def]
            return resp

    if kind == "sync":
        server = grpc.server(ThreadPoolExecutor(4))
        pb_grpc.add_PlanOptimizerServicer_to_server(Sync(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        server.start()
        print("ready", flush=True)
        server.wait_for_termination()
        return

    async def main() -> None:
        server = grpc.aio.server()
        pb_grpc.add_PlanOptimizerServicer_to_server(Aio(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        print("ready", flush=True)
        await server.wait_for_termination()

    asyncio.run(main())


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="500,1000")
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--serve", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    request = build_request("evaluate")
    for kind in ("sync", "aio", "sync", "aio"):
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.grpc_floor", "--serve", kind, str(port)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            clients = connections(f"127.0.0.1:{port}", 1)
            run_load(clients, "evaluate", request, 200, 1.0)  # warm the connection
            for rate in (float(r) for r in args.rates.split(",")):
                before = _cpu_s(proc.pid)
                r = run_load(clients, "evaluate", request, rate, args.seconds)
                ok = r.codes.get("OK", 0)
                row = {
                    "server": kind,
                    "rate": rate,
                    "ok_qps": round(r.ok_qps, 1),
                    "p50_ms": r.latency_ms["p50"],
                    "p99_ms": r.latency_ms["p99"],
                    "server_cpu_us_per_call": round(1e6 * (_cpu_s(proc.pid) - before) / max(ok, 1)),
                }
                print(json.dumps(row) if args.json else row, flush=True)
            for c in clients:
                c.close()
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
