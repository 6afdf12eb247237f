"""What a model name or reference resolves to: a :class:`ModelSpec` that knows the model's kind,
its parameters and how to build it.

Three kinds of object are models, each with no nnbench boilerplate beyond this:

- ``model``: a subclass of :class:`nnbench.models.Model`, used as is;
- ``sklearn``: a scikit-learn-style classifier class (``fit(X, y)``, ``predict(X)``), fitted on
  flattened [0, 1] pixels and predicted in chunks, like the baselines;
- ``keras``: a function ``(input_shape, n_classes, **params) -> keras.Model``, trained by the
  loop of the lecture's nets, whose :class:`Training` parameters it takes too.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import sys
from dataclasses import asdict, dataclass
from typing import Any

from nnbench.errors import ConfigError
from nnbench.models.base import Model, constructor_parameters, init_chain, takes_any_keyword
from nnbench.models.keras.training import TRAINING_NAMES, Training
from nnbench.models.params import Declared, check_values, type_hints, validators
from nnbench.schemas.result import as_json

KINDS_HELP = (
    "A model is a subclass of nnbench.models.Model, a scikit-learn-style classifier class with "
    "fit(X, y) and predict(X), or a function that builds a Keras model from (input_shape, "
    "n_classes, **params)."
)
#: a parameter without a default
REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class ModelSpec:
    """A model found by ``name`` (a registered name or a reference): its ``kind``, the class or
    function it came from (``target``), and its ``origin`` for result files."""

    name: str
    kind: str
    target: Any
    origin: dict[str, Any]
    description: str = ""

    def defaults(self) -> dict[str, Any]:
        """Every parameter the model names, with its default (:data:`REQUIRED` when none); the
        seed is not among them (each cell gives its own)."""
        if self.kind == "keras":
            return {**builder_defaults(self.target), **asdict(Training())}
        found = constructor_parameters(self.target)
        return {
            name: parameter.default
            for name, parameter in found.items()
            if self.kind != "model" or name != "seed"
        }

    def parameter_names(self) -> list[str]:
        return list(self.defaults())

    def takes_any(self) -> bool:
        """Whether the model's signature ends in ``**kwargs`` that take any other parameter."""
        if self.kind == "keras":
            return takes_any_keyword(list(inspect.signature(self.target).parameters.values()))
        *_, last = [[], *init_chain(self.target)]
        return takes_any_keyword(last)

    @functools.cached_property
    def declared(self) -> dict[str, Declared]:
        """A validator for each parameter whose type the model declares (its type hints)."""
        if self.kind == "keras":
            hints = {**type_hints(Training), **type_hints(self.target)}
        else:  # each parameter's hint where it is declared: the first __init__ that names it
            hints = {}
            seen: set[str] = set()
            for klass in self.target.__mro__:
                init = vars(klass).get("__init__")
                if klass is object or init is None:
                    continue
                own = type_hints(init)
                names = set(inspect.signature(init).parameters) - seen
                hints.update({name: own[name] for name in names if name in own})
                seen |= names
        return validators(hints, self.parameter_names())

    def check_params(self, params: dict[str, Any], where: str = "", partial: bool = False) -> None:
        """Raise ConfigError, prefixed by ``where`` (the file and table, or the flag, that gave
        ``params``), for a parameter the model does not take, a value outside its declared type
        or range, or (unless ``partial``) a required parameter that is missing."""
        prefix = f"{where}: " if where else ""
        defaults = self.defaults()
        unknown = sorted(set(params) - set(defaults))
        if unknown and not self.takes_any():
            close = difflib.get_close_matches(unknown[0], defaults, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"{prefix}Model {self.name!r} has no parameter {', '.join(map(repr, unknown))}."
                f"{hint} Its parameters: {', '.join(defaults) or 'none'}."
            )
        missing = [name for name, value in defaults.items() if value is REQUIRED]
        missing = [name for name in missing if name not in params and not partial]
        if missing:
            raise ConfigError(
                f"{prefix}Model {self.name!r} needs parameter {', '.join(map(repr, missing))}: "
                "set it in the suite's table or with --param KEY=VALUE."
            )
        check_values(params, self.declared, where or f"Model {self.name!r}")

    def build(self, params: dict[str, Any], seed: int) -> Model:
        """The model for these parameters and seed, unfitted; a constructor that refuses them
        is a ConfigError that names the model."""
        self.check_params(params)
        try:
            return self.construct(params, seed)
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(
                f"Model {self.name!r} cannot be made with {params}: {type(exc).__name__}: {exc}"
            ) from exc

    def construct(self, params: dict[str, Any], seed: int) -> Model:
        """The adapter (or the model class itself) for ``params`` and ``seed``."""
        if self.kind == "model":
            seeded = "seed" in constructor_parameters(self.target) or self.takes_any()
            model: Model = self.target(**params, **({"seed": seed} if seeded else {}))
            return model
        if self.kind == "sklearn":
            from nnbench.models.sklearn_adapter import SklearnEstimator

            estimator = SklearnEstimator(self.target, dict(params), seed=seed)
            estimator.check_params()
            return estimator
        from nnbench.models.keras.loop import KerasModel

        training = Training(
            **{key: value for key, value in params.items() if key in TRAINING_NAMES}
        )
        own = {key: value for key, value in params.items() if key not in TRAINING_NAMES}
        builder = {**builder_defaults(self.target), **own}
        defaults = self.defaults()
        chosen = [name for name, value in params.items() if not same(value, defaults.get(name))]
        return KerasModel(self.target, builder, training, seed=seed, given=chosen)


VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def builder_defaults(builder: Any) -> dict[str, Any]:
    """A Keras builder's own parameters (after input_shape and n_classes) with their defaults."""
    parameters = list(inspect.signature(builder).parameters.values())[2:]
    return {p.name: p.default for p in parameters if p.kind not in VARIADIC}


def model_spec(name: str, target: Any, origin: dict[str, Any], description: str = "") -> ModelSpec:
    """The spec of ``target``, or a ConfigError that says why it is not a model."""
    description = description or first_line(getattr(target, "__doc__", None))
    if inspect.isclass(target):
        keras = sys.modules.get("keras")  # a keras.Model class means Keras is imported already
        if keras is not None and issubclass(target, keras.Model):
            raise ConfigError(
                f"{name!r}: {target.__name__} is a keras.Model class; name a function that builds "
                "it instead, (input_shape, n_classes, **params) -> keras.Model."
            )
        kind = "model" if issubclass(target, Model) else "sklearn"
        if issubclass(target, Model) and inspect.isabstract(target):
            abstract = ", ".join(sorted(target.__abstractmethods__))
            raise ConfigError(f"{name!r}: {target.__name__} does not implement {abstract}.")
        missing = [m for m in ("fit", "predict") if not callable(getattr(target, m, None))]
        if missing:
            methods = " or ".join(missing)
            raise ConfigError(
                f"{name!r}: class {target.__name__} has no {methods} method. {KINDS_HELP}"
            )
        return ModelSpec(name, kind, target, {**origin, "adapter": kind}, description)
    if inspect.isfunction(target):
        check_builder(name, target)
        return ModelSpec(name, "keras", target, {**origin, "adapter": "keras"}, description)
    if callable(getattr(target, "fit", None)):
        raise ConfigError(
            f"{name!r} is a {type(target).__name__} object; name its class instead and give its "
            "parameters in the suite file or with --param KEY=VALUE."
        )
    raise ConfigError(f"{name!r} is a {type(target).__name__}, not a model. {KINDS_HELP}")


def check_builder(name: str, builder: Any) -> None:
    """Raise ConfigError unless ``builder`` takes (input_shape, n_classes) first, and none of
    its own parameters is named like one of the training loop's."""
    parameters = list(inspect.signature(builder).parameters.values())
    if sum(p.kind in POSITIONAL for p in parameters[:2]) < 2:
        taken = ", ".join(p.name for p in parameters) or "nothing"
        raise ConfigError(f"{name!r}: function {builder.__name__} takes ({taken}). {KINDS_HELP}")
    clash = sorted(set(builder_defaults(builder)) & set(TRAINING_NAMES))
    if clash:
        raise ConfigError(
            f"{name!r}: {builder.__name__}'s parameter {', '.join(map(repr, clash))} is the "
            "training loop's; rename it in the builder."
        )


def same(value: Any, default: Any) -> bool:
    """Whether a parameter's value is its default, as a result file would store both."""
    return bool(as_json(value) == as_json(default))


def first_line(text: str | None) -> str:
    """The first non-empty line of a docstring ("" when there is none)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[0] if lines else ""
