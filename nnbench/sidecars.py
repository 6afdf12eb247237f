"""Per-image predictions beside each result file: which test images a model labelled how, so
that two cells scored on the same images can be compared image by image (a paired test).

A sidecar is a NumPy ``.npz`` file (read without pickle) named after its result file, holding
``truth`` (the test labels, in order), ``predicted`` (the model's labels) and, when the model
gives them, ``probabilities`` (float16, one column per class). The driver writes it before
the result, both atomically, and the result records the sidecar's name and SHA-256 and the
fingerprint of the test labels, so that a result never points at a missing or partial file,
and two cells are paired only when they were scored on the same images in the same order.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnbench.errors import ResultFileError
from nnbench.files import atomic_write_bytes, sha256_file
from nnbench.schemas.result_types import PredictionsDoc

#: what a sidecar's name ends with, in place of its result file's ``.json``
SUFFIX = ".predictions.npz"
#: the key of a result in flight (from a worker to the driver) that holds its predictions; the
#: driver writes them to the sidecar and records the file under ``predictions`` instead
IN_FLIGHT = "_predictions"


@dataclass(frozen=True, eq=False)
class Predictions:
    """One cell's test labels, its predicted labels and, if it has them, its class
    probabilities (N x classes)."""

    truth: np.ndarray
    predicted: np.ndarray
    probabilities: np.ndarray | None = None

    @property
    def correct(self) -> np.ndarray:
        """Which test images the model labelled right."""
        return np.asarray(self.truth == self.predicted)

    @property
    def truth_fingerprint(self) -> str:
        """:func:`labels_fingerprint` of the test labels."""
        return labels_fingerprint(self.truth)


def labels_fingerprint(labels: np.ndarray) -> str:
    """``sha256:`` and 16 hex digits of the labels in order (as 64-bit integers): equal only for
    the same labels in the same order."""
    data = np.ascontiguousarray(labels, dtype="<i8").tobytes()
    return f"sha256:{hashlib.sha256(data).hexdigest()[:16]}"


def label_dtype(n_classes: int) -> np.dtype:
    """The smallest unsigned integer type that holds every label."""
    return np.dtype(
        np.uint8 if n_classes <= 256 else np.uint16 if n_classes <= 65536 else np.uint32
    )


def sidecar_name(result_name: str) -> str:
    """The sidecar file's name for the result file named ``result_name``."""
    return result_name.removesuffix(".json") + SUFFIX


def write_sidecar(path: Path, predictions: Predictions) -> PredictionsDoc:
    """Write ``predictions`` to ``path`` atomically; return what the result records of it."""
    n_classes = 1 + int(max(predictions.truth.max(initial=0), predictions.predicted.max(initial=0)))
    if predictions.probabilities is not None:
        n_classes = max(n_classes, predictions.probabilities.shape[1])
    arrays = {
        "truth": predictions.truth.astype(label_dtype(n_classes)),
        "predicted": predictions.predicted.astype(label_dtype(n_classes)),
    }
    if predictions.probabilities is not None:
        arrays["probabilities"] = predictions.probabilities.astype(np.float16)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub: allow_pickle
    data = buffer.getvalue()
    atomic_write_bytes(path, data)
    return {
        "file": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "test_labels": predictions.truth_fingerprint,
        "n": int(len(predictions.truth)),
        "probabilities": predictions.probabilities is not None,
    }


def read_sidecar(path: Path, record: Mapping[str, Any]) -> Predictions:
    """The predictions in ``path``, checked against the result's ``record`` of them (its
    SHA-256 and test-label fingerprint); ResultFileError naming the file when they differ or it
    cannot be read."""
    try:
        found = sha256_file(path)
    except OSError as exc:
        raise ResultFileError(
            f"{path}: the predictions file its result names cannot be read ({exc.strerror or exc})."
        ) from None
    if found != record["sha256"]:
        raise ResultFileError(
            f"{path}: the predictions file is damaged or was replaced (its SHA-256 is "
            f"{found[:12]}…, its result recorded {record['sha256'][:12]}…). Run the cell again "
            "(`nnbench run --resume` after deleting its result file)."
        )
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        predictions = Predictions(
            arrays["truth"].astype(np.int64),
            arrays["predicted"].astype(np.int64),
            arrays.get("probabilities"),
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ResultFileError(f"{path}: not a predictions file nnbench can read ({exc}).") from None
    if predictions.truth_fingerprint != record["test_labels"]:
        raise ResultFileError(
            f"{path}: its test labels ({predictions.truth_fingerprint}) are not those its result "
            f"recorded ({record['test_labels']})."
        )
    return predictions


def orphan_sidecars(run_dir: Path, result_names: set[str]) -> list[Path]:
    """The sidecars in ``run_dir`` whose result file is not among ``result_names``: left by a
    run killed between the two writes."""
    return [
        path
        for path in sorted(run_dir.glob(f"*{SUFFIX}"))
        if path.name.removesuffix(SUFFIX) + ".json" not in result_names
    ]
