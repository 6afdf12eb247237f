"""The losses study: which loss goes with which outcome. Binary cross-entropy against the hinge
loss on the candidates' gender (or its synthetic stand-in, labelled so, when the photos are
absent); categorical cross-entropy against the quadratic loss on MNIST. The report is the
comparison every run gets, one row per loss."""

from __future__ import annotations

from pathlib import Path

from nnbench.report.sections import comparisons, environment
from nnbench.studies.study import Study

STUDY = Study(
    name="losses",
    description="Binary cross-entropy against hinge on the candidates' gender, and categorical "
    "cross-entropy against quadratic loss on MNIST.",
    suite=Path(__file__).with_name("losses.toml"),
    sections=(comparisons(), environment),
    fallbacks={"candidates": "faces-synthetic"},
)
