"""Multi-period plans with quota ratcheting (seed 001): a forward-looking rep's monthly effort by
dynamic programming.

Units: sales and quotas in annual quota units (the annual quota = 1), money in USD.

Each month t the rep chooses effort e >= 0 at cost ``effort_cost * e^2 / 2`` and sells
``x = baseline + productivity * e + noise * eps``, eps ~ N(0, 1) (negative months are returns).
The period-end pay is integrated in closed form; the continuation value by Gauss-Hermite nodes.
Sales accumulate within a bonus period of ``period_months`` (3 = quarterly, 12 = annual). At the
period's end the rep is paid

    bonus * 1[s >= q] + commission * clip(s - q, 0, (ceiling - 1) q)     (ceiling 0 = none)

on cumulative sales s against the period quota q, then s resets to 0 and the next quota is
ratcheted: ``q' = clip(q + ratchet * (s - q), q_lo, q_hi)`` (ratchet 0 = fixed quotas).

State (month of the year, s, q) on grids (bilinear interpolation between grid points), action on
an effort grid. Two horizons: ``years`` > 0 solves that many plan years by backward induction
(exact; no continuation value after the last), ``years`` = 0 the stationary problem (the year
repeats forever, monthly discount ``discount`` < 1) by value iteration to a Bellman residual
below ``tol``, then checks the result by policy iteration: the greedy policy's own value (its
linear Bellman equation iterated to a fixed point) must agree with the value iteration's and the
policy must be greedy for it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)  # values are USD sums over years: float32 is not enough


@dataclass(frozen=True)
class DynamicPlan:
    period_months: int = 3
    bonus_usd: float = 10_000.0
    commission_usd: float = 200_000.0  # USD per annual-quota unit of sales above quota
    ceiling: float = 1.5  # pay stops growing at ceiling x quota; 0 = no ceiling
    ratchet: float = 0.0


@dataclass(frozen=True)
class RepModel:
    # Seed 000's team: 78% of quota with no incentive effort; monthly quota = 1/12 = 0.0833.
    baseline: float = 0.065  # monthly sales at zero effort (annual quota units)
    productivity: float = 0.02  # monthly sales per unit effort
    noise: float = 0.02  # sd of monthly sales
    effort_cost_usd: float = 10_000.0  # USD per effort^2 / 2 per month


@dataclass(frozen=True)
class Grids:
    sales_points: int = 81
    quota_points: int = 11
    effort_points: int = 61
    effort_max: float = 4.0
    effort_power: float = 2.0  # grid e_i = max (i / (n - 1))^power: fine near 0, coarse at the top
    sales_max: float = 0.0  # top of the cumulative-sales grid; 0 = automatic
    nodes: int = 7  # Gauss-Hermite
    discount: float = 0.99  # monthly, stationary horizon only
    years: int = 0  # 0 = stationary
    tol: float = 1e-6  # Bellman residual (USD)
    max_sweeps: int = 5_000


@dataclass
class Solution:
    value: np.ndarray  # (12, S, Q)
    policy: np.ndarray  # (12, S, Q) effort
    sales_grid: np.ndarray
    quota_grid: np.ndarray
    sweeps: int
    bellman_residual: float  # sup |T V - V| of the last sweep (one plan year), USD
    policy_value_gap: float  # sup |V_policy - V| (stationary) or 0
    policy_stable: bool  # the greedy policy is greedy for its own value (policy iteration's fixed point)
    efforts_max: float = math.inf


def _quota_grid(plan: DynamicPlan) -> np.ndarray:
    q0 = plan.period_months / 12.0
    if plan.ratchet == 0.0:
        return np.array([q0])
    return np.linspace(0.5 * q0, 1.5 * q0, 11)


def _sales_grid(plan: DynamicPlan, quota: np.ndarray, points: int) -> np.ndarray:
    top = quota.max() * (max(plan.ceiling, 1.0) + 1.0 if plan.ceiling else 3.0)
    return np.linspace(0.0, top, points)


def _interp2(v: jax.Array, s: jax.Array, q: jax.Array, sg: jax.Array, qg: jax.Array) -> jax.Array:
    """Bilinear interpolation of v (S, Q) at points (s, q), clamped to the grid."""
    ds = sg[1] - sg[0]
    fs = jnp.clip((s - sg[0]) / ds, 0.0, sg.size - 1.0)
    i = jnp.clip(jnp.floor(fs).astype(jnp.int32), 0, sg.size - 2)
    a = fs - i
    if qg.size == 1:
        return (1 - a) * v[i, 0] + a * v[i + 1, 0]
    dq = qg[1] - qg[0]
    fq = jnp.clip((q - qg[0]) / dq, 0.0, qg.size - 1.0)
    j = jnp.clip(jnp.floor(fq).astype(jnp.int32), 0, qg.size - 2)
    b = fq - j
    return (1 - a) * (1 - b) * v[i, j] + a * (1 - b) * v[i + 1, j] + (1 - a) * b * v[i, j + 1] + a * b * v[i + 1, j + 1]


def _on(x: float | jax.Array) -> bool:
    """A plan or rep number that switches a term on (a ceiling, noise) unless it is a concrete
    zero. The jitted sweeps (``_sweep``) pass traced numbers only for the terms that are on."""
    return not (isinstance(x, int | float) and x == 0)


def period_pay(plan: DynamicPlan, s: jax.Array, q: jax.Array) -> jax.Array:
    over = s - q
    top = (plan.ceiling - 1.0) * q if _on(plan.ceiling) else jnp.inf
    return plan.bonus_usd * (over >= 0) + plan.commission_usd * jnp.clip(over, 0.0, top)


def expected_pay(plan: DynamicPlan, mean: jax.Array, q: jax.Array, sd: float | jax.Array) -> jax.Array:
    """E[period_pay(X, q)] for X ~ N(mean, sd^2), in closed form (a quadrature of the bonus step
    is badly biased: 61 Gauss-Hermite nodes overstate a one-month plan's value by 20%)."""
    if not _on(sd):
        return period_pay(plan, mean, q)
    za = (q - mean) / sd
    top = plan.ceiling * q if _on(plan.ceiling) else mean + 60.0 * sd
    zb = (top - mean) / sd
    cdf_a, cdf_b = jax.scipy.special.ndtr(za), jax.scipy.special.ndtr(zb)
    pdf_a, pdf_b = jnp.exp(-za * za / 2) / SQRT_2PI, jnp.exp(-zb * zb / 2) / SQRT_2PI
    inside = (mean - q) * (cdf_b - cdf_a) + sd * (pdf_a - pdf_b)
    return plan.bonus_usd * (1.0 - cdf_a) + plan.commission_usd * (inside + (top - q) * (1.0 - cdf_b))


SQRT_2PI = math.sqrt(2.0 * math.pi)


def _backup(plan: DynamicPlan, rep: RepModel, sg, qg, efforts, nodes, weights, t, v_next, gamma):  # type: ignore[no-untyped-def]
    """Q-values (S, Q, E) of month t given next month's value (S, Q). The period-end pay is
    integrated in closed form; the (smooth) continuation value by quadrature."""
    s = sg[:, None, None]
    q = qg[None, :, None]
    mean = s + rep.baseline + rep.productivity * efforts[None, None, :]
    s_new = mean[..., None] + rep.noise * nodes  # (S, Q, E, N)
    end = (t + 1) % plan.period_months == 0
    pay = jnp.where(end, expected_pay(plan, mean, q, rep.noise), 0.0)
    q4 = q[..., None]
    q_next = jnp.where(end, jnp.clip(q4 + plan.ratchet * (s_new - q4), qg[0], qg[-1]), q4)
    s_next = jnp.where(end, 0.0, s_new)
    cont = _interp2(v_next, s_next, q_next, sg, qg)
    return pay + gamma * jnp.sum(weights * cont, axis=-1) - rep.effort_cost_usd * efforts[None, None, :] ** 2 / 2.0


class _Numbers(NamedTuple):
    """The plan's and the rep's numbers, traced by the jitted sweeps: a new plan or rep reuses
    the compiled sweep of its structure (``_Structure``) instead of compiling its own."""

    bonus_usd: jax.Array
    commission_usd: jax.Array
    ceiling: jax.Array
    ratchet: jax.Array
    baseline: jax.Array
    productivity: jax.Array
    noise: jax.Array
    effort_cost_usd: jax.Array
    gamma: jax.Array


class _Structure(NamedTuple):
    """What changes the sweep's code, not only its numbers (static under jit)."""

    period_months: int
    ceiling: bool
    noise: bool


def _split(plan: DynamicPlan, rep: RepModel, gamma: float) -> tuple[_Numbers, _Structure]:
    numbers = _Numbers(
        *(
            jnp.asarray(float(x))
            for x in (
                plan.bonus_usd,
                plan.commission_usd,
                plan.ceiling,
                plan.ratchet,
                rep.baseline,
                rep.productivity,
                rep.noise,
                rep.effort_cost_usd,
                gamma,
            )
        )
    )
    return numbers, _Structure(plan.period_months, _on(plan.ceiling), _on(rep.noise))


def _models(x: _Numbers, how: _Structure) -> tuple[DynamicPlan, RepModel]:
    """The plan and rep inside a jitted sweep: traced numbers, concrete zeros where off."""
    plan = DynamicPlan(how.period_months, x.bonus_usd, x.commission_usd, x.ceiling if how.ceiling else 0.0, x.ratchet)  # type: ignore[arg-type]
    rep = RepModel(x.baseline, x.productivity, x.noise if how.noise else 0.0, x.effort_cost_usd)  # type: ignore[arg-type]
    return plan, rep


@functools.partial(jax.jit, static_argnames="how")
def _sweep(v: jax.Array, x: _Numbers, args: tuple[jax.Array, ...], how: _Structure) -> tuple[jax.Array, jax.Array]:
    """One backward pass over the 12 months from next year's month-0 value v[0]: the values and
    the greedy effort indices."""
    plan, rep = _models(x, how)

    def month(carry, t):  # type: ignore[no-untyped-def]
        q_values = _backup(plan, rep, *args, t, carry, x.gamma)
        best = jnp.max(q_values, axis=-1)
        return best, (best, jnp.argmax(q_values, axis=-1))

    _, (vals, idx) = jax.lax.scan(month, v[0], jnp.arange(11, -1, -1))
    return vals[::-1], idx[::-1]


@functools.partial(jax.jit, static_argnames="how")
def _policy_sweep(
    vp: jax.Array, pidx: jax.Array, x: _Numbers, args: tuple[jax.Array, ...], how: _Structure
) -> tuple[jax.Array, jax.Array]:
    """One backward pass of the policy ``pidx``'s linear Bellman map: its values and the
    Q-values of every effort."""
    plan, rep = _models(x, how)

    def month(carry, t):  # type: ignore[no-untyped-def]
        q_values = _backup(plan, rep, *args, t, carry, x.gamma)
        chosen = jnp.take_along_axis(q_values, pidx[t][..., None], axis=-1)[..., 0]
        return chosen, (chosen, q_values)

    _, (vals, qv) = jax.lax.scan(month, vp[0], jnp.arange(11, -1, -1))
    return vals[::-1], qv[::-1]


def effort_grid(g: Grids) -> np.ndarray:
    return g.effort_max * np.linspace(0.0, 1.0, g.effort_points) ** g.effort_power


class Stopped(Exception):
    """The caller's ``should_stop`` said so (checked between sweeps)."""


def solve(
    plan: DynamicPlan,
    rep: RepModel,
    g: Grids = Grids(),
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    qg = _quota_grid(plan)
    sg = np.linspace(0.0, g.sales_max, g.sales_points) if g.sales_max else _sales_grid(plan, qg, g.sales_points)
    efforts = effort_grid(g)
    if rep.noise > 0:
        z, w = np.polynomial.hermite_e.hermegauss(g.nodes)
        w = w / w.sum()
    else:
        z, w = np.zeros(1), np.ones(1)
    args = (jnp.asarray(sg), jnp.asarray(qg), jnp.asarray(efforts), jnp.asarray(z), jnp.asarray(w))
    gamma = 1.0 if g.years else g.discount
    numbers, how = _split(plan, rep, gamma)

    shape = (12, sg.size, qg.size)
    v = jnp.zeros(shape)
    residual = float("inf")
    sweeps = 0
    limit = g.years if g.years else g.max_sweeps
    while sweeps < limit:
        if should_stop is not None and should_stop():
            raise Stopped("stopped between value-iteration sweeps")
        new, idx = _sweep(v, numbers, args, how)
        residual = float(jnp.max(jnp.abs(new - v)))
        v = new
        sweeps += 1
        # Stationary: the year map contracts by discount^12; stop at the requested residual.
        if not g.years and residual * g.discount**12 / (1 - g.discount**12) < g.tol:
            break
    policy_idx = np.asarray(idx)
    policy = efforts[policy_idx]
    gap, stable = 0.0, True
    if not g.years:
        gap, stable = _policy_check(numbers, how, g, args, np.asarray(v), policy_idx)
    return Solution(np.asarray(v), policy, sg, qg, sweeps, residual, gap, stable, float(efforts[-1]))


def _policy_check(x, how, g, args, v, policy_idx):  # type: ignore[no-untyped-def]
    """Policy iteration's fixed point: evaluate the greedy policy exactly (iterate its linear
    Bellman map to convergence), then check it is still greedy and the values agree."""
    pidx = jnp.asarray(policy_idx)
    vp = jnp.asarray(v)
    for _ in range(g.max_sweeps):
        new, q_values = _policy_sweep(vp, pidx, x, args, how)
        change = float(jnp.max(jnp.abs(new - vp)))
        vp = new
        if change * g.discount**12 / (1 - g.discount**12) < g.tol * 0.1:
            break
    greedy = np.asarray(jnp.argmax(q_values, axis=-1))
    best = np.asarray(jnp.max(q_values, axis=-1))
    chosen = np.asarray(vp)
    # Greedy for its own value: no action beats the policy's by more than the tolerance.
    stable = bool(np.all(greedy == policy_idx) or np.max(best - chosen) <= max(g.tol, 1e-9 * np.max(np.abs(chosen))))
    return float(np.max(np.abs(chosen - v))), stable


@dataclass(frozen=True)
class Simulation:
    effort_by_month: np.ndarray  # (12,) mean effort
    sales_by_month: np.ndarray  # (12,)
    revenue: float  # expected annual sales (annual quota units)
    pay: float  # expected annual incentive pay, USD
    effort_cost: float  # USD
    quota_end: float  # mean quota after the year (ratcheting), annual-quota units per period
    give_up_effort: float  # mean last-month effort of periods where s < q/3 entering that month
    on_track_effort: float  # the same where s >= q/3
    near_quota_effort: float  # the same where 2q/3 <= s < q: the end-of-period push (bunching)
    at_effort_max: float  # share of rep-months whose effort is at the grid's top (should be ~0)


def simulate(plan: DynamicPlan, rep: RepModel, sol: Solution, reps: int = 4000, seed: int = 0) -> Simulation:
    """One plan year for ``reps`` simulated reps from s = 0, q = the plan's initial quota, using
    the policy interpolated on the state grid (nearest grid effort is not needed: effort is
    interpolated bilinearly like the value)."""
    rng = np.random.default_rng(seed)
    q0 = plan.period_months / 12.0
    s = np.zeros(reps)
    q = np.full(reps, q0)
    effort, sales = np.zeros(12), np.zeros(12)
    pay = 0.0
    cost = 0.0
    low, high, near = [], [], []
    top = sol.efforts_max * (1 - 1e-9)
    at_max = 0.0
    sg, qg = jnp.asarray(sol.sales_grid), jnp.asarray(sol.quota_grid)
    for t in range(12):
        e = np.asarray(_interp2(jnp.asarray(sol.policy[t]), jnp.asarray(s), jnp.asarray(q), sg, qg))
        x = rep.baseline + rep.productivity * e + rep.noise * rng.standard_normal(reps)
        effort[t], sales[t] = e.mean(), x.mean()
        at_max += float(np.mean(e >= top)) / 12.0
        cost += float(np.mean(rep.effort_cost_usd * e**2 / 2))
        if (t + 1) % plan.period_months == 0:
            behind = s < q / 3.0
            if behind.any():
                low.append(float(e[behind].mean()))
            if (~behind).any():
                high.append(float(e[~behind].mean()))
            close = (s >= 2.0 * q / 3.0) & (s < q)
            if close.any():
                near.append(float(e[close].mean()))
        s = s + x
        if (t + 1) % plan.period_months == 0:
            pay += float(np.mean(np.asarray(period_pay(plan, jnp.asarray(s), jnp.asarray(q)))))
            q = np.clip(q + plan.ratchet * (s - q), sol.quota_grid[0], sol.quota_grid[-1])
            s = np.zeros(reps)
    return Simulation(
        effort_by_month=effort,
        sales_by_month=sales,
        revenue=float(sales.sum()),
        pay=pay,
        effort_cost=cost,
        quota_end=float(q.mean()),
        give_up_effort=float(np.mean(low)) if low else math.nan,
        on_track_effort=float(np.mean(high)) if high else math.nan,
        near_quota_effort=float(np.mean(near)) if near else math.nan,
        at_effort_max=at_max,
    )


def static_optimum(plan: DynamicPlan, rep: RepModel, efforts: np.ndarray) -> tuple[float, float]:
    """One-month plan (period_months = 1, no ratchet): the effort on the grid maximising
    E[pay(x)] - cost e^2/2 with the expectation in closed form (normal CDF / partial moments);
    the reference for the DP's limiting case."""
    from math import erf, exp, pi, sqrt

    q = plan.period_months / 12.0

    def cdf(z: float) -> float:
        return 0.5 * (1 + erf(z / sqrt(2)))

    def pdf(z: float) -> float:
        return exp(-z * z / 2) / sqrt(2 * pi)

    def partial(m: float, sd: float, a: float, b: float) -> float:
        """E[(X - a) 1[a <= X < b]] + (b - a) P(X >= b), X ~ N(m, sd^2)."""
        za, zb = (a - m) / sd, (b - m) / sd
        inside = (m - a) * (cdf(zb) - cdf(za)) + sd * (pdf(za) - pdf(zb))
        return inside + (b - a) * (1 - cdf(zb))

    best, arg = -math.inf, 0.0
    for e in efforts:
        m = rep.baseline + rep.productivity * e
        top = plan.ceiling * q if plan.ceiling else math.inf
        value = plan.bonus_usd * (1 - cdf((q - m) / rep.noise)) + plan.commission_usd * partial(
            m, rep.noise, q, top if math.isfinite(top) else m + 50 * rep.noise
        )
        value -= rep.effort_cost_usd * e * e / 2
        if value > best + 1e-12:
            best, arg = value, float(e)
    return arg, best


def variants(base: DynamicPlan) -> dict[str, DynamicPlan]:
    """The comparisons seed 001 discusses."""
    return {
        "quarterly": base,
        "annual bonus": replace(base, period_months=12, bonus_usd=base.bonus_usd * 4),
        "quarterly, ratchet 0.5": replace(base, ratchet=0.5),
        "quarterly, no ceiling": replace(base, ceiling=0.0),
    }
