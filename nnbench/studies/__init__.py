"""Studies: the lecture's claims as runnable experiments, found by name and imported lazily.

A study is one declaration (:class:`~nnbench.studies.study.Study`) in its own module: a suite
file for its cells, the sections of its report, and any published numbers. ``nnbench study
NAME`` runs it; ``nnbench report`` renders a run folder with the study that made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from nnbench.errors import ConfigError
from nnbench.registry import Registry

if TYPE_CHECKING:  # the declarations import pandas and matplotlib; names need neither
    from nnbench.studies.study import Study

ENTRY_POINT_GROUP = "nnbench.studies"
#: the study whose report a run of ``nnbench all`` or ``run`` (no study) gets
DEFAULT_STUDY = "lecture"

STUDIES = Registry("study", group=ENTRY_POINT_GROUP)
STUDIES.register(
    "lecture",
    "nnbench.studies.lecture:STUDY",
    "The lecture's comparison of the four models on MNIST and the candidate photos.",
)
STUDIES.register(
    "optimizers",
    "nnbench.studies.optimizers:STUDY",
    "GD, SGD, momentum, AdaGrad, RMSProp, Adam (rates by training loss) and L-BFGS.",
)
STUDIES.register(
    "activations",
    "nnbench.studies.activations:STUDY",
    "ReLU, leaky ReLU, sigmoid, linear and binary step, beside the multinomial logit.",
)
STUDIES.register(
    "losses",
    "nnbench.studies.losses:STUDY",
    "Cross-entropy against hinge (binary) and quadratic (MNIST) loss.",
)
STUDIES.register(
    "autodiff",
    "nnbench.studies.autodiff:STUDY",
    "The cost of a gradient: reverse mode against finite differences, by dim(θ).",
)


def get_study(name: str) -> Study:
    """The study registered as ``name`` (UnknownNameError, with suggestions, otherwise)."""
    study: Study = STUDIES.get(name)  # the registry imports it by its path
    return study


def study_of(names: Sequence[str | None]) -> Study:
    """The study that made results recorded with ``names`` (None: a plain run, reported as the
    lecture's comparison); ConfigError when they come from different studies."""
    found = {name for name in names if name is not None}
    if len(found) > 1:
        raise ConfigError(
            f"These results come from different studies ({', '.join(sorted(found))}); report "
            "each study's run folders on their own."
        )
    return get_study(found.pop() if found else DEFAULT_STUDY)
