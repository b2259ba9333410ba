"""Generated protobuf and gRPC stubs of the planopt.v1 API (``make proto`` regenerates them)."""
