"""References to a user's code: ``path/to/file.py:NAME`` or ``package.module:NAME``.

A file is imported as a module of its own (it need not be installed, and its folder is not put
on ``sys.path``); a module is imported as usual. Every failure is a ConfigError that names the
reference and the fix.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.util
import inspect
import json
import os
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from nnbench.errors import ConfigError
from nnbench.files import sha256_file

SEPARATOR = ":"


def is_reference(text: str) -> bool:
    """Whether ``text`` is ``SOURCE:NAME`` rather than a registered name."""
    source, _, name = text.rpartition(SEPARATOR)
    return bool(source) and bool(name)


def is_file_source(source: str) -> bool:
    """A source that names a file (``x.py``, or anything with a path separator)."""
    return source.endswith(".py") or "/" in source or "\\" in source


def shown_path(text: str, base: Path | None = None) -> str:
    """The path ``text`` (``~`` expanded), taken relative to ``base`` (default: the working
    directory) when it is relative, normalised, and shown relative to the working directory
    when it lies below it, else absolute: one spelling for one file wherever it was named."""
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    path = Path(os.path.normpath(path))
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def resolve_file(reference: str, base: Path | None = None) -> str:
    """``reference`` with its file's path made :func:`shown_path` (relative to ``base``, a
    suite's folder, when the path is relative); other references are returned as they are."""
    source, _, name = reference.rpartition(SEPARATOR)
    if not is_file_source(source):
        return reference
    return f"{shown_path(source, base)}{SEPARATOR}{name}"


def load_reference(reference: str) -> tuple[Any, dict[str, Any]]:
    """The object ``reference`` names, and its origin for a result file: the reference, the
    kind (``file`` or ``module``), and what identifies its code (:func:`code_fingerprint`): the
    file's SHA-256, or the module's distribution and version (and the module file's SHA-256
    when no distribution provides it, or one installed in editable mode, whose version does not
    change with its code)."""
    source, _, name = reference.rpartition(SEPARATOR)
    if is_file_source(source):
        path = Path(source).expanduser()
        module = import_file(path, reference)
        origin = {"kind": "file", "reference": reference, "path": str(path.resolve())}
        origin["sha256"] = sha256_file(path)
    else:
        module = import_module(source, reference)
        origin = {"kind": "module", "reference": reference, **distribution_of(source)}
        module_file = getattr(module, "__file__", None)
        if ("version" not in origin or origin.get("editable")) and module_file:
            origin["sha256"] = sha256_file(Path(module_file))
    return attribute(module, name, reference), origin


def code_fingerprint(origin: Mapping[str, Any]) -> str | None:
    """What identifies the code a model's ``origin`` (:func:`load_reference`, or a registry
    entry's provenance) names: ``sha256:HEX`` of its file, else ``DISTRIBUTION VERSION``; None
    for a built-in model, whose code the nnbench version identifies."""
    if origin.get("sha256"):
        return f"sha256:{origin['sha256']}"
    if origin.get("version"):
        return f"{origin.get('distribution')} {origin['version']}"
    plugin = str(origin.get("from", ""))
    return plugin if plugin.startswith("plugin") else None


def import_file(path: Path, reference: str) -> ModuleType:
    """Import the Python file ``path`` as a module named after its resolved path."""
    if not path.is_file():
        raise ConfigError(
            f"{reference!r}: there is no file {path} (from {Path.cwd()}). Check the path; in a "
            "suite file, a path is relative to the suite's folder."
        )
    resolved = path.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    module_name = f"nnbench_user_{digest}_{''.join(c if c.isalnum() else '_' for c in path.stem)}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{reference!r}: {path} cannot be imported as Python.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look their module up here
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        failure = where_it_failed(exc, resolved)
        raise ConfigError(f"{reference!r}: importing {path} failed: {failure}") from None
    return module


def where_it_failed(exc: BaseException, path: Path) -> str:
    """``SyntaxError: … (line 3)``: the error, and the line of ``path`` it came from."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno
    return f"{type(exc).__name__}: {exc}" + (f" (line {line})" if line else "") + "."


def import_module(source: str, reference: str) -> ModuleType:
    """Import the module ``source``, telling a missing module from a failing one."""
    try:
        return importlib.import_module(source)
    except ModuleNotFoundError as exc:
        if exc.name and (source == exc.name or source.startswith(exc.name + ".")):
            raise ConfigError(
                f"{reference!r}: there is no module {exc.name!r}. Install the package that "
                "provides it, or name a file instead: path/to/file.py:NAME."
            ) from None
        raise ConfigError(f"{reference!r}: importing {source} failed: {exc}.") from None
    except Exception as exc:
        raise ConfigError(
            f"{reference!r}: importing {source} failed: {type(exc).__name__}: {exc}."
        ) from None


def attribute(module: ModuleType, name: str, reference: str) -> Any:
    """``module.name`` (dotted names reach into classes), or a ConfigError listing what the
    module defines."""
    found: Any = module
    for part in name.split("."):
        if not hasattr(found, part):
            defined = public_names(module)
            close = difflib.get_close_matches(name, defined, n=3, cutoff=0.5)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            listed = ", ".join(defined) or "nothing public"
            raise ConfigError(
                f"{reference!r}: {module.__name__} has no {name!r}.{hint} It defines: {listed}."
            )
        found = getattr(found, part)
    return found


def public_names(module: ModuleType) -> list[str]:
    """The module's ``__all__``, else the classes and functions it defines itself, without a
    leading underscore."""
    exported = getattr(module, "__all__", None)
    if exported is not None:
        return sorted(map(str, exported))
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__
    )


def distribution_of(module_name: str) -> dict[str, Any]:
    """The installed distribution that provides ``module_name`` and its version, when known,
    and whether it is installed in editable mode (``pip install -e``)."""
    from importlib import metadata

    top = module_name.split(".", 1)[0]
    names = metadata.packages_distributions().get(top, [])
    if not names:
        return {}
    found: dict[str, Any] = {"distribution": names[0], "version": metadata.version(names[0])}
    try:
        direct = json.loads(metadata.distribution(names[0]).read_text("direct_url.json") or "{}")
    except (OSError, ValueError):
        direct = {}
    if direct.get("dir_info", {}).get("editable"):
        found["editable"] = True
    return found
