"""Text-to-value parsers for flags and declared options, and :class:`Option`, an option a
dataset declares for its own build step. Parsers raise ValueError with a message that says what
was expected; the command line shows it as the flag's error.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]  # 3.10 only

T = TypeVar("T")

#: a value ``--param`` takes as a plain string when it is not a TOML literal
BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
IMAGE_SIZE = re.compile(r"(\d+)[xX](\d+)")
#: a model with parameters of its own: ``REF[KEY=VALUE, ...]``
SCOPED_MODEL = re.compile(r"(?P<name>[^\[\]]+)\[(?P<params>.*)\]", re.DOTALL)
#: the largest count a flag takes (epochs, images, retries): what a C int holds
MAX_COUNT = 2**31 - 1
#: seeds are what every backend takes: NumPy, scikit-learn, Python and Keras (0 <= seed < 2**32)
MAX_SEED = 2**32 - 1
#: the largest side ``--image-size`` takes: a 2048 x 2048 RGB image is 12 MiB as bytes
MAX_IMAGE_SIDE = 2048
#: the most seeds ``--repeats`` makes
MAX_REPEATS = 1000
#: the most times ``--retries`` tries a failing cell again
MAX_RETRIES = 10
#: the most worker processes --jobs or --workers may start on one machine
MAX_JOBS = 256


def split_outside_brackets(text: str, separator: str = ",") -> list[str]:
    """``text`` cut at each ``separator`` outside brackets and quotes, so that a model's own
    parameters stay whole: ``"knn[k=3, w=[1, 2]],nb"`` -> ``["knn[k=3, w=[1, 2]]", "nb"]``."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise ValueError(f"{text!r} has a ']' without its '['")
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth or quote:
        raise ValueError(f"{text!r} has an unclosed {quote or '['}")
    return [*parts, text[start:]]


def names(text: str) -> list[str]:
    """``"a,b"`` -> ``["a", "b"]``, commas inside brackets kept (``"a[x=1, y=2],b"``); an empty
    item (``"a,,b"``, ``"a,"``) is an error."""
    found = [part.strip() for part in split_outside_brackets(text)]
    if not any(found):
        raise ValueError("expected one or more comma-separated names")
    if not all(found):
        raise ValueError(f"{text!r} has an empty item; separate items by one comma, as in a,b")
    return found


def whole_number(minimum: int, maximum: int = MAX_COUNT) -> Callable[[str], int]:
    """A parser of integers from ``minimum`` to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if not minimum <= value <= maximum:
            raise ValueError(f"must be from {minimum} to {maximum}, got {text.strip()}")
        return value

    return parse


seed = whole_number(0, MAX_SEED)


def number_in(
    low: float, high: float = math.inf, low_open: bool = False, high_open: bool = False
) -> Callable[[str], float]:
    """A parser of finite numbers from ``low`` to ``high``, each excluded when it is open."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        above = low < value if low_open else low <= value
        below = value < high if high_open else value <= high
        if not (above and below and math.isfinite(value)):
            bound = f"above {low:g}" if low_open else f"at least {low:g}"
            most = "below" if high_open else "at most"
            upper = f" and {most} {high:g}" if high < math.inf else ""
            raise ValueError(f"must be a finite number {bound}{upper}, got {text}")
        return value

    return parse


positive_float = number_in(0, low_open=True)
non_negative_float = number_in(0)
unit_interval = number_in(0, 1)
open_unit_interval = number_in(0, 1, low_open=True, high_open=True)


def choice(allowed: tuple[str, ...]) -> Callable[[str], str]:
    """A parser of one of ``allowed`` (exactly as written there)."""

    def parse(text: str) -> str:
        if text.strip() not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {text!r}")
        return text.strip()

    return parse


def list_of(parse: Callable[[str], T]) -> Callable[[str], list[T]]:
    """A parser of comma-separated values, each read by ``parse``."""
    return lambda text: [parse(part) for part in names(text)]


def image_size(text: str) -> tuple[int, int]:
    """``"64x48"`` -> ``(64, 48)``: height by width, each from 1 to :data:`MAX_IMAGE_SIDE`."""
    found = IMAGE_SIZE.fullmatch(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not HEIGHTxWIDTH, such as 28x28")
    sides = int(found[1]), int(found[2])
    if not all(1 <= side <= MAX_IMAGE_SIDE for side in sides):
        raise ValueError(f"each side of {text.strip()} must be from 1 to {MAX_IMAGE_SIDE} pixels")
    return sides


def toml_value(text: str) -> Any:
    """A TOML literal (``5``, ``0.01``, ``true``, ``"a b"``, ``[64, 64]``); a bare word such as
    ``bernoulli`` is taken as a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        if BARE_WORD.fullmatch(text):
            return text
        raise ValueError(
            f"{text!r} is not a TOML value; quote strings with spaces or symbols, e.g. "
            "'\"a b\"', and write lists as [1, 2]"
        ) from None


def check_json_value(value: Any, where: str) -> None:
    """Raise ValueError unless ``value`` is a number, string, boolean or list of them."""
    if isinstance(value, list):
        for item in value:
            check_json_value(item, where)
    elif not isinstance(value, (bool, int, float, str)):
        raise ValueError(
            f"{where} is a {type(value).__name__}; parameters must be numbers, strings, "
            "booleans or lists of them."
        )


def key_value(text: str) -> tuple[str, Any]:
    """``"KEY=VALUE"`` -> ``(KEY, TOML value)``; the value must be one a result file can hold."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise ValueError(f"{text!r} is not KEY=VALUE, such as n_estimators=50")
    parsed = toml_value(value.strip())
    check_json_value(parsed, f"the value of {key.strip()}")
    return key.strip(), parsed


def parameter_label(params: dict[str, Any]) -> str:
    """``C=0.1, solver="saga"``: parameters as grids, variants and scoped models label a cell
    (each value as JSON, which is also a TOML literal)."""
    return ", ".join(f"{key}={json.dumps(value)}" for key, value in params.items())


def scoped_model(text: str) -> tuple[str, dict[str, Any]]:
    """``"REF[KEY=VALUE, ...]"`` -> ``(REF, {KEY: VALUE})``: parameters for this model only,
    each a TOML literal as with ``--param``; a name without brackets has none."""
    text = text.strip()
    if "[" not in text and "]" not in text:
        return text, {}
    found = SCOPED_MODEL.fullmatch(text)
    if not found or not found["name"].strip():
        raise ValueError(
            f"{text!r} is not MODEL[KEY=VALUE, ...], such as "
            "'sklearn.neighbors:KNeighborsClassifier[n_neighbors=3]'"
        )
    params: dict[str, Any] = {}
    for item in split_outside_brackets(found["params"]):
        if not item.strip():
            raise ValueError(f"{text!r} has an empty parameter; separate KEY=VALUE pairs by commas")
        key, value = key_value(item)
        if key in params:
            raise ValueError(f"{text!r} gives {key} twice; give it once")
        params[key] = value
    return found["name"].strip(), params


def scoped_text(name: str, params: dict[str, Any]) -> str:
    """The inverse of :func:`scoped_model`: ``REF[KEY=VALUE, ...]``, or ``REF`` alone."""
    return f"{name}[{parameter_label(params)}]" if params else name


def model_names(text: str) -> list[str]:
    """``--model``'s list: names or references, each with optional ``[KEY=VALUE, ...]``
    (checked here, parsed again by the plan)."""
    found = names(text)
    for item in found:
        scoped_model(item)
    return found


@dataclass(frozen=True)
class Option:
    """One option of a dataset's build step, shown as ``--FLAG`` by ``nnbench data build NAME``.

    ``name`` is the keyword the build receives (``--rate-limit`` for ``rate_limit``); ``parse``
    turns the text into the value; ``env`` names an environment variable that gives the default;
    a ``switch`` takes no value and is True when given.
    """

    name: str
    help: str
    parse: Callable[[str], Any] = str
    default: Any = None
    metavar: str | None = None
    env: str | None = None
    switch: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")
