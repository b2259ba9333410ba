"""TLS / mutual TLS credentials and bearer-token authentication.

Tokens come from a file (``--auth-tokens-file``, one per line: ``TOKEN`` for every method or
``TOKEN Method1,Method2`` for some; ``#`` starts a comment) and/or the environment
(``PLANOPT_AUTH_TOKENS``, comma-separated, every method). A call without a valid
``authorization: Bearer TOKEN`` gets UNAUTHENTICATED; a valid token used on a method outside its
scope gets PERMISSION_DENIED. Health and reflection stay open (orchestrators probe them).
Tokens are kept only as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

ALL_METHODS = frozenset({"*"})
PROTECTED_PREFIX = "/planopt."


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def load_tokens(path: str | None, env_value: str | None) -> dict[bytes, frozenset[str]]:
    """Token digests and their method scopes; raises ValueError on a malformed file."""
    tokens: dict[bytes, frozenset[str]] = {}
    if path:
        for number, raw in enumerate(Path(path).read_text().splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) > 2 or len(parts[0]) < 16:
                raise ValueError(f"{path}:{number}: expected 'TOKEN [Method,...]' with a token of >= 16 chars")
            scope = ALL_METHODS if len(parts) == 1 else frozenset(m for m in parts[1].split(",") if m)
            tokens[_digest(parts[0])] = scope
    for token in (env_value or "").split(","):
        token = token.strip()
        if token:
            if len(token) < 16:
                raise ValueError("PLANOPT_AUTH_TOKENS: every token must have >= 16 chars")
            tokens[_digest(token)] = ALL_METHODS
    return tokens


def _denied(handler: grpc.RpcMethodHandler, code: grpc.StatusCode, message: str) -> grpc.RpcMethodHandler:
    def abort(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(code, message)

    kw = {"request_deserializer": handler.request_deserializer, "response_serializer": handler.response_serializer}
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(abort, **kw)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(abort, **kw)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(abort, **kw)
    return grpc.stream_stream_rpc_method_handler(abort, **kw)


class BearerAuth(grpc.ServerInterceptor):
    def __init__(self, tokens: dict[bytes, frozenset[str]]) -> None:
        if not tokens:
            raise ValueError("bearer auth needs at least one token")
        self.tokens = tokens

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(details)
        method = details.method
        if handler is None or not method.startswith(PROTECTED_PREFIX):
            return handler
        header = ""
        for key, value in details.invocation_metadata or ():
            if key == "authorization":
                header = value if isinstance(value, str) else ""
        if not header.lower().startswith("bearer "):
            return _denied(handler, grpc.StatusCode.UNAUTHENTICATED, "missing 'authorization: Bearer <token>'")
        scope = self.tokens.get(_digest(header[7:].strip()))
        if scope is None:
            return _denied(handler, grpc.StatusCode.UNAUTHENTICATED, "unknown bearer token")
        name = method.rsplit("/", 1)[-1]
        if scope is not ALL_METHODS and "*" not in scope and name not in scope:
            return _denied(handler, grpc.StatusCode.PERMISSION_DENIED, f"token not allowed to call {name}")
        return handler


def server_credentials(cert: str, key: str, client_ca: str | None) -> grpc.ServerCredentials:
    """TLS with the server's PEM chain and key; with a client CA, mutual TLS (client cert required)."""
    with open(cert, "rb") as fh:
        chain = fh.read()
    with open(key, "rb") as fh:
        private = fh.read()
    roots = None
    if client_ca:
        with open(client_ca, "rb") as fh:
            roots = fh.read()
    return grpc.ssl_server_credentials(
        [(private, chain)], root_certificates=roots, require_client_auth=roots is not None
    )


def env_tokens() -> str | None:
    return os.environ.get("PLANOPT_AUTH_TOKENS")
