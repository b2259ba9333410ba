"""``PlanClient``: typed calls to a planopt server, with deadlines and retries on UNAVAILABLE."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2
from planopt.client import requests as rq
from planopt.client.results import (
    EvaluateResult,
    FrontierPoint,
    OptimizeResult,
    evaluate_result,
    frontier_point,
    optimize_result,
)
from planopt.v1 import planopt_pb2 as pb
from planopt.v1 import planopt_pb2_grpc as pb_grpc

SERVICE = "planopt.v1.PlanOptimizer"
_UNARY_METHODS = frozenset(
    m.name
    for m in pb.DESCRIPTOR.services_by_name["PlanOptimizer"].methods
    if not (m.client_streaming or m.server_streaming)
)


class PlanError(Exception):
    """A failed call: the gRPC code, its message and, for INVALID_ARGUMENT, the field violations."""

    def __init__(self, code: grpc.StatusCode, message: str, violations: list[tuple[str, str]]) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.violations = violations  # [(field path, description)]


def _decode_error(err: grpc.RpcError) -> PlanError:
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    message = err.details() if hasattr(err, "details") else str(err)
    violations: list[tuple[str, str]] = []
    for key, value in (err.trailing_metadata() or ()) if hasattr(err, "trailing_metadata") else ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    br = error_details_pb2.BadRequest()
                    detail.Unpack(br)
                    violations.extend((v.field, v.description) for v in br.field_violations)
    return PlanError(code, message or "", violations)


def _service_config(max_attempts: int) -> str:
    return json.dumps(
        {
            "methodConfig": [
                {
                    "name": [{"service": SERVICE}, {"service": "grpc.health.v1.Health"}],
                    "retryPolicy": {
                        "maxAttempts": max(2, min(max_attempts, 5)),
                        "initialBackoff": "0.1s",
                        "maxBackoff": "2s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"],
                    },
                }
            ]
        }
    )


class PlanClient:
    """A client of one planopt target (``host:port``, or ``dns:///name:port`` for many replicas).

    Retries on UNAVAILABLE are gRPC's own (service-config retry policy, exponential backoff);
    every call has a deadline (``timeout`` seconds, per call or the client default).
    """

    def __init__(
        self,
        target: str,
        *,
        timeout: float = 60.0,
        max_attempts: int = 4,
        credentials: grpc.ChannelCredentials | None = None,
        tls_ca: str | bytes | None = None,
        tls_cert: str | bytes | None = None,
        tls_key: str | bytes | None = None,
        token: str | None = None,
        round_robin: bool = False,
        options: list[tuple[str, Any]] | None = None,
    ) -> None:
        """``tls_ca`` (PEM path or bytes) turns on TLS; add ``tls_cert``/``tls_key`` for mutual
        TLS. ``token`` is sent as ``authorization: Bearer <token>`` on every planopt call.
        ``credentials`` (a ready grpc.ChannelCredentials) overrides the TLS arguments."""
        opts: list[tuple[str, Any]] = [
            ("grpc.enable_retries", 1 if max_attempts > 1 else 0),
            ("grpc.service_config", _service_config(max_attempts)),
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ("grpc.max_send_message_length", 64 * 1024 * 1024),
        ]
        if round_robin:
            opts.append(("grpc.lb_policy_name", "round_robin"))
        opts.extend(options or [])
        self.target = target
        self.timeout = timeout
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()
        if credentials is None and (tls_ca is not None or tls_cert is not None):
            credentials = tls_credentials(tls_ca, tls_cert, tls_key)
        if credentials is None:
            self._channel = grpc.insecure_channel(target, options=opts)
        else:
            self._channel = grpc.secure_channel(target, credentials, options=opts)
        self._stub = pb_grpc.PlanOptimizerStub(self._channel)

    # --------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> PlanClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def health(self, service: str = SERVICE, timeout: float = 5.0) -> str:
        """SERVING / NOT_SERVING / UNKNOWN / SERVICE_UNKNOWN, via grpc.health.v1 (no extra deps)."""
        call = self._channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=_health_request,
            response_deserializer=_health_status,
        )
        return str(call(service, timeout=timeout))

    def wait_until_serving(self, timeout: float = 300.0, interval: float = 0.2) -> None:
        """Block until health is SERVING (the server has compiled its JIT buckets)."""
        end = time.monotonic() + timeout
        last = "UNKNOWN"
        while time.monotonic() < end:
            try:
                last = self.health()
                if last == "SERVING":
                    return
            except grpc.RpcError as err:
                last = err.code().name
            time.sleep(interval)
        raise TimeoutError(f"{self.target} not SERVING after {timeout:.0f}s (last: {last})")

    # --------------------------------------------------------------- below the typed calls
    @property
    def channel(self) -> grpc.Channel:
        """This client's channel (its TLS, retry policy and message limits), for calls the
        client has no method for: a health watch held open through a load test, say."""
        return self._channel

    @property
    def stub(self) -> pb_grpc.PlanOptimizerStub:
        """The generated stub on this client's channel: every RPC with gRPC's own call objects
        (``with_call`` for trailing metadata such as ``planopt-process``, ``future`` for
        asynchronous calls). Failures raise ``grpc.RpcError``, not ``PlanError``; pass
        ``metadata=client.call_metadata()`` so the bearer token goes along."""
        return self._stub

    def call_metadata(self, request_id: str | None = None) -> tuple[tuple[str, str], ...]:
        """The metadata every planopt call of this client carries: the bearer token, if any,
        and ``x-request-id`` when a request id is given."""
        return (*self._metadata, ("x-request-id", request_id)) if request_id else self._metadata

    def bytes_method(self, method: str) -> grpc.UnaryUnaryMultiCallable:
        """A unary planopt method (``"OptimizePlan"``, ``"EvaluatePlan"``, ...) that takes a
        serialized request and returns the serialized reply: a load generator serializes its
        request once and leaves replies unparsed. Pass ``metadata=client.call_metadata()``.
        ValueError for a name that is not a unary method of the service."""
        if method not in _UNARY_METHODS:
            raise ValueError(f"{method!r} is not a unary method of {SERVICE}; expected one of {sorted(_UNARY_METHODS)}")
        return self._channel.unary_unary(f"/{SERVICE}/{method}")

    # --------------------------------------------------------------- calls
    def optimize_plan_raw(
        self, request: pb.OptimizePlanRequest, timeout: float | None = None, request_id: str | None = None
    ) -> pb.OptimizePlanResponse:
        try:
            return self._stub.OptimizePlan(  # type: ignore[no-any-return]
                request, timeout=timeout or self.timeout, metadata=self.call_metadata(request_id)
            )
        except grpc.RpcError as err:
            raise _decode_error(err) from None

    def evaluate_plan_raw(
        self, request: pb.EvaluatePlanRequest, timeout: float | None = None, request_id: str | None = None
    ) -> pb.EvaluatePlanResponse:
        try:
            return self._stub.EvaluatePlan(  # type: ignore[no-any-return]
                request, timeout=timeout or self.timeout, metadata=self.call_metadata(request_id)
            )
        except grpc.RpcError as err:
            raise _decode_error(err) from None

    def optimize_plan(
        self,
        roster: Any,
        plan: Any,
        *,
        market: Any = None,
        constraints: Any = None,
        objective: str | pb.Objective = "attainment",
        gross_margin: float | None = None,
        time_limit_s: float | None = None,
        seed: int = 0,
        num_starts: int = 0,
        validate_only: bool = False,
        warm_start: Any = None,
        timeout: float | None = None,
    ) -> OptimizeResult:
        """Optimise a plan. ``roster``: columns (dict of lists / numpy arrays, or a DataFrame);
        ``plan``: ``{role: {lever: value | (value, lower, upper)}}``; ``market``: ``{role: OTE}``;
        ``constraints``: ``{"max_cost_of_sales": 0.12, "mix": {"*": (0.4, 0.7)}, ...}``."""
        request = pb.OptimizePlanRequest(
            roster=rq.build_roster(roster),
            market=rq.build_market(market),
            plan=rq.build_plan(plan),
            constraints=rq.build_constraints(constraints),
            objective=rq.build_objective(objective, gross_margin),
            options=rq.build_options(
                time_limit_s=time_limit_s,
                seed=seed,
                num_starts=num_starts,
                validate_only=validate_only,
                warm_start=warm_start,
            ),
        )
        return optimize_result(self.optimize_plan_raw(request, timeout))

    def evaluate_plan(
        self,
        roster: Any,
        plan: Any,
        *,
        market: Any = None,
        constraints: Any = None,
        objective: str | pb.Objective = "attainment",
        draws: int = 0,
        mc_seed: int = 0,
        market_shock_sd: float = 0.0,
        equity_max_gap: float | None = None,
        timeout: float | None = None,
    ) -> EvaluateResult:
        """Expected metrics of a given plan (lever values; bounds ignored); with ``draws`` > 0 a
        seeded Monte Carlo distribution too; an equity audit whenever the roster has groups."""
        request = pb.EvaluatePlanRequest(
            roster=rq.build_roster(roster),
            market=rq.build_market(market),
            plan=rq.build_plan(plan),
            constraints=rq.build_constraints(constraints),
            objective=rq.build_objective(objective),
            monte_carlo=pb.MonteCarloOptions(draws=draws, seed=mc_seed, market_shock_sd=market_shock_sd),
        )
        if equity_max_gap is not None:
            request.equity_audit.max_gap = equity_max_gap
        return evaluate_result(self.evaluate_plan_raw(request, timeout))

    def _unary(self, method: str, request: Any, timeout: float | None) -> Any:
        try:
            return getattr(self._stub, method)(request, timeout=timeout or self.timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise _decode_error(err) from None

    def compare_scenarios_raw(
        self, request: pb.CompareScenariosRequest, timeout: float | None = None
    ) -> pb.CompareScenariosResponse:
        """Scenarios side by side on common random numbers (see the proto)."""
        return self._unary("CompareScenarios", request, timeout)  # type: ignore[no-any-return]

    def sensitivity_raw(self, request: pb.SensitivityRequest, timeout: float | None = None) -> pb.SensitivityResponse:
        """Envelope-theorem derivatives of the optimal objective and a re-optimised tornado."""
        return self._unary("Sensitivity", request, timeout)  # type: ignore[no-any-return]

    def allocate_quotas_raw(
        self, request: pb.AllocateQuotasRequest, timeout: float | None = None
    ) -> pb.AllocateQuotasResponse:
        """Quotas that sum to the target and make predicted attainment even (LP; see the proto)."""
        return self._unary("AllocateQuotas", request, timeout)  # type: ignore[no-any-return]

    def design_territories_raw(
        self, request: pb.DesignTerritoriesRequest, timeout: float | None = None
    ) -> pb.DesignTerritoriesResponse:
        """Account-to-rep assignment (MILP), frontier and what-ifs (see the proto)."""
        return self._unary("DesignTerritories", request, timeout)  # type: ignore[no-any-return]

    def design_price_tiers_raw(
        self, request: pb.DesignPriceTiersRequest, timeout: float | None = None
    ) -> pb.DesignPriceTiersResponse:
        """Seed 004's price tiers: shifted distribution, exact best tiers, fitted response."""
        return self._unary("DesignPriceTiers", request, timeout)  # type: ignore[no-any-return]

    def simulate_dynamics_raw(
        self, request: pb.SimulateDynamicsRequest, timeout: float | None = None
    ) -> pb.SimulateDynamicsResponse:
        """Seed 001's multi-period plans: DP effort policies, variants compared, grid search."""
        return self._unary("SimulateDynamics", request, timeout)  # type: ignore[no-any-return]

    def sweep_frontier_raw(
        self, request: pb.SweepFrontierRequest, timeout: float | None = None
    ) -> Iterator[pb.SweepFrontierProgress]:
        """Stream SweepFrontier progress messages (point k of n, then the final frontier)."""
        try:
            yield from self._stub.SweepFrontier(request, timeout=timeout or self.timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise _decode_error(err) from None

    def sweep_frontier(
        self,
        problem: pb.OptimizePlanRequest,
        budget: str,
        values: Iterable[float],
        *,
        on_progress: Callable[[int, int, FrontierPoint], None] | None = None,
        timeout: float | None = None,
    ) -> list[FrontierPoint]:
        """The optimal plan along ``budget`` ("cost_of_sales" | "equity_gap" | "attrition")
        over ``values``; ``on_progress(k, n, point)`` is called as each point arrives."""
        kinds = {
            "cost_of_sales": pb.SweepFrontierRequest.COST_OF_SALES,
            "equity_gap": pb.SweepFrontierRequest.EQUITY_GAP,
            "attrition": pb.SweepFrontierRequest.ATTRITION,
        }
        if budget not in kinds:
            raise ValueError(f"budget must be one of {sorted(kinds)}, got {budget!r}")
        request = pb.SweepFrontierRequest(problem=problem, budget=kinds[budget], values=list(values))
        frontier: list[FrontierPoint] = []
        for msg in self.sweep_frontier_raw(request, timeout):
            if msg.done:
                frontier = [frontier_point(p) for p in msg.frontier]
            elif on_progress is not None:
                on_progress(msg.completed, msg.total, frontier_point(msg.point))
        return frontier


def _pem(value: str | bytes | None) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    with open(value, "rb") as fh:
        return fh.read()


def tls_credentials(
    ca: str | bytes | None, cert: str | bytes | None = None, key: str | bytes | None = None
) -> grpc.ChannelCredentials:
    """TLS channel credentials from PEM paths or bytes (``ca`` None = the system roots)."""
    if (cert is None) != (key is None):
        raise ValueError("mutual TLS needs both tls_cert and tls_key")
    return grpc.ssl_channel_credentials(root_certificates=_pem(ca), private_key=_pem(key), certificate_chain=_pem(cert))


# grpc.health.v1 messages, hand-encoded so the thin client needs no grpcio-health-checking:
# HealthCheckRequest{string service = 1}, HealthCheckResponse{ServingStatus status = 1}.
_HEALTH_STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def _health_request(service: str) -> bytes:
    data = service.encode()
    if not data:
        return b""
    return b"\x0a" + _varint(len(data)) + data


def _health_status(payload: bytes) -> str:
    if len(payload) >= 2 and payload[0] == 0x08:
        return _HEALTH_STATUS.get(payload[1], "UNKNOWN")
    return "UNKNOWN"  # status 0 is encoded as an empty message


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)
