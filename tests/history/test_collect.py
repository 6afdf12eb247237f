"""Finding run folders, and ordering their commits: by git history in a repository (with
--since), by start time outside one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nnbench.errors import ConfigError
from nnbench.history.collect import run_folders
from nnbench.history.detect import build_history
from nnbench.synthetic_results import SyntheticCell, write_synthetic_run


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=nnbench", "-c", "user.email=nnbench@example.org", *args]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout


def write_run(folder: Path, commit: str | None, day: int) -> None:
    """A run of one model, two seeds, at ``commit``, started on January ``day``."""
    started = f"2026-01-{day:02d}T08:00:00+00:00"
    cells = [SyntheticCell(seed=seed, commit=commit, started_at=started) for seed in (0, 1)]
    write_synthetic_run(folder, cells)


def labels(history) -> list[str]:
    (series,) = history.series
    return [point.revision.label for point in series.points]


@pytest.fixture
def outside(tmp_path, monkeypatch) -> Path:
    """A working directory in no git repository."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def repo(outside) -> list[str]:
    """A repository of four commits as the working directory; the commits, oldest first."""
    git(outside, "init", "-q")
    for number in range(4):
        git(outside, "commit", "-q", "--allow-empty", "-m", f"commit {number}")
    return git(outside, "rev-list", "--reverse", "HEAD").split()


def test_commits_follow_git_history_not_start_times(repo, tmp_path):
    runs = tmp_path / "runs"
    made_up = "f" * 40
    for name, commit, day in [
        ("a", repo[3], 1),
        ("b", repo[1], 2),
        ("c", repo[0], 3),
        ("d", repo[2], 4),
        ("e", f"{repo[1]}-dirty", 5),
        ("f", made_up, 1),  # not in this history: after it, however early
    ]:
        write_run(runs / name, commit, day)
    history = build_history([runs])
    assert history.ordered_by == "git history"
    short = [commit[:7] for commit in repo]
    assert labels(history) == [short[0], short[1], f"{short[1]}-dirty", *short[2:], "fffffff"]


def test_since_keeps_the_commits_after_it(repo, tmp_path, capsys):
    for number, commit in enumerate(repo):
        write_run(tmp_path / "runs" / str(number), commit, number + 1)
    history = build_history([tmp_path / "runs"], since=repo[1][:10])
    assert labels(history) == [repo[2][:7], repo[3][:7]]
    assert "left out 4 results" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="no result was made at a commit after"):
        build_history([tmp_path / "runs"], since=repo[3])


def test_a_since_git_does_not_know_is_a_config_error(repo, tmp_path):
    write_run(tmp_path / "runs", repo[0], 1)
    with pytest.raises(ConfigError, match="--since v9.9: git knows no such commit"):
        build_history([tmp_path / "runs"], since="v9.9")
    with pytest.raises(ConfigError, match="--since --all: git knows no such commit"):
        build_history([tmp_path / "runs"], since="--all")


def test_outside_a_repository_revisions_are_ordered_by_start_time(outside, tmp_path):
    runs = tmp_path / "runs"
    write_run(runs / "late", "a" * 40, 9)
    write_run(runs / "no-commit", None, 5)
    write_run(runs / "early", "b" * 40, 2)
    history = build_history([runs])
    assert history.ordered_by == "start time"
    assert labels(history) == ["bbbbbbb", "no-commit", "aaaaaaa"]
    with pytest.raises(ConfigError, match="--since HEAD~1: .* is not a git repository"):
        build_history([runs], since="HEAD~1")


def test_run_folders_are_found_below_the_paths_hidden_ones_left_out(tmp_path):
    for name in ("runs/a", "runs/deeper/b", "runs/.hidden/c", "other/d"):
        write_run(tmp_path / name, None, 1)
    (tmp_path / "runs" / "empty").mkdir()
    found = run_folders([tmp_path / "runs", tmp_path / "runs" / "a", tmp_path / "other" / "d"])
    assert [path.relative_to(tmp_path).as_posix() for path in found] == [
        "runs/a",
        "runs/deeper/b",
        "other/d",
    ]


def test_a_path_without_run_folders_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=f"{tmp_path / 'nowhere'} does not exist"):
        run_folders([tmp_path / "nowhere"])
    (tmp_path / "empty" / "inner").mkdir(parents=True)
    with pytest.raises(ConfigError, match=f"{tmp_path / 'empty'} holds no run folder"):
        run_folders([tmp_path / "empty"])
