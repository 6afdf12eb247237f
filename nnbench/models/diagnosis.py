"""Training that ran but went wrong, told from a model's history: a first-epoch loss far above
the loss of guessing the class frequencies, a loss that became NaN, or a final training
accuracy within 5 points of chance. The warning names the likely cause, such as pixels of 0 to
255 that reach the first layer unscaled. Nothing here imports Keras.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the first epoch's training loss counts as far above guessing beyond this many times it
LOSS_RATIO = 2.0
#: a final training accuracy this close to chance (5 points) counts as not learning
CHANCE_MARGIN = 0.05
#: training accuracy is judged against chance only after this many optimiser steps: over a few
#: batches, an epoch's mean accuracy is near chance for any model
JUDGED_STEPS = 20
#: the first layer with weights is taken to see unscaled pixels when its input goes above this
#: (0-255 pixels reach 255; scaled ones stay near [0, 1], or a few units when standardised)
UNSCALED_INPUT = 25.0


def class_shares(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The share of each class among ``labels``."""
    return np.bincount(labels, minlength=n_classes) / max(1, len(labels))


def guessing_loss(labels: np.ndarray, n_classes: int, loss: str, one_unit: bool) -> float:
    """The training loss of a model that always outputs the class frequencies: their entropy
    for cross-entropy; for the quadratic loss, the mean squared difference from one-hot
    targets (from 0/1 targets for one output unit); for the hinge loss, 1 (every score 0)."""
    shares = class_shares(labels, n_classes)
    if loss == "cross_entropy":
        present = shares[shares > 0]
        return float(-(present * np.log(present)).sum())
    if loss == "quadratic":
        if one_unit:
            return float(shares[1] * (1 - shares[1]))
        return float((1 - (shares**2).sum()) / n_classes)
    return 1.0


@dataclass(frozen=True)
class TrainingFacts:
    """What a diagnosis compares a history with: the loss of guessing the class frequencies,
    the accuracy of always guessing the most frequent class (chance), the optimiser steps
    taken, the largest value the first layer with weights saw (None when unknown), the
    learning rate, and the layers (from 1) that kept their initial weights."""

    guessing_loss: float
    chance: float
    steps: int
    first_layer_input_max: float | None
    learning_rate: float
    untrained_layers: Sequence[int] = ()


def likely_cause(facts: TrainingFacts, loss_too_high: bool) -> str:
    """The most likely reason for training that went wrong, with its fix."""
    seen = facts.first_layer_input_max
    if seen is not None and seen > UNSCALED_INPUT:
        return (
            f"the first layer with weights sees the pixels unscaled (values up to {seen:g}): "
            "builders receive uint8 pixels of 0 to 255, so start the model with "
            "keras.layers.Rescaling(1 / 255), as the lecture's nets do"
        )
    if loss_too_high:
        return (
            f"a learning rate that diverged (learning_rate {facts.learning_rate:g}): try a "
            "smaller one"
        )
    if facts.untrained_layers:
        layers = ", ".join(map(str, facts.untrained_layers))
        return (
            f"layers {layers} (counting layers with weights) kept their initial weights: no "
            "gradient reached them (an activation with a zero gradient, such as a step?)"
        )
    return (
        f"too few epochs, or a learning rate too small or too large (learning_rate "
        f"{facts.learning_rate:g})"
    )


def training_warnings(history: Sequence[Mapping[str, Any]], facts: TrainingFacts) -> list[str]:
    """A warning, with its likely cause, when the history shows that training went wrong:
    a loss that is not finite, a first-epoch training loss above :data:`LOSS_RATIO` times the
    guessing loss, or (after :data:`JUDGED_STEPS` steps) a final training accuracy within
    :data:`CHANCE_MARGIN` of chance."""
    if not history:
        return []
    losses = [row.get("train_loss") for row in history]
    broken = [epoch for epoch, loss in enumerate(losses, 1) if not finite(loss)]
    first, accuracy = losses[0], history[-1].get("train_accuracy")
    far_above = first is not None and first > LOSS_RATIO * facts.guessing_loss
    problems = []
    if broken:
        problems.append(f"the training loss became {losses[broken[0] - 1]} in epoch {broken[0]}")
    elif far_above:
        problems.append(
            f"the training loss of epoch 1 was {first:.4g}, far above "
            f"{facts.guessing_loss:.4g}, the loss of guessing the class frequencies"
        )
    judged = facts.steps >= JUDGED_STEPS
    if judged and accuracy is not None and accuracy <= facts.chance + CHANCE_MARGIN:
        problems.append(
            f"the final training accuracy, {accuracy:.4f}, is within {CHANCE_MARGIN * 100:g} "
            f"points of chance ({facts.chance:.4f}, always guessing the most frequent class)"
        )
    if not problems:
        return []
    cause = likely_cause(facts, loss_too_high=bool(broken) or far_above)
    return [f"training went wrong: {'; and '.join(problems)}. Likely cause: {cause}."]


def finite(loss: float | None) -> bool:
    """Whether a recorded loss is a finite number (a missing one counts as finite)."""
    return loss is None or math.isfinite(loss)
