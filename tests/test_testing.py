"""``nnbench.testing``: its rules are its ``check_*`` functions; ``check_model`` passes models
that keep the contract and lists every rule a broken one breaks; ``parametrize_with_checks``
gives one test per model and rule."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from nnbench.errors import ConfigError
from nnbench.models import Model
from nnbench.testing import (
    ModelContractError,
    all_checks,
    check_model,
    parametrize_with_checks,
    rules,
    synthetic_digits,
)
from nnbench.testing.subject import ModelUnderCheck, RuleNotApplicable

RULES = [rule.__name__ for rule in all_checks()]
#: the rules of the optional predict_proba
PROBABILITY_RULES = [name for name in RULES if "proba" in name]
WITHOUT_PROBABILITIES = [name for name in RULES if name not in PROBABILITY_RULES]
#: the rules that need no fit: a model that refuses the data is checked up to them
BEFORE_FIT = RULES[: RULES.index("check_fit_takes_run_arguments") + 1]


class NearestMean(Model):
    """The nearest class mean: it learns the synthetic bars."""

    fits = 0  # how many times any of them was fitted

    def fit(self, x, y, *, n_classes, monitor=None):
        NearestMean.fits += 1
        pixels = x.reshape(len(x), -1).astype(float)
        self.means_ = np.stack([pixels[y == label].mean(axis=0) for label in range(n_classes)])
        self.history_, self.info_ = [], {}
        return self

    def predict(self, x):
        return self.distances(x).argmin(axis=1)

    def distances(self, x):
        pixels = x.reshape(len(x), -1).astype(float)
        return ((pixels[:, None, :] - self.means_[None]) ** 2).sum(axis=2)

    def n_params(self):
        return int(self.means_.size)


class Good(NearestMean):
    def __init__(self, k: int = 1, seed: int = 0) -> None:
        self.k = k
        self.seed = seed


class WithProbabilities(Good):
    """The nearest class mean, with a softmax over minus the squared distances."""

    def predict_proba(self, x):
        distances = self.distances(x)
        scores = -(distances - distances.min(axis=1, keepdims=True)) / distances.std()
        return np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)


class WithOptions(NearestMean):
    """A constructor that ends in ``**options``: get_params reports them too."""

    def __init__(self, k: int = 1, seed: int = 0, **options) -> None:
        self.k = k
        self.seed = seed
        self.options = options

    def get_params(self):
        return {**super().get_params(), **self.options}


class UnnormalisedProbabilities(WithProbabilities):
    def predict_proba(self, x):
        return super().predict_proba(x) * 2


class OneColumnShort(WithProbabilities):
    def predict_proba(self, x):
        return super().predict_proba(x)[:, :-1]


class ContraryProbabilities(WithProbabilities):
    """Probabilities that favour the least likely class."""

    def predict_proba(self, x):
        return super().predict_proba(x)[:, ::-1]


class LearnsInInit(Good):
    def __init__(self, k: int = 1, seed: int = 0) -> None:
        super().__init__(k, seed)
        self.ready_ = True


class ReturnsNone(Good):
    def fit(self, x, y, *, n_classes, monitor=None):
        super().fit(x, y, n_classes=n_classes)


class PredictsFloats(Good):
    def predict(self, x):
        return super().predict(x).astype(float)


class PredictsTooMany(Good):
    def predict(self, x):
        return np.arange(len(x))


class Random(Good):
    """Right most of the time, and a different tenth wrong on every call."""

    def predict(self, x):
        labels, rng = super().predict(x), np.random.default_rng()
        flipped = rng.random(len(x)) < 0.1
        labels[flipped] = (labels[flipped] + 1) % 3
        return labels


class Majority(Good):
    """Always the most frequent training class: it learns nothing."""

    def predict(self, x):
        return np.zeros(len(x), dtype=np.int64)


class NoHistory(Good):
    def fit(self, x, y, *, n_classes, monitor=None):
        super().fit(x, y, n_classes=n_classes)
        del self.history_
        return self


class NoMonitor(Good):
    def fit(self, x, y, *, n_classes):
        return super().fit(x, y, n_classes=n_classes)


class Crashes(Good):
    def fit(self, x, y, *, n_classes, monitor=None):
        raise ValueError("no memory left")


class Refuses(Good):
    def skip_reason(self, data):
        return f"needs colour, got {data.input_shape[-1]} channel(s)"


def test_the_rules_are_the_check_functions_of_the_rules_module_in_source_order():
    own = [
        function
        for name, function in inspect.getmembers(rules, inspect.isfunction)
        if name.startswith("check_") and function.__module__ == rules.__name__
    ]
    assert sorted(all_checks(), key=lambda rule: rule.__code__.co_firstlineno) == list(all_checks())
    assert set(all_checks()) == set(own) and len(RULES) == 18
    assert all(rule.__doc__ for rule in all_checks())


def test_a_good_model_passes_every_rule_that_applies_and_is_fitted_twice():
    NearestMean.fits = 0
    assert check_model(Good) == WITHOUT_PROBABILITIES
    assert NearestMean.fits == 2  # the rules share one fit; determinism needs a second


def test_probabilities_are_checked_when_the_model_has_them():
    assert check_model(WithProbabilities) == RULES


def test_a_model_that_refuses_the_data_is_checked_up_to_its_fit():
    assert check_model(Refuses) == BEFORE_FIT
    subject = ModelUnderCheck(Refuses)
    with pytest.raises(RuleNotApplicable, match="refuses the data: needs colour, got 1"):
        rules.check_learns_above_chance(subject)


def test_a_constructor_ending_in_kwargs_may_report_extra_parameters():
    passed = check_model(WithOptions, params={"k": 2, "shrink": 0.5})
    assert passed == [name for name in WITHOUT_PROBABILITIES if "unknown" not in name]
    with pytest.raises(RuleNotApplicable, match=r"ends in \*\*kwargs: it takes any parameter"):
        rules.check_unknown_parameter_is_named(ModelUnderCheck(WithOptions))


def test_a_model_that_loses_a_parameter_breaks_get_params():
    subject = ModelUnderCheck(Good, params={"k": 2})
    subject.build = lambda params=None, seed=0: Good(k=1)  # a model that drops k
    with pytest.raises(ModelContractError, match=r"get_params\(\) gave \{'k': 1\}"):
        rules.check_get_params_reports_parameters(subject)


@pytest.mark.parametrize(
    ("model", "broken"),
    [
        (LearnsInInit, {"check_init_stores_parameters_only": "__init__ set ['ready_']"}),
        (ReturnsNone, {"check_fit_returns_self": "fit returned another object"}),
        (PredictsFloats, {"check_predict_gives_labels": "predict gave float64 of shape (90,)"}),
        (
            PredictsTooMany,
            {
                "check_labels_are_classes": "predict gave 87 labels outside 0..2: [3, 4, 5, 6, 7, ...]",
                "check_learns_above_chance": "test accuracy 0.033 on contract-check",
            },
        ),
        (Random, {"check_same_seed_same_predictions": "two fits with seed 3 disagreed on"}),
        (
            Majority,
            {
                "check_learns_above_chance": "test accuracy 0.333 on contract-check (synthetic), "
                "where always guessing the most frequent class scores 0.333; a model that "
                "learns reaches 0.500"
            },
        ),
        (NoHistory, {"check_history_and_info_set": "after fit, history_ is None and info_ is {}"}),
        (
            OneColumnShort,
            {
                "check_proba_shape": "predict_proba gave shape (90, 2) for 90 images of 3 classes",
                "check_proba_sums_to_one": "rows sum to ",
                "check_proba_agrees_with_predict": "the most probable class is predict's label",
            },
        ),
        (UnnormalisedProbabilities, {"check_proba_sums_to_one": "rows sum to 2.000000 to 2.0"}),
        (ContraryProbabilities, {"check_proba_agrees_with_predict": "the most probable class"}),
        (
            NoMonitor,
            {
                "check_fit_takes_run_arguments": "fit(x, y, *, n_classes, monitor) cannot be "
                "called (got an unexpected keyword argument 'monitor')"
            },
        ),
        (Crashes, {"check_fit_returns_self": "fitting and predicting raised ValueError: no mem"}),
    ],
)
def test_a_broken_model_is_reported_with_every_rule_it_breaks(model, broken):
    with pytest.raises(ModelContractError) as caught:
        check_model(model)
    found = caught.value.broken
    assert list(found) == list(broken)
    assert all(found[rule].startswith(problem) for rule, problem in broken.items()), found
    assert str(caught.value).startswith(f"{model.__name__} breaks {len(broken)} of 18 rules:\n")


def test_the_message_lists_the_broken_rules_and_those_not_checked():
    with pytest.raises(ModelContractError) as caught:
        check_model(NoMonitor)
    not_checked = [name for name in RULES[RULES.index("check_fit_returns_self") :]]
    assert caught.value.not_checked == dict.fromkeys(
        not_checked, "fit cannot be called (check_fit_takes_run_arguments)"
    )
    assert str(caught.value) == (
        "NoMonitor breaks 1 of 18 rules:\n"
        "- check_fit_takes_run_arguments: fit(x, y, *, n_classes, monitor) cannot be called "
        "(got an unexpected keyword argument 'monitor')\n"
        f"Not checked (fit cannot be called (check_fit_takes_run_arguments)): "
        f"{', '.join(not_checked)}"
    )


def test_a_model_that_cannot_be_made_is_a_config_error():
    class NeedsK(Good):
        def __init__(self, k: int, seed: int = 0) -> None:
            super().__init__(k, seed)

    with pytest.raises(ConfigError, match="Model 'test_a_model_that_cannot_be_made_is_a_config"):
        check_model(NeedsK)


@parametrize_with_checks([WithProbabilities])  # Good skips 3 rules: tested just below
def test_parametrize_with_checks_gives_a_test_per_model_and_rule(model, check):
    check(model)


def test_the_tests_are_named_by_model_and_rule_and_share_one_fit():
    mark = parametrize_with_checks([Good, pytest.param(WithOptions, marks=pytest.mark.slow)])
    names, pairs = mark.args
    ids = [
        f"{mark.kwargs['ids'](model)}-{mark.kwargs['ids'](check)}"
        for model, check in (pair.values for pair in pairs)
    ]
    assert names == ("model", "check")
    assert ids == [f"Good-{rule}" for rule in RULES] + [f"WithOptions-{rule}" for rule in RULES]
    assert [[mark.name for mark in pair.marks] for pair in pairs] == [[]] * 18 + [["slow"]] * 18
    NearestMean.fits = 0
    for model, check in (pair.values for pair in pairs[:18]):
        if check.__name__ in PROBABILITY_RULES:
            with pytest.raises(pytest.skip.Exception, match="the model has no predict_proba"):
                check(model)
        else:
            check(model)
    assert NearestMean.fits == 2


def test_a_broken_rule_fails_its_own_test_with_the_problem():
    pairs = parametrize_with_checks([Majority]).args[1]
    model, rule = pairs[RULES.index("check_learns_above_chance")].values
    with pytest.raises(ModelContractError, match=r"^test accuracy 0\.333 on contract-check"):
        rule(model)


def test_the_synthetic_digits_have_up_to_ten_classes_that_a_model_learns():
    data = synthetic_digits(n_classes=10, n_train=200, n_test=100)
    assert data.synthetic and "synthetic" in data.name
    assert data.x_train.shape == (200, 28, 28, 1) and data.x_train.dtype == np.uint8
    assert np.bincount(data.y_test).tolist() == [10] * 10
    assert data.class_names[:3] == ("-", "|", "\\") and len(set(data.class_names)) == 10
    assert check_model(Good, data=data) == WITHOUT_PROBABILITIES
    with pytest.raises(ValueError, match="n_classes is 11: should be 2 to 10"):
        synthetic_digits(n_classes=11)


def test_the_example_model_passes():
    assert check_model("examples/my_models.py:NearestMean") == WITHOUT_PROBABILITIES


@pytest.mark.slow
def test_the_example_keras_builder_passes_with_its_probabilities():
    tiny_cnn = check_model("examples/my_models.py:tiny_cnn", params={"epochs": 1})
    assert tiny_cnn == RULES  # a softmax output gives probabilities


def unscaled_builder(input_shape, n_classes):
    """A Keras builder that forgets Rescaling: its first Dense layer sees pixels of 0 to 255."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(n_classes, activation="softmax"),
        ]
    )


@pytest.mark.slow
def test_a_builder_without_rescaling_fails_the_learning_rule_naming_the_scaling():
    with pytest.raises(ModelContractError) as caught:
        check_model(unscaled_builder)
    [(rule, problem)] = caught.value.broken.items()
    assert rule == "check_learns_above_chance"
    assert problem.startswith("training went wrong: the training loss of epoch 1 was")
    assert "the first layer with weights sees the pixels unscaled (values up to 255)" in problem
    assert "keras.layers.Rescaling(1 / 255)" in problem
