"""Seed 004's price tiers. The worked example is recomputed here from the seed's own definitions
(its appendix and R code: quartile tiers by cumulative density // 0.2500001, a deal moves to the
next tier's lowest price with probability 0.75^(distance - 1) * (5 ppt * 0.15)), and must give the
seed's published table (0.068, 0.099, 0.095). The optimiser is checked against a separate plain-
Python enumeration, the fit against planted parameters."""

import itertools
import math

import numpy as np
import pytest
from planopt.solvers import price_tiers as pt


def _seed_grid():
    price = np.arange(100, 151, dtype=float)
    dens = np.array([math.exp(-0.5 * ((p - 125) / 10) ** 2) for p in price])
    return price, dens / dens.sum()


def test_seed_worked_example_from_its_own_definitions():
    price, dens = _seed_grid()
    # The seed's R code, transcribed: quartile, next-tier price, proportion_raised.
    cum = np.cumsum(dens)
    incentive = (cum // 0.2500001) * 5
    converted = {0: 0.0, 5: 0.0, 10: 0.0}
    for i, p in enumerate(price):
        higher = [q for j, q in enumerate(price) if q > p and incentive[j] > incentive[i]]
        if not higher:
            continue
        distance = min(higher) - p
        converted[incentive[i]] += dens[i] * 0.75 ** (distance - 1) * (5 * 0.15)
    assert [round(converted[k], 3) for k in (0, 5, 10)] == [0.068, 0.099, 0.095]  # the seed's table
    cuts = pt.quantile_cuts(dens, 4)
    assert [price[c] for c in cuts] == [118.0, 125.0, 132.0]
    out = pt.evaluate(price, dens, pt.TierDesign(cuts, (0, 5, 10, 15)), 0.15, 0.75)
    np.testing.assert_allclose(out.converted, [converted[0], converted[5], converted[10]], rtol=1e-12)
    assert out.shifted.sum() == pytest.approx(1.0, abs=1e-12)
    moved_value = sum(m * price[c] for m, c in zip(out.converted, cuts, strict=True))
    origin_value = sum(
        dens[i] * 0.75 ** (cuts[k] - i - 1) * 0.75 * price[i]
        for k in range(3)
        for i in range(len(price))
        if (cuts[k - 1] if k else 0) <= i < cuts[k]
    )
    assert out.mean_after - out.mean_before == pytest.approx(moved_value - origin_value, rel=1e-12)


def _plain_value(price, dens, cuts, rates, share, decay, basis):
    """Margin per deal net of incentive cost, by loops over the seed model."""
    n = len(price)
    bounds = [0, *cuts, n]
    new = list(dens)
    for k, c in enumerate(cuts):
        step = min(1.0, share * max(rates[k + 1] - rates[k], 0.0))
        for i in range(bounds[k], c):
            moved = dens[i] * step * decay ** (c - i - 1)
            new[i] -= moved
            new[c] += moved
    total = 0.0
    for k in range(len(rates)):
        for i in range(bounds[k], bounds[k + 1]):
            total += new[i] * (price[i] - rates[k] / 100 * basis)
    return total, sum(
        new[i] * rates[k] / 100 * basis for k in range(len(rates)) for i in range(bounds[k], bounds[k + 1])
    )


@pytest.mark.parametrize("max_cost", [None, 0.5])
def test_optimiser_matches_plain_enumeration(max_cost):
    price = np.arange(10.0, 19.0)
    dens = np.array([1, 3, 6, 9, 10, 8, 5, 2, 1], dtype=float)
    dens /= dens.sum()
    levels, basis, share, decay = [0.0, 1.0, 2.0, 4.0], 20.0, 0.2, 0.6
    best = -np.inf
    for t in (1, 2, 3):
        for cuts in itertools.combinations(range(1, len(price)), t - 1):
            for rest in itertools.combinations_with_replacement(levels, t - 1):
                value, cost = _plain_value(price, dens, cuts, (0.0, *rest), share, decay, basis)
                if max_cost is None or cost <= max_cost + 1e-12:
                    best = max(best, value)
    found, count = pt.optimise(price, dens, levels, 3, share, decay, max_cost=max_cost, cost_basis=basis)
    assert count == pt.search_size(len(price), len(levels), 3)
    assert found.margin == pytest.approx(best, abs=1e-12)
    assert found.margin_gain > 0  # an incentive pays here: the search found one
    if max_cost is not None:
        assert found.incentive_cost <= max_cost + 1e-12


def test_budget_below_any_design_is_reported():
    price, dens = _seed_grid()
    found, _ = pt.optimise(price, dens, [5.0, 10.0], 2, 0.15, 0.75, max_cost=0.1)
    assert found is None


def test_fit_recovers_planted_response():
    _price, dens = _seed_grid()
    design = pt.TierDesign(pt.quantile_cuts(dens, 4), (0, 2, 4, 6))
    after, _, _ = pt.shift(dens, design, 0.12, 0.6)
    fit = pt.fit_response(dens, after, design)
    assert fit.share_per_ppt == pytest.approx(0.12, rel=1e-8)
    assert fit.decay == pytest.approx(0.6, rel=1e-8)
    assert fit.rmse < 1e-12
