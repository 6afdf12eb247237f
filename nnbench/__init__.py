"""nnbench: baseline-comparison benchmarks for image classification."""

__version__ = "0.9.0"
