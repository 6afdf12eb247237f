"""The cost table and the plots of accuracy against latency and memory: golden Markdown for a
small hand-made run, dashes for results before nnbench 0.7, the CSV's cost rows, the points
each plot shows and the cells it leaves out, and the cost section in every study's report."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from nnbench.presentation import label_cells
from nnbench.report.cost_plots import FIT_TIME, LATENCY, MEMORY, CostAxis, accuracy_vs_cost
from nnbench.report.cost_section import cost, size_text
from nnbench.report.output import render_text
from nnbench.report.render import markdown
from nnbench.report.scores_section import metrics
from nnbench.report.sections import ReportInput, environment
from nnbench.report.standard import DEFAULT_SECTIONS, with_cost
from nnbench.result_tables import tables
from nnbench.stats import summarise
from tests.report.sample import lecture_report, sample_tables
from tests.test_results import make_result

FACES = {"dataset": "faces-synthetic", "data": {"synthetic": True}}


def measured_seed(seed: int, load_s: float, cached: bool, peak_mb: int, gpu_mb: int | None) -> dict:
    """A CNN seed on the synthetic faces with every cost nnbench 0.7 records."""
    phases = {"load_s": load_s, "build_s": 0.1, "compile_s": 1.2, "train_s": 8.7, "score_s": 0.4}
    memory = {"start_rss_bytes": 10**9, "interval_s": 0.01, "samples": 900, "sampler_cpu_s": 0.01}
    memory |= {"peak_rss_bytes": peak_mb * 10**6}
    memory |= {"device_peak_bytes": None if gpu_mb is None else gpu_mb * 10**6}
    inference = {"latency_n": 200, "throughput_batch": 1000, "throughput_images": 3000}
    inference |= {"latency_p50_s": 0.002 + seed / 1000, "latency_p95_s": 0.004 + seed / 1000}
    inference |= {"throughput_per_s": 12000.0 + 1000 * seed}
    return make_result(
        dataset=FACES["dataset"],
        model="cnn",
        seed=seed,
        n_params=260_298,
        timing={"fit_s": 10.0 + seed, "predict_s": 0.2, **phases},
        data={"synthetic": True, "cached": cached},
        cost={
            "memory": memory,
            "inference": inference,
            "size": {"parameter_bytes": 1_041_192, "saved_bytes": 3_160_000 + seed * 10_000},
        },
    )


def small_run() -> list[dict]:
    """Naive Bayes from before nnbench 0.7, a CNN measured on two seeds (one on a GPU), and a
    failed dense net, on synthetic faces."""
    return [
        make_result(**FACES),
        measured_seed(0, 0.8, False, 700, gpu_mb=None),
        measured_seed(1, 0.0, True, 720, gpu_mb=1500),
        make_result(**FACES, model="dense_nn", status="failed", error="boom", metrics={}),
    ]


def test_the_cost_table_golden():
    text = markdown(lecture_report(tables({"run": small_run()}), with_plots=False))
    section = text.split("\n## Cost\n\n")[1].split("\n## Environment")[0]
    note, table = section.split("\n\n", 1)
    assert note.startswith("What each model cost to run: the mean over its successful seeds.")
    assert "1 MB = 1,000,000 bytes" in note
    assert table == (
        "### Cost on faces-synthetic (synthetic data)\n\n"
        "| model       |   test acc |   fit s |            load s |   build s |   compile s |   train s |   score s |   peak MB |   device peak MB |   p50 ms |   p95 ms |   images/s |   parameters |   size on disk |\n"
        "|-------------|------------|---------|-------------------|-----------|-------------|-----------|-----------|-----------|------------------|----------|----------|------------|--------------|----------------|\n"
        "| naive_bayes |     0.8400 |    1.50 |                 – |         – |           – |         – |         – |         – |                – |        – |        – |          – |        7,850 |              – |\n"
        "| cnn         |     0.8400 |   10.50 | 0.40 (1/2 cached) |      0.10 |        1.20 |      8.70 |      0.40 |     710.0 |           1500.0 |     2.50 |     4.50 |     12,500 |      260,298 |        3.17 MB |\n"
    )  # fmt: skip


def test_the_cost_table_marks_data_cached_on_every_seed_and_leaves_the_gpu_column_out():
    run = [measured_seed(0, 0.0, True, 700, None), measured_seed(1, 0.0, True, 720, None)]
    text = markdown(lecture_report(tables({"run": run}), with_plots=False))
    table = text.split("### Cost on faces-synthetic (synthetic data)\n\n")[1]
    header, _, row = table.splitlines()[:3]
    assert "device peak MB" not in header
    assert "| 0.00 (cached) |" in row


def test_a_report_with_no_successful_cell_has_no_cost_section():
    failed = make_result(status="failed", error="boom", metrics={})
    given = ReportInput(tables({"run": [failed]}), summarise(tables({"run": [failed]}).classes))
    assert cost(given) == []


@pytest.mark.slow
def test_every_report_gets_the_cost_section_before_its_environment():
    assert with_cost((metrics, environment)) == (metrics, cost, environment)
    assert with_cost((metrics,)) == (metrics, cost)
    assert with_cost(DEFAULT_SECTIONS) == DEFAULT_SECTIONS  # listed already: not twice
    lines = render_text(lecture_report(sample_tables(), with_plots=False), "md").splitlines()
    level_two = [line for line in lines if line.startswith("## ")]
    assert level_two[-2:] == ["## Cost", "## Environment"]


@pytest.mark.parametrize(
    "size, text",
    [(1_250_000, "1.25 MB"), (126_600, "126.6 kB"), (999_949, "999.9 kB"), (999_951, "1.00 MB")],
)
def test_sizes_on_disk_are_in_kb_below_a_megabyte(size, text):
    assert size_text(size) == text


@pytest.mark.slow
def test_the_csv_holds_the_costs_a_cell_recorded():
    frame = pd.read_csv(io.StringIO(render_text(lecture_report(sample_tables()), "csv")))
    dense = frame[frame.model == "dense_nn"].set_index("metric")
    assert dense.loc["peak_rss_bytes", ["mean", "n"]].tolist() == [516_000_000, 2]
    assert dense.loc["latency_p50_s", "mean"] == pytest.approx(0.0012)
    assert dense.loc["load_s", "mean"] == pytest.approx(0.2)
    assert "device_peak_bytes" not in dense.index  # neither seed ran on a GPU
    bayes = frame[frame.model == "naive_bayes"]
    assert set(bayes.metric) - {"accuracy", "time_to_test_accuracy_s"} == {"fit_s", "predict_s"}


def plotted(axis: CostAxis, dataset: str = "idx:/data/hand_made 100%") -> tuple[list[float], str]:
    """The x of each point of the sample's plot of ``dataset`` against ``axis``, and the label
    under its x-axis."""
    cells = [cell for cell in summarise(sample_tables().classes) if cell.dataset == dataset]
    shown = [cell for cell in cells if cell.succeeded]
    axes = accuracy_vs_cost(shown, label_cells(shown), axis).axes[0]
    return [float(bars.lines[0].get_xdata()[0]) for bars in axes.containers], axes.get_xlabel()


def test_each_plot_shows_the_cells_with_its_cost_and_names_the_others():
    # naive Bayes has a fit time; the dense net (mean of two seeds) has every cost
    assert plotted(FIT_TIME) == ([0.25, 2.25], "fit time, s (log scale)")
    points, label = plotted(LATENCY)
    assert points == [pytest.approx(1.2)]  # ms: (1.1 + 1.3) / 2
    assert label == (
        "latency of one image, median, ms (log scale)\n"
        "not shown, no single-image latency (p50) recorded: naive_bayes"
    )
    points, label = plotted(MEMORY)
    assert points == [pytest.approx(516.0)]  # MB: (512 + 520) / 2
    assert label.endswith("\nnot shown, no peak memory recorded: naive_bayes")


@pytest.mark.slow
def test_a_dataset_where_no_cell_has_a_cost_gets_no_plot_of_it():
    stems = [
        block.stem for block in lecture_report(sample_tables()).blocks if hasattr(block, "stem")
    ]
    assert [stem for stem in stems if "-accuracy-vs-" in stem] == [
        "idx-data-hand_made-100-2745a821-accuracy-vs-fit-time",
        "idx-data-hand_made-100-2745a821-accuracy-vs-latency",
        "idx-data-hand_made-100-2745a821-accuracy-vs-memory",
        "mnist-accuracy-vs-fit-time",  # MNIST's result predates nnbench 0.7
    ]
