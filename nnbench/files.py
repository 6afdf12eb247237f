"""File helpers shared by datasets, results and reports: atomic writes, checksums and safe file
names."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from nnbench.canonical_json import SPACED, canonical


def umask() -> int:
    """The process's file-creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if the block succeeds.

    The file gets the permissions an ordinary ``open`` would give it (0o666 less the umask), not
    the owner-only ones of a temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~umask())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one."""
    with atomic_writer(path) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Text version of :func:`atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def digest(value: object, length: int = 16) -> str:
    """The first ``length`` hex digits of the SHA-256 of ``value`` as canonical JSON."""
    text = canonical(value, SPACED)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def short_fingerprint(value: object) -> str:
    """A fingerprint as messages show it: ``sha256:`` and 12 hex digits, other values as they
    are (``none`` for a missing one)."""
    if value is None:
        return "none"
    kind, colon, digits = str(value).partition(":")
    return f"{kind}:{digits[:12]}" if colon and kind == "sha256" else str(value)


def tree_fingerprint(path: Path) -> str:
    """A digest of the name, size and modification time of the file ``path``, or of every file
    below the folder ``path`` outside hidden folders and files (such as a cache nnbench
    writes there): it changes when a file is added, removed or rewritten."""
    if path.is_dir():
        names = (file.relative_to(path) for file in path.rglob("*"))
        files = [name for name in names if not any(part.startswith(".") for part in name.parts)]
        files = sorted(name for name in files if (path / name).is_file())
    else:
        path, files = path.parent, [Path(path.name)]
    stats = [(name.as_posix(), (path / name).stat()) for name in files]
    return digest([(name, stat.st_size, stat.st_mtime_ns) for name, stat in stats])


def slug(text: str, keep: str = "_.-") -> str:
    """``text`` with every run of characters other than ASCII letters, digits and ``keep`` made
    one ``-``: safe in a file name on any file system."""
    return re.sub(f"[^A-Za-z0-9{re.escape(keep)}]+", "-", text).strip("-")


def unique_slug(text: str, keep: str = "_.-") -> str:
    """:func:`slug`, followed by 8 hex digits of the SHA-256 of ``text`` when the slug is not
    ``text`` itself, so that texts differing only in characters the slug drops (``cä``, ``cö``)
    get different names; a slug-safe ``text`` stays as it is."""
    plain = slug(text, keep)
    if plain == text:
        return plain
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{plain}-{digest}" if plain else digest


@contextmanager
def writing(what: str, path: Path, fix: str = "Choose a writable path.") -> Iterator[None]:
    """Turn a failure to write ``path`` into bad input that names it, ``what`` it is (the flag
    that chose it, such as ``--out``, or a description) and the ``fix``."""
    from nnbench.errors import ConfigError

    try:
        yield
    except OSError as exc:
        raise ConfigError(f"Cannot write {what} {path}: {exc.strerror or exc}. {fix}") from exc
