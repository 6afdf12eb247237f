"""The interval a table shows beside an accuracy: over seeds (the t-interval of the mean) when
two or more seeds ran, else over the test images of the one seed (Wilson's). Which one it is
travels with it, so that no table mixes the two silently."""

from __future__ import annotations

from dataclasses import dataclass

from nnbench.result_tables import ALL
from nnbench.stats.paired import wilson_interval
from nnbench.stats.seeds import CellSummary


@dataclass(frozen=True)
class Interval:
    """A 95% interval, what it is over ("seeds", or "test images" and the like), and ``n``:
    the seeds, or the images."""

    low: float
    high: float
    over: str
    n: int


def accuracy_interval(cell: CellSummary, split: str = "test", name: str = ALL) -> Interval | None:
    """The 95% interval of the cell's accuracy on ``split`` (of class ``name``): the t-interval
    over its successful seeds when there are two or more, else Wilson's over the images of its
    one seed; None when no seed succeeded."""
    found = cell.accuracy(split, name)
    if found is None:
        return None
    if found.half_width is not None:
        return Interval(
            found.mean - found.half_width, found.mean + found.half_width, "seeds", found.n
        )
    rows = cell.rows[(cell.rows["split"] == split) & (cell.rows["class"] == name)]
    rows = rows.dropna(subset=["accuracy", "n_images"])
    if not len(rows):
        return None
    n = int(rows["n_images"].iloc[0])
    low, high = wilson_interval(round(found.mean * n), n)
    return Interval(low, high, "test images" if split == "test" else f"{split} images", n)
