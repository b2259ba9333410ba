"""How the optimal objective moves when an input moves.

Local derivative (envelope theorem). At a KKT point of ``max f(x; t) s.t. g_j(x; t) <= or >=
b_j(t)``, the optimal value V(t) has

    dV/dt = df/dt - sum_j pi_j (dg_j/dt - db_j/dt)

with every partial taken at the *fixed* optimal plan and pi_j the constraint's shadow price
(d objective / d bound, as reported by OptimizePlan). This is the implicit-function theorem
applied to the KKT system: the plan's own response drops out. The partials are central
differences of the model (no re-optimisation): two model evaluations per input.

Tornado: the problem re-optimised (warm-started from the optimum) with the input scaled by
1 - X and 1 + X, next to the linear prediction V + dV/dt * (+-X).

Inputs are scaled relatively: theta -> theta * (1 + t).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import Solution, optimize
from planopt.solvers.problem import PlanProblem, SolveOptions

ROSTER_INPUTS = {
    "effort_productivity": "effort_productivity",
    "noise_sd": "noise_sd",
    "risk_aversion": "risk_aversion_per_usd",
    "outside_option": "outside_option_usd",
    "effort_cost": "effort_cost_usd",
}
# attrition_scale: the logistic scale of attrition in (outside option - rep welfare); its
# inverse is the attrition elasticity to pay.
INPUTS = ("market_ote", *ROSTER_INPUTS, "attrition_scale")
FD_STEP = 1e-4  # relative step of the central differences


def perturb(problem: PlanProblem, name: str, t: float) -> PlanProblem:
    """The problem with input ``name`` scaled by (1 + t) for every rep / role."""
    if name == "market_ote":
        market = {role: ote * (1.0 + t) for role, ote in problem.market_ote_usd.items()}
        return dataclasses.replace(problem, market_ote_usd=market)
    if name == "attrition_scale":
        scale = problem.model.attrition_scale_usd * (1.0 + t)
        return dataclasses.replace(problem, model=dataclasses.replace(problem.model, attrition_scale_usd=scale))
    column = ROSTER_INPUTS[name]
    roster = dataclasses.replace(problem.roster, **{column: getattr(problem.roster, column) * (1.0 + t)})
    return dataclasses.replace(problem, roster=roster)


@dataclass(frozen=True)
class InputSensitivity:
    name: str
    derivative: float  # d optimal objective / d t  (t = relative change of the input)
    objective_low: float  # re-optimised at t = -X (nan if not feasible)
    objective_high: float  # re-optimised at t = +X
    termination_low: str
    termination_high: str
    predicted_low: float  # objective + derivative * (-X)
    predicted_high: float


def _partials(problem: PlanProblem, levers: np.ndarray, name: str) -> tuple[float, np.ndarray, np.ndarray]:
    """Central differences at fixed levers: d objective, d constraint values, d bounds."""
    out = []
    for t in (FD_STEP, -FD_STEP):
        p = perturb(problem, name, t)
        model = PlanModel(p)
        ev = model.evaluate(levers, with_jacobian=False)
        out.append((ev.objective, np.asarray(ev.values), np.array([s.bound for s in model.specs])))
    (f1, v1, b1), (f0, v0, b0) = out
    h = 2 * FD_STEP
    return (f1 - f0) / h, (v1 - v0) / h, (b1 - b0) / h


def envelope_derivative(problem: PlanProblem, solution: Solution, name: str) -> float:
    df, dv, db = _partials(problem, solution.levers, name)
    shadow = np.array([c.shadow_price for c in solution.constraints])
    return float(df - np.sum(shadow * (dv - db)))


def sensitivity(
    problem: PlanProblem,
    solution: Solution,
    names: list[str],
    fraction: float,
    options: SolveOptions,
    should_stop: Callable[[], bool] | None = None,
) -> list[InputSensitivity]:
    base = solution.evaluation.objective
    warm = dataclasses.replace(options, warm_start=solution.levers)
    out = []
    for name in names:
        d = envelope_derivative(problem, solution, name)
        ends = []
        for t in (-fraction, fraction):
            sol = optimize(perturb(problem, name, t), warm, should_stop=should_stop)
            ok = sol.termination.value in ("LOCALLY_OPTIMAL", "ITERATION_LIMIT", "FEASIBLE_TIME_LIMIT")
            ends.append((sol.evaluation.objective if ok else float("nan"), sol.termination.value))
        out.append(
            InputSensitivity(
                name=name,
                derivative=d,
                objective_low=ends[0][0],
                objective_high=ends[1][0],
                termination_low=ends[0][1],
                termination_high=ends[1][1],
                predicted_low=base - d * fraction,
                predicted_high=base + d * fraction,
            )
        )
    return out
