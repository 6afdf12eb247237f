"""The transport: retry waits (backoff, Retry-After in seconds or as a date, both capped),
what is and is not retried, the photo size cap and redirects."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from nnbench.datasets.votesmart import transport
from nnbench.datasets.votesmart.classic import ClassicApi
from nnbench.datasets.votesmart.transport import (
    MAX_RETRY_AFTER_S,
    MAX_WAIT_S,
    FetchError,
    Secrets,
    Transport,
    retry_after,
)
from tests.datasets.votesmart.fakes import (
    FAST,
    KEY,
    Person,
    World,
    assert_no_secret,
    build,
    photo_bytes,
)


class Clock:
    """Stands in for the transport's ``time``: records sleeps; a minute passes between readings,
    so the rate limit never waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        self.now += 60.0
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def test_retry_waits_follow_retry_after_and_the_backoff_each_capped(
    classic_api: World, monkeypatch
):
    classic_api.populate({"1": Person()})
    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90), usegmt=True)
    classic_api.faults = {
        "photo:1": ["429:3600", "429:Wed, 21 Oct 2015 07:28:00 GMT", f"429:{soon}", "500", "500"]
    }
    clock = Clock()
    monkeypatch.setattr(transport, "time", clock)
    client = Transport(rate_limit=1.0, timeout=5.0, retries=5, backoff_s=4.0, secrets=Secrets())
    assert client.get_photo(f"{classic_api.url}canphoto/1.jpg") == photo_bytes("1", "colour")
    # Retry-After 3600 s: capped; a date gone by: at once; a date 90 s ahead: about 90 s; then
    # the backoff 4 * 2**3 = 32 and 4 * 2**4 = 64, each capped at MAX_WAIT_S
    assert clock.sleeps[:3] == [MAX_RETRY_AFTER_S, 0.0, pytest.approx(90, abs=2)]
    assert clock.sleeps[3:] == [MAX_WAIT_S, MAX_WAIT_S]
    assert classic_api.hits["photo:1"] == 6


@pytest.mark.parametrize(
    ("header", "seconds"), [(None, None), ("", None), ("2.5", 2.5), ("-4", 0.0), ("soon", None)]
)
def test_retry_after_values(header: str | None, seconds: float | None):
    assert retry_after(header) == seconds


def test_a_client_error_is_not_retried_and_keeps_the_start_of_its_body(classic_api: World):
    classic_api.populate({"1": Person()})
    classic_api.faults = {"photo:1": ["404"]}
    client = Transport(secrets=Secrets(), **FAST)
    with pytest.raises(FetchError) as caught:
        client.get_photo(f"{classic_api.url}canphoto/1.jpg")
    assert (caught.value.reason, caught.value.status, caught.value.body) == (
        "HTTP 404",
        404,
        b"fault",
    )
    assert classic_api.hits["photo:1"] == 1


def test_big_photos_and_redirects_off_http_fail_without_retries(
    classic_api: World, tmp_path: Path, monkeypatch
):
    classic_api.populate({cid: Person() for cid in "123"})
    cap = len(photo_bytes("2", "colour"))
    assert len(photo_bytes("1", "colour")) > cap
    monkeypatch.setattr(transport, "MAX_PHOTO_BYTES", cap)
    classic_api.faults = {
        "photo:2": [f"redirect:{classic_api.url}canphoto/2.jpg"],  # http: followed
        "photo:3": ["redirect:file:///etc/passwd"],
    }
    manifest = build(classic_api, tmp_path / "c")

    failures = (tmp_path / "c" / "failures.csv").read_text().splitlines()
    assert failures[1:] == [
        f"1,photo,photo larger than {cap / 1e6:g} MB,{classic_api.url}canphoto/1.jpg",
        f"3,photo,redirected to a file: URL; only http and https are followed,"
        f"{classic_api.url}canphoto/3.jpg",
    ]
    assert manifest["counts"]["failed"] == 2 and manifest["counts"]["kept"] == 1
    assert [classic_api.hits[f"photo:{cid}"] for cid in "123"] == [1, 2, 1]


def test_a_photo_url_that_is_not_http_is_refused_before_any_request():
    client = Transport(secrets=Secrets(), **FAST)
    with pytest.raises(FetchError, match="unsupported photo URL"):
        client.get_photo("ftp://example.org/1.jpg")


def test_urllib3_log_records_of_retries_mask_the_key_in_the_url(
    classic_api: World, caplog: pytest.LogCaptureFixture
):
    classic_api.faults = {"states": ["500", "slow"]}  # a retried status, then a read timeout
    caplog.set_level(logging.DEBUG, logger="urllib3")
    api = ClassicApi(classic_api.url, Transport(secrets=Secrets(KEY), **FAST), KEY)
    assert api.state_ids() == ["NA", "VT", "ME"]
    assert classic_api.hits["states"] == 3
    retried = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Retry")]
    assert len(retried) == 2 and all("key=***" in message for message in retried)
    assert "after connection broken by 'ReadTimeoutError" in retried[1]
    assert_no_secret(caplog.text)
