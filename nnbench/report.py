"""Tables from result files: the seed's per-class table per model and one comparison per dataset."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from tabulate import tabulate

from nnbench.files import atomic_write_text
from nnbench.results import Result

TABLE_FORMAT = "github"
MISSING = "–"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def dataset_heading(result: Result) -> str:
    """The dataset's name, marked when its data are synthetic."""
    synthetic = result.get("data", {}).get("synthetic", False)
    return f"{result['dataset']} (synthetic data)" if synthetic else result["dataset"]


def fmt(value: float | None, spec: str) -> str:
    """``value`` formatted with ``spec``, or a dash when missing."""
    return MISSING if value is None else format(value, spec)


def seed_table(result: Result) -> str:
    """The seed's layout: ``y: <class>... All`` by ``Training Set``/``Test Set``, two decimals."""
    classes = list(result["metrics"]["test"]["per_class"])
    rows = [
        [label]
        + [fmt(result["metrics"][split]["per_class"].get(name), ".2f") for name in classes]
        + [fmt(result["metrics"][split]["accuracy"], ".2f")]
        for label, split in (("Training Set", "train"), ("Test Set", "test"))
    ]
    return tabulate(
        rows,
        headers=["y:", *classes, "All"],
        tablefmt=TABLE_FORMAT,
        disable_numparse=True,
        colalign=("left",) + ("right",) * (len(classes) + 1),
    )


def parameters_cell(result: Result) -> str:
    """Parameter count; for sparse models, the non-zero coefficients out of the total."""
    if result["n_params"] is None:
        return MISSING
    nonzero = result.get("model_info", {}).get("n_nonzero")
    if nonzero is not None:
        return f"{nonzero:,} non-zero of {result['n_params']:,}"
    return f"{result['n_params']:,}"


def one_line(text: str | None) -> str:
    """The first line of ``text``, without terminal colour codes or table-breaking pipes."""
    first = ANSI_ESCAPE.sub("", text or "no reason given").strip().split("\n", 1)[0]
    return first.replace("|", "\\|")


def status_cell(result: Result) -> str:
    """``ok``, ``ok (not converged)``, ``failed: <error>`` or ``skipped`` (reasons go below)."""
    if result["status"] == "skipped":
        return "skipped"
    if result["status"] != "ok":
        return f"failed: {one_line(result['error'])}"
    if result.get("model_info", {}).get("converged") is False:
        return "ok (not converged)"
    return "ok"


def split_accuracy(result: Result, split: str) -> float | None:
    """Overall accuracy on ``split``, None for a failed cell."""
    return result["metrics"].get(split, {}).get("accuracy")


def comparison_table(results: Sequence[Result]) -> str:
    """One row per model: accuracies, timings, parameters and status."""
    rows = [
        [
            result["model"],
            fmt(split_accuracy(result, "test"), ".4f"),
            fmt(split_accuracy(result, "train"), ".4f"),
            fmt(result["timing"].get("fit_s"), ".1f"),
            fmt(result["timing"].get("predict_s"), ".2f"),
            parameters_cell(result),
            status_cell(result),
        ]
        for result in results
    ]
    return tabulate(
        rows,
        headers=["model", "test acc", "train acc", "fit s", "predict s", "parameters", "status"],
        tablefmt=TABLE_FORMAT,
        disable_numparse=True,
        colalign=("left", "right", "right", "right", "right", "right", "left"),
    )


def environment_line(results: Sequence[Result]) -> str:
    """One line naming the machine and library versions of the first result."""
    env = {key: value for key, value in results[0]["env"].items() if value is not None}
    devices = sorted({str(result["env"].get("device", "unknown")) for result in results})
    return (
        f"Machine: {env.get('cpu', 'unknown CPU')}, {env.get('cores', '?')} cores; "
        f"device {', '.join(devices)}; Python {env.get('python', '?')}, "
        f"scikit-learn {env.get('sklearn', '?')}, "
        f"TensorFlow {env.get('tensorflow', 'not installed')}, "
        f"Keras {env.get('keras', '?')} ({env.get('keras_backend', '?')} backend); "
        f"commit {env.get('git_commit', 'unknown')}."
    )


def skip_list(results: Sequence[Result]) -> str:
    """Each reason for skipping once, with the models it applies to."""
    models_by_reason: dict[str, list[str]] = {}
    for result in results:
        if result["status"] == "skipped":
            reason = one_line(result.get("skip_reason"))
            models_by_reason.setdefault(reason, []).append(result["model"])
    return "\n".join(
        f"- Skipped {', '.join(dict.fromkeys(models))}: {reason}"
        for reason, models in models_by_reason.items()
    )


def render_report(results: Sequence[Result]) -> str:
    """The Markdown report: per dataset, the comparison table and the reasons for skipped cells,
    then each model's seed table."""
    sections = ["# nnbench results"]
    datasets = list(dict.fromkeys(result["dataset"] for result in results))
    for dataset in datasets:
        cells = [result for result in results if result["dataset"] == dataset]
        ran = [result for result in cells if result["status"] != "skipped"]
        sections.append(f"## {dataset_heading(cells[0])}")
        if ran:
            sections.append(comparison_table(cells))
        if len(ran) < len(cells):
            sections.append(skip_list(cells))
        for result in ran:
            title = f"### {result['model']} (seed {result['seed']})"
            body = seed_table(result) if result["status"] == "ok" else f"*{status_cell(result)}*"
            sections.append(f"{title}\n\n{body}")
    sections.append(environment_line(results))
    return "\n\n".join(sections) + "\n"


def write_report(results: Sequence[Result], run_dir: Path) -> Path:
    """Write ``report.md`` into ``run_dir`` atomically; return its path."""
    path = run_dir / "report.md"
    atomic_write_text(path, render_report(results))
    return path
