"""Synthetic histories, written once per session: 30 commits of two models with three seeds
each, with and without planted steps and stored predictions."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.history.synthetic import Plan, write_synthetic_history

#: the planted steps: accuracy 0.04 lower from commit 17, fit time x1.5 from commit 23
#: (commits counted from 0 here)
ACCURACY_STEP, TIME_STEP = (16, 0.04), (22, 1.5)
STEPS = {"accuracy_step": ACCURACY_STEP, "time_step": TIME_STEP}


def written(factory: pytest.TempPathFactory, name: str, plan: Plan) -> tuple[Path, list[str]]:
    folder = factory.mktemp(name)
    return folder, write_synthetic_history(folder, plan)


@pytest.fixture(scope="session")
def stepped(tmp_path_factory) -> tuple[Path, list[str]]:
    """A history with both steps planted, and its commits."""
    return written(tmp_path_factory, "stepped", Plan(**STEPS))


@pytest.fixture(scope="session")
def stepless(tmp_path_factory) -> tuple[Path, list[str]]:
    """A history with no step."""
    return written(tmp_path_factory, "stepless", Plan(seed=1))
