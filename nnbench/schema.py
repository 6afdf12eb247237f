"""The result file's schema, ``nnbench.result/1``: its keys, and the checks a document must
pass before it is written or read."""

from __future__ import annotations

from typing import Any

from nnbench.errors import ResultFileError

SCHEMA = "nnbench.result/1"
REQUIRED_KEYS = (
    "schema",
    "dataset",
    "model",
    "seed",
    "params",
    "status",
    "error",
    "n_params",
    "metrics",
    "timing",
    "history",
    "env",
)
STATUSES = ("ok", "failed", "skipped")

#: what a failed result's ``error_kind`` says went wrong: its data could not be read, its
#: configuration was wrong (both bad input), or the model failed on good data
DATA_ERROR, CONFIG_ERROR, MODEL_ERROR = ERROR_KINDS = ("data", "config", "model")
BAD_INPUT = (DATA_ERROR, CONFIG_ERROR)
ENV_KEYS = (
    "device",
    "keras_backend",
    "python",
    "numpy",
    "sklearn",
    "tensorflow",
    "keras",
    "pandas",
    "nnbench",
    "cpu",
    "cores",
    "platform",
    "git_commit",
    "started_at",
)
#: the fields of one epoch of a result's history
EPOCH_FIELDS = ("epoch", "elapsed_s", "train_loss", "train_accuracy", "test_loss", "test_accuracy")

Result = dict[str, Any]


def validate(result: Any, source: str) -> Result:
    """Raise ResultFileError unless ``result`` is a result document of this schema."""
    if not isinstance(result, dict):
        raise ResultFileError(f"{source}: not a JSON object.")
    if result.get("schema") != SCHEMA:
        raise ResultFileError(
            f"{source}: schema {result.get('schema')!r}, expected {SCHEMA!r}. "
            "Was it written by another version of nnbench?"
        )
    missing = [key for key in REQUIRED_KEYS if key not in result]
    if missing:
        raise ResultFileError(f"{source}: missing keys {', '.join(missing)}.")
    if result["status"] not in STATUSES:
        raise ResultFileError(f"{source}: status {result['status']!r} is not one of {STATUSES}.")
    for key in ("params", "metrics", "timing", "env"):
        if not isinstance(result[key], dict):
            raise ResultFileError(f"{source}: {key} must be a JSON object.")
    if type(result["seed"]) is not int or result["seed"] < 0:
        raise ResultFileError(f"{source}: seed must be a whole number, got {result['seed']!r}.")
    for key in ("data", "model_origin"):
        if not isinstance(result.get(key, {}), dict):
            raise ResultFileError(f"{source}: {key} must be a JSON object.")
    if result.get("error_kind") not in (None, *ERROR_KINDS):
        raise ResultFileError(
            f"{source}: error_kind {result['error_kind']!r} is not one of {ERROR_KINDS}."
        )
    if result["status"] == "ok":
        for split in ("train", "test"):
            validate_metrics(result["metrics"].get(split), f"{source}: metrics.{split}")
    validate_history(result["history"], f"{source}: history")
    validate_env(result["env"], f"{source}: env")
    return result


def is_number(value: Any) -> bool:
    """An int or float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_history(history: Any, where: str) -> None:
    """Raise ResultFileError unless ``history`` is a list of epochs, each with a whole-number
    ``epoch`` and numbers (or null) for its losses, accuracies and seconds."""
    if not isinstance(history, list):
        raise ResultFileError(f"{where} must be a list of epochs.")
    for index, row in enumerate(history):
        if not isinstance(row, dict) or type(row.get("epoch")) is not int:
            raise ResultFileError(f"{where}[{index}] must be an object with a whole-number epoch.")
        for key in EPOCH_FIELDS:
            if key != "epoch" and key in row and not (row[key] is None or is_number(row[key])):
                raise ResultFileError(f"{where}[{index}].{key} must be a number, got {row[key]!r}.")


def validate_env(env: dict, where: str) -> None:
    """Raise ResultFileError unless ``cores`` is a whole number and the rest are text (or null)."""
    for key in ENV_KEYS:
        value = env.get(key)
        expected = int if key == "cores" else str
        if value is not None and type(value) is not expected:
            kind = "a whole number" if key == "cores" else "text"
            raise ResultFileError(f"{where}.{key} must be {kind}, got {value!r}.")


def is_accuracy(value: Any) -> bool:
    """A number from 0 to 1 (None, for a class without images, is checked by the caller)."""
    return is_number(value) and 0 <= value <= 1


def validate_metrics(metrics: Any, where: str) -> None:
    """Raise ResultFileError unless ``metrics`` holds an accuracy, per-class accuracies and n."""
    if not isinstance(metrics, dict) or not {"accuracy", "per_class", "n"} <= set(metrics):
        raise ResultFileError(f"{where}: an ok result needs accuracy, per_class and n.")
    per_class = metrics["per_class"]
    if not is_accuracy(metrics["accuracy"]) or not isinstance(per_class, dict):
        raise ResultFileError(f"{where}: accuracy must be from 0 to 1, per_class an object.")
    if not all(value is None or is_accuracy(value) for value in per_class.values()):
        raise ResultFileError(f"{where}: each per_class accuracy must be from 0 to 1, or null.")
    counts = metrics.get("support", {})  # support and confusion: absent before nnbench 0.2
    if not isinstance(counts, dict) or not all(is_count(value) for value in counts.values()):
        raise ResultFileError(f"{where}: support must map each class to a whole number.")
    size = len(per_class)
    confusion = metrics.get("confusion", [[0] * size] * size)
    square = isinstance(confusion, list) and len(confusion) == size
    if not square or not all(
        isinstance(row, list) and len(row) == size and all(map(is_count, row)) for row in confusion
    ):
        raise ResultFileError(f"{where}: confusion must be a {size} x {size} list of counts.")


def is_count(value: Any) -> bool:
    """A whole number of at least 0."""
    return type(value) is int and value >= 0
