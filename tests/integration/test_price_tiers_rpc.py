"""DesignPriceTiers through the real server: the seed-004 example's published table, the search
and the fit end to end, bad input as INVALID_ARGUMENT with field paths, and the CLI."""

import grpc
import pytest
from planopt.client import PlanError
from planopt.client import coverage as cov
from planopt.client.cli import main as cli
from planopt.v1 import planopt_pb2 as pb


def _seed_request(**kw):
    price, dens = cov.seed_price_distribution()
    req = pb.DesignPriceTiersRequest(**kw)
    req.distribution.price.extend(price)
    req.distribution.density.extend(dens)
    req.tiers.quantile_tiers = 4
    req.tiers.incentive_ppt.extend([0, 5, 10, 15])
    return req


def test_seed_example_search_and_fit(client):
    resp = client.design_price_tiers_raw(_seed_request())
    ev = resp.evaluated
    assert list(ev.cut_price) == [118.0, 125.0, 132.0]
    assert [round(x, 3) for x in ev.converted_mass] == [0.068, 0.099, 0.095]  # seed 004's table
    assert ev.mean_price_after > ev.mean_price_before == pytest.approx(125.0, abs=1e-9)
    # Fit from the shifted distribution the server itself predicts for planted parameters.
    planted = _seed_request(response=pb.TierResponse(share_per_ppt=0.1, decay=0.5))
    after = client.design_price_tiers_raw(planted).evaluated.shifted_density
    fit_req = _seed_request()
    fit_req.after.price.extend(fit_req.distribution.price)
    fit_req.after.density.extend(after)
    fitted = client.design_price_tiers_raw(fit_req).fit
    assert fitted.share_per_ppt == pytest.approx(0.1, rel=1e-6) and fitted.decay == pytest.approx(0.5, rel=1e-6)
    search = _seed_request(optimise=True, max_tiers=2, incentive_cost_basis=10.0, max_incentive_cost=0.2)
    search.incentive_levels_ppt.extend([0, 1, 2, 5])
    out = client.design_price_tiers_raw(search)
    assert out.termination.reason == pb.Termination.OPTIMAL
    assert out.optimised.incentive_cost <= 0.2 + 1e-12 and out.optimised.margin_gain > 0
    assert out.designs_searched == 1 + 50 * 4  # one 1-tier design + 50 cuts x 4 rates for the top tier


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.distribution.price.__setitem__(3, 103.5), "distribution.price"),
        (lambda r: r.distribution.density.__setitem__(2, float("nan")), "distribution.density[2]"),
        (lambda r: r.tiers.incentive_ppt.append(20), "tiers.incentive_ppt"),
        (
            lambda r: (r.tiers.ClearField("quantile_tiers"), r.tiers.cut_price.extend([110.5, 120, 130])),
            "tiers.cut_price[0]",
        ),
        (lambda r: setattr(r.response, "decay", 1.5), "response.decay"),
        (lambda r: (setattr(r, "optimise", True), setattr(r, "max_tiers", 6)), "max_tiers"),
    ],
)
def test_price_tiers_bad_input_names_the_field(client, mutate, field):
    req = _seed_request()
    mutate(req)
    with pytest.raises(PlanError) as err:
        client.design_price_tiers_raw(req)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in err.value.violations]


def test_cli_tiers(server_target, tmp_path, capsys):
    png = tmp_path / "tiers.png"
    assert cli(["tiers", "--demo", "--target", server_target, "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    assert "0.068 across 118" in text and "0.099 across 125" in text
    assert png.read_bytes()[:4] == b"\x89PNG"
    deals = tmp_path / "deals.csv"
    deals.write_text("deal_price\n" + "\n".join(str(100 + (i * 7) % 41) for i in range(400)) + "\n")
    assert (
        cli(["tiers", "--csv", str(deals), "--target", server_target, "--quantile-tiers", "2", "--rates", "0,5"]) == 0
    )
    assert "converted mass" in capsys.readouterr().out
