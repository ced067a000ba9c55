"""Benchmarks for the gototraining SDK. Run them with ``make bench``.

Not part of ``make test`` except ``tests/test_bench_smoke.py``, which runs the whole harness
with tiny iteration counts and checks that it produces a well-formed result per contender.
"""
