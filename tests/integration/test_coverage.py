"""AllocateQuotas and DesignTerritories through the real server (real HiGHS): results that hold
by construction (quotas sum to the target, limits, balance bands, locks, a removed rep owns
nothing), infeasibility as a termination with a relaxation, bad input as INVALID_ARGUMENT with
the field path, and the CLI (tables, JSON, map PNG)."""

import itertools
import json

import grpc
import pytest
from planopt.client import PlanError
from planopt.client import coverage as cov
from planopt.client.cli import main as cli
from planopt.v1 import planopt_pb2 as pb


def _quota_request(**kw):
    cols = cov.demo_quotas()
    target = 1.08 * sum(cols["last_year_quota_usd"])
    return cov.quotas_request(cols, kw.pop("target", target), **kw), cols


def test_allocate_quotas_demo_sums_to_target_within_limits(client):
    req, cols = _quota_request(max_increase=0.2, max_decrease=0.1, over_assignment=0.05)
    resp = client.allocate_quotas_raw(req)
    assert resp.termination.reason == pb.Termination.OPTIMAL
    t = resp.territories
    assert sum(t.quota_usd) == pytest.approx(req.company_target_usd * 1.05, rel=1e-9)
    for q, last in zip(t.quota_usd, cols["last_year_quota_usd"], strict=True):
        assert 0.9 * last * (1 - 1e-9) <= q <= 1.2 * last * (1 + 1e-9)
    assert resp.certificate.kkt_residual < 1e-8 and resp.certificate.max_violation < 1e-8
    assert resp.fit.source == "fitted" and 0 < resp.fit.r_squared < 1
    # The optimised spread of predicted attainment is no wider than last year's quotas give.
    assert resp.spread_after.p90 - resp.spread_after.p10 < resp.spread_before.p90 - resp.spread_before.p10
    assert resp.outliers == sum(t.outlier) > 0
    assert resp.receipt.request_sha256


def test_allocate_quotas_infeasible_target_gives_the_relaxation(client):
    req, cols = _quota_request(max_increase=0.1, target=1e12)
    resp = client.allocate_quotas_raw(req)
    assert resp.termination.reason == pb.Termination.INFEASIBLE
    (relax,) = resp.relaxations
    assert relax.constraint == "company_target_usd"
    assert relax.relaxed_bound == pytest.approx(1.1 * sum(cols["last_year_quota_usd"]), rel=1e-12)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.territories.potential_usd.__setitem__(3, float("nan")), "territories.potential_usd[3]"),
        (lambda r: r.territories.potential_usd.__setitem__(5, -1.0), "territories.potential_usd[5]"),
        (lambda r: r.territories.last_year_quota_usd.pop(), "territories.last_year_quota_usd"),
        (lambda r: r.territories.territory_id.__setitem__(1, "T01"), "territories.territory_id[1]"),
        (lambda r: setattr(r, "company_target_usd", 0.0), "company_target_usd"),
        (lambda r: setattr(r.limits, "max_decrease", 1.5), "limits.max_decrease"),
    ],
)
def test_allocate_quotas_bad_input_names_the_field(client, mutate, field):
    req, _ = _quota_request()
    mutate(req)
    with pytest.raises(PlanError) as err:
        client.allocate_quotas_raw(req)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in err.value.violations]


def _territory_request(**kw):
    accounts, reps = cov.demo_territories(accounts=60, reps=4, seed=2)
    req = cov.territories_request(accounts, reps, workload_band=0.2, **kw)
    req.mip_gap = 0.0
    return req


def test_design_territories_balance_locks_frontier_and_scenarios(client):
    req = _territory_request(frontier_points=3)
    req.accounts.locked_rep.extend([""] * len(req.accounts.account_id))
    req.accounts.locked_rep[0] = "R04"
    sc = req.scenarios.add(name="R02 leaves")
    sc.remove_rep_ids.append("R02")
    sc2 = req.scenarios.add(name="R05 joins")
    sc2.add_reps.rep_id.append("R05")
    sc2.add_reps.home_x.append(250.0)
    sc2.add_reps.home_y.append(250.0)
    resp = client.design_territories_raw(req)
    d = resp.design
    assert d.termination.reason == pb.Termination.OPTIMAL
    assert d.mip_gap <= 1e-9 and d.max_violation < 1e-6
    assert d.assigned_rep[0] == "R04"
    # Balance: each rep's workload within +-20% of a quarter of the total, recomputed here.
    workload = dict.fromkeys(req.reps.rep_id, 0.0)
    for rep, w in zip(d.assigned_rep, req.accounts.workload, strict=True):
        workload[rep] += w
    total = sum(req.accounts.workload)
    assert all(abs(w / (total / 4) - 1) <= 0.2 + 1e-9 for w in workload.values())
    assert list(d.reps.workload) == pytest.approx([workload[r] for r in d.reps.rep_id])
    moved = sum(
        w for w, a, c in zip(req.accounts.workload, d.assigned_rep, req.accounts.current_rep, strict=True) if a != c
    )
    assert d.metrics.disruption == pytest.approx(moved / total, abs=1e-12)
    assert resp.HasField("current") and resp.current.disruption == 0.0
    # Frontier: ascending disruption, descending travel (non-dominated).
    pts = [(f.design.metrics.disruption, f.design.metrics.travel) for f in resp.frontier]
    assert len(pts) >= 2
    assert all(a[0] < b[0] and a[1] > b[1] for a, b in itertools.pairwise(pts))
    leaves, joins = resp.scenarios
    assert "R02" not in leaves.design.assigned_rep
    gone = sum(w for w, c in zip(req.accounts.workload, req.accounts.current_rep, strict=True) if c == "R02")
    assert leaves.design.metrics.disruption >= gone / total - 1e-12
    assert leaves.accounts_moved_vs_base == sum(
        a != b for a, b in zip(leaves.design.assigned_rep, d.assigned_rep, strict=True)
    )
    assert "R05" in joins.design.assigned_rep
    assert joins.delta.travel == pytest.approx(joins.design.metrics.travel - d.metrics.travel)


def test_design_territories_infeasible_bands_are_a_termination(client):
    req = _territory_request()
    req.workload_band = 0.0
    req.potential_band = 0.0
    resp = client.design_territories_raw(req)
    assert resp.design.termination.reason == pb.Termination.INFEASIBLE
    names = {r.constraint for r in resp.design.relaxations}
    assert names == {"workload_band", "potential_band"}
    assert all(r.relaxed_bound > 0 for r in resp.design.relaxations)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.accounts.workload.__setitem__(2, float("inf")), "accounts.workload[2]"),
        (lambda r: r.accounts.current_rep.__setitem__(4, "nobody"), "accounts.current_rep[4]"),
        (lambda r: r.distance.extend([1.0, 2.0]), "distance"),
        (lambda r: r.reps.home_x.pop(), "reps.home_x"),
        (lambda r: (r.adjacency_a.append(0), r.adjacency_b.append(999)), "adjacency_b[0]"),
        (lambda r: setattr(r, "objective", pb.DesignTerritoriesRequest.EPSILON_CONSTRAINT), "max_disruption"),
        (lambda r: r.scenarios.add(name="x").remove_rep_ids.append("R99"), "scenarios[0].remove_rep_ids[0]"),
        (lambda r: setattr(r, "frontier_points", 1000), "frontier_points"),
    ],
)
def test_design_territories_bad_input_names_the_field(client, mutate, field):
    req = _territory_request()
    mutate(req)
    with pytest.raises(PlanError) as err:
        client.design_territories_raw(req)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in err.value.violations]


def test_cli_quotas_and_territories(server_target, tmp_path, capsys):
    out = tmp_path / "q.json"
    assert cli(["quotas", "--demo", "--target", server_target, "--max-increase", "0.2", "--json-out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "OPTIMAL" in text and "predicted attainment" in text
    assert json.loads(out.read_text())["termination"]["reason"] == "OPTIMAL"
    png = tmp_path / "map.png"
    code = cli(
        [
            "territories",
            "--demo",
            "--target",
            server_target,
            "--time-limit",
            "20",
            "--remove-rep",
            "R03",
            "--plot",
            str(png),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "scenario what-if" in text and "rep " in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("territory_id,potential_usd\nA,1000000\nB,3000000\n")
    assert cli(["quotas", "--csv", str(csv_path), "--company-target", "2000000", "--target", server_target]) == 0
    text = capsys.readouterr().out
    assert "500,000" in text and "1,500,000" in text  # proportional to potential (closed form)
    # Requests in protobuf JSON.
    from google.protobuf import json_format

    qreq = tmp_path / "quotas.json"
    qreq.write_text(json_format.MessageToJson(_quota_request(max_increase=0.3)[0]))
    assert cli(["quotas", "--request", str(qreq), "--target", server_target]) == 0
    assert "OPTIMAL" in capsys.readouterr().out
    treq = tmp_path / "territories.json"
    treq.write_text(json_format.MessageToJson(_territory_request()))
    assert cli(["territories", "--request", str(treq), "--target", server_target, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["design"]["termination"]["reason"] == "OPTIMAL"
