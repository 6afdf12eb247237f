"""What the executor tests share: a small grid on real MNIST images, and the fields of its
results that must not depend on where a cell ran."""

from __future__ import annotations

from pathlib import Path

from nnbench.plan import Cell, build_cells
from nnbench.results import Result
from nnbench.suite import load_suite

REPO = Path(__file__).resolve().parents[2]
WORKER_MODELS = REPO / "tests" / "execute" / "worker_models.py"

GRID = """
[suite]
name = "executors"
description = "naive Bayes variants and the LASSO at two penalties, on a slice of MNIST"

[datasets.mnist.naive_bayes.variants.counts]
variant = "multinomial"
[datasets.mnist.naive_bayes.variants.bits]
variant = "bernoulli"

[datasets.mnist.lasso_logit]
max_iter = 5
[datasets.mnist.lasso_logit.grid]
C = [0.05, 0.2]
"""


def grid_cells(tmp_path: Path, data_dir: Path) -> list[Cell]:
    """8 cells: 2 naive Bayes variants and the LASSO at 2 penalties, seeds 0 and 1, on the
    first 1,000 MNIST images."""
    suite = tmp_path / "executors.toml"
    suite.write_text(GRID)
    return build_cells(load_suite(suite), seeds=[0, 1], subset=1000, data_dir=data_dir)


def outcome(results: list[Result]) -> dict[str, tuple]:
    """Per cell key: its label, status, metrics (the confusion matrices hold every
    prediction), parameters and number of learned parameters."""
    fields = ("model", "variant", "seed", "status", "metrics", "params", "n_params")
    return {result["cell_id"]: tuple(result[field] for field in fields) for result in results}
