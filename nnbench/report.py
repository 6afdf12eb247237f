"""Tables from result files: the seed's per-class table per model and one comparison per dataset."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from tabulate import tabulate

from nnbench.files import atomic_write_text
from nnbench.results import Result
from nnbench.stats import CellSummary, Estimate, summarise

TABLE_FORMAT = "github"
MISSING = "–"
CI_NAME = "half-width of the 95% t-interval"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def dataset_heading(result: Result) -> str:
    """The dataset's name, marked when its data are synthetic."""
    synthetic = result.get("data", {}).get("synthetic", False)
    return f"{result['dataset']} (synthetic data)" if synthetic else result["dataset"]


def fmt(value: Estimate | None, spec: str) -> str:
    """``value`` formatted with ``spec`` (mean ± half-width over several seeds), or a dash."""
    return MISSING if value is None else value.format(spec)


def seed_table(cell: CellSummary) -> str:
    """The seed's layout: ``y: <class>... All`` by ``Training Set``/``Test Set``, two decimals;
    over several seeds, mean ± 95% half-width."""
    classes = list(cell.per_class("test"))
    rows = [
        [label]
        + [fmt(value, ".2f") for value in cell.per_class(split).values()]
        + [fmt(cell.accuracy(split), ".2f")]
        for label, split in (("Training Set", "train"), ("Test Set", "test"))
    ]
    return tabulate(
        rows,
        headers=["y:", *classes, "All"],
        tablefmt=TABLE_FORMAT,
        disable_numparse=True,
        colalign=("left",) + ("right",) * (len(classes) + 1),
    )


def parameters_cell(cell: CellSummary) -> str:
    """Parameter count; for sparse models, the non-zero coefficients (their range over seeds)
    out of the total."""
    ok = cell.with_status("ok")
    if not ok or ok[0]["n_params"] is None:
        return MISSING
    total = ok[0]["n_params"]
    nonzero = sorted({result.get("model_info", {}).get("n_nonzero") for result in ok} - {None})
    if not nonzero:
        return f"{total:,}"
    counts = f"{nonzero[0]:,}" if len(nonzero) == 1 else f"{nonzero[0]:,}–{nonzero[-1]:,}"
    return f"{counts} non-zero of {total:,}"


def one_line(text: str | None) -> str:
    """The first line of ``text``, without terminal colour codes or table-breaking pipes."""
    first = ANSI_ESCAPE.sub("", text or "no reason given").strip().split("\n", 1)[0]
    return first.replace("|", "\\|")


def status_cell(cell: CellSummary) -> str:
    """``ok``, ``ok (not converged)``, ``skipped`` (reasons go below), ``failed: <error>``, or,
    when only some seeds failed, ``failed (seed S; F of N seeds): <error>``."""
    failed = cell.with_status("failed")
    if failed:
        error = one_line(failed[0]["error"])
        if len(failed) == len(cell.results):
            return f"failed: {error}"
        seeds = ", ".join(str(result["seed"]) for result in failed)
        return f"failed (seed {seeds}; {len(failed)} of {len(cell.results)} seeds): {error}"
    if not cell.with_status("ok"):
        return "skipped"
    if any(result.get("model_info", {}).get("converged") is False for result in cell.results):
        return "ok (not converged)"
    return "ok"


def comparison_table(cells: Sequence[CellSummary]) -> str:
    """One row per model: accuracies, timings, parameters and status; with an ``n`` column of
    seeds when any model ran more than one."""
    several = any(len(cell.results) > 1 for cell in cells)
    rows = [
        [
            cell.model,
            *([str(len(cell.with_status("ok")))] if several else []),
            fmt(cell.accuracy("test"), ".4f"),
            fmt(cell.accuracy("train"), ".4f"),
            fmt(cell.timing("fit_s"), ".1f"),
            fmt(cell.timing("predict_s"), ".2f"),
            parameters_cell(cell),
            status_cell(cell),
        ]
        for cell in cells
    ]
    headers = ["model", *(["n"] if several else [])]
    headers += ["test acc", "train acc", "fit s", "predict s", "parameters", "status"]
    return tabulate(
        rows,
        headers=headers,
        tablefmt=TABLE_FORMAT,
        disable_numparse=True,
        colalign=("left",) + ("right",) * (len(headers) - 2) + ("left",),
    )


def describe_environment(envs: Sequence[dict]) -> str:
    """The machine and library versions of the first environment, and every device used."""
    env = {key: value for key, value in envs[0].items() if value is not None}
    devices = sorted({str(each.get("device", "unknown")) for each in envs})
    return (
        f"{env.get('cpu', 'unknown CPU')}, {env.get('cores', '?')} cores; "
        f"device {', '.join(devices)}; Python {env.get('python', '?')}, "
        f"scikit-learn {env.get('sklearn', '?')}, "
        f"TensorFlow {env.get('tensorflow', 'not installed')}, "
        f"Keras {env.get('keras', '?')} ({env.get('keras_backend', '?')} backend); "
        f"commit {env.get('git_commit', 'unknown')}."
    )


def environment_line(results: Sequence[Result]) -> str:
    """One line naming the machine, library versions and devices of the results."""
    return f"Machine: {describe_environment([result['env'] for result in results])}"


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


def seeds_heading(cell: CellSummary) -> str:
    """``### model (seed 0)``, or, over several seeds, what the numbers are."""
    seeds = ", ".join(str(seed) for seed in cell.seeds)
    if len(cell.results) == 1:
        return f"### {cell.model} (seed {seeds})"
    return f"### {cell.model} (seeds {seeds}: mean ± {CI_NAME})"


def render_report(results: Sequence[Result]) -> str:
    """The Markdown report: per dataset, the comparison table and the reasons for skipped cells,
    then each model's seed table. Seeds of one cell are aggregated."""
    sections = ["# nnbench results"]
    cells = summarise(results)
    for dataset in dict.fromkeys(cell.dataset for cell in cells):
        of_dataset = [cell for cell in cells if cell.dataset == dataset]
        ran = [cell for cell in of_dataset if status_cell(cell) != "skipped"]
        sections.append(f"## {dataset_heading(of_dataset[0].results[0])}")
        if ran:
            sections.append(comparison_table(of_dataset))
        if any(len(cell.results) > 1 for cell in ran):
            sections.append(
                f"Values over several seeds are the mean ± the {CI_NAME}; n counts the "
                "seeds that ran successfully."
            )
        if len(ran) < len(of_dataset):
            sections.append(skip_list([r for r in results if r["dataset"] == dataset]))
        for cell in ran:
            ok = bool(cell.with_status("ok"))
            body = seed_table(cell) if ok else f"*{status_cell(cell)}*"
            sections.append(f"{seeds_heading(cell)}\n\n{body}")
    sections.append(environment_line(results))
    return "\n\n".join(sections) + "\n"


def write_report(results: Sequence[Result], run_dir: Path) -> Path:
    """Write ``report.md`` into ``run_dir`` atomically; return its path."""
    path = run_dir / "report.md"
    atomic_write_text(path, render_report(results))
    return path
