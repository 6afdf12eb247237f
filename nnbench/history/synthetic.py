"""Synthetic histories, for the tests, the false-alarm benchmark and trying ``nnbench history``
without training anything: one run folder per made-up commit, of
:mod:`nnbench.synthetic_results` cells, with an accuracy step and a fit-time step planted
where asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from nnbench.synthetic_results import SyntheticCell, write_synthetic_run

#: when the first commit of a synthetic history ran; the next ones ran a day apart
FIRST_RUN = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Plan:
    """A synthetic history: ``commits`` commits, each running every model with ``seeds`` seeds.
    Each model's accuracy is ``accuracy`` until commit ``accuracy_step[0]`` (counted from 0),
    from which it is ``accuracy_step[1]`` lower; its fit time is ``fit_s`` until commit
    ``time_step[0]``, from which it is ``time_step[1]`` times that, each result's time off by a
    lognormal factor of sd ``time_noise``. Models differ in which test images they get right
    (see :mod:`nnbench.synthetic_results`), so each is an independent series. ``seed`` sets the
    commits' hashes and the time noise."""

    commits: int = 30
    models: tuple[str, ...] = ("dense_nn", "cnn")
    seeds: int = 3
    accuracy: float = 0.9
    accuracy_step: tuple[int, float] | None = None
    fit_s: float = 2.0
    time_step: tuple[int, float] | None = None
    time_noise: float = 0.05
    predictions: bool = True
    seed: int = 0


def fake_commits(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` made-up 40-hex commit hashes."""
    return ["".join(rng.choice(list("0123456789abcdef"), 40)) for _ in range(count)]


def commit_cells(
    plan: Plan, index: int, commit: str, rng: np.random.Generator
) -> list[SyntheticCell]:
    """The cells of commit ``index``."""
    drop = plan.accuracy_step[1] if plan.accuracy_step and index >= plan.accuracy_step[0] else 0
    slower = plan.time_step[1] if plan.time_step and index >= plan.time_step[0] else 1.0
    started = (FIRST_RUN + timedelta(days=index)).isoformat()
    return [
        SyntheticCell(
            model=model,
            seed=seed,
            accuracy=plan.accuracy - drop,
            fit_s=float(plan.fit_s * slower * rng.lognormal(0.0, plan.time_noise)),
            commit=commit,
            started_at=started,
            predictions=plan.predictions,
        )
        for model in plan.models
        for seed in range(plan.seeds)
    ]


def write_synthetic_history(
    folder: Path, plan: Plan, commits: Sequence[str] | None = None
) -> list[str]:
    """Write the plan's run folders, ``folder/commit-NN``, at ``commits`` (made up when not
    given); their commits, oldest first."""
    rng = np.random.default_rng(plan.seed)
    commits = list(commits) if commits is not None else fake_commits(plan.commits, rng)
    for index, commit in enumerate(commits):
        write_synthetic_run(folder / f"commit-{index:02d}", commit_cells(plan, index, commit, rng))
    return commits
