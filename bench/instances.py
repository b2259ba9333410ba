"""Deterministic benchmark instances (seeded; nothing to download).

S: the seed-000 demo team (45 reps, 1 role).
M: 1,000 reps, 4 roles x 3 segments (12 role plans), 2 equity groups, every constraint kind.
L: 100,000 reps, 20 roles.

Each has a feasible variant and an infeasible one (cost-of-sales cap far below what any plan in
the bounds can reach). Caps are set relative to the current plan's own metrics so that the
constraints bind.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from planopt.solvers.model import PlanModel
from planopt.solvers.problem import (
    Constraints,
    MixBound,
    PlanProblem,
    Roster,
    demo_problem,
    template_from_levers,
)

BOUNDS = {
    "base_usd": (0.7, 1.4),  # relative to the current value
    "target_incentive_usd": (0.5, 1.6),
    "threshold_attainment": (0.0, 0.6),  # absolute
    "quota_bonus_share": (0.0, 0.8),
    "accelerator": (1.0, 3.0),
    "cap_attainment": (1.5, 3.0),
}


def synthetic(n_reps: int, roles: list[str], seed: int) -> PlanProblem:
    rng = np.random.default_rng(seed)
    role_of = rng.integers(0, len(roles), n_reps)
    ote = {r: float(rng.uniform(120e3, 260e3)) for r in roles}
    base_share = {r: float(rng.uniform(0.45, 0.65)) for r in roles}
    skill = rng.normal(size=n_reps)
    quota = np.array([ote[roles[i]] for i in role_of]) * rng.uniform(6.0, 9.0, n_reps)
    roster = Roster(
        rep_id=tuple(f"r{i}" for i in range(n_reps)),
        role=tuple(roles[i] for i in role_of),
        quota_usd=quota,
        baseline_attainment=0.2 + 0.33 * np.exp(0.6 * skill),
        effort_productivity=np.ones(n_reps),
        noise_sd=rng.uniform(0.14, 0.24, n_reps),
        effort_cost_usd=np.array([2.4 * ote[roles[i]] for i in role_of]) * rng.uniform(0.8, 1.2, n_reps),
        risk_aversion_per_usd=rng.uniform(0.5e-5, 1.5e-5, n_reps),
        outside_option_usd=np.array([0.6 * ote[roles[i]] for i in role_of]) + 8e3 * skill,
        equity_group=tuple("A" if g else "B" for g in rng.integers(0, 2, n_reps)),
    )
    values, bounds = {}, {}
    for r in roles:
        b = ote[r] * base_share[r]
        values[r] = {
            "base_usd": b,
            "target_incentive_usd": ote[r] - b,
            "threshold_attainment": 0.0,
            "quota_bonus_share": 0.5,
            "accelerator": 1.1,
            "cap_attainment": 3.0,
        }
        bounds[r] = {
            k: ((lo * values[r][k], hi * values[r][k]) if k in ("base_usd", "target_incentive_usd") else (lo, hi))
            for k, (lo, hi) in BOUNDS.items()
        }
    template = template_from_levers(tuple(roles), values, bounds)
    problem = PlanProblem(roster=roster, market_ote_usd=ote, template=template)
    base = PlanModel(problem).evaluate(template.value).metrics
    constraints = Constraints(
        max_cost_of_sales=round(base["cost_of_sales"], 4),
        ote_band_fraction=0.05,
        mix={"*": MixBound(0.40, 0.75)},
        max_equity_gap=0.05,
        max_attrition=round(base["attrition"] - 0.02, 4),
        salary_floor_usd=50e3,
    )
    return dataclasses.replace(problem, constraints=constraints)


def instance(name: str, infeasible: bool = False) -> PlanProblem:
    if name == "S":
        problem = demo_problem()
    elif name == "M":
        problem = synthetic(1000, [f"R{r}-S{s}" for r in range(4) for s in range(3)], seed=11)
    elif name == "L":
        problem = synthetic(100_000, [f"R{r}" for r in range(20)], seed=12)
    else:
        raise ValueError(f"unknown instance {name!r}; expected S, M or L")
    if infeasible:
        cap = 0.5 * (problem.constraints.max_cost_of_sales or 0.135)
        problem = dataclasses.replace(
            problem, constraints=dataclasses.replace(problem.constraints, max_cost_of_sales=cap)
        )
    return problem
