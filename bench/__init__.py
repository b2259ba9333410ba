"""Benchmarks (not unit tests): instance generators, peers and ratio reports."""
