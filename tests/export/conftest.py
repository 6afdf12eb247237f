"""Run folders to export: synthetic results (ok, failed, skipped) and a copy of the committed
lecture run, so that nothing is ever written into the repository's folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nnbench.results import write_result
from nnbench.synthetic_results import SyntheticCell, write_synthetic_run
from tests.conftest import REPO
from tests.test_results import make_result

LECTURE_RUN = REPO / "results" / "reports" / "lecture-mnist"
#: a parameter longer than MLflow keeps (6,000 characters)
LONG = "x" * 7000
#: the class names of the hand-made ok result: characters an MLflow key cannot hold
ODD_CLASSES = {"cat/dog": 0.5, "ünï": 1.0}


def odd_result() -> dict:
    """An ok result whose classes have names MLflow cannot use as they are."""
    split = {"accuracy": 0.75, "per_class": ODD_CLASSES, "n": 4}
    return make_result(
        dataset="pets", cell_id="p3t5", cell_index=2, metrics={"train": split, "test": split}
    )


def failed_result() -> dict:
    return make_result(
        model="cnn",
        status="failed",
        error="MemoryError: out of memory",
        error_kind="model",
        metrics={},
        cell_id="f41l",
        cell_index=3,
    )


def skipped_result() -> dict:
    return make_result(
        model="lasso_logit",
        status="skipped",
        skip_reason="cyanure is not installed",
        metrics={},
        cell_id="sk1p",
        cell_index=4,
    )


@pytest.fixture
def synthetic_run(tmp_path: Path) -> Path:
    """``run-a``: a dense net with 3 epochs, a naive Bayes, the odd classes, a failed cell and
    a skipped one, and a report."""
    run_dir = tmp_path / "run-a"
    params = {"precision": "mixed_float16", "optimizer": {"name": "adam", "lr": 0.001}}
    write_synthetic_run(
        run_dir,
        [
            SyntheticCell(model="dense_nn", epochs=3, params={**params, "note": LONG}),
            SyntheticCell(model="naive_bayes", seed=1),
        ],
    )
    for result in (odd_result(), failed_result(), skipped_result()):
        write_result(result, run_dir)
    (run_dir / "report.md").write_text("# report\n")
    (run_dir / "plots").mkdir()
    (run_dir / "plots" / "accuracy.svg").write_text("<svg/>\n")
    return run_dir


@pytest.fixture
def lecture_run(tmp_path: Path) -> Path:
    """A copy of the committed lecture run: 4 MNIST cells with predictions and reports."""
    return Path(shutil.copytree(LECTURE_RUN, tmp_path / "lecture-mnist"))
