"""The plan: cells, each one (dataset, model, parameters, seed), made from a suite and flags."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nnbench import __version__
from nnbench.datasets import check_dataset_name, get_dataset, resolve_dataset_path
from nnbench.errors import ConfigError
from nnbench.files import digest
from nnbench.models import Model, check_model_name, model_code, resolve_model
from nnbench.models.spec import ModelSpec
from nnbench.options import parameter_label, scoped_model, scoped_text
from nnbench.references import resolve_file
from nnbench.schemas.result_types import Params
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
    configurations of the model on the dataset (a variant's name, a grid's values, a model's
    own parameters); ``data_fingerprint`` identifies the data's content (see
    ``Dataset.fingerprint``) and ``code`` the model's code (see
    :func:`nnbench.references.code_fingerprint`); ``validation`` is the share of the training
    images held out for every choice, so that the test set is scored once (see
    :mod:`nnbench.validation`); ``timeout`` is the seconds one run of the cell may take on its
    worker (``--timeout``, a suite's ``timeout``), which is not part of its keys: a run resumed
    with another limit keeps its results.
    """

    dataset: str
    model: str
    seed: int = 0
    params: Params = field(default_factory=dict)
    overrides: Params = field(default_factory=dict)
    subset: int | None = None
    image_size: Size | None = None
    skip: str | None = None
    variant: str | None = None
    data_fingerprint: str | None = None
    code: str | None = None
    validation: float | None = None
    timeout: float | None = None

    def protocol(self) -> dict[str, Any]:
        """The fields that say what the cell computes: all of them but its time limit."""
        return {key: value for key, value in asdict(self).items() if key != "timeout"}

    @property
    def cell_id(self) -> str:
        """The cell's key: a short hash of every field but its time limit, and of the nnbench
        version, so that equal cells share it, and a change of data, code, parameters or
        nnbench makes a new key."""
        return digest({**self.protocol(), "nnbench": __version__}, 12)

    @property
    def slot_id(self) -> str:
        """The cell's place in a plan: a hash of every field but the data, the code, the time
        limit and the nnbench version it runs with. A result of the same slot under another
        key is this cell as it ran before one of those changed."""
        return digest({**self.protocol(), "data_fingerprint": None, "code": None}, 12)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self.cell_id == other.cell_id

    def __hash__(self) -> int:
        return hash(self.cell_id)

    def label(self) -> str:
        """``dataset · model [variant] · seed N`` for progress lines."""
        variant = f" [{self.variant}]" if self.variant else ""
        return f"{self.dataset} · {self.model}{variant} · seed {self.seed}"


#: a model the plan runs, with the parameters given to it alone (``REF[KEY=VALUE]``)
Choice = tuple[str, Params]


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
    validation: float | None = None,
    timeout: float | None = None,
) -> list[Cell]:
    """Cells for ``datasets`` x ``models`` x ``seeds``, parameters taken from ``suite``.

    ``datasets`` defaults to the suite's; ``models`` to the ones the suite lists per dataset
    (which it may skip, with a reason; a model named is never skipped). A pair the suite does
    not list runs with the model's defaults. ``params`` (``--param``) go over the suite's for
    every model; a model named ``REF[KEY=VALUE, ...]`` gets its own over both, and they label
    its cells. ``overrides`` (``--epochs``) apply to the models that take them. Names are
    checked and user code imported before anything runs. With ``data_dir``, each cell's key
    includes its data's fingerprint; it always includes its model's code. ``validation``
    (``--validation``) and ``timeout`` (``--timeout``) go over the suite's.
    """
    dataset_names = checked_datasets(suite, datasets)
    chosen = None if models is None else [choice(text) for text in models]
    flags = dict(params or {})
    if chosen is not None:
        check_shared_params(chosen, flags)
    fingerprints = {
        name: None if data_dir is None else get_dataset(name).fingerprint(data_dir)
        for name in dataset_names
    }
    plan = [
        (dataset, model, own)
        for dataset in dataset_names
        for model, own in (chosen if chosen is not None else choices(suite.models(dataset)))
    ]
    check_params(suite, plan, flags)
    cells = [
        Cell(
            dataset,
            model,
            seed,
            {**config.params, **flags, **own},
            dict(overrides or {}),
            subset,
            image_size,
            skip=suite.skip_reason(dataset, model) if chosen is None else None,
            variant=", ".join(filter(None, (config.label, parameter_label(own)))) or None,
            data_fingerprint=fingerprints[dataset],
            code=model_code(model),
            validation=config.validation if validation is None else validation,
            timeout=config.timeout if timeout is None else timeout,
        )
        for dataset, model, own in plan
        for config in suite.configs(dataset, model)
        for seed in seeds
    ]
    return list(dict.fromkeys(cells))  # a repeated name or seed runs once


def checked_datasets(suite: Suite, datasets: Sequence[str] | None) -> list[str]:
    """The datasets asked for (the suite's by default), each name checked; a path named here is
    relative to the working directory."""
    names = (
        list(suite.default_datasets)
        if datasets is None
        else [resolve_dataset_path(name) for name in datasets]
    )
    for name in names:
        check_dataset_name(name)
    return names


def choice(text: str) -> Choice:
    """A ``--model`` item, ``REF`` or ``REF[KEY=VALUE, ...]``: the name checked (a file's path
    made relative to the working directory) and the model's own parameters."""
    try:
        name, own = scoped_model(text)
    except ValueError as exc:
        raise ConfigError(f"--model: {exc}.") from None
    name = resolve_file(name)
    check_model_name(name)
    return name, own


def choices(names: Sequence[str]) -> list[Choice]:
    """Models named without parameters of their own."""
    return [(name, {}) for name in names]


def takes(spec: ModelSpec, key: str) -> bool:
    """Whether the model takes the parameter ``key``."""
    return spec.takes_any() or key in spec.defaults()


def check_shared_params(chosen: Sequence[Choice], flags: Mapping[str, Any]) -> None:
    """Refuse a ``--param`` that some named models take and others do not, with the
    ``--model`` list that gives it to the models that take it, ready to paste. (A parameter
    no model takes is refused by :func:`check_params`, with the model's parameters.)"""
    specs = {name: resolve_model(name) for name, _ in chosen}
    split = [
        key
        for key in flags
        if len({takes(specs[name], key) for name, _ in chosen}) == 2  # some do, some do not
    ]
    if not split:
        return
    key = split[0]
    refusing = [name for name, _ in chosen if not takes(specs[name], key)]
    scoped = ",".join(
        shlex.quote(
            scoped_text(name, {**{k: flags[k] for k in split if takes(specs[name], k)}, **own})
        )
        for name, own in chosen
    )
    shared = "".join(
        f" --param {shlex.quote(f'{k}={json.dumps(v)}')}"
        for k, v in flags.items()
        if k not in split
    )
    raise ConfigError(
        f"--param {key}={json.dumps(flags[key])} goes to every --model, and "
        f"{', '.join(map(repr, refusing))} has no parameter {key!r}. To give it only to the "
        f"models that take it, write it in brackets after them: --model {scoped}{shared}"
    )


def check_params(
    suite: Suite, plan: Sequence[tuple[str, str, dict[str, Any]]], flags: Mapping[str, Any]
) -> None:
    """Check every parameter against its model's declaration, naming where it was given: the
    suite's table, ``--param`` or the model's own brackets. User code is imported now, so that
    a broken file fails before anything runs."""
    unique = {digest([dataset, model, own]): (dataset, model, own) for dataset, model, own in plan}
    for dataset, model, own in unique.values():
        spec = resolve_model(model)
        spec.check_params(dict(flags), "--param", partial=True)
        sources = ["--param"] * bool(flags) + [f"--model {scoped_text(model, own)}"] * bool(own)
        if own:
            spec.check_params(own, sources[-1], partial=True)
        for config in suite.configs(dataset, model):
            check_config(spec, config, {**flags, **own}, sources)


def check_config(
    spec: ModelSpec, config: Config, given: Mapping[str, Any], sources: Sequence[str]
) -> None:
    """Check one configuration of the suite, with the values ``given`` on the command line
    (by ``sources``) over it."""
    spec.check_params(config.params, config.where, partial=True)
    try:  # what only the model can check: a scikit-learn estimator's own constraints
        spec.build({**config.params, **given}, seed=0)
    except ConfigError as exc:  # name where the values were given
        where = [config.where] * bool(config.params) + list(sources)
        raise ConfigError(f"{' with '.join(where)}: {exc}" if where else str(exc)) from None


def cell_params(cell: Cell) -> Params:
    """The cell's parameters, with each override the model takes applied."""
    names = resolve_model(cell.model).parameter_names()
    return {**cell.params, **{k: v for k, v in cell.overrides.items() if k in names}}


def make_model(cell: Cell) -> Model:
    """The cell's model, overrides applied (see :func:`cell_params`)."""
    return resolve_model(cell.model).build(cell_params(cell), seed=cell.seed)
