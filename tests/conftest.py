"""Shared test setup: JAX x64 and a persistent compilation cache (re-runs skip recompiles)."""

import os

import pytest
from planopt.server.app import configure_jax

configure_jax(
    os.environ.get("PLANOPT_JAX_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "planopt", "jax"))
)


@pytest.fixture(scope="session")
def medium():
    """The bench's M instance (1,000 reps, 4 roles x 3 segments) and its model, kernels compiled
    (the lever scan's too): shared by the tests that solve M."""
    from planopt.solvers.model import PlanModel

    from bench.instances import instance

    problem = instance("M")
    model = PlanModel(problem)
    model.compile_kernels()
    return problem, model
