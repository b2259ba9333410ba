"""The PlanOptimizer servicer: validate, bound the time, solve, encode, log one line."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any, TypeVar

import grpc
import numpy as np
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from planopt.server import convert, coverage, dynamics, tiers
from planopt.server.admission import Admission, QueueTimeout, Shed
from planopt.server.cache import ModelCache, ResponseCache, deadline_independent
from planopt.server.observability import PROCESS_KEY, REQUEST_ID_KEY, Metrics, request_id, span
from planopt.server.validation import (
    FRONTIER_BUDGETS,
    InvalidRequest,
    Violation,
    validate_compare,
    validate_evaluate,
    validate_frontier,
    validate_optimize,
    validate_sensitivity,
)
from planopt.solvers.audit import audit_with
from planopt.solvers.model import NonFiniteOutcome, PlanModel
from planopt.solvers.optimize import constraint_reports, optimize
from planopt.solvers.quotas import allocate
from planopt.solvers.sensitivity import sensitivity
from planopt.solvers.simulate import simulate, summarise
from planopt.solvers.territories import Design, TerritoryProblem, design, frontier
from planopt.solvers.territories import evaluate as evaluate_design
from planopt.v1 import planopt_pb2 as pb
from planopt.v1 import planopt_pb2_grpc as pb_grpc

log = logging.getLogger("planopt.rpc")

Resp = TypeVar("Resp")


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("planopt", "jax", "jaxlib", "cvxpy", "highspy", "numpy", "grpcio"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


VERSIONS = _versions()


# Error details travel in trailing metadata, which clients cap at 8 KiB by default (base64 for
# the details, percent-encoding for the message): report violations up to a byte budget, with
# each text clipped, and count the rest.
MAX_VIOLATIONS = 20
_MAX_TEXT_BYTES = 160
_DETAILS_BUDGET_BYTES = 3000


def _clip(text: str, limit: int = _MAX_TEXT_BYTES) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", errors="ignore") + "..."


def _bad_request(exc: InvalidRequest) -> grpc.Status:
    violations: list[error_details_pb2.BadRequest.FieldViolation] = []
    used = 0
    for v in exc.violations[:MAX_VIOLATIONS]:
        field, description = _clip(v.field), _clip(v.description)
        size = len(field.encode()) + len(description.encode())
        if violations and used + size > _DETAILS_BUDGET_BYTES:
            break
        used += size
        violations.append(error_details_pb2.BadRequest.FieldViolation(field=field, description=description))
    more = len(exc.violations) - len(violations)
    if more > 0:
        violations.append(
            error_details_pb2.BadRequest.FieldViolation(
                field=_clip(exc.violations[len(violations)].field), description=f"... and {more} more violation(s)"
            )
        )
    packed = any_pb2.Any()
    packed.Pack(error_details_pb2.BadRequest(field_violations=violations))
    first = "; ".join(f"{v.field}: {v.description}" for v in violations[:2])
    summary = f"invalid request ({len(exc.violations)} violation(s)): {first}"
    message = summary.encode("ascii", errors="backslashreplace").decode("ascii")[:600]
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[packed])
    return rpc_status.to_status(status)


# The model cache's bound in reps (ModelCache): a few large rosters or many demo-sized ones.
MODEL_CACHE_REPS = 250_000


class PlanOptimizerServicer(pb_grpc.PlanOptimizerServicer):
    def __init__(
        self,
        admission: Admission | None = None,
        metrics: Metrics | None = None,
        deadline_margin_s: float = 0.05,
        deadline_fraction: float = 0.9,
        cache: ResponseCache | None = None,
        models: ModelCache | None = None,
        process_tag: str = "",
    ) -> None:
        self.admission = admission if admission is not None else Admission(workers=2, queue=8)
        self.metrics = metrics if metrics is not None else Metrics()
        self.cache = cache if cache is not None else ResponseCache(0)  # (an empty cache is falsy)
        # Prepared models of recent rosters (what-ifs on one team): ~150 bytes per rep.
        self.models = models if models is not None else ModelCache(MODEL_CACHE_REPS)
        self.deadline_margin_s = deadline_margin_s
        # which process of a multi-process group answered (clients balance connections by it)
        self._trailer_extra: tuple[tuple[str, str], ...] = ((PROCESS_KEY, process_tag),) if process_tag else ()
        self.deadline_fraction = deadline_fraction

    # ------------------------------------------------------------------ plumbing
    def _run(
        self,
        method: str,
        request: Any,
        context: grpc.ServicerContext,
        body: Callable[[str], Resp],
        cache_when: Callable[[Resp], bool] | None = None,
    ) -> Resp:
        """A unary RPC: response cache, admission, logging, metrics and error mapping around
        ``body``. With ``cache_when``, an identical earlier request's stored answer is returned
        without computing (before admission: a hit is cheaper than a refusal), and a computed
        answer for which ``cache_when(response)`` holds is stored (server/cache.py)."""
        (response,) = list(self._run_stream(method, request, context, lambda digest: iter([body(digest)]), cache_when))
        return response

    def _run_stream(
        self,
        method: str,
        request: Any,
        context: grpc.ServicerContext,
        body: Callable[[str], Iterator[Resp]],
        cache_when: Callable[[Resp], bool] | None = None,
    ) -> Iterator[Resp]:
        """The same for a server-streaming RPC: one admission slot for the whole stream."""
        t0 = time.monotonic()
        rid = request_id(context.invocation_metadata())
        record: dict[str, Any] = {"method": method, "request_id": rid, **_size(request)}
        code = "OK"
        m = self.metrics
        try:
            context.set_trailing_metadata(((REQUEST_ID_KEY, rid), *self._trailer_extra))
            digest = None
            if cache_when is not None and self.cache.enabled:
                digest = _digest(request)
                record["request_sha256"] = digest[:16]
                hit = self.cache.get(method, digest)
                record["cache"] = "miss" if hit is None else "hit"
                m.cache.labels(method, record["cache"]).inc()
                if hit is not None:
                    hit.receipt.cached = True
                    hit.receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
                    self._count_termination(method, hit, record)
                    yield hit
                    return
            remaining = context.time_remaining()
            deadline = None if remaining is None or remaining > 1e8 else t0 + remaining
            try:
                self.admission.enter(deadline, context.is_active, method)
            except Shed as exc:
                m.shed.labels(method).inc()
                raise _Abort(grpc.StatusCode.RESOURCE_EXHAUSTED, f"{exc}; retry with backoff") from None
            except QueueTimeout as exc:
                code_ = grpc.StatusCode.CANCELLED if exc.cancelled else grpc.StatusCode.DEADLINE_EXCEEDED
                raise _Abort(code_, str(exc)) from None
            m.in_flight.set(self.admission.admitted)
            m.running.set(self.admission.running)
            record["queued_ms"] = round((time.monotonic() - t0) * 1000, 2)
            started = time.monotonic()
            try:
                with span(f"planopt.{method}", {"planopt.request_id": rid, "planopt.reps": record.get("reps", 0)}):
                    if digest is None:
                        digest = _digest(request)
                        record["request_sha256"] = digest[:16]
                    for response in body(digest):
                        self._count_termination(method, response, record)
                        if cache_when is not None and self.cache.enabled and cache_when(response):
                            self.cache.put(method, digest, response)
                            m.cache_bytes.set(self.cache.bytes)
                        yield response
            finally:
                self.admission.record(method, time.monotonic() - started)
                self.admission.leave()
                m.in_flight.set(self.admission.admitted)
                m.running.set(self.admission.running)
        except NonFiniteOutcome as exc:
            code = "INVALID_ARGUMENT"
            bad = InvalidRequest(
                [
                    Violation(
                        f"roster.rep_id[{int(i)}]",
                        "this rep's behaviour parameters give a non-finite model outcome under the plan "
                        "(an extreme effort cost, productivity, noise or quota); check the rep's columns",
                    )
                    for i in exc.rows[:MAX_VIOLATIONS]
                ]
            )
            record["violations"] = len(exc.rows)
            context.abort_with_status(_bad_request(bad))
            raise
        except InvalidRequest as exc:
            code = "INVALID_ARGUMENT"
            record["violations"] = len(exc.violations)
            context.abort_with_status(_bad_request(exc))
            raise  # unreachable: abort raises
        except _Abort as exc:
            code = grpc.StatusCode(exc.code).name
            context.abort(exc.code, exc.message)
            raise
        except Exception:
            # A bug, not the caller's fault: log it with the request id, answer INTERNAL.
            code = "INTERNAL"
            log.exception("request %s failed", rid)
            context.abort(grpc.StatusCode.INTERNAL, f"internal error (request id {rid})")
            raise
        finally:
            elapsed = time.monotonic() - t0
            record["code"] = code
            record["elapsed_ms"] = round(elapsed * 1000, 2)
            m.latency.labels(method, code).observe(elapsed)
            if log.isEnabledFor(logging.INFO):
                log.info(json.dumps(record, sort_keys=True))

    def _count_termination(self, method: str, response: Any, record: dict[str, Any]) -> None:
        if response.DESCRIPTOR.fields_by_name.get("termination") is not None:
            term = response.termination
        elif response.DESCRIPTOR.fields_by_name.get("point") is not None and response.HasField("point"):
            term = response.point.termination
        else:
            return
        reason = pb.Termination.Reason.Name(term.reason)
        record["termination"] = reason
        self.metrics.terminations.labels(method, reason).inc()

    def _deadline_limit(self, context: grpc.ServicerContext) -> float | None:
        remaining = context.time_remaining()
        if remaining is None or remaining > 1e8:
            return None
        return max(remaining * self.deadline_fraction - self.deadline_margin_s, 0.0)

    # ------------------------------------------------------------------ RPCs
    def OptimizePlan(self, request: pb.OptimizePlanRequest, context: grpc.ServicerContext) -> pb.OptimizePlanResponse:
        # whether this call's answer is independent of its deadline (set by body)
        keep = {"answer": False}

        def body(digest: str) -> pb.OptimizePlanResponse:
            t0 = time.monotonic()
            validate_optimize(request)
            problem = convert.optimize_problem(request)
            receipt = pb.Receipt(request_sha256=digest, solver_versions=VERSIONS, seed=request.options.seed)
            if request.options.mode == pb.SolveOptions.VALIDATE_ONLY:
                receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
                return pb.OptimizePlanResponse(
                    termination=pb.Termination(reason=pb.Termination.VALIDATED, detail="request is valid"),
                    receipt=receipt,
                )
            deadline_limit = self._deadline_limit(context)
            options = convert.solve_options(request.options, problem, deadline_limit)
            if deadline_limit is not None and deadline_limit <= 0.0:
                raise _Abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline too short to start solving")
            model = self.models.model(problem)
            solution = optimize(problem, options, should_stop=lambda: not context.is_active(), model=model)
            reason = solution.termination.value
            if (
                reason == "NO_FEASIBLE_POINT_YET"
                and deadline_limit is not None
                and deadline_limit <= options.time_limit_s
            ):
                raise _Abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline reached before any feasible plan")
            if reason == "CANCELLED":
                raise _Abort(grpc.StatusCode.CANCELLED, "request cancelled by the caller")
            response = convert.optimize_response(solution, problem)
            receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
            response.receipt.CopyFrom(receipt)
            keep["answer"] = deadline_independent(solution)
            return response

        return self._run("OptimizePlan", request, context, body, cache_when=lambda _: keep["answer"])

    def EvaluatePlan(self, request: pb.EvaluatePlanRequest, context: grpc.ServicerContext) -> pb.EvaluatePlanResponse:
        def body(digest: str) -> pb.EvaluatePlanResponse:
            t0 = time.monotonic()
            validate_evaluate(request)
            problem = convert.evaluate_problem(request)
            model = self.models.model(problem)
            ev = model.evaluate(problem.template.value, with_jacobian=False)
            reports = constraint_reports(model.specs, ev, None, 1.0, 1e-6)
            response = pb.EvaluatePlanResponse(
                metrics=convert.metrics(ev, problem.template.roles),
                constraints=[convert.constraint_report(c) for c in reports],
                reps=convert.rep_outcomes(ev, problem.roster.rep_id),
            )
            mc = request.monte_carlo
            if mc.draws > 0:
                sim = simulate(model, problem.template.value, mc.draws, int(mc.seed), mc.market_shock_sd)
                response.monte_carlo.CopyFrom(convert.monte_carlo(sim))
            if request.equity_audit.HasField("max_gap"):
                max_gap = request.equity_audit.max_gap
            elif problem.constraints.max_equity_gap is not None:
                max_gap = problem.constraints.max_equity_gap
            else:
                max_gap = 0.05
            design = model.audit_design()
            if design is not None:
                found = audit_with(design, ev.rep["pay"], ev.rep["attainment"], max_gap)
                response.equity_audit.CopyFrom(convert.equity_audit(found))
            response.receipt.CopyFrom(
                pb.Receipt(
                    request_sha256=digest,
                    solver_versions=VERSIONS,
                    seed=mc.seed,
                    elapsed=convert.duration(time.monotonic() - t0),
                )
            )
            return response

        return self._run("EvaluatePlan", request, context, body, cache_when=lambda _: True)

    def SweepFrontier(
        self, request: pb.SweepFrontierRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.SweepFrontierProgress]:
        def body(digest: str) -> Iterator[pb.SweepFrontierProgress]:
            t0 = time.monotonic()
            validate_frontier(request)
            receipt = pb.Receipt(request_sha256=digest, solver_versions=VERSIONS, seed=request.problem.options.seed)
            values = sorted(request.values)
            if request.problem.options.mode == pb.SolveOptions.VALIDATE_ONLY:
                receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
                yield pb.SweepFrontierProgress(completed=0, total=len(values), done=True, receipt=receipt)
                return
            field_name = FRONTIER_BUDGETS[request.budget]
            base = convert.optimize_problem(request.problem)
            model = PlanModel(base)  # the JIT shape and roster arrays are shared by every point
            deadline_limit = self._deadline_limit(context)
            options = convert.solve_options(request.problem.options, base, deadline_limit)
            end = time.monotonic() + options.time_limit_s
            warm = options.warm_start
            frontier: list[pb.FrontierPoint] = []
            for k, value in enumerate(values):
                if not context.is_active():
                    raise _Abort(grpc.StatusCode.CANCELLED, "request cancelled by the caller")
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise _Abort(
                        grpc.StatusCode.DEADLINE_EXCEEDED, f"time limit reached after {k} of {len(values)} points"
                    )
                problem = dataclasses.replace(
                    base, constraints=dataclasses.replace(base.constraints, **{field_name: value})
                )
                point_options = dataclasses.replace(
                    options, warm_start=warm, time_limit_s=remaining / (len(values) - k)
                )
                solution = optimize(
                    problem,
                    point_options,
                    should_stop=lambda: not context.is_active(),
                    model=model.with_problem(problem),
                )
                if solution.termination.value in ("LOCALLY_OPTIMAL", "FEASIBLE_TIME_LIMIT", "ITERATION_LIMIT"):
                    warm = solution.levers
                point = convert.frontier_point(solution, problem, value, field_name)
                frontier.append(point)
                yield pb.SweepFrontierProgress(completed=k + 1, total=len(values), point=point)
            receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
            yield pb.SweepFrontierProgress(
                completed=len(values), total=len(values), done=True, frontier=frontier, receipt=receipt
            )

        return self._run_stream("SweepFrontier", request, context, body)

    def CompareScenarios(
        self, request: pb.CompareScenariosRequest, context: grpc.ServicerContext
    ) -> pb.CompareScenariosResponse:
        keep = {"answer": True}  # cache only when no optimised scenario depended on the deadline

        def body(digest: str) -> pb.CompareScenariosResponse:
            t0 = time.monotonic()
            validate_compare(request)
            base = convert.optimize_problem(request.base)
            model = PlanModel(base)
            scenarios = list(request.scenarios) or [
                pb.Scenario(name="current", plan=request.base.plan),
                pb.Scenario(name="optimised", optimise=True, constraints=request.base.constraints),
            ]
            mc = request.monte_carlo
            feas_tol = convert.solve_options(request.base.options, base, None).feasibility_tol
            results: list[pb.ScenarioResult] = []
            samples: list[np.ndarray] = []
            for sc in scenarios:
                if not context.is_active():
                    raise _Abort(grpc.StatusCode.CANCELLED, "request cancelled by the caller")
                out = pb.ScenarioResult(name=sc.name)
                if sc.optimise:
                    problem = dataclasses.replace(base, constraints=convert.constraints(sc.constraints))
                    options = convert.solve_options(request.base.options, problem, self._deadline_limit(context))
                    solution = optimize(
                        problem, options, should_stop=lambda: not context.is_active(), model=model.with_problem(problem)
                    )
                    levers = solution.levers
                    keep["answer"] = keep["answer"] and deadline_independent(solution)
                    out.termination.CopyFrom(
                        pb.Termination(reason=convert.TERMINATION[solution.termination.value], detail=solution.detail)
                    )
                else:
                    levers = convert.lever_values(sc.plan, base)
                ev = model.evaluate(levers, with_jacobian=False)
                reports = constraint_reports(model.specs, ev, None, 1.0, 1e-6)
                out.plan.extend(convert.plan_result(levers, base.template.roles))
                out.metrics.CopyFrom(convert.metrics(ev, base.template.roles))
                out.constraints.extend(convert.constraint_report(c) for c in reports)
                # Violated beyond the solver's own feasibility tolerance (in each constraint's units).
                out.violated.extend(
                    c.name for c, spec in zip(reports, model.specs, strict=True) if c.slack < -feas_tol * spec.scale
                )
                if mc.draws > 0:
                    sim = simulate(model, levers, mc.draws, int(mc.seed), mc.market_shock_sd)
                    out.monte_carlo.CopyFrom(convert.monte_carlo(sim))
                    samples.append(sim.samples_mean_attainment)
                results.append(out)
            ref = results[0].metrics
            for k, out in enumerate(results):
                m = out.metrics
                out.delta_mean_attainment = m.mean_attainment - ref.mean_attainment
                out.delta_cost_of_sales = m.cost_of_sales - ref.cost_of_sales
                out.delta_total_pay_usd = m.total_pay_usd - ref.total_pay_usd
                out.delta_attrition = m.attrition - ref.attrition
                if samples:
                    paired = summarise(samples[k] - samples[0])
                    out.paired_delta_mean_attainment.CopyFrom(convert.distribution(paired))
            return pb.CompareScenariosResponse(
                scenarios=results,
                receipt=pb.Receipt(
                    request_sha256=digest,
                    solver_versions=VERSIONS,
                    seed=mc.seed,
                    elapsed=convert.duration(time.monotonic() - t0),
                ),
            )

        return self._run("CompareScenarios", request, context, body, cache_when=lambda _: keep["answer"])

    def Sensitivity(self, request: pb.SensitivityRequest, context: grpc.ServicerContext) -> pb.SensitivityResponse:
        def body(digest: str) -> pb.SensitivityResponse:
            t0 = time.monotonic()
            validate_sensitivity(request)
            problem = convert.optimize_problem(request.problem)
            options = convert.solve_options(request.problem.options, problem, self._deadline_limit(context))
            model = self.models.model(problem)
            solution = optimize(problem, options, should_stop=lambda: not context.is_active(), model=model)
            fraction = request.tornado_fraction or 0.1
            response = pb.SensitivityResponse(
                termination=pb.Termination(
                    reason=convert.TERMINATION[solution.termination.value], detail=solution.detail
                ),
                objective=solution.evaluation.objective,
                plan=convert.plan_result(solution.levers, problem.template.roles),
                tornado_fraction=fraction,
            )
            if solution.termination.value == "LOCALLY_OPTIMAL":
                enum = pb.SensitivityRequest.Input
                wanted = list(request.inputs) or [x for x in enum.values() if x != enum.INPUT_UNSPECIFIED]
                names = [enum.Name(x).lower() for x in wanted]
                rows = sensitivity(problem, solution, names, fraction, options, lambda: not context.is_active())
                for code, row in zip(wanted, rows, strict=True):
                    response.inputs.append(
                        pb.InputSensitivity(
                            input=code,
                            derivative=row.derivative,
                            objective_low=row.objective_low,
                            objective_high=row.objective_high,
                            termination_low=convert.TERMINATION[row.termination_low],
                            termination_high=convert.TERMINATION[row.termination_high],
                            predicted_low=row.predicted_low,
                            predicted_high=row.predicted_high,
                        )
                    )
            response.receipt.CopyFrom(
                pb.Receipt(
                    request_sha256=digest,
                    solver_versions=VERSIONS,
                    seed=request.problem.options.seed,
                    elapsed=convert.duration(time.monotonic() - t0),
                )
            )
            return response

        return self._run("Sensitivity", request, context, body)

    def AllocateQuotas(
        self, request: pb.AllocateQuotasRequest, context: grpc.ServicerContext
    ) -> pb.AllocateQuotasResponse:
        def body(digest: str) -> pb.AllocateQuotasResponse:
            t0 = time.monotonic()
            coverage.validate_quotas(request)
            receipt = pb.Receipt(request_sha256=digest, solver_versions=VERSIONS)
            if request.validate_only:
                receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
                return pb.AllocateQuotasResponse(
                    termination=pb.Termination(reason=pb.Termination.VALIDATED, detail="request is valid"),
                    receipt=receipt,
                )
            problem = coverage.quota_problem(request)
            limit = self._deadline_limit(context)
            result = allocate(problem, time_limit_s=30.0 if limit is None else max(min(limit, 30.0), 1e-3))
            response = coverage.quota_response(problem, result)
            receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
            response.receipt.CopyFrom(receipt)
            return response

        return self._run("AllocateQuotas", request, context, body)

    def DesignTerritories(
        self, request: pb.DesignTerritoriesRequest, context: grpc.ServicerContext
    ) -> pb.DesignTerritoriesResponse:
        def body(digest: str) -> pb.DesignTerritoriesResponse:
            t0 = time.monotonic()
            coverage.validate_territories(request)
            receipt = pb.Receipt(request_sha256=digest, solver_versions=VERSIONS)
            if request.validate_only:
                receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
                return pb.DesignTerritoriesResponse(
                    design=pb.TerritoryDesign(
                        termination=pb.Termination(reason=pb.Termination.VALIDATED, detail="request is valid")
                    ),
                    receipt=receipt,
                )
            per_solve = request.time_limit_seconds if request.HasField("time_limit_seconds") else 60.0
            limit = self._deadline_limit(context)
            end = None if limit is None else time.monotonic() + limit
            problem, cov = coverage.territory_problem(request, per_solve)
            stop = lambda: not context.is_active()  # noqa: E731

            def bounded(p: TerritoryProblem) -> TerritoryProblem:
                if end is None:
                    return p
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise _Abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline reached before the design finished")
                return dataclasses.replace(p, time_limit_s=min(p.time_limit_s, remaining))

            def solve(p: TerritoryProblem) -> Design:
                d = design(bounded(p), should_stop=stop)
                if d.status in ("interrupted", "time_limit_no_incumbent") and not context.is_active():
                    raise _Abort(grpc.StatusCode.CANCELLED, "request cancelled by the caller")
                return d

            base = solve(problem)
            response = pb.DesignTerritoriesResponse(design=coverage.design_message(problem, base))
            if all(c >= 0 for c in problem.current):
                response.current.CopyFrom(coverage.territory_metrics(evaluate_design(problem, problem.current)))
            if request.frontier_points >= 2:
                points = frontier(
                    bounded(problem), request.frontier_points, should_stop=stop, exact=request.exact_frontier
                )
                for fp in points:
                    response.frontier.append(
                        pb.TerritoryFrontierPoint(
                            max_disruption=fp.epsilon, design=coverage.design_message(problem, fp.design)
                        )
                    )
            response.scenarios.extend(
                coverage.run_scenarios(problem, cov, base, response.design, request.scenarios, solve)
            )
            receipt.elapsed.CopyFrom(convert.duration(time.monotonic() - t0))
            response.receipt.CopyFrom(receipt)
            return response

        return self._run("DesignTerritories", request, context, body)

    def DesignPriceTiers(
        self, request: pb.DesignPriceTiersRequest, context: grpc.ServicerContext
    ) -> pb.DesignPriceTiersResponse:
        def body(digest: str) -> pb.DesignPriceTiersResponse:
            t0 = time.monotonic()
            response = tiers.solve(request)
            response.receipt.CopyFrom(
                pb.Receipt(
                    request_sha256=digest, solver_versions=VERSIONS, elapsed=convert.duration(time.monotonic() - t0)
                )
            )
            return response

        return self._run("DesignPriceTiers", request, context, body)

    def SimulateDynamics(
        self, request: pb.SimulateDynamicsRequest, context: grpc.ServicerContext
    ) -> pb.SimulateDynamicsResponse:
        def body(digest: str) -> pb.SimulateDynamicsResponse:
            t0 = time.monotonic()
            limit = self._deadline_limit(context)

            def check() -> None:
                if not context.is_active():
                    raise _Abort(grpc.StatusCode.CANCELLED, "request cancelled by the caller")
                if limit is not None and time.monotonic() - t0 > limit:
                    raise _Abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline reached between plan solves")

            response = dynamics.run(request, check)
            response.receipt.CopyFrom(
                pb.Receipt(
                    request_sha256=digest,
                    solver_versions=VERSIONS,
                    seed=request.seed,
                    elapsed=convert.duration(time.monotonic() - t0),
                )
            )
            return response

        return self._run("SimulateDynamics", request, context, body)


def _digest(request: Any) -> str:
    """Receipt.request_sha256: SHA-256 of the request's deterministic serialisation, hex."""
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


def _size(request: Any) -> dict[str, int]:
    """The request's size for the log line: reps, territories or accounts."""
    if hasattr(request, "territories"):
        return {"territories": len(request.territories.territory_id)}
    if hasattr(request, "simulated_reps"):
        return {"plans": len(request.plans)}
    if hasattr(request, "distribution"):
        d = request.distribution
        return {"grid": len(d.price), "deals": len(d.deal_price)}
    if hasattr(request, "accounts"):
        return {"accounts": len(request.accounts.account_id), "reps": len(request.reps.rep_id)}
    inner = next((getattr(request, f) for f in ("problem", "base") if hasattr(request, f)), request)
    return {"reps": len(inner.roster.rep_id)}


class _Abort(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
