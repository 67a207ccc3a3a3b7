"""kkdash's benchmarks: ``python -m benchmarks`` measures and writes benchmarks/RESULTS.md."""
