"""The planopt gRPC server (``pip install 'planopt[server]'``)."""

from planopt.server.app import ServerConfig, create_server, info_of, shutdown

__all__ = ["ServerConfig", "create_server", "info_of", "shutdown"]
