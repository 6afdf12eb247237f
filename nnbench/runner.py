"""Cells and their execution: fit, time, score, and write one result file per cell."""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nnbench import progress
from nnbench.datasets import DATASETS, ImageData, check_dataset_name, get_dataset
from nnbench.environment import environment
from nnbench.errors import ConfigError, DataError
from nnbench.metrics import accuracy_report
from nnbench.models import MODELS
from nnbench.models.base import Model, Monitor
from nnbench.registry import Registry
from nnbench.results import SCHEMA, Result, write_result
from nnbench.suite import Suite


@dataclass(frozen=True, eq=False)
class Cell:
    """One unit of work: a model with its parameters, on a dataset, with a seed.

    A cell holds everything needed to run it anywhere; ``cell_id`` names it stably.
    ``epochs`` overrides the parameter of that name for models that have one; ``skip`` is the
    suite's reason for not running the cell.
    """

    dataset: str
    model: str
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    epochs: int | None = None
    subset: int | None = None
    skip: str | None = None

    @property
    def cell_id(self) -> str:
        """A short hash of every field: equal cells share it, different cells do not."""
        canonical = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self.cell_id == other.cell_id

    def __hash__(self) -> int:
        return hash(self.cell_id)

    def label(self) -> str:
        """``dataset · model · seed N`` for progress lines."""
        return f"{self.dataset} · {self.model} · seed {self.seed}"


def build_cells(
    suite: Suite,
    datasets: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    seeds: Sequence[int] = (0,),
    epochs: int | None = None,
    subset: int | None = None,
) -> list[Cell]:
    """Cells for ``datasets`` x ``models`` x ``seeds``, parameters taken from ``suite``.

    ``datasets`` defaults to the suite's; ``models`` to the ones the suite lists per dataset.
    A (dataset, model) pair that the suite does not list runs with the model's defaults. A pair
    the suite skips is skipped, with its reason, unless ``models`` names it.
    """
    dataset_names = list(datasets) if datasets is not None else list(suite.default_datasets)
    for name in dataset_names:
        check_dataset_name(name)
    for name in models or ():
        MODELS.entry(name)
    cells = [
        Cell(
            dataset,
            model,
            seed,
            suite.params(dataset, model),
            epochs,
            subset,
            skip=suite.skip_reason(dataset, model) if models is None else None,
        )
        for dataset in dataset_names
        for model in (models if models is not None else suite.models(dataset))
        for seed in seeds
    ]
    return list(dict.fromkeys(cells))  # a repeated name or seed runs once


def make_model(cell: Cell, registry: Registry = MODELS) -> Model:
    """The cell's model, with the epochs override applied where the model has epochs."""
    model_class = registry.get(cell.model)
    params = dict(cell.params)
    if cell.epochs is not None and "epochs" in model_class.param_names():
        params["epochs"] = cell.epochs
    return model_class.from_params(params, seed=cell.seed)


def new_result(cell: Cell, status: str, data: dict[str, Any]) -> Result:
    """A result document for ``cell`` with nothing measured yet."""
    return {
        "schema": SCHEMA,
        "cell_id": cell.cell_id,
        "dataset": cell.dataset,
        "model": cell.model,
        "seed": cell.seed,
        "params": dict(cell.params),
        "status": status,
        "error": None,
        "n_params": None,
        "metrics": {},
        "timing": {},
        "history": [],
        "model_info": {},
        "data": {**data, "subset": cell.subset},
        "env": environment(device="cpu"),
    }


def unrun_result(cell: Cell, status: str, why: str, tag: str = "") -> Result:
    """The result of a cell whose model never ran: "skipped" with a reason, or "failed"."""
    progress.info(f"{tag} {cell.label()}: {status.upper()} · {why}".strip())
    synthetic = DATASETS.get(cell.dataset).synthetic if cell.dataset in DATASETS else False
    result = new_result(cell, status, {"name": cell.dataset, "synthetic": synthetic})
    result["skip_reason" if status == "skipped" else "error"] = why
    return result


def load_for(cell: Cell, data_dir: Path) -> ImageData | str | Exception:
    """The cell's data; else why it cannot be had (a reason to skip), or the error loading gave
    (bad data, or a disk that is full or not writable)."""
    dataset = get_dataset(cell.dataset)
    try:
        return dataset.unavailable_reason(data_dir) or dataset.load(data_dir, limit=cell.subset)
    except (DataError, OSError) as exc:
        return exc


def run_cell(cell: Cell, data: ImageData, registry: Registry = MODELS, tag: str = "") -> Result:
    """Fit and score one cell. Any exception of the model's is recorded, never raised."""
    result = new_result(cell, "failed", data.describe())
    prefix = f"{tag} {cell.label()}".strip()
    try:
        model = make_model(cell, registry)
        result["params"] = model.get_params()
        result["env"]["device"] = model.device()
        progress.info(f"{prefix}: fitting on {len(data.y_train):,} images")
        epochs = result["params"].get("epochs")

        def report_epoch(row: dict) -> None:
            test = row.get("test_accuracy")
            progress.info(
                f"{prefix} · epoch {row['epoch']}/{epochs} · loss {row['train_loss']:.4f}"
                + (f" · test acc {test:.4f}" if test is not None else "")
                + f" · {row['elapsed_s']:.1f}s"
            )

        started = time.perf_counter()
        model.fit(
            data.x_train,
            data.y_train,
            n_classes=len(data.class_names),
            monitor=Monitor(data.x_test, data.y_test, on_epoch_end=report_epoch),
        )
        fit_wall_s = time.perf_counter() - started
        started = time.perf_counter()
        test_predictions = model.predict(data.x_test)
        predict_s = time.perf_counter() - started
        train_predictions = model.predict(data.x_train)
        result.update(
            status="ok",
            n_params=model.n_params(),
            metrics={
                "train": accuracy_report(data.y_train, train_predictions, data.class_names),
                "test": accuracy_report(data.y_test, test_predictions, data.class_names),
            },
            timing={
                "fit_s": round(fit_wall_s - model.eval_during_fit_s_, 4),
                "predict_s": round(predict_s, 4),
                "eval_during_fit_s": round(model.eval_during_fit_s_, 4),
            },
            history=model.history_,
            model_info=model.info_,
        )
        progress.info(
            f"{prefix}: ok · test acc {result['metrics']['test']['accuracy']:.4f}"
            f" · fit {result['timing']['fit_s']:.1f}s"
        )
    except Exception as exc:  # one failed model never sinks the others
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc(limit=-8)
        progress.info(f"{prefix}: FAILED · {result['error']}")
    return result


def default_run_dir(root: Path = Path("results/runs")) -> Path:
    """``results/runs/<local timestamp>``."""
    return root / datetime.now().strftime("%Y%m%d-%H%M%S")


def run_cells(
    cells: Iterable[Cell],
    data_dir: Path,
    run_dir: Path,
    registry: Registry = MODELS,
) -> list[Result]:
    """Run every cell and write each result as soon as it exists.

    Parameters are checked for every cell, and ``run_dir`` for results of an earlier run, before
    any training starts. A dataset is loaded once for its consecutive cells. Cells the suite
    skips, and cells of a dataset that is not available (see ``Dataset.unavailable_reason``),
    are recorded as skipped with the reason; cells of a dataset that fails to load, as failed.
    """
    cells = list(cells)
    for cell in cells:
        make_model(cell, registry)
    created = not run_dir.exists()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the run folder {run_dir}: {exc}. Use --out.") from exc
    if any(run_dir.glob("*.json")):
        raise ConfigError(
            f"Run folder {run_dir} already holds result files, and runs must not mix. "
            "Choose another folder (--out) or empty this one."
        )
    results = []
    loaded: tuple[str, int | None] | None = None
    data: ImageData | str | Exception | None = None
    try:
        for index, cell in enumerate(cells):
            tag = f"[{index + 1}/{len(cells)}]"
            if not cell.skip and loaded != (cell.dataset, cell.subset):
                data = None  # let the previous dataset go before the next one loads
                data = load_for(cell, data_dir)
                loaded = (cell.dataset, cell.subset)
            if cell.skip:
                result = unrun_result(cell, "skipped", cell.skip, tag)
            elif isinstance(data, str):
                result = unrun_result(cell, "skipped", data, tag)
            elif isinstance(data, Exception):
                result = unrun_result(cell, "failed", f"{type(data).__name__}: {data}", tag)
            else:
                result = run_cell(cell, data, registry, tag=tag)
            result["cell_index"] = index
            write_result(result, run_dir)
            results.append(result)
    except BaseException:
        if created and not any(run_dir.iterdir()):
            run_dir.rmdir()  # leave no empty run folder behind
        raise
    return results
