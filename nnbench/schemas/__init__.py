"""Declared schemas of every file nnbench reads (result files, baseline files, suite files) and
of model parameters, all checked by pydantic in strict mode: a value is used as written, never
converted (``"5"`` is not 5, ``true`` is not 1).

:func:`validated` turns pydantic's errors into nnbench's own typed error, whose message names the
file, the field (as a JSON path or TOML key), the value found and what is allowed.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from annotated_types import Ge, Gt, Le
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from nnbench.errors import NNBenchError
from nnbench.options import MAX_SEED

__all__ = [
    "Count",
    "Fraction",
    "PositiveInt64",
    "Seconds",
    "Seed",
    "StrictModel",
    "describe_errors",
    "field_path",
    "validated",
]

#: the largest whole number a pandas ``Int64`` column holds
MAX_INT64 = 2**63 - 1
#: the most problems one message lists
SHOWN_ERRORS = 3
#: the longest value a message quotes in full
SHOWN_VALUE = 60

#: a random seed every backend takes: NumPy, scikit-learn, Python and Keras
Seed = Annotated[int, Ge(0), Le(MAX_SEED)]
#: a share, such as an accuracy: from 0 to 1
Fraction = Annotated[float, Ge(0), Le(1)]
#: a duration in seconds
Seconds = Annotated[float, Ge(0)]
#: a count of images, parameters or epochs
Count = Annotated[int, Ge(0), Le(MAX_INT64)]
#: a count that must be at least 1
PositiveInt64 = Annotated[int, Gt(0), Le(MAX_INT64)]


class StrictModel(BaseModel):
    """A part of a file: strict types, finite numbers, and other keys kept as they are."""

    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="allow")


ModelT = TypeVar("ModelT", bound=BaseModel)


def field_path(location: Sequence[int | str], prefix: str = "") -> str:
    """``("metrics", "test", "n")`` -> ``metrics.test.n``; list positions as ``[3]``."""
    path = prefix
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "the document"


def shown(value: Any) -> str:
    """``value`` as JSON (as a suite or result file writes it), cut short when it is long."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def allowed_keys(model: type[BaseModel] | None, location: Sequence[int | str]) -> list[str]:
    """The keys the (sub)model at ``location`` declares, for an unknown key's "Did you mean"."""
    if model is None:
        return []
    for part in location[:-1]:
        field = model.model_fields.get(str(part)) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [field.alias or name for name, field in model.model_fields.items()]


#: pydantic's error types that say which JSON or TOML type was expected, in those words
EXPECTED_TYPES = {
    "dict_type": "a table (a JSON object)",
    "model_type": "a table (a JSON object)",
    "model_attributes_type": "a table (a JSON object)",
    "dataclass_type": "a table (a JSON object)",
    "list_type": "a list",
    "int_type": "a whole number",
    "float_type": "a number",
    "string_type": "text (a string)",
    "bool_type": "true or false",
}


def describe_error(error: ErrorDetails, model: type[BaseModel] | None, prefix: str) -> str:
    """One of pydantic's errors as ``PATH is VALUE: what is allowed``."""
    location = error["loc"]
    path = field_path(location, prefix)
    expected = EXPECTED_TYPES.get(error["type"])
    if error["type"] in ("is_instance_of", "sequence_str") and "Sequence" in error["msg"] + str(
        error.get("ctx", {}).get("class", "")
    ):
        expected = "a list"
    if expected:
        return f"{path} is {shown(error['input'])}: should be {expected}"
    if error["type"] == "missing":
        return f"{path} is missing"
    if error["type"] == "extra_forbidden":
        known = allowed_keys(model, location)
        close = difflib.get_close_matches(str(location[-1]), known, n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        return f"{path} is not a known key. {hint}Known keys: {', '.join(known)}"
    message = error["msg"].replace("Input should be", "should be").replace("Value error, ", "")
    if error["type"] == "value_error":  # a check of a whole table: its message says it all
        return f"{path}: {message}" if location or prefix else message
    return f"{path} is {shown(error['input'])}: {message}"


def describe_errors(
    exc: ValidationError, model: type[BaseModel] | None = None, prefix: str = ""
) -> str:
    """Every problem pydantic found (the first few of many), separated by semicolons."""
    errors = exc.errors(include_url=False)
    described = [describe_error(error, model, prefix) for error in errors[:SHOWN_ERRORS]]
    more = len(errors) - SHOWN_ERRORS
    return "; ".join(described) + (f"; and {more} more" if more > 0 else "")


def validated(
    model: type[ModelT],
    document: Any,
    source: str,
    error: type[NNBenchError],
    prefix: str = "",
) -> ModelT:
    """``document`` validated as ``model``; else ``error`` with a message that starts with
    ``source`` (the file) and names each bad field, its value and what is allowed."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise error(f"{source}: {describe_errors(exc, model, prefix)}.") from None
