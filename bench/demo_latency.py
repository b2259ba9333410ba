"""Warm OptimizePlan latency on the seed-000 demo team, in-process and through gRPC, with SciPy
SLSQP on the same functions from the same starts as the peer (ratios from the same run).

    python -m bench.demo_latency [--repeats 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from planopt.client import PlanClient
from planopt.client.requests import demo_request
from planopt.server import ServerConfig, create_server, shutdown
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import ScaledProblem, optimize
from planopt.solvers.problem import SolveOptions, demo_problem

from bench.solvers import run_slsqp, starts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    problem = demo_problem()
    model = PlanModel(problem)
    model.evaluate(problem.template.value)
    options = SolveOptions(num_starts=4, seed=0)
    optimize(problem, options, model=model)  # warm

    ours, sol = [], None
    for _ in range(args.repeats):
        t = time.perf_counter()
        sol = optimize(problem, options, model=model)
        ours.append(time.perf_counter() - t)
    fun = ScaledProblem(problem, model)
    zs = starts(fun, options.num_starts, seed=options.seed)  # the same starts as planopt's
    peer = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        best, viol, _ = run_slsqp(fun, zs)
        peer.append(time.perf_counter() - t)

    server, port = create_server(ServerConfig(port=0, warm_buckets=(48,), block_until_warm=True))
    rpc = []
    with PlanClient(f"127.0.0.1:{port}") as client:
        client.optimize_plan_raw(demo_request())
        for _ in range(args.repeats):
            t = time.perf_counter()
            client.optimize_plan_raw(demo_request())
            rpc.append(time.perf_counter() - t)
    shutdown(server, 2)

    assert sol is not None
    rows = [
        {
            "solver": "planopt",
            "where": "in-process",
            "objective": sol.evaluation.objective,
            "max_violation": sol.max_violation,
            "termination": sol.termination.value,
            "seconds_median": statistics.median(ours),
        },
        {
            "solver": "planopt",
            "where": "grpc",
            "seconds_median": statistics.median(rpc),
            "seconds_p90": sorted(rpc)[int(0.9 * (len(rpc) - 1))],
        },
        {
            "solver": "slsqp",
            "where": "in-process",
            "objective": -best * fun.obj_scale,
            "max_violation": viol,
            "seconds_median": statistics.median(peer),
        },
    ]
    summary = {
        "instance": "S (seed-000, 45 reps)",
        "speedup_vs_slsqp": statistics.median(peer) / statistics.median(ours),
        "objective_gap_vs_slsqp": (sol.evaluation.objective - (-best * fun.obj_scale)) / abs(best * fun.obj_scale),
    }
    if args.json:
        for r in rows:
            print(json.dumps(r))
        print(json.dumps(summary))
    else:
        for r in rows:
            print(r)
        print(summary)


if __name__ == "__main__":
    main()
