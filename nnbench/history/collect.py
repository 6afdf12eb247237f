"""Where a history's results are, and in what order: the run folders under some paths, the
revision each result was made at (its commit, or its run folder when it records none), and
the order of those revisions, git's when the working directory is a repository, else their
start times."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nnbench.errors import ConfigError
from nnbench.results import result_files

DIRTY = "-dirty"
#: how many hex digits of a commit a table shows
SHORT_HASH = 7
#: the revision of a result that records no commit: its run folder, after this prefix
NO_COMMIT = "run:"


def folders_under(path: Path) -> Iterator[Path]:
    """``path`` and every folder below it, hidden ones (and what they hold) left out."""
    for root, folders, _ in os.walk(path):
        folders[:] = sorted(folder for folder in folders if not folder.startswith("."))
        yield Path(root)


def run_folders(paths: Sequence[Path]) -> list[Path]:
    """Every run folder (a folder holding result files) among and below ``paths``, each once.
    A path that does not exist or holds no run folder is a ConfigError naming it."""
    found: dict[Path, Path] = {}
    for path in paths:
        if not path.is_dir():
            state = "is not a folder" if path.exists() else "does not exist"
            raise ConfigError(
                f"{path} {state}. Give run folders (what `nnbench run --out` writes) or "
                "folders holding them, such as results/runs."
            )
        here = [folder for folder in folders_under(path) if result_files(folder)]
        if not here:
            raise ConfigError(
                f"{path} holds no run folder: no folder in it has result files "
                "(DATASET__MODEL__seedN__ID.json). Give the folders `nnbench run --out` wrote, "
                "or a folder holding them."
            )
        for folder in here:
            found.setdefault(folder.resolve(), folder)
    return list(found.values())


def git_lines(*args: str) -> list[str] | None:
    """What ``git ARGS`` prints in the working directory, word by word; None when git fails
    (no repository, an unknown revision) or is not installed."""
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.split() if done.returncode == 0 else None


def git_history(since: str | None = None) -> list[str] | None:
    """The commits of HEAD's history, oldest first (``git rev-list --topo-order``), only those
    after ``since`` when given; None outside a git repository. A ``since`` git cannot resolve
    is a ConfigError."""
    if since is None:
        return git_lines("rev-list", "--topo-order", "--reverse", "HEAD")
    if git_lines("rev-parse", "--verify", "--quiet", "HEAD") is None:
        raise ConfigError(
            f"--since {since}: {Path.cwd()} is not a git repository with commits. Run nnbench "
            "history in the checkout the results were made from, or leave --since out."
        )
    base = (
        None
        if since.startswith("-")
        else git_lines("rev-parse", "--verify", "--quiet", f"{since}^{{commit}}")
    )
    if not base:
        raise ConfigError(
            f"--since {since}: git knows no such commit in {Path.cwd()}. Give a commit, branch "
            "or tag (`git log --oneline` lists them)."
        )
    return git_lines("rev-list", "--topo-order", "--reverse", f"{base[0]}..HEAD")


@dataclass(frozen=True)
class Revision:
    """A point of history: ``key``, the commit a result records (with ``-dirty`` when its
    checkout had local changes) or, for one that records none, ``run:`` and its run folder;
    and when its first result started."""

    key: str
    started: pd.Timestamp | None

    @property
    def commit(self) -> str | None:
        """The commit without the dirty mark; None for a run that recorded none."""
        return None if self.key.startswith(NO_COMMIT) else self.key.removesuffix(DIRTY)

    @property
    def dirty(self) -> bool:
        return self.key.endswith(DIRTY)

    @property
    def label(self) -> str:
        """The short hash, marked ``-dirty`` when so; else the run folder's name."""
        if self.commit is None:
            return Path(self.key.removeprefix(NO_COMMIT)).name
        return self.commit[:SHORT_HASH] + (DIRTY if self.dirty else "")

    @property
    def time(self) -> str:
        """When its first result started, to the minute (UTC), or ``?``."""
        return "?" if self.started is None else self.started.strftime("%Y-%m-%d %H:%M")


def revision_keys(frame: pd.DataFrame) -> pd.Series:
    """Each row's revision: its ``env_git_commit``, else ``run:`` and its run folder."""
    return frame["env_git_commit"].fillna(NO_COMMIT + frame["run"])


def revisions(frame: pd.DataFrame) -> list[Revision]:
    """The revisions of the rows (with a ``revision`` column), each with its first start."""
    started = pd.to_datetime(frame["env_started_at"], utc=True, errors="coerce", format="ISO8601")
    first = started.groupby(frame["revision"], sort=False).min()
    return [Revision(str(key), None if pd.isna(time) else time) for key, time in first.items()]


def in_order(found: list[Revision], history: list[str] | None) -> list[Revision]:
    """The revisions in git's order where ``history`` (oldest first) has their commit, a dirty
    one after its clean commit; the rest after them, by start time."""
    position = {commit: index for index, commit in enumerate(history or [])}
    latest = pd.Timestamp.max.tz_localize("UTC")

    def key(revision: Revision) -> tuple[int, int, bool, pd.Timestamp, str]:
        place = position.get(revision.commit or "", -1)
        started = latest if revision.started is None else revision.started
        return (place < 0, place, revision.dirty, started, revision.key)

    return sorted(found, key=key)
