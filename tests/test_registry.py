"""The registry: lookups, suggestions, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nnbench.errors import ConfigError, UnknownNameError
from nnbench.models import MODELS
from nnbench.registry import Registry


def test_unknown_name_suggests_close_matches_and_lists_all():
    with pytest.raises(UnknownNameError) as caught:
        MODELS.get("dense")
    assert str(caught.value) == (
        "Unknown model 'dense'. Did you mean 'dense_nn'? "
        "Available: naive_bayes, lasso_logit, dense_nn, cnn."
    )


def test_unknown_name_without_close_match():
    with pytest.raises(UnknownNameError) as caught:
        MODELS.entry("xgboost")
    assert str(caught.value) == (
        "Unknown model 'xgboost'. Available: naive_bayes, lasso_logit, dense_nn, cnn."
    )


def test_entries_import_only_when_asked():
    registry = Registry("thing")
    registry.register("later", "no_such_module_anywhere:Thing", "imported on get only")
    assert registry.names() == ["later"]
    assert registry.entry("later").description == "imported on get only"
    with pytest.raises(ConfigError, match="there is no module 'no_such_module_anywhere'"):
        registry.get("later")


def test_registration_errors():
    registry = Registry("thing")
    registry.register("a", "json:dumps", "x")
    assert registry.get("a").__name__ == "dumps"
    with pytest.raises(ValueError, match="already registered"):
        registry.register("a", "json:loads", "x")
    with pytest.raises(ValueError, match="module:attr"):
        registry.register("b", "json.loads", "x")


@pytest.mark.slow
@pytest.mark.parametrize(
    "module",
    [
        "nnbench.models",
        "nnbench.models.naive_bayes",
        "nnbench.models.lasso_logit",
        "nnbench.runner",
        "nnbench.plan",
        "nnbench.cli",
        "nnbench.testing",
    ],
)
def test_importing_does_not_import_tensorflow(module: str):
    code = f"import sys, {module}; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
