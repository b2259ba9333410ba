"""The size of XLA's CPU thread pool (``server.app.start_xla``), observed in a fresh process:
XLA names its pool's threads ``tf_XLAEigen``, one per CPU of the affinity it starts under."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_PROBE = """
import json, os, sys
from planopt.server.app import configure_jax, start_xla
configure_jax("")
own = sorted(os.sched_getaffinity(0))
returned = start_xla(int(sys.argv[1]))
import jax.numpy as jnp
float(jnp.sum(jnp.ones(4096) * 2.0))  # run a kernel: nothing starts pinned later either
tasks = os.listdir("/proc/self/task")
names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in tasks]
print(json.dumps({
    "own": own,
    "returned": returned,
    "pool": names.count("tf_XLAEigen"),
    "affinities": [sorted(os.sched_getaffinity(int(t))) for t in tasks],
}))
"""


def _probe(threads: int) -> dict:  # type: ignore[type-arg]
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(threads)], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")


def test_one_thread_pool_and_no_thread_left_pinned():
    got = _probe(1)
    assert got["pool"] == got["returned"] == 1
    # every thread (the caller, XLA's pool, JAX's others) may run on every CPU it had
    assert all(a == got["own"] for a in got["affinities"]), got


def test_zero_leaves_xla_one_thread_per_cpu():
    got = _probe(0)
    assert got["pool"] == got["returned"] == len(got["own"])
    assert all(a == got["own"] for a in got["affinities"]), got


def test_more_threads_than_cpus_is_xla_default():
    got = _probe(10_000)
    assert got["pool"] == got["returned"] == len(got["own"])


def test_negative_thread_count_is_refused_by_the_cli(capsys):
    from planopt.server.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["--xla-threads", "-1", "--port", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--xla-threads" in err and "-1" in err


@pytest.mark.parametrize(
    ("buckets", "setting", "threads"),
    [
        ((48, 192, 1024), None, 1),  # the default server: small and mid rosters
        ((100_352,), None, 0),  # L only: XLA's own pool
        ((8_192, 100_352), None, 0),  # every bucket over 5,000 reps
        ((48, 100_352), None, 1),  # a mixed server keeps one thread
        ((5_000,), None, 1),  # 5,000 reps is not over the line
        ((100_352,), 1, 1),  # a setting wins
        ((48,), 0, 0),
        ((48,), 2, 2),
    ],
)
def test_xla_threads_default_follows_the_warm_buckets(monkeypatch, buckets, setting, threads):
    from planopt.server.app import ServerConfig, xla_threads_for

    monkeypatch.delenv("PLANOPT_XLA_THREADS", raising=False)
    config = ServerConfig(warm_buckets=buckets, xla_threads=setting)
    assert xla_threads_for(config) == threads


def test_unset_environment_leaves_the_choice_to_the_buckets(monkeypatch):
    from planopt.server.app import ServerConfig

    monkeypatch.delenv("PLANOPT_XLA_THREADS", raising=False)
    assert ServerConfig().xla_threads is None
    monkeypatch.setenv("PLANOPT_XLA_THREADS", "1")
    assert ServerConfig().xla_threads == 1
