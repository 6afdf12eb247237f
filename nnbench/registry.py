"""Names resolved to lazily imported objects: built-in entries and installed plugins.

A :class:`Registry` holds the built-in names of one kind ("model", "dataset"), each with a
``"module:attr"`` target imported on first use, and finds installed plugins through an
entry-point group (``nnbench.models``, ``nnbench.datasets``) without importing them. A name it
does not know gets ``Unknown model 'x'. Did you mean …? Available: …``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from nnbench.errors import UnknownNameError
from nnbench.references import attribute, import_module

BUILT_IN = "built-in"


@dataclass(frozen=True)
class Entry:
    """One name: where its object lives, a one-line description, where it came from
    (``built-in``, or ``plugin <distribution> <version>``), and for a model, ``cost``: the
    seconds it takes with its defaults on MNIST (on the machine of docs/measurements.md), which
    orders cells longest first (None when not known)."""

    name: str
    target: str
    description: str
    origin: str = BUILT_IN
    cost: float | None = None

    def load(self) -> Any:
        """Import the ``"module:attr"`` target and return the attribute; a target that cannot be
        imported is a ConfigError that names the entry and where it came from."""
        module_name, _, attr = self.target.partition(":")
        label = f"{self.name} ({self.origin}: {self.target})"
        return attribute(import_module(module_name, label), attr, label)

    def provenance(self) -> dict[str, str]:
        """Where the entry came from, for a result file."""
        kind = "built-in" if self.origin == BUILT_IN else "entry point"
        return {"kind": kind, "reference": self.name, "target": self.target, "from": self.origin}


def unknown(kind: str, name: str, names: Sequence[str]) -> str:
    """``Unknown model 'x'. Did you mean …? Available: …``."""
    message = f"Unknown {kind} {name!r}."
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        message += f" Did you mean {' or '.join(repr(c) for c in close)}?"
    return message + f" Available: {', '.join(names)}."


class Registry:
    """Built-in names of one kind, plus the plugins of the entry-point group ``group``."""

    def __init__(self, kind: str, group: str | None = None) -> None:
        self.kind = kind
        self.group = group
        self._entries: dict[str, Entry] = {}

    def register(self, name: str, target: str, description: str, cost: float | None = None) -> None:
        """Register ``target`` (``"package.module:attr"``) under ``name``, with its ``cost``."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        if ":" not in target:
            raise ValueError(f"target {target!r} must look like 'package.module:attr'")
        self._entries[name] = Entry(name, target, description, cost=cost)

    def plugins(self) -> list[Entry]:
        """The installed plugins of the group, read from package metadata, none imported.

        A plugin named like a built-in entry is left out: the built-in wins.
        """
        if self.group is None:
            return []
        found: dict[str, Entry] = {}
        for point in metadata.entry_points(group=self.group):
            if point.name in self._entries or point.name in found:
                continue
            dist = getattr(point, "dist", None)
            origin = f"plugin {dist.name} {dist.version}" if dist is not None else "plugin"
            found[point.name] = Entry(point.name, point.value, f"from {origin}", origin)
        return list(found.values())

    def entries(self) -> list[Entry]:
        """Built-in entries in registration order, then plugins."""
        return [*self._entries.values(), *self.plugins()]

    def entry(self, name: str) -> Entry:
        """The entry for ``name``, or an UnknownNameError that suggests close matches."""
        if name in self._entries:
            return self._entries[name]
        for plugin in self.plugins():
            if plugin.name == name:
                return plugin
        raise UnknownNameError(self.unknown_message(name))

    def get(self, name: str) -> Any:
        """Import and return the object registered under ``name``."""
        return self.entry(name).load()

    def unknown_message(self, name: str) -> str:
        """``Unknown model 'x'. Did you mean …? Available: …``."""
        return unknown(self.kind, name, self.names())

    def names(self) -> list[str]:
        """Built-in names, in registration order, then the plugins'."""
        return [entry.name for entry in self.entries()]

    def __contains__(self, name: object) -> bool:
        return name in self._entries or any(plugin.name == name for plugin in self.plugins())

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())
