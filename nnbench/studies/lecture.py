"""The lecture's own comparison ("Overview of Neural Networks"), as a study: its protocol
(``lecture.toml``, what ``nnbench all`` runs), and the test accuracy it published, shown beside
a run's own wherever a cell ran that protocol on all of the data."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from nnbench.report.evidence import paired_evidence
from nnbench.report.scores_section import metrics
from nnbench.report.sections import comparisons, environment
from nnbench.report.tables import Published
from nnbench.studies.study import Study
from nnbench.suite import DEFAULT_SUITE, load_suite

#: the "All" column of each "Test Set" row of the lecture, by dataset and model, to two decimals:
#: Application 1, digit recognition (60,000 training and 10,000 test images), and Application 2,
#: the gender of political candidates (35,935 / 4,997 photos)
LECTURE_ACCURACY = {
    "mnist": {"naive_bayes": 0.82, "lasso_logit": 0.91, "dense_nn": 0.97, "cnn": 0.99},
    "candidates": {"dense_nn": 0.89, "cnn": 0.95},
}

#: the lecture's ordering of its models, weakest first: each step is tested on every dataset
LECTURE_ORDER = ("naive_bayes", "lasso_logit", "dense_nn", "cnn")


@functools.cache
def lecture_params(dataset: str, model: str) -> dict[str, Any]:
    """The parameters the lecture's protocol sets for ``model`` on ``dataset`` (none when it
    does not list the pair)."""
    [config] = load_suite(DEFAULT_SUITE).configs(dataset, model)
    return config.params


PUBLISHED = Published(
    column="lecture",
    source="lecture",
    numbers=LECTURE_ACCURACY,
    protocol=lecture_params,
    note=(
        "lecture: the test accuracy the lecture (“Overview of Neural Networks”) published for "
        "the same model and data, to two decimals; shown for runs of the lecture's protocol "
        f"(nnbench/studies/{Path(DEFAULT_SUITE).name}, all of the data) only."
    ),
    none_note="The lecture published no numbers for this dataset.",
)

STUDY = Study(
    name="lecture",
    description="The lecture's comparison: naive Bayes, the LASSO logit, the dense net and the "
    "CNN on MNIST and the candidate photos, beside the accuracy it published.",
    suite=DEFAULT_SUITE,
    sections=(comparisons(PUBLISHED), metrics, paired_evidence(LECTURE_ORDER), environment),
    published=PUBLISHED,
    title="nnbench report",
)
