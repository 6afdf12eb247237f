"""Per-image predictions beside each result: round trip, checksums, writing order, and the
size budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nnbench.results
from nnbench.errors import ResultFileError
from nnbench.metrics import accuracy_report
from nnbench.plan import Cell
from nnbench.results import read_predictions, read_run, result_files, write_result
from nnbench.runner import resumed
from nnbench.sidecars import IN_FLIGHT, SUFFIX, Predictions, labels_fingerprint
from tests.test_results import make_result

CLASSES = ["0", "1", "2"]


def scored_result(truth, predicted, probabilities=None, **changes) -> dict:
    """A result whose test metrics are those of ``predicted``, carrying its predictions in
    flight as a worker hands them to the driver."""
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    names = changes.pop("classes", CLASSES)
    metrics = {
        "train": accuracy_report(truth, truth, names),
        "test": accuracy_report(truth, predicted, names),
    }
    result = make_result(metrics=metrics, **changes)
    result[IN_FLIGHT] = Predictions(truth, predicted, probabilities)
    return result


def test_round_trip_gives_the_arrays_back(tmp_path: Path):
    truth = np.array([0, 1, 2, 2, 1])
    predicted = np.array([0, 1, 1, 2, 0])
    proba = np.full((5, 3), 1 / 3)
    path = write_result(scored_result(truth, predicted, proba), tmp_path)
    (result,) = read_run(tmp_path)
    record = result["predictions"]
    assert record["file"] == path.name.removesuffix(".json") + SUFFIX
    assert (record["n"], record["probabilities"]) == (5, True)
    assert record["test_labels"] == labels_fingerprint(truth)
    stored = read_predictions(tmp_path, result)
    assert stored.truth.tolist() == truth.tolist()
    assert stored.predicted.tolist() == predicted.tolist()
    assert stored.probabilities.dtype == np.float16
    assert np.allclose(stored.probabilities, proba, atol=1e-3)
    assert stored.correct.mean() == result["metrics"]["test"]["accuracy"] == 0.6
    assert IN_FLIGHT not in result


def test_a_model_without_probabilities_stores_labels_only(tmp_path: Path):
    write_result(scored_result([0, 1], [0, 0]), tmp_path)
    (result,) = read_run(tmp_path)
    assert result["predictions"]["probabilities"] is False
    assert read_predictions(tmp_path, result).probabilities is None


def test_results_made_before_predictions_still_load(tmp_path: Path):
    write_result(make_result(), tmp_path)
    (result,) = read_run(tmp_path)
    assert "predictions" not in result and read_predictions(tmp_path, result) is None
    frame = nnbench.results.load(tmp_path)
    assert frame["predictions_file"].isna().all()


def test_a_damaged_sidecar_is_an_error_naming_the_file(tmp_path: Path):
    write_result(scored_result([0, 1, 2], [0, 1, 1]), tmp_path)
    (result,) = read_run(tmp_path)
    sidecar = tmp_path / result["predictions"]["file"]
    data = bytearray(sidecar.read_bytes())
    data[-10] ^= 0xFF
    sidecar.write_bytes(bytes(data))
    with pytest.raises(ResultFileError, match=rf"{sidecar.name}: the predictions file is damaged"):
        read_predictions(tmp_path, result)
    sidecar.unlink()
    with pytest.raises(ResultFileError, match=rf"{sidecar.name}: the predictions file its result"):
        read_predictions(tmp_path, result)


def test_a_kill_between_sidecar_and_result_leaves_no_result_pointing_nowhere(
    tmp_path: Path, monkeypatch
):
    def killed(path, text):
        raise KeyboardInterrupt

    monkeypatch.setattr(nnbench.results, "atomic_write_text", killed)
    with pytest.raises(KeyboardInterrupt):
        write_result(scored_result([0, 1], [0, 1]), tmp_path)
    assert result_files(tmp_path) == []  # the sidecar came first; no result points at it
    (orphan,) = tmp_path.glob(f"*{SUFFIX}")
    monkeypatch.undo()
    resumed([], tmp_path)  # a resumed run cleans the orphan up
    assert not orphan.exists()


def test_resume_keeps_the_sidecars_of_its_results(tmp_path: Path):
    write_result(scored_result([0, 1], [0, 1]), tmp_path)
    cell = Cell(dataset="mnist", model="naive_bayes", seed=0)
    resumed([cell], tmp_path)
    (result,) = read_run(tmp_path)
    assert read_predictions(tmp_path, result).correct.all()


def test_sidecars_keep_within_the_size_budget_on_mnist_sized_data(tmp_path: Path):
    """The worst case for compression: 10,000 random labels of 10 classes, and random
    probabilities: at most 100 KB with labels only, 300 KB with probabilities."""
    rng = np.random.default_rng(0)
    truth, predicted = rng.integers(0, 10, 10_000), rng.integers(0, 10, 10_000)
    names = [str(i) for i in range(10)]
    labels_only = write_result(scored_result(truth, predicted, classes=names, seed=1), tmp_path)
    proba = rng.dirichlet(np.ones(10), size=10_000)
    with_proba = write_result(
        scored_result(truth, predicted, proba, classes=names, seed=2), tmp_path
    )
    size = lambda path: (tmp_path / (path.name.removesuffix(".json") + SUFFIX)).stat().st_size  # noqa: E731
    assert size(labels_only) < 100_000
    assert size(with_proba) < 300_000


class Proba:
    """A stand-in model whose predict_proba gives ``value`` (or raises it)."""

    def __init__(self, value):
        self.value = value

    def predict_proba(self, images):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


def test_bad_probabilities_are_left_out_with_a_warning_and_good_ones_kept():
    from nnbench.execute.scoring import probabilities_of

    images = np.zeros((2, 4, 4, 1), dtype=np.uint8)
    good = np.array([[0.9, 0.1], [0.2, 0.8]])
    assert probabilities_of(Proba(good), images, 2)[0].tolist() == good.tolist()
    assert probabilities_of(object(), images, 2) == (None, [])  # a model without them
    for value, problem in [
        (RuntimeError("no GPU"), "predict_proba failed (RuntimeError: no GPU)"),
        (good[:, :1], "predict_proba gave (2, 1) values, not finite (2, 2)"),
        (good * np.nan, "predict_proba gave (2, 2) values, not finite (2, 2)"),
    ]:
        found, (warning,) = probabilities_of(Proba(value), images, 2)
        assert found is None and warning.startswith(problem), warning
        assert warning.endswith("are left out")
