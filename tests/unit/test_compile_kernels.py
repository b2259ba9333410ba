"""``PlanModel.compile_kernels`` compiles every kernel an evaluation at another plan runs.

Checked in a fresh process (this one's JIT cache holds every earlier test's kernels), with the
lever scan's batched kernels left out (``scan=False``, as a server warmed only for rosters over
``SCAN_MAX_REPS`` does): JAX's backend-compile events are counted after it, over a values-only
evaluation, a first-order one and the curvature moments at new plans. The values kernel was
missed once: ``evaluate(with_jacobian=False)`` at the warm-up's own plan answers from the first
order it has just cached, so the first EvaluatePlan (or an OptimizePlan's final evaluation) of
such a server compiled it.
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json
import jax.monitoring
import numpy as np
from planopt.solvers.model import PlanModel
from planopt.solvers.problem import demo_problem

compiles = [0]

def on(event, duration, **_):
    if event == "/jax/core/compile/backend_compile_duration":
        compiles[0] += 1

jax.monitoring.register_event_duration_secs_listener(on)
problem = demo_problem()
model = PlanModel(problem)
model.compile_kernels(scan=False)
warm = compiles[0]
levers = np.asarray(problem.template.value, dtype=float) * 1.01
model.evaluate(levers, with_jacobian=False)
values = compiles[0] - warm
model.evaluate(levers * 1.01)
model.rep_derivatives(levers * 1.01)
print(json.dumps({"warm": warm, "values": values, "after": compiles[0] - warm}))
"""


def test_compile_kernels_leaves_nothing_for_an_evaluation_to_compile():
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=300, check=True)
    counts = json.loads(out.stdout.strip().splitlines()[-1])
    assert counts["warm"] > 0  # the listener sees compiles
    assert counts["values"] == 0
    assert counts["after"] == 0
