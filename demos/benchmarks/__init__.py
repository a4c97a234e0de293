"""Benchmarks, runnable as ``python -m demos.benchmarks.<name>``."""
