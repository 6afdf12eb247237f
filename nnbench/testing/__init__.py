"""The model contract as public checks, like scikit-learn's ``check_estimator`` and
``parametrize_with_checks``. Check your model before you benchmark it::

    from nnbench.testing import check_model
    check_model("my_models.py:TinyCNN")      # or the class or builder function itself

or give your test suite one test per rule::

    from nnbench.testing import parametrize_with_checks

    @parametrize_with_checks(["my_models.py:TinyCNN"])
    def test_my_models(model, check):
        check(model)

Each rule is a ``check_*`` function of :mod:`nnbench.testing.rules` (:func:`all_checks` lists
them). nnbench's own contract tests run every registered model through them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from nnbench.datasets import ImageData
from nnbench.testing.data import synthetic_digits
from nnbench.testing.rules import Rule, all_checks
from nnbench.testing.subject import ModelContractError, ModelUnderCheck, RuleNotApplicable

__all__ = [
    "ModelContractError",
    "all_checks",
    "check_model",
    "parametrize_with_checks",
    "synthetic_digits",
]

Data = ImageData | Callable[[], ImageData] | None


def check_model(
    model: Any, data: ImageData | None = None, params: Mapping[str, Any] | None = None
) -> list[str]:
    """Check that ``model`` follows nnbench's model contract; return the rules it passed.

    ``model`` is a name or reference (``"my_models.py:NAME"``), or the object itself: a
    :class:`nnbench.models.Model` subclass, a scikit-learn-style classifier class, or a Keras
    builder function. It is built with ``params`` (default: one epoch for models with epochs)
    and fitted on ``data`` (default: :func:`synthetic_digits`). Every rule that applies runs;
    ModelContractError lists each one broken. A rule that does not apply (``predict_proba``'s,
    for a model without it; those that need a fit, for a model that refuses the data) is left
    out. A model that cannot be built at all is a ConfigError.
    """
    subject = ModelUnderCheck(model, params, data)
    subject.build()  # a model that cannot be made raises its ConfigError once, here
    passed, broken, not_checked = [], {}, {}
    for rule in all_checks():
        try:
            rule(subject)
            passed.append(rule.__name__)
        except RuleNotApplicable as exc:
            not_checked[rule.__name__] = str(exc)
        except Exception as exc:  # a rule that raises otherwise is broken too
            broken[rule.__name__] = (
                str(exc) if isinstance(exc, ModelContractError) else f"{type(exc).__name__}: {exc}"
            )
    if broken:
        raise ModelContractError(report(subject.name, broken, not_checked), broken, not_checked)
    return passed


def report(name: str, broken: Mapping[str, str], not_checked: Mapping[str, str]) -> str:
    """The message of a model that broke rules: each broken rule and its problem, then the rules
    not checked, by reason."""
    lines = [f"{name} breaks {len(broken)} of {len(all_checks())} rules:"]
    lines += [f"- {rule}: {problem}" for rule, problem in broken.items()]
    for reason in dict.fromkeys(not_checked.values()):
        rules = ", ".join(rule for rule, why in not_checked.items() if why == reason)
        lines.append(f"Not checked ({reason}): {rules}")
    return "\n".join(lines)


def parametrize_with_checks(
    models: Iterable[Any], *, params: Mapping[str, Any] | None = None, data: Data = None
) -> Any:
    """A ``pytest.mark.parametrize`` over ``(model, check)``: one test per model and rule, with
    ids such as ``NearestMean-check_fit_returns_self``. The test calls ``check(model)``; a rule
    that does not apply to the model is skipped with the reason.

    ``models`` are anything :func:`check_model` takes, or such a model in ``pytest.param(model,
    marks=...)``, whose marks go to each of its tests; ``params`` and ``data`` are as there, for
    every model (``data`` may be a function that returns them, called once, when a rule first
    needs them). Each model is built and fitted once, and its rules share the fit.
    """
    import pytest  # here, so that importing nnbench.testing needs no pytest

    checks = [skipping(rule) for rule in all_checks()]
    pairs = []
    for model in models:
        given = model if isinstance(model, pytest.ParameterSet) else pytest.param(model)
        [target] = given.values
        subject = ModelUnderCheck(target, params, data)
        pairs += [pytest.param(subject, check, marks=given.marks) for check in checks]
    return pytest.mark.parametrize(("model", "check"), pairs, ids=check_id)


def skipping(rule: Rule) -> Rule:
    """``rule``, with RuleNotApplicable turned into a pytest skip that gives the reason."""

    @functools.wraps(rule)
    def check(model: ModelUnderCheck) -> None:
        import pytest

        try:
            rule(model)
        except RuleNotApplicable as exc:
            pytest.skip(str(exc))

    return check


def check_id(value: ModelUnderCheck | Rule) -> str:
    """A test id's part: the model's name, or the rule's."""
    return value.name if isinstance(value, ModelUnderCheck) else value.__name__
