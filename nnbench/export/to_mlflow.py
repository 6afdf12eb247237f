"""Run folders as MLflow runs (the ``mlflow`` extra): one parent run per run folder holding its
reports, and under it one run per result, each with the values of
:mod:`nnbench.export.cell_runs`. Exporting again adds only results that are not there yet."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING

from nnbench import progress
from nnbench.errors import ConfigError
from nnbench.export.cell_runs import CellRun, FolderRun, folder_runs

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

#: the tag of the parent run of each run folder (mlflow.utils.mlflow_tags.MLFLOW_PARENT_RUN_ID)
PARENT_TAG = "mlflow.parentRunId"
#: the tag set last on a cell's run, once everything is logged: a run without it is incomplete
DONE_TAG = "result_sha256"
#: per log_batch call: MLflow takes at most 1,000 values, at most 100 of them params or tags
METRICS_PER_BATCH, PARAMS_PER_BATCH = 800, 100
#: runs per page when reading what an experiment holds (MLflow's default page)
RUNS_PER_PAGE = 1000


@dataclass
class Exported:
    """What an experiment holds already: the (cell key, result SHA-256) of each complete cell
    run, and the parent run of each run folder, by the folder's name."""

    experiment_id: str
    cells: set[tuple[str, str]] = field(default_factory=set)
    parents: dict[str, str] = field(default_factory=dict)
    added: int = 0
    skipped: int = 0


def experiment_of(client: MlflowClient, name: str) -> Exported:
    """The experiment ``name`` (created when missing) and what it holds, read in pages."""
    from mlflow.entities import ViewType

    experiment = client.get_experiment_by_name(name)
    if experiment is not None and experiment.lifecycle_stage == "deleted":
        raise ConfigError(
            f"The MLflow experiment {name!r} is deleted. Restore it (mlflow experiments restore "
            f"--experiment-id {experiment.experiment_id}) or name another with --experiment."
        )
    if experiment is None:
        return Exported(client.create_experiment(name))
    exported, token = Exported(experiment.experiment_id), None
    while True:
        page = client.search_runs(
            [exported.experiment_id],
            run_view_type=ViewType.ACTIVE_ONLY,
            max_results=RUNS_PER_PAGE,
            page_token=token,
        )
        for run in page:
            tags = run.data.tags
            if tags.get("kind") == "cell" and DONE_TAG in tags:
                exported.cells.add((tags.get("cell_key", ""), tags[DONE_TAG]))
            elif tags.get("kind") == "run":
                exported.parents[tags.get("run_folder", "")] = run.info.run_id
        token = page.token
        if not token:
            return exported


def batches(cell: CellRun) -> Iterator[tuple[list[Metric], list[Param]]]:
    """The cell's metrics and params, in batches MLflow's ``log_batch`` accepts."""
    from mlflow.entities import Metric, Param

    metrics = [Metric(p.key, p.value, p.timestamp_ms, p.step) for p in cell.metrics]
    params = [Param(key, value) for key, value in cell.params.items()]
    yield from zip_longest(
        [metrics[i : i + METRICS_PER_BATCH] for i in range(0, len(metrics), METRICS_PER_BATCH)],
        [params[i : i + PARAMS_PER_BATCH] for i in range(0, len(params), PARAMS_PER_BATCH)],
        fillvalue=[],
    )


def export_cell(client: MlflowClient, experiment_id: str, parent_id: str, cell: CellRun) -> None:
    """One MLflow run for ``cell``, under the parent run ``parent_id``; removed again if it
    cannot be completed."""
    from mlflow.exceptions import MlflowException

    run_id = client.create_run(
        experiment_id, cell.start_ms, {**cell.tags, PARENT_TAG: parent_id}, cell.name
    ).info.run_id
    try:
        for metrics, params in batches(cell):
            client.log_batch(run_id, metrics=metrics, params=params)
        for path in cell.artifacts:
            client.log_artifact(run_id, str(path))
        client.set_terminated(run_id, cell.status, cell.end_ms)
        client.set_tag(run_id, DONE_TAG, cell.sha256)
    except BaseException:
        try:
            client.delete_run(run_id)
        except MlflowException:
            pass  # the run stays without DONE_TAG, so the next export makes it again
        raise


def parent_run(client: MlflowClient, exported: Exported, folder: FolderRun) -> str:
    """The run folder's parent run in the experiment, made when missing."""
    if folder.name not in exported.parents:
        tags = {"kind": "run", "run_folder": folder.name}
        run_id = client.create_run(exported.experiment_id, tags=tags, run_name=folder.name)
        client.set_terminated(run_id.info.run_id)
        exported.parents[folder.name] = run_id.info.run_id
    return exported.parents[folder.name]


def export_folder(client: MlflowClient, exported: Exported, folder: FolderRun) -> None:
    """The folder's cells that the experiment lacks, under its parent run, whose reports are
    logged (again) whenever a cell is added."""
    new = [cell for cell in folder.cells if (cell.key, cell.sha256) not in exported.cells]
    exported.skipped += len(folder.cells) - len(new)
    if not new and folder.name in exported.parents:
        return
    parent_id = parent_run(client, exported, folder)
    for path in folder.reports:
        if path.is_dir():
            client.log_artifacts(parent_id, str(path), artifact_path=path.name)
        else:
            client.log_artifact(parent_id, str(path))
    for index, cell in enumerate(new, 1):
        export_cell(client, exported.experiment_id, parent_id, cell)
        exported.cells.add((cell.key, cell.sha256))
        exported.added += 1
        progress.info(f"nnbench: exported {cell.name} ({index}/{len(new)} of {folder.name})")


def export_mlflow(
    run_dirs: Sequence[Path], tracking_uri: str | None, experiment: str | None
) -> list[str]:
    """Export the run folders to the tracking store ``tracking_uri`` (MLflow's default when
    None); return what was exported, one line per experiment, and the tracking URI. MLflow's
    own errors (an unknown URI, a store it refuses) are ConfigErrors."""
    try:
        from mlflow import MlflowClient, get_tracking_uri
        from mlflow.exceptions import MlflowException
    except ImportError:
        raise ConfigError(
            "--to mlflow needs MLflow, which is not installed: pip install 'nnbench[mlflow]'"
        ) from None
    folders = folder_runs(run_dirs)
    uri = tracking_uri or get_tracking_uri()
    experiments: dict[str, Exported] = {}
    try:
        client = MlflowClient(tracking_uri=uri)
        for folder in folders:
            name = experiment or folder.experiment
            if name not in experiments:
                experiments[name] = experiment_of(client, name)
            export_folder(client, experiments[name], folder)
    except MlflowException as exc:
        raise ConfigError(f"MLflow at {uri}: {exc.message}") from None
    lines = [
        f"experiment {name!r}: {progress.counted(done.added, 'run')} exported, {done.skipped} "
        "skipped as already exported"
        for name, done in experiments.items()
    ]
    return [*lines, f"tracking URI: {uri}"]
