"""How the results store scales: synthetic, schema-valid result files (1,000, 10,000 and
100,000 by default) in one run folder each, and the time of the first ``load()`` (no index:
every JSON file read), a warm ``load()`` (the index fresh), ``nnbench report`` and ``nnbench
history`` on each, as a user runs them (a fresh Python process, its start included).

The results are a grid on a synthetic 10-class dataset: 4 models, each over two parameters,
2 seeds per cell, the nets with 5 epochs of history; no per-image predictions. Generated
folders are kept under ``--root`` and reused when they hold the right number of files.

    python benchmarks/store_scale.py
    python benchmarks/store_scale.py --sizes 1000 --root /tmp/store
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from perf_files import PERF_DIR, write_perf

from nnbench.presentation import Table, markdown_table
from nnbench.results import load, result_files
from nnbench.results_index import INDEX_DIR
from nnbench.synthetic_results import SyntheticCell, synthetic_result

MODELS = {"naive_bayes": 0, "lasso_logit": 0, "dense_nn": 5, "cnn": 5}
SEEDS = 2


def grid(size: int) -> list[SyntheticCell]:
    """``size`` synthetic cells: each model over a square grid of (lr, units), ``SEEDS`` seeds
    each, accuracy and time varying smoothly over the grid."""
    per_model = math.ceil(size / (len(MODELS) * SEEDS))
    side = math.ceil(math.sqrt(per_model))
    cells = [
        SyntheticCell(
            model=model,
            seed=seed,
            params={"lr": round(0.001 * (1 + i), 4), "units": 16 * (1 + j)},
            accuracy=0.80 + 0.15 * (i + j) / (2 * side),
            fit_s=1.0 + 0.1 * j + 0.5 * epochs,
            epochs=epochs,
            predictions=False,
        )
        for model, epochs in MODELS.items()
        for i, j in itertools.islice(itertools.product(range(side), range(side)), per_model)
        for seed in range(SEEDS)
    ]
    return cells[:size]


def write_part(args: tuple[Path, list[tuple[int, SyntheticCell]]]) -> None:
    """Write some of the cells (a worker's share), without the fsync of ``write_result``."""
    from nnbench.results import result_file_name
    from nnbench.schemas.result import validate

    run_dir, cells = args
    for index, cell in cells:
        result = {**synthetic_result(cell), "cell_index": index}
        validate(result, source="synthetic result")
        (run_dir / result_file_name(result)).write_text(json.dumps(result))


def generated(root: Path, size: int, jobs: int) -> Path:
    """A run folder of ``size`` synthetic results under ``root``, made unless it is there."""
    run_dir = root / f"run-{size}"
    if run_dir.is_dir() and len(result_files(run_dir)) == size:
        return run_dir
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    cells = list(enumerate(grid(size)))
    shares = [(run_dir, cells[part::jobs]) for part in range(jobs)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        pool.map(write_part, shares)
    print(
        f"store_scale: wrote {size} results in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return run_dir


def timed_command(words: list[str]) -> float:
    """Seconds ``python -m nnbench WORDS`` takes, start-up included; it must succeed."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nnbench", *words], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def measure(run_dir: Path) -> dict[str, Any]:
    """The timings of one folder: load without an index, load with it, report and history."""
    shutil.rmtree(run_dir / INDEX_DIR, ignore_errors=True)
    started = time.perf_counter()
    frame = load(run_dir)
    first = time.perf_counter() - started
    started = time.perf_counter()
    load(run_dir)
    warm = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as out:
        report_s = timed_command(["report", str(run_dir), "--output", out])
        written = sorted(path.name for path in Path(out).iterdir())
        history_s = timed_command(["history", str(run_dir)])
    return {
        "results": len(result_files(run_dir)),
        "rows": len(frame),
        "json_mb": folder_bytes(run_dir) / 1e6,
        "index_mb": folder_bytes(run_dir / INDEX_DIR) / 1e6,
        "first_load_s": first,
        "warm_load_s": warm,
        "report_s": report_s,
        "report_files": written,
        "history_s": history_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="result files per folder")
    parser.add_argument(
        "--root", type=Path, default=Path(tempfile.gettempdir()) / "nnbench-store-scale"
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes writing the results")
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    parser.add_argument("--data-dir", help="unused (the results are synthetic)")
    args = parser.parse_args()
    rows = []
    for size in (int(text) for text in args.sizes.split(",")):
        row = measure(generated(args.root, size, args.jobs))
        print(f"store_scale: {size}: {row}", file=sys.stderr)
        rows.append(row)
    table = Table(
        [
            "result files (synthetic)",
            "table rows",
            "JSON MB",
            "index MB",
            "first load() s",
            "warm load() s",
            "nnbench report s",
            "nnbench history s",
        ],
        [
            [
                f"{row['results']:,}",
                f"{row['rows']:,}",
                f"{row['json_mb']:.0f}",
                f"{row['index_mb']:.1f}",
                f"{row['first_load_s']:.2f}",
                f"{row['warm_load_s']:.2f}",
                f"{row['report_s']:.1f}",
                f"{row['history_s']:.1f}",
            ]
            for row in rows
        ],
        "rrrrrrrr",
    )
    write_perf(
        args.out,
        "store_scale",
        "The results store on synthetic result files (a grid of 4 models, 2 seeds per cell):",
        markdown_table(table),
        rows,
    )


if __name__ == "__main__":
    main()
