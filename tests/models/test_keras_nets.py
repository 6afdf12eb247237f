"""The lecture's Keras architectures and the shared training loop, which user builders share."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nnbench.errors import ConfigError
from nnbench.models import DataInfo, SkipCell, resolve_model
from nnbench.models.base import Monitor
from nnbench.models.keras import epochs as keras_epochs
from nnbench.models.keras.epochs import epoch_order
from nnbench.models.keras.loop import KerasModel
from nnbench.models.keras.nets import conv_net, dense_net
from nnbench.models.keras.predict import decide, predict_batch_size
from nnbench.models.keras.training import Training


def dense(**params):
    return resolve_model("dense_nn").build(params, seed=0)


def cnn(**params):
    return resolve_model("cnn").build(params, seed=0)


def test_dense_net_has_the_lectures_parameter_count():
    assert dense_net((28, 28, 1), 10, [128, 128, 128]).count_params() == 134_794


def test_cnn_has_the_lectures_parameter_count_and_flatten_size():
    model = conv_net((28, 28, 1), 10, [64, 64], 3, 2, [128, 128])
    assert model.count_params() == 260_298
    flatten = next(layer for layer in model.layers if layer.name.startswith("flatten"))
    assert flatten.output.shape[-1] == 1600


FACE_SHAPE = (135, 110, 3)


def test_face_dense_net_has_keras_count_not_the_lectures_arithmetic():
    # the lecture writes (44550 + 1) x 128 = 5,702,400, but that product is 5,702,528
    model = dense_net(FACE_SHAPE, 2, [128, 128], output="sigmoid")
    assert model.count_params() == 5_719_169 == (44_550 + 1) * 128 + (128 + 1) * 128 + 129
    assert model.layers[-1].units == 1


def test_face_cnn_has_the_lectures_shapes_and_parameter_count():
    model = conv_net(FACE_SHAPE, 2, [64, 64], 3, 2, [], output="softmax")
    assert model.count_params() == 145_218
    shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert (66, 54, 64) in shapes and (32, 26, 64) in shapes
    assert model.layers[-1].count_params() == 2 * (53_248 + 1)


def test_output_forms_are_checked():
    with pytest.raises(SkipCell, match="output 'sigmoid' needs exactly 2 classes, and this"):
        dense_net((28, 28, 1), 10, [8], output="sigmoid")
    with pytest.raises(
        ConfigError, match="output is \"tanh\": should be 'softmax', 'sigmoid' or 'linear'"
    ):
        resolve_model("dense_nn").build({"output": "tanh"}, seed=0)


@pytest.mark.slow
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_both_binary_output_forms_learn(output, mnist_small):
    def zeros_and_ones(x, y):
        keep = y < 2
        return x[keep], y[keep]

    x, y = zeros_and_ones(mnist_small.x_train, mnist_small.y_train)
    x_test, y_test = zeros_and_ones(mnist_small.x_test, mnist_small.y_test)
    model = dense(hidden_units=[16], output=output, epochs=1, batch_size=20).fit(
        x, y, n_classes=2, monitor=Monitor(x_test, y_test)
    )
    predictions = model.predict(x_test)
    assert predictions.dtype == np.int64 and set(np.unique(predictions)) == {0, 1}
    assert (predictions == y_test).mean() > 0.95
    assert model.history_[0]["test_accuracy"] == pytest.approx((predictions == y_test).mean())
    assert model.n_params() == (784 + 1) * 16 + (16 + 1) * (1 if output == "sigmoid" else 2)


def test_layer_sizes_are_parameters():
    assert dense_net((28, 28, 1), 10, [64]).count_params() == (784 + 1) * 64 + (64 + 1) * 10


@pytest.mark.slow
def test_history_has_one_row_per_epoch_and_test_accuracy(mnist_small):
    rows = []
    model = dense(epochs=2).fit(
        mnist_small.x_train,
        mnist_small.y_train,
        n_classes=10,
        monitor=Monitor(mnist_small.x_test, mnist_small.y_test, on_epoch_end=rows.append),
    )
    assert [row["epoch"] for row in model.history_] == [1, 2]
    assert rows == model.history_
    assert 0.5 < model.history_[-1]["test_accuracy"] <= 1.0
    assert 0 < model.history_[0]["elapsed_s"] < model.history_[1]["elapsed_s"]
    assert model.eval_during_fit_s_ > 0


def test_epoch_order_is_a_new_permutation_of_every_row_each_epoch_from_the_seed():
    orders = epoch_order(23, seed=1)
    first, second = next(orders), next(orders)
    assert sorted(first) == sorted(second) == list(range(23))
    assert not np.array_equal(first, np.arange(23)) and not np.array_equal(first, second)
    np.testing.assert_array_equal(next(epoch_order(23, seed=1)), first)
    assert not np.array_equal(next(epoch_order(23, seed=2)), first)


def samples_counted(model: KerasModel) -> list[int]:
    """How many samples each of the model's compiled metrics has counted since its reset."""
    return [
        int(variable.numpy())
        for metric in model.model_.metrics
        for variable in metric.variables
        if variable.path.endswith("count")
    ]


@pytest.mark.slow
@pytest.mark.parametrize("on_device", [True, False])
def test_every_row_trains_once_per_epoch_in_partial_batches_too(monkeypatch, on_device: bool):
    if not on_device:  # chunks of 2 batches: 10, 10 and 3 rows, the last a partial batch
        monkeypatch.setattr(keras_epochs, "RESIDENT_BYTES", 0)
    images = np.random.default_rng(0).integers(0, 256, (23, 4, 4, 1), dtype=np.uint8)
    labels = np.arange(23) % 3
    training = Training(epochs=2, batch_size=5, steps_per_execution=2)
    model = KerasModel(dense_net, {"hidden_units": (4,)}, training, seed=0)
    model.fit(images, labels, n_classes=3)
    assert samples_counted(model) == [23, 23]  # the loss and the accuracy, over the last epoch
    assert len(model.history_) == 2


@pytest.mark.slow
def test_training_on_the_device_and_in_chunks_gives_the_same_weights(monkeypatch):
    images = np.random.default_rng(0).integers(0, 256, (23, 4, 4, 1), dtype=np.uint8)
    labels = np.arange(23) % 3
    training = Training(epochs=2, batch_size=5, steps_per_execution=2)

    def trained_weights() -> list[np.ndarray]:
        model = KerasModel(dense_net, {"hidden_units": (4,)}, training, seed=0)
        return model.fit(images, labels, n_classes=3).model_.get_weights()

    resident = trained_weights()
    monkeypatch.setattr(keras_epochs, "RESIDENT_BYTES", 0)
    for chunked, whole in zip(trained_weights(), resident, strict=True):
        np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-6)


def test_prediction_batches_shrink_with_the_image_size():
    assert predict_batch_size(np.zeros((1, 28, 28, 1), np.uint8)) == 4000
    assert predict_batch_size(np.zeros((1, *FACE_SHAPE), np.uint8)) == 70


def test_the_labels_are_the_largest_output_or_one_unit_over_its_threshold():
    scores = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], dtype=np.float32)
    assert decide(scores).tolist() == [1, 0]
    one_unit = np.array([[-0.1], [0.3], [0.7]], dtype=np.float32)
    assert decide(one_unit).tolist() == [0, 0, 1]  # a sigmoid's probability, over 0.5
    assert decide(one_unit, threshold=0.0).tolist() == [0, 1, 1]  # a logit, over 0
    assert decide(one_unit).dtype == np.int64


def test_a_model_refuses_data_it_cannot_serve_with_a_reason():
    digits = DataInfo((28, 28, 1), tuple("0123456789"), 100)
    tiny = DataInfo((8, 8, 1), ("a", "b"), 100)
    assert "needs exactly 2 classes, and this dataset has 10" in dense(
        output="sigmoid"
    ).skip_reason(digits)
    assert dense(output="sigmoid").skip_reason(tiny) is None
    assert cnn(filters=[16]).skip_reason(tiny) is None
    assert cnn().skip_reason(digits) is None


def test_default_convolutions_larger_than_the_images_skip_the_cell():
    assert cnn().skip_reason(DataInfo((8, 8, 1), ("a", "b"), 100)) == (
        "kernel_size 3 with pool_size 2 over 2 conv/pool blocks shrinks 8x8 images to nothing: "
        "use kernel_size 2 or less, or larger images (--image-size)"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kernel_size": 40}, "kernel_size 40 with pool_size 2 over 2 conv/pool blocks shrinks"),
        ({"kernel_size": 3, "filters": [8] * 5}, "blocks shrinks 28x28 images to nothing: use fe"),
        ({"pool_size": 30}, "use fewer filters or a smaller pool_size, or larger images"),
    ],
)
def test_chosen_convolutions_larger_than_the_images_are_bad_input(params, message):
    with pytest.raises(ConfigError, match=message):
        cnn(**params).skip_reason(DataInfo((28, 28, 1), tuple("0123456789"), 100))


def two_classes(data):
    keep_train, keep_test = data.y_train < 2, data.y_test < 2
    return (
        data.x_train[keep_train],
        data.y_train[keep_train],
        data.x_test[keep_test],
        data.y_test[keep_test],
    )


def logits_net(input_shape, n_classes, units=1):
    """Ends without an activation: the loop must train it on logits."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Flatten(),
            keras.layers.Dense(units),
        ]
    )


@pytest.mark.slow
@pytest.mark.parametrize("units", [1, 2])
def test_a_builder_that_gives_logits_is_trained_on_logits(units, mnist_small):
    x, y, x_test, y_test = two_classes(mnist_small)
    spec = resolve_model("tests.models.test_keras_nets:logits_net")
    model = spec.build({"units": units, "batch_size": 10}, seed=0).fit(x, y, n_classes=2)
    assert model.logits_ and model.binary_ == (units == 1)
    assert (model.predict(x_test) == y_test).mean() > 0.95


def test_a_builder_whose_outputs_do_not_fit_the_classes_fails(mnist_small):
    spec = resolve_model("tests.models.test_keras_nets:logits_net")
    model = spec.build({"units": 3, "epochs": 1}, seed=0)
    with pytest.raises(ValueError, match="made 3 outputs for 10 classes; end it with Dense"):
        model.fit(mnist_small.x_train[:100], mnist_small.y_train[:100], n_classes=10)
