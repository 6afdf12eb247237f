"""The seed's Keras architectures and the shared training loop."""

from __future__ import annotations

import pytest

from nnbench.models.base import Monitor
from nnbench.models.keras_nets import CNN, DenseNN, conv_net, dense_net


def test_dense_net_has_the_seeds_parameter_count():
    assert dense_net((28, 28, 1), 10, [128, 128, 128]).count_params() == 134_794


def test_cnn_has_the_seeds_parameter_count_and_flatten_size():
    model = conv_net((28, 28, 1), 10, [64, 64], 3, 2, [128, 128])
    assert model.count_params() == 260_298
    flatten = next(layer for layer in model.layers if layer.name.startswith("flatten"))
    assert flatten.output.shape[-1] == 1600


def test_layer_sizes_are_parameters():
    assert dense_net((28, 28, 1), 10, [64]).count_params() == (784 + 1) * 64 + (64 + 1) * 10


def test_history_has_one_row_per_epoch_and_test_accuracy(mnist_small):
    rows = []
    model = DenseNN(epochs=2, seed=0).fit(
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


def test_zero_epochs_trains_nothing(mnist_small):
    model = CNN(epochs=0).fit(mnist_small.x_train, mnist_small.y_train, n_classes=10)
    assert model.history_ == []
    accuracy = (model.predict(mnist_small.x_test) == mnist_small.y_test).mean()
    assert accuracy == pytest.approx(0.1, abs=0.1)
