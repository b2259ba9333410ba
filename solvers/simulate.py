"""Monte Carlo evaluation of a plan: simulated years of rep outcomes on the response model.

Each rep is in one of its effort modes with the model's logit weights (the same mixture the
expected metrics average over), and realises attainment ``X = m + sigma * eps + shock`` with
``eps ~ N(0, 1)`` per rep and draw and ``shock ~ N(0, market_shock_sd**2)`` shared by every rep
in a draw. Pay is the plan's payout curve at X, revenue ``quota * max(X, 0)``. With no shock,
the sample means converge to the expected metrics (tests check this with a standard-error bound).

Draws are generated in fixed chunks of ``CHUNK`` (one compiled shape per roster bucket), the
chunk's key being ``fold_in(PRNGKey(seed), chunk index)``: the same seed gives identical numbers
whatever the machine's thread count.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from planopt.solvers.model import PlanModel
from planopt.solvers.surface import payout

CHUNK = 1024
MAX_CELLS = 20_000_000  # draws x reps held in memory (160 MB of pay per float64 array)
ATTAINMENT_BINS = np.r_[np.arange(0.0, 3.0 + 1e-9, 0.1), np.inf]


@dataclass(frozen=True)
class Summary:
    mean: float
    p10: float
    p50: float
    p90: float
    sd: float


def summarise(x: np.ndarray, axis: int | None = None) -> Summary | list[Summary]:
    q = np.percentile(x, [10, 50, 90], axis=axis)
    mean, sd = np.mean(x, axis=axis), np.std(x, axis=axis, ddof=1)
    if axis is None:
        return Summary(float(mean), float(q[0]), float(q[1]), float(q[2]), float(sd))
    return [Summary(*map(float, v)) for v in zip(mean, q[0], q[1], q[2], sd, strict=True)]


@dataclass(frozen=True)
class MonteCarlo:
    draws: int
    seed: int
    mean_attainment: Summary
    total_pay_usd: Summary
    revenue_usd: Summary
    cost_of_sales: Summary
    prob_cost_of_sales_above_cap: float
    mean_attainment_stderr95: float
    rep_pay_usd: list[Summary]  # roster order
    attainment_histogram: np.ndarray  # counts per ATTAINMENT_BINS bin
    samples_cost_of_sales: np.ndarray  # (draws,) for plots and tests
    samples_mean_attainment: np.ndarray  # (draws,) paired comparisons (same seed = same draws)


@jax.jit
def _chunk(
    key: jax.Array,
    lev: jax.Array,
    modes: jax.Array,
    weights: jax.Array,
    sigma: jax.Array,
    shock_sd: jax.Array,
) -> tuple[jax.Array, jax.Array]:
    """One chunk of draws: realised attainment (CHUNK, N) and pay (CHUNK, N)."""
    n = modes.shape[0]
    k_mode, k_eps, k_shock = jax.random.split(key, 3)
    u = jax.random.uniform(k_mode, (CHUNK, n))
    m = jnp.where(u < weights[:, 1], modes[:, 1], modes[:, 0])
    eps = jax.random.normal(k_eps, (CHUNK, n))
    shock = jax.random.normal(k_shock, (CHUNK, 1)) * shock_sd
    x = m + sigma * eps + shock
    return x, payout(lev, x)


def simulate(
    model: PlanModel, levers: np.ndarray, draws: int, seed: int = 0, market_shock_sd: float = 0.0
) -> MonteCarlo:
    if draws < 2:
        raise ValueError("at least 2 draws")
    if draws * model.n > MAX_CELLS:
        raise ValueError(f"draws x reps = {draws * model.n} exceeds {MAX_CELLS}")
    lev = np.asarray(levers, dtype=float)[model.lever_rows]
    modes, weights = model.mixture(levers)
    sigma = np.asarray(model.params.sigma)
    base = jax.random.PRNGKey(np.uint32(seed % 2**32))
    base = jax.random.fold_in(base, np.uint32(seed >> 32))
    n = model.n
    att_chunks, pay_chunks = [], []
    for c in range(-(-draws // CHUNK)):
        x, pay = _chunk(jax.random.fold_in(base, c), lev, modes, weights, sigma, np.float64(market_shock_sd))
        att_chunks.append(np.asarray(x)[:, :n])
        pay_chunks.append(np.asarray(pay)[:, :n])
    x = np.concatenate(att_chunks)[:draws]
    pay = np.concatenate(pay_chunks)[:draws]
    att = np.maximum(x, 0.0)
    q = model.quota_sorted
    total_pay = pay.sum(axis=1)
    revenue = att @ q
    cos = total_pay / revenue
    mean_att = att.mean(axis=1)
    cap = model.problem.constraints.max_cost_of_sales
    prob = float(np.mean(cos > cap)) if cap is not None else float("nan")
    inverse = np.empty_like(model.order)
    inverse[model.order] = np.arange(n)
    hist, _ = np.histogram(att.ravel(), bins=ATTAINMENT_BINS)
    return MonteCarlo(
        draws=draws,
        seed=seed,
        mean_attainment=summarise(mean_att),  # type: ignore[arg-type]
        total_pay_usd=summarise(total_pay),  # type: ignore[arg-type]
        revenue_usd=summarise(revenue),  # type: ignore[arg-type]
        cost_of_sales=summarise(cos),  # type: ignore[arg-type]
        prob_cost_of_sales_above_cap=prob,
        mean_attainment_stderr95=float(1.96 * np.std(mean_att, ddof=1) / np.sqrt(draws)),
        rep_pay_usd=summarise(pay[:, inverse], axis=0),  # type: ignore[arg-type]
        attainment_histogram=hist,
        samples_cost_of_sales=cos,
        samples_mean_attainment=mean_att,
    )


__all__ = ["MonteCarlo", "Summary", "simulate"]
