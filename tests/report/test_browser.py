"""A real browser renders the HTML report: headless Chromium (Debian's ``chromium``, which
.ci/run installs) loads the page from a local server, takes a screenshot that is not blank,
and makes no request but the page's own, which Chromium's network log and the server confirm.
A page with outside references is caught by the same check, so the check can fail."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.report.output import render_text
from tests.report.sample import lecture_report, sample_tables

#: .ci/run sets this, so that a machine without Chromium fails there instead of skipping
REQUIRE = os.environ.get("NNBENCH_REQUIRE_BROWSER") == "1"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WINDOW = (1280, 4000)

#: every test here starts Chromium
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Visit:
    """What one page load did: the server's requests, the page's own requests from Chromium's
    network log, and the screenshot."""

    served: list[str]
    page_requests: list[str]
    screenshot: Path


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if REQUIRE:
            pytest.fail("chromium is missing: install Debian's chromium package")
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    return found


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[Path, str, list[str]]]:
    """An HTTP server on 127.0.0.1 over an empty folder, recording every path asked for."""
    served: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            served.append(self.path)

    root = tmp_path / "site"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", served
    httpd.shutdown()
    httpd.server_close()


def visit(chromium: str, server, tmp_path: Path, name: str, page: str) -> Visit:
    """Serve ``page`` as ``name`` and load it once in a fresh headless Chromium."""
    root, base, served = server
    (root / name).write_text(page, encoding="utf-8")
    profile, net_log, shot = tmp_path / "profile", tmp_path / "net.json", tmp_path / "shot.png"
    subprocess.run(
        [
            chromium,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--log-net-log={net_log}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--screenshot={shot}",
            f"{base}/{name}",
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    # the page's requests are those partitioned under its site; Chromium's own (update and
    # account checks) carry another network isolation key
    page_requests = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and "url" in event.get("params", {})
        and event["params"].get("network_isolation_key", "").startswith("http://127.0.0.1 ")
    ]
    return Visit(list(served), page_requests, shot)


def test_the_report_renders_and_requests_nothing(chromium, server, tmp_path):
    page = render_text(lecture_report(sample_tables(), targets=[0.9]), "html")
    seen = visit(chromium, server, tmp_path, "report.html", page)
    assert seen.served == ["/report.html"]
    assert seen.page_requests == [f"{server[1]}/report.html"]
    with Image.open(seen.screenshot) as image:
        assert image.size == WINDOW
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.var() > 500  # a blank page is one colour
    assert (pixels < 128).mean() > 0.01  # text, table rules and plots
    # the plots are drawn, not broken-image boxes: colour appears (the heatmaps and curves)
    with Image.open(seen.screenshot) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=int)
    assert (np.ptp(rgb, axis=2) > 60).mean() > 0.01


def test_the_check_catches_a_page_that_reaches_out(chromium, server, tmp_path):
    page = (
        "<!DOCTYPE html><html><body><h1>leaky</h1><img src='plots/a.png'>"
        "<img src='http://127.0.0.1:9/pixel.png'></body></html>"
    )
    seen = visit(chromium, server, tmp_path, "leaky.html", page)
    assert "/plots/a.png" in seen.served
    assert "http://127.0.0.1:9/pixel.png" in seen.page_requests
