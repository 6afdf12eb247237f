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
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import Gt, Le
from pydantic import ConfigDict, PydanticSchemaGenerationError, TypeAdapter, ValidationError

from nnbench.canonical_json import canonical
from nnbench.errors import ConfigError
from nnbench.options import MAX_COUNT
from nnbench.schemas import describe_errors

__all__ = [
    "PositiveCount",
    "PositiveNumber",
]

#: a count such as epochs, units or a kernel's side: from 1 to what a C int holds
PositiveCount = Annotated[int, Gt(0), Le(MAX_COUNT)]
#: a finite number above 0, such as a learning rate or a tolerance
PositiveNumber = Annotated[float, Gt(0)]

STRICT = ConfigDict(strict=True, allow_inf_nan=False)
LAX = ConfigDict(strict=False, allow_inf_nan=False)


def type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The type hints of ``function``, constraints kept, each resolved on its own: a hint that
    names something its module does not import is left out (that parameter is not checked),
    the others still count."""
    try:
        return typing.get_type_hints(function, include_extras=True)
    except Exception:  # some hint does not resolve: resolve the others one by one
        namespace = getattr(function, "__globals__", {})
        hints = {}
        for name, hint in getattr(function, "__annotations__", {}).items():
            try:
                hints[name] = eval(hint, namespace) if isinstance(hint, str) else hint
            except Exception:
                continue
        return hints


@dataclass(frozen=True)
class Declared:
    """A parameter's declared type, checked strictly; a value pydantic would only reshape, not
    change (a list for a ``tuple``, a string for a ``Path`` or an ``Enum``), is taken too."""

    strict: TypeAdapter[Any]
    lax: TypeAdapter[Any]

    def check(self, value: Any) -> None:
        """Raise ValidationError unless ``value`` is of the declared type and range."""
        try:
            self.strict.validate_python(value)
        except ValidationError as strict_error:
            try:
                taken = self.lax.validate_python(value)
            except ValidationError as lax_error:  # it names an Enum's values; strict, the rest
                naming = {error["type"] for error in lax_error.errors()} == {"enum"}
                raise (lax_error if naming else strict_error) from None
            try:
                unchanged = canonical(self.lax.dump_python(taken, mode="json")) == canonical(value)
            except (ValueError, TypeError):  # it became something JSON cannot hold
                unchanged = False
            if not unchanged:
                raise strict_error from None


def validators(hints: Mapping[str, Any], names: list[str]) -> dict[str, Declared]:
    """A validator for each of ``names`` that has a type hint pydantic understands."""
    found = {}
    for name in names:
        if name in hints and hints[name] is not Any:
            try:
                adapters = (TypeAdapter(hints[name], config=c) for c in (STRICT, LAX))
                found[name] = Declared(*adapters)
            except (PydanticSchemaGenerationError, TypeError):
                continue  # a hint of a class pydantic cannot check: the value is not checked
    return found


def check_values(params: Mapping[str, Any], declared: Mapping[str, Declared], where: str) -> None:
    """Raise ConfigError, naming ``where``, each bad parameter, its value and what is allowed,
    unless every value of ``params`` that has a declaration satisfies it."""
    problems = []
    for name, value in params.items():
        if name in declared:
            try:
                declared[name].check(value)
            except ValidationError as exc:
                problems.append(describe_errors(exc, prefix=name))
    if problems:
        raise ConfigError(f"{where}: {'; '.join(problems)}.")
