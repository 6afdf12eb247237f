"""HTTP for the Vote Smart builder: every request rate-limited, timed out and retried with
backoff, and no credential in any message it makes.

Retried (at most ``retries`` times, waiting ``backoff_s * 2**attempt`` seconds, at most
:data:`MAX_WAIT_S`): timeouts, connection errors, HTTP 5xx, HTTP 429 (waiting what a
``Retry-After`` header asks, in seconds or as a date, at most :data:`MAX_RETRY_AFTER_S`) and a
body the caller cannot parse. Not
retried: any other HTTP 4xx, a redirect to a URL that is not http or https, and an invalid URL.
"""

from __future__ import annotations

import email.message
import email.utils
import http.client
import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any, TypeVar

#: the longest wait of the exponential backoff
MAX_WAIT_S = 30.0
#: the longest wait a ``Retry-After`` header is granted
MAX_RETRY_AFTER_S = 300.0
#: how much of an HTTP error's body is kept (an API's error message)
MAX_ERROR_BYTES = 65536
MAX_PHOTO_BYTES = 20_000_000
USER_AGENT = "nnbench-candidates-builder"
#: what replaces a credential in any message or recorded text
MASK = "***"
#: the shortest value :class:`Secrets` masks
MIN_SECRET_LENGTH = 4

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


class HttpOnlyRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https URLs only, and sends ``Authorization`` on only to
    the same scheme, host and port."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: email.message.Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        redirected = super().redirect_request(req, fp, code, msg, headers, newurl)
        if redirected is not None and origin(redirected.full_url) != origin(req.full_url):
            redirected.remove_header("Authorization")
        return redirected

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: email.message.Message,
    ) -> http.client.HTTPResponse | None:
        location = headers.get("location") or headers.get("uri") or ""
        scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, location)).scheme
        if scheme not in ("http", "https"):
            fp.close()
            raise RedirectRefusedError(scheme)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


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


@dataclass(frozen=True)
class Sent:
    """One attempt at a request: the body, or why it failed and whether that may pass."""

    raw: bytes | None = None  # the body, when the server answered 2xx
    fatal: FetchError | None = None  # a failure that retrying cannot mend
    reason: str = ""  # why an attempt that may be retried failed
    wait: float | None = None  # the seconds a Retry-After header asked for


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
        self._interval = 1.0 / rate_limit
        self._timeout = timeout
        self._retries = retries
        self._backoff_s = backoff_s
        self._next_turn = 0.0
        self._opener = urllib.request.build_opener(HttpOnlyRedirectHandler)

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
        """Send the request and ``parse`` the body, retrying what may pass; ``shown`` names it in
        errors. With ``max_bytes``, at most ``max_bytes + 1`` bytes of the body are read.

        Errors are raised outside any ``except`` block, so that no exception that holds the
        real URL (and a key in it) hangs on to them as their context."""
        headers = {"User-Agent": USER_AGENT, **(headers or {})}
        reason = ""
        for attempt in range(self._retries + 1):
            self._wait_turn()
            sent = self._send(url, shown, method, headers, body, max_bytes)
            if sent.fatal is not None:
                raise sent.fatal
            if sent.raw is None:
                reason = sent.reason
            else:
                try:
                    return parse(sent.raw)
                except ValueError as exc:
                    reason = self.secrets.scrub(str(exc)) or "unreadable response"
            if attempt < self._retries:
                backoff = min(self._backoff_s * 2**attempt, MAX_WAIT_S)
                time.sleep(backoff if sent.wait is None else sent.wait)
        raise FetchError(reason, shown)

    def _send(
        self,
        url: str,
        shown: str,
        method: str,
        headers: dict[str, str],
        body: bytes | None,
        max_bytes: int | None,
    ) -> Sent:
        """One attempt; no exception leaves it."""
        try:
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            with self._opener.open(request, timeout=self._timeout) as response:
                return Sent(
                    raw=response.read() if max_bytes is None else response.read(max_bytes + 1)
                )
        except RedirectRefusedError as exc:
            message = f"redirected to a {exc}: URL; only http and https are followed"
            return Sent(fatal=FetchError(message, shown))
        except urllib.error.HTTPError as exc:
            with exc:
                error_body = self.secrets.scrub_bytes(exc.read(MAX_ERROR_BYTES))
            if exc.code != 429 and exc.code < 500:
                return Sent(fatal=FetchError(f"HTTP {exc.code}", shown, exc.code, error_body))
            return Sent(reason=f"HTTP {exc.code}", wait=retry_after(exc.headers.get("Retry-After")))
        except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
            return Sent(reason=self.secrets.scrub(transient_reason(exc)))
        except ValueError:  # a URL urllib cannot use; its message could show a credential
            return Sent(fatal=FetchError("invalid URL", shown))

    def get_photo(self, url: str) -> bytes:
        """The bytes at ``url`` (http or https only, at most MAX_PHOTO_BYTES)."""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError("unsupported photo URL", url)
        photo = self.request(url, url, bytes, max_bytes=MAX_PHOTO_BYTES)
        if len(photo) > MAX_PHOTO_BYTES:
            raise FetchError(f"photo larger than {MAX_PHOTO_BYTES / 1e6:g} MB", url)
        return photo

    def _wait_turn(self) -> None:
        """Sleep until the next request may start (at most ``rate_limit`` per second)."""
        now = time.monotonic()
        if now < self._next_turn:
            time.sleep(self._next_turn - now)
        self._next_turn = max(now, self._next_turn) + self._interval


def origin(url: str) -> tuple[str, str, int | None]:
    """The scheme, host and port of ``url``: where a credential may go."""
    parts = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


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
    """A short reason for a timeout or connection failure."""
    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(cause, TimeoutError):
        return "timed out"
    return f"connection error ({cause})"


def json_object(raw: bytes) -> dict[str, Any]:
    """``raw`` as a JSON object; ValueError otherwise, which the transport retries."""
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValueError("malformed JSON") from None
    if not isinstance(value, dict):
        raise ValueError("unexpected response (not a JSON object)")
    return value
