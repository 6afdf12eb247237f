"""Time the executors on this machine, each in this one process run:

1. the 12-cell grid of ``benchmarks/grid.toml`` (naive Bayes x 3 variants and the LASSO at
   C = 0.05, 0.1, 0.2, seeds 0 and 1, on all of MNIST): serially, with ``--jobs 2`` and with
   ``dask-local --workers 2``;
2. 200 tiny cells (naive Bayes on a 500-image subset, seeds 0..199) on each executor, for the
   per-cell overhead: the run's wall time over 200, beside the cells' own fit and predict time.

    python benchmarks/executors.py [--tiny-only] [--out results/perf/executors.json]

Each wall time includes starting the executor's workers (their processes, imports and data
loads). Prints a Markdown table and writes JSON with the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from nnbench.environment import environment
from nnbench.execute import make_executor
from nnbench.execute.base import Executor
from nnbench.files import atomic_write_text
from nnbench.plan import Cell, build_cells
from nnbench.results import result_files, write_result
from nnbench.runner import run_cells
from nnbench.suite import load_suite

GRID = Path(__file__).with_name("grid.toml")
EXECUTORS: dict[str, Callable[[], Executor]] = {
    "serial": lambda: make_executor("local"),
    "--jobs 2": lambda: make_executor("local", jobs=2),
    "dask-local --workers 2": lambda: make_executor("dask-local", workers=2),
}


def timed_run(cells: list[Cell], data_dir: Path, executor: str) -> dict:
    """Run ``cells`` on a fresh ``executor`` into a temporary folder: the wall seconds; the
    seconds to the first result file (starting workers, loading data, one cell); the seconds
    per cell after it (the steady rate); the cells' own seconds (fit + predict); the driver's
    seconds per result file (validating and writing it again); and the test accuracies by key."""
    with tempfile.TemporaryDirectory() as run_dir:
        started = time.time()
        results = run_cells(cells, data_dir, Path(run_dir) / "run", executor=EXECUTORS[executor])
        wall = time.time() - started
        written = sorted(path.stat().st_mtime for path in result_files(Path(run_dir) / "run"))
        started_writing = time.perf_counter()
        for result in results:  # what the driver does per result: validate, write atomically
            write_result(result, Path(run_dir))
        driver_s = (time.perf_counter() - started_writing) / len(results)
    assert all(result["status"] == "ok" for result in results), "a cell failed"
    return {
        "wall_s": round(wall, 2),
        "first_result_s": round(written[0] - started, 2),
        "steady_per_cell_s": round((written[-1] - written[0]) / (len(written) - 1), 4),
        "cell_s": round(sum(r["timing"]["fit_s"] + r["timing"]["predict_s"] for r in results), 2),
        "driver_write_per_result_s": round(driver_s, 4),
        "accuracy": {r["cell_id"]: r["metrics"]["test"]["accuracy"] for r in results},
    }


def measure(cells: list[Cell], data_dir: Path) -> dict[str, dict]:
    """:func:`timed_run` on each executor, with its speed-up against the serial run and whether
    every cell's test accuracy equals the serial run's."""
    runs = {name: timed_run(cells, data_dir, name) for name in EXECUTORS}
    serial_wall, serial_accuracy = runs["serial"]["wall_s"], runs["serial"]["accuracy"]
    for run in runs.values():
        run["speed_up"] = round(serial_wall / run["wall_s"], 2)
        run["wall_per_cell_s"] = round(run["wall_s"] / len(cells), 3)
        run["same_accuracies"] = run.pop("accuracy") == serial_accuracy
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny-only", action="store_true", help="only the 200 tiny cells")
    parser.add_argument("--out", type=Path, default=Path("results/perf/executors.json"))
    args = parser.parse_args()
    data_dir = Path(os.environ.get("NNBENCH_DATA") or "data")
    runs = {}
    if not args.tiny_only:
        runs["grid_12"] = measure(
            build_cells(load_suite(GRID), seeds=[0, 1], data_dir=data_dir), data_dir
        )
    tiny = [Cell("mnist", "naive_bayes", seed, subset=500) for seed in range(200)]
    runs["tiny_200"] = measure(tiny, data_dir)
    command = "python benchmarks/executors.py" + " --tiny-only" * args.tiny_only
    report = {"runs": runs, "command": command, "env": environment(device="cpu")}
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    columns = [
        "wall_s",
        "speed_up",
        "first_result_s",
        "steady_per_cell_s",
        "cell_s",
        "driver_write_per_result_s",
    ]
    print("| cells | executor | " + " | ".join(columns) + " | same accuracies |")
    print("|---" * (len(columns) + 3) + "|")
    for name, by_executor in runs.items():
        for executor, run in by_executor.items():
            values = " | ".join(str(run[column]) for column in columns)
            print(f"| {name} | {executor} | {values} | {run['same_accuracies']} |")


if __name__ == "__main__":
    main()
