"""What several test files (and benchmarks/bench_faults.py) share: loopback servers and the
database damage matrix. `tests/` is on pytest's `pythonpath`, so tests import `helpers.…`."""
