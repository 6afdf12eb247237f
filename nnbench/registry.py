"""A name -> factory registry with lazy ``"module:attr"`` entries and helpful lookup errors."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nnbench.errors import UnknownNameError


@dataclass(frozen=True)
class Entry:
    """One registered name: where its factory lives and a one-line description."""

    name: str
    target: str
    description: str

    def load(self) -> Any:
        """Import the ``"module:attr"`` target and return the attribute."""
        module_name, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module_name), attr)


class Registry:
    """Names of one kind ("model", "dataset") mapped to lazily imported factories."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def register(self, name: str, target: str, description: str) -> None:
        """Register ``target`` (``"package.module:attr"``) under ``name``."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        if ":" not in target:
            raise ValueError(f"target {target!r} must look like 'package.module:attr'")
        self._entries[name] = Entry(name, target, description)

    def entry(self, name: str) -> Entry:
        """The entry for ``name``, or an UnknownNameError that suggests close matches."""
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(self.unknown_message(name)) from None

    def get(self, name: str) -> Any:
        """Import and return the factory registered under ``name``."""
        return self.entry(name).load()

    def unknown_message(self, name: str) -> str:
        """``Unknown model 'x'. Did you mean …? Available: …``."""
        message = f"Unknown {self.kind} {name!r}."
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
        if close:
            message += f" Did you mean {' or '.join(repr(c) for c in close)}?"
        return message + f" Available: {', '.join(self.names())}."

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())
