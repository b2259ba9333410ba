"""Thin Python client of the planopt service (grpcio + protobuf only)."""

from planopt.client.client import PlanClient, PlanError
from planopt.client.requests import Lever, demo_request, plan_from_result
from planopt.client.results import EvaluateResult, Metrics, OptimizeResult

__all__ = [
    "EvaluateResult",
    "Lever",
    "Metrics",
    "OptimizeResult",
    "PlanClient",
    "PlanError",
    "demo_request",
    "plan_from_result",
]
