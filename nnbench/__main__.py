"""`python -m nnbench` runs the command-line interface."""

from nnbench.cli import main

if __name__ == "__main__":  # so that importing this module never runs the command line
    raise SystemExit(main())
