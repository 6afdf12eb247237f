"""Any scikit-learn classifier class as a model: parameters, the seed, counts, chunks."""

from __future__ import annotations

import numpy as np
import pytest

from nnbench.errors import ConfigError
from nnbench.models import base, resolve_model
from nnbench.models.sklearn_adapter import count_learned


def forest(**params):
    return resolve_model("sklearn.ensemble:RandomForestClassifier").build(params, seed=4)


def test_parameters_come_from_the_constructor_and_the_seed_sets_random_state(mnist_small):
    model = forest(n_estimators=5, max_depth=6)
    params = model.get_params()
    assert params["n_estimators"] == 5 and params["max_depth"] == 6
    assert params["criterion"] == "gini"  # a default, recorded as used
    assert "random_state" not in params  # it is the seed, stored on its own
    model.fit(mnist_small.x_train[:500], mnist_small.y_train[:500], n_classes=10)
    assert model.estimator_.random_state == 4
    assert model.n_params() == sum(tree.tree_.node_count for tree in model.estimator_.estimators_)
    assert model.predict(mnist_small.x_test[:50]).dtype == np.int64


def test_a_random_state_given_is_kept(mnist_small):
    model = forest(n_estimators=2, random_state=11)
    assert model.get_params()["random_state"] == 11
    model.fit(mnist_small.x_train[:200], mnist_small.y_train[:200], n_classes=10)
    assert model.estimator_.random_state == 11


def test_an_unknown_parameter_lists_the_real_ones():
    with pytest.raises(ConfigError, match="has no parameter 'n_trees'. Its parameters: n_estim"):
        forest(n_trees=5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_user_estimator_is_fitted_with_fit_not_partial_fit(mnist_small, monkeypatch):
    monkeypatch.setattr(base, "CHUNK_BYTES", 4 * 784 * 100)  # prediction goes by 100 images
    model = resolve_model("sklearn.linear_model:SGDClassifier").build({"max_iter": 20}, seed=0)
    model.fit(mnist_small.x_train[:1000], mnist_small.y_train[:1000], n_classes=10)
    assert model.estimator_.n_iter_ > 1  # fit runs its epochs; one partial_fit would run one
    predictions = model.predict(mnist_small.x_test[:1000])
    assert (predictions == mnist_small.y_test[:1000]).mean() > 0.7
    assert model.n_params() == 10 * 784 + 10


def test_count_learned_knows_linear_models_and_trees_only():
    class Fitted:
        pass

    linear, tree, other = Fitted(), Fitted(), Fitted()
    linear.coef_, linear.intercept_ = np.zeros((3, 4)), np.zeros(3)
    tree.tree_ = Fitted()
    tree.tree_.node_count = 9
    ensemble = Fitted()
    ensemble.estimators_ = np.array([[tree], [tree]], dtype=object)
    assert [count_learned(m) for m in (linear, tree, ensemble, other)] == [15, 9, 18, None]
