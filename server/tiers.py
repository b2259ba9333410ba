"""DesignPriceTiers: validation, the request as arrays, the response."""

from __future__ import annotations

import numpy as np
from planopt.server.validation import InvalidRequest, _Collector
from planopt.solvers import price_tiers as pt
from planopt.v1 import planopt_pb2 as pb

MAX_GRID = 2_000
MAX_DEALS = 1_000_000
MAX_DESIGNS = 3_000_000  # exact search size the server will run (~15 s on this box)
DEFAULT_LEVELS = [0.0, 5.0, 10.0, 15.0, 20.0]


def _grid(d: pb.PriceDistribution, path: str, v: _Collector) -> tuple[np.ndarray, np.ndarray] | None:
    if len(d.deal_price):
        if len(d.price) or len(d.density):
            v.add(f"{path}.deal_price", "give either price/density or deal_price, not both")
            return None
        if len(d.deal_price) > MAX_DEALS:
            v.add(f"{path}.deal_price", f"{len(d.deal_price)} deals; at most {MAX_DEALS}")
            return None
        step = d.grid_step or 1.0
        if not v.number(f"{path}.grid_step", step, 0.0, 1e9, open_lo=True):
            return None
        ok = True
        for i, x in enumerate(d.deal_price):
            ok = v.number(f"{path}.deal_price[{i}]", x, 0.0, 1e12, open_lo=True) and ok
            if len(v.items) >= 100:
                break
        if not ok:
            return None
        idx = np.round(np.asarray(d.deal_price) / step).astype(np.int64)
        lo, hi = int(idx.min()), int(idx.max())
        if hi - lo + 1 > MAX_GRID:
            v.add(f"{path}.grid_step", f"the deals span {hi - lo + 1} bins of {step!r}; at most {MAX_GRID}")
            return None
        counts = np.bincount(idx - lo, minlength=hi - lo + 1).astype(float)
        return (np.arange(lo, hi + 1) * step).astype(float), counts / counts.sum()
    n = len(d.price)
    if n < 2:
        v.add(f"{path}.price", f"a grid needs at least 2 prices, got {n} (or give deal_price)")
        return None
    if n > MAX_GRID:
        v.add(f"{path}.price", f"{n} grid prices; at most {MAX_GRID}")
        return None
    if len(d.density) != n:
        v.add(f"{path}.density", f"has {len(d.density)} entries but price has {n}")
        return None
    ok = True
    for i in range(n):
        ok = v.number(f"{path}.price[{i}]", d.price[i], 0.0, 1e12) and ok
        ok = v.number(f"{path}.density[{i}]", d.density[i], 0.0, 1e12) and ok
    if not ok:
        return None
    price, dens = np.asarray(d.price, dtype=float), np.asarray(d.density, dtype=float)
    steps = np.diff(price)
    if np.any(steps <= 0) or np.max(np.abs(steps - steps[0])) > 1e-9 * max(1.0, abs(steps[0])):
        v.add(f"{path}.price", "must be an equally spaced ascending grid")
        return None
    if dens.sum() <= 0:
        v.add(f"{path}.density", "all densities are 0")
        return None
    return price, dens / dens.sum()


def _design(t: pb.PriceTiers, price: np.ndarray, dens: np.ndarray, v: _Collector) -> pt.TierDesign | None:
    if t.quantile_tiers:
        if not 1 <= t.quantile_tiers <= 20:
            v.add("tiers.quantile_tiers", f"must be in [1, 20], got {t.quantile_tiers}")
            return None
        if len(t.cut_price):
            v.add("tiers.cut_price", "give either cut_price or quantile_tiers, not both")
            return None
        cuts = pt.quantile_cuts(dens, t.quantile_tiers)
    else:
        index = {float(p): i for i, p in enumerate(price)}
        cuts_list: list[int] = []
        for i, c in enumerate(t.cut_price):
            j = index.get(float(c))
            if j is None or j == 0:
                v.add(f"tiers.cut_price[{i}]", f"{c!r} is not a grid price above the lowest")
                return None
            if cuts_list and j <= cuts_list[-1]:
                v.add(f"tiers.cut_price[{i}]", f"{c!r} is not above the previous cut")
                return None
            cuts_list.append(j)
        cuts = tuple(cuts_list)
    if len(t.incentive_ppt) != len(cuts) + 1:
        v.add("tiers.incentive_ppt", f"has {len(t.incentive_ppt)} entries; {len(cuts) + 1} tiers need one each")
        return None
    ok = True
    for i, r in enumerate(t.incentive_ppt):
        ok = v.number(f"tiers.incentive_ppt[{i}]", r, 0.0, 100.0) and ok
    return pt.TierDesign(cuts, tuple(float(r) for r in t.incentive_ppt)) if ok else None


def parse(req: pb.DesignPriceTiersRequest) -> dict:  # type: ignore[type-arg]
    """Validate and convert; raises InvalidRequest with every problem found."""
    v = _Collector()
    grid = _grid(req.distribution, "distribution", v)
    share = req.response.share_per_ppt if req.response.HasField("share_per_ppt") else 0.15
    decay = req.response.decay if req.response.HasField("decay") else 0.75
    v.number("response.share_per_ppt", share, 0.0, 10.0)
    v.number("response.decay", decay, 0.0, 1.0)
    levels = list(req.incentive_levels_ppt) or DEFAULT_LEVELS
    for i, x in enumerate(req.incentive_levels_ppt):
        v.number(f"incentive_levels_ppt[{i}]", x, 0.0, 100.0)
    max_tiers = req.max_tiers or 4
    if not 1 <= max_tiers <= 6:
        v.add("max_tiers", f"must be in [1, 6], got {req.max_tiers}")
    if req.HasField("max_incentive_cost"):
        v.number("max_incentive_cost", req.max_incentive_cost, 0.0, 1e12)
    v.number("unit_cost", req.unit_cost, 0.0, 1e12)
    if req.HasField("incentive_cost_basis"):
        v.number("incentive_cost_basis", req.incentive_cost_basis, 0.0, 1e12)
    has_tiers = bool(len(req.tiers.cut_price) or len(req.tiers.incentive_ppt) or req.tiers.quantile_tiers)
    design = after = None
    if grid is not None:
        price, dens = grid
        if has_tiers:
            design = _design(req.tiers, price, dens, v)
        has_after = bool(len(req.after.price) or len(req.after.density) or len(req.after.deal_price))
        if has_after:
            if not has_tiers:
                v.add("after", "fitting the response needs the tiers that were in force (tiers)")
            got = _grid(req.after, "after", v)
            if got is not None:
                if got[0].size != price.size or np.max(np.abs(got[0] - price)) > 1e-9 * max(1.0, price.max()):
                    v.add("after.price", "must be the same grid as distribution.price")
                else:
                    after = got[1]
        if req.optimise and 1 <= max_tiers <= 6:
            size = pt.search_size(price.size, len(set(levels)), max_tiers)
            if size > MAX_DESIGNS:
                v.add(
                    "max_tiers",
                    f"the exact search would evaluate {size} designs (grid {price.size}, "
                    f"{len(set(levels))} levels, {max_tiers} tiers); at most {MAX_DESIGNS}: use a coarser grid, "
                    "fewer levels or fewer tiers",
                )
    if v.items:
        raise InvalidRequest(v.items)
    assert grid is not None
    return {
        "price": grid[0],
        "density": grid[1],
        "design": design,
        "after": after,
        "share": share,
        "decay": decay,
        "levels": levels,
        "max_tiers": max_tiers,
        "max_cost": req.max_incentive_cost if req.HasField("max_incentive_cost") else None,
        "unit_cost": req.unit_cost,
        "basis": req.incentive_cost_basis if req.HasField("incentive_cost_basis") else None,
    }


def outcome(o: pt.Outcome, price: np.ndarray) -> pb.TierOutcome:
    return pb.TierOutcome(
        cut_price=[float(price[c]) for c in o.design.cuts],
        incentive_ppt=list(o.design.rates),
        shifted_density=o.shifted.tolist(),
        mean_price_before=o.mean_before,
        mean_price_after=o.mean_after,
        converted_mass=o.converted.tolist(),
        incentive_cost=o.incentive_cost,
        margin=o.margin,
        margin_gain=o.margin_gain,
    )


def solve(req: pb.DesignPriceTiersRequest) -> pb.DesignPriceTiersResponse:
    a = parse(req)
    price, dens = a["price"], a["density"]
    out = pb.DesignPriceTiersResponse(
        termination=pb.Termination(reason=pb.Termination.OPTIMAL, detail="evaluated"),
        price=price.tolist(),
        density=dens.tolist(),
    )
    share, decay = a["share"], a["decay"]
    if a["after"] is not None and a["design"] is not None:
        fit = pt.fit_response(dens, a["after"], a["design"])
        out.fit.CopyFrom(pb.FittedResponse(share_per_ppt=fit.share_per_ppt, decay=fit.decay, rmse=fit.rmse))
        share, decay = fit.share_per_ppt, fit.decay
    if a["design"] is not None:
        ev = pt.evaluate(price, dens, a["design"], share, decay, a["unit_cost"], a["basis"])
        out.evaluated.CopyFrom(outcome(ev, price))
    if req.optimise:
        best, count = pt.optimise(
            price, dens, a["levels"], a["max_tiers"], share, decay, a["unit_cost"], a["max_cost"], a["basis"]
        )
        out.designs_searched = count
        if best is None:
            out.termination.CopyFrom(
                pb.Termination(
                    reason=pb.Termination.INFEASIBLE,
                    detail=f"no design meets max_incentive_cost {a['max_cost']!r} (the lowest level everywhere "
                    f"costs {min(a['levels']) / 100 * (price @ dens if a['basis'] is None else a['basis']):.6g})",
                )
            )
        else:
            out.optimised.CopyFrom(outcome(best, price))
            out.termination.detail = (
                f"exact search over {count} designs; best margin gain {best.margin_gain:.6g} per deal"
            )
    return out
