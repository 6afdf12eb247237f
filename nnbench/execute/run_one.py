"""``run_one``: one cell, run where it lands. It loads its own data (once per process for
consecutive cells of one dataset), fits, scores, measures its cost and returns the result
document; it never writes files, and never raises for a model's failure."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nnbench import progress
from nnbench.datasets import ImageData, get_dataset
from nnbench.environment import environment
from nnbench.errors import ConfigError, DataError
from nnbench.execute.cost import PeakMemory, watch_device, with_cost
from nnbench.execute.scoring import fit_and_score
from nnbench.files import unique_slug
from nnbench.models import DataInfo, model_provenance, resolve_model
from nnbench.plan import Cell, make_model
from nnbench.results import SCHEMA
from nnbench.schemas.result import CONFIG_ERROR, DATA_ERROR, MODEL_ERROR, Result, as_json, validate
from nnbench.sidecars import IN_FLIGHT
from nnbench.validation import split_counts

#: what a cell's data depends on: cells with equal keys share one load
DataKey = tuple[str, str | None, int | None, tuple[int, int] | None, str]

#: the data loaded last in this process, with its key: one dataset at a time
_loaded: tuple[DataKey, ImageData] | None = None
_loading = threading.Lock()  # a Dask worker may run cells in several threads


def run_one(cell: Cell, data_dir: Path | str, retries: int = 0, tag: str = "") -> Result:
    """The result of ``cell``: skipped with the data's reason (when it is absent) or the
    suite's; failed with the data's error; else fitted and scored, tried up to ``retries``
    more times while its model fails, with its cost (:mod:`nnbench.execute.cost`): the peak
    memory from before its data loads to its end, and its wall time phase by phase. ``tag``
    (``[3/12]``) starts its progress lines."""
    reason = absent_data_reason(cell, Path(data_dir)) or cell.skip  # not judged on absent data
    if reason:
        return unrun_result(cell, "skipped", reason, tag)
    with PeakMemory() as memory:
        started = time.perf_counter()
        data, cached = cached_data(cell, Path(data_dir))
        if isinstance(data, Exception):
            return unrun_result(cell, "failed", failure(data)[0], tag, kind=DATA_ERROR)
        load_s = time.perf_counter() - started
        result = run_with_retries(cell, data, tag, retries)
    if result["status"] == "ok":
        result["data"]["cached"] = cached
        result["timing"].update(
            load_s=round(load_s, 4), wall_s=round(load_s + result["timing"]["wall_s"], 4)
        )
        result["cost"]["memory"] = memory.record(result["env"]["device"])
    return result


def absent_data_reason(cell: Cell, data_dir: Path) -> str | None:
    """Why the cell's data is not there, or None (also when asking fails: loading the data then
    meets the same error, and the cell records it)."""
    try:
        return get_dataset(cell.dataset).unavailable_reason(data_dir)
    except (DataError, ConfigError, OSError):
        return None


def data_key(cell: Cell, data_dir: Path | str) -> DataKey:
    """What a cell's data depends on, its content's fingerprint included, so that a worker
    that outlives a run never serves data that has changed since."""
    return cell.dataset, cell.data_fingerprint, cell.subset, cell.image_size, str(data_dir)


def cached_data(cell: Cell, data_dir: Path) -> tuple[ImageData | Exception, bool]:
    """:func:`load_for`, kept for the next cell of the same data (an error is not kept: the
    next cell tries again), and whether it was kept already; the previous dataset is let go
    before the next one loads."""
    global _loaded
    key = data_key(cell, data_dir)
    with _loading:
        if _loaded is not None and _loaded[0] == key:
            return _loaded[1], True
        _loaded = None
        data = load_for(cell, data_dir)
        if isinstance(data, ImageData):
            _loaded = key, data
        return data, False


def forget_data() -> None:
    """Let go of the data this process keeps."""
    global _loaded
    with _loading:
        _loaded = None


def load_for(cell: Cell, data_dir: Path) -> ImageData | Exception:
    """The cell's data, or the error loading gave (bad data, or a disk that is full or not
    writable)."""
    dataset = get_dataset(cell.dataset)
    try:
        with exclusive(data_dir, cell.dataset):  # workers on one host fetch or build it once
            return dataset.load(data_dir, limit=cell.subset, image_size=cell.image_size)
    except (DataError, ConfigError, OSError) as exc:
        return exc


@contextmanager
def exclusive(data_dir: Path, dataset: str) -> Iterator[None]:
    """Hold a lock on ``dataset`` in ``data_dir`` (a file lock, which other processes on the
    host, and on a shared file system that supports it, respect); without one where the
    folder cannot take a lock file (read-only data) or the system has no ``fcntl``."""
    try:
        import fcntl

        data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(data_dir / f".{unique_slug(dataset)}.lock", "a")  # noqa: SIM115
    except (ImportError, OSError):
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def new_result(
    cell: Cell, status: str, data: dict[str, Any], origin: dict[str, Any] | None = None
) -> Result:
    """A result document for ``cell`` with nothing measured yet; its model's ``origin``
    defaults to the resolved model's."""
    return {
        "schema": SCHEMA,
        "cell_id": cell.cell_id,
        "slot_id": cell.slot_id,
        "dataset": cell.dataset,
        "model": cell.model,
        "model_origin": {
            **(resolve_model(cell.model).origin if origin is None else origin),
            "code": cell.code,
        },
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
        "data": {
            **data,
            "subset": cell.subset,
            "fingerprint": cell.data_fingerprint,
            **({"validation": cell.validation} if cell.validation is not None else {}),
        },
        "env": environment(device="cpu"),
    }


def unrun_result(
    cell: Cell, status: str, why: str, tag: str = "", kind: str | None = None
) -> Result:
    """The result of a cell whose model never ran: "skipped" with a reason, or "failed" with
    the error and its kind."""
    if status != "skipped":  # the driver prints a skip's reason, once per dataset and reason
        progress.info(f"{tag} {cell.label()}: {status.upper()} · {why}".strip())
    data = {"name": cell.dataset, "synthetic": get_dataset(cell.dataset).synthetic}
    result = new_result(cell, status, data, origin=model_provenance(cell.model))
    if status == "skipped":
        result["skip_reason"] = why
    else:
        result.update(error=why, error_kind=kind)
    return result


def failure(exc: BaseException) -> tuple[str, str]:
    """The error text of an exception a model raised, and its kind."""
    kinds = ((DataError, DATA_ERROR), (ConfigError, CONFIG_ERROR), (Exception, MODEL_ERROR))
    return f"{type(exc).__name__}: {exc}", next(kind for cls, kind in kinds if isinstance(exc, cls))


def run_cell(cell: Cell, data: ImageData, tag: str = "") -> Result:
    """Fit and score one cell; skip it when its model refuses the data. Any exception of the
    model's is recorded, never raised, and so is a result the model made that breaks the
    result file's schema (a history with an accuracy of 95)."""
    result = new_result(cell, "failed", data.describe())
    if cell.validation is not None:
        kept, held = split_counts(len(data.y_train), cell.validation)
        result["data"].update(n_train=kept, n_validation=held)
    prefix = f"{tag} {cell.label()}".strip()
    started = time.perf_counter()
    try:
        model = make_model(cell)
        result["params"] = as_json(model.get_params())
        result["env"]["device"] = watch_device(model.device())
        reason = model.skip_reason(DataInfo(data.input_shape, data.class_names, len(data.y_train)))
        if reason:
            result.update(status="skipped", skip_reason=reason)
            return result
        built_s = time.perf_counter() - started
        measured, predictions = fit_and_score(model, data, prefix, cell.validation)
        measured = as_json(with_cost(measured, model, data.x_test, built_s, started))
        validate({**result, **measured}, f"the result of {cell.label()}")  # e.g. its history
        result.update(measured)
        result[IN_FLIGHT] = predictions
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
