"""How often ``nnbench history`` flags a step that is not there, and how often it finds one that
is: its step detection over N synthetic 30-commit series per scenario (3 seeds per commit, fit
times with 5% lognormal noise per result), with no step, or with an accuracy step of 0.04 from
commit 17 and a fit-time step of x1.5 from commit 23, with and without stored per-image
predictions. Each series is one model of a synthetic history, independent of the others; a
false alarm is a step anywhere a step was not planted.

    python benchmarks/history_false_alarms.py
    python benchmarks/history_false_alarms.py --series 100
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from perf_files import PERF_DIR, write_perf

from nnbench.history.detect import History, build_history
from nnbench.history.synthetic import Plan, write_synthetic_history
from nnbench.presentation import Table, markdown_table

#: where the steps are planted (commits counted from 0: commit 17 and commit 23)
ACCURACY_STEP, TIME_STEP = (16, 0.04), (22, 1.5)


def scenarios() -> dict[str, dict[str, Any]]:
    """The plans' settings by scenario."""
    steps = {"accuracy_step": ACCURACY_STEP, "time_step": TIME_STEP}
    return {
        "no step, predictions": {},
        "no step, no predictions": {"predictions": False},
        "steps, predictions": steps,
        "steps, no predictions": {**steps, "predictions": False},
    }


def tally(history: History, commits: list[str], plan: Plan) -> dict[str, int]:
    """Over the series of one history: false steps of each kind, planted steps found at their
    commit, and those the paired test alone found."""
    planted = {
        "metric": commits[ACCURACY_STEP[0]] if plan.accuracy_step else None,
        "time": commits[TIME_STEP[0]] if plan.time_step else None,
    }
    counts = dict.fromkeys(["series", "false metric", "false time", "false any"], 0)
    counts |= dict.fromkeys(["metric found", "time found", "paired found"], 0)
    for series in history.series:
        steps = [(point.revision.key, step) for point in series.points for step in point.steps]
        false = {step.kind for key, step in steps if key != planted[step.kind]}
        counts["series"] += 1
        counts["false metric"] += "metric" in false
        counts["false time"] += "time" in false
        counts["false any"] += bool(false)
        for key, step in steps:
            if key == planted[step.kind]:
                counts[f"{step.kind} found"] += 1
                paired = step.paired_p is not None and step.paired_p < history.alpha / 2
                counts["paired found"] += step.kind == "metric" and paired
    return counts


def run(name: str, settings: dict[str, Any], series: int, folder: Path) -> dict[str, Any]:
    """Detect steps in ``series`` synthetic series of one scenario; the rates per series."""
    started = time.perf_counter()
    plan = Plan(models=tuple(f"model-{index:03d}" for index in range(series)), **settings)
    where = folder / name.replace(", ", "-").replace(" ", "_")
    commits = write_synthetic_history(where, plan)
    totals = tally(build_history([where]), commits, plan)
    planted = plan.accuracy_step is not None
    return {
        "scenario": name,
        "series": totals["series"],
        **{
            f"false_{kind}_rate": totals[f"false {kind}"] / totals["series"]
            for kind in ("metric", "time", "any")
        },
        **{
            f"{kind}_detection_rate": totals[f"{kind} found"] / totals["series"]
            if planted
            else None
            for kind in ("metric", "time", "paired")
        },
        "seconds": time.perf_counter() - started,
    }


def rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def table(rows: list[dict[str, Any]]) -> Table:
    headers = ["scenario", "series", "false metric", "false time", "false any"]
    headers += ["metric found", "time found", "by paired test", "s"]
    body = [
        [
            row["scenario"],
            str(row["series"]),
            rate(row["false_metric_rate"]),
            rate(row["false_time_rate"]),
            rate(row["false_any_rate"]),
            rate(row["metric_detection_rate"]),
            rate(row["time_detection_rate"]),
            rate(row["paired_detection_rate"]),
            f"{row['seconds']:.0f}",
        ]
        for row in rows
    ]
    return Table(headers, body, "lrrrrrrrr")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=50, help="series per scenario")
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        rows = [
            run(name, settings, args.series, Path(folder)) for name, settings in scenarios().items()
        ]
    title = (
        f"Step detection of `nnbench history` over {args.series} synthetic 30-commit series "
        "per scenario (3 seeds per commit; rates per series; α = 0.05, time ratio 1.2; "
        "planted: accuracy 0.90 → 0.86 from commit 17, fit time ×1.5 from commit 23)."
    )
    write_perf(args.out, "history_false_alarms", title, markdown_table(table(rows)), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
