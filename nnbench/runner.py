"""Running cells: fit, time, score, and write one result file per cell."""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from nnbench import progress
from nnbench.datasets import ImageData, get_dataset
from nnbench.environment import environment
from nnbench.errors import ConfigError, DataError
from nnbench.metrics import accuracy_report
from nnbench.models import DataInfo, Model, Monitor, resolve_model
from nnbench.plan import Cell, make_model
from nnbench.results import SCHEMA, Result, read_run, result_files, write_result
from nnbench.schemas.result import CONFIG_ERROR, DATA_ERROR, MODEL_ERROR, as_json, validate


def new_result(cell: Cell, status: str, data: dict[str, Any]) -> Result:
    """A result document for ``cell`` with nothing measured yet."""
    return {
        "schema": SCHEMA,
        "cell_id": cell.cell_id,
        "dataset": cell.dataset,
        "model": cell.model,
        "model_origin": resolve_model(cell.model).origin,
        "variant": cell.variant,
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


def unrun_result(
    cell: Cell, status: str, why: str, tag: str = "", kind: str | None = None
) -> Result:
    """The result of a cell whose model never ran: "skipped" with a reason, or "failed" with
    the error and its kind."""
    progress.info(f"{tag} {cell.label()}: {status.upper()} · {why}".strip())
    synthetic = get_dataset(cell.dataset).synthetic
    result = new_result(cell, status, {"name": cell.dataset, "synthetic": synthetic})
    if status == "skipped":
        result["skip_reason"] = why
    else:
        result.update(error=why, error_kind=kind)
    return result


def failure(exc: BaseException) -> tuple[str, str]:
    """The error text of an exception a model raised, and its kind."""
    kinds = ((DataError, DATA_ERROR), (ConfigError, CONFIG_ERROR), (Exception, MODEL_ERROR))
    return f"{type(exc).__name__}: {exc}", next(kind for cls, kind in kinds if isinstance(exc, cls))


def load_for(cell: Cell, data_dir: Path) -> ImageData | str | Exception:
    """The cell's data; else why it cannot be had (a reason to skip), or the error loading gave
    (bad data, or a disk that is full or not writable)."""
    dataset = get_dataset(cell.dataset)
    try:
        reason = dataset.unavailable_reason(data_dir)
        return reason or dataset.load(data_dir, limit=cell.subset, image_size=cell.image_size)
    except (DataError, OSError) as exc:
        return exc


def epoch_reporter(prefix: str, epochs: Any) -> Any:
    """A callback that prints one progress line per epoch."""

    def report(row: dict) -> None:
        test = row.get("test_accuracy")
        progress.info(
            f"{prefix} · epoch {row['epoch']}/{epochs} · loss {row['train_loss']:.4f}"
            + (f" · test acc {test:.4f}" if test is not None else "")
            + f" · {row['elapsed_s']:.1f}s"
        )

    return report


def fit_and_score(model: Model, data: ImageData, prefix: str) -> dict[str, Any]:
    """Fit ``model``, time it, and score it on both splits: the result's measured fields."""
    epochs = model.get_params().get("epochs")
    progress.info(f"{prefix}: fitting on {len(data.y_train):,} images")
    started = time.perf_counter()
    model.fit(
        data.x_train,
        data.y_train,
        n_classes=len(data.class_names),
        monitor=Monitor(data.x_test, data.y_test, on_epoch_end=epoch_reporter(prefix, epochs)),
    )
    fit_wall_s = time.perf_counter() - started
    started = time.perf_counter()
    test_predictions = model.predict(data.x_test)
    predict_s = time.perf_counter() - started
    train_predictions = model.predict(data.x_train)
    return {
        "status": "ok",
        "n_params": model.n_params(),
        "metrics": {
            "train": accuracy_report(data.y_train, train_predictions, data.class_names),
            "test": accuracy_report(data.y_test, test_predictions, data.class_names),
        },
        "timing": {
            "fit_s": round(fit_wall_s - model.eval_during_fit_s_, 4),
            "predict_s": round(predict_s, 4),
            "eval_during_fit_s": round(model.eval_during_fit_s_, 4),
        },
        "history": model.history_,
        "model_info": model.info_,
    }


def run_cell(cell: Cell, data: ImageData, tag: str = "") -> Result:
    """Fit and score one cell; skip it when its model refuses the data. Any exception of the
    model's is recorded, never raised, and so is a result the model made that breaks the
    result file's schema (a history with an accuracy of 95)."""
    result = new_result(cell, "failed", data.describe())
    prefix = f"{tag} {cell.label()}".strip()
    try:
        model = make_model(cell)
        result["params"] = as_json(model.get_params())
        result["env"]["device"] = model.device()
        reason = model.skip_reason(DataInfo(data.input_shape, data.class_names, len(data.y_train)))
        if reason:
            progress.info(f"{prefix}: SKIPPED · {reason}")
            result.update(status="skipped", skip_reason=reason)
            return result
        measured = as_json(fit_and_score(model, data, prefix))
        validate({**result, **measured}, f"the result of {cell.label()}")  # e.g. its history
        result.update(measured)
        progress.info(
            f"{prefix}: ok · test acc {result['metrics']['test']['accuracy']:.4f}"
            f" · fit {result['timing']['fit_s']:.1f}s"
        )
    except Exception as exc:  # one failed model never sinks the others
        result["error"], result["error_kind"] = failure(exc)
        result["traceback"] = traceback.format_exc(limit=-8)
        progress.info(f"{prefix}: FAILED · {result['error']}")
    return result


def run_with_retries(cell: Cell, data: ImageData, tag: str, retries: int) -> Result:
    """:func:`run_cell`, again up to ``retries`` times while its model fails; the result records
    the ``attempts`` made. Bad input (a parameter the data refutes) is not retried: it would
    fail the same way."""
    attempts, result = 1, run_cell(cell, data, tag=tag)
    while result.get("error_kind") == MODEL_ERROR and attempts <= retries:
        progress.info(f"{tag} {cell.label()}: trying again (retry {attempts} of {retries})")
        attempts, result = attempts + 1, run_cell(cell, data, tag=tag)
    result["attempts"] = attempts
    return result


def data_key(cell: Cell) -> tuple:
    """What a cell's data depends on: cells with equal keys share one load."""
    return cell.dataset, cell.subset, cell.image_size


def default_run_dir(root: Path = Path("results/runs")) -> Path:
    """``results/runs/<local timestamp>``, with ``-2``, ``-3``, ... for runs in the same second."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    found, number = root / stamp, 2
    while found.exists():
        found, number = root / f"{stamp}-{number}", number + 1
    return found


def prepare_run_dir(run_dir: Path, resume: bool = False) -> bool:
    """Create ``run_dir`` (True when it is new) and make sure it can be written, refusing one
    that holds results already unless the run ``resume``s it: all before any training starts."""
    if resume and not run_dir.is_dir():
        raise ConfigError(f"There is no run folder {run_dir} to resume; check the path.")
    created = not run_dir.exists()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=run_dir, prefix=".nnbench-probe-"):
            pass
    except OSError as exc:
        if created and run_dir.is_dir():
            run_dir.rmdir()
        raise ConfigError(
            f"Cannot write results into the run folder {run_dir}: {exc.strerror or exc}. Make "
            "it writable, or choose another folder with --out."
        ) from None
    if result_files(run_dir) and not resume:
        raise ConfigError(
            f"Run folder {run_dir} already holds result files, and runs must not mix. "
            "Choose another folder with --out, resume this run with --resume, or empty it."
        )
    return created


def finished_cells(run_dir: Path) -> dict[str, Result]:
    """The successful results in ``run_dir``, by cell key: the cells a resumed run skips."""
    if not result_files(run_dir):
        return {}
    return {result["cell_id"]: result for result in read_run(run_dir) if result["status"] == "ok"}


def run_cells(
    cells: Iterable[Cell], data_dir: Path, run_dir: Path, resume: bool = False, retries: int = 0
) -> list[Result]:
    """Run every cell and write each result as soon as it exists; return every cell's result.

    Parameters are checked for every cell, and ``run_dir`` for results of an earlier run, before
    any training starts. A dataset is loaded once for its consecutive cells. Cells the suite
    skips, and cells of a dataset that is not available (see ``Dataset.unavailable_reason``),
    are recorded as skipped with the reason; cells of a dataset that fails to load, as failed
    with ``error_kind`` "data". With ``resume``, a cell that has a successful result with its
    key in ``run_dir`` is not run again; any other result of its key is replaced. A cell whose
    model fails is tried up to ``retries`` more times (see :func:`run_with_retries`).
    """
    cells = list(cells)
    for cell in cells:
        make_model(cell)
    created = prepare_run_dir(run_dir, resume)
    done = finished_cells(run_dir) if resume else {}
    already = sum(cell.cell_id in done for cell in cells)
    again = f", {already} of them done already" if resume else ""
    progress.info(f"nnbench: {len(cells)} cells{again}; results go to {run_dir}")
    results = []
    loaded: tuple | None = None
    data: ImageData | str | Exception | None = None
    try:
        for index, cell in enumerate(cells):
            if cell.cell_id in done:
                results.append(done[cell.cell_id])
                continue
            tag = f"[{index + 1}/{len(cells)}]"
            if not cell.skip and loaded != data_key(cell):
                data = None  # let the previous dataset go before the next one loads
                data = load_for(cell, data_dir)
                loaded = data_key(cell)
            if cell.skip:
                result = unrun_result(cell, "skipped", cell.skip, tag)
            elif isinstance(data, str):
                result = unrun_result(cell, "skipped", data, tag)
            elif isinstance(data, Exception):
                result = unrun_result(cell, "failed", failure(data)[0], tag, kind=DATA_ERROR)
            else:
                result = run_with_retries(cell, data, tag, retries)
            result["cell_index"] = index
            write_result(result, run_dir)
            results.append(result)
    except BaseException:
        if created and not any(run_dir.iterdir()):
            run_dir.rmdir()  # leave no empty run folder behind
        raise
    return results
