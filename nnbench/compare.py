"""Paired comparisons between cells, from their stored per-image predictions: which pairs to
compare (within a run, or the same cells across two runs), and each pair's difference, interval,
discordant counts, p-values and verdict, as numbers. The statistics are
:mod:`nnbench.stats.paired`'s; rendering is :mod:`nnbench.presentation`'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd

from nnbench.presentation import label_cells
from nnbench.results import stored_predictions
from nnbench.sidecars import Predictions
from nnbench.stats import CellSummary, estimate, protocol_changes
from nnbench.stats.paired import compare_predictions, holm, seed_test, verdict

#: the significance level of the verdicts, unless ``--alpha`` says otherwise
ALPHA = 0.05
#: the test of one seed's pair, on its per-image predictions
MCNEMAR = "McNemar exact"
#: a pair's verdict when it could not be tested (the reason is in its ``note``)
NOT_TESTED = "not tested"


@dataclass(frozen=True, eq=False)
class Pairing:
    """Two cells of one dataset to compare: ``model`` against ``reference``, by their labels;
    ``note`` says how their parameters differ, when they do."""

    dataset: str
    model: str
    reference: str
    model_cell: CellSummary
    reference_cell: CellSummary
    note: str = ""


@dataclass(frozen=True)
class PairResult:
    """One comparison: of one seed by McNemar's test on its test images, or (``seed`` None) of
    every seed by a test of the per-seed differences. ``diff`` is the model's accuracy less the
    reference's; ``b`` counts the images only the model got right, ``c`` those only the
    reference got right; ``p_adjusted`` is Holm's over the comparisons of one dataset and test.
    """

    dataset: str
    model: str
    reference: str
    seed: int | None
    test: str
    n: int | None = None
    diff: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    b: int | None = None
    c: int | None = None
    p: float | None = None
    p_adjusted: float | None = None
    verdict: str = NOT_TESTED
    note: str = ""
    #: McNemar's chi-square without continuity correction, (b - c)^2 / (b + c), for reference
    statistic: float | None = None

    def record(self) -> dict[str, Any]:
        """The comparison as a JSON record (``compare --json``)."""
        return asdict(self)


def steps(cells: Sequence[CellSummary], order: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (model, reference) of cell positions: each model of ``order`` against the one
    before it among the cells present, and every other cell against each cell of ``order``."""
    ranked = [i for name in order for i, cell in enumerate(cells) if cell.model == name]
    pairs = list(zip(ranked[1:], ranked[:-1], strict=True))
    others = [i for i in range(len(cells)) if i not in ranked]
    return pairs + [(other, reference) for other in others for reference in ranked]


def pairings_within(
    cells: Sequence[CellSummary], reference: str | None = None, order: Sequence[str] = ()
) -> list[Pairing]:
    """What to compare among the successful cells of one run, dataset by dataset: each cell
    against the cell labelled ``reference``; else the steps of ``order`` (model names, weakest
    first) when two of its models are present; else every pair, the later against the
    earlier."""
    found: list[Pairing] = []
    for dataset in dict.fromkeys(cell.dataset for cell in cells):
        present = [cell for cell in cells if cell.dataset == dataset and cell.succeeded]
        labels = label_cells(present)
        if reference is not None:
            base = [i for i, cell in enumerate(present) if labels[cell] == reference]
            pairs = [(i, j) for j in base for i in range(len(present)) if i != j]
        elif sum(cell.model in order for cell in present) >= 2:
            pairs = steps(present, order)
        else:
            pairs = [(j, i) for i, j in itertools.combinations(range(len(present)), 2)]
        found += [
            Pairing(dataset, labels[present[i]], labels[present[j]], present[i], present[j])
            for i, j in pairs
        ]
    return found


def pairings_across(cells: Sequence[CellSummary], base: Sequence[CellSummary]) -> list[Pairing]:
    """The same cells in two runs: each successful cell of ``cells`` against the cell of
    ``base`` with its dataset and label, noting how their parameters differ."""
    found = []
    for dataset in dict.fromkeys(cell.dataset for cell in cells):
        ours = [cell for cell in cells if cell.dataset == dataset and cell.succeeded]
        theirs = [cell for cell in base if cell.dataset == dataset and cell.succeeded]
        base_labels = {label: cell for cell, label in label_cells(theirs).items()}
        for cell, label in label_cells(ours).items():
            if label in base_labels:
                other = base_labels[label]
                changes = protocol_changes(other.protocol, cell.protocol)
                note = "; ".join(f"{old} → {new}" for old, new in changes)
                found.append(Pairing(dataset, label, label, cell, other, note))
    return found


def seed_rows(cell: CellSummary) -> dict[int, pd.Series]:
    """The cell's successful seeds, one row each, by seed."""
    return {int(row["seed"]): row for _, row in cell.with_status("ok").iterrows()}


class PredictionStore:
    """Reads each result's predictions once, however many pairs it is in."""

    def __init__(self) -> None:
        self.read: dict[tuple[str, str], Predictions | None] = {}

    def get(self, row: pd.Series) -> Predictions | None:
        key = (str(row["run"]), str(row["predictions_file"]))
        if key not in self.read:
            self.read[key] = stored_predictions(row)
        return self.read[key]


def seed_comparison(
    pairing: Pairing, seed: int, rows: tuple[pd.Series, pd.Series], store: PredictionStore
) -> PairResult:
    """McNemar's test and the bootstrap interval of one seed's pair, or why it was not tested."""
    shared = PairResult(pairing.dataset, pairing.model, pairing.reference, seed, MCNEMAR)
    shared = replace(shared, note=pairing.note)
    ours, theirs = (store.get(row) for row in rows)
    if ours is None or theirs is None:
        lacking = (
            ""
            if ours is None and theirs is None
            else " for the model"
            if ours is None
            else (" for the reference")
        )
        return replace(shared, note=f"no predictions stored{lacking}")
    if ours.truth_fingerprint != theirs.truth_fingerprint:
        return replace(shared, note="scored on different test images: no pairing")
    found = compare_predictions(ours.correct, theirs.correct)
    return replace(
        shared,
        n=found.n,
        diff=found.diff,
        ci_low=found.ci_low,
        ci_high=found.ci_high,
        b=found.b,
        c=found.c,
        p=found.p,
        statistic=found.statistic,
    )


def over_seeds(pairing: Pairing, per_seed: Sequence[PairResult]) -> PairResult | None:
    """The test of the per-seed differences of a pair tested on two or more seeds."""
    diffs = [result.diff for result in per_seed if result.diff is not None]
    found = seed_test(diffs)
    if found is None:
        return None
    spread = estimate(diffs)
    assert spread is not None and spread.half_width is not None  # two or more differences
    return PairResult(
        pairing.dataset,
        pairing.model,
        pairing.reference,
        None,
        found.name,
        n=found.n,
        diff=spread.mean,
        ci_low=spread.mean - spread.half_width,
        ci_high=spread.mean + spread.half_width,
        p=found.p,
        note=pairing.note,
    )


def adjusted(results: Sequence[PairResult], alpha: float) -> list[PairResult]:
    """``results`` with Holm's adjusted p-values over each (dataset, test) family, and their
    verdicts at ``alpha``."""
    out = list(results)
    families: dict[tuple[str, str], list[int]] = {}
    for index, result in enumerate(out):
        if result.p is not None:
            families.setdefault((result.dataset, result.test), []).append(index)
    for members in families.values():
        p_values = [out[i].p for i in members]
        for i, p_adjusted in zip(
            members, holm([p for p in p_values if p is not None]), strict=True
        ):
            diff = out[i].diff
            assert diff is not None
            out[i] = replace(
                out[i], p_adjusted=p_adjusted, verdict=verdict(diff, p_adjusted, alpha)
            )
    return out


def compare_pairings(pairings: Iterable[Pairing], alpha: float = ALPHA) -> list[PairResult]:
    """Every pairing, seed by seed on the seeds both cells ran, then over seeds where two or
    more were tested; p-values Holm-adjusted per dataset and test, verdicts at ``alpha``."""
    store, results = PredictionStore(), []
    for pairing in pairings:
        ours, theirs = seed_rows(pairing.model_cell), seed_rows(pairing.reference_cell)
        per_seed = [
            seed_comparison(pairing, seed, (ours[seed], theirs[seed]), store)
            for seed in ours
            if seed in theirs
        ]
        if not per_seed:
            results.append(
                PairResult(
                    pairing.dataset,
                    pairing.model,
                    pairing.reference,
                    None,
                    MCNEMAR,
                    note="no seed in common",
                )
            )
        results += per_seed
        overall = over_seeds(pairing, per_seed)
        if overall is not None:
            results.append(overall)
    return adjusted(results, alpha)


def decisive(results: Sequence[PairResult]) -> list[PairResult]:
    """The comparisons a gate decides on: a pair's test over seeds where it has one, else its
    seeds' own tests."""
    pooled = {
        (r.dataset, r.model, r.reference) for r in results if r.seed is None and r.p is not None
    }
    return [
        result
        for result in results
        if result.seed is None or (result.dataset, result.model, result.reference) not in pooled
    ]


def worse(results: Sequence[PairResult]) -> list[PairResult]:
    """The decisive comparisons whose model is significantly worse than its reference."""
    return [result for result in decisive(results) if result.verdict == "worse"]
