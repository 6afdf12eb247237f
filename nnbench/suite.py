"""Suite files: which models run on which dataset, with which parameters (``benchmarks/*.toml``).

A model is a registered name, a plugin, or a reference to user code; a file reference
(``my_models.py:NAME``) and a dataset's path (``folder:images``) are relative to the suite
file's folder. A model's table may declare a ``grid`` (each combination of its values is a cell
of its own) and named ``variants`` (each a configuration of its own); see :func:`expand`.
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnbench.datasets import check_dataset_name, resolve_dataset_path
from nnbench.errors import ConfigError, UnknownNameError
from nnbench.models import check_model_name
from nnbench.options import check_json_value, parameter_label
from nnbench.references import resolve_file
from nnbench.schemas import validated
from nnbench.schemas.result_types import Params
from nnbench.schemas.suite import SuiteDocument, SuiteHeader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]  # 3.10 only

#: the lecture's protocol, shipped inside the package so that any installation can run it
DEFAULT_SUITE = Path(__file__).resolve().parent / "studies" / "lecture.toml"


SAME_AS = "same_as"
SKIP = "skip"
GRID = "grid"
VARIANTS = "variants"
#: the key of a model's table that holds its validation fraction (not a parameter)
VALIDATION = "validation"
#: the key of a model's table that holds the seconds one of its cells may run (not a parameter)
TIMEOUT = "timeout"


@dataclass(frozen=True)
class Config:
    """One configuration of a model on a dataset: its parameters; its label, the variant's name
    and the grid's values (None for a table without either); and where it is written."""

    params: Params
    label: str | None = None
    where: str = ""
    #: the share of the training images held out for validation (see nnbench.validation)
    validation: float | None = None
    #: the seconds one run of a cell may take on its worker (None: no limit)
    timeout: float | None = None


@dataclass(frozen=True)
class Suite:
    """A named protocol: dataset -> model -> configurations, with reasons for cells skipped by
    default. ``default_datasets`` are the ones ``nnbench all`` runs when no ``--dataset`` is
    given.
    """

    name: str
    description: str
    path: Path
    protocol: dict[str, dict[str, list[Config]]]
    skips: dict[tuple[str, str], str] = field(default_factory=dict)
    default_datasets: tuple[str, ...] = ()

    def models(self, dataset: str) -> list[str]:
        """Models the suite runs on ``dataset`` (none when the suite does not list it)."""
        return list(self.protocol.get(dataset, {}))

    def configs(self, dataset: str, model: str) -> list[Config]:
        """The suite's configurations of ``model`` on ``dataset``: one per variant and grid
        point; one with no parameters (the model's defaults) when the suite has no table."""
        return list(self.protocol.get(dataset, {}).get(model, [Config({})]))

    def skip_reason(self, dataset: str, model: str) -> str | None:
        """Why the suite skips this pair unless it is asked for by name (None: it runs)."""
        return self.skips.get((dataset, model))


def read_document(path: Path) -> tuple[SuiteHeader, dict[str, Any]]:
    """The suite file's ``[suite]`` header and its ``[datasets]`` tables, outline checked."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Suite file {path} does not exist. Pass --suite FILE.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Suite file {path} cannot be read: {exc}") from exc
    if not document.get("datasets"):
        raise ConfigError(
            f"Suite file {path} has no [datasets.NAME.MODEL] tables; see "
            "nnbench/studies/lecture.toml."
        )
    outline = validated(SuiteDocument, document, f"Suite file {path}", ConfigError)
    return outline.suite, document["datasets"]


def take_skips(protocol: dict[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Check every name; remove each ``skip`` reason and return them by cell."""
    skips = {}
    for dataset, models in protocol.items():
        check_dataset_name(dataset)
        for model, params in models.items():
            check_model_name(model)
            if not isinstance(params, dict):
                raise ConfigError(f"datasets.{dataset}.{model} must be a table.")
            reason = params.pop(SKIP, None)
            if reason is not None:
                if not isinstance(reason, str) or not reason.strip():
                    raise ConfigError(f"datasets.{dataset}.{model}.skip must be a reason.")
                skips[dataset, model] = reason.strip()
    return skips


def tables_of(table: dict[str, Any], key: str, where: str, what: str) -> dict[str, Any]:
    """``table[key]``, which must be a non-empty table (``{}`` when absent)."""
    found = table.get(key, {})
    if not isinstance(found, dict) or (key in table and not found):
        raise ConfigError(f"{where}.{key} must be a table of {what}.")
    return found


def expand(table: dict[str, Any], where: str, path: Path) -> list[Config]:
    """The configurations of one model's table (at ``where``, ``datasets.D.M``): each named
    variant (``variants.NAME``, its parameters over the table's) times each combination of the
    ``grid``'s values (a list per parameter, over both). A list parameter's values in a grid are
    lists: ``hidden_units = [[64], [128, 128]]``. ``validation`` and ``timeout`` apply to every
    configuration."""
    reserved = (GRID, VARIANTS, VALIDATION, TIMEOUT)
    base = {key: value for key, value in table.items() if key not in reserved}
    validation = validation_fraction(table.get(VALIDATION), f"{where}.{VALIDATION}")
    timeout = time_limit(table.get(TIMEOUT), f"{where}.{TIMEOUT}")
    variants = tables_of(table, VARIANTS, where, "parameters, one per variant name") or {"": {}}
    grid = tables_of(table, GRID, where, "lists of values, one list per parameter")
    for name, overrides in variants.items():
        if not isinstance(overrides, dict):
            raise ConfigError(f"{where}.{VARIANTS}.{name} must be a table of parameters.")
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where}.{GRID}.{key} must be a non-empty list of values.")
    for key, value in [
        *base.items(),
        *grid.items(),
        *(p for v in variants.values() for p in v.items()),
    ]:
        try:
            check_json_value(value, f"{where}.{key}")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    configs = []
    for variant, overrides in variants.items():
        for values in itertools.product(*grid.values()):
            chosen = dict(zip(grid, values, strict=True))
            point = parameter_label(chosen)
            params = {**base, **overrides, **chosen}
            table_name = f"{where}.{VARIANTS}.{variant}" if variant else where
            written = f"Suite file {path}, table [{table_name}]" + (f", grid {point}" * bool(point))
            label = ", ".join(part for part in (variant, point) if part) or None
            configs.append(Config(params, label, written, validation, timeout))
    return configs


def validation_fraction(value: Any, where: str) -> float | None:
    """A suite's validation fraction, strictly between 0 and 1 (None when absent)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ConfigError(
            f"{where} is {value!r}: give the share of the training images to hold out, a number "
            "between 0 and 1 such as 0.1."
        )
    return float(value)


def time_limit(value: Any, where: str) -> float | None:
    """A suite's time limit in seconds, a finite number above 0 (None when absent)."""
    if value is None:
        return None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not 0 < value < math.inf:
        raise ConfigError(
            f"{where} is {value!r}: give the seconds one cell of this model may run, a number "
            "above 0 such as 600 (--timeout SECONDS goes over it)."
        )
    return float(value)


def default_datasets(header: SuiteHeader, protocol: dict[str, Any], base: Path) -> list[str]:
    """``suite.all``, checked against the file's datasets (all of them when it is absent)."""
    if header.all is None:
        return list(protocol)
    listed = [resolve_dataset_path(name, base) for name in header.all]
    unlisted = [name for name in listed if name not in protocol]
    if unlisted:
        raise ConfigError(
            f"suite.all names {', '.join(unlisted)}, which the file has no tables for; list "
            f"datasets of the file ({', '.join(protocol)})."
        )
    return listed


def load_suite(path: Path) -> Suite:
    """Read and validate a suite file; registered names are checked without importing any
    model (references are imported when the cells are planned)."""
    header, document = read_document(path)
    try:
        protocol = {
            resolve_dataset_path(dataset, path.parent): {
                resolve_file(model, path.parent): params for model, params in models.items()
            }
            for dataset, models in resolve_same_as(document).items()
        }
        skips = take_skips(protocol)
        configs = {
            dataset: {
                model: expand(table, f"datasets.{dataset}.{model}", path)
                for model, table in models.items()
            }
            for dataset, models in protocol.items()
        }
        datasets = default_datasets(header, protocol, path.parent)
    except (ConfigError, UnknownNameError) as exc:
        raise type(exc)(f"Suite file {path}: {exc}") from None
    return Suite(
        name=header.name or path.stem,
        description=header.description,
        path=path,
        protocol=configs,
        skips=skips,
        default_datasets=tuple(datasets),
    )


def resolve_same_as(protocol: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """A copy of the protocol in which ``same_as = "other"`` is replaced by other's tables."""
    resolved = {}
    for dataset, models in protocol.items():
        if not isinstance(models, dict):
            raise ConfigError(f"datasets.{dataset} must be a table of models.")
        if SAME_AS in models:
            target = models[SAME_AS]
            if len(models) > 1 or not isinstance(protocol.get(target), dict):
                raise ConfigError(
                    f"datasets.{dataset}.same_as must be the only key and name another listed "
                    f"dataset; it is {target!r}."
                )
            if SAME_AS in protocol[target]:
                raise ConfigError(f"datasets.{dataset}.same_as names {target!r}, itself a copy.")
            models = protocol[target]
        resolved[dataset] = {
            model: dict(params) if isinstance(params, dict) else params
            for model, params in models.items()
        }
    return resolved
