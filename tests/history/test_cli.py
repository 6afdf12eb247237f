"""``nnbench history`` on the command line: the tables it prints, the files it writes, and
bad input (exit 2, a message naming what is wrong, no traceback)."""

from __future__ import annotations

import pytest

from nnbench.cli import main


def rows_of(out: str, commit: str) -> list[str]:
    """The table rows of ``commit``, one per series."""
    return [line for line in out.splitlines() if line.startswith(f"| {commit[:7]} ")]


@pytest.mark.slow
def test_history_prints_a_table_per_series_with_the_steps(stepped, capsys):
    folder, commits = stepped
    assert main(["history", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# History of test accuracy\n")
    for model in ("dense_nn", "cnn"):
        assert f"## synthetic-digits (synthetic data) · {model}\n" in out
    assert out.count("| commit   | started (UTC)    |   test accuracy |   n |") == 2
    assert all("step: accuracy worse" in row for row in rows_of(out, commits[16]))
    assert all("step: fit time ×1.5" in row for row in rows_of(out, commits[22]))
    assert out.count("step: ") == 4
    assert f"accuracy worse from {commits[16][:7]} on" in out


@pytest.mark.slow
def test_output_writes_the_page_the_markdown_and_a_plot_per_series(stepped, tmp_path, capsys):
    folder, commits = stepped
    assert main(["history", str(folder), "--output", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "history.html").read_text()
    plots = sorted((tmp_path / "out" / "plots").glob("*.png"))
    assert [plot.name for plot in plots] == [
        "history-1-synthetic-digits-synthetic-data-dense_nn.png",
        "history-2-synthetic-digits-synthetic-data-cnn.png",
    ]
    assert all(plot.read_bytes().startswith(b"\x89PNG") for plot in plots)
    assert page.count("data:image/png;base64,") == 2 and f'id="{plots[0].stem}"' in page
    assert page.count("step: accuracy worse") == 2 and commits[22][:7] in page
    markdown = (tmp_path / "out" / "history.md").read_text()
    assert f"(plots/{plots[1].name})" in markdown
    assert "wrote 6 files" in capsys.readouterr().err  # two pages, a PNG and an SVG per plot


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, message",
    [
        (["{tmp}/nowhere"], "{tmp}/nowhere does not exist"),
        (["{tmp}"], "{tmp} holds no run folder"),
        (["{runs}", "--since", "not-a-commit"], "--since not-a-commit: git knows no such"),
        (
            ["{runs}", "--metric", "acuracy"],
            "--metric: Unknown metric 'acuracy'. Did you mean 'accuracy'",
        ),
        (["{runs}", "--metric", "log_loss"], "--metric log_loss: no successful result under"),
    ],
)
def test_bad_input_exits_2_naming_it(stepless, tmp_path, capsys, args, message):
    runs = str(stepless[0])
    filled = [arg.format(tmp=tmp_path, runs=runs) for arg in args]
    assert main(["history", *filled]) == 2
    err = capsys.readouterr().err
    assert message.format(tmp=tmp_path) in err and "Traceback" not in err


def test_a_time_ratio_of_one_or_less_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["history", "--time-ratio", "0.9"])
    assert exit_.value.code == 2
    assert "must be a ratio greater than 1" in capsys.readouterr().err
