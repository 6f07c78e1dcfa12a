"""Benchmarks: scripts that measure and write their numbers to benchmarks/results/."""
