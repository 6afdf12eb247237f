"""Models, found by name, plugin or reference. Nothing is imported until it is used: listing
models never imports TensorFlow.

- a registered name: ``naive_bayes``, ``lasso_logit``, ``dense_nn``, ``cnn``;
- an installed plugin: an entry point of the group ``nnbench.models``;
- a reference to your own code: ``path/to/file.py:NAME`` or ``package.module:NAME``.
"""

from __future__ import annotations

import functools

from nnbench.errors import UnknownNameError
from nnbench.models.base import DataInfo, Model, Monitor, SkipCell, optional
from nnbench.models.spec import ModelSpec, model_spec
from nnbench.references import code_fingerprint, is_file_source, is_reference, load_reference
from nnbench.registry import Entry, Registry

__all__ = [
    "MODELS",
    "DataInfo",
    "Model",
    "Monitor",
    "SkipCell",
    "optional",
    "resolve_model",
]

ENTRY_POINT_GROUP = "nnbench.models"
REFERENCE_HINT = (
    "Or name your own model as path/to/file.py:NAME or package.module:NAME (see `nnbench list`)."
)

MODELS = Registry("model", group=ENTRY_POINT_GROUP)
MODELS.register(
    "naive_bayes",
    "nnbench.models.naive_bayes:NaiveBayes",
    "Naive Bayes on [0, 1] pixels (multinomial; bernoulli or gaussian by `variant`).",
    cost=2.0,
)
MODELS.register(
    "lasso_logit",
    "nnbench.models.lasso_logit:LassoLogit",
    "L1-penalised multinomial logit (LASSO) by `solver`: saga (the class default), fista (the "
    "lecture suite's), cyanure or glmnet.",
    cost=58.0,
)
MODELS.register(
    "dense_nn",
    "nnbench.models.keras.nets:dense_net",
    "Keras dense net: ReLU hidden layers (lecture: 128-128-128), softmax output, Adam.",
    cost=7.0,
)
MODELS.register(
    "cnn",
    "nnbench.models.keras.nets:conv_net",
    "Keras CNN: conv 3x3 + max-pool blocks (lecture: 64, 64), dense 128-128, softmax, Adam.",
    cost=89.0,
)


def check_model_name(name: str) -> None:
    """Raise UnknownNameError unless ``name`` is a registered name, a plugin or a reference
    (references are checked when they are resolved)."""
    if not is_reference(name):
        model_entry(name)


def model_entry(name: str) -> Entry:
    """The registry entry of ``name``, or an UnknownNameError that also names the references."""
    try:
        return MODELS.entry(name)
    except UnknownNameError as exc:
        raise UnknownNameError(f"{exc} {REFERENCE_HINT}") from None


def model_provenance(name: str) -> dict[str, str]:
    """Where the model ``name`` comes from, without importing it: for the result of a cell
    whose model never ran (a worker that skips a Keras cell need not import TensorFlow)."""
    if is_reference(name):
        kind = "file" if is_file_source(name.rpartition(":")[0]) else "module"
        return {"kind": kind, "reference": name}
    return model_entry(name).provenance()


def model_code(name: str) -> str | None:
    """What identifies the code of the model ``name`` (its file's SHA-256, or its distribution's
    version; see :func:`~nnbench.references.code_fingerprint`), without importing a built-in
    model or a plugin; None for a built-in one."""
    origin = resolve_model(name).origin if is_reference(name) else model_provenance(name)
    return code_fingerprint(origin)


@functools.cache
def resolve_model(name: str) -> ModelSpec:
    """The model called ``name``: a registered name, a plugin, or a reference to user code.

    Raises UnknownNameError for an unknown name and ConfigError for a reference that cannot be
    imported or does not name a model.
    """
    if is_reference(name):
        target, origin = load_reference(name)
        return model_spec(name, target, origin)
    entry = model_entry(name)
    return model_spec(name, entry.load(), entry.provenance(), entry.description)
