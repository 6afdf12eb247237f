"""The report's cost table: per dataset, what each successful cell cost to run (its time phase
by phase, peak memory, single-image latency, throughput, parameters and size on disk), the mean
over its seeds. Results before nnbench 0.7 hold only fit time and parameters; their other
cells are dashes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nnbench.presentation import MISSING, Labels, Table, label_cells
from nnbench.report.blocks import Block, Heading, Paragraph, TableBlock
from nnbench.report.sections import ReportInput
from nnbench.report.tables import dataset_title, parameters_cell
from nnbench.result_tables import PHASES
from nnbench.stats import CellSummary

TITLE = "Cost"
NOTE = (
    "What each model cost to run: the mean over its successful seeds. Times are wall-clock "
    "seconds: fit (the model's own fit, as in the comparison), then the cell's phases: load "
    "(reading the data; marked cached when the process had it already), build (the model), "
    "compile (the first step's compile or trace), train (training proper) and score (predicting "
    "and scoring each split). Peak MB is the peak resident memory above the level at the "
    "cell's start, sampled; device peak MB, where a GPU ran, its peak memory in use. p50 and "
    "p95 ms: the latency of one image's predict call, its median and 95th percentile; "
    "images/s is the throughput predicting a batch at a time. Parameters are counted; size on "
    "disk is the saved model's file. 1 kB = 1,000 bytes and 1 MB = 1,000,000 bytes. A dash: "
    "the results hold no such figure (results before nnbench 0.7 hold only fit time and "
    "parameters)."
)
#: the costs the CSV holds beside fit and predict time (when a cell's seeds recorded them), in
#: the units of :func:`nnbench.results.load`'s columns
CSV_COSTS = (
    *PHASES,
    "peak_rss_bytes",
    "device_peak_bytes",
    "latency_p50_s",
    "latency_p95_s",
    "throughput_per_s",
    "parameter_bytes",
    "saved_bytes",
)


def size_text(size: float) -> str:
    """A size on disk in bytes as ``407.1 kB`` or ``1.25 MB`` (1,000 and 1,000,000 bytes)."""
    kilobytes = round(size / 1e3, 1)
    return f"{kilobytes:.1f} kB" if kilobytes < 1000 else f"{size / 1e6:.2f} MB"


def mean_of(column: str, show: Callable[[float], str]) -> Callable[[CellSummary], str]:
    """A cell's text: the mean over its successful seeds of ``column``, as ``show`` writes it,
    or a dash when none recorded it."""

    def text(cell: CellSummary) -> str:
        found = cell.timing(column)
        return MISSING if found is None else show(found.mean)

    return text


def seconds(column: str) -> Callable[[CellSummary], str]:
    """A cell's mean seconds in ``column``, to two decimals."""
    return mean_of(column, lambda value: f"{value:.2f}")


def load_text(cell: CellSummary) -> str:
    """The mean load time, marked ``(cached)`` when every seed that says found its data loaded
    already, or ``(k/n cached)`` when k of its n seeds did."""
    cached = cell.with_status("ok")["data_cached"].dropna().astype(bool)
    text = seconds("load_s")(cell)
    if len(cached) and cached.all():
        return f"{text} (cached)"
    return f"{text} ({int(cached.sum())}/{len(cached)} cached)" if cached.any() else text


def accuracy_text(cell: CellSummary) -> str:
    """The mean test accuracy, to four decimals."""
    found = cell.accuracy("test")
    return MISSING if found is None else f"{found.mean:.4f}"


#: the cost table's columns after the model's: header, and the cell's text
COLUMNS: tuple[tuple[str, Callable[[CellSummary], str]], ...] = (
    ("test acc", accuracy_text),
    ("fit s", seconds("fit_s")),
    ("load s", load_text),
    *((f"{phase} s", seconds(f"{phase}_s")) for phase in ("build", "compile", "train", "score")),
    ("peak MB", mean_of("peak_rss_bytes", lambda value: f"{value / 1e6:.1f}")),
    ("device peak MB", mean_of("device_peak_bytes", lambda value: f"{value / 1e6:.1f}")),
    ("p50 ms", mean_of("latency_p50_s", lambda value: f"{value * 1e3:.2f}")),
    ("p95 ms", mean_of("latency_p95_s", lambda value: f"{value * 1e3:.2f}")),
    ("images/s", mean_of("throughput_per_s", lambda value: f"{value:,.0f}")),
    ("parameters", parameters_cell),
    ("size on disk", mean_of("saved_bytes", size_text)),
)
#: columns shown only when some cell of the dataset has a figure in them (a GPU's memory)
OPTIONAL = ("device peak MB",)


def cost_table(cells: Sequence[CellSummary], labels: Labels) -> Table:
    """One row per successful cell, one column per cost (:data:`COLUMNS`)."""
    texts = {cell: [text(cell) for _, text in COLUMNS] for cell in cells}
    shown = [
        index
        for index, (header, _) in enumerate(COLUMNS)
        if header not in OPTIONAL or any(texts[cell][index] != MISSING for cell in cells)
    ]
    rows = [[labels[cell], *(texts[cell][index] for index in shown)] for cell in cells]
    headers = ["model", *(COLUMNS[index][0] for index in shown)]
    return Table(headers, rows, "l" + "r" * len(shown))


def dataset_cost(cells: Sequence[CellSummary]) -> list[Block]:
    """One dataset's cost table, of its successful cells; nothing when none succeeded."""
    succeeded = [cell for cell in cells if cell.succeeded]
    if not succeeded:
        return []
    labels = label_cells(cells)
    title = dataset_title(cells[0])
    table = cost_table(succeeded, labels)
    return [Heading(f"{TITLE} on {title}", 3), TableBlock(table, f"{TITLE} on {title}.")]


def cost(given: ReportInput) -> list[Block]:
    """The cost section: a table per dataset, after a note on what each column measures."""
    blocks = [block for cells in given.by_dataset().values() for block in dataset_cost(cells)]
    return [Heading(TITLE, 2), Paragraph(NOTE), *blocks] if blocks else []
