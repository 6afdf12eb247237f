"""The plan: cells, each one (dataset, model, parameters, seed), made from a suite and flags."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nnbench import __version__
from nnbench.datasets import check_dataset_name, get_dataset, resolve_dataset_path
from nnbench.errors import ConfigError
from nnbench.models import Model, ModelSpec, check_model_name, resolve_model
from nnbench.references import resolve_file
from nnbench.suite import Config, Suite

Size = tuple[int, int]


@dataclass(frozen=True, eq=False)
class Cell:
    """One unit of work: a model with its parameters, on a dataset, with a seed.

    A cell holds everything needed to run it anywhere, and nothing more: it is what an
    executor sends to a worker. ``model`` is a registered name or a reference to user code.
    ``overrides`` set parameters of the models that take them (``--epochs`` sets ``epochs`` of
    the nets, and leaves naive Bayes alone); ``image_size`` (H, W) resizes the images;
    ``skip`` is the suite's reason for not running the cell; ``variant`` labels one of several
    configurations of the model on the dataset (a variant's name, a grid's values);
    ``data_fingerprint`` identifies the data's content (see ``Dataset.fingerprint``).
    """

    dataset: str
    model: str
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    subset: int | None = None
    image_size: Size | None = None
    skip: str | None = None
    variant: str | None = None
    data_fingerprint: str | None = None

    @property
    def cell_id(self) -> str:
        """The cell's key: a short hash of every field and of the nnbench version, so that
        equal cells share it, and a change of data, parameters or nnbench makes a new key."""
        fields = {**asdict(self), "nnbench": __version__}
        canonical = json.dumps(fields, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self.cell_id == other.cell_id

    def __hash__(self) -> int:
        return hash(self.cell_id)

    def label(self) -> str:
        """``dataset · model [variant] · seed N`` for progress lines."""
        variant = f" [{self.variant}]" if self.variant else ""
        return f"{self.dataset} · {self.model}{variant} · seed {self.seed}"


def build_cells(
    suite: Suite,
    datasets: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    seeds: Sequence[int] = (0,),
    overrides: Mapping[str, Any] | None = None,
    subset: int | None = None,
    params: Mapping[str, Any] | None = None,
    image_size: Size | None = None,
    data_dir: Path | None = None,
) -> list[Cell]:
    """Cells for ``datasets`` x ``models`` x ``seeds``, parameters taken from ``suite``.

    ``datasets`` defaults to the suite's; ``models`` to the ones the suite lists per dataset.
    A (dataset, model) pair that the suite does not list runs with the model's defaults. A pair
    the suite skips is skipped, with its reason, unless ``models`` names it. ``params``
    (``--param``) override the suite's for every model; ``overrides`` (``--epochs``) only for
    the models that take them. Names are checked, and references to user code imported, so that
    a model that cannot be found fails before anything runs. With ``data_dir``, each cell's key
    includes its data's fingerprint.
    """
    if datasets is None:
        dataset_names = list(suite.default_datasets)
    else:  # named here: paths are relative to the working directory
        dataset_names = [resolve_dataset_path(name) for name in datasets]
    for name in dataset_names:
        check_dataset_name(name)
    models = None if models is None else [resolve_file(name) for name in models]
    for name in models or ():
        check_model_name(name)
    fingerprints = {
        name: None if data_dir is None else get_dataset(name).fingerprint(data_dir)
        for name in dataset_names
    }
    cells = [
        Cell(
            dataset,
            model,
            seed,
            {**config.params, **(params or {})},
            dict(overrides or {}),
            subset,
            image_size,
            skip=suite.skip_reason(dataset, model) if models is None else None,
            variant=config.label,
            data_fingerprint=fingerprints[dataset],
        )
        for dataset in dataset_names
        for model in (models if models is not None else suite.models(dataset))
        for config in suite.configs(dataset, model)
        for seed in seeds
    ]
    check_params(suite, cells, params or {})
    return list(dict.fromkeys(cells))  # a repeated name or seed runs once


def check_params(suite: Suite, cells: Sequence[Cell], flags: Mapping[str, Any]) -> None:
    """Check every parameter against its model's declaration, naming where it was given: the
    suite's table or ``--param``. User code is imported now, so that a broken file fails
    before anything runs."""
    for dataset, model in dict.fromkeys((cell.dataset, cell.model) for cell in cells):
        spec = resolve_model(model)
        spec.check_params(dict(flags), "--param", partial=True)
        for config in suite.configs(dataset, model):
            check_config(spec, config, flags)


def check_config(spec: ModelSpec, config: Config, flags: Mapping[str, Any]) -> None:
    """Check one configuration of the suite, with ``--param``'s values over it."""
    spec.check_params(config.params, config.where, partial=True)
    try:  # what only the model can check: a scikit-learn estimator's own constraints
        spec.build({**config.params, **flags}, seed=0)
    except ConfigError as exc:  # name where the values were given
        given = [config.where] * bool(config.params) + ["--param"] * bool(flags)
        where = f"{' with '.join(given)}: " if given else ""
        raise ConfigError(f"{where}{exc}") from None


def cell_params(cell: Cell) -> dict[str, Any]:
    """The cell's parameters, with each override the model takes applied."""
    names = resolve_model(cell.model).parameter_names()
    return {**cell.params, **{k: v for k, v in cell.overrides.items() if k in names}}


def make_model(cell: Cell) -> Model:
    """The cell's model, overrides applied (see :func:`cell_params`)."""
    return resolve_model(cell.model).build(cell_params(cell), seed=cell.seed)
