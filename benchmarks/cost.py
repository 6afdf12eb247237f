"""What each of the lecture's models costs on MNIST: peak memory, the time breakdown, latency,
throughput and size, with test accuracy against each cost, and the memory sampler's overhead.

Each model runs as its own ``nnbench run`` (a fresh process, so that its peak memory is its own
and not what an earlier cell left allocated), with the suite's settings or ``--epochs``. The
sampler's overhead is measured two ways: its own CPU time over each cell's fit time (from the
results), and the fit time of naive Bayes and the dense net with and without the sampler,
alternating, in one process. The cost table, the overhead, the plots and the JSON rows go to
``results/perf/``.

    python benchmarks/cost.py
    python benchmarks/cost.py --models naive_bayes,dense_nn --epochs 1 --subset 5000
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from perf_files import PERF_DIR, ROOT, write_perf

from nnbench.datasets import ImageData, get_dataset
from nnbench.execute.cost import PeakMemory
from nnbench.files import atomic_write_bytes
from nnbench.models import resolve_model
from nnbench.presentation import Table, label_cells, markdown_table
from nnbench.report.cost_section import cost
from nnbench.report.document import Report
from nnbench.report.output import render_figures
from nnbench.report.render import markdown
from nnbench.report.sections import ReportInput, cost_figures
from nnbench.results import load_tables, read_result, result_files
from nnbench.stats import summarise

MODELS = ("naive_bayes", "lasso_logit", "dense_nn", "cnn")
#: the models whose fit is timed with and without the sampler: the shortest fit, where a fixed
#: overhead weighs most, and a net whose TensorFlow threads compete with the sampler's
OVERHEAD_MODELS = {"naive_bayes": {}, "dense_nn": {"epochs": 2}}


def run_model(model: str, out: Path, data_dir: Path, extra: list[str]) -> Path:
    """Run ``model`` on MNIST as its own ``nnbench run`` into ``out/model``; that folder."""
    run_dir = out / model
    command = [sys.executable, "-m", "nnbench", "run", "--dataset", "mnist", "--model", model]
    command += ["--data-dir", str(data_dir), "--out", str(run_dir), *extra]
    print(f"cost: {' '.join(command[1:])}", file=sys.stderr)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return run_dir


def cost_report(runs: list[Path], out: Path) -> tuple[str, list[dict[str, Any]]]:
    """The cost section of a report on ``runs`` with its accuracy-against-cost plots (written
    to ``out/plots/``), in Markdown; and each cell's test accuracy, timing and cost."""
    tables = load_tables(*runs)
    given = ReportInput(tables, summarise(tables.classes))
    labels = label_cells(given.cells)
    figures = cost_figures(given.cells, labels, "cost")
    report = Report([*cost(given), *figures], pd.DataFrame())
    for stem, image in render_figures(report).items():
        atomic_write_bytes(out / "plots" / f"{stem}.png", image["png"])
    results = [read_result(path) for run in runs for path in result_files(run)]
    rows = [
        {
            "model": result["model"],
            "test_accuracy": result["metrics"]["test"]["accuracy"],
            "fit_s": result["timing"]["fit_s"],
            "wall_s": result["timing"]["wall_s"],
            "samples": result["cost"]["memory"]["samples"],
            "sampler_cpu_s": result["cost"]["memory"]["sampler_cpu_s"],
            "timing": result["timing"],
            "cost": result["cost"],
        }
        for result in results
    ]
    return markdown(report), rows


def fit_seconds(model: str, params: dict[str, Any], data: ImageData, sampled: bool) -> float:
    """Seconds to fit ``model`` on ``data``, with the memory sampler running or not."""
    built = resolve_model(model).build(params, seed=0)
    started = time.perf_counter()
    if sampled:
        with PeakMemory():
            built.fit(data.x_train, data.y_train, n_classes=len(data.class_names))
    else:
        built.fit(data.x_train, data.y_train, n_classes=len(data.class_names))
    return time.perf_counter() - started


def sampler_overhead(data: ImageData, repeats: int) -> list[dict[str, Any]]:
    """For each of :data:`OVERHEAD_MODELS`: the median fit time without and with the sampler
    over ``repeats`` alternating fits each (after one fit to warm up), and their ratio."""
    rows = []
    for model, params in OVERHEAD_MODELS.items():
        fit_seconds(model, params, data, sampled=False)
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(repeats):
            for sampled in (False, True):
                times[sampled].append(fit_seconds(model, params, data, sampled))
        without, with_ = statistics.median(times[False]), statistics.median(times[True])
        rows.append(
            {
                "model": model,
                "params": params,
                "fit_s_without": [round(t, 6) for t in times[False]],
                "fit_s_with": [round(t, 6) for t in times[True]],
                "median_without_s": round(without, 6),
                "median_with_s": round(with_, 6),
                "ratio": round(with_ / without, 4),
            }
        )
    return rows


def spread(median: float, values: list[float]) -> str:
    """``0.227 (0.202–0.545)``: a median and the range of the values."""
    return f"{median:.3f} ({min(values):.3f}–{max(values):.3f})"


def overhead_table(cells: list[dict[str, Any]], timed: list[dict[str, Any]]) -> str:
    """The sampler's overhead, in Markdown: its CPU time over each cell's fit time, then the
    alternating fits with and without it."""
    own = Table(
        ["model", "fit s", "cell s", "samples", "sampler CPU s", "sampler CPU ÷ cell s"],
        [
            [row["model"], f"{row['fit_s']:.2f}", f"{row['wall_s']:.2f}"]
            + [str(row["samples"]), f"{row['sampler_cpu_s']:.3f}"]
            + [f"{row['sampler_cpu_s'] / row['wall_s']:.2%}"]
            for row in cells
        ],
        "lrrrrr",
    )
    paired = Table(
        ["model", "fits each", "fit s without: median (range)", "with: median (range)", "ratio"],
        [
            [row["model"], str(len(row["fit_s_with"]))]
            + [
                spread(row[f"median_{side}_s"], row[f"fit_s_{side}"])
                for side in ("without", "with")
            ]
            + [f"{row['ratio']:.3f}"]
            for row in timed
        ],
        "lrrrr",
    )
    return (
        "The memory sampler's own CPU time over the cell's wall time, for which it runs: its "
        "share of one core, and so at most its overhead on any phase of the cell, fit "
        "included:\n\n"
        f"{markdown_table(own)}\n\nFit times without and with the sampler, alternating, in one "
        f"process:\n\n{markdown_table(paired)}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated models")
    parser.add_argument("--epochs", type=int, help="override the nets' epochs")
    parser.add_argument("--subset", type=int, help="the first N images of each split")
    parser.add_argument("--repeats", type=int, default=9, help="alternating fits for overhead")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    args = parser.parse_args(argv)
    extra = [f"--{flag}={value}" for flag in ("epochs", "subset") if (value := getattr(args, flag))]
    data = get_dataset("mnist").load(args.data_dir, limit=args.subset)
    with tempfile.TemporaryDirectory(prefix="nnbench-cost-") as folder:
        runs = [run_model(m, Path(folder), args.data_dir, extra) for m in args.models.split(",")]
        table, cells = cost_report(runs, args.out)
    timed = sampler_overhead(data, args.repeats)
    title = "What each model costs on MNIST, each model in a process of its own."
    markdown = f"{table}\n\n{overhead_table(cells, timed)}"
    write_perf(args.out, "cost", title, markdown, [*cells, *timed])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
