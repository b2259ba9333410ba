"""Shared test setup: JAX x64 and a persistent compilation cache (re-runs skip recompiles)."""

import os

from planopt.server.app import configure_jax

configure_jax(
    os.environ.get("PLANOPT_JAX_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "planopt", "jax"))
)
