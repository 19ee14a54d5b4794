"""Load and scale benchmarks (run by hand; see bench/load.py)."""
