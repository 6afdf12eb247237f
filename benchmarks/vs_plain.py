"""nnbench against the plain scripts it replaces, side by side in one process run.

Each model of the lecture's MNIST protocol runs twice on the same data with the same seed:
through nnbench's own path (``run_one``: fit with per-epoch test scoring, then accuracy on both
splits, per class) and through a plain reference implementation of the same protocol:

- Keras as in the keras-io MNIST examples: ``compile()`` and ``fit()`` on whole float32 arrays
  (batch 100, Adam at 0.001, shuffled each epoch), then ``evaluate()`` on the test set;
- scikit-learn as in its ``benchmarks/bench_mnist.py``: the estimator fitted on float pixels,
  the LASSO with the lecture's saga settings (tol 1e-3, 30 iterations).

The training times compare the same work (fitting the protocol; nnbench's per-epoch scoring is
left out, as its results leave it out); the whole times are what each waits for, nnbench's
including its extra scoring of the training set. Accuracy differences larger than the seed
noise of the committed baseline (the range of its seeds' test accuracies) are flagged.

    python benchmarks/vs_plain.py                     # all four models, writes results/perf/
    python benchmarks/vs_plain.py --models dense_nn --epochs 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from perf_files import PERF_DIR, ROOT, warm_up, write_perf

from nnbench.datasets import ImageData
from nnbench.execute.run_one import cached_data, run_one
from nnbench.gate import read_baseline
from nnbench.models.l1_logit.objective import l1_logit_objective
from nnbench.plan import Cell, build_cells
from nnbench.presentation import Table, markdown_table
from nnbench.suite import DEFAULT_SUITE, load_suite

MODELS = ("naive_bayes", "lasso_logit", "dense_nn", "cnn")
BASELINE = ROOT / "results" / "baselines" / "mnist-cpu.json"
#: the parameter counts of the lecture's nets, which the plain nets must match
LECTURE_PARAMETERS = {"dense_nn": 134_794, "cnn": 260_298}


def pixels(images: np.ndarray, flat: bool) -> np.ndarray:
    """Images as float32 in [0, 1], as the plain scripts prepare them."""
    x = images.astype("float32") / 255
    return x.reshape(len(x), -1) if flat else x


def plain_sklearn(estimator: Any, data: ImageData) -> dict[str, Any]:
    """Fit and score a scikit-learn estimator on float pixels, as bench_mnist.py does."""
    started = time.perf_counter()
    x_train, x_test = pixels(data.x_train, True), pixels(data.x_test, True)
    estimator.fit(x_train, data.y_train)
    fitted = time.perf_counter()
    accuracy = float(np.mean(estimator.predict(x_test) == data.y_test))
    done = time.perf_counter()
    outcome = {"fit_s": fitted - started, "total_s": done - started, "test_accuracy": accuracy}
    if hasattr(estimator, "coef_") and getattr(estimator, "C", None):
        outcome["objective"] = l1_logit_objective(
            estimator.coef_, estimator.intercept_, x_train, data.y_train, estimator.C
        )
        outcome["n_nonzero"] = int(np.count_nonzero(estimator.coef_))
    return outcome


def plain_keras(model_name: str, data: ImageData, epochs: int, seed: int) -> dict[str, Any]:
    """The keras-io way: a Sequential net, compile(), fit() on whole float arrays, evaluate()."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    flat = model_name == "dense_nn"
    x_train, x_test = pixels(data.x_train, flat), pixels(data.x_test, flat)
    if flat:
        body = [keras.Input((784,)), *[layers.Dense(128, activation="relu") for _ in range(3)]]
    else:
        body = [keras.Input((28, 28, 1))]
        for _ in range(2):
            body += [layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2)]
        body += [layers.Flatten(), *[layers.Dense(128, activation="relu") for _ in range(2)]]
    model = keras.Sequential([*body, layers.Dense(10, activation="softmax")])
    if model.count_params() != LECTURE_PARAMETERS[model_name]:
        raise AssertionError(f"the plain {model_name} is not the lecture's net")
    model.compile(
        optimizer=keras.optimizers.Adam(0.001),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_train, data.y_train, batch_size=100, epochs=epochs, verbose=0)
    fitted = time.perf_counter()
    accuracy = float(model.evaluate(x_test, data.y_test, batch_size=100, verbose=0)[1])
    done = time.perf_counter()
    return {"fit_s": fitted - started, "total_s": done - started, "test_accuracy": accuracy}


def plain_run(model_name: str, data: ImageData, cell: Cell, epochs: int) -> dict[str, Any]:
    """The plain reference implementation of one model's protocol."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB

    if model_name == "naive_bayes":
        return plain_sklearn(MultinomialNB(), data)
    if model_name == "lasso_logit":
        saga = LogisticRegression(
            C=0.1, l1_ratio=1.0, solver="saga", tol=1e-3, max_iter=30, random_state=cell.seed
        )
        return plain_sklearn(saga, data)
    return plain_keras(model_name, data, epochs, cell.seed)


def nnbench_run(cell: Cell, data_dir: Path) -> dict[str, Any]:
    """The cell through nnbench's own path, timed whole; its data are already loaded."""
    started = time.perf_counter()
    result = run_one(cell, data_dir)
    total_s = time.perf_counter() - started
    if result["status"] != "ok":
        raise RuntimeError(f"{cell.label()}: {result['status']}: {result.get('error')}")
    info = result["model_info"]
    return {
        "fit_s": result["timing"]["fit_s"],
        "total_s": total_s,
        "test_accuracy": result["metrics"]["test"]["accuracy"],
        **{key: info[key] for key in ("objective", "n_nonzero", "solver") if key in info},
    }


def seed_noise(model_name: str) -> float | None:
    """The range of the committed baseline's test accuracies over its seeds, for the model."""
    if not BASELINE.exists():
        return None
    for cell in read_baseline(BASELINE)["cells"]:
        if cell["dataset"] == "mnist" and cell["model"] == model_name:
            values = cell["test_accuracy"]["values"]
            return max(values) - min(values)
    return None


def compare(model_name: str, cell: Cell, data: ImageData, data_dir: Path) -> dict[str, Any]:
    """One model's row: both runs, their ratios, and whether the accuracies differ by more than
    seed noise."""
    takes_epochs = model_name in LECTURE_PARAMETERS
    epochs = int(cell.overrides.get("epochs", cell.params.get("epochs", 0))) if takes_epochs else 0
    plain = plain_run(model_name, data, cell, epochs)
    ours = nnbench_run(cell, data_dir)
    difference = ours["test_accuracy"] - plain["test_accuracy"]
    noise = seed_noise(model_name)
    return {
        "model": model_name,
        "epochs": epochs or None,
        "plain": plain,
        "nnbench": ours,
        "fit_speedup": plain["fit_s"] / ours["fit_s"],
        "total_speedup": plain["total_s"] / ours["total_s"],
        "accuracy_difference": difference,
        "seed_noise": noise,
        "beyond_seed_noise": None if noise is None else abs(difference) > noise + 1e-9,
    }


def table(rows: list[dict[str, Any]]) -> Table:
    """The side-by-side table."""
    headers = ["model", "plain fit s", "nnbench fit s", "fit speed-up", "plain whole s"]
    headers += ["nnbench whole s", "whole speed-up", "plain test acc", "nnbench test acc"]
    headers += ["difference", "seed noise", "objective (plain / nnbench)"]
    body = []
    for row in rows:
        plain, ours = row["plain"], row["nnbench"]
        noise = row["seed_noise"]
        flag = " (beyond seed noise)" if row["beyond_seed_noise"] else ""
        objective = (
            f"{plain['objective']:.6f} / {ours['objective']:.6f}" if "objective" in ours else ""
        )
        body.append(
            [
                row["model"] + (f" ({row['epochs']} epochs)" if row["epochs"] else ""),
                f"{plain['fit_s']:.1f}",
                f"{ours['fit_s']:.1f}",
                f"{row['fit_speedup']:.2f}×",
                f"{plain['total_s']:.1f}",
                f"{ours['total_s']:.1f}",
                f"{row['total_speedup']:.2f}×",
                f"{plain['test_accuracy']:.4f}",
                f"{ours['test_accuracy']:.4f}",
                f"{row['accuracy_difference']:+.4f}{flag}",
                "–" if noise is None else f"{noise:.4f}",
                objective,
            ]
        )
    return Table(headers, body, "l" + "r" * (len(headers) - 2) + "l")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated models")
    parser.add_argument("--epochs", type=int, help="override the nets' epochs (both runs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    args = parser.parse_args(argv)
    names = [name for name in args.models.split(",") if name]
    overrides = {"epochs": args.epochs} if args.epochs else None
    suite = load_suite(DEFAULT_SUITE)
    cells = build_cells(suite, ["mnist"], names, seeds=[args.seed], overrides=overrides)
    data, _ = cached_data(cells[0], args.data_dir)
    if not isinstance(data, ImageData):
        print(f"vs_plain: MNIST is not available: {data}", file=sys.stderr)
        return 2
    warm_up(data)
    rows = [compare(cell.model, cell, data, args.data_dir) for cell in cells]
    title = "nnbench against plain scripts, MNIST, the lecture's protocol."
    write_perf(args.out, "vs_plain", title, markdown_table(table(rows)), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
