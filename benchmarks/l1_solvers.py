"""The L1 logit's solvers side by side on MNIST, in one process run: for each solver and
setting, the fit's wall time, the objective it reached, its non-zero weights and its test
accuracy, and how far its objective is from the best of the run.

The objective is the one every solver minimises (``nnbench.models.l1_logit.objective``):
mean log-loss over the training set + ||W||_1 / (C n), the intercepts unpenalised.

    python benchmarks/l1_solvers.py
    python benchmarks/l1_solvers.py --settings "saga:0.001:30,fista:0.0001:2000"
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from perf_files import PERF_DIR, ROOT, warm_up, write_perf

from nnbench.datasets import ImageData, get_dataset
from nnbench.models.lasso_logit import LassoLogit
from nnbench.presentation import Table, markdown_table

#: solver:tol:max_iter, the lecture's old saga first
SETTINGS = (
    "saga:0.001:30,cyanure:0.01:500,cyanure:0.001:500,"
    "fista:0.0001:2000,fista:0.00001:2000,fista:0.000001:2000"
)
#: non-zero weights are counted above this size: cyanure leaves float32 dust where others have 0
NONZERO = 1e-6


def run(setting: str, data: ImageData, C: float) -> dict[str, Any]:
    """Fit one solver setting; its time, objective, non-zeros and accuracy."""
    solver, tol, max_iter = setting.split(":")
    model = LassoLogit(C=C, tol=float(tol), max_iter=int(max_iter), solver=solver)
    started = time.perf_counter()
    model.fit(data.x_train, data.y_train, n_classes=len(data.class_names))
    fit_s = time.perf_counter() - started
    coef = model.estimator_.coef_
    return {
        "solver": solver,
        "tol": float(tol),
        "max_iter": int(max_iter),
        "fit_s": fit_s,
        "objective": model.info_["objective"],
        "n_iter": model.info_["n_iter"],
        "converged": model.info_["converged"],
        "n_nonzero": int(np.sum(np.abs(coef) > NONZERO)),
        "test_accuracy": float(np.mean(model.predict(data.x_test) == data.y_test)),
    }


def table(rows: list[dict[str, Any]]) -> Table:
    """The rows, with each objective's excess over the best and each time's ratio to the
    first row's."""
    best = min(row["objective"] for row in rows)
    first = rows[0]["fit_s"]
    headers = ["solver", "tol", "max_iter", "fit s", "time / first", "objective"]
    headers += ["above best", "iterations", "converged", f"non-zero (> {NONZERO:g})", "test acc"]
    body = [
        [
            row["solver"],
            f"{row['tol']:g}",
            str(row["max_iter"]),
            f"{row['fit_s']:.1f}",
            f"{row['fit_s'] / first:.2f}",
            f"{row['objective']:.6f}",
            f"{(row['objective'] - best) / best:.2e}",
            "–" if row["n_iter"] is None else str(row["n_iter"]),
            "yes" if row["converged"] else "no",
            f"{row['n_nonzero']:,}",
            f"{row['test_accuracy']:.4f}",
        ]
        for row in rows
    ]
    return Table(headers, body, "lrrrrrrrlrr")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settings", default=SETTINGS, help="solver:tol:max_iter, comma-separated")
    parser.add_argument("--C", type=float, default=0.1)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    args = parser.parse_args(argv)
    data = get_dataset("mnist").load(args.data_dir)
    warm_up(data)  # the Keras-ops solver's backend starts before anything is timed
    rows = [run(setting, data, args.C) for setting in args.settings.split(",")]
    title = f"The L1 logit's solvers on MNIST, C = {args.C:g}, one fit each."
    write_perf(args.out, "l1_solvers", title, markdown_table(table(rows)), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
