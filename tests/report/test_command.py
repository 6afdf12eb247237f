"""``nnbench report``: which files it writes where, what it prints, and bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nnbench.cli import main
from nnbench.results import write_result
from tests.report.sample import sample_results

FILES = ["report.csv", "report.html", "report.md", "report.tex"]


@pytest.fixture()
def run(tmp_path: Path) -> Path:
    """A run folder holding the sample's result files, in the order they ran."""
    folder = tmp_path / "run"
    for index, result in enumerate(sample_results()):
        write_result({**result, "cell_id": f"c{index}", "cell_index": index}, folder)
    return folder


def test_report_writes_every_format_and_the_plots_into_the_run_folder(run: Path, capsys):
    assert main(["report", str(run), "--target", "0.9"]) == 0
    printed = capsys.readouterr()
    assert sorted(path.name for path in run.glob("report.*")) == FILES
    assert len(list(run.glob("plots/*.png"))) == len(list(run.glob("plots/*.svg"))) == 8
    assert printed.out == (run / "report.md").read_text()
    assert "| dense_nn    |     2.2 ± 3.2 s (epoch 2) |" in printed.out
    assert f"nnbench: wrote {run / 'report.md'}, " in printed.err


def test_one_format_is_printed_without_plots_or_written_with_them(run: Path, tmp_path, capsys):
    assert main(["report", str(run), "--format", "latex"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(r"\documentclass{article}") and "includegraphics" not in printed
    assert not list(run.glob("report.*")) and not (run / "plots").exists()
    paper = tmp_path / "paper"
    paper.mkdir()
    assert main(["report", str(run), "--format", "latex", "--output", str(paper / "t.tex")]) == 0
    assert r"\includegraphics" in (paper / "t.tex").read_text()
    assert len(list(paper.glob("plots/*.png"))) == 8
    assert main(["report", str(run), "--format", "csv", "--output", str(paper)]) == 0
    assert (paper / "report.csv").read_text().startswith("dataset,synthetic,model,seeds,")


def test_html_on_stdout_embeds_its_plots(run: Path, capsys):
    assert main(["report", str(run), "--format", "html"]) == 0
    assert capsys.readouterr().out.count('<img src="data:image/png;base64,') == 8


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


def test_an_unwritable_output_is_named_and_exits_2(run: Path, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["report", str(run), "--output", str(blocker / "out")]) == 2
    assert f"Cannot write --output {blocker / 'out'}" in capsys.readouterr().err
    assert not list(run.glob("report.*"))


def test_report_never_imports_tensorflow(run: Path):
    code = (
        "import sys\n"
        "from nnbench.cli import main\n"
        f"status = main(['report', {str(run)!r}])\n"
        "print('STATUS', status, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("STATUS 0 False False"), done.stderr
