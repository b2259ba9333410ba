import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Roster(_message.Message):
    __slots__ = ("rep_id", "role", "quota_usd", "baseline_attainment", "effort_productivity", "noise_sd", "effort_cost_usd", "risk_aversion_per_usd", "outside_option_usd", "equity_group")
    REP_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    QUOTA_USD_FIELD_NUMBER: _ClassVar[int]
    BASELINE_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    EFFORT_PRODUCTIVITY_FIELD_NUMBER: _ClassVar[int]
    NOISE_SD_FIELD_NUMBER: _ClassVar[int]
    EFFORT_COST_USD_FIELD_NUMBER: _ClassVar[int]
    RISK_AVERSION_PER_USD_FIELD_NUMBER: _ClassVar[int]
    OUTSIDE_OPTION_USD_FIELD_NUMBER: _ClassVar[int]
    EQUITY_GROUP_FIELD_NUMBER: _ClassVar[int]
    rep_id: _containers.RepeatedScalarFieldContainer[str]
    role: _containers.RepeatedScalarFieldContainer[str]
    quota_usd: _containers.RepeatedScalarFieldContainer[float]
    baseline_attainment: _containers.RepeatedScalarFieldContainer[float]
    effort_productivity: _containers.RepeatedScalarFieldContainer[float]
    noise_sd: _containers.RepeatedScalarFieldContainer[float]
    effort_cost_usd: _containers.RepeatedScalarFieldContainer[float]
    risk_aversion_per_usd: _containers.RepeatedScalarFieldContainer[float]
    outside_option_usd: _containers.RepeatedScalarFieldContainer[float]
    equity_group: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rep_id: _Optional[_Iterable[str]] = ..., role: _Optional[_Iterable[str]] = ..., quota_usd: _Optional[_Iterable[float]] = ..., baseline_attainment: _Optional[_Iterable[float]] = ..., effort_productivity: _Optional[_Iterable[float]] = ..., noise_sd: _Optional[_Iterable[float]] = ..., effort_cost_usd: _Optional[_Iterable[float]] = ..., risk_aversion_per_usd: _Optional[_Iterable[float]] = ..., outside_option_usd: _Optional[_Iterable[float]] = ..., equity_group: _Optional[_Iterable[str]] = ...) -> None: ...

class RoleMarket(_message.Message):
    __slots__ = ("role", "median_ote_usd")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_OTE_USD_FIELD_NUMBER: _ClassVar[int]
    role: str
    median_ote_usd: float
    def __init__(self, role: _Optional[str] = ..., median_ote_usd: _Optional[float] = ...) -> None: ...

class Market(_message.Message):
    __slots__ = ("roles",)
    ROLES_FIELD_NUMBER: _ClassVar[int]
    roles: _containers.RepeatedCompositeFieldContainer[RoleMarket]
    def __init__(self, roles: _Optional[_Iterable[_Union[RoleMarket, _Mapping]]] = ...) -> None: ...

class Lever(_message.Message):
    __slots__ = ("value", "free", "lower", "upper")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    FREE_FIELD_NUMBER: _ClassVar[int]
    LOWER_FIELD_NUMBER: _ClassVar[int]
    UPPER_FIELD_NUMBER: _ClassVar[int]
    value: float
    free: bool
    lower: float
    upper: float
    def __init__(self, value: _Optional[float] = ..., free: _Optional[bool] = ..., lower: _Optional[float] = ..., upper: _Optional[float] = ...) -> None: ...

class RolePlan(_message.Message):
    __slots__ = ("role", "base_usd", "target_incentive_usd", "threshold_attainment", "quota_bonus_share", "accelerator", "cap_attainment")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    BASE_USD_FIELD_NUMBER: _ClassVar[int]
    TARGET_INCENTIVE_USD_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    QUOTA_BONUS_SHARE_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_FIELD_NUMBER: _ClassVar[int]
    CAP_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    role: str
    base_usd: Lever
    target_incentive_usd: Lever
    threshold_attainment: Lever
    quota_bonus_share: Lever
    accelerator: Lever
    cap_attainment: Lever
    def __init__(self, role: _Optional[str] = ..., base_usd: _Optional[_Union[Lever, _Mapping]] = ..., target_incentive_usd: _Optional[_Union[Lever, _Mapping]] = ..., threshold_attainment: _Optional[_Union[Lever, _Mapping]] = ..., quota_bonus_share: _Optional[_Union[Lever, _Mapping]] = ..., accelerator: _Optional[_Union[Lever, _Mapping]] = ..., cap_attainment: _Optional[_Union[Lever, _Mapping]] = ...) -> None: ...

class PlanTemplate(_message.Message):
    __slots__ = ("roles",)
    ROLES_FIELD_NUMBER: _ClassVar[int]
    roles: _containers.RepeatedCompositeFieldContainer[RolePlan]
    def __init__(self, roles: _Optional[_Iterable[_Union[RolePlan, _Mapping]]] = ...) -> None: ...

class MixBound(_message.Message):
    __slots__ = ("role", "min_base_share", "max_base_share")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    MIN_BASE_SHARE_FIELD_NUMBER: _ClassVar[int]
    MAX_BASE_SHARE_FIELD_NUMBER: _ClassVar[int]
    role: str
    min_base_share: float
    max_base_share: float
    def __init__(self, role: _Optional[str] = ..., min_base_share: _Optional[float] = ..., max_base_share: _Optional[float] = ...) -> None: ...

class Constraints(_message.Message):
    __slots__ = ("max_cost_of_sales", "ote_band_fraction", "mix", "max_equity_gap", "max_attrition", "salary_floor_usd", "cost_of_sales_risk", "max_adjusted_equity_gap")
    MAX_COST_OF_SALES_FIELD_NUMBER: _ClassVar[int]
    OTE_BAND_FRACTION_FIELD_NUMBER: _ClassVar[int]
    MIX_FIELD_NUMBER: _ClassVar[int]
    MAX_EQUITY_GAP_FIELD_NUMBER: _ClassVar[int]
    MAX_ATTRITION_FIELD_NUMBER: _ClassVar[int]
    SALARY_FLOOR_USD_FIELD_NUMBER: _ClassVar[int]
    COST_OF_SALES_RISK_FIELD_NUMBER: _ClassVar[int]
    MAX_ADJUSTED_EQUITY_GAP_FIELD_NUMBER: _ClassVar[int]
    max_cost_of_sales: float
    ote_band_fraction: float
    mix: _containers.RepeatedCompositeFieldContainer[MixBound]
    max_equity_gap: float
    max_attrition: float
    salary_floor_usd: float
    cost_of_sales_risk: CostOfSalesRisk
    max_adjusted_equity_gap: float
    def __init__(self, max_cost_of_sales: _Optional[float] = ..., ote_band_fraction: _Optional[float] = ..., mix: _Optional[_Iterable[_Union[MixBound, _Mapping]]] = ..., max_equity_gap: _Optional[float] = ..., max_attrition: _Optional[float] = ..., salary_floor_usd: _Optional[float] = ..., cost_of_sales_risk: _Optional[_Union[CostOfSalesRisk, _Mapping]] = ..., max_adjusted_equity_gap: _Optional[float] = ...) -> None: ...

class CostOfSalesRisk(_message.Message):
    __slots__ = ("measure", "max", "level", "draws", "seed", "market_shock_sd", "smoothing")
    class Measure(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        MEASURE_UNSPECIFIED: _ClassVar[CostOfSalesRisk.Measure]
        CVAR: _ClassVar[CostOfSalesRisk.Measure]
        QUANTILE: _ClassVar[CostOfSalesRisk.Measure]
    MEASURE_UNSPECIFIED: CostOfSalesRisk.Measure
    CVAR: CostOfSalesRisk.Measure
    QUANTILE: CostOfSalesRisk.Measure
    MEASURE_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    DRAWS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MARKET_SHOCK_SD_FIELD_NUMBER: _ClassVar[int]
    SMOOTHING_FIELD_NUMBER: _ClassVar[int]
    measure: CostOfSalesRisk.Measure
    max: float
    level: float
    draws: int
    seed: int
    market_shock_sd: float
    smoothing: float
    def __init__(self, measure: _Optional[_Union[CostOfSalesRisk.Measure, str]] = ..., max: _Optional[float] = ..., level: _Optional[float] = ..., draws: _Optional[int] = ..., seed: _Optional[int] = ..., market_shock_sd: _Optional[float] = ..., smoothing: _Optional[float] = ...) -> None: ...

class Objective(_message.Message):
    __slots__ = ("kind", "gross_margin_fraction")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Objective.Kind]
        EXPECTED_ATTAINMENT: _ClassVar[Objective.Kind]
        QUOTA_WEIGHTED_ATTAINMENT: _ClassVar[Objective.Kind]
        EXPECTED_REVENUE: _ClassVar[Objective.Kind]
        EXPECTED_PROFIT: _ClassVar[Objective.Kind]
    KIND_UNSPECIFIED: Objective.Kind
    EXPECTED_ATTAINMENT: Objective.Kind
    QUOTA_WEIGHTED_ATTAINMENT: Objective.Kind
    EXPECTED_REVENUE: Objective.Kind
    EXPECTED_PROFIT: Objective.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    GROSS_MARGIN_FRACTION_FIELD_NUMBER: _ClassVar[int]
    kind: Objective.Kind
    gross_margin_fraction: float
    def __init__(self, kind: _Optional[_Union[Objective.Kind, str]] = ..., gross_margin_fraction: _Optional[float] = ...) -> None: ...

class ModelOptions(_message.Message):
    __slots__ = ("effort_choice_temperature_usd", "attrition_scale_usd")
    EFFORT_CHOICE_TEMPERATURE_USD_FIELD_NUMBER: _ClassVar[int]
    ATTRITION_SCALE_USD_FIELD_NUMBER: _ClassVar[int]
    effort_choice_temperature_usd: float
    attrition_scale_usd: float
    def __init__(self, effort_choice_temperature_usd: _Optional[float] = ..., attrition_scale_usd: _Optional[float] = ...) -> None: ...

class SolveOptions(_message.Message):
    __slots__ = ("time_limit", "seed", "mode", "num_starts", "feasibility_tolerance", "kkt_tolerance", "max_iterations", "warm_start")
    class Mode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        MODE_UNSPECIFIED: _ClassVar[SolveOptions.Mode]
        SOLVE: _ClassVar[SolveOptions.Mode]
        VALIDATE_ONLY: _ClassVar[SolveOptions.Mode]
    MODE_UNSPECIFIED: SolveOptions.Mode
    SOLVE: SolveOptions.Mode
    VALIDATE_ONLY: SolveOptions.Mode
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NUM_STARTS_FIELD_NUMBER: _ClassVar[int]
    FEASIBILITY_TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    KKT_TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    MAX_ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    WARM_START_FIELD_NUMBER: _ClassVar[int]
    time_limit: _duration_pb2.Duration
    seed: int
    mode: SolveOptions.Mode
    num_starts: int
    feasibility_tolerance: float
    kkt_tolerance: float
    max_iterations: int
    warm_start: PlanTemplate
    def __init__(self, time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., seed: _Optional[int] = ..., mode: _Optional[_Union[SolveOptions.Mode, str]] = ..., num_starts: _Optional[int] = ..., feasibility_tolerance: _Optional[float] = ..., kkt_tolerance: _Optional[float] = ..., max_iterations: _Optional[int] = ..., warm_start: _Optional[_Union[PlanTemplate, _Mapping]] = ...) -> None: ...

class OptimizePlanRequest(_message.Message):
    __slots__ = ("roster", "market", "plan", "constraints", "objective", "model", "options")
    ROSTER_FIELD_NUMBER: _ClassVar[int]
    MARKET_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    roster: Roster
    market: Market
    plan: PlanTemplate
    constraints: Constraints
    objective: Objective
    model: ModelOptions
    options: SolveOptions
    def __init__(self, roster: _Optional[_Union[Roster, _Mapping]] = ..., market: _Optional[_Union[Market, _Mapping]] = ..., plan: _Optional[_Union[PlanTemplate, _Mapping]] = ..., constraints: _Optional[_Union[Constraints, _Mapping]] = ..., objective: _Optional[_Union[Objective, _Mapping]] = ..., model: _Optional[_Union[ModelOptions, _Mapping]] = ..., options: _Optional[_Union[SolveOptions, _Mapping]] = ...) -> None: ...

class Termination(_message.Message):
    __slots__ = ("reason", "detail")
    class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        REASON_UNSPECIFIED: _ClassVar[Termination.Reason]
        LOCALLY_OPTIMAL: _ClassVar[Termination.Reason]
        FEASIBLE_TIME_LIMIT: _ClassVar[Termination.Reason]
        ITERATION_LIMIT: _ClassVar[Termination.Reason]
        INFEASIBLE: _ClassVar[Termination.Reason]
        NO_FEASIBLE_POINT_YET: _ClassVar[Termination.Reason]
        NUMERICAL_ERROR: _ClassVar[Termination.Reason]
        VALIDATED: _ClassVar[Termination.Reason]
        CANCELLED: _ClassVar[Termination.Reason]
        OPTIMAL: _ClassVar[Termination.Reason]
    REASON_UNSPECIFIED: Termination.Reason
    LOCALLY_OPTIMAL: Termination.Reason
    FEASIBLE_TIME_LIMIT: Termination.Reason
    ITERATION_LIMIT: Termination.Reason
    INFEASIBLE: Termination.Reason
    NO_FEASIBLE_POINT_YET: Termination.Reason
    NUMERICAL_ERROR: Termination.Reason
    VALIDATED: Termination.Reason
    CANCELLED: Termination.Reason
    OPTIMAL: Termination.Reason
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    reason: Termination.Reason
    detail: str
    def __init__(self, reason: _Optional[_Union[Termination.Reason, str]] = ..., detail: _Optional[str] = ...) -> None: ...

class Certificate(_message.Message):
    __slots__ = ("max_violation", "kkt_residual")
    MAX_VIOLATION_FIELD_NUMBER: _ClassVar[int]
    KKT_RESIDUAL_FIELD_NUMBER: _ClassVar[int]
    max_violation: float
    kkt_residual: float
    def __init__(self, max_violation: _Optional[float] = ..., kkt_residual: _Optional[float] = ...) -> None: ...

class ConstraintReport(_message.Message):
    __slots__ = ("name", "sense", "value", "bound", "slack", "shadow_price", "unit", "active")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SENSE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    BOUND_FIELD_NUMBER: _ClassVar[int]
    SLACK_FIELD_NUMBER: _ClassVar[int]
    SHADOW_PRICE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    name: str
    sense: str
    value: float
    bound: float
    slack: float
    shadow_price: float
    unit: str
    active: bool
    def __init__(self, name: _Optional[str] = ..., sense: _Optional[str] = ..., value: _Optional[float] = ..., bound: _Optional[float] = ..., slack: _Optional[float] = ..., shadow_price: _Optional[float] = ..., unit: _Optional[str] = ..., active: _Optional[bool] = ...) -> None: ...

class Relaxation(_message.Message):
    __slots__ = ("constraint", "bound", "relaxed_bound", "amount", "unit")
    CONSTRAINT_FIELD_NUMBER: _ClassVar[int]
    BOUND_FIELD_NUMBER: _ClassVar[int]
    RELAXED_BOUND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    constraint: str
    bound: float
    relaxed_bound: float
    amount: float
    unit: str
    def __init__(self, constraint: _Optional[str] = ..., bound: _Optional[float] = ..., relaxed_bound: _Optional[float] = ..., amount: _Optional[float] = ..., unit: _Optional[str] = ...) -> None: ...

class RolePlanResult(_message.Message):
    __slots__ = ("role", "base_usd", "target_incentive_usd", "threshold_attainment", "quota_bonus_share", "accelerator", "cap_attainment", "commission_slope_usd", "ote_usd")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    BASE_USD_FIELD_NUMBER: _ClassVar[int]
    TARGET_INCENTIVE_USD_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    QUOTA_BONUS_SHARE_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_FIELD_NUMBER: _ClassVar[int]
    CAP_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_SLOPE_USD_FIELD_NUMBER: _ClassVar[int]
    OTE_USD_FIELD_NUMBER: _ClassVar[int]
    role: str
    base_usd: float
    target_incentive_usd: float
    threshold_attainment: float
    quota_bonus_share: float
    accelerator: float
    cap_attainment: float
    commission_slope_usd: float
    ote_usd: float
    def __init__(self, role: _Optional[str] = ..., base_usd: _Optional[float] = ..., target_incentive_usd: _Optional[float] = ..., threshold_attainment: _Optional[float] = ..., quota_bonus_share: _Optional[float] = ..., accelerator: _Optional[float] = ..., cap_attainment: _Optional[float] = ..., commission_slope_usd: _Optional[float] = ..., ote_usd: _Optional[float] = ...) -> None: ...

class RoleMetrics(_message.Message):
    __slots__ = ("role", "reps", "ote_usd", "market_median_ote_usd", "base_share", "mean_attainment", "mean_pay_usd", "attrition")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    OTE_USD_FIELD_NUMBER: _ClassVar[int]
    MARKET_MEDIAN_OTE_USD_FIELD_NUMBER: _ClassVar[int]
    BASE_SHARE_FIELD_NUMBER: _ClassVar[int]
    MEAN_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    MEAN_PAY_USD_FIELD_NUMBER: _ClassVar[int]
    ATTRITION_FIELD_NUMBER: _ClassVar[int]
    role: str
    reps: int
    ote_usd: float
    market_median_ote_usd: float
    base_share: float
    mean_attainment: float
    mean_pay_usd: float
    attrition: float
    def __init__(self, role: _Optional[str] = ..., reps: _Optional[int] = ..., ote_usd: _Optional[float] = ..., market_median_ote_usd: _Optional[float] = ..., base_share: _Optional[float] = ..., mean_attainment: _Optional[float] = ..., mean_pay_usd: _Optional[float] = ..., attrition: _Optional[float] = ...) -> None: ...

class Metrics(_message.Message):
    __slots__ = ("objective", "mean_attainment", "quota_weighted_attainment", "revenue_usd", "total_pay_usd", "cost_of_sales", "attrition", "top_quartile_attainment", "bottom_quartile_attainment", "mean_pay_usd", "mean_effort", "give_up_share", "roles", "profit_usd")
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    MEAN_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    QUOTA_WEIGHTED_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    REVENUE_USD_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAY_USD_FIELD_NUMBER: _ClassVar[int]
    COST_OF_SALES_FIELD_NUMBER: _ClassVar[int]
    ATTRITION_FIELD_NUMBER: _ClassVar[int]
    TOP_QUARTILE_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    BOTTOM_QUARTILE_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    MEAN_PAY_USD_FIELD_NUMBER: _ClassVar[int]
    MEAN_EFFORT_FIELD_NUMBER: _ClassVar[int]
    GIVE_UP_SHARE_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    PROFIT_USD_FIELD_NUMBER: _ClassVar[int]
    objective: float
    mean_attainment: float
    quota_weighted_attainment: float
    revenue_usd: float
    total_pay_usd: float
    cost_of_sales: float
    attrition: float
    top_quartile_attainment: float
    bottom_quartile_attainment: float
    mean_pay_usd: float
    mean_effort: float
    give_up_share: float
    roles: _containers.RepeatedCompositeFieldContainer[RoleMetrics]
    profit_usd: float
    def __init__(self, objective: _Optional[float] = ..., mean_attainment: _Optional[float] = ..., quota_weighted_attainment: _Optional[float] = ..., revenue_usd: _Optional[float] = ..., total_pay_usd: _Optional[float] = ..., cost_of_sales: _Optional[float] = ..., attrition: _Optional[float] = ..., top_quartile_attainment: _Optional[float] = ..., bottom_quartile_attainment: _Optional[float] = ..., mean_pay_usd: _Optional[float] = ..., mean_effort: _Optional[float] = ..., give_up_share: _Optional[float] = ..., roles: _Optional[_Iterable[_Union[RoleMetrics, _Mapping]]] = ..., profit_usd: _Optional[float] = ...) -> None: ...

class RepOutcomes(_message.Message):
    __slots__ = ("rep_id", "attainment", "pay_usd", "attrition", "effort", "give_up")
    REP_ID_FIELD_NUMBER: _ClassVar[int]
    ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    PAY_USD_FIELD_NUMBER: _ClassVar[int]
    ATTRITION_FIELD_NUMBER: _ClassVar[int]
    EFFORT_FIELD_NUMBER: _ClassVar[int]
    GIVE_UP_FIELD_NUMBER: _ClassVar[int]
    rep_id: _containers.RepeatedScalarFieldContainer[str]
    attainment: _containers.RepeatedScalarFieldContainer[float]
    pay_usd: _containers.RepeatedScalarFieldContainer[float]
    attrition: _containers.RepeatedScalarFieldContainer[float]
    effort: _containers.RepeatedScalarFieldContainer[float]
    give_up: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, rep_id: _Optional[_Iterable[str]] = ..., attainment: _Optional[_Iterable[float]] = ..., pay_usd: _Optional[_Iterable[float]] = ..., attrition: _Optional[_Iterable[float]] = ..., effort: _Optional[_Iterable[float]] = ..., give_up: _Optional[_Iterable[float]] = ...) -> None: ...

class SolveStats(_message.Message):
    __slots__ = ("iterations", "starts", "elapsed")
    ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    STARTS_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    iterations: int
    starts: int
    elapsed: _duration_pb2.Duration
    def __init__(self, iterations: _Optional[int] = ..., starts: _Optional[int] = ..., elapsed: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Receipt(_message.Message):
    __slots__ = ("request_sha256", "solver_versions", "seed", "elapsed", "cached")
    class SolverVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_SHA256_FIELD_NUMBER: _ClassVar[int]
    SOLVER_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    request_sha256: str
    solver_versions: _containers.ScalarMap[str, str]
    seed: int
    elapsed: _duration_pb2.Duration
    cached: bool
    def __init__(self, request_sha256: _Optional[str] = ..., solver_versions: _Optional[_Mapping[str, str]] = ..., seed: _Optional[int] = ..., elapsed: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., cached: _Optional[bool] = ...) -> None: ...

class OptimizePlanResponse(_message.Message):
    __slots__ = ("termination", "certificate", "plan", "metrics", "baseline_metrics", "constraints", "relaxations", "reps", "stats", "receipt")
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    BASELINE_METRICS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    RELAXATIONS_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    termination: Termination
    certificate: Certificate
    plan: _containers.RepeatedCompositeFieldContainer[RolePlanResult]
    metrics: Metrics
    baseline_metrics: Metrics
    constraints: _containers.RepeatedCompositeFieldContainer[ConstraintReport]
    relaxations: _containers.RepeatedCompositeFieldContainer[Relaxation]
    reps: RepOutcomes
    stats: SolveStats
    receipt: Receipt
    def __init__(self, termination: _Optional[_Union[Termination, _Mapping]] = ..., certificate: _Optional[_Union[Certificate, _Mapping]] = ..., plan: _Optional[_Iterable[_Union[RolePlanResult, _Mapping]]] = ..., metrics: _Optional[_Union[Metrics, _Mapping]] = ..., baseline_metrics: _Optional[_Union[Metrics, _Mapping]] = ..., constraints: _Optional[_Iterable[_Union[ConstraintReport, _Mapping]]] = ..., relaxations: _Optional[_Iterable[_Union[Relaxation, _Mapping]]] = ..., reps: _Optional[_Union[RepOutcomes, _Mapping]] = ..., stats: _Optional[_Union[SolveStats, _Mapping]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class EvaluatePlanRequest(_message.Message):
    __slots__ = ("roster", "market", "plan", "constraints", "objective", "model", "monte_carlo", "equity_audit")
    ROSTER_FIELD_NUMBER: _ClassVar[int]
    MARKET_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MONTE_CARLO_FIELD_NUMBER: _ClassVar[int]
    EQUITY_AUDIT_FIELD_NUMBER: _ClassVar[int]
    roster: Roster
    market: Market
    plan: PlanTemplate
    constraints: Constraints
    objective: Objective
    model: ModelOptions
    monte_carlo: MonteCarloOptions
    equity_audit: EquityAuditOptions
    def __init__(self, roster: _Optional[_Union[Roster, _Mapping]] = ..., market: _Optional[_Union[Market, _Mapping]] = ..., plan: _Optional[_Union[PlanTemplate, _Mapping]] = ..., constraints: _Optional[_Union[Constraints, _Mapping]] = ..., objective: _Optional[_Union[Objective, _Mapping]] = ..., model: _Optional[_Union[ModelOptions, _Mapping]] = ..., monte_carlo: _Optional[_Union[MonteCarloOptions, _Mapping]] = ..., equity_audit: _Optional[_Union[EquityAuditOptions, _Mapping]] = ...) -> None: ...

class MonteCarloOptions(_message.Message):
    __slots__ = ("draws", "seed", "market_shock_sd")
    DRAWS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MARKET_SHOCK_SD_FIELD_NUMBER: _ClassVar[int]
    draws: int
    seed: int
    market_shock_sd: float
    def __init__(self, draws: _Optional[int] = ..., seed: _Optional[int] = ..., market_shock_sd: _Optional[float] = ...) -> None: ...

class Distribution(_message.Message):
    __slots__ = ("mean", "p10", "p50", "p90", "sd")
    MEAN_FIELD_NUMBER: _ClassVar[int]
    P10_FIELD_NUMBER: _ClassVar[int]
    P50_FIELD_NUMBER: _ClassVar[int]
    P90_FIELD_NUMBER: _ClassVar[int]
    SD_FIELD_NUMBER: _ClassVar[int]
    mean: float
    p10: float
    p50: float
    p90: float
    sd: float
    def __init__(self, mean: _Optional[float] = ..., p10: _Optional[float] = ..., p50: _Optional[float] = ..., p90: _Optional[float] = ..., sd: _Optional[float] = ...) -> None: ...

class MonteCarloResult(_message.Message):
    __slots__ = ("draws", "seed", "mean_attainment", "total_pay_usd", "revenue_usd", "cost_of_sales", "prob_cost_of_sales_above_cap", "mean_attainment_stderr95", "rep_pay_usd", "attainment_histogram")
    DRAWS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MEAN_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAY_USD_FIELD_NUMBER: _ClassVar[int]
    REVENUE_USD_FIELD_NUMBER: _ClassVar[int]
    COST_OF_SALES_FIELD_NUMBER: _ClassVar[int]
    PROB_COST_OF_SALES_ABOVE_CAP_FIELD_NUMBER: _ClassVar[int]
    MEAN_ATTAINMENT_STDERR95_FIELD_NUMBER: _ClassVar[int]
    REP_PAY_USD_FIELD_NUMBER: _ClassVar[int]
    ATTAINMENT_HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    draws: int
    seed: int
    mean_attainment: Distribution
    total_pay_usd: Distribution
    revenue_usd: Distribution
    cost_of_sales: Distribution
    prob_cost_of_sales_above_cap: float
    mean_attainment_stderr95: float
    rep_pay_usd: _containers.RepeatedCompositeFieldContainer[Distribution]
    attainment_histogram: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, draws: _Optional[int] = ..., seed: _Optional[int] = ..., mean_attainment: _Optional[_Union[Distribution, _Mapping]] = ..., total_pay_usd: _Optional[_Union[Distribution, _Mapping]] = ..., revenue_usd: _Optional[_Union[Distribution, _Mapping]] = ..., cost_of_sales: _Optional[_Union[Distribution, _Mapping]] = ..., prob_cost_of_sales_above_cap: _Optional[float] = ..., mean_attainment_stderr95: _Optional[float] = ..., rep_pay_usd: _Optional[_Iterable[_Union[Distribution, _Mapping]]] = ..., attainment_histogram: _Optional[_Iterable[int]] = ...) -> None: ...

class EquityAuditOptions(_message.Message):
    __slots__ = ("max_gap",)
    MAX_GAP_FIELD_NUMBER: _ClassVar[int]
    max_gap: float
    def __init__(self, max_gap: _Optional[float] = ...) -> None: ...

class EquityGap(_message.Message):
    __slots__ = ("group", "reps", "raw_pay_gap", "adjusted_pay_gap", "adjusted_pay_gap_se", "raw_attainment_gap", "adjusted_attainment_gap", "flagged")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    RAW_PAY_GAP_FIELD_NUMBER: _ClassVar[int]
    ADJUSTED_PAY_GAP_FIELD_NUMBER: _ClassVar[int]
    ADJUSTED_PAY_GAP_SE_FIELD_NUMBER: _ClassVar[int]
    RAW_ATTAINMENT_GAP_FIELD_NUMBER: _ClassVar[int]
    ADJUSTED_ATTAINMENT_GAP_FIELD_NUMBER: _ClassVar[int]
    FLAGGED_FIELD_NUMBER: _ClassVar[int]
    group: str
    reps: int
    raw_pay_gap: float
    adjusted_pay_gap: float
    adjusted_pay_gap_se: float
    raw_attainment_gap: float
    adjusted_attainment_gap: float
    flagged: bool
    def __init__(self, group: _Optional[str] = ..., reps: _Optional[int] = ..., raw_pay_gap: _Optional[float] = ..., adjusted_pay_gap: _Optional[float] = ..., adjusted_pay_gap_se: _Optional[float] = ..., raw_attainment_gap: _Optional[float] = ..., adjusted_attainment_gap: _Optional[float] = ..., flagged: _Optional[bool] = ...) -> None: ...

class EquityAudit(_message.Message):
    __slots__ = ("reference_group", "max_gap", "gaps")
    REFERENCE_GROUP_FIELD_NUMBER: _ClassVar[int]
    MAX_GAP_FIELD_NUMBER: _ClassVar[int]
    GAPS_FIELD_NUMBER: _ClassVar[int]
    reference_group: str
    max_gap: float
    gaps: _containers.RepeatedCompositeFieldContainer[EquityGap]
    def __init__(self, reference_group: _Optional[str] = ..., max_gap: _Optional[float] = ..., gaps: _Optional[_Iterable[_Union[EquityGap, _Mapping]]] = ...) -> None: ...

class EvaluatePlanResponse(_message.Message):
    __slots__ = ("metrics", "constraints", "reps", "receipt", "monte_carlo", "equity_audit")
    METRICS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    MONTE_CARLO_FIELD_NUMBER: _ClassVar[int]
    EQUITY_AUDIT_FIELD_NUMBER: _ClassVar[int]
    metrics: Metrics
    constraints: _containers.RepeatedCompositeFieldContainer[ConstraintReport]
    reps: RepOutcomes
    receipt: Receipt
    monte_carlo: MonteCarloResult
    equity_audit: EquityAudit
    def __init__(self, metrics: _Optional[_Union[Metrics, _Mapping]] = ..., constraints: _Optional[_Iterable[_Union[ConstraintReport, _Mapping]]] = ..., reps: _Optional[_Union[RepOutcomes, _Mapping]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ..., monte_carlo: _Optional[_Union[MonteCarloResult, _Mapping]] = ..., equity_audit: _Optional[_Union[EquityAudit, _Mapping]] = ...) -> None: ...

class SweepFrontierRequest(_message.Message):
    __slots__ = ("problem", "budget", "values")
    class Budget(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        BUDGET_UNSPECIFIED: _ClassVar[SweepFrontierRequest.Budget]
        COST_OF_SALES: _ClassVar[SweepFrontierRequest.Budget]
        EQUITY_GAP: _ClassVar[SweepFrontierRequest.Budget]
        ATTRITION: _ClassVar[SweepFrontierRequest.Budget]
    BUDGET_UNSPECIFIED: SweepFrontierRequest.Budget
    COST_OF_SALES: SweepFrontierRequest.Budget
    EQUITY_GAP: SweepFrontierRequest.Budget
    ATTRITION: SweepFrontierRequest.Budget
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    problem: OptimizePlanRequest
    budget: SweepFrontierRequest.Budget
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, problem: _Optional[_Union[OptimizePlanRequest, _Mapping]] = ..., budget: _Optional[_Union[SweepFrontierRequest.Budget, str]] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class FrontierPoint(_message.Message):
    __slots__ = ("budget", "termination", "metrics", "plan", "shadow_price", "certificate")
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    SHADOW_PRICE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    budget: float
    termination: Termination
    metrics: Metrics
    plan: _containers.RepeatedCompositeFieldContainer[RolePlanResult]
    shadow_price: float
    certificate: Certificate
    def __init__(self, budget: _Optional[float] = ..., termination: _Optional[_Union[Termination, _Mapping]] = ..., metrics: _Optional[_Union[Metrics, _Mapping]] = ..., plan: _Optional[_Iterable[_Union[RolePlanResult, _Mapping]]] = ..., shadow_price: _Optional[float] = ..., certificate: _Optional[_Union[Certificate, _Mapping]] = ...) -> None: ...

class SweepFrontierProgress(_message.Message):
    __slots__ = ("completed", "total", "point", "done", "frontier", "receipt")
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    FRONTIER_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    completed: int
    total: int
    point: FrontierPoint
    done: bool
    frontier: _containers.RepeatedCompositeFieldContainer[FrontierPoint]
    receipt: Receipt
    def __init__(self, completed: _Optional[int] = ..., total: _Optional[int] = ..., point: _Optional[_Union[FrontierPoint, _Mapping]] = ..., done: _Optional[bool] = ..., frontier: _Optional[_Iterable[_Union[FrontierPoint, _Mapping]]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class Scenario(_message.Message):
    __slots__ = ("name", "plan", "optimise", "constraints")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    OPTIMISE_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    plan: PlanTemplate
    optimise: bool
    constraints: Constraints
    def __init__(self, name: _Optional[str] = ..., plan: _Optional[_Union[PlanTemplate, _Mapping]] = ..., optimise: _Optional[bool] = ..., constraints: _Optional[_Union[Constraints, _Mapping]] = ...) -> None: ...

class CompareScenariosRequest(_message.Message):
    __slots__ = ("base", "scenarios", "monte_carlo")
    BASE_FIELD_NUMBER: _ClassVar[int]
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    MONTE_CARLO_FIELD_NUMBER: _ClassVar[int]
    base: OptimizePlanRequest
    scenarios: _containers.RepeatedCompositeFieldContainer[Scenario]
    monte_carlo: MonteCarloOptions
    def __init__(self, base: _Optional[_Union[OptimizePlanRequest, _Mapping]] = ..., scenarios: _Optional[_Iterable[_Union[Scenario, _Mapping]]] = ..., monte_carlo: _Optional[_Union[MonteCarloOptions, _Mapping]] = ...) -> None: ...

class ScenarioResult(_message.Message):
    __slots__ = ("name", "plan", "metrics", "constraints", "violated", "termination", "monte_carlo", "delta_mean_attainment", "delta_cost_of_sales", "delta_total_pay_usd", "delta_attrition", "paired_delta_mean_attainment")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    VIOLATED_FIELD_NUMBER: _ClassVar[int]
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    MONTE_CARLO_FIELD_NUMBER: _ClassVar[int]
    DELTA_MEAN_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    DELTA_COST_OF_SALES_FIELD_NUMBER: _ClassVar[int]
    DELTA_TOTAL_PAY_USD_FIELD_NUMBER: _ClassVar[int]
    DELTA_ATTRITION_FIELD_NUMBER: _ClassVar[int]
    PAIRED_DELTA_MEAN_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    plan: _containers.RepeatedCompositeFieldContainer[RolePlanResult]
    metrics: Metrics
    constraints: _containers.RepeatedCompositeFieldContainer[ConstraintReport]
    violated: _containers.RepeatedScalarFieldContainer[str]
    termination: Termination
    monte_carlo: MonteCarloResult
    delta_mean_attainment: float
    delta_cost_of_sales: float
    delta_total_pay_usd: float
    delta_attrition: float
    paired_delta_mean_attainment: Distribution
    def __init__(self, name: _Optional[str] = ..., plan: _Optional[_Iterable[_Union[RolePlanResult, _Mapping]]] = ..., metrics: _Optional[_Union[Metrics, _Mapping]] = ..., constraints: _Optional[_Iterable[_Union[ConstraintReport, _Mapping]]] = ..., violated: _Optional[_Iterable[str]] = ..., termination: _Optional[_Union[Termination, _Mapping]] = ..., monte_carlo: _Optional[_Union[MonteCarloResult, _Mapping]] = ..., delta_mean_attainment: _Optional[float] = ..., delta_cost_of_sales: _Optional[float] = ..., delta_total_pay_usd: _Optional[float] = ..., delta_attrition: _Optional[float] = ..., paired_delta_mean_attainment: _Optional[_Union[Distribution, _Mapping]] = ...) -> None: ...

class CompareScenariosResponse(_message.Message):
    __slots__ = ("scenarios", "receipt")
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    scenarios: _containers.RepeatedCompositeFieldContainer[ScenarioResult]
    receipt: Receipt
    def __init__(self, scenarios: _Optional[_Iterable[_Union[ScenarioResult, _Mapping]]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class SensitivityRequest(_message.Message):
    __slots__ = ("problem", "inputs", "tornado_fraction")
    class Input(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        INPUT_UNSPECIFIED: _ClassVar[SensitivityRequest.Input]
        MARKET_OTE: _ClassVar[SensitivityRequest.Input]
        EFFORT_PRODUCTIVITY: _ClassVar[SensitivityRequest.Input]
        NOISE_SD: _ClassVar[SensitivityRequest.Input]
        RISK_AVERSION: _ClassVar[SensitivityRequest.Input]
        OUTSIDE_OPTION: _ClassVar[SensitivityRequest.Input]
        EFFORT_COST: _ClassVar[SensitivityRequest.Input]
        ATTRITION_SCALE: _ClassVar[SensitivityRequest.Input]
    INPUT_UNSPECIFIED: SensitivityRequest.Input
    MARKET_OTE: SensitivityRequest.Input
    EFFORT_PRODUCTIVITY: SensitivityRequest.Input
    NOISE_SD: SensitivityRequest.Input
    RISK_AVERSION: SensitivityRequest.Input
    OUTSIDE_OPTION: SensitivityRequest.Input
    EFFORT_COST: SensitivityRequest.Input
    ATTRITION_SCALE: SensitivityRequest.Input
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    TORNADO_FRACTION_FIELD_NUMBER: _ClassVar[int]
    problem: OptimizePlanRequest
    inputs: _containers.RepeatedScalarFieldContainer[SensitivityRequest.Input]
    tornado_fraction: float
    def __init__(self, problem: _Optional[_Union[OptimizePlanRequest, _Mapping]] = ..., inputs: _Optional[_Iterable[_Union[SensitivityRequest.Input, str]]] = ..., tornado_fraction: _Optional[float] = ...) -> None: ...

class InputSensitivity(_message.Message):
    __slots__ = ("input", "derivative", "objective_low", "objective_high", "termination_low", "termination_high", "predicted_low", "predicted_high")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    DERIVATIVE_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_LOW_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_HIGH_FIELD_NUMBER: _ClassVar[int]
    TERMINATION_LOW_FIELD_NUMBER: _ClassVar[int]
    TERMINATION_HIGH_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_LOW_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_HIGH_FIELD_NUMBER: _ClassVar[int]
    input: SensitivityRequest.Input
    derivative: float
    objective_low: float
    objective_high: float
    termination_low: Termination.Reason
    termination_high: Termination.Reason
    predicted_low: float
    predicted_high: float
    def __init__(self, input: _Optional[_Union[SensitivityRequest.Input, str]] = ..., derivative: _Optional[float] = ..., objective_low: _Optional[float] = ..., objective_high: _Optional[float] = ..., termination_low: _Optional[_Union[Termination.Reason, str]] = ..., termination_high: _Optional[_Union[Termination.Reason, str]] = ..., predicted_low: _Optional[float] = ..., predicted_high: _Optional[float] = ...) -> None: ...

class SensitivityResponse(_message.Message):
    __slots__ = ("termination", "objective", "plan", "tornado_fraction", "inputs", "receipt")
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    TORNADO_FRACTION_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    termination: Termination
    objective: float
    plan: _containers.RepeatedCompositeFieldContainer[RolePlanResult]
    tornado_fraction: float
    inputs: _containers.RepeatedCompositeFieldContainer[InputSensitivity]
    receipt: Receipt
    def __init__(self, termination: _Optional[_Union[Termination, _Mapping]] = ..., objective: _Optional[float] = ..., plan: _Optional[_Iterable[_Union[RolePlanResult, _Mapping]]] = ..., tornado_fraction: _Optional[float] = ..., inputs: _Optional[_Iterable[_Union[InputSensitivity, _Mapping]]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class Territories(_message.Message):
    __slots__ = ("territory_id", "potential_usd", "account_count", "last_year_sales_usd", "last_year_quota_usd", "expected_sales_usd")
    TERRITORY_ID_FIELD_NUMBER: _ClassVar[int]
    POTENTIAL_USD_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_YEAR_SALES_USD_FIELD_NUMBER: _ClassVar[int]
    LAST_YEAR_QUOTA_USD_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SALES_USD_FIELD_NUMBER: _ClassVar[int]
    territory_id: _containers.RepeatedScalarFieldContainer[str]
    potential_usd: _containers.RepeatedScalarFieldContainer[float]
    account_count: _containers.RepeatedScalarFieldContainer[float]
    last_year_sales_usd: _containers.RepeatedScalarFieldContainer[float]
    last_year_quota_usd: _containers.RepeatedScalarFieldContainer[float]
    expected_sales_usd: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, territory_id: _Optional[_Iterable[str]] = ..., potential_usd: _Optional[_Iterable[float]] = ..., account_count: _Optional[_Iterable[float]] = ..., last_year_sales_usd: _Optional[_Iterable[float]] = ..., last_year_quota_usd: _Optional[_Iterable[float]] = ..., expected_sales_usd: _Optional[_Iterable[float]] = ...) -> None: ...

class QuotaLimits(_message.Message):
    __slots__ = ("min_quota_to_potential", "max_quota_to_potential", "max_increase", "max_decrease")
    MIN_QUOTA_TO_POTENTIAL_FIELD_NUMBER: _ClassVar[int]
    MAX_QUOTA_TO_POTENTIAL_FIELD_NUMBER: _ClassVar[int]
    MAX_INCREASE_FIELD_NUMBER: _ClassVar[int]
    MAX_DECREASE_FIELD_NUMBER: _ClassVar[int]
    min_quota_to_potential: float
    max_quota_to_potential: float
    max_increase: float
    max_decrease: float
    def __init__(self, min_quota_to_potential: _Optional[float] = ..., max_quota_to_potential: _Optional[float] = ..., max_increase: _Optional[float] = ..., max_decrease: _Optional[float] = ...) -> None: ...

class AllocateQuotasRequest(_message.Message):
    __slots__ = ("territories", "company_target_usd", "over_assignment", "limits", "objective", "outlier_threshold", "validate_only")
    class Objective(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OBJECTIVE_UNSPECIFIED: _ClassVar[AllocateQuotasRequest.Objective]
        MIN_MAX_DEVIATION: _ClassVar[AllocateQuotasRequest.Objective]
        WEIGHTED_DEVIATION: _ClassVar[AllocateQuotasRequest.Objective]
    OBJECTIVE_UNSPECIFIED: AllocateQuotasRequest.Objective
    MIN_MAX_DEVIATION: AllocateQuotasRequest.Objective
    WEIGHTED_DEVIATION: AllocateQuotasRequest.Objective
    TERRITORIES_FIELD_NUMBER: _ClassVar[int]
    COMPANY_TARGET_USD_FIELD_NUMBER: _ClassVar[int]
    OVER_ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    OUTLIER_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    territories: Territories
    company_target_usd: float
    over_assignment: float
    limits: QuotaLimits
    objective: AllocateQuotasRequest.Objective
    outlier_threshold: float
    validate_only: bool
    def __init__(self, territories: _Optional[_Union[Territories, _Mapping]] = ..., company_target_usd: _Optional[float] = ..., over_assignment: _Optional[float] = ..., limits: _Optional[_Union[QuotaLimits, _Mapping]] = ..., objective: _Optional[_Union[AllocateQuotasRequest.Objective, str]] = ..., outlier_threshold: _Optional[float] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class AttainmentSpread(_message.Message):
    __slots__ = ("min", "p10", "median", "p90", "max", "sd")
    MIN_FIELD_NUMBER: _ClassVar[int]
    P10_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_FIELD_NUMBER: _ClassVar[int]
    P90_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    SD_FIELD_NUMBER: _ClassVar[int]
    min: float
    p10: float
    median: float
    p90: float
    max: float
    sd: float
    def __init__(self, min: _Optional[float] = ..., p10: _Optional[float] = ..., median: _Optional[float] = ..., p90: _Optional[float] = ..., max: _Optional[float] = ..., sd: _Optional[float] = ...) -> None: ...

class TerritoryQuotas(_message.Message):
    __slots__ = ("territory_id", "quota_usd", "fair_share_usd", "expected_sales_usd", "predicted_attainment", "predicted_attainment_before", "change_vs_last_year", "lower_usd", "upper_usd", "binding", "relief_per_pct", "last_quota_to_fair", "outlier")
    TERRITORY_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTA_USD_FIELD_NUMBER: _ClassVar[int]
    FAIR_SHARE_USD_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SALES_USD_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_ATTAINMENT_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_ATTAINMENT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_VS_LAST_YEAR_FIELD_NUMBER: _ClassVar[int]
    LOWER_USD_FIELD_NUMBER: _ClassVar[int]
    UPPER_USD_FIELD_NUMBER: _ClassVar[int]
    BINDING_FIELD_NUMBER: _ClassVar[int]
    RELIEF_PER_PCT_FIELD_NUMBER: _ClassVar[int]
    LAST_QUOTA_TO_FAIR_FIELD_NUMBER: _ClassVar[int]
    OUTLIER_FIELD_NUMBER: _ClassVar[int]
    territory_id: _containers.RepeatedScalarFieldContainer[str]
    quota_usd: _containers.RepeatedScalarFieldContainer[float]
    fair_share_usd: _containers.RepeatedScalarFieldContainer[float]
    expected_sales_usd: _containers.RepeatedScalarFieldContainer[float]
    predicted_attainment: _containers.RepeatedScalarFieldContainer[float]
    predicted_attainment_before: _containers.RepeatedScalarFieldContainer[float]
    change_vs_last_year: _containers.RepeatedScalarFieldContainer[float]
    lower_usd: _containers.RepeatedScalarFieldContainer[float]
    upper_usd: _containers.RepeatedScalarFieldContainer[float]
    binding: _containers.RepeatedScalarFieldContainer[str]
    relief_per_pct: _containers.RepeatedScalarFieldContainer[float]
    last_quota_to_fair: _containers.RepeatedScalarFieldContainer[float]
    outlier: _containers.RepeatedScalarFieldContainer[bool]
    def __init__(self, territory_id: _Optional[_Iterable[str]] = ..., quota_usd: _Optional[_Iterable[float]] = ..., fair_share_usd: _Optional[_Iterable[float]] = ..., expected_sales_usd: _Optional[_Iterable[float]] = ..., predicted_attainment: _Optional[_Iterable[float]] = ..., predicted_attainment_before: _Optional[_Iterable[float]] = ..., change_vs_last_year: _Optional[_Iterable[float]] = ..., lower_usd: _Optional[_Iterable[float]] = ..., upper_usd: _Optional[_Iterable[float]] = ..., binding: _Optional[_Iterable[str]] = ..., relief_per_pct: _Optional[_Iterable[float]] = ..., last_quota_to_fair: _Optional[_Iterable[float]] = ..., outlier: _Optional[_Iterable[bool]] = ...) -> None: ...

class OpportunityFit(_message.Message):
    __slots__ = ("source", "r_squared", "coefficients")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    R_SQUARED_FIELD_NUMBER: _ClassVar[int]
    COEFFICIENTS_FIELD_NUMBER: _ClassVar[int]
    source: str
    r_squared: float
    coefficients: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, source: _Optional[str] = ..., r_squared: _Optional[float] = ..., coefficients: _Optional[_Iterable[float]] = ...) -> None: ...

class AllocateQuotasResponse(_message.Message):
    __slots__ = ("termination", "certificate", "duality_gap", "objective", "max_relative_deviation", "misallocated_share", "objective_change_per_pct_target", "spread_before", "spread_after", "territories", "fit", "relaxations", "outliers", "receipt")
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    DUALITY_GAP_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    MAX_RELATIVE_DEVIATION_FIELD_NUMBER: _ClassVar[int]
    MISALLOCATED_SHARE_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_CHANGE_PER_PCT_TARGET_FIELD_NUMBER: _ClassVar[int]
    SPREAD_BEFORE_FIELD_NUMBER: _ClassVar[int]
    SPREAD_AFTER_FIELD_NUMBER: _ClassVar[int]
    TERRITORIES_FIELD_NUMBER: _ClassVar[int]
    FIT_FIELD_NUMBER: _ClassVar[int]
    RELAXATIONS_FIELD_NUMBER: _ClassVar[int]
    OUTLIERS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    termination: Termination
    certificate: Certificate
    duality_gap: float
    objective: float
    max_relative_deviation: float
    misallocated_share: float
    objective_change_per_pct_target: float
    spread_before: AttainmentSpread
    spread_after: AttainmentSpread
    territories: TerritoryQuotas
    fit: OpportunityFit
    relaxations: _containers.RepeatedCompositeFieldContainer[Relaxation]
    outliers: int
    receipt: Receipt
    def __init__(self, termination: _Optional[_Union[Termination, _Mapping]] = ..., certificate: _Optional[_Union[Certificate, _Mapping]] = ..., duality_gap: _Optional[float] = ..., objective: _Optional[float] = ..., max_relative_deviation: _Optional[float] = ..., misallocated_share: _Optional[float] = ..., objective_change_per_pct_target: _Optional[float] = ..., spread_before: _Optional[_Union[AttainmentSpread, _Mapping]] = ..., spread_after: _Optional[_Union[AttainmentSpread, _Mapping]] = ..., territories: _Optional[_Union[TerritoryQuotas, _Mapping]] = ..., fit: _Optional[_Union[OpportunityFit, _Mapping]] = ..., relaxations: _Optional[_Iterable[_Union[Relaxation, _Mapping]]] = ..., outliers: _Optional[int] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class Accounts(_message.Message):
    __slots__ = ("account_id", "potential_usd", "workload", "x", "y", "current_rep", "locked_rep", "relationship")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    POTENTIAL_USD_FIELD_NUMBER: _ClassVar[int]
    WORKLOAD_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    CURRENT_REP_FIELD_NUMBER: _ClassVar[int]
    LOCKED_REP_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    account_id: _containers.RepeatedScalarFieldContainer[str]
    potential_usd: _containers.RepeatedScalarFieldContainer[float]
    workload: _containers.RepeatedScalarFieldContainer[float]
    x: _containers.RepeatedScalarFieldContainer[float]
    y: _containers.RepeatedScalarFieldContainer[float]
    current_rep: _containers.RepeatedScalarFieldContainer[str]
    locked_rep: _containers.RepeatedScalarFieldContainer[str]
    relationship: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, account_id: _Optional[_Iterable[str]] = ..., potential_usd: _Optional[_Iterable[float]] = ..., workload: _Optional[_Iterable[float]] = ..., x: _Optional[_Iterable[float]] = ..., y: _Optional[_Iterable[float]] = ..., current_rep: _Optional[_Iterable[str]] = ..., locked_rep: _Optional[_Iterable[str]] = ..., relationship: _Optional[_Iterable[float]] = ...) -> None: ...

class CoverageReps(_message.Message):
    __slots__ = ("rep_id", "home_x", "home_y", "capacity")
    REP_ID_FIELD_NUMBER: _ClassVar[int]
    HOME_X_FIELD_NUMBER: _ClassVar[int]
    HOME_Y_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    rep_id: _containers.RepeatedScalarFieldContainer[str]
    home_x: _containers.RepeatedScalarFieldContainer[float]
    home_y: _containers.RepeatedScalarFieldContainer[float]
    capacity: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, rep_id: _Optional[_Iterable[str]] = ..., home_x: _Optional[_Iterable[float]] = ..., home_y: _Optional[_Iterable[float]] = ..., capacity: _Optional[_Iterable[float]] = ...) -> None: ...

class SeedScoreWeights(_message.Message):
    __slots__ = ("potential_balance", "travel", "workload_balance", "relationship")
    POTENTIAL_BALANCE_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_FIELD_NUMBER: _ClassVar[int]
    WORKLOAD_BALANCE_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    potential_balance: float
    travel: float
    workload_balance: float
    relationship: float
    def __init__(self, potential_balance: _Optional[float] = ..., travel: _Optional[float] = ..., workload_balance: _Optional[float] = ..., relationship: _Optional[float] = ...) -> None: ...

class TerritoryScenario(_message.Message):
    __slots__ = ("name", "remove_rep_ids", "add_reps", "lock_account_ids", "lock_rep_ids")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REMOVE_REP_IDS_FIELD_NUMBER: _ClassVar[int]
    ADD_REPS_FIELD_NUMBER: _ClassVar[int]
    LOCK_ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    LOCK_REP_IDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    remove_rep_ids: _containers.RepeatedScalarFieldContainer[str]
    add_reps: CoverageReps
    lock_account_ids: _containers.RepeatedScalarFieldContainer[str]
    lock_rep_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., remove_rep_ids: _Optional[_Iterable[str]] = ..., add_reps: _Optional[_Union[CoverageReps, _Mapping]] = ..., lock_account_ids: _Optional[_Iterable[str]] = ..., lock_rep_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DesignTerritoriesRequest(_message.Message):
    __slots__ = ("accounts", "reps", "distance", "workload_band", "potential_band", "objective", "travel_weight", "disruption_weight", "contiguity_weight", "adjacency_a", "adjacency_b", "max_disruption", "seed_weights", "frontier_points", "exact_frontier", "scenarios", "mip_gap", "time_limit_seconds", "validate_only")
    class Objective(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OBJECTIVE_UNSPECIFIED: _ClassVar[DesignTerritoriesRequest.Objective]
        WEIGHTED: _ClassVar[DesignTerritoriesRequest.Objective]
        EPSILON_CONSTRAINT: _ClassVar[DesignTerritoriesRequest.Objective]
        SEED_SCORE: _ClassVar[DesignTerritoriesRequest.Objective]
    OBJECTIVE_UNSPECIFIED: DesignTerritoriesRequest.Objective
    WEIGHTED: DesignTerritoriesRequest.Objective
    EPSILON_CONSTRAINT: DesignTerritoriesRequest.Objective
    SEED_SCORE: DesignTerritoriesRequest.Objective
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    WORKLOAD_BAND_FIELD_NUMBER: _ClassVar[int]
    POTENTIAL_BAND_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    DISRUPTION_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    CONTIGUITY_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    ADJACENCY_A_FIELD_NUMBER: _ClassVar[int]
    ADJACENCY_B_FIELD_NUMBER: _ClassVar[int]
    MAX_DISRUPTION_FIELD_NUMBER: _ClassVar[int]
    SEED_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    FRONTIER_POINTS_FIELD_NUMBER: _ClassVar[int]
    EXACT_FRONTIER_FIELD_NUMBER: _ClassVar[int]
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    MIP_GAP_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    accounts: Accounts
    reps: CoverageReps
    distance: _containers.RepeatedScalarFieldContainer[float]
    workload_band: float
    potential_band: float
    objective: DesignTerritoriesRequest.Objective
    travel_weight: float
    disruption_weight: float
    contiguity_weight: float
    adjacency_a: _containers.RepeatedScalarFieldContainer[int]
    adjacency_b: _containers.RepeatedScalarFieldContainer[int]
    max_disruption: float
    seed_weights: SeedScoreWeights
    frontier_points: int
    exact_frontier: bool
    scenarios: _containers.RepeatedCompositeFieldContainer[TerritoryScenario]
    mip_gap: float
    time_limit_seconds: float
    validate_only: bool
    def __init__(self, accounts: _Optional[_Union[Accounts, _Mapping]] = ..., reps: _Optional[_Union[CoverageReps, _Mapping]] = ..., distance: _Optional[_Iterable[float]] = ..., workload_band: _Optional[float] = ..., potential_band: _Optional[float] = ..., objective: _Optional[_Union[DesignTerritoriesRequest.Objective, str]] = ..., travel_weight: _Optional[float] = ..., disruption_weight: _Optional[float] = ..., contiguity_weight: _Optional[float] = ..., adjacency_a: _Optional[_Iterable[int]] = ..., adjacency_b: _Optional[_Iterable[int]] = ..., max_disruption: _Optional[float] = ..., seed_weights: _Optional[_Union[SeedScoreWeights, _Mapping]] = ..., frontier_points: _Optional[int] = ..., exact_frontier: _Optional[bool] = ..., scenarios: _Optional[_Iterable[_Union[TerritoryScenario, _Mapping]]] = ..., mip_gap: _Optional[float] = ..., time_limit_seconds: _Optional[float] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class TerritoryMetrics(_message.Message):
    __slots__ = ("travel", "travel_norm", "disruption", "moved_accounts", "relationship_loss", "workload_imbalance", "potential_imbalance", "max_workload_deviation", "max_potential_deviation", "cut_share", "seed_score")
    TRAVEL_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_NORM_FIELD_NUMBER: _ClassVar[int]
    DISRUPTION_FIELD_NUMBER: _ClassVar[int]
    MOVED_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_LOSS_FIELD_NUMBER: _ClassVar[int]
    WORKLOAD_IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    POTENTIAL_IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    MAX_WORKLOAD_DEVIATION_FIELD_NUMBER: _ClassVar[int]
    MAX_POTENTIAL_DEVIATION_FIELD_NUMBER: _ClassVar[int]
    CUT_SHARE_FIELD_NUMBER: _ClassVar[int]
    SEED_SCORE_FIELD_NUMBER: _ClassVar[int]
    travel: float
    travel_norm: float
    disruption: float
    moved_accounts: int
    relationship_loss: float
    workload_imbalance: float
    potential_imbalance: float
    max_workload_deviation: float
    max_potential_deviation: float
    cut_share: float
    seed_score: float
    def __init__(self, travel: _Optional[float] = ..., travel_norm: _Optional[float] = ..., disruption: _Optional[float] = ..., moved_accounts: _Optional[int] = ..., relationship_loss: _Optional[float] = ..., workload_imbalance: _Optional[float] = ..., potential_imbalance: _Optional[float] = ..., max_workload_deviation: _Optional[float] = ..., max_potential_deviation: _Optional[float] = ..., cut_share: _Optional[float] = ..., seed_score: _Optional[float] = ...) -> None: ...

class RepLoads(_message.Message):
    __slots__ = ("rep_id", "workload", "potential_usd", "accounts", "travel")
    REP_ID_FIELD_NUMBER: _ClassVar[int]
    WORKLOAD_FIELD_NUMBER: _ClassVar[int]
    POTENTIAL_USD_FIELD_NUMBER: _ClassVar[int]
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_FIELD_NUMBER: _ClassVar[int]
    rep_id: _containers.RepeatedScalarFieldContainer[str]
    workload: _containers.RepeatedScalarFieldContainer[float]
    potential_usd: _containers.RepeatedScalarFieldContainer[float]
    accounts: _containers.RepeatedScalarFieldContainer[int]
    travel: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, rep_id: _Optional[_Iterable[str]] = ..., workload: _Optional[_Iterable[float]] = ..., potential_usd: _Optional[_Iterable[float]] = ..., accounts: _Optional[_Iterable[int]] = ..., travel: _Optional[_Iterable[float]] = ...) -> None: ...

class TerritoryDesign(_message.Message):
    __slots__ = ("termination", "objective", "bound", "mip_gap", "max_violation", "nodes", "assigned_rep", "metrics", "reps", "relaxations", "elapsed")
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BOUND_FIELD_NUMBER: _ClassVar[int]
    MIP_GAP_FIELD_NUMBER: _ClassVar[int]
    MAX_VIOLATION_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_REP_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    RELAXATIONS_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    termination: Termination
    objective: float
    bound: float
    mip_gap: float
    max_violation: float
    nodes: int
    assigned_rep: _containers.RepeatedScalarFieldContainer[str]
    metrics: TerritoryMetrics
    reps: RepLoads
    relaxations: _containers.RepeatedCompositeFieldContainer[Relaxation]
    elapsed: _duration_pb2.Duration
    def __init__(self, termination: _Optional[_Union[Termination, _Mapping]] = ..., objective: _Optional[float] = ..., bound: _Optional[float] = ..., mip_gap: _Optional[float] = ..., max_violation: _Optional[float] = ..., nodes: _Optional[int] = ..., assigned_rep: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Union[TerritoryMetrics, _Mapping]] = ..., reps: _Optional[_Union[RepLoads, _Mapping]] = ..., relaxations: _Optional[_Iterable[_Union[Relaxation, _Mapping]]] = ..., elapsed: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class TerritoryFrontierPoint(_message.Message):
    __slots__ = ("max_disruption", "design")
    MAX_DISRUPTION_FIELD_NUMBER: _ClassVar[int]
    DESIGN_FIELD_NUMBER: _ClassVar[int]
    max_disruption: float
    design: TerritoryDesign
    def __init__(self, max_disruption: _Optional[float] = ..., design: _Optional[_Union[TerritoryDesign, _Mapping]] = ...) -> None: ...

class TerritoryScenarioResult(_message.Message):
    __slots__ = ("name", "design", "accounts_moved_vs_base", "delta")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESIGN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNTS_MOVED_VS_BASE_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    name: str
    design: TerritoryDesign
    accounts_moved_vs_base: int
    delta: TerritoryMetrics
    def __init__(self, name: _Optional[str] = ..., design: _Optional[_Union[TerritoryDesign, _Mapping]] = ..., accounts_moved_vs_base: _Optional[int] = ..., delta: _Optional[_Union[TerritoryMetrics, _Mapping]] = ...) -> None: ...

class DesignTerritoriesResponse(_message.Message):
    __slots__ = ("design", "current", "frontier", "scenarios", "receipt")
    DESIGN_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    FRONTIER_FIELD_NUMBER: _ClassVar[int]
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    design: TerritoryDesign
    current: TerritoryMetrics
    frontier: _containers.RepeatedCompositeFieldContainer[TerritoryFrontierPoint]
    scenarios: _containers.RepeatedCompositeFieldContainer[TerritoryScenarioResult]
    receipt: Receipt
    def __init__(self, design: _Optional[_Union[TerritoryDesign, _Mapping]] = ..., current: _Optional[_Union[TerritoryMetrics, _Mapping]] = ..., frontier: _Optional[_Iterable[_Union[TerritoryFrontierPoint, _Mapping]]] = ..., scenarios: _Optional[_Iterable[_Union[TerritoryScenarioResult, _Mapping]]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class PriceDistribution(_message.Message):
    __slots__ = ("price", "density", "deal_price", "grid_step")
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENSITY_FIELD_NUMBER: _ClassVar[int]
    DEAL_PRICE_FIELD_NUMBER: _ClassVar[int]
    GRID_STEP_FIELD_NUMBER: _ClassVar[int]
    price: _containers.RepeatedScalarFieldContainer[float]
    density: _containers.RepeatedScalarFieldContainer[float]
    deal_price: _containers.RepeatedScalarFieldContainer[float]
    grid_step: float
    def __init__(self, price: _Optional[_Iterable[float]] = ..., density: _Optional[_Iterable[float]] = ..., deal_price: _Optional[_Iterable[float]] = ..., grid_step: _Optional[float] = ...) -> None: ...

class PriceTiers(_message.Message):
    __slots__ = ("cut_price", "incentive_ppt", "quantile_tiers")
    CUT_PRICE_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_PPT_FIELD_NUMBER: _ClassVar[int]
    QUANTILE_TIERS_FIELD_NUMBER: _ClassVar[int]
    cut_price: _containers.RepeatedScalarFieldContainer[float]
    incentive_ppt: _containers.RepeatedScalarFieldContainer[float]
    quantile_tiers: int
    def __init__(self, cut_price: _Optional[_Iterable[float]] = ..., incentive_ppt: _Optional[_Iterable[float]] = ..., quantile_tiers: _Optional[int] = ...) -> None: ...

class TierResponse(_message.Message):
    __slots__ = ("share_per_ppt", "decay")
    SHARE_PER_PPT_FIELD_NUMBER: _ClassVar[int]
    DECAY_FIELD_NUMBER: _ClassVar[int]
    share_per_ppt: float
    decay: float
    def __init__(self, share_per_ppt: _Optional[float] = ..., decay: _Optional[float] = ...) -> None: ...

class DesignPriceTiersRequest(_message.Message):
    __slots__ = ("distribution", "tiers", "response", "after", "optimise", "incentive_levels_ppt", "max_tiers", "max_incentive_cost", "unit_cost", "incentive_cost_basis")
    DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    OPTIMISE_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_LEVELS_PPT_FIELD_NUMBER: _ClassVar[int]
    MAX_TIERS_FIELD_NUMBER: _ClassVar[int]
    MAX_INCENTIVE_COST_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_COST_BASIS_FIELD_NUMBER: _ClassVar[int]
    distribution: PriceDistribution
    tiers: PriceTiers
    response: TierResponse
    after: PriceDistribution
    optimise: bool
    incentive_levels_ppt: _containers.RepeatedScalarFieldContainer[float]
    max_tiers: int
    max_incentive_cost: float
    unit_cost: float
    incentive_cost_basis: float
    def __init__(self, distribution: _Optional[_Union[PriceDistribution, _Mapping]] = ..., tiers: _Optional[_Union[PriceTiers, _Mapping]] = ..., response: _Optional[_Union[TierResponse, _Mapping]] = ..., after: _Optional[_Union[PriceDistribution, _Mapping]] = ..., optimise: _Optional[bool] = ..., incentive_levels_ppt: _Optional[_Iterable[float]] = ..., max_tiers: _Optional[int] = ..., max_incentive_cost: _Optional[float] = ..., unit_cost: _Optional[float] = ..., incentive_cost_basis: _Optional[float] = ...) -> None: ...

class TierOutcome(_message.Message):
    __slots__ = ("cut_price", "incentive_ppt", "shifted_density", "mean_price_before", "mean_price_after", "converted_mass", "incentive_cost", "margin", "margin_gain")
    CUT_PRICE_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_PPT_FIELD_NUMBER: _ClassVar[int]
    SHIFTED_DENSITY_FIELD_NUMBER: _ClassVar[int]
    MEAN_PRICE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    MEAN_PRICE_AFTER_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_MASS_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_COST_FIELD_NUMBER: _ClassVar[int]
    MARGIN_FIELD_NUMBER: _ClassVar[int]
    MARGIN_GAIN_FIELD_NUMBER: _ClassVar[int]
    cut_price: _containers.RepeatedScalarFieldContainer[float]
    incentive_ppt: _containers.RepeatedScalarFieldContainer[float]
    shifted_density: _containers.RepeatedScalarFieldContainer[float]
    mean_price_before: float
    mean_price_after: float
    converted_mass: _containers.RepeatedScalarFieldContainer[float]
    incentive_cost: float
    margin: float
    margin_gain: float
    def __init__(self, cut_price: _Optional[_Iterable[float]] = ..., incentive_ppt: _Optional[_Iterable[float]] = ..., shifted_density: _Optional[_Iterable[float]] = ..., mean_price_before: _Optional[float] = ..., mean_price_after: _Optional[float] = ..., converted_mass: _Optional[_Iterable[float]] = ..., incentive_cost: _Optional[float] = ..., margin: _Optional[float] = ..., margin_gain: _Optional[float] = ...) -> None: ...

class FittedResponse(_message.Message):
    __slots__ = ("share_per_ppt", "decay", "rmse")
    SHARE_PER_PPT_FIELD_NUMBER: _ClassVar[int]
    DECAY_FIELD_NUMBER: _ClassVar[int]
    RMSE_FIELD_NUMBER: _ClassVar[int]
    share_per_ppt: float
    decay: float
    rmse: float
    def __init__(self, share_per_ppt: _Optional[float] = ..., decay: _Optional[float] = ..., rmse: _Optional[float] = ...) -> None: ...

class DesignPriceTiersResponse(_message.Message):
    __slots__ = ("termination", "price", "density", "evaluated", "optimised", "fit", "designs_searched", "receipt")
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENSITY_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_FIELD_NUMBER: _ClassVar[int]
    OPTIMISED_FIELD_NUMBER: _ClassVar[int]
    FIT_FIELD_NUMBER: _ClassVar[int]
    DESIGNS_SEARCHED_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    termination: Termination
    price: _containers.RepeatedScalarFieldContainer[float]
    density: _containers.RepeatedScalarFieldContainer[float]
    evaluated: TierOutcome
    optimised: TierOutcome
    fit: FittedResponse
    designs_searched: int
    receipt: Receipt
    def __init__(self, termination: _Optional[_Union[Termination, _Mapping]] = ..., price: _Optional[_Iterable[float]] = ..., density: _Optional[_Iterable[float]] = ..., evaluated: _Optional[_Union[TierOutcome, _Mapping]] = ..., optimised: _Optional[_Union[TierOutcome, _Mapping]] = ..., fit: _Optional[_Union[FittedResponse, _Mapping]] = ..., designs_searched: _Optional[int] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class DynamicPlanSpec(_message.Message):
    __slots__ = ("name", "period_months", "bonus_usd", "commission_usd", "ceiling", "ratchet")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_MONTHS_FIELD_NUMBER: _ClassVar[int]
    BONUS_USD_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_USD_FIELD_NUMBER: _ClassVar[int]
    CEILING_FIELD_NUMBER: _ClassVar[int]
    RATCHET_FIELD_NUMBER: _ClassVar[int]
    name: str
    period_months: int
    bonus_usd: float
    commission_usd: float
    ceiling: float
    ratchet: float
    def __init__(self, name: _Optional[str] = ..., period_months: _Optional[int] = ..., bonus_usd: _Optional[float] = ..., commission_usd: _Optional[float] = ..., ceiling: _Optional[float] = ..., ratchet: _Optional[float] = ...) -> None: ...

class DynamicRep(_message.Message):
    __slots__ = ("baseline", "productivity", "noise", "effort_cost_usd")
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    PRODUCTIVITY_FIELD_NUMBER: _ClassVar[int]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    EFFORT_COST_USD_FIELD_NUMBER: _ClassVar[int]
    baseline: float
    productivity: float
    noise: float
    effort_cost_usd: float
    def __init__(self, baseline: _Optional[float] = ..., productivity: _Optional[float] = ..., noise: _Optional[float] = ..., effort_cost_usd: _Optional[float] = ...) -> None: ...

class SimulateDynamicsRequest(_message.Message):
    __slots__ = ("plans", "rep", "discount", "years", "simulated_reps", "seed", "annual_quota_usd", "gross_margin", "optimise_bonus_usd", "optimise_commission_usd")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    REP_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    YEARS_FIELD_NUMBER: _ClassVar[int]
    SIMULATED_REPS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_QUOTA_USD_FIELD_NUMBER: _ClassVar[int]
    GROSS_MARGIN_FIELD_NUMBER: _ClassVar[int]
    OPTIMISE_BONUS_USD_FIELD_NUMBER: _ClassVar[int]
    OPTIMISE_COMMISSION_USD_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[DynamicPlanSpec]
    rep: DynamicRep
    discount: float
    years: int
    simulated_reps: int
    seed: int
    annual_quota_usd: float
    gross_margin: float
    optimise_bonus_usd: _containers.RepeatedScalarFieldContainer[float]
    optimise_commission_usd: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, plans: _Optional[_Iterable[_Union[DynamicPlanSpec, _Mapping]]] = ..., rep: _Optional[_Union[DynamicRep, _Mapping]] = ..., discount: _Optional[float] = ..., years: _Optional[int] = ..., simulated_reps: _Optional[int] = ..., seed: _Optional[int] = ..., annual_quota_usd: _Optional[float] = ..., gross_margin: _Optional[float] = ..., optimise_bonus_usd: _Optional[_Iterable[float]] = ..., optimise_commission_usd: _Optional[_Iterable[float]] = ...) -> None: ...

class DynamicOutcome(_message.Message):
    __slots__ = ("name", "plan", "effort_by_month", "sales_by_month", "expected_sales", "incentive_pay_usd", "effort_cost_usd", "firm_profit_usd", "give_up_effort", "on_track_effort", "quota_end", "sweeps", "bellman_residual", "policy_value_gap", "policy_stable", "policy_sales", "policy_effort", "near_quota_effort", "effort_at_grid_max")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    EFFORT_BY_MONTH_FIELD_NUMBER: _ClassVar[int]
    SALES_BY_MONTH_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SALES_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_PAY_USD_FIELD_NUMBER: _ClassVar[int]
    EFFORT_COST_USD_FIELD_NUMBER: _ClassVar[int]
    FIRM_PROFIT_USD_FIELD_NUMBER: _ClassVar[int]
    GIVE_UP_EFFORT_FIELD_NUMBER: _ClassVar[int]
    ON_TRACK_EFFORT_FIELD_NUMBER: _ClassVar[int]
    QUOTA_END_FIELD_NUMBER: _ClassVar[int]
    SWEEPS_FIELD_NUMBER: _ClassVar[int]
    BELLMAN_RESIDUAL_FIELD_NUMBER: _ClassVar[int]
    POLICY_VALUE_GAP_FIELD_NUMBER: _ClassVar[int]
    POLICY_STABLE_FIELD_NUMBER: _ClassVar[int]
    POLICY_SALES_FIELD_NUMBER: _ClassVar[int]
    POLICY_EFFORT_FIELD_NUMBER: _ClassVar[int]
    NEAR_QUOTA_EFFORT_FIELD_NUMBER: _ClassVar[int]
    EFFORT_AT_GRID_MAX_FIELD_NUMBER: _ClassVar[int]
    name: str
    plan: DynamicPlanSpec
    effort_by_month: _containers.RepeatedScalarFieldContainer[float]
    sales_by_month: _containers.RepeatedScalarFieldContainer[float]
    expected_sales: float
    incentive_pay_usd: float
    effort_cost_usd: float
    firm_profit_usd: float
    give_up_effort: float
    on_track_effort: float
    quota_end: float
    sweeps: int
    bellman_residual: float
    policy_value_gap: float
    policy_stable: bool
    policy_sales: _containers.RepeatedScalarFieldContainer[float]
    policy_effort: _containers.RepeatedScalarFieldContainer[float]
    near_quota_effort: float
    effort_at_grid_max: float
    def __init__(self, name: _Optional[str] = ..., plan: _Optional[_Union[DynamicPlanSpec, _Mapping]] = ..., effort_by_month: _Optional[_Iterable[float]] = ..., sales_by_month: _Optional[_Iterable[float]] = ..., expected_sales: _Optional[float] = ..., incentive_pay_usd: _Optional[float] = ..., effort_cost_usd: _Optional[float] = ..., firm_profit_usd: _Optional[float] = ..., give_up_effort: _Optional[float] = ..., on_track_effort: _Optional[float] = ..., quota_end: _Optional[float] = ..., sweeps: _Optional[int] = ..., bellman_residual: _Optional[float] = ..., policy_value_gap: _Optional[float] = ..., policy_stable: _Optional[bool] = ..., policy_sales: _Optional[_Iterable[float]] = ..., policy_effort: _Optional[_Iterable[float]] = ..., near_quota_effort: _Optional[float] = ..., effort_at_grid_max: _Optional[float] = ...) -> None: ...

class SimulateDynamicsResponse(_message.Message):
    __slots__ = ("termination", "outcomes", "best", "receipt")
    TERMINATION_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    BEST_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    termination: Termination
    outcomes: _containers.RepeatedCompositeFieldContainer[DynamicOutcome]
    best: DynamicOutcome
    receipt: Receipt
    def __init__(self, termination: _Optional[_Union[Termination, _Mapping]] = ..., outcomes: _Optional[_Iterable[_Union[DynamicOutcome, _Mapping]]] = ..., best: _Optional[_Union[DynamicOutcome, _Mapping]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...
