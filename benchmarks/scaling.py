"""How each model's fit time grows with the number of training images.

Every model of the lecture's MNIST protocol is fitted on the first 5k, 10k, 20k, 40k and 60k
training images (nets for the suite's epochs, or ``--epochs``), one fit each, in one process.
The exponent b of fit time ~ a n^b is the least-squares slope on log-log axes; the plot of time
against n, and the table, go to ``results/perf/``.

    python benchmarks/scaling.py
    python benchmarks/scaling.py --models dense_nn,cnn --epochs 1 --sizes 5000,20000,60000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from perf_files import PERF_DIR, ROOT, warm_up, write_perf

from nnbench.datasets import ImageData, get_dataset
from nnbench.plan import build_cells, make_model
from nnbench.presentation import Table, markdown_table
from nnbench.suite import DEFAULT_SUITE, load_suite

MODELS = ("naive_bayes", "lasso_logit", "dense_nn", "cnn")
SIZES = (5_000, 10_000, 20_000, 40_000, 60_000)


def fit_seconds(cell: Any, data: ImageData, n: int) -> float:
    """Wall seconds to fit the cell's model on the first ``n`` training images."""
    model = make_model(cell)
    started = time.perf_counter()
    model.fit(data.x_train[:n], data.y_train[:n], n_classes=len(data.class_names))
    return time.perf_counter() - started


def exponent(sizes: list[int], seconds: list[float]) -> float:
    """The least-squares slope of log(seconds) against log(n)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Fit time against n on log-log axes, one line per model, its exponent in the legend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4.5))
    for row in rows:
        label = f"{row['model']} (b = {row['exponent']:.2f})"
        axes.loglog(row["sizes"], row["seconds"], marker="o", label=label)
    axes.set_xlabel("training images n")
    axes.set_ylabel("fit time (s)")
    axes.set_title("Fit time against training-set size, MNIST")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    temporary = path.with_suffix(".tmp.png")
    figure.savefig(temporary, dpi=120)
    plt.close(figure)
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated models")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="training-set sizes")
    parser.add_argument("--epochs", type=int, help="override the nets' epochs")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    overrides = {"epochs": args.epochs} if args.epochs else None
    cells = build_cells(
        load_suite(DEFAULT_SUITE), ["mnist"], args.models.split(","), overrides=overrides
    )
    data = get_dataset("mnist").load(args.data_dir)
    warm_up(data)
    rows = []
    for cell in cells:
        seconds = [fit_seconds(cell, data, n) for n in sizes]
        rows.append(
            {
                "model": cell.model,
                "sizes": sizes,
                "seconds": seconds,
                "exponent": exponent(sizes, seconds),
            }
        )
        print(f"{cell.model}: {[round(s, 2) for s in seconds]} s", file=sys.stderr)
    write(rows, args.out)
    return 0


def write(rows: list[dict[str, Any]], out: Path) -> None:
    """The table, the rows and the plot, in ``out``."""
    headers = ["model", *[f"{n:,}" for n in rows[0]["sizes"]], "exponent b"]
    body = [
        [row["model"], *[f"{s:.2f}" for s in row["seconds"]], f"{row['exponent']:.2f}"]
        for row in rows
    ]
    table = markdown_table(Table(headers, body, "l" + "r" * (len(headers) - 1)))
    write_perf(out, "scaling", "Fit seconds by number of training images.", table, rows)
    plot(rows, out / "scaling.png")


if __name__ == "__main__":
    raise SystemExit(main())
