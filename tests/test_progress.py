"""Progress off a terminal: one plain line per finished cell, with counts, elapsed time and ETA."""

from __future__ import annotations

from nnbench import progress


def test_a_run_in_a_log_prints_one_plain_line_per_finished_cell(capsys):
    clock = iter([100.0, 110.0, 130.0])
    with progress.CellProgress(4, running=lambda: 2, clock=lambda: next(clock)) as cells:
        cells.finished("ok")
        cells.finished("failed")
    assert capsys.readouterr().err.splitlines() == [
        "nnbench: 1/4 done · 2 running · 0 failed · 3 left · elapsed 00:10 · ETA 00:30",
        "nnbench: 2/4 done · 2 running · 1 failed · 2 left · elapsed 00:30 · ETA 00:30",
    ]


def test_counts_take_their_plural_and_durations_read_as_people_say_them():
    from nnbench.progress import counted, duration

    assert [counted(n, "cell") for n in (0, 1, 2, 1234)] == [
        "0 cells",
        "1 cell",
        "2 cells",
        "1,234 cells",
    ]
    assert [duration(s) for s in (0.04, 59.94, 106.4, 3599.6, 7530)] == [
        "0.0 s",
        "59.9 s",
        "1 min 46 s",
        "1 h 0 min",
        "2 h 5 min",
    ]
