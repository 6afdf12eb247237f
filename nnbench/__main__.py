"""`python -m nnbench` runs the command-line interface."""

from nnbench.cli import main

raise SystemExit(main())
