"""Shared test fixture: a random roster of reps, many with two effort modes, and the plan box
the surface tests draw random plans from."""

import jax.numpy as jnp
import numpy as np
from planopt.solvers import surface as S

PLAN_LOW = np.array([60e3, 40e3, 0.0, 0.0, 1.0, 1.5])
PLAN_HIGH = np.array([120e3, 130e3, 0.6, 0.8, 3.0, 3.0])


def random_reps(rng: np.random.Generator, n: int) -> tuple[S.RepParams, S.ModelConstants]:
    params = S.RepParams(
        mu=jnp.asarray(rng.uniform(0.1, 1.2, n)),
        sigma=jnp.asarray(rng.uniform(0.1, 0.3, n)),
        cost=jnp.asarray(rng.uniform(2e5, 6e5, n)),
        risk=jnp.asarray(rng.uniform(0, 2e-5, n)),
        outside=jnp.asarray(rng.uniform(9e4, 1.5e5, n)),
        productivity=jnp.ones(n),
    )
    return params, S.ModelConstants(jnp.asarray(1000.0), jnp.asarray(15000.0))
