"""The classic Vote Smart API: ``GET http://api.votesmart.org/<Class.method>?key=KEY&o=JSON``.

**Confirmed by recordings of the live API** (decktools/votesmart ``tests/fixtures/*.yml``,
recorded in 2023; Freespoke/go-votesmart ``testdata/*.json``, 2023-24; netroots/ruby-votesmart
``spec/responses/*.js``) and by a ``CandidateBio.getBio`` body that AdamMc331/OurGovernment keeps
(2017):

* ``State.getStateIDs``: ``{"stateList": {"generalInfo": {...}, "list": {"state":
  [{"stateId": "NA", "name": "National"}, ...]}}}``.
* ``Election.getElectionByYearState`` (``year``, ``stateId``): ``{"elections": {"generalInfo":
  {...}, "election": [{"electionId": "3435", ..., "stage": {...}}]}}``.
* ``Candidates.getByElection`` (``electionId``) and ``Candidates.getByOfficeState``
  (``officeId``, ``stateId``): ``{"candidateList": {"generalInfo": {...}, "candidate":
  [{"candidateId": "154599", ...}]}}``; the same candidate can be listed more than once.
* ``CandidateBio.getBio`` (``candidateId``): ``{"bio": {"generalInfo": {...}, "candidate":
  {"candidateId": "76596", "photo": "http://static.votesmart.org/canphoto/76596.jpg",
  "gender": "", ...}, "office": {...}}}``. Only "Male" and "" occur in what was recorded;
  "Female" is what the documentation leads one to expect.
* Ids are strings of digits. A list of one comes back as the element alone (``"candidate":
  {...}``), and an empty list as ``""``; :func:`records` reads both.
* Every answer is HTTP 200, errors included: ``{"error": {"errorMessage": "Authorization
  failed"}}`` for a bad key, ``"No candidates found matching this criteria."``, ``"No elections
  found matching this criteria."`` or ``"No offices for this office level."`` when a listing
  finds nothing (:data:`NOTHING_FOUND`).
* decktools appends ``}}`` to a body it cannot parse (a truncated one), whatever the method;
  :func:`classic_json` does the same, and a listing so repaired must still hold its list
  (else it is retried as truncated).
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from typing import Any

from nnbench.datasets.votesmart.api import ApiError, Bio, id_text
from nnbench.datasets.votesmart.transport import FetchError, Transport
from nnbench.errors import CredentialsError

DEFAULT_URL = "http://api.votesmart.org/"
#: an API error message that means a listing found nothing, as recorded: "No candidates found
#: matching this criteria.", "No elections found ...", "No offices for this office level."
NOTHING_FOUND = re.compile(r"^\s*no \w+ (found\b|for this \w+ level\b)", re.IGNORECASE)
#: an API error message that refuses the key: "Authorization failed" is the recorded one
KEY_REFUSED = re.compile(
    r"authoriz|\bapi ?key\b|\binvalid key\b|\bkey (is )?(invalid|missing|required|expired)\b",
    re.IGNORECASE,
)
CREDENTIALS_HINT = "Set VOTESMART_API_KEY or pass --api-key."
#: what decktools/votesmart appends to a body that does not parse
TRUNCATION_REPAIR = b"}}"


class ClassicApi:
    """Classic API calls for a build: the key rides in the query and is kept out of every URL
    that is shown or recorded."""

    name = "classic"
    endpoints = {
        "states": "State.getStateIDs",
        "elections": "Election.getElectionByYearState",
        "by_election": "Candidates.getByElection",
        "by_office_state": "Candidates.getByOfficeState",
        "bio": "CandidateBio.getBio",
    }

    def __init__(self, url: str, transport: Transport, api_key: str) -> None:
        self.url = url.rstrip("/") + "/"
        self.transport = transport
        self._key = api_key

    def state_ids(self) -> list[str]:
        found = self._list("State.getStateIDs", "stateList", "list")
        return [
            id_text(state.get("stateId")) for lst in found for state in records(lst.get("state"))
        ]

    def election_ids(self, year: int, state: str) -> list[str]:
        params = {"year": str(year), "stateId": state}
        found = self._list("Election.getElectionByYearState", "elections", "election", **params)
        return [id_text(election.get("electionId")) for election in found]

    def candidates_by_election(self, election_id: str) -> list[str]:
        found = self._list(
            "Candidates.getByElection", "candidateList", "candidate", electionId=election_id
        )
        return [id_text(candidate.get("candidateId")) for candidate in found]

    def candidates_by_office_state(self, office: str, state: str) -> list[str]:
        params = {"officeId": office, "stateId": state}
        found = self._list("Candidates.getByOfficeState", "candidateList", "candidate", **params)
        return [id_text(candidate.get("candidateId")) for candidate in found]

    def bio(self, candidate_id: str) -> Bio:
        data = self.call("CandidateBio.getBio", candidateId=candidate_id)
        section = data.get("bio")
        candidate = section.get("candidate") if isinstance(section, dict) else None
        if not isinstance(candidate, dict):
            raise FetchError("unexpected response (no bio.candidate)", self.bio_url(candidate_id))
        return Bio(candidate.get("gender"), candidate.get("photo"))

    def bio_url(self, candidate_id: str) -> str:
        return self.shown_url("CandidateBio.getBio", candidateId=candidate_id)

    def shown_url(self, method: str, **params: str) -> str:
        """The URL of a call to ``method``, without the key: safe to print and record."""
        return f"{self.url}{method}?{urllib.parse.urlencode({**params, 'o': 'JSON'})}"

    def call(
        self, method: str, require: tuple[str, str] | None = None, **params: str
    ) -> dict[str, Any]:
        """The JSON object ``method`` returns; raise CredentialsError, ApiError or FetchError.
        An answer that is not an error and lacks ``answer[outer][inner]`` (``require``) is read
        as truncated, and retried."""
        shown = self.shown_url(method, **params)
        query = urllib.parse.urlencode({"key": self._key, **params, "o": "JSON"})
        parse = functools.partial(classic_json, require=require)
        try:
            data = self.transport.request(f"{self.url}{method}?{query}", shown, parse)
        except FetchError as exc:
            if exc.status in (401, 403):
                raise CredentialsError(
                    f"The Vote Smart API refused the API key (HTTP {exc.status}). "
                    + CREDENTIALS_HINT
                ) from None
            raise
        if "error" in data:
            error = data["error"]
            text = error.get("errorMessage", error) if isinstance(error, dict) else error
            message = self.transport.secrets.scrub(str(text))
            if KEY_REFUSED.search(message):
                raise CredentialsError(
                    f"The Vote Smart API rejected the API key: {message}. {CREDENTIALS_HINT}"
                )
            raise ApiError(message, shown)
        return data

    def _list(self, method: str, outer: str, inner: str, **params: str) -> list[dict[str, Any]]:
        """The records at ``answer[outer][inner]``; none for an error meaning "nothing found"."""
        try:
            data = self.call(method, (outer, inner), **params)
        except ApiError as exc:
            if NOTHING_FOUND.search(exc.message):
                return []
            raise
        return records(data[outer][inner])


def classic_json(raw: bytes, require: tuple[str, str] | None = None) -> dict[str, Any]:
    """A JSON object, or one whose truncated end ``}}`` restores; ValueError otherwise. With
    ``require`` = (outer, inner), an answer that is not an error must hold ``[outer][inner]``."""
    for body in (raw, raw.rstrip() + TRUNCATION_REPAIR):
        try:
            value = json.loads(body)
        except ValueError:
            continue
        if not isinstance(value, dict):
            raise ValueError("unexpected response (not a JSON object)")
        if require and "error" not in value:
            outer, inner = require
            section = value.get(outer)
            if not isinstance(section, dict) or inner not in section:
                raise ValueError(f"unexpected response (no {outer}.{inner}; truncated?)")
        return value
    raise ValueError("malformed JSON")


def records(value: Any) -> list[dict[str, Any]]:
    """An API list as a list of objects: a lone object is a list of one, absent or "" is empty."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]
