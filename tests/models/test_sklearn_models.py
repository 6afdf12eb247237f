"""Naive Bayes variants and the LASSO's convergence and sparsity records."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnbench.errors import ConfigError
from nnbench.models import base, resolve_model
from nnbench.models.lasso_logit import LassoLogit
from nnbench.models.naive_bayes import NaiveBayes


@pytest.mark.parametrize(
    ("variant", "n_params"),
    [("multinomial", 10 * 784 + 10), ("bernoulli", 10 * 784 + 10), ("gaussian", 2 * 10 * 784 + 10)],
)
def test_naive_bayes_variants(variant, n_params, mnist_small):
    model = NaiveBayes(variant=variant).fit(mnist_small.x_train, mnist_small.y_train, n_classes=10)
    assert model.n_params() == n_params
    accuracy = (model.predict(mnist_small.x_test) == mnist_small.y_test).mean()
    assert accuracy > 0.5


@pytest.mark.parametrize("variant", ["multinomial", "bernoulli", "gaussian"])
def test_naive_bayes_in_chunks_matches_one_pass(variant, mnist_small, monkeypatch):
    x, y = mnist_small.x_train[:2000], mnist_small.y_train[:2000]
    whole = NaiveBayes(variant=variant).fit(x, y, n_classes=10)
    monkeypatch.setattr(base, "CHUNK_BYTES", 4 * 784 * 300)  # 300 images per chunk
    assert len(list(base.row_chunks(x))) == 7
    chunked = NaiveBayes(variant=variant).fit(x, y, n_classes=10)
    agreement = (chunked.predict(mnist_small.x_test) == whole.predict(mnist_small.x_test)).mean()
    # counts add up exactly; Gaussian's variance floor comes from the last chunk only
    assert agreement >= (1.0 if variant != "gaussian" else 0.99)
    learned = "theta_" if variant == "gaussian" else "feature_log_prob_"
    np.testing.assert_allclose(
        getattr(chunked.estimator_, learned), getattr(whole.estimator_, learned), rtol=1e-5
    )


def test_naive_bayes_unknown_variant():
    with pytest.raises(
        ConfigError,
        match="Model 'naive_bayes': variant is \"poisson\": should be 'multinomial', 'bernoulli' "
        "or 'gaussian'",
    ):
        resolve_model("naive_bayes").build({"variant": "poisson"}, seed=0)


def test_lasso_records_non_convergence_instead_of_warning(mnist_small):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that escapes fails the test
        model = LassoLogit(max_iter=2).fit(
            mnist_small.x_train[:1000], mnist_small.y_train[:1000], n_classes=10
        )
    assert model.info_["converged"] is False
    assert model.info_["n_iter"] == 2


@pytest.mark.slow
def test_lasso_is_sparse_and_converges_when_given_room(mnist_small):
    model = LassoLogit(C=0.1, tol=0.01, max_iter=200).fit(
        mnist_small.x_train[:1000], mnist_small.y_train[:1000], n_classes=10
    )
    assert model.info_["converged"] is True
    assert model.n_params() == 7850
    assert 0 < model.info_["n_nonzero"] < 7840 // 2
