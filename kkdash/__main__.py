"""`python -m kkdash` runs the command-line interface."""

from kkdash.cli import main

raise SystemExit(main())
