"""``check_model`` accepts scikit-learn's own classifiers, those of ``all_estimators`` that learn
ten classes of MNIST-shaped images, and a classifier whose constructor ends in ``**kwargs``;
the ones it refuses are listed here and in docs/models.md, with why."""

from __future__ import annotations

import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import NearestCentroid
from sklearn.utils import all_estimators
from sklearn.utils.estimator_checks import check_estimator
from sklearn.utils.validation import check_is_fitted, validate_data

from nnbench.errors import ConfigError
from nnbench.testing import ModelContractError, all_checks, check_model, synthetic_digits
from tests.conftest import REPO

RULES = [rule.__name__ for rule in all_checks()]
CLASSIFIERS = dict(all_estimators(type_filter="classifier"))
#: parameters some need for noisy pixels: BernoulliNB's default ``binarize=0`` turns every
#: pixel on; the label propagations' default rbf kernel underflows to 0 over 784 pixels (NaN)
PARAMS = {
    "BernoulliNB": {"binarize": 0.5},
    "LabelPropagation": {"kernel": "knn"},
    "LabelSpreading": {"kernel": "knn"},
}
#: meta-estimators: a required constructor argument is an estimator (or a list of them), which
#: a suite's parameters (TOML values) cannot give
NEED_AN_ESTIMATOR = [
    "ClassifierChain",
    "FixedThresholdClassifier",
    "MultiOutputClassifier",
    "OneVsOneClassifier",
    "OneVsRestClassifier",
    "OutputCodeClassifier",
    "SelfTrainingClassifier",
    "StackingClassifier",
    "TunedThresholdClassifierCV",
    "VotingClassifier",
]
#: their defaults warn, a FutureWarning (an error in this test suite): the class is deprecated,
#: or its defaults (l1_ratios, scoring) will change
WARN = ["LogisticRegressionCV", "PassiveAggressiveClassifier"]
#: refused by a rule on the check's data, with the rule
BREAK_A_RULE = {
    "AdaBoostClassifier": "check_learns_above_chance",  # 50 stumps, 10 classes, 200 images
    "DummyClassifier": "check_learns_above_chance",  # learns nothing, by design
    "QuadraticDiscriminantAnalysis": "check_fit_returns_self",  # fewer images than pixels
    "RadiusNeighborsClassifier": "check_fit_returns_self",  # no neighbour within radius 1
}
#: they pass, in 6 to 400 seconds each on a busy 2-core machine: too slow for the test suite
TOO_SLOW = [
    "CalibratedClassifierCV",
    "GaussianProcessClassifier",
    "GradientBoostingClassifier",
    "HistGradientBoostingClassifier",
    "LinearDiscriminantAnalysis",
    "LogisticRegression",
    "MLPClassifier",
]
LEFT_OUT = [*NEED_AN_ESTIMATOR, *WARN, *BREAK_A_RULE, *TOO_SLOW]
TESTED = sorted(set(CLASSIFIERS) - set(LEFT_OUT))


def digits():
    """Ten classes of MNIST-shaped images (28 x 28 x 1), 200 to train on and 100 to test."""
    return synthetic_digits(n_classes=10, n_train=200, n_test=100)


class OptionsCentroid(ClassifierMixin, BaseEstimator):
    """The nearest centroid, whose constructor ends in ``**options`` for NearestCentroid (as
    xgboost's ends in ``**kwargs``): get_params reports them, so that ``clone`` keeps them."""

    def __init__(self, shrink_threshold=None, **options):
        self.shrink_threshold = shrink_threshold
        self._options = options

    def get_params(self, deep=True):
        return {"shrink_threshold": self.shrink_threshold, **self._options}

    def set_params(self, **params):
        self.shrink_threshold = params.pop("shrink_threshold", self.shrink_threshold)
        self._options.update(params)
        return self

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.centroid_ = NearestCentroid(shrink_threshold=self.shrink_threshold, **self._options)
        self.classes_ = self.centroid_.fit(X, y).classes_
        return self

    def predict(self, X):
        check_is_fitted(self)
        return self.centroid_.predict(validate_data(self, X, reset=False))


def test_the_lists_name_every_classifier_once_and_the_docs_name_the_refused():
    assert sorted([*LEFT_OUT, *TESTED]) == sorted(CLASSIFIERS) and len(TESTED) >= 10
    docs = (REPO / "docs" / "models.md").read_text()
    refused = [*NEED_AN_ESTIMATOR, *WARN, *BREAK_A_RULE]
    assert [name for name in refused if f"`{name}`" not in docs] == []


@pytest.mark.parametrize("name", NEED_AN_ESTIMATOR)
def test_a_meta_estimator_is_refused_for_its_required_estimator(name):
    with pytest.raises(ConfigError, match=f"Model '{name}' (needs parameter|cannot be made)"):
        check_model(CLASSIFIERS[name], data=digits())


@pytest.mark.slow
@pytest.mark.parametrize("name", TESTED)
def test_check_model_accepts_scikit_learns_classifiers(name):
    params = PARAMS.get(name, {})
    passed = check_model(CLASSIFIERS[name], data=digits(), params=params)
    has_proba = hasattr(CLASSIFIERS[name](**params), "predict_proba")
    assert passed == [rule for rule in RULES if has_proba or "proba" not in rule]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rule"), BREAK_A_RULE.items())
def test_the_classifiers_refused_break_the_rule_named(name, rule):
    with pytest.raises(ModelContractError) as caught:
        check_model(CLASSIFIERS[name], data=digits())
    assert list(caught.value.broken) == [rule]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # array API: not set
def test_a_constructor_ending_in_kwargs_passes_both_checkers():
    check_estimator(OptionsCentroid(metric="manhattan"))
    passed = check_model(OptionsCentroid, data=digits(), params={"metric": "manhattan"})
    assert passed == [rule for rule in RULES if "proba" not in rule and "unknown" not in rule]
