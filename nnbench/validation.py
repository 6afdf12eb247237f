"""The validation split: a stratified hold-out from the training images, so that every choice
(a learning curve read per epoch, a time to accuracy, the best cell of a grid) is made on it,
and the test set is scored once, after training.

The hold-out is the same for every model and seed of a dataset (it is drawn with
:data:`SPLIT_SEED`, not the cell's seed), so that choices among cells compare like with like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from nnbench.errors import ConfigError

#: the seed of the hold-out: one split per dataset and fraction, whatever the cell's seed
SPLIT_SEED = 0
#: the history keys of the monitored images, as a model writes them, and with a split
MONITORED = {"test_loss": "validation_loss", "test_accuracy": "validation_accuracy"}


@dataclass(frozen=True, eq=False)
class Split:
    """Training images, less a hold-out, and the hold-out (``x_val``, ``y_val``)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def hold_out(images: np.ndarray, labels: np.ndarray, fraction: float) -> Split:
    """A stratified hold-out of ``fraction`` of the images, drawn with :data:`SPLIT_SEED`.
    ConfigError when the fraction leaves a class without images on either side."""
    try:
        train, val = train_test_split(
            np.arange(len(labels)), test_size=fraction, stratify=labels, random_state=SPLIT_SEED
        )
    except ValueError as exc:
        raise ConfigError(
            f"validation {fraction:g} cannot hold out a stratified share of {len(labels):,} "
            f"training images ({exc}). Use a larger fraction, or more images (--subset)."
        ) from None
    train, val = np.sort(train), np.sort(val)
    return Split(images[train], labels[train], images[val], labels[val])


def split_counts(count: int, fraction: float) -> tuple[int, int]:
    """How many of ``count`` training images :func:`hold_out` keeps for training and holds out:
    the hold-out is ``ceil(fraction * count)``, scikit-learn's rule."""
    held = math.ceil(fraction * count)
    return count - held, held


def relabel_history(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A history whose monitored images were the hold-out: its ``test_*`` scores are the
    validation's (the test set was never scored during training)."""
    return [{MONITORED.get(key, key): value for key, value in row.items()} for row in history]
