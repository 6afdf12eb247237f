"""The lecture's dense net trained full-batch by L-BFGS-B."""

from __future__ import annotations

import numpy as np
import pytest

from nnbench.errors import ConfigError
from nnbench.models import DataInfo, Monitor, resolve_model
from nnbench.models.lbfgs import LbfgsNet
from nnbench.testing import check_model, synthetic_digits
from tests.models.test_contract import WITH_PROBABILITIES

ROW_KEYS = ["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "elapsed_s"]
SMALL = {"hidden_units": [8], "max_iter": 20, "n_images": 120}


@pytest.fixture(scope="module")
def digits():
    return synthetic_digits()


def test_lbfgs_learns_the_synthetic_digits_and_records_its_iterations(digits):
    rows = []
    model = LbfgsNet(**SMALL).fit(
        digits.x_train,
        digits.y_train,
        n_classes=3,
        monitor=Monitor(digits.x_test, digits.y_test, on_epoch_end=rows.append),
    )
    accuracy = float(np.mean(model.predict(digits.x_test) == digits.y_test))
    assert accuracy >= 0.9  # 1.0 observed; chance is 1/3
    info = model.info_
    assert set(info) == {"iterations", "converged", "train_loss", "n_images", "message"}
    assert 1 <= info["iterations"] <= 20 and info["n_images"] == 120
    assert info["converged"] == (info["iterations"] < 20) and isinstance(info["message"], str)
    history = model.history_
    assert rows == history and all(list(row) == ROW_KEYS for row in history)
    epochs = [row["epoch"] for row in history]
    assert epochs[-1] == info["iterations"]
    assert all(epoch % 2 == 0 for epoch in epochs[:-1])  # every max_iter // 10 = 2 iterations
    assert epochs == sorted(set(epochs))
    assert history[-1]["train_loss"] == info["train_loss"] < history[0]["train_loss"]
    assert history[-1]["train_loss"] < 0.1
    assert history[-1]["test_accuracy"] == pytest.approx(accuracy)
    assert all(row["test_loss"] is None for row in history)
    assert all(0 <= row["train_accuracy"] <= 1 for row in history)
    elapsed = [row["elapsed_s"] for row in history]
    assert elapsed == sorted(elapsed) and elapsed[0] > 0
    assert model.eval_during_fit_s_ > 0
    assert model.n_params() == (784 + 1) * 8 + (8 + 1) * 3
    assert model.device() == "cpu"


def test_it_trains_on_the_first_n_images_only(digits):
    n = 60
    y = digits.y_train.copy()
    y[n:] = 0  # labels it must never see
    fits = [
        LbfgsNet(hidden_units=[8], max_iter=5, n_images=n).fit(x, labels, n_classes=3)
        for x, labels in ((digits.x_train, y), (digits.x_train[:n], digits.y_train[:n]))
    ]
    assert fits[0].info_["n_images"] == n
    assert np.array_equal(fits[0].predict(digits.x_test), fits[1].predict(digits.x_test))
    assert fits[0].info_["train_loss"] == fits[1].info_["train_loss"]
    assert all(row["test_accuracy"] is None for row in fits[0].history_)


def test_one_sigmoid_unit_learns_two_classes(digits):
    train, test = digits.y_train < 2, digits.y_test < 2
    model = LbfgsNet(hidden_units=[8], max_iter=20, output="sigmoid").fit(
        digits.x_train[train], digits.y_train[train], n_classes=2
    )
    predictions = model.predict(digits.x_test[test])
    assert predictions.dtype == np.int64
    assert np.mean(predictions == digits.y_test[test]) >= 0.9  # 1.0 observed
    assert model.n_params() == (784 + 1) * 8 + 8 + 1


def test_a_sigmoid_output_skips_more_than_two_classes(digits):
    info = DataInfo(digits.input_shape, digits.class_names, len(digits.y_train))
    assert "needs exactly 2 classes" in LbfgsNet(output="sigmoid").skip_reason(info)
    assert LbfgsNet().skip_reason(info) is None


def test_parameters_are_checked_against_their_declared_types():
    spec = resolve_model("nnbench.models.lbfgs:LbfgsNet")
    with pytest.raises(ConfigError, match="max_iter"):
        spec.build({"max_iter": 0}, seed=0)
    with pytest.raises(ConfigError, match="output"):
        spec.build({"output": "tanh"}, seed=0)
    assert spec.build({"n_images": 50}, seed=4).get_params() == {
        "hidden_units": (128, 128, 128),
        "max_iter": 100,
        "n_images": 50,
        "output": "softmax",
    }


def test_lbfgs_net_passes_the_model_contract():
    passed = check_model(LbfgsNet, params=SMALL)
    assert passed == WITH_PROBABILITIES  # every rule, the optional predict_proba's included
