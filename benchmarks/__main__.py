"""`python -m benchmarks` runs every benchmark and writes benchmarks/RESULTS.md."""

from benchmarks.bench import main

raise SystemExit(main())
