"""Price-tier incentives (seed 004): how tiered incentive rates shift a deal-price distribution,
and which tiers to choose.

Model, as seed 004's appendix defines it. Prices on an equally spaced grid with densities d_i.
Tiers: cut indices c_1 < ... < c_{T-1} (tier k = grid points [c_k, c_{k+1}), c_0 = 0) with
incentive rates r_k (percentage points). A deal at grid point i in tier k < T - 1 moves up to the
next tier's lowest price c_{k+1} with probability

    min(1, share_per_ppt * (r_{k+1} - r_k)^+) * decay^(distance - 1),   distance = c_{k+1} - i

(grid steps; the seed: 15% per ppt, influence falling 25% per dollar, no jumps over two tiers;
the min(1, .) only matters beyond the seed's numbers). Moved mass lands on the cut price.
Incentive cost per deal is the rate times its basis: the deal price (r / 100 * p, a commission
rate uplift) by default, or a fixed amount per deal (``cost_basis``, e.g. the rep's usual pay per
deal, when the ppt are of pay); margin per deal is ``p - unit_cost - cost`` under the shifted
distribution.

Optimisation: exact search on the grid. Cut points are grid points, rates come from a candidate
list, non-decreasing by tier with the lowest tier at the smallest candidate, 1 to ``max_tiers``
tiers, subject to an optional bound on expected incentive cost. The budget couples the tiers, so
the objective is neither separable nor concave in the design; enumeration (vectorised over rate
tuples, a loop over cut combinations) is exact and its size is known before it starts
(``search_size``), and the service refuses sizes it cannot finish.

Fit: with a before and an after distribution under known tiers, the after-minus-before change is
linear in share_per_ppt for a given decay, so share has a closed-form least-squares value and the
decay a one-dimensional search (grid, then golden section).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TierDesign:
    cuts: tuple[int, ...]  # grid indices of each higher tier's lowest price
    rates: tuple[float, ...]  # ppt per tier (len(cuts) + 1)


@dataclass(frozen=True)
class Outcome:
    design: TierDesign
    shifted: np.ndarray
    converted: np.ndarray  # per boundary (len(cuts),)
    mean_before: float
    mean_after: float
    incentive_cost: float
    margin: float
    margin_gain: float  # vs the same distribution with no incentives


def quantile_cuts(density: np.ndarray, tiers: int) -> tuple[int, ...]:
    """The seed's quantile tiers: tier = floor(cumulative density / (1/T + 1e-7))."""
    tier = np.floor(np.cumsum(density) / (1.0 / tiers + 1e-7)).astype(int)
    return tuple(int(np.flatnonzero(tier == k)[0]) for k in range(1, tiers) if np.any(tier == k))


def _tier_index(n: int, cuts: tuple[int, ...]) -> np.ndarray:
    return np.searchsorted(np.asarray(cuts, dtype=int), np.arange(n), side="right")


def shift(
    density: np.ndarray, design: TierDesign, share_per_ppt: float, decay: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shifted density, converted mass per grid point, and converted mass per boundary."""
    n = density.size
    tier = _tier_index(n, design.cuts)
    rates = np.asarray(design.rates, dtype=float)
    conv = np.zeros(n)
    per_boundary = np.zeros(len(design.cuts))
    shifted = density.copy()
    for k, c in enumerate(design.cuts):
        rows = np.flatnonzero(tier == k)
        step = min(1.0, share_per_ppt * max(rates[k + 1] - rates[k], 0.0))
        moved = density[rows] * step * decay ** (c - rows - 1.0)
        conv[rows] = moved
        per_boundary[k] = moved.sum()
        shifted[c] += per_boundary[k]
    shifted -= conv
    return shifted, conv, per_boundary


def evaluate(
    price: np.ndarray,
    density: np.ndarray,
    design: TierDesign,
    share_per_ppt: float,
    decay: float,
    unit_cost: float = 0.0,
    cost_basis: float | None = None,
) -> Outcome:
    shifted, _, per_boundary = shift(density, design, share_per_ppt, decay)
    rate = np.asarray(design.rates, dtype=float)[_tier_index(price.size, design.cuts)]
    basis = price if cost_basis is None else np.full(price.size, cost_basis)
    cost = float(np.sum(shifted * rate / 100.0 * basis))
    margin = float(np.sum(shifted * (price - unit_cost))) - cost
    base = float(np.sum(density * (price - unit_cost)))
    return Outcome(
        design=design,
        shifted=shifted,
        converted=per_boundary,
        mean_before=float(density @ price),
        mean_after=float(shifted @ price),
        incentive_cost=cost,
        margin=margin,
        margin_gain=margin - base,
    )


def search_size(grid: int, levels: int, max_tiers: int) -> int:
    """Designs enumerated: cut combinations x non-decreasing rate tuples starting at level 0."""
    total = 0
    for t in range(1, max_tiers + 1):
        total += math.comb(grid - 1, t - 1) * math.comb(levels - 1 + t - 1, t - 1)
    return total


def optimise(
    price: np.ndarray,
    density: np.ndarray,
    levels: list[float],
    max_tiers: int,
    share_per_ppt: float,
    decay: float,
    unit_cost: float = 0.0,
    max_cost: float | None = None,
    cost_basis: float | None = None,
) -> tuple[Outcome | None, int]:
    """The design with the highest expected margin net of incentive cost (and cost <= max_cost);
    returns (best or None when nothing meets the budget, designs evaluated)."""
    levels = sorted(set(levels))
    n = price.size
    best: Outcome | None = None
    best_value = -np.inf
    count = 0
    base_margin = price - unit_cost
    basis = price if cost_basis is None else np.full(n, cost_basis)
    for t in range(1, max_tiers + 1):
        tuples = np.array(
            [(levels[0], *rest) for rest in itertools.combinations_with_replacement(levels, t - 1)], dtype=float
        )  # (L, t), non-decreasing, first = lowest level
        for cuts in itertools.combinations(range(1, n), t - 1):
            count += len(tuples)
            tier = _tier_index(n, cuts)
            # Shifted density for every rate tuple at once: (L, n).
            shifted = np.tile(density, (len(tuples), 1))
            for k, c in enumerate(cuts):
                rows = np.flatnonzero(tier == k)
                step = np.minimum(1.0, share_per_ppt * np.maximum(tuples[:, k + 1] - tuples[:, k], 0.0))
                moved = step[:, None] * (density[rows] * decay ** (c - rows - 1.0))[None, :]
                shifted[:, rows] -= moved
                shifted[:, c] += moved.sum(axis=1)
            rate = tuples[:, tier]  # (L, n)
            cost = np.sum(shifted * rate / 100.0 * basis, axis=1)
            value = shifted @ base_margin - cost
            ok = np.ones(len(tuples), dtype=bool) if max_cost is None else cost <= max_cost + 1e-12
            if not ok.any():
                continue
            j = int(np.argmax(np.where(ok, value, -np.inf)))
            if best is None or value[j] > best_value + 1e-12 * max(1.0, abs(best_value)):  # ties: fewer tiers
                best_value = float(value[j])
                design = TierDesign(tuple(int(c) for c in cuts), tuple(float(r) for r in tuples[j]))
                best = evaluate(price, density, design, share_per_ppt, decay, unit_cost, cost_basis)
    return best, count


@dataclass(frozen=True)
class Fit:
    share_per_ppt: float
    decay: float
    rmse: float


def fit_response(before: np.ndarray, after: np.ndarray, design: TierDesign) -> Fit:
    """Least-squares (share_per_ppt, decay) from densities before and after ``design``."""
    target = after - before

    def residual(decay: float) -> tuple[float, float]:
        m = _unit_direction(before, design, decay)
        mm = float(m @ m)
        share = float(m @ target) / mm if mm > 0 else 0.0
        r = target - share * m
        return float(r @ r), share

    grid = np.linspace(1e-3, 1.0, 1000)
    values = [residual(x)[0] for x in grid]
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    golden = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    for _ in range(80):
        x1, x2 = b - golden * (b - a), a + golden * (b - a)
        if residual(x1)[0] <= residual(x2)[0]:
            b = x2
        else:
            a = x1
    decay = 0.5 * (a + b)
    sse, share = residual(decay)
    return Fit(share_per_ppt=share, decay=decay, rmse=math.sqrt(sse / before.size))


def _unit_direction(density: np.ndarray, design: TierDesign, decay: float) -> np.ndarray:
    """after - before per unit of share_per_ppt (linear while share * delta <= 1)."""
    n = density.size
    tier = _tier_index(n, design.cuts)
    rates = np.asarray(design.rates, dtype=float)
    out = np.zeros(n)
    for k, c in enumerate(design.cuts):
        rows = np.flatnonzero(tier == k)
        moved = density[rows] * max(rates[k + 1] - rates[k], 0.0) * decay ** (c - rows - 1.0)
        out[rows] -= moved
        out[c] += moved.sum()
    return out
