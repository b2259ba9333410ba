"""SimulateDynamics through the real server: the DP certificate travels with each plan, the
quarterly plan beats the annual one on sales (seed 001's comparison), the grid search returns
the most profitable grid point, bad input names the field, and the CLI runs."""

import grpc
import pytest
from planopt.client import PlanError
from planopt.client.cli import main as cli
from planopt.v1 import planopt_pb2 as pb


def _request(**kw):
    req = pb.SimulateDynamicsRequest(simulated_reps=2000, seed=4, **kw)
    req.plans.add(name="quarterly", period_months=3, bonus_usd=10_000, commission_usd=200_000, ceiling=1.5)
    req.plans.add(name="annual", period_months=12, bonus_usd=40_000, commission_usd=200_000, ceiling=1.5)
    return req


def test_plans_compared_with_certificates_and_grid_search(client):
    req = _request()
    req.optimise_bonus_usd.extend([5_000, 20_000])
    resp = client.simulate_dynamics_raw(req)
    assert resp.termination.reason == pb.Termination.OPTIMAL
    quarterly, annual = resp.outcomes
    for o in (quarterly, annual):
        assert o.policy_stable and o.policy_value_gap < 1e-3 and len(o.effort_by_month) == 12
        assert len(o.policy_sales) == len(o.policy_effort) > 10
    assert quarterly.expected_sales > annual.expected_sales
    assert quarterly.give_up_effort < 0.25 * quarterly.near_quota_effort
    # The grid's best is the more profitable of its two points, each a full DP solve.
    points = []
    for bonus in (5_000, 20_000):
        one = pb.SimulateDynamicsRequest(simulated_reps=2000, seed=4)
        one.plans.add(name="q", period_months=3, bonus_usd=bonus, commission_usd=200_000, ceiling=1.5)
        points.append(client.simulate_dynamics_raw(one).outcomes[0].firm_profit_usd)
    assert resp.best.firm_profit_usd == pytest.approx(max(points), rel=1e-12)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: setattr(r.plans[0], "period_months", 5), "plans[0].period_months"),
        (lambda r: setattr(r.plans[1], "ceiling", 0.5), "plans[1].ceiling"),
        (lambda r: setattr(r.rep, "productivity", 0.0), "rep.productivity"),
        (lambda r: setattr(r, "discount", 1.0), "discount"),
        (lambda r: r.optimise_bonus_usd.extend(range(30)), "optimise_bonus_usd"),
    ],
)
def test_dynamics_bad_input_names_the_field(client, mutate, field):
    req = _request()
    mutate(req)
    with pytest.raises(PlanError) as err:
        client.simulate_dynamics_raw(req)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in err.value.violations]


def test_cli_dynamics(server_target, tmp_path, capsys):
    from google.protobuf import json_format

    path = tmp_path / "dyn.json"
    path.write_text(json_format.MessageToJson(_request()))
    png = tmp_path / "effort.png"
    assert cli(["dynamics", "--request", str(path), "--target", server_target, "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    assert "quarterly" in text and "annual" in text and "OPTIMAL" in text
    assert png.read_bytes()[:4] == b"\x89PNG"
