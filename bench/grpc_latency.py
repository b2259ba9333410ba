"""Warm OptimizePlan through gRPC on the S, M and L instances, with the server's memory.

    python -m bench.grpc_latency --instance S|M|L|all [--repeats N] [--starts K]
                                 [--time-limit SECONDS] [--json]

For each instance a server is started in its own process (one worker, response cache off, so
every call is computed; its kernels compiled for the instance's roster size before SERVING),
the instance is sent once to warm the code paths, then ``--repeats`` timed calls follow. Each
result line has the client-side latency percentiles, the server's own solve time, the
termination and objective of the last call, and the server's resident memory: ``warm_rss_mib``
after warm-up, ``serve_peak_mib`` the largest resident set while it answered the calls (the
kernel's high-water mark, reset after warm-up through ``/proc/PID/clear_refs``; null where the
kernel refuses) and ``process_peak_mib`` its peak since it started (warm-up's JIT compile
included). ``--starts`` and ``--time-limit`` default to the server's own defaults (4 starts,
10 s), which is what a caller who sets neither gets. ``first_call_s`` and
``first_call_compiles``: the first call after SERVING, and the XLA compilations the server
counted while it answered it (its ``planopt_jit_compiles_total`` metric; the issue-4 target is 0).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from typing import Any

import numpy as np
from planopt.client import PlanClient
from planopt.client.requests import (
    LEVERS,
    ROSTER_NUMERIC,
    build_constraints,
    build_market,
    build_objective,
    build_options,
    build_plan,
    build_roster,
    model_options,
)
from planopt.server.process import free_port, start_server_process
from planopt.solvers.model import bucket_size
from planopt.solvers.problem import ObjectiveKind, PlanProblem
from planopt.v1 import planopt_pb2 as pb
from prometheus_client.parser import text_string_to_metric_families

from bench.instances import instance

_OBJECTIVES = {
    ObjectiveKind.ATTAINMENT: "attainment",
    ObjectiveKind.QUOTA_WEIGHTED_ATTAINMENT: "quota_weighted_attainment",
    ObjectiveKind.REVENUE: "revenue",
    ObjectiveKind.PROFIT: "profit",
}


def request_from_problem(problem: PlanProblem, options: pb.SolveOptions) -> pb.OptimizePlanRequest:
    """The OptimizePlan request that carries exactly ``problem`` (roster, plan with its free
    levers and bounds, market, constraints, objective, behaviour model)."""
    r = problem.roster
    roster: dict[str, Any] = {"rep_id": list(r.rep_id), "role": list(r.role), "equity_group": list(r.equity_group)}
    for name in ROSTER_NUMERIC:
        roster[name] = np.asarray(getattr(r, name), dtype=float)
    t = problem.template
    plan = {
        role: {
            lever: (float(t.value[i, j]), float(t.lower[i, j]), float(t.upper[i, j]))
            if t.free[i, j]
            else float(t.value[i, j])
            for j, lever in enumerate(LEVERS)
        }
        for i, role in enumerate(t.roles)
    }
    c = problem.constraints
    if c.cost_of_sales_risk is not None:
        raise ValueError("the bench instances carry no cost-of-sales risk constraint")
    constraints = {
        "max_cost_of_sales": c.max_cost_of_sales,
        "ote_band_fraction": c.ote_band_fraction,
        "max_equity_gap": c.max_equity_gap,
        "max_attrition": c.max_attrition,
        "salary_floor_usd": c.salary_floor_usd,
        "max_adjusted_equity_gap": c.max_adjusted_equity_gap,
        "mix": {role: (m.min_base_share, m.max_base_share) for role, m in c.mix.items()},
    }
    return pb.OptimizePlanRequest(
        roster=build_roster(roster),
        market=build_market(problem.market_ote_usd),
        plan=build_plan(plan),
        constraints=build_constraints(constraints),
        objective=build_objective(_OBJECTIVES[problem.objective.kind], problem.objective.gross_margin),
        model=model_options(problem.model.temperature_usd, problem.model.attrition_scale_usd),
        options=options,
    )


def _status_mib(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _reset_peak(pid: int) -> bool:
    """Reset the process's resident high-water mark (VmHWM); False where the kernel refuses."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _jit_compiles(metrics_port: int) -> float:
    """The server's count of XLA compilations so far (``planopt_jit_compiles_total``)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=30) as resp:
        text = resp.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "planopt_jit_compiles_total":
                return float(sample.value)
    raise RuntimeError("the server exports no planopt_jit_compiles_total")


def bench(name: str, repeats: int, starts: int, time_limit: float | None) -> dict[str, Any]:
    problem = instance(name)
    options = build_options(time_limit_s=time_limit, num_starts=starts)
    request = request_from_problem(problem, options)
    bucket = bucket_size(problem.roster.size)
    metrics_port = free_port()
    server_args = ["--workers", "1", "--queue", "1", "--warm-buckets", str(bucket), "--response-cache-mib", "0"]
    proc, target = start_server_process([*server_args, "--log-level", "WARNING", "--metrics-port", str(metrics_port)])
    try:
        with PlanClient(target, timeout=3600.0) as client:
            client.wait_until_serving(timeout=1800)
            warm_rss = _status_mib(proc.pid, "VmRSS")
            reset = _reset_peak(proc.pid)
            compiled = _jit_compiles(metrics_port)
            t0 = time.perf_counter()
            client.optimize_plan_raw(request)  # the first call after SERVING
            first_call = time.perf_counter() - t0
            first_compiles = _jit_compiles(metrics_port) - compiled
            latencies, solve = [], []
            resp = None
            for _ in range(repeats):
                t0 = time.perf_counter()
                resp = client.optimize_plan_raw(request)
                latencies.append(time.perf_counter() - t0)
                solve.append(resp.stats.elapsed.ToTimedelta().total_seconds())
            serve_peak = _status_mib(proc.pid, "VmHWM") if reset else None
            process_peak = None if reset else _status_mib(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(60)
    assert resp is not None
    lat = np.asarray(latencies)
    return {
        "instance": name,
        "reps": problem.roster.size,
        "request_mib": round(request.ByteSize() / 2**20, 2),
        "starts": starts or None,
        "time_limit_s": time_limit,
        "repeats": repeats,
        "p50_s": float(np.percentile(lat, 50)),
        "p90_s": float(np.percentile(lat, 90)),
        "max_s": float(lat.max()),
        "first_call_s": first_call,
        "first_call_compiles": int(first_compiles),
        "server_solve_p50_s": statistics.median(solve),
        "termination": pb.Termination.Reason.Name(resp.termination.reason),
        "objective": resp.metrics.objective,
        "max_violation": resp.certificate.max_violation,
        "kkt_residual": resp.certificate.kkt_residual,
        "iterations": resp.stats.iterations,
        "warm_rss_mib": round(warm_rss, 1),
        "serve_peak_mib": None if serve_peak is None else round(serve_peak, 1),
        "process_peak_mib": None if process_peak is None else round(process_peak, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instance", default="S", choices=["S", "M", "L", "all"])
    ap.add_argument("--repeats", type=int, default=0, help="timed calls (default: S 20, M 5, L 1)")
    ap.add_argument("--starts", type=int, default=0, help="starts per call (0: the server's default, 4)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds (default: the server's, 10)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    for name in ("S", "M", "L") if args.instance == "all" else (args.instance,):
        repeats = args.repeats or {"S": 20, "M": 5, "L": 1}[name]
        row = bench(name, repeats, args.starts, args.time_limit)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(
                f"{name} ({row['reps']} reps): p50 {row['p50_s']:.3f} s, p90 {row['p90_s']:.3f} s, "
                f"{row['termination']} {row['objective']:.10f} (viol {row['max_violation']:.1e}, "
                f"KKT {row['kkt_residual']:.1e}); server RSS warm {row['warm_rss_mib']} MiB, "
                f"serving peak {row['serve_peak_mib']} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
