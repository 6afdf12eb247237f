"""Model parameters, declared once: by the type hints of the model's own signature.

A model's constructor (or Keras builder) annotates each parameter with its type and range, with
pydantic's or ``annotated_types``' constraints::

    def dense_net(input_shape, n_classes, hidden_units: Sequence[PositiveCount] = (128,)): ...

Every value from a suite file or ``--param`` is checked against that declaration, in strict
mode (``"5"`` is not 5 and ``true`` is not 1), before anything trains. A parameter without a
type hint takes any value a result file can hold.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from annotated_types import Gt, Le
from pydantic import ConfigDict, PydanticSchemaGenerationError, TypeAdapter, ValidationError

from nnbench.errors import ConfigError
from nnbench.options import MAX_COUNT
from nnbench.schemas import describe_errors

#: a count such as epochs, units or a kernel's side: from 1 to what a C int holds
PositiveCount = Annotated[int, Gt(0), Le(MAX_COUNT)]
#: a finite number above 0, such as a learning rate or a tolerance
PositiveNumber = Annotated[float, Gt(0)]

STRICT = ConfigDict(strict=True, allow_inf_nan=False)


def type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The resolved type hints of ``function``, constraints kept; none when they cannot be
    resolved (a hint naming something its module does not import)."""
    try:
        return typing.get_type_hints(function, include_extras=True)
    except Exception:  # any failure to resolve means "not declared"
        return {}


def validators(hints: Mapping[str, Any], names: list[str]) -> dict[str, TypeAdapter]:
    """A strict validator for each of ``names`` that has a type hint pydantic understands."""
    found = {}
    for name in names:
        if name in hints and hints[name] is not Any:
            try:
                found[name] = TypeAdapter(hints[name], config=STRICT)
            except (PydanticSchemaGenerationError, TypeError):
                continue  # a hint of a class pydantic cannot check: the value is not checked
    return found


def check_values(
    params: Mapping[str, Any], declared: Mapping[str, TypeAdapter], where: str
) -> None:
    """Raise ConfigError, naming ``where``, each bad parameter, its value and what is allowed,
    unless every value of ``params`` that has a declaration satisfies it."""
    problems = []
    for name, value in params.items():
        if name in declared:
            try:
                declared[name].validate_python(value)
            except ValidationError as exc:
                problems.append(describe_errors(exc, prefix=name))
    if problems:
        raise ConfigError(f"{where}: {'; '.join(problems)}.")
