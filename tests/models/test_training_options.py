"""The shared Keras loop's optimisers and losses, and the dense net's hidden activations: what
the optimisers, activations and losses studies vary."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nnbench.errors import ConfigError
from nnbench.models import DataInfo, resolve_model
from nnbench.models.gradients import Objective
from nnbench.models.keras.nets import LEAKY_SLOPE, BinaryStep, dense_net
from nnbench.testing import synthetic_digits
from tests.models.test_keras_nets import two_classes

LOGIT = "sklearn.linear_model:LogisticRegression"


def dense(**params):
    return resolve_model("dense_nn").build(params, seed=0)


@pytest.mark.parametrize(
    "name, kind, momentum",
    [
        ("adam", keras.optimizers.Adam, None),
        ("sgd", keras.optimizers.SGD, 0.0),
        ("momentum", keras.optimizers.SGD, 0.9),
        ("adagrad", keras.optimizers.Adagrad, None),
        ("rmsprop", keras.optimizers.RMSprop, None),
    ],
)
def test_each_optimizer_is_the_keras_one_at_the_given_rate(name, kind, momentum):
    data = synthetic_digits(n_train=30, n_test=9)
    model = dense(hidden_units=[4], epochs=1, optimizer=name, learning_rate=0.02)
    model.fit(data.x_train, data.y_train, n_classes=3)
    optimizer = model.model_.optimizer
    assert type(optimizer) is kind
    assert float(keras.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(0.02)
    if momentum is not None:
        assert optimizer.momentum == momentum


def test_an_unknown_optimizer_or_loss_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="optimizer is \"lbfgs\": should be 'adam', 'sgd'"):
        dense(optimizer="lbfgs")
    with pytest.raises(ConfigError, match="loss is \"mae\": should be 'cross_entropy', 'hinge'"):
        dense(loss="mae")


@pytest.mark.slow
def test_the_quadratic_loss_learns_on_one_hot_targets():
    data = synthetic_digits()
    model = dense(hidden_units=[16], epochs=5, loss="quadratic", learning_rate=0.01)
    model.fit(data.x_train, data.y_train, n_classes=3)
    assert isinstance(model.model_.loss, keras.losses.MeanSquaredError)
    np.testing.assert_array_equal(model.targets(np.array([2, 0])), [[0, 0, 1], [1, 0, 0]])
    assert (model.predict(data.x_test) == data.y_test).mean() > 0.9  # 1.0 seen; chance 1/3


@pytest.mark.slow
def test_the_hinge_loss_trains_one_linear_unit_on_two_classes(mnist_small):
    x, y, x_test, y_test = two_classes(mnist_small)
    model = dense(hidden_units=[16], epochs=1, batch_size=20, loss="hinge", output="linear")
    model.fit(x, y, n_classes=2)
    assert isinstance(model.model_.loss, keras.losses.Hinge)
    assert model.model_.output_shape[-1] == 1 and model.logits_
    assert (model.predict(x_test) == y_test).mean() > 0.95


def test_the_hinge_loss_needs_one_linear_unit():
    digits = DataInfo((28, 28, 1), tuple("0123456789"), 100)
    with pytest.raises(ConfigError, match="loss 'hinge' needs two classes and one output unit"):
        dense(loss="hinge", hidden_units=[4]).skip_reason(digits)  # a softmax over 10 classes
    binary = DataInfo((28, 28, 1), ("a", "b"), 100)
    with pytest.raises(ConfigError, match=r"this net has 1 output\(s\) for 2 classes"):
        dense(loss="hinge", output="sigmoid").skip_reason(binary)  # probabilities, not scores
    assert dense(loss="hinge", output="linear").skip_reason(binary) is None


def test_leaky_relu_is_max_of_001x_and_x():
    model = dense_net((2, 1, 1), 2, [2], activation="leaky_relu")
    layer = next(layer for layer in model.layers if isinstance(layer, keras.layers.LeakyReLU))
    values = keras.ops.convert_to_numpy(layer(np.array([[-2.0, 3.0]], dtype=np.float32)))
    np.testing.assert_allclose(values, [[-2.0 * LEAKY_SLOPE, 3.0]], rtol=1e-6)
    assert LEAKY_SLOPE == 0.01


def test_the_binary_step_is_0_or_1_and_leaves_no_gradient_below_it():
    step = keras.ops.convert_to_numpy(BinaryStep()(np.array([[-1.5, 0.2, 7.0]], np.float32)))
    np.testing.assert_array_equal(step, [[0.0, 1.0, 1.0]])
    data = synthetic_digits(n_train=40, n_test=3)
    keras.utils.set_random_seed(0)
    model = dense_net((28, 28, 1), 3, [8], activation="binary_step")
    loss = keras.losses.SparseCategoricalCrossentropy()
    objective = Objective(model, loss, data.x_train.astype(np.float32), data.y_train)
    _, gradient = objective.value_and_gradient(objective.theta())
    hidden = 28 * 28 * 8 + 8  # the hidden layer's kernel and bias come first in θ
    assert not gradient[:hidden].any()  # zero: nothing below the step can learn
    assert np.abs(gradient[hidden:]).max() > 1e-3  # the output layer does


@pytest.mark.slow
def test_a_linear_net_is_a_multinomial_logit(mnist_small):
    # On 3,000 MNIST digits, the linear-activation net (Adam, 5 epochs) and scikit-learn's
    # multinomial logit reach test accuracies within 0.02 of each other: a product of linear maps
    # is one linear map. (Measured here: 0.8593 and 0.8493.)
    data = mnist_small
    linear = dense(hidden_units=[64, 64], activation="linear", epochs=5)
    logit = resolve_model(LOGIT).build({"C": 1.0, "max_iter": 300}, seed=0)
    scores = {}
    for name, model in (("linear", linear), ("logit", logit)):
        model.fit(data.x_train, data.y_train, n_classes=10)
        scores[name] = (model.predict(data.x_test) == data.y_test).mean()
    assert abs(scores["linear"] - scores["logit"]) < 0.02
    assert scores["logit"] > 0.8


@pytest.mark.slow
def test_training_records_which_layers_kept_their_initial_weights():
    data = synthetic_digits(n_train=60, n_test=3)
    fitted = {
        activation: dense(hidden_units=[8, 8], epochs=1, activation=activation).fit(
            data.x_train, data.y_train, n_classes=3
        )
        for activation in ("binary_step", "relu")
    }
    assert fitted["binary_step"].info_ == {"layers_with_weights": 3, "untrained_layers": [1, 2]}
    assert fitted["relu"].info_ == {"layers_with_weights": 3, "untrained_layers": []}


@pytest.mark.slow
@pytest.mark.parametrize(
    "precision, compute, scaled",
    [
        ("float32", "float32", False),
        ("mixed_bfloat16", "bfloat16", False),
        ("mixed_float16", "float16", True),
    ],
)
def test_precision_sets_the_hidden_layers_compute_dtype_and_keeps_float32_weights_and_output(
    precision, compute, scaled
):
    data = synthetic_digits(n_train=30, n_test=9)
    model = dense(hidden_units=[4], epochs=2, precision=precision)
    model.fit(data.x_train, data.y_train, n_classes=3)
    hidden, output = model.model_.layers[-2], model.model_.layers[-1]
    assert (hidden.compute_dtype, hidden.kernel.dtype) == (compute, "float32")
    assert output.compute_dtype == "float32"
    assert model.predict(data.x_test).dtype == np.int64
    # float16 needs loss scaling, which Keras adds; bfloat16 has float32's range and does not
    optimizer = model.model_.optimizer
    assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) is scaled
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    assert model.get_params()["precision"] == precision


@pytest.mark.parametrize(
    "name, given, expected",
    [("dense_nn", "auto", True), ("cnn", "auto", False), ("dense_nn", False, False)],
)
def test_xla_is_chosen_on_cpu_for_nets_without_convolutions_unless_set(name, given, expected):
    model = resolve_model(name).build({"jit_compile": given}, seed=0)
    model.model_ = model.network((28, 28, 1), 10)
    assert model.device() == "cpu"
    assert model.jit_compile() is expected
