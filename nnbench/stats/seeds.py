"""Statistics over seeds: the rows of ``results.load()`` grouped by cell, each metric as mean,
sd and 95% t-interval. The per-seed result files stay as they are.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd
from scipy.special import stdtrit

from nnbench.errors import ResultFileError
from nnbench.files import short_fingerprint
from nnbench.result_tables import ALL, SEED_KEY
from nnbench.results import result_file_name
from nnbench.schemas.result import ENV_KEYS

#: two-sided confidence of the interval shown as "mean ± half-width"
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A metric over ``n`` seeds: mean, sample standard deviation and the half-width of the
    95% t-interval of the mean (both None for a single seed)."""

    mean: float
    sd: float | None
    half_width: float | None
    n: int

    def format(self, spec: str) -> str:
        """``mean ± half-width`` with ``spec``, or the mean alone for one seed."""
        if self.half_width is None:
            return format(self.mean, spec)
        return f"{format(self.mean, spec)} ± {format(self.half_width, spec)}"


def estimate(values: Sequence[float | None]) -> Estimate | None:
    """The estimate of the values that are present (not None or NaN); None when none is."""
    present = [float(value) for value in values if value is not None and not math.isnan(value)]
    if not present:
        return None
    n = len(present)
    mean = math.fsum(present) / n
    if n < 2:
        return Estimate(mean, None, None, n)
    sd = statistics.stdev(present)
    half_width = float(stdtrit(n - 1, 0.5 + CONFIDENCE / 2)) * sd / math.sqrt(n)
    return Estimate(mean, sd, half_width, n)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as ``{"a.b": leaf}``."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        flat.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def protocol_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(before, after)`` descriptions, such as ``("epochs 5", "epochs 3")``, of every entry of
    two protocols that differs."""
    old, new = flatten(dict(before)), flatten(dict(after))
    absent = "(absent)"
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key, absent) != new.get(key, absent):
            name = key.removeprefix("params.")
            changes.append((f"{name} {old.get(key, absent)}", f"{name} {new.get(key, absent)}"))
    return changes


@dataclass(frozen=True, eq=False)
class CellSummary:
    """Every seed of one (dataset, model, protocol): its rows of :func:`nnbench.results.load`."""

    rows: pd.DataFrame

    @property
    def dataset(self) -> str:
        return str(self.rows["dataset"].iloc[0])

    @property
    def model(self) -> str:
        return str(self.rows["model"].iloc[0])

    @property
    def protocol(self) -> dict[str, Any]:
        """The parameters, subset and data sizes every seed shares (free-form: each model has
        its own parameters)."""
        found: dict[str, Any] = json.loads(self.rows["protocol"].iloc[0])
        return found

    @property
    def watched(self) -> str:
        """The split every choice reads (learning curves, time to accuracy, the best of a
        grid): "validation" for a cell with a hold-out, else "test"."""
        return "validation" if self.protocol.get("validation") else "test"

    @property
    def synthetic(self) -> bool:
        return bool(self.rows["synthetic"].iloc[0])

    @property
    def per_seed(self) -> pd.DataFrame:
        """One row per seed, in the order they ran, for the columns every row of a seed shares."""
        return cast(pd.DataFrame, self.rows.drop_duplicates(list(SEED_KEY)))

    @property
    def seeds(self) -> list[int]:
        return [int(seed) for seed in self.per_seed["seed"]]

    @property
    def succeeded(self) -> bool:
        """Whether any seed ran successfully."""
        return bool((self.per_seed["status"] == "ok").any())

    def select(self, side: pd.DataFrame) -> pd.DataFrame:
        """The rows of a side table keyed like this cell's (:attr:`nnbench.results.Tables.epochs`
        or ``.confusion``) that belong to its seeds."""
        keys = self.per_seed[list(SEED_KEY)]
        return cast(
            pd.DataFrame, side.merge(keys, on=list(SEED_KEY), how="inner")[list(side.columns)]
        )

    def with_status(self, status: str) -> pd.DataFrame:
        """The seeds that have ``status`` ("ok", "failed" or "skipped"), one row each."""
        return cast(pd.DataFrame, self.per_seed[self.per_seed["status"] == status])

    def env(self) -> dict[str, Any]:
        """The environment of the first successful seed (else the first seed), by key."""
        first = (self.with_status("ok") if len(self.with_status("ok")) else self.per_seed).iloc[0]
        return {key: plain(first[f"env_{key}"]) for key in ENV_KEYS}

    def classes(self) -> list[str]:
        """The class names, in the order of the first successful seed's test metrics."""
        rows = self.rows[(self.rows["split"] == "test") & (self.rows["class"] != ALL)]
        first = rows[rows["seed"] == rows["seed"].iloc[0]] if len(rows) else rows
        return [str(name) for name in first["class"]]

    def values(self, split: str, name: str = ALL) -> list[float]:
        """The accuracy on ``split`` of class ``name`` (overall by default) of each successful
        seed that has it."""
        rows = self.rows[(self.rows["split"] == split) & (self.rows["class"] == name)]
        return [float(value) for value in rows["accuracy"].dropna()]

    def timings(self, key: str) -> list[float]:
        """A per-cell figure (a time such as "fit_s", or a cost such as "peak_rss_bytes") of
        each successful seed that has it."""
        return [float(value) for value in self.with_status("ok")[key].dropna()]

    def accuracy(self, split: str, name: str = ALL) -> Estimate | None:
        """Accuracy on ``split`` (overall, or of class ``name``) over the successful seeds."""
        return estimate(self.values(split, name))

    def per_class(self, split: str) -> dict[str, Estimate | None]:
        """Per-class accuracy on ``split`` over the successful seeds, by class name."""
        return {name: self.accuracy(split, name) for name in self.classes()}

    def score(self, scores: pd.DataFrame, metric: str, split: str = "test") -> Estimate | None:
        """A metric on ``split`` (see :mod:`nnbench.scores`) over the successful seeds that
        recorded it, from the ``scores`` table (:attr:`nnbench.result_tables.Tables.scores`)."""
        rows = self.select(scores)
        rows = rows[(rows["split"] == split) & (rows["metric"] == metric)]
        return estimate(list(rows["value"]))

    def timing(self, key: str) -> Estimate | None:
        """A per-cell figure (a time or a cost, see :meth:`timings`) over the successful
        seeds."""
        return estimate(self.timings(key))


def plain(value: Any) -> Any:
    """A table cell as a plain Python value: None for a missing value, int for whole numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


#: what can tell two results of one protocol and seed apart, as a clash names it
CLASH_FIELDS = {
    "code": "the model's code",
    "data_fingerprint": "the data",
    "params": "the parameters",
    "env_nnbench": "nnbench",
    "env_git_commit": "the git commit",
}


def clash(first: pd.Series, second: pd.Series) -> str:
    """Why two results of one protocol and seed cannot be pooled: their files, and what
    differs between them."""
    files = [str(Path(row["run"]) / result_file_name(row)) for row in (first, second)]
    differences = [
        f"{what} ({short_fingerprint(plain(first[column]))} against "
        f"{short_fingerprint(plain(second[column]))})"
        for column, what in CLASH_FIELDS.items()
        if plain(first[column]) != plain(second[column])
    ]
    cause = (
        f"They differ in {', '.join(differences)}: report them apart, or pool runs of the same "
        "code and data that used different seeds."
        if differences
        else "They are the same cell run twice (a folder copied, or given twice?): keep one."
    )
    return (
        f"{first['dataset']} · {first['model']} seed {first['seed']} has two results with the "
        f"same protocol, {files[0]} and {files[1]}. {cause}"
    )


def summarise(table: pd.DataFrame) -> list[CellSummary]:
    """The rows of :func:`nnbench.results.load` grouped into cells that differ only by seed, in
    the order the cells first ran.

    A seed that appears twice in one cell is an error that names both files and what differs
    between them (the model's code, say).
    """
    keys = ["dataset", "model", "protocol"]
    seeds = table.drop_duplicates(list(SEED_KEY))
    twice = seeds[seeds.duplicated([*keys, "seed"], keep=False)]
    if len(twice):
        first = twice.iloc[0]
        same = (twice[[*keys, "seed"]] == first[[*keys, "seed"]]).all(axis=1)
        raise ResultFileError(clash(*[row for _, row in twice[same].head(2).iterrows()]))
    return [CellSummary(rows) for _, rows in table.groupby(keys, sort=False, dropna=False)]
