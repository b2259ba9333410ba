"""Packaging: stubs are fresh, every subpackage is listed, the thin client needs no numerics."""

import filecmp
import pathlib
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_generated_stubs_are_not_stale(tmp_path):
    pytest.importorskip("grpc_tools")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{ROOT / 'proto'}",
            f"--python_out={tmp_path}",
            f"--pyi_out={tmp_path}",
            f"--grpc_python_out={tmp_path}",
            str(ROOT / "proto/planopt/v1/planopt.proto"),
        ],
        check=True,
    )
    for name in ("planopt_pb2.py", "planopt_pb2.pyi", "planopt_pb2_grpc.py"):
        fresh, committed = tmp_path / "planopt/v1" / name, ROOT / "proto/planopt/v1" / name
        assert filecmp.cmp(fresh, committed, shallow=False), f"{name} is stale: run `make proto`"


def test_every_package_folder_is_listed_in_pyproject():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    dirs = {v: k for k, v in cfg["package-dir"].items()}
    found = set()
    for top in ("client", "server", "solvers", "proto/planopt/v1"):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).as_posix()
            base = next(d for d in dirs if rel == d or rel.startswith(d + "/"))
            found.add(dirs[base] + rel[len(base) :].replace("/", "."))
    assert found == listed, f"unlisted: {found - listed}, stale: {listed - found}"


THIN = r"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"jax", "jaxlib", "numpy", "cvxpy", "scipy", "highspy", "pandas"}:
            raise ImportError(f"thin client must not import {name}")
        return None
sys.meta_path.insert(0, Block())
from planopt.client import PlanClient
from planopt.client.requests import demo_request
from planopt.client.cli import main
req = demo_request()
assert len(req.roster.rep_id) == 45
PlanClient("127.0.0.1:1").close()
print("thin ok")
"""


def test_thin_client_imports_without_jax_numpy_or_solvers():
    out = subprocess.run([sys.executable, "-c", THIN], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert "thin ok" in out.stdout


def test_hand_encoded_health_messages_match_grpc_health():
    from grpc_health.v1 import health_pb2
    from planopt.client.client import _health_request, _health_status

    for service in ("", "planopt.v1.PlanOptimizer", "x" * 300):
        assert _health_request(service) == health_pb2.HealthCheckRequest(service=service).SerializeToString()
    for status, name in ((0, "UNKNOWN"), (1, "SERVING"), (2, "NOT_SERVING"), (3, "SERVICE_UNKNOWN")):
        assert _health_status(health_pb2.HealthCheckResponse(status=status).SerializeToString()) == name
