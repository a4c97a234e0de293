"""Benchmarks, runnable as ``python -m wireless_agents.demos.benchmarks.<name>``."""
