"""Time a ``folder:`` dataset of MNIST's size: all 70,000 digits written as PNG files, loaded
once cold (every image decoded into the cache) and then warm (the cache read back).

    python benchmarks/folder_cache.py [FOLDER]

FOLDER (default ``data/mnist-png``) is written first when it holds no images; MNIST comes from
the data folder ($NNBENCH_DATA, else ./data). Prints one JSON document with the seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from nnbench.datasets import get_dataset
from nnbench.datasets.folder import CACHE_FOLDER, write_folder
from nnbench.environment import cpu_name


def timed(load) -> float:
    """Seconds one call of ``load`` takes."""
    started = time.perf_counter()
    load()
    return time.perf_counter() - started


def main(folder: Path) -> dict:
    data_dir = Path(os.environ.get("NNBENCH_DATA") or "data")
    written_s = None
    if not (folder / "train").is_dir():
        mnist = get_dataset("mnist").load(data_dir)
        written_s = timed(lambda: write_folder(folder, mnist))
    shutil.rmtree(folder / CACHE_FOLDER, ignore_errors=True)
    dataset = get_dataset(f"folder:{folder}")
    cold_s = timed(lambda: dataset.load(data_dir))
    warm_s = [timed(lambda: dataset.load(data_dir)) for _ in range(3)]
    data = dataset.load(data_dir)
    return {
        "images": len(data.y_train) + len(data.y_test),
        "write_png_s": None if written_s is None else round(written_s, 2),
        "cold_load_s": round(cold_s, 2),
        "warm_load_s": [round(seconds, 3) for seconds in warm_s],
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1] if len(sys.argv) > 1 else "data/mnist-png")), indent=2))
