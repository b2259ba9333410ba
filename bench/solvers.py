"""planopt's SQP vs SciPy SLSQP and IPOPT (casadi) on the same surface, same starts.

    python -m bench.solvers --instance S|M|L|all [--repeats 5] [--starts 4] [--json]

Every solver sees the same function: ``ScaledProblem`` (JAX surface, exact block-sparse
Jacobians; one evaluation gives f, grad f, c and dc/dz, cached so a peer asking for the value
and then the Jacobian at the same point pays once). The peers' model computes the first order
alone (``PlanModel(first_order_hessians=False)``); ours computes the second order with it. Our SQP uses the exact Hessian of the
Lagrangian (JAX second order, ``PlanModel.lagrangian_hessian``). IPOPT runs twice: with its
limited-memory Hessian ("ipopt") and with the same exact second derivatives, per output,
through a casadi callback ("ipopt_exact") — the strongest peer we can build on this surface.
SLSQP takes first derivatives only (its BFGS is internal). Timings are warm (JIT compiled
before timing) medians of ``--repeats`` runs, all measured in this run.

Prints one JSON object per (instance, solver) and a summary line per instance with
speedup_vs_slsqp, speedup_vs_ipopt and objective_gap_vs_best_peer (relative; positive = ours
better), plus the infeasible variant's relaxation check.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import threading
import time
from collections.abc import Callable

import numpy as np
from planopt.solvers.model import PlanModel
from planopt.solvers.optimize import ScaledProblem, optimize
from planopt.solvers.problem import SolveOptions

from bench.instances import instance

FEAS_TOL = 1e-6
QUALITY_BAR = 1e-6  # issue 4: our objective >= best peer - 1e-6 (relative)


class Cached:
    """f, grad, c, J at the last point (peers ask for them separately)."""

    def __init__(self, fun: ScaledProblem) -> None:
        self.fun = fun
        self.key: bytes | None = None
        self.val: tuple[float, np.ndarray, np.ndarray, np.ndarray] | None = None
        self.evaluations = 0

    def __call__(self, z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        z = np.clip(np.asarray(z, dtype=float).ravel(), 0.0, 1.0)
        key = z.tobytes()
        if key != self.key:
            self.val = self.fun(z)
            self.key = key
            self.evaluations += 1
        assert self.val is not None
        return self.val


def starts(fun: ScaledProblem, count: int, seed: int = 0) -> list[np.ndarray]:
    """The same starts as planopt's multi-start: the current plan, then seeded uniform points."""
    rng = np.random.default_rng(seed)
    out = [fun.space.to_z(fun.problem.template.value)]
    out += [rng.uniform(0.05, 0.95, fun.space.n) for _ in range(count - 1)]
    return out


def run_slsqp(fun: ScaledProblem, zs: list[np.ndarray]) -> tuple[float, float, str]:
    from scipy.optimize import minimize

    f = Cached(fun)
    best = (np.inf, np.inf, "no feasible point")
    for z0 in zs:
        res = minimize(
            lambda z: f(z)[0],
            z0,
            jac=lambda z: f(z)[1],
            method="SLSQP",
            bounds=[(0.0, 1.0)] * z0.size,
            constraints=[{"type": "ineq", "fun": lambda z: -f(z)[2], "jac": lambda z: -f(z)[3]}],
            options={"maxiter": 500, "ftol": 1e-10},
        )
        obj, _, c, _ = f(res.x)
        viol = max(float(np.max(c, initial=0.0)), 0.0)
        if viol <= FEAS_TOL and obj < best[0]:
            best = (obj, viol, res.message)
    return best


def output_hessians(fun: ScaledProblem, z: np.ndarray) -> np.ndarray:
    """Exact Hessians of f and of each c_j at z, stacked as casadi wants the Jacobian of the
    (1 + m, n) Jacobian: rows k + i (1 + m) (column-major vec of the Jacobian), columns j."""
    m = len(fun.specs)
    hs = [fun.hessian(z, np.zeros(m), 1.0)]
    for j in range(m):
        hs.append(fun.hessian(z, np.eye(m)[j], 0.0))
    stack = np.stack(hs)  # (1 + m, n, n): [k, i, j]
    return np.transpose(stack, (1, 0, 2)).reshape(-1, stack.shape[2])


def run_ipopt(fun: ScaledProblem, zs: list[np.ndarray], exact_hessian: bool = False) -> tuple[float, float, str]:
    import casadi as ca

    f = Cached(fun)
    n, m = zs[0].size, len(fun.specs)

    class Hess(ca.Callback):
        """d(Jacobian)/dz: inputs (z, outputs, Jacobian), outputs (d jac/dz, d jac/d outputs = 0)."""

        def __init__(self) -> None:
            ca.Callback.__init__(self)
            self.construct("planopt_hess", {})

        def get_n_in(self) -> int:
            return 3

        def get_n_out(self) -> int:
            return 2

        def get_sparsity_in(self, i: int) -> ca.Sparsity:
            return [ca.Sparsity.dense(n, 1), ca.Sparsity.dense(1 + m, 1), ca.Sparsity.dense(1 + m, n)][i]

        def get_sparsity_out(self, i: int) -> ca.Sparsity:
            return ca.Sparsity.dense((1 + m) * n, n) if i == 0 else ca.Sparsity((1 + m) * n, 1 + m)

        def eval(self, arg: list) -> list:  # type: ignore[type-arg]
            z = np.clip(np.asarray(arg[0]).ravel(), 0.0, 1.0)
            return [output_hessians(fun, z), ca.DM((1 + m) * n, 1 + m)]

    class Jac(ca.Callback):
        def __init__(self) -> None:
            ca.Callback.__init__(self)
            self.construct("planopt_jac", {})

        def get_n_in(self) -> int:
            return 2

        def get_n_out(self) -> int:
            return 1

        def get_sparsity_in(self, i: int) -> ca.Sparsity:
            return ca.Sparsity.dense(n, 1) if i == 0 else ca.Sparsity.dense(1 + m, 1)

        def get_sparsity_out(self, i: int) -> ca.Sparsity:
            return ca.Sparsity.dense(1 + m, n)

        def eval(self, arg: list) -> list:  # type: ignore[type-arg]
            _, g, _, jac = f(np.asarray(arg[0]).ravel())
            return [np.vstack([g[None, :], jac])]

        def has_jacobian(self) -> bool:
            return exact_hessian

        def get_jacobian(self, name: str, inames: list, onames: list, opts: dict) -> ca.Function:  # type: ignore[type-arg]
            self.hess_cb = Hess()
            x = ca.MX.sym("x", n, 1)
            out = ca.MX.sym("out", 1 + m, 1)
            jac = ca.MX.sym("jac", 1 + m, n)
            return ca.Function(name, [x, out, jac], self.hess_cb(x, out, jac), inames, onames, opts)

    class FG(ca.Callback):
        def __init__(self) -> None:
            ca.Callback.__init__(self)
            self.jac_cb = Jac()
            self.construct("planopt_fg", {})

        def get_n_in(self) -> int:
            return 1

        def get_n_out(self) -> int:
            return 1

        def get_sparsity_in(self, i: int) -> ca.Sparsity:
            return ca.Sparsity.dense(n, 1)

        def get_sparsity_out(self, i: int) -> ca.Sparsity:
            return ca.Sparsity.dense(1 + m, 1)

        def eval(self, arg: list) -> list:  # type: ignore[type-arg]
            obj, _, c, _ = f(np.asarray(arg[0]).ravel())
            return [np.r_[obj, c]]

        def has_jacobian(self) -> bool:
            return True

        def get_jacobian(self, name: str, inames: list, onames: list, opts: dict) -> ca.Function:  # type: ignore[type-arg]
            x = ca.MX.sym("x", n, 1)
            out = ca.MX.sym("out", 1 + m, 1)
            return ca.Function(name, [x, out], [self.jac_cb(x, out)], inames, onames, opts)

    fg = FG()
    x = ca.MX.sym("x", n, 1)
    y = fg(x)
    nlp = {"x": x, "f": y[0], "g": y[1:]}
    opts = {
        "ipopt.print_level": 0,
        "print_time": False,
        "ipopt.sb": "yes",
        "ipopt.hessian_approximation": "exact" if exact_hessian else "limited-memory",
        "ipopt.tol": 1e-8,
        "ipopt.max_iter": 500,
    }
    solver = ca.nlpsol("planopt_ipopt", "ipopt", nlp, opts)
    best = (np.inf, np.inf, "no feasible point")
    for z0 in zs:
        sol = solver(x0=z0, lbx=0.0, ubx=1.0, ubg=0.0)
        z = np.asarray(sol["x"]).ravel()
        obj, _, c, _ = f(z)
        viol = max(float(np.max(c, initial=0.0)), 0.0)
        if viol <= FEAS_TOL and obj < best[0]:
            best = (obj, viol, solver.stats()["return_status"])
    _ = fg  # keep the callback objects alive until here
    return best


def _timed(fn: Callable[[], tuple[float, float, str]], repeats: int) -> tuple[tuple[float, float, str], float]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    assert out is not None
    return out, statistics.median(times)


def resident_mib() -> float:
    """This process's resident set now (MiB, /proc/self/status VmRSS; 0 where absent)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class ResidentWatch:
    """Largest resident set while the block runs (sampled every 50 ms on a thread): what a
    solver needs, apart from the JIT compiler's one-off peak that ``peak_rss_mib`` includes."""

    def __init__(self) -> None:
        self.max_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.max_mib = max(self.max_mib, resident_mib())
            if self._stop.wait(0.05):
                return

    def __enter__(self) -> ResidentWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.max_mib = max(self.max_mib, resident_mib())


PEERS = ("slsqp", "ipopt", "ipopt_exact")


def peak_rss_mib() -> float:
    """This process's peak resident set so far (MiB; Linux reports ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_instance(
    name: str,
    repeats: int,
    n_starts: int,
    emit: Callable[[dict], None],
    peers: tuple[str, ...] = PEERS,
    variants: tuple[str, ...] = ("feasible", "infeasible"),
    seeds: int = 1,
) -> None:
    if "feasible" in variants:
        gaps = [bench_feasible(name, repeats if seed == 0 else 1, n_starts, emit, peers, seed) for seed in range(seeds)]
        if seeds > 1:
            # Quality over several seeds of the random starts: one seed can be luck (on M the
            # local optimum the starts reach moves with round-off in the surface kernels).
            known = [g for g in gaps if g is not None]
            emit(
                {
                    "instance": name,
                    "seeds": seeds,
                    "objective_gaps_vs_best_peer": gaps,
                    "seeds_meeting_quality_bar": sum(1 for g in known if g >= -QUALITY_BAR),
                    "worst_gap": min(known) if known else None,
                }
            )
    if "infeasible" in variants:
        bench_infeasible(name, n_starts, emit)


def bench_feasible(
    name: str, repeats: int, n_starts: int, emit: Callable[[dict], None], peers: tuple[str, ...], seed: int = 0
) -> float | None:
    """Every solver from the same ``n_starts`` starts (the ``seed``'s); returns our relative
    objective gap to the best peer (positive: ours is better)."""
    problem = instance(name)
    model = PlanModel(problem)
    model.compile_kernels()  # JIT compile outside the timings (every kernel the solvers call)
    # The peers' functions on a model that computes the first order alone (ours computes the
    # second order with it on rosters up to 5,000 reps, ``PlanModel.first_order_hessians``,
    # which SLSQP and IPOPT's quasi-Newton would pay for and never use).
    peer_model = PlanModel(problem, first_order_hessians=False)
    peer_model.compile_kernels()
    fun = ScaledProblem(problem, peer_model)
    options = SolveOptions(num_starts=n_starts, seed=seed, time_limit_s=600)

    def ours() -> tuple[float, float, str]:
        sol = optimize(problem, options, model=model)
        return -sol.evaluation.objective / fun.obj_scale, sol.max_violation, sol.termination.value

    zs = starts(fun, n_starts, seed)
    results = {}
    runs: dict[str, Callable[[], tuple[float, float, str]]] = {
        "planopt": ours,
        "slsqp": lambda: run_slsqp(fun, zs),
        "ipopt": lambda: run_ipopt(fun, zs),
        "ipopt_exact": lambda: run_ipopt(fun, zs, exact_hessian=True),
    }
    for solver, fn in runs.items():
        if solver != "planopt" and solver not in peers:
            continue
        with ResidentWatch() as watch:
            (obj, viol, term), secs = _timed(fn, repeats)
        objective = -obj * fun.obj_scale if np.isfinite(obj) else None
        results[solver] = (objective, secs)
        emit(
            {
                "instance": name,
                "solver": solver,
                "objective": objective,
                "max_violation": viol,
                "seconds": secs,
                "termination": str(term),
                "repeats": repeats,
                "starts": n_starts,
                "seed": seed,
                # process peak after this solver (planopt runs first: its row is its own peak,
                # including the JIT compile before timing)
                "peak_rss_mib": round(peak_rss_mib(), 1),
                "solve_rss_mib": round(watch.max_mib, 1),  # largest resident set while it ran
            }
        )
    peer_objectives = [results[p][0] for p in peers if p in results and results[p][0] is not None]
    best_peer = max(peer_objectives) if peer_objectives else None
    ours_obj = results["planopt"][0]
    summary: dict[str, object] = {"instance": name, "seed": seed}
    for p in PEERS:
        if p in results:
            summary[f"speedup_vs_{p}"] = results[p][1] / results["planopt"][1]
    gap = None if best_peer is None or ours_obj is None else (ours_obj - best_peer) / abs(best_peer)
    summary["objective_gap_vs_best_peer"] = gap
    emit(summary)
    return gap


def bench_infeasible(name: str, n_starts: int, emit: Callable[[dict], None]) -> None:
    """INFEASIBLE + relaxation; re-solving at the relaxed cap must be feasible and tight.

    The relaxation is the returned plan's (phase 1's local minimum of the violation: the problem
    is not convex), so the re-solve is warm-started from that plan, as the API documents. The
    same re-solve from the default starts only (``cold_resolve_*``) is reported too: at a cap
    that only a narrow region meets, those starts can miss it."""
    options = SolveOptions(num_starts=n_starts, seed=0, time_limit_s=600)
    bad = instance(name, infeasible=True)
    sol = optimize(bad, options, model=PlanModel(bad))
    check: dict[str, object] = {
        "instance": name,
        "variant": "infeasible",
        "termination": sol.termination.value,
        "relaxations": [dataclasses.asdict(r) for r in sol.relaxations],
    }
    cos = next((r for r in sol.relaxations if r.name == "cost_of_sales"), None)
    if cos is not None:
        cap = cos.relaxed_bound + 1e-5
        relaxed = dataclasses.replace(bad, constraints=dataclasses.replace(bad.constraints, max_cost_of_sales=cap))
        model = PlanModel(relaxed)
        for prefix, warm in (("resolve", sol.levers), ("cold_resolve", None)):
            again = optimize(relaxed, dataclasses.replace(options, warm_start=warm), model=model)
            check[f"{prefix}_termination"] = again.termination.value
            check[f"{prefix}_cost_of_sales_minus_cap"] = again.evaluation.metrics["cost_of_sales"] - cap
    emit(check)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instance", default="S", choices=("S", "M", "L", "all"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--starts", type=int, default=4)
    ap.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="run the feasible comparison for start seeds 0..N-1 (timed repeats on seed 0 only) "
        "and summarise the quality gap over them",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--peers",
        default=",".join(PEERS),
        help="comma-separated peers to run (ipopt_exact takes >10 min on M: casadi assembles each output's Hessian)",
    )
    ap.add_argument(
        "--variants",
        default="feasible,infeasible",
        help="feasible (all solvers, timed) and/or infeasible (planopt's relaxation and its re-solve)",
    )
    args = ap.parse_args()
    peers = tuple(p for p in args.peers.split(",") if p)
    unknown = set(peers) - set(PEERS)
    if unknown:
        ap.error(f"unknown peers {sorted(unknown)}; choose from {PEERS}")

    def emit(row: dict) -> None:  # type: ignore[type-arg]
        print(json.dumps(row) if args.json else row, flush=True)

    for name in ("S", "M", "L") if args.instance == "all" else (args.instance,):
        bench_instance(name, args.repeats, args.starts, emit, peers, tuple(args.variants.split(",")), args.seeds)


if __name__ == "__main__":
    main()
