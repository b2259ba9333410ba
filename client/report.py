"""Plain-text before/after report of an OptimizePlan result (what the demo and CLI print)."""

from __future__ import annotations

from collections.abc import Mapping

from planopt.client.results import Metrics, OptimizeResult

_LEVER_ROWS = (
    ("base salary", "base_usd", "usd"),
    ("target incentive", "target_incentive_usd", "usd"),
    ("OTE (base + TI)", "ote_usd", "usd"),
    ("threshold", "threshold_attainment", "pct"),
    ("commission slope ($ per 100% att.)", "commission_slope_usd", "usd"),
    ("quota bonus share of TI", "quota_bonus_share", "pct"),
    ("accelerator above 100%", "accelerator", "x"),
    ("cap", "cap_attainment", "pct"),
)


def _fmt(value: float, kind: str) -> str:
    if kind == "usd":
        return f"${value:,.0f}"
    if kind == "usdm":
        return f"${value / 1e6:,.2f}M"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "x":
        return f"{value:.2f}x"
    return f"{value:.4g}"


def _objective_step(objective: str) -> tuple[float, str]:
    """(multiplier, unit) that turns a shadow price effect into display units."""
    if objective in ("attainment", "quota_weighted_attainment"):
        return 100.0, "pts"
    return 1.0, "$"


def _constraint_step(unit: str) -> tuple[float, str]:
    return (0.01, "+1 pt") if unit == "fraction" else (1000.0, "+$1K")


def format_report(
    result: OptimizeResult,
    current_plan: Mapping[str, Mapping[str, float]],
    objective: str = "attainment",
    title: str = "OptimizePlan",
) -> str:
    lines: list[str] = [f"== {title} =="]
    lines.append(
        f"termination {result.termination}: {result.detail}\n"
        f"certificate  max violation {result.max_violation:.2e} pts, KKT residual {result.kkt_residual:.2e}, "
        f"{result.iterations} SQP iterations over {result.starts} starts, {1000 * result.elapsed_s:.0f} ms"
    )
    for role, plan in result.plan.items():
        cur = dict(current_plan.get(role, {}))
        if cur:
            cur["ote_usd"] = cur["base_usd"] + cur["target_incentive_usd"]
            t, q = cur["threshold_attainment"], cur["quota_bonus_share"]
            cur["commission_slope_usd"] = cur["target_incentive_usd"] * (1 - q) / (1 - t)
        lines.append("")
        lines.append(f"Plan levers, role {role:<20} {'current':>14} {'optimised':>14}")
        for label, key, kind in _LEVER_ROWS:
            shown = _fmt(cur[key], kind) if key in cur else "-"
            lines.append(f"  {label:<36} {shown:>14} {_fmt(getattr(plan, key), kind):>14}")
    lines.append("")
    lines.append(f"Expected outcomes {'':<20} {'current':>14} {'optimised':>14}")
    b, a = result.baseline, result.metrics
    rows: list[tuple[str, float, float, str]] = [
        ("mean attainment", b.mean_attainment, a.mean_attainment, "pct"),
        ("top-quartile attainment", b.top_quartile_attainment, a.top_quartile_attainment, "pct"),
        ("bottom-quartile attainment", b.bottom_quartile_attainment, a.bottom_quartile_attainment, "pct"),
        ("quota-weighted attainment", b.quota_weighted_attainment, a.quota_weighted_attainment, "pct"),
        ("revenue", b.revenue_usd, a.revenue_usd, "usdm"),
        ("total pay", b.total_pay_usd, a.total_pay_usd, "usdm"),
        ("cost of sales", b.cost_of_sales, a.cost_of_sales, "pct"),
        ("attrition (annual)", b.attrition, a.attrition, "pct"),
        ("mean pay per rep", b.mean_pay_usd, a.mean_pay_usd, "usd"),
    ]
    for label, before, after, kind in rows:
        lines.append(f"  {label:<36} {_fmt(before, kind):>14} {_fmt(after, kind):>14}")
    for role, rm in a.roles.items():
        brm = b.roles.get(role)
        if rm.market_median_ote_usd > 0:
            for tag, m in (("current", brm), ("optimised", rm)):
                if m is None:
                    continue
                gap = m.ote_usd / rm.market_median_ote_usd - 1
                lines.append(
                    f"  median OTE vs market [{role}] ({tag}): {_fmt(m.ote_usd, 'usd')} vs "
                    f"{_fmt(rm.market_median_ote_usd, 'usd')} ({100 * gap:+.1f}%)"
                )
    mult, obj_unit = _objective_step(objective)
    lines.append("")
    lines.append(f"Constraints {'value':>37} {'bound':>12} {'slack':>12}  shadow price")
    for c in result.constraints:
        kind = "usd" if c.unit == "usd" else "pct"
        step, step_label = _constraint_step(c.unit)
        effect = c.shadow_price * step * mult
        shadow = f"{step_label} bound -> {effect:+.3f} {obj_unit}" if c.active else "inactive"
        lines.append(
            f"  {c.name:<34} {_fmt(c.value, kind):>12} {c.sense} {_fmt(c.bound, kind):>10} "
            f"{_fmt(c.slack, kind):>12}  {shadow}"
        )
    if result.relaxations:
        lines.append("")
        lines.append("Infeasible: the smallest relaxation that makes the returned plan feasible:")
        for r in result.relaxations:
            kind = "usd" if r.unit == "usd" else "pct"
            lines.append(f"  {r.constraint:<34} {_fmt(r.bound, kind)} -> {_fmt(r.relaxed_bound, kind)}")
        lines.append(
            "  (smallest near this plan: the problem is not convex. To re-solve at these bounds,"
            " warm-start from this plan.)"
        )
    return "\n".join(lines)


def metrics_line(m: Metrics) -> str:
    return (
        f"attainment {100 * m.mean_attainment:.1f}%, CoS {100 * m.cost_of_sales:.2f}%, "
        f"attrition {100 * m.attrition:.1f}%"
    )
