"""Requests and reports for AllocateQuotas and DesignTerritories (thin: stdlib + protobuf).

* ``quotas_request(columns, target, ...)`` / ``territories_request(accounts, reps, ...)`` build
  requests from column dicts (e.g. ``read_csv`` output);
* ``demo_quotas()`` / ``demo_territories()`` are seeded synthetic instances (stdlib ``random``):
  the 45 territories of the seed-000 team (average quota $1.2M, attainment 78%, last year's
  quotas set by negotiation rather than opportunity), and a drifted account assignment;
* ``quota_table`` / ``territory_table`` print a response.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from planopt.v1 import planopt_pb2 as pb

QUOTA_NUMERIC = ("potential_usd", "account_count", "last_year_sales_usd", "last_year_quota_usd", "expected_sales_usd")
ACCOUNT_NUMERIC = ("potential_usd", "workload", "x", "y", "relationship")
REP_NUMERIC = ("home_x", "home_y", "capacity")


def quotas_request(
    columns: Mapping[str, Sequence[Any]],
    target_usd: float,
    over_assignment: float = 0.0,
    max_increase: float | None = None,
    max_decrease: float | None = None,
    min_quota_to_potential: float | None = None,
    max_quota_to_potential: float | None = None,
    objective: str = "min_max",
) -> pb.AllocateQuotasRequest:
    req = pb.AllocateQuotasRequest(company_target_usd=target_usd, over_assignment=over_assignment)
    req.territories.territory_id.extend(str(x) for x in columns["territory_id"])
    for name in QUOTA_NUMERIC:
        if name in columns:
            getattr(req.territories, name).extend(float(x) for x in columns[name])
    for name, value in (
        ("max_increase", max_increase),
        ("max_decrease", max_decrease),
        ("min_quota_to_potential", min_quota_to_potential),
        ("max_quota_to_potential", max_quota_to_potential),
    ):
        if value is not None:
            setattr(req.limits, name, value)
    req.objective = (
        pb.AllocateQuotasRequest.WEIGHTED_DEVIATION
        if objective == "weighted"
        else pb.AllocateQuotasRequest.MIN_MAX_DEVIATION
    )
    return req


def territories_request(
    accounts: Mapping[str, Sequence[Any]],
    reps: Mapping[str, Sequence[Any]],
    workload_band: float | None = 0.15,
    potential_band: float | None = None,
    objective: str = "weighted",
    max_disruption: float | None = None,
    frontier_points: int = 0,
) -> pb.DesignTerritoriesRequest:
    req = pb.DesignTerritoriesRequest(frontier_points=frontier_points)
    a = req.accounts
    a.account_id.extend(str(x) for x in accounts["account_id"])
    for name in ACCOUNT_NUMERIC:
        if name in accounts:
            getattr(a, name).extend(float(x) for x in accounts[name])
    for name in ("current_rep", "locked_rep"):
        if name in accounts:
            getattr(a, name).extend(str(x) for x in accounts[name])
    req.reps.rep_id.extend(str(x) for x in reps["rep_id"])
    for name in REP_NUMERIC:
        if name in reps:
            getattr(req.reps, name).extend(float(x) for x in reps[name])
    if workload_band is not None:
        req.workload_band = workload_band
    if potential_band is not None:
        req.potential_band = potential_band
    req.objective = {
        "weighted": pb.DesignTerritoriesRequest.WEIGHTED,
        "epsilon": pb.DesignTerritoriesRequest.EPSILON_CONSTRAINT,
        "seed_score": pb.DesignTerritoriesRequest.SEED_SCORE,
    }[objective]
    if max_disruption is not None:
        req.max_disruption = max_disruption
    return req


def demo_quotas(seed: int = 0) -> dict[str, list[Any]]:
    """45 territories: potential lognormal around $3M; last year's sales follow potential (with
    rep skill noise), last year's quotas average $1.2M but only loosely track opportunity."""
    rng = random.Random(seed)
    cols: dict[str, list[Any]] = {
        k: [] for k in ("territory_id", "potential_usd", "account_count", "last_year_sales_usd", "last_year_quota_usd")
    }
    for i in range(45):
        potential = 3.0e6 * math.exp(rng.gauss(0.0, 0.45))
        accounts = max(5, round(40 * potential / 3.0e6 * math.exp(rng.gauss(0.0, 0.2))))
        cols["territory_id"].append(f"T{i + 1:02d}")
        cols["potential_usd"].append(round(potential, 2))
        cols["account_count"].append(float(accounts))
        cols["last_year_sales_usd"].append(round(0.31 * potential * math.exp(rng.gauss(0.0, 0.25)), 2))
        cols["last_year_quota_usd"].append(
            round(1.2e6 * math.exp(0.5 * math.log(potential / 3.0e6) + rng.gauss(0.0, 0.25)), 2)
        )
    return cols


def demo_territories(
    accounts: int = 240, reps: int = 8, seed: int = 0
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Accounts clustered around towns near the reps' home bases on a 500 km square, and a
    current assignment that has drifted: nearest rep, then 20% of accounts handed to a random
    rep."""
    rng = random.Random(seed)
    homes = [(rng.uniform(40, 460), rng.uniform(40, 460)) for _ in range(reps)]
    # Accounts cluster around towns near the reps' homes (not exactly on them).
    centres = [(hx + rng.gauss(0, 40), hy + rng.gauss(0, 40)) for hx, hy in homes]
    acc: dict[str, list[Any]] = {
        k: [] for k in ("account_id", "potential_usd", "workload", "x", "y", "current_rep", "relationship")
    }
    for i in range(accounts):
        cx, cy = rng.choice(centres)
        x = min(max(rng.gauss(cx, 60), 0.0), 500.0)
        y = min(max(rng.gauss(cy, 60), 0.0), 500.0)
        nearest = min(range(reps), key=lambda j: (homes[j][0] - x) ** 2 + (homes[j][1] - y) ** 2)
        current = rng.randrange(reps) if rng.random() < 0.2 else nearest
        acc["account_id"].append(f"A{i + 1:04d}")
        acc["potential_usd"].append(round(2.0e5 * math.exp(rng.gauss(0.0, 0.8)), 2))
        acc["workload"].append(round(20.0 * math.exp(rng.gauss(0.0, 0.5)), 2))
        acc["x"].append(round(x, 3))
        acc["y"].append(round(y, 3))
        acc["current_rep"].append(f"R{current + 1:02d}")
        acc["relationship"].append(round(rng.random(), 3))
    rep_cols: dict[str, list[Any]] = {
        "rep_id": [f"R{j + 1:02d}" for j in range(reps)],
        "home_x": [round(h[0], 3) for h in homes],
        "home_y": [round(h[1], 3) for h in homes],
    }
    return acc, rep_cols


def _pct(x: float) -> str:
    return f"{100 * x:6.1f}%"


def quota_table(resp: pb.AllocateQuotasResponse, limit: int = 60) -> str:
    term = pb.Termination.Reason.Name(resp.termination.reason)
    lines = [f"termination: {term} — {resp.termination.detail}"]
    if resp.termination.reason == pb.Termination.VALIDATED:
        return "\n".join(lines)
    for r in resp.relaxations:
        lines.append(f"relaxation: {r.constraint} {r.bound:,.0f} -> {r.relaxed_bound:,.0f} {r.unit}")
    if resp.termination.reason != pb.Termination.OPTIMAL:
        return "\n".join(lines)
    c = resp.certificate
    lines.append(
        f"certificate: max violation {c.max_violation:.1e}, KKT residual {c.kkt_residual:.1e}, "
        f"duality gap {resp.duality_gap:.1e}"
    )
    fit = resp.fit
    if fit.source == "fitted":
        lines.append(
            f"opportunity: fitted from last year's sales; territory factors explain {_pct(fit.r_squared).strip()} "
            "of the variance of log sales"
        )
    else:
        lines.append(f"opportunity: {fit.source}")
    lines.append(
        f"objective {resp.objective:.4f}; max |quota / fair share - 1| {resp.max_relative_deviation:.3f}; "
        f"misallocated share of target {_pct(resp.misallocated_share).strip()}; "
        f"{resp.objective_change_per_pct_target:+.4f} per +1% of target"
    )
    lines.append("predicted attainment      min     P10  median     P90     max      sd")
    for name in ("spread_before", "spread_after"):
        if resp.HasField(name):
            s = getattr(resp, name)
            lines.append(f"  {name[7:]:<22}" + " ".join(_pct(v) for v in (s.min, s.p10, s.median, s.p90, s.max, s.sd)))
    t = resp.territories
    lines.append(f"outliers (last year's quota vs opportunity): {resp.outliers}")
    lines.append("territory      quota USD   fair share    change  attain  binding")
    has_change = len(t.change_vs_last_year) == len(t.territory_id)
    for i in range(min(len(t.territory_id), limit)):
        change = f"{100 * t.change_vs_last_year[i]:+7.1f}%" if has_change else "       -"
        flag = " outlier" if len(t.outlier) and t.outlier[i] else ""
        lines.append(
            f"{t.territory_id[i]:<10} {t.quota_usd[i]:>13,.0f} {t.fair_share_usd[i]:>12,.0f} {change} "
            f"{_pct(t.predicted_attainment[i])}  {t.binding[i]}{flag}"
        )
    if len(t.territory_id) > limit:
        lines.append(f"... {len(t.territory_id) - limit} more (use --json-out)")
    return "\n".join(lines)


def _metrics_row(name: str, m: pb.TerritoryMetrics) -> str:
    return (
        f"  {name:<14} travel {m.travel:>10,.0f} ({m.travel_norm:.3f})  disruption {_pct(m.disruption)}"
        f" ({m.moved_accounts} accts)  workload dev {_pct(m.max_workload_deviation)}"
        f"  potential dev {_pct(m.max_potential_deviation)}  seed score {m.seed_score:.4f}"
    )


def territory_table(resp: pb.DesignTerritoriesResponse) -> str:
    d = resp.design
    lines = [f"termination: {pb.Termination.Reason.Name(d.termination.reason)} — {d.termination.detail}"]
    if d.termination.reason == pb.Termination.VALIDATED:
        return "\n".join(lines)
    for r in d.relaxations:
        lines.append(f"relaxation: {r.constraint} {r.bound:.3f} -> {r.relaxed_bound:.3f}")
    if d.HasField("metrics"):
        lines.append(
            f"MILP: objective {d.objective:.6g}, bound {d.bound:.6g}, gap {d.mip_gap:.2e}, "
            f"max violation {d.max_violation:.1e}, {d.nodes} nodes, {d.elapsed.ToTimedelta().total_seconds():.2f} s"
        )
        if resp.HasField("current"):
            lines.append(_metrics_row("current", resp.current))
        lines.append(_metrics_row("design", d.metrics))
        lines.append("rep        accounts    workload   potential USD      travel")
        r = d.reps
        for j in range(len(r.rep_id)):
            lines.append(
                f"{r.rep_id[j]:<10} {r.accounts[j]:>8} {r.workload[j]:>11,.1f} {r.potential_usd[j]:>15,.0f} "
                f"{r.travel[j]:>11,.0f}"
            )
    if len(resp.frontier):
        lines.append("frontier (non-dominated travel vs disruption):")
        for fp in resp.frontier:
            m = fp.design.metrics
            lines.append(f"  disruption {_pct(m.disruption)}  travel {m.travel:>10,.0f}  gap {fp.design.mip_gap:.1e}")
    for sc in resp.scenarios:
        lines.append(
            f"scenario {sc.name}: {pb.Termination.Reason.Name(sc.design.termination.reason)}, "
            f"{sc.accounts_moved_vs_base} accounts differ from the base design"
        )
        if sc.design.HasField("metrics"):
            lines.append(_metrics_row(sc.name[:14], sc.design.metrics))
    return "\n".join(lines)


def seed_price_distribution() -> tuple[list[float], list[float]]:
    """Seed 004's example: prices $100..$150, density of N(125, 10) normalised on the grid."""
    price = [float(p) for p in range(100, 151)]
    dens = [math.exp(-0.5 * ((p - 125.0) / 10.0) ** 2) for p in price]
    total = sum(dens)
    return price, [d / total for d in dens]


def tiers_table(resp: pb.DesignPriceTiersResponse) -> str:
    lines = [f"termination: {pb.Termination.Reason.Name(resp.termination.reason)} — {resp.termination.detail}"]
    if resp.HasField("fit"):
        f = resp.fit
        lines.append(
            f"fitted response: {f.share_per_ppt:.4f} of deals per ppt, decay {f.decay:.4f} per step (rmse {f.rmse:.2e})"
        )
    for name in ("evaluated", "optimised"):
        if not resp.HasField(name):
            continue
        o = getattr(resp, name)
        tiers = ", ".join(
            f"<{c:g}: {r:g} ppt" for c, r in zip([*o.cut_price, float("inf")], o.incentive_ppt, strict=True)
        ).replace("<inf", "top")
        lines.append(f"{name}: {tiers}")
        lines.append(
            f"  mean price {o.mean_price_before:.3f} -> {o.mean_price_after:.3f}; incentive cost "
            f"{o.incentive_cost:.3f}/deal; margin gain {o.margin_gain:+.3f}/deal"
        )
        if len(o.converted_mass):
            moved = ", ".join(f"{m:.3f} across {c:g}" for m, c in zip(o.converted_mass, o.cut_price, strict=True))
            lines.append(f"  converted mass: {moved}")
    if resp.designs_searched:
        lines.append(f"designs searched: {resp.designs_searched}")
    return "\n".join(lines)
