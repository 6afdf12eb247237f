"""Vote Smart's REST API 2.0: a login for a bearer token, JSON under ``/v1/``, paginated lists.

**Inferred, not recorded.** No recording of this API's answers was found; these shapes follow the
newest public clients that call it: py-votesmart (github.com/NationalJournal/py-votesmart,
``votesmart/api.py``, ``votesmart/methods/*.py``, 2025-26), liars-ledger
(github.com/ryanegauthier/liars-ledger, ``server/providers/votesmart.js``, 2026) and a script
that uses a ready token (github.com/JacksonAHannan/alabama-state-house-and-state-senate-model,
``scripts/download_votesmart_ideology.py``):

* ``POST {root}auth/login`` with ``{"email": ..., "password": ...}`` answers 200 or 201 with
  ``{"accessToken": JWT}`` (py-votesmart) or ``{"access_token": JWT}`` (liars-ledger); every
  call then sends ``Authorization: Bearer JWT``. A ready token (``VOTESMART_API_TOKEN``) is sent
  the same way. An expired or refused token answers 401 ``{"message": "Unauthorized",
  "statusCode": 401}``: the client logs in again once and repeats the call.
* Lists (every page is read, see :meth:`Rest2Api._pages`): ``GET /v1/states``,
  ``/v1/elections/by-year-state?year=&stateId=``,
  ``/v1/candidates/by-election?electionId=``, ``/v1/candidates/by-office-state?officeId=&stateId=``,
  each with ``page`` and ``perPage``, answer ``{"data": [...], "meta": {"currentPage": 1,
  "lastPage": 3, "perPage": 500, "total": 1234}}``; the next page is asked for until
  ``currentPage >= lastPage``. Records carry their id as ``id`` (a number), not ``candidateId``
  or ``electionId``; states as ``stateId``. "Nothing found" is a 404 ``{"message": "Not Found",
  "statusCode": 404}``; an unknown path is a 404 whose message is ``"Cannot GET /..."``.
* ``GET /v1/candidatebios/{id}``: ``{"candidate": {"id", "photo", "gender", ...}, "elections":
  [...], "offices": [...]}``; older notes say the bio is wrapped in ``data`` instead, so either
  is read. ``gender`` is ``Female`` or ``Male`` by the schema.
* Errors are NestJS bodies ``{"message": ..., "statusCode": ...}``, sometimes with a 2xx status.
  Rate limits answer 429, gateways 502-504: the transport retries them, honouring Retry-After.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from nnbench.datasets.votesmart import HOW_TO_SET
from nnbench.datasets.votesmart.api import ApiError, Bio, id_text
from nnbench.datasets.votesmart.transport import FetchError, Transport
from nnbench.errors import CredentialsError

DEFAULT_URL = "https://app.votesmart-api.org/"
LOGIN_PATH = "auth/login"
PER_PAGE = 500
#: a list longer than this many pages is taken as a server that ignores ``page``
MAX_PAGES = 1000


class Rest2Api:
    """REST API 2.0 calls for a build; logs in on first use and again once after a 401."""

    name = "rest2"
    endpoints = {
        "states": "GET /v1/states",
        "elections": "GET /v1/elections/by-year-state",
        "by_election": "GET /v1/candidates/by-election",
        "by_office_state": "GET /v1/candidates/by-office-state",
        "bio": "GET /v1/candidatebios/{id}",
    }

    def __init__(
        self,
        url: str,
        transport: Transport,
        *,
        email: str | None = None,
        password: str | None = None,
        token: str | None = None,
    ) -> None:
        self.url = url.rstrip("/") + "/"
        self.transport = transport
        self._login = (email, password) if email and password else None
        self._token = token
        if self._login is None and not token:
            raise CredentialsError(f"No credentials for the Vote Smart REST API. {HOW_TO_SET}")

    def state_ids(self) -> list[str]:
        return [id_text(s.get("stateId", s.get("id"))) for s in self._pages("v1/states", {})]

    def election_ids(self, year: int, state: str) -> list[str]:
        found = self._pages("v1/elections/by-year-state", {"year": str(year), "stateId": state})
        return [id_text(e.get("id", e.get("electionId"))) for e in found]

    def candidates_by_election(self, election_id: str) -> list[str]:
        found = self._pages("v1/candidates/by-election", {"electionId": election_id})
        return [candidate_id(c) for c in found]

    def candidates_by_office_state(self, office: str, state: str) -> list[str]:
        found = self._pages("v1/candidates/by-office-state", {"officeId": office, "stateId": state})
        return [candidate_id(c) for c in found]

    def bio(self, candidate_id: str) -> Bio:
        path = f"v1/candidatebios/{urllib.parse.quote(candidate_id, safe='')}"
        candidate = bio_candidate(self._get(path, {}))
        if candidate is None:
            raise FetchError(
                "unexpected response (no candidate or data)", self.bio_url(candidate_id)
            )
        return Bio(candidate.get("gender"), candidate.get("photo"))

    def bio_url(self, candidate_id: str) -> str:
        return f"{self.url}v1/candidatebios/{urllib.parse.quote(candidate_id, safe='')}"

    def _pages(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every record of a paginated list; none when the API answers "Not Found". Pages are
        asked for until ``meta.lastPage``, or without one until a page comes back empty; a page
        that answers as another page (``meta.currentPage``), or repeats the last one, stops the
        listing rather than cut it short or loop."""
        found: list[dict[str, Any]] = []
        shown = self._shown(path, params)
        previous = None
        for page in range(1, MAX_PAGES + 1):
            try:
                body = self._get(path, {**params, "page": str(page), "perPage": str(PER_PAGE)})
            except ApiError as exc:
                if exc.status == 404 and not exc.message.startswith("Cannot "):
                    return found
                raise
            records, meta = body.get("data"), body.get("meta")
            if not isinstance(records, list):
                raise FetchError("unexpected response (no data list)", shown)
            meta = meta if isinstance(meta, dict) else {}
            current = whole_number(meta.get("currentPage"))
            if (current is not None and current != page) or (records and records == previous):
                raise FetchError(f"page {page} came back as another page; is page ignored?", shown)
            found += [record for record in records if isinstance(record, dict)]
            last = whole_number(meta.get("lastPage", meta.get("last_page")))
            if not records or (last is not None and page >= last):
                return found
            previous = records
        raise FetchError(f"more than {MAX_PAGES} pages", shown)

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """GET ``path`` with a bearer token: logs in first when it has no token, and once more
        when the call answers 401 (an expired token); a second 401 in a row stops the build."""
        for attempt in range(2):
            if self._token is None or attempt:
                if self._login is None:  # a ready token that the API refused
                    raise CredentialsError(
                        f"The Vote Smart REST API refused the token (HTTP 401). {HOW_TO_SET}"
                    )
                self._token = self._log_in(*self._login)
            try:
                return self._get_once(path, params)
            except ApiError as exc:
                if exc.status == 403:
                    raise CredentialsError(
                        f"The Vote Smart REST API refused access to {exc.url} (HTTP 403): the "
                        "account may not include this endpoint. Ask Vote Smart, or use the "
                        "classic API with VOTESMART_API_KEY."
                    ) from None
                if exc.status != 401:
                    raise
        raise CredentialsError(
            f"The Vote Smart REST API refused a fresh login's token (HTTP 401 twice). {HOW_TO_SET}"
        )

    def _get_once(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        url = self._shown(path, params)  # the real URL: REST API 2.0 URLs hold no credential
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        try:
            body = self.transport.request(url, url, json_object, headers=headers)
        except FetchError as exc:
            raise api_error(exc, self.transport.secrets.scrub) from None
        status = body.get("statusCode")
        if isinstance(status, int) and status >= 400:  # an error in a 2xx answer
            raise ApiError(error_message(body, self.transport.secrets.scrub), url, status)
        return body

    def _log_in(self, email: str, password: str) -> str:
        """A fresh bearer token from ``auth/login``."""
        url = self.url + LOGIN_PATH
        payload = json.dumps({"email": email, "password": password}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        try:
            body = self.transport.request(
                url, url, json_object, method="POST", headers=headers, body=payload
            )
        except FetchError as exc:
            if exc.status in (400, 401, 403):
                raise CredentialsError(
                    f"The Vote Smart REST API refused the login (HTTP {exc.status}). {HOW_TO_SET}"
                ) from None
            raise FetchError(f"login failed: {exc.reason}", url, exc.status) from None
        token = body.get("accessToken") or body.get("access_token")
        if not isinstance(token, str) or not token:
            raise FetchError("login answered no accessToken", url)
        self.transport.secrets.add(token)
        return token

    def _shown(self, path: str, params: dict[str, str]) -> str:
        """The URL of a call, safe to print and record (it never holds a credential)."""
        return self.url + path + (f"?{urllib.parse.urlencode(params)}" if params else "")


def api_error(exc: FetchError, scrub: Callable[[str], str]) -> FetchError:
    """An HTTP 4xx with a NestJS body as an ApiError; anything else as it was."""
    if exc.status is None or exc.body is None:
        return exc
    try:
        body = json.loads(exc.body)
    except ValueError:
        body = None
    message = error_message(body, scrub) if isinstance(body, dict) else exc.reason
    return ApiError(message, exc.url, exc.status)


def error_message(body: dict[str, Any], scrub: Callable[[str], str]) -> str:
    """The ``message`` of a NestJS error body (a list of messages joined), credentials masked."""
    message = body.get("message", body.get("error", ""))
    text = "; ".join(map(str, message)) if isinstance(message, list) else str(message)
    return scrub(text) or f"HTTP {body.get('statusCode')}"


def whole_number(value: Any) -> int | None:
    """``value`` as a page number (an int, or a string of digits); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def candidate_id(record: dict[str, Any]) -> str:
    """A listed candidate's id: ``id`` in REST API 2.0, ``candidateId`` as a fallback."""
    return id_text(record.get("id", record.get("candidateId")))


def bio_candidate(body: dict[str, Any]) -> dict[str, Any] | None:
    """The candidate record of a bio, wrapped in ``candidate`` or in ``data`` (which may itself
    hold ``candidate``)."""
    for wrapper in ("candidate", "data"):
        value = body.get(wrapper)
        if isinstance(value, dict):
            inner = value.get("candidate")
            return inner if isinstance(inner, dict) else value
    return None


def json_object(raw: bytes) -> dict[str, Any]:
    """``raw`` as a JSON object; ValueError otherwise, which the transport asks again for."""
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValueError("malformed JSON") from None
    if not isinstance(value, dict):
        raise ValueError("unexpected response (not a JSON object)")
    return value
