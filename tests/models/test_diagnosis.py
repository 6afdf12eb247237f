"""Training that ran but went wrong: the loss of guessing, the rules, the likely cause, and the
scale of what a net's first layer sees."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnbench.models.diagnosis import TrainingFacts, guessing_loss, training_warnings


def facts(**changes) -> TrainingFacts:
    values = {
        "guessing_loss": math.log(10),
        "chance": 0.11,
        "steps": 50,
        "first_layer_input_max": 1.0,
        "learning_rate": 0.001,
        "untrained_layers": (),
    }
    return TrainingFacts(**{**values, **changes})


def epochs(*rows: tuple[float, float]) -> list[dict]:
    return [
        {"epoch": number, "train_loss": loss, "train_accuracy": accuracy}
        for number, (loss, accuracy) in enumerate(rows, 1)
    ]


def test_the_loss_of_guessing_the_class_frequencies():
    balanced = np.arange(300) % 3
    assert guessing_loss(balanced, 3, "cross_entropy", False) == pytest.approx(math.log(3))
    skewed = np.array([0] * 90 + [1] * 10)
    entropy = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    assert guessing_loss(skewed, 2, "cross_entropy", True) == pytest.approx(entropy)
    # the mean over K outputs of (one-hot - share)^2: (1 - sum of squared shares) / K
    assert guessing_loss(balanced, 3, "quadratic", False) == pytest.approx((1 - 3 / 9) / 3)
    assert guessing_loss(skewed, 2, "quadratic", True) == pytest.approx(0.1 * 0.9)
    assert guessing_loss(skewed, 2, "hinge", True) == 1.0


def test_healthy_training_gives_no_warning():
    assert training_warnings(epochs((0.9, 0.8), (0.3, 0.93)), facts()) == []
    assert training_warnings([], facts()) == []


def test_unscaled_pixels_are_named_with_the_fix():
    [warning] = training_warnings(
        epochs((26.6, 0.35), (3.1, 0.52)), facts(first_layer_input_max=255.0)
    )
    assert warning.startswith(
        "training went wrong: the training loss of epoch 1 was 26.6, far above 2.303, the loss "
        "of guessing the class frequencies. Likely cause: the first layer with weights sees the "
        "pixels unscaled (values up to 255)"
    )
    assert "keras.layers.Rescaling(1 / 255)" in warning


def test_a_loss_that_became_nan_is_a_learning_rate_that_diverged():
    [warning] = training_warnings(epochs((2.0, 0.3), (float("nan"), 0.1)), facts(learning_rate=5.0))
    assert "the training loss became nan in epoch 2" in warning
    assert "the final training accuracy, 0.1000, is within 5 points of chance" in warning
    assert warning.endswith(
        "Likely cause: a learning rate that diverged (learning_rate 5): try a smaller one."
    )


def test_accuracy_near_chance_names_layers_that_got_no_gradient():
    [warning] = training_warnings(epochs((2.3, 0.12)), facts(untrained_layers=(1, 2)))
    assert "0.1200, is within 5 points of chance (0.1100" in warning
    assert "layers 1, 2 (counting layers with weights) kept their initial weights" in warning


def test_accuracy_is_not_judged_over_a_few_steps():
    assert training_warnings(epochs((1.1, 0.36)), facts(chance=0.34, steps=3)) == []
    assert training_warnings(epochs((1.1, 0.36)), facts(chance=0.34, steps=20)) != []


def test_a_loss_up_to_twice_the_guess_is_not_far_above():
    assert training_warnings(epochs((4.6, 0.5)), facts()) == []
    assert training_warnings(epochs((4.7, 0.5)), facts()) != []


def test_the_first_weighted_layer_s_input_is_measured_through_the_layers_before_it():
    import keras
    from keras import layers

    from nnbench.models.keras.loop import first_layer_input_max

    images = np.full((4, 6, 6, 1), 200, dtype=np.uint8)
    raw = keras.Sequential([keras.Input((6, 6, 1)), layers.Flatten(), layers.Dense(2)])
    scaled = keras.Sequential(
        [keras.Input((6, 6, 1)), layers.Rescaling(1 / 255), layers.Flatten(), layers.Dense(2)]
    )
    assert first_layer_input_max(raw, images) == 200.0
    assert first_layer_input_max(scaled, images) == pytest.approx(200 / 255)
    inputs = keras.Input((6, 6, 1))
    branch = layers.Concatenate()([layers.Flatten()(inputs), layers.Flatten()(inputs)])
    branched = keras.Model(inputs, layers.Dense(2)(branch))
    assert first_layer_input_max(branched, images) is None  # not a chain: unknown


def test_the_optimizers_study_s_diverged_learning_rates_warn_and_the_others_do_not():
    """The committed optimizers study (results/studies/optimizers/), as its histories were
    recorded on MNIST: the rule flags exactly the learning rates whose training broke down."""
    import json

    from tests.conftest import REPO

    shares = np.array([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]) / 60000
    warned = set()
    for path in (REPO / "results" / "studies" / "optimizers").glob("*__dense_nn__*.json"):
        result = json.loads(path.read_text())
        params = result["params"]
        steps = params["epochs"] * math.ceil(result["data"]["n_train"] / params["batch_size"])
        found = training_warnings(
            result["history"],
            facts(
                guessing_loss=float(-(shares * np.log(shares)).sum()),
                chance=float(shares.max()),
                steps=steps,
                learning_rate=params["learning_rate"],
            ),
        )
        if found:
            warned.add(result["variant"])
    assert warned == {
        "adagrad, learning_rate=1.0",
        "rmsprop, learning_rate=1.0",
        "rmsprop, learning_rate=0.1",
        "momentum, learning_rate=1.0",
        "adam, learning_rate=1.0",
    }
    # Adam at 0.1 stalled but did not break down in this recording (nnbench 0.6, Intel Xeon):
    # its loss never rose above guessing's (2.07 in epoch 1, then 1.6), and it reached training
    # accuracy 0.34 against chance 0.11, so the rule rightly leaves it alone
