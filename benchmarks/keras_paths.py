"""What the Keras loop's data path and precision cost, epoch by epoch.

Each of the lecture's nets trains on MNIST (``--subset`` images, ``--epochs`` epochs, the
lecture's batch of 100 and Adam at 0.001) under each path and precision:

- ``device``: the training set lives on the device and each epoch is one compiled call
  (the default for data that fit, MNIST among them);
- ``chunks of S``: the data stay on the host and go to the device ``S`` batches at a time,
  ``S`` being ``steps_per_execution`` (the path of data too large for the device);
- each ``--precisions`` entry, on the device path.

The first epoch includes tracing and compiling; the later ones are the steady state.

    python benchmarks/keras_paths.py
    python benchmarks/keras_paths.py --models dense_nn --subset 20000 --chunks 1,10,100
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from perf_files import PERF_DIR, ROOT, warm_up, write_perf

from nnbench.datasets import ImageData, get_dataset
from nnbench.models import resolve_model
from nnbench.models.keras import epochs as keras_epochs
from nnbench.presentation import Table, markdown_table

#: a path: its name, the chunk size (None: on the device) and the precision
Path_ = tuple[str, int | None, str]


def train(model_name: str, data: ImageData, path: Path_, epochs: int, n: int) -> dict[str, Any]:
    """Fit one net on the first ``n`` images along ``path``; its epoch times and accuracy."""
    name, chunk, precision = path
    params = {"epochs": epochs, "precision": precision, "steps_per_execution": chunk or 100}
    model = resolve_model(model_name).build(params, seed=0)
    resident = keras_epochs.RESIDENT_BYTES
    keras_epochs.RESIDENT_BYTES = resident if chunk is None else 0
    try:
        started = time.perf_counter()
        model.fit(data.x_train[:n], data.y_train[:n], n_classes=len(data.class_names))
        fit_s = time.perf_counter() - started
    finally:
        keras_epochs.RESIDENT_BYTES = resident
    elapsed = [row["elapsed_s"] for row in model.history_]
    epoch_s = np.diff([0.0, *elapsed])
    return {
        "model": model_name,
        "path": name,
        "precision": precision,
        "first_epoch_s": float(epoch_s[0]),
        "later_epoch_s": float(np.mean(epoch_s[1:])) if epochs > 1 else None,
        "fit_s": fit_s,
        "test_accuracy": float(np.mean(model.predict(data.x_test) == data.y_test)),
    }


def paths(chunks: list[int], precisions: list[str]) -> list[Path_]:
    """The device path at each precision, then the chunked paths at float32."""
    on_device = [("device", None, precision) for precision in precisions]
    return on_device + [(f"chunks of {size}", size, "float32") for size in chunks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="dense_nn,cnn")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--subset", type=int, default=60_000, help="training images")
    parser.add_argument("--chunks", default="1,100", help="steps_per_execution values")
    parser.add_argument("--precisions", default="float32,mixed_bfloat16")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    args = parser.parse_args(argv)
    data = get_dataset("mnist").load(args.data_dir)
    warm_up(data)
    chosen = paths([int(size) for size in args.chunks.split(",")], args.precisions.split(","))
    rows = [
        train(model_name, data, path, args.epochs, args.subset)
        for model_name in args.models.split(",")
        for path in chosen
    ]
    headers = ["model", "path", "precision", "first epoch s", "later epochs s", "test acc"]
    body = [
        [
            row["model"],
            row["path"],
            row["precision"],
            f"{row['first_epoch_s']:.2f}",
            "–" if row["later_epoch_s"] is None else f"{row['later_epoch_s']:.2f}",
            f"{row['test_accuracy']:.4f}",
        ]
        for row in rows
    ]
    title = (
        f"Epoch times of the Keras loop's data paths, MNIST, first {args.subset:,} training "
        f"images, {args.epochs} epochs, batch 100."
    )
    write_perf(args.out, "keras_paths", title, markdown_table(Table(headers, body, "lllrrr")), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
