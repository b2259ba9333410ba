"""Territory design and quota allocation at scale (issue 7).

    python -m bench.territories [--accounts 2000] [--reps 40] [--json]

A seeded synthetic instance: accounts clustered on a 1,000 km square, reps' home bases spread
over it, a current assignment that is the nearest-rep assignment with 15% of accounts scrambled
(a drifted design), workload and potential lognormal. Prints, per objective, the MILP's seconds,
termination, objective, HiGHS' dual bound and relative gap, and the resulting measures; then
the quota LP on as many territories as reps x 25. Timings are this machine's, one run each
(a MILP's time is not a distribution worth a median: the gap tells the quality).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from planopt.solvers.quotas import QuotaProblem, allocate
from planopt.solvers.territories import TerritoryProblem, design


def instance(accounts: int, reps: int, seed: int = 7) -> TerritoryProblem:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1000, (max(reps // 2, 1), 2))
    which = rng.integers(0, len(centres), accounts)
    xy = np.clip(centres[which] + rng.normal(0, 90, (accounts, 2)), 0, 1000)
    home = rng.uniform(0, 1000, (reps, 2))
    d = np.linalg.norm(xy[:, None, :] - home[None, :, :], axis=2)
    current = np.argmin(d, axis=1)
    scramble = rng.random(accounts) < 0.15
    current[scramble] = rng.integers(0, reps, int(scramble.sum()))
    return TerritoryProblem(
        account_id=[f"acct-{i}" for i in range(accounts)],
        rep_id=[f"rep-{j}" for j in range(reps)],
        potential=rng.lognormal(np.log(2e5), 0.8, accounts),
        workload=rng.lognormal(np.log(20.0), 0.5, accounts),
        distance=d,
        current=current,
        locked=np.full(accounts, -1),
        capacity=np.ones(reps),
        relationship=rng.uniform(0, 1, accounts),
        workload_band=0.15,
        potential_band=0.25,
        time_limit_s=120.0,
        mip_gap=1e-3,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--objectives", default="weighted,epsilon,seed_score")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    base = instance(args.accounts, args.reps)
    rows = []
    for objective in args.objectives.split(","):
        p = base
        p.objective = objective
        p.max_disruption = 0.35 if objective == "epsilon" else None
        t0 = time.monotonic()
        out = design(p)
        seconds = time.monotonic() - t0
        met = out.metrics
        rows.append(
            {
                "problem": f"territories {args.accounts}x{args.reps}",
                "objective_kind": objective,
                "seconds": round(seconds, 2),
                "termination": out.status,
                "objective": out.objective,
                "bound": out.bound,
                "gap": out.gap,
                "max_violation": out.max_violation,
                "travel_norm": None if met is None else met.travel_norm,
                "disruption": None if met is None else met.disruption,
                "max_workload_deviation": None if met is None else met.max_workload_deviation,
                "max_potential_deviation": None if met is None else met.max_potential_deviation,
            }
        )
    rng = np.random.default_rng(3)
    n = args.reps * 25
    potential = rng.lognormal(np.log(3e6), 0.5, n)
    last_quota = 1.2e6 * np.exp(rng.normal(0, 0.3, n))
    q = QuotaProblem(
        territory_id=[f"t{i}" for i in range(n)],
        potential=potential,
        target=float(last_quota.sum() * 1.08),
        last_sales=0.4 * potential * np.exp(rng.normal(0, 0.2, n)),
        last_quota=last_quota,
        max_increase=0.2,
        max_decrease=0.15,
    )
    t0 = time.monotonic()
    res = allocate(q)
    rows.append(
        {
            "problem": f"quotas {n}",
            "objective_kind": "min_max",
            "seconds": round(time.monotonic() - t0, 3),
            "termination": res.status,
            "objective": res.objective,
            "kkt_residual": res.kkt_residual,
            "max_violation": res.max_violation,
            "duality_gap": res.duality_gap,
        }
    )
    for row in rows:
        print(json.dumps(row) if args.json else "  ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
