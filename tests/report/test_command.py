"""``nnbench report``: which files it writes where, what it prints, and bad input."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from nnbench.cli import main
from nnbench.results import write_result
from tests.conftest import main_in_fresh_python
from tests.report.sample import DATASET, ENV, sample_results
from tests.test_results import make_result

FILES = ["report.csv", "report.html", "report.md", "report.tex"]


@pytest.fixture()
def run(tmp_path: Path) -> Path:
    """A run folder holding the sample's result files, in the order they ran."""
    folder = tmp_path / "run"
    for index, result in enumerate(sample_results()):
        write_result({**result, "cell_id": f"c{index}", "cell_index": index}, folder)
    return folder


@pytest.mark.slow
def test_report_writes_every_format_and_the_plots_into_the_run_folder(run: Path, capsys):
    assert main(["report", str(run), "--target", "0.9"]) == 0
    printed = capsys.readouterr()
    assert sorted(path.name for path in run.glob("report.*")) == FILES
    assert len(list(run.glob("plots/*.png"))) == len(list(run.glob("plots/*.svg"))) == 10
    assert printed.out == (run / "report.md").read_text()
    assert "| dense_nn    |     2.2 ± 3.2 s (epoch 2) |" in printed.out
    assert f"nnbench: wrote {run / 'report.md'}, " in printed.err


@pytest.mark.slow
def test_one_format_is_printed_without_plots_or_written_with_them(run: Path, tmp_path, capsys):
    assert main(["report", str(run), "--format", "latex"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(r"\documentclass{article}") and "includegraphics" not in printed
    assert not list(run.glob("report.*")) and not (run / "plots").exists()
    paper = tmp_path / "paper"
    paper.mkdir()
    assert main(["report", str(run), "--format", "latex", "--output", str(paper / "t.tex")]) == 0
    assert r"\includegraphics" in (paper / "t.tex").read_text()
    assert len(list(paper.glob("plots/*.png"))) == 10
    assert main(["report", str(run), "--format", "csv", "--output", str(paper)]) == 0
    assert (paper / "report.csv").read_text().startswith("dataset,synthetic,model,seeds,")


@pytest.mark.slow
def test_html_on_stdout_embeds_its_plots(run: Path, capsys):
    assert main(["report", str(run), "--format", "html"]) == 0
    assert capsys.readouterr().out.count('<img src="data:image/png;base64,') == 10


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--target", "1.5"], "argument --target: must be a finite number at least 0"),
        (["--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
    ],
)
def test_bad_report_flags_exit_2(run: Path, flags, message, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["report", str(run), *flags])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_an_unwritable_output_is_named_and_exits_2(run: Path, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["report", str(run), "--output", str(blocker / "out")]) == 2
    assert f"Cannot write --output {blocker / 'out'}" in capsys.readouterr().err
    assert not list(run.glob("report.*"))


@pytest.mark.slow
def test_an_unwritable_run_folder_is_named_with_the_fix_and_exits_2(run: Path, monkeypatch, capsys):
    def refuse(report, files):
        raise PermissionError(errno.EACCES, "Permission denied", str(files["md"]))

    monkeypatch.setattr("nnbench.report.publish.write_report", refuse)
    assert main(["report", str(run)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.endswith(
        f"Cannot write the report into the run folder {run}: Permission denied. "
        "Pass --output DIR to write it elsewhere.\n"
    )


def test_help_shows_a_single_percent_sign(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["report", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert caught.value.code == 0 and "%%" not in out
    assert "(mean ± 95% t-interval, n)" in out


@pytest.mark.slow
def test_report_never_imports_tensorflow(run: Path):
    assert main_in_fresh_python(["report", str(run)]) == (0, False)


@pytest.mark.slow
def test_several_run_folders_pool_into_one_report_in_the_output_folder(run: Path, tmp_path, capsys):
    other = tmp_path / "other"
    write_result(make_result(dataset=DATASET, seed=7, cell_id="x", env=ENV), other)
    out = tmp_path / "pooled"
    assert main(["report", str(run), str(other), "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert sorted(path.name for path in out.glob("report.*")) == FILES
    assert "over seeds (n = 2)" in printed  # seeds 0 (run) and 7 (other)
    assert f"From 7 result files in {run}, {other}." in printed
    assert main(["report", str(run), str(run)]) == 2
    assert "this run folder is given twice" in capsys.readouterr().err


@pytest.mark.slow
def test_an_output_with_a_trailing_slash_is_a_folder(run: Path, tmp_path):
    folder = tmp_path / "new"
    assert main(["report", str(run), "--format", "html", "--output", f"{folder}/"]) == 0
    assert (folder / "report.html").is_file() and len(list(folder.glob("plots/*.png"))) == 10


def test_a_dataset_where_every_cell_failed_still_shows_each_failure(tmp_path, capsys):
    folder = tmp_path / "run"
    for model in ("naive_bayes", "cnn"):
        failed = make_result(model=model, status="failed", error=f"{model} broke", metrics={})
        write_result({**failed, "cell_id": model}, folder)
    assert main(["report", str(folder), "--format", "md"]) == 0
    printed = capsys.readouterr().out
    assert "### naive_bayes (seed 0)\n\nfailed: naive_bayes broke\n" in printed
    assert "### cnn (seed 0)\n\nfailed: cnn broke\n" in printed
