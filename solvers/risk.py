"""Tail risk of cost of sales: CVaR (or a quantile) by sample-average approximation.

S simulated years on common random numbers — per rep and year a noise ``eps``, a uniform ``u``
for the effort-mode draw, and per year a market shock ``z`` shared by every rep — drawn once
from the constraint's seed and held fixed through the solve, so the sample CVaR is a
deterministic function of the plan. A simulated year is the Monte Carlo year of ``simulate.py``
with its two discontinuities smoothed over a width ``h``:

* the quota-bonus step ``TI * q * 1[x >= 1]`` becomes ``TI * q * Phi((x - 1) / h)``;
* the mode draw ``1[u < w_1]`` becomes ``sigmoid((w_1 - u) / h)``.

(The kinks at threshold and cap are Lipschitz and need nothing.) As ``h -> 0`` this is exactly
the simulated year; the pathwise gradient of the smoothed year is what makes the SQP's
linearisation valid. CVaR_level = mean of the worst ceil((1 - level) S) years' CoS (the
Rockafellar-Uryasev value at the optimal threshold); its gradient, the mean of those years'
gradients, is exact almost everywhere (a tie in the ordering is a kink, as for any max).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from planopt.solvers.problem import CostOfSalesRisk
from planopt.solvers.surface import ModelConstants, RepParams, _mixture, commission_slope, ndtr

MAX_CELLS = 4_000_000  # draws x padded reps in one evaluation


@dataclass(frozen=True)
class RiskDraws:
    eps: np.ndarray  # (S, N) rep noise
    u: np.ndarray  # (S, N) mode-draw uniforms
    z: np.ndarray  # (S,) market shock (already scaled by its sd)
    tail: int  # number of worst years averaged (CVaR) / order statistic (quantile)


def risk_draws(risk: CostOfSalesRisk, bucket: int) -> RiskDraws:
    key = jax.random.PRNGKey(np.uint32(risk.seed % 2**32))
    key = jax.random.fold_in(key, np.uint32(risk.seed >> 32))
    k_eps, k_u, k_z = jax.random.split(key, 3)
    s = risk.draws
    tail = max(1, math.ceil((1.0 - risk.level) * s - 1e-9))
    return RiskDraws(
        eps=np.asarray(jax.random.normal(k_eps, (s, bucket))),
        u=np.asarray(jax.random.uniform(k_u, (s, bucket))),
        z=np.asarray(jax.random.normal(k_z, (s,))) * risk.market_shock_sd,
        tail=tail,
    )


def smooth_payout(lev: jax.Array, x: jax.Array, h: jax.Array) -> jax.Array:
    """The payout curve with its quota-bonus step smoothed over h (continuous elsewhere)."""
    b, ti, t, q, acc, cap = (lev[..., i] for i in range(6))
    s = commission_slope(jnp.moveaxis(lev, -1, 0))
    commission = s * jnp.clip(x - t, 0.0, 1.0 - t)
    bonus = ti * q * ndtr((x - 1.0) / h)
    accelerated = s * acc * jnp.clip(x - 1.0, 0.0, cap - 1.0)
    return b + commission + bonus + accelerated


def _year_cos(
    lev_roles: jax.Array,
    rows: jax.Array,
    params: RepParams,
    k: ModelConstants,
    eps: jax.Array,
    u: jax.Array,
    z: jax.Array,
    quota: jax.Array,
    h: jax.Array,
) -> jax.Array:
    """Cost of sales of each simulated year (S,); padded reps have quota 0 and weight 0."""
    lev = lev_roles[rows]
    modes, _, weights, exists = jax.vmap(lambda lv, pp: _mixture(lv, pp, k))(lev, params)
    real = quota > 0
    x0 = modes[:, 0] + params.sigma * eps + z[:, None]
    x1 = jnp.where(exists[:, 1], modes[:, 1], modes[:, 0]) + params.sigma * eps + z[:, None]
    pick = jnp.where(exists[:, 1], jax.nn.sigmoid((weights[:, 1] - u) / h), 0.0)
    pay = pick * smooth_payout(lev, x1, h) + (1.0 - pick) * smooth_payout(lev, x0, h)
    rev = quota * (pick * jnp.maximum(x1, 0.0) + (1.0 - pick) * jnp.maximum(x0, 0.0))
    total_pay = jnp.sum(jnp.where(real, pay, 0.0), axis=1)
    return total_pay / jnp.sum(rev, axis=1)


def _measure(cos: jax.Array, tail: jax.Array, quantile: bool) -> jax.Array:
    # ``tail`` is traced (not static): one compile per (draws, roster bucket), whatever the level.
    worst = jnp.sort(cos)[::-1]
    if quantile:
        return worst[tail - 1]
    return jnp.sum(jnp.where(jnp.arange(cos.shape[0]) < tail, worst, 0.0)) / tail


@partial(jax.jit, static_argnames=("quantile",))
def risk_value(lev_roles, rows, params, k, eps, u, z, quota, h, tail, quantile: bool):  # type: ignore[no-untyped-def]
    return _measure(_year_cos(lev_roles, rows, params, k, eps, u, z, quota, h), tail, quantile)


@partial(jax.jit, static_argnames=("quantile",))
def risk_value_and_grad(lev_roles, rows, params, k, eps, u, z, quota, h, tail, quantile: bool):  # type: ignore[no-untyped-def]
    """The measure and its gradient w.r.t. the (R, 6) lever matrix (forward mode: 6R tangents,
    through the implicit-function derivatives of the effort modes)."""

    def f(lv: jax.Array) -> jax.Array:
        return _measure(_year_cos(lv, rows, params, k, eps, u, z, quota, h), tail, quantile)

    return f(lev_roles), jax.jacfwd(f)(lev_roles)
