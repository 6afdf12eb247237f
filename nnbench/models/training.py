"""The shared Keras loop's parameters, known without importing Keras."""

from __future__ import annotations

from dataclasses import dataclass, fields

from nnbench.errors import ConfigError


@dataclass(frozen=True)
class Training:
    """Adam for ``epochs`` epochs of ``batch_size`` images (the lecture's "3 to 5 epochs with a
    learning rate of 0.001")."""

    epochs: int = 5
    batch_size: int = 100
    learning_rate: float = 0.001
    #: batches per compiled step: on 2 CPU cores a CNN epoch took 15.3 s with 100, 21.3 s with 1
    steps_per_execution: int = 100

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            whole = field.type == "int"
            low = 0 if field.name == "epochs" else 1 if whole else 0.0
            kind = type(value) is int if whole else type(value) in (int, float)
            if not kind or value < low or (not whole and value == 0):
                wanted = f"a whole number of at least {low}" if whole else "a number above 0"
                raise ConfigError(f"{field.name} must be {wanted}, got {value!r}.")


TRAINING_NAMES = tuple(field.name for field in fields(Training))
