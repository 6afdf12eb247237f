"""Schema-valid synthetic result documents, for the tests, the store's scaling benchmark and
trying ``history``, ``report`` and ``export`` without training anything.

Every document is marked synthetic (``data.synthetic``) and names a synthetic dataset, so every
table, report and plot that shows one says so. A cell's test images are labelled right or
wrong by a fixed difficulty per image plus a little noise per run, so that two runs of one
cell agree on most images, as two trainings of one model do, and a change of the planted
accuracy shows up in a paired test the way a real change would.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnbench import __version__
from nnbench.files import digest
from nnbench.schemas.result import SCHEMA, Result
from nnbench.sidecars import IN_FLIGHT, Predictions

#: the dataset name synthetic results carry unless told otherwise
SYNTHETIC_DATASET = "synthetic-digits"
#: how far one run's labelling of an image strays from its fixed difficulty (see the module)
RUN_NOISE = 0.02


@dataclass(frozen=True)
class SyntheticCell:
    """One synthetic result: a cell (dataset, model, parameters, seed), the test accuracy and
    fit time planted in it, and the commit and time it claims to have run at."""

    model: str = "dense_nn"
    seed: int = 0
    accuracy: float = 0.9
    fit_s: float = 1.0
    params: Mapping[str, Any] = field(default_factory=dict)
    dataset: str = SYNTHETIC_DATASET
    n_classes: int = 10
    n_test: int = 1000
    n_train: int = 5000
    epochs: int = 0
    commit: str | None = None
    started_at: str | None = None
    #: whether to store per-image predictions (a sidecar file) beside the result
    predictions: bool = True


def stable_seed(*parts: object) -> int:
    """A seed that depends only on ``parts``, the same in every process."""
    return zlib.crc32(repr(parts).encode("utf-8"))


def test_labels(cell: SyntheticCell) -> np.ndarray:
    """The test labels of the cell's dataset: the same for every model, seed and run."""
    rng = np.random.default_rng(stable_seed(cell.dataset, cell.n_test, cell.n_classes))
    return rng.integers(0, cell.n_classes, cell.n_test)


def predicted_labels(
    cell: SyntheticCell, truth: np.ndarray, run_rng: np.random.Generator
) -> np.ndarray:
    """Labels right where an image's fixed difficulty, plus this run's noise, is below the
    planted accuracy; the next class where it is not."""
    fixed = np.random.default_rng(stable_seed(cell.dataset, cell.model, cell.seed, cell.n_test))
    difficulty = fixed.random(len(truth)) + RUN_NOISE * run_rng.standard_normal(len(truth))
    correct = difficulty < cell.accuracy
    return np.where(correct, truth, (truth + 1) % cell.n_classes)


def split_metrics(truth: np.ndarray, predicted: np.ndarray, n_classes: int) -> dict[str, Any]:
    """A split's accuracy, per-class accuracy and support."""
    names = [str(name) for name in range(n_classes)]
    support = np.bincount(truth, minlength=n_classes)
    right = np.bincount(truth[truth == predicted], minlength=n_classes)
    return {
        "accuracy": float(np.mean(truth == predicted)),
        "per_class": {
            name: (float(right[i] / support[i]) if support[i] else None)
            for i, name in enumerate(names)
        },
        "n": int(len(truth)),
        "support": {name: int(support[i]) for i, name in enumerate(names)},
    }


def synthetic_result(cell: SyntheticCell, rng: np.random.Generator | None = None) -> Result:
    """A valid ``ok`` result of ``cell``; with ``cell.predictions`` it carries its predictions
    in flight, for :func:`nnbench.results.write_result` to store beside it."""
    rng = rng or np.random.default_rng(stable_seed(cell, "run"))
    truth = test_labels(cell)
    predicted = predicted_labels(cell, truth, rng)
    train_truth = rng.integers(0, cell.n_classes, min(cell.n_train, 1000))
    train_predicted = np.where(
        rng.random(len(train_truth)) < min(1.0, cell.accuracy + 0.02),
        train_truth,
        (train_truth + 1) % cell.n_classes,
    )
    test = split_metrics(truth, predicted, cell.n_classes)
    key = {"dataset": cell.dataset, "model": cell.model, "params": dict(cell.params)}
    result: Result = {
        "schema": SCHEMA,
        "cell_id": digest({**key, "seed": cell.seed}, 12),
        "slot_id": digest({**key, "seed": cell.seed, "slot": True}, 12),
        "dataset": cell.dataset,
        "model": cell.model,
        "seed": cell.seed,
        "params": dict(cell.params),
        "status": "ok",
        "error": None,
        "n_params": 1000,
        "metrics": {
            "train": split_metrics(train_truth, train_predicted, cell.n_classes),
            "test": test,
        },
        "timing": {"fit_s": cell.fit_s, "predict_s": cell.fit_s / 50},
        "history": [
            {
                "epoch": epoch,
                "elapsed_s": cell.fit_s * epoch / cell.epochs,
                "train_loss": 1.0 / epoch,
                "test_accuracy": test["accuracy"] * (1 - 0.1 / epoch),
            }
            for epoch in range(1, cell.epochs + 1)
        ],
        "env": {
            "device": "cpu",
            "nnbench": __version__,
            "git_commit": cell.commit,
            "started_at": cell.started_at,
        },
        "data": {"synthetic": True, "n_train": cell.n_train, "n_test": cell.n_test},
    }
    if cell.predictions:
        result[IN_FLIGHT] = Predictions(truth, predicted)
    return result


def write_synthetic_run(run_dir: Path, cells: Iterable[SyntheticCell]) -> list[Path]:
    """Write a run folder of synthetic results (and their predictions); return their paths."""
    from nnbench.results import write_result

    run_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for index, cell in enumerate(cells):
        result = synthetic_result(cell)
        result["cell_index"] = index
        written.append(write_result(result, run_dir))
    return written
