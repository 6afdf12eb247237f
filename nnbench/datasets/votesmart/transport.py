"""HTTP for the Vote Smart builder, on requests: every request rate-limited, timed out and retried
with backoff, and no credential in any message or log record it makes.

urllib3's ``Retry`` retries timeouts, connection errors and HTTP 429, 500, 502, 503 and 504, at
most ``retries`` times (the first retry at once, the n-th after ``backoff_s * 2**(n-1)`` s, at
most :data:`MAX_WAIT_S`); requests follows redirects and drops ``Authorization`` when one leaves
the host or port. nnbench adds the rate limit, ``Retry-After`` in seconds or as a date, capped
(:class:`PacedRetry`), asking again for a body that cannot be read or parsed, refusing redirects
off http and https, and masking credentials (:class:`Secrets`) in errors and in urllib3's log
records, whose URLs hold the classic API's key. Not retried: any other HTTP status, such a
redirect, and an invalid URL.
"""

from __future__ import annotations

import email.utils
import logging
import math
import time
import urllib.parse
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError, MaxRetryError, NewConnectionError, ResponseError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

#: the longest wait of the exponential backoff
MAX_WAIT_S = 30.0
#: the longest wait a ``Retry-After`` header is granted
MAX_RETRY_AFTER_S = 300.0
#: the HTTP statuses that are retried
RETRY_STATUSES = (429, 500, 502, 503, 504)
#: how much of an HTTP error's body is kept (an API's error message)
MAX_ERROR_BYTES = 65536
MAX_PHOTO_BYTES = 20_000_000
USER_AGENT = "nnbench-candidates-builder"
#: what replaces a credential in any message or recorded text
MASK = "***"
#: the shortest value :class:`Secrets` masks
MIN_SECRET_LENGTH = 4
#: the urllib3 loggers whose records show request URLs
URLLIB3_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")

T = TypeVar("T")


class FetchError(Exception):
    """A request that failed for good; ``url`` is the shown URL, which holds no credential."""

    def __init__(
        self, reason: str, url: str, status: int | None = None, body: bytes | None = None
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.reason = reason
        self.url = url
        self.status = status
        self.body = body  # the start of an HTTP error's body, for the API to read


class RedirectRefusedError(Exception):
    """A redirect to a URL that is neither http nor https; the argument is its scheme."""


class Secrets:
    """The credentials of a build, and the tokens it obtains, to be masked in any text."""

    def __init__(self, *values: str | None) -> None:
        self._values: set[str] = set()
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        """Mask ``value`` from now on, as written and as URL-encoded; values shorter than
        :data:`MIN_SECRET_LENGTH` are no credential worth the name, and masking them would mangle
        every message."""
        if value and len(value) >= MIN_SECRET_LENGTH:
            self._values |= {
                value,
                urllib.parse.quote(value, safe=""),
                urllib.parse.quote_plus(value),
            }

    def scrub(self, text: str) -> str:
        """``text`` with every credential replaced by :data:`MASK`, longest first."""
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text

    def scrub_bytes(self, raw: bytes) -> bytes:
        """:meth:`scrub` for a body (read as UTF-8; undecodable bytes are replaced)."""
        return self.scrub(raw.decode("utf-8", errors="replace")).encode("utf-8")


#: the :class:`Secrets` of every live transport, masked in urllib3's log records
LIVE_SECRETS: weakref.WeakSet[Secrets] = weakref.WeakSet()


def scrub_record(record: logging.LogRecord) -> bool:
    """A filter on :data:`URLLIB3_LOGGERS`: masks every live transport's credentials."""
    message = record.getMessage()
    for secrets in list(LIVE_SECRETS):
        message = secrets.scrub(message)
    record.msg, record.args = message, None
    return True


for _name in URLLIB3_LOGGERS:
    logging.getLogger(_name).addFilter(scrub_record)


class PacedRetry(Retry):
    """urllib3's ``Retry``, waiting as nnbench does: what a response's ``Retry-After`` asks
    (:func:`retry_after`), else the backoff, slept through this module's ``time`` (which tests
    replace); then the request waits its ``turn`` under the rate limit."""

    #: only ``status_forcelist`` is retried: a 413 is a client error, Retry-After or not
    RETRY_AFTER_STATUS_CODES: frozenset[int] = frozenset()

    def __init__(self, *args: Any, turn: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.turn = turn

    def new(self, **kw: Any) -> PacedRetry:
        return super().new(turn=self.turn, **kw)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        asked = None if response is None else retry_after(response.headers.get("Retry-After"))
        time.sleep(self.get_backoff_time() if asked is None else asked)
        self.turn()


@dataclass(frozen=True)
class Sent:
    """One request, retried by urllib3: the body, or why it failed and whether that may pass."""

    raw: bytes | None = None  # the body, when the server answered 2xx
    fatal: FetchError | None = None  # a failure that retrying cannot mend
    reason: str = ""  # why a request whose body could not be read failed


class Transport:
    """Requests to the API and to photo URLs: rate-limited, retried, credentials kept private."""

    def __init__(
        self,
        *,
        rate_limit: float,
        timeout: float,
        retries: int,
        backoff_s: float,
        secrets: Secrets,
    ) -> None:
        self.secrets = secrets
        LIVE_SECRETS.add(secrets)
        self._timeout = timeout
        self._interval = 1.0 / rate_limit
        self._next_turn = 0.0
        self._retry = PacedRetry(
            total=retries,
            backoff_factor=backoff_s,
            backoff_max=MAX_WAIT_S,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST"}),  # a repeated login does no harm
            respect_retry_after_header=True,
            raise_on_status=False,  # the last answer comes back, to be reported
            turn=self._wait_turn,
        )
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.hooks["response"].append(refuse_odd_redirects)
        adapter = HTTPAdapter(max_retries=self._retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def request(
        self,
        url: str,
        shown: str,
        parse: Callable[[bytes], T],
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        max_bytes: int | None = None,
    ) -> T:
        """Send the request and ``parse`` the body, asking again, on urllib3's rules, while it
        cannot be read or parsed; ``shown`` names it in errors. With ``max_bytes``, at most
        ``max_bytes + 1`` bytes of the body are read.

        Errors are raised outside any ``except`` block, so that no exception that holds the
        real URL (and a key in it) hangs on to them as their context."""
        retry = self._retry
        self._wait_turn()
        while True:
            sent = self._send(url, shown, method, headers or {}, body, max_bytes)
            if sent.fatal is not None:
                raise sent.fatal
            reason = sent.reason
            if sent.raw is not None:
                try:
                    return parse(sent.raw)
                except ValueError as exc:
                    reason = self.secrets.scrub(str(exc)) or "unreadable response"
            try:
                retry = retry.increment(method, shown, error=ResponseError(reason))
            except MaxRetryError:
                break
            retry.sleep()
        raise FetchError(reason, shown)

    def _send(
        self,
        url: str,
        shown: str,
        method: str,
        headers: Mapping[str, str],
        body: bytes | None,
        max_bytes: int | None,
    ) -> Sent:
        """One request, which urllib3 retries; no exception leaves it."""
        try:
            response = self._session.request(
                method, url, headers=headers, data=body, timeout=self._timeout, stream=True
            )
        except RedirectRefusedError as exc:
            message = f"redirected to a {exc}: URL; only http and https are followed"
            return Sent(fatal=FetchError(message, shown))
        except requests.TooManyRedirects:
            return Sent(fatal=FetchError("too many redirects", shown))
        except ValueError:  # InvalidURL and the like; the message could show a credential
            return Sent(fatal=FetchError("invalid URL", shown))
        except (requests.RequestException, OSError) as exc:  # the retries are spent
            return Sent(fatal=FetchError(self.secrets.scrub(transient_reason(exc)), shown))
        with response:
            status = response.status_code
            if status in RETRY_STATUSES:  # the retries are spent
                return Sent(fatal=FetchError(f"HTTP {status}", shown))
            limit = None if max_bytes is None else max_bytes + 1
            try:
                raw = response.raw.read(
                    MAX_ERROR_BYTES if status >= 300 else limit, decode_content=True
                )
            except (HTTPError, OSError) as exc:
                return Sent(reason=self.secrets.scrub(transient_reason(exc)))
        if 200 <= status < 300:
            return Sent(raw=raw)
        return Sent(
            fatal=FetchError(f"HTTP {status}", shown, status, self.secrets.scrub_bytes(raw))
        )

    def _wait_turn(self) -> None:
        """The rate limit: sleep until ``1 / rate_limit`` s after the last request started."""
        now = time.monotonic()
        if now < self._next_turn:
            time.sleep(self._next_turn - now)
        self._next_turn = max(now, self._next_turn) + self._interval

    def get_photo(self, url: str) -> bytes:
        """The bytes at ``url`` (http or https only, at most MAX_PHOTO_BYTES)."""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError("unsupported photo URL", url)
        photo = self.request(url, url, bytes, max_bytes=MAX_PHOTO_BYTES)
        if len(photo) > MAX_PHOTO_BYTES:
            raise FetchError(f"photo larger than {MAX_PHOTO_BYTES / 1e6:g} MB", url)
        return photo


def refuse_odd_redirects(response: requests.Response, **kwargs: Any) -> None:
    """A response hook: a redirect to a URL that is neither http nor https stops the request."""
    if response.is_redirect:
        target = urllib.parse.urljoin(response.url, response.headers["Location"])
        scheme = urllib.parse.urlsplit(target).scheme
        if scheme not in ("http", "https"):
            response.close()
            raise RedirectRefusedError(scheme)


def retry_after(header: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for, given in seconds or as an HTTP date, from 0 to
    :data:`MAX_RETRY_AFTER_S`; None when there is none or it cannot be read."""
    if not header:
        return None
    try:
        seconds = float(header)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S) if math.isfinite(seconds) else None


def transient_reason(exc: BaseException) -> str:
    """A short reason for a timeout or connection failure, from the last error urllib3 met."""
    cause = exc.args[0] if isinstance(exc, requests.RequestException) and exc.args else exc
    cause = getattr(cause, "reason", cause)  # a MaxRetryError's last error
    if isinstance(cause, (TimeoutError, Urllib3Timeout)) and not isinstance(
        cause, NewConnectionError
    ):
        return "timed out"
    return f"connection error ({cause})"
