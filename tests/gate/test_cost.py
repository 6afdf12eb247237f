"""The gate's costs: peak memory as a ratio to the baseline, failing only above
``--max-memory-growth``, exactly at and beyond its edge; baselines without memory; and the flag's
bad values on the command line."""

from __future__ import annotations

import pytest

from nnbench.cli import main
from nnbench.gate.baseline import make_baseline
from nnbench.gate.render import render_check
from nnbench.gate.rows import check
from nnbench.gate.verdicts import Tolerances
from nnbench.result_tables import tables
from tests.gate.test_baseline import seed_result
from tests.test_results import table_of, tables_of


def with_memory(seed: int, peak_mb: float, device_mb: float | None = None) -> dict:
    """A seed of the gate's two-class cell whose peak memory (nnbench 0.7) was ``peak_mb`` MB,
    and ``device_mb`` on a GPU."""
    memory = {
        "peak_rss_bytes": round(peak_mb * 1e6),
        "start_rss_bytes": 900_000_000,
        "interval_s": 0.01,
        "samples": 100,
        "sampler_cpu_s": 0.002,
        "device_peak_bytes": None if device_mb is None else round(device_mb * 1e6),
    }
    return seed_result(seed, 0.9, 0.8, cost={"memory": memory})


# peak memory 500 and 520 MB: mean 510, sd 14.1; no GPU
BASELINE = make_baseline(tables({"runs/base": [with_memory(0, 500), with_memory(1, 520)]}))
# one seed on a GPU: 400 MB resident, 2,000 MB on the device
ON_GPU = make_baseline(tables({"runs/gpu": [with_memory(0, 400, device_mb=2000)]}))
# made from results before nnbench 0.7: no memory at all
OLD = make_baseline(tables({"runs/old": [seed_result(0, 0.9, 0.8)]}))


def memory_rows(baseline: dict, *results: dict, growth: float | None = None) -> dict:
    """The memory rows of a check of ``results``, by metric: [baseline, now, delta, allowed,
    verdict, failed]."""
    rows = check(baseline, tables_of(*results), Tolerances(max_memory_growth=growth))
    return {
        row.metric: [row.baseline, row.now, row.delta, row.allowed, row.verdict, row.failed]
        for row in rows
        if "memory" in row.metric
    }


def test_the_baseline_stores_peak_memory_beside_the_timing():
    (cell,) = BASELINE["cells"]
    assert cell["peak_rss_bytes"]["values"] == [500_000_000, 520_000_000]
    assert cell["peak_rss_bytes"]["mean"] == 510_000_000
    assert cell["device_peak_bytes"] is None
    assert ON_GPU["cells"][0]["device_peak_bytes"]["mean"] == 2_000_000_000
    assert OLD["cells"][0]["peak_rss_bytes"] is None


@pytest.mark.parametrize(
    "now_mb, verdict, failed",
    [(765, "pass", False), (765.001, "GREW", True), (400, "pass", False)],
)
def test_peak_memory_fails_only_above_x_times_the_baseline(now_mb, verdict, failed):
    # 1.5 × 510 MB = 765 MB: exactly at the limit passes, a kilobyte above it fails
    rows = memory_rows(BASELINE, with_memory(0, now_mb), growth=1.5)
    assert list(rows) == ["peak memory"]  # no GPU on either side: no device row
    baseline, _, delta, allowed, found, gone_wrong = rows["peak memory"]
    assert (baseline, allowed, found, gone_wrong) == (
        "510.0 MB (sd 14.1, n=2)",
        "≤ ×1.5",
        verdict,
        failed,
    )
    assert delta == f"×{now_mb / 510:.2f}"


def test_peak_memory_is_shown_but_not_gated_without_the_flag():
    rows = memory_rows(BASELINE, with_memory(0, 2040), with_memory(1, 2000))
    assert rows == {
        "peak memory": [
            "510.0 MB (sd 14.1, n=2)",
            "2020.0 ± 254.1 MB (n=2)",
            "×3.96",
            "not gated",
            "info",
            False,
        ]
    }


def test_a_baseline_without_memory_says_so_and_fails_nothing():
    gated = memory_rows(OLD, with_memory(0, 900), growth=1.2)
    assert gated == {"peak memory": ["–", "900.0 MB", "–", "no memory in baseline", "info", False]}
    assert memory_rows(OLD, with_memory(0, 900)) == {}  # not gated: nothing to show
    # a run from before nnbench 0.7 against a baseline that has memory
    assert memory_rows(BASELINE, seed_result(0, 0.9, 0.8), growth=1.2)["peak memory"][3:] == [
        "no memory to compare",
        "info",
        False,
    ]


def test_a_gpus_memory_is_gated_like_resident_memory_where_either_side_has_it():
    rows = memory_rows(ON_GPU, with_memory(0, 400, device_mb=3100), growth=1.5)
    assert rows["peak memory"][2:5] == ["×1.00", "≤ ×1.5", "pass"]
    assert rows["device peak memory"] == [
        "2000.0 MB (n=1)",
        "3100.0 MB",
        "×1.55",
        "≤ ×1.5",
        "GREW",
        True,
    ]
    moved = memory_rows(ON_GPU, with_memory(0, 400), growth=1.5)  # now on a CPU
    assert moved["device peak memory"][3:] == ["no memory to compare", "info", False]


def test_the_rule_names_the_memory_limit_or_the_flag_that_sets_it():
    now = with_memory(0, 600)
    for growth, rule in (
        (1.5, "peak memory fails above ×1.5 the baseline's."),
        (None, "peak memory is shown as a ratio to the baseline's and not gated "),
    ):
        tolerances = Tolerances(max_memory_growth=growth)
        rows = check(BASELINE, tables_of(now), tolerances)
        assert rule in render_check(rows, BASELINE, "b.json", table_of(now), tolerances)
    assert "(--max-memory-growth)." in render_check(
        rows, BASELINE, "b.json", table_of(now), Tolerances()
    )


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "argument --max-memory-growth: must be a finite number above 0, got 0"),
        ("-2", "argument --max-memory-growth: must be a finite number above 0, got -2"),
        ("inf", "argument --max-memory-growth: must be a finite number above 0, got inf"),
        ("lots", "argument --max-memory-growth: 'lots' is not a number"),
    ],
)
def test_a_bad_max_memory_growth_exits_2_naming_the_flag(value, message, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["check", "run", "--baseline", "b.json", "--max-memory-growth", value])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err
