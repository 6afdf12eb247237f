"""The plan: cells, each one (dataset, model, parameters, seed), made from a suite and flags."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from nnbench.datasets import check_dataset_name, resolve_dataset_path
from nnbench.errors import ConfigError
from nnbench.models import Model, ModelSpec, check_model_name, resolve_model
from nnbench.references import resolve_file
from nnbench.suite import Config, Suite

Size = tuple[int, int]


@dataclass(frozen=True, eq=False)
class Cell:
    """One unit of work: a model with its parameters, on a dataset, with a seed.

    A cell holds everything needed to run it anywhere; ``cell_id`` names it stably. ``model``
    is a registered name or a reference to user code. ``epochs`` overrides the parameter of
    that name for models that have one; ``image_size`` (H, W) resizes the images; ``skip`` is
    the suite's reason for not running the cell; ``variant`` labels one of several
    configurations of the model on the dataset (a variant's name, a grid's values).
    """

    dataset: str
    model: str
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    epochs: int | None = None
    subset: int | None = None
    image_size: Size | None = None
    skip: str | None = None
    variant: str | None = None

    @property
    def cell_id(self) -> str:
        """A short hash of every field: equal cells share it, different cells do not (a cell
        without a variant hashes as before variants existed)."""
        fields = {key: value for key, value in asdict(self).items() if key != "variant"}
        if self.variant is not None:
            fields["variant"] = self.variant
        canonical = json.dumps(fields, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]

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
    epochs: int | None = None,
    subset: int | None = None,
    params: Mapping[str, Any] | None = None,
    image_size: Size | None = None,
) -> list[Cell]:
    """Cells for ``datasets`` x ``models`` x ``seeds``, parameters taken from ``suite``.

    ``datasets`` defaults to the suite's; ``models`` to the ones the suite lists per dataset.
    A (dataset, model) pair that the suite does not list runs with the model's defaults. A pair
    the suite skips is skipped, with its reason, unless ``models`` names it. ``params``
    (``--param``) override the suite's for every model. Names are checked, and references to
    user code imported, so that a model that cannot be found fails before anything runs.
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
    cells = [
        Cell(
            dataset,
            model,
            seed,
            {**config.params, **(params or {})},
            epochs,
            subset,
            image_size,
            skip=suite.skip_reason(dataset, model) if models is None else None,
            variant=config.label,
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


def make_model(cell: Cell) -> Model:
    """The cell's model, with the epochs override applied where the model has epochs."""
    spec = resolve_model(cell.model)
    params = dict(cell.params)
    if cell.epochs is not None and "epochs" in spec.parameter_names():
        params["epochs"] = cell.epochs
    return spec.build(params, seed=cell.seed)
