# planopt — the two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install proto lint typecheck bench clean lock audit fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Start a server on a free port, optimise the seed-000 team through the client, print, stop.
demo: $(STAMP)
	$(PY) -m planopt.server.demo

## The whole test suite (real server on free ports, real HiGHS, real JAX).
test: $(STAMP)
	$(PY) -m pytest -q

## Regenerate the committed gRPC/protobuf stubs from proto/ (tests fail when they are stale).
proto: $(STAMP)
	$(PY) -m grpc_tools.protoc -Iproto --python_out=proto --pyi_out=proto --grpc_python_out=proto proto/planopt/v1/planopt.proto

lint: $(STAMP)
	$(PY) -m ruff check client server solvers tests bench

typecheck: $(STAMP)
	$(PY) -m mypy client solvers server

## Pinned, hashed server dependencies for the image (Linux x86_64, Python 3.11).
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra server --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --generate-hashes -o requirements/server.lock

## Known-vulnerability scan of the lock file (needs the PyPI/OSV advisory APIs).
audit: $(STAMP)
	$(PY) -m pip install --quiet pip-audit
	$(VENV)/bin/pip-audit -r requirements/server.lock --require-hashes --disable-pip

## Nightly fuzzing: 10,000 random cases per property against a real server.
fuzz: $(STAMP)
	PLANOPT_FUZZ_EXAMPLES=10000 PLANOPT_FUZZ_RANDOM=1 $(PY) -m pytest -q -p no:logging tests/integration/test_fuzz.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
