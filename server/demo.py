"""``python -m planopt.server.demo`` (what ``make demo`` runs).

Starts ``python -m planopt.server`` on a free local port, waits for gRPC health SERVING, calls
OptimizePlan through the Python client on the seed-000 team (the planner's question, then the
seed's own targets, which are infeasible), prints the before/after reports and stops the server
with SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from planopt.client import PlanClient, demo
from planopt.client.report import format_report
from planopt.client.requests import build_options, demo_request
from planopt.client.results import optimize_result
from planopt.server.process import start_server_process


def main() -> int:
    try:
        server, target = start_server_process(["--warm-buckets", "48", "--log-level", "WARNING"])
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        t0 = time.monotonic()
        with PlanClient(target, timeout=120) as client:
            client.wait_until_serving(timeout=300)
            print(f"server {target} SERVING after {time.monotonic() - t0:.1f}s (JIT buckets compiled)\n")
            current = {demo.ROLE: dict(demo.CURRENT_PLAN)}
            result = optimize_result(client.optimize_plan_raw(demo_request()))
            print(format_report(result, current, title="OptimizePlan: seed-000 team, planner's constraints"))
            print()
            seed = optimize_result(client.optimize_plan_raw(demo_request(seed_targets=True)))
            print(format_report(seed, current, title="OptimizePlan: the seed's own targets (CoS 12%, attrition 15%)"))
            # Distinct requests (start seeds 1-5) are solved; asking one again is answered from
            # the server's response cache (``Receipt.cached``). Both are shown, labelled.
            print()
            for label, seeds in (("solved (start seeds 1-5)", range(1, 6)), ("repeated (response cache)", [1] * 5)):
                times, cached = [], 0
                for s in seeds:
                    t = time.perf_counter()
                    resp = client.optimize_plan_raw(demo_request(build_options(seed=s)))
                    times.append(time.perf_counter() - t)
                    cached += resp.receipt.cached
                times.sort()
                print(
                    f"warm OptimizePlan round trip, {label}: median "
                    f"{1000 * times[2]:.0f} ms, min {1000 * times[0]:.0f} ms ({cached} of 5 from the cache)"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            code = server.wait()
    print(f"server stopped cleanly (exit code {code})" if code == 0 else f"server exit code {code}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
