# planopt server image: non-root, gRPC health check, JIT buckets compiled at start-up
# (health stays NOT_SERVING until they are).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PLANOPT_HOST=0.0.0.0 \
    PLANOPT_PORT=50051 \
    PLANOPT_JAX_CACHE_DIR=/home/planopt/.cache/planopt/jax

RUN useradd --create-home --uid 10001 planopt
WORKDIR /app
# Pinned, hash-checked dependencies first (requirements/server.lock, `make lock`), then the
# project itself without re-resolving them.
COPY requirements/server.lock ./requirements/server.lock
RUN pip install --require-hashes -r requirements/server.lock
COPY pyproject.toml README.md ./
COPY proto ./proto
COPY client ./client
COPY server ./server
COPY solvers ./solvers
RUN pip install --no-deps ".[server]"

USER planopt
EXPOSE 50051 9090
# Health check through the gRPC health service (the thin client's own call, no extra binary).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD python -c "import sys; from planopt.client import PlanClient; sys.exit(0 if PlanClient('127.0.0.1:50051').health() == 'SERVING' else 1)"
ENTRYPOINT ["python", "-m", "planopt.server"]
CMD ["--workers", "2"]
