"""Vote Smart's REST API 2.0, answering in shapes **inferred** from public client code.

**Inferred, not recorded**: no recording of this API's answers was found. The shapes follow the
newest public clients: NationalJournal/py-votesmart (``votesmart/api.py``,
``votesmart/methods/base.py``, ``candidates.py``, ``elections.py``, ``candidatebio.py`` and its
tests, 2025-26), ryanegauthier/liars-ledger (``server/providers/votesmart.js``, 2026) and
JacksonAHannan/alabama-state-house-and-state-senate-model
(``scripts/download_votesmart_ideology.py``, a ready bearer token):

* ``POST /auth/login`` ``{"email", "password"}`` -> 201 ``{"accessToken": JWT}`` (py-votesmart)
  or ``{"access_token": JWT}`` (liars-ledger); then ``Authorization: Bearer JWT``;
* 401 ``{"message": "Unauthorized", "statusCode": 401}`` for a missing or expired token;
* lists take ``page`` and ``perPage`` and answer ``{"data": [...], "meta": {"currentPage",
  "lastPage", "perPage", "total"}}``; records carry ``id`` (a number); "nothing found" is 404
  ``{"message": "Not Found", "statusCode": 404}``;
* ``GET /v1/candidatebios/{id}`` -> ``{"candidate": {...}, "elections": [], "offices": []}``, or
  the candidate under ``data``;
* a bad parameter is 400 ``{"errors": "Bad Request", "message": [...], "statusCode": 400}``.

Faults of this API: "error:<message>" (that 400), "error-in-200:<message>" (a NestJS error
body with HTTP 200), "expire" (every token issued so far stops working, and this request answers
401), "401" (this request answers 401).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tests.datasets.votesmart.fakes import EMAIL, PASSWORD, TOKEN, Response, World, json_response

NOT_FOUND = {"message": "Not Found", "statusCode": 404}
UNAUTHORIZED = {"message": "Unauthorized", "statusCode": 401}
LISTS = {
    "v1/states": "states",
    "v1/elections/by-year-state": "elections",
    "v1/candidates/by-election": "by_election",
    "v1/candidates/by-office-state": "by_office_state",
}


@dataclass
class Rest2Fake(World):
    """Answers like app.votesmart-api.org: a login, bearer tokens, pages of ``page_size``."""

    api_name = "rest2"

    page_size: int = 2  # the most records a page holds, whatever perPage asks
    token_field: str = "accessToken"  # or "access_token"
    bio_wrapper: str = "candidate"  # or "data", "data.candidate", or "" for neither
    #: "full"; "string" (numbers as strings); "alias" (``last_page``); "none" (no meta);
    #: "ignores-page" (always page 1, with its meta); "ignores-page-bare" (page 1, no meta)
    meta_style: str = "full"
    valid_tokens: set[str] = field(default_factory=lambda: {TOKEN})
    issued: int = 0

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               body: bytes) -> Response:  # fmt: skip
        if (method, path) == ("POST", "auth/login"):
            return self.login(body)
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return json_response(UNAUTHORIZED, 401)
        if path.startswith("v1/candidatebios/"):
            resource = "bio:" + path.removeprefix("v1/candidatebios/")
        elif path in LISTS:
            resource = LISTS[path]
        else:
            return json_response({"message": f"Cannot GET /{path}", "error": "Not Found",
                                  "statusCode": 404}, 404)  # fmt: skip
        kind, argument = self.fault(resource)
        if kind == "expire":
            self.valid_tokens.clear()
        if kind in ("expire", "401"):
            return json_response(UNAUTHORIZED, 401)
        faulted = self.common_fault(kind, argument)
        if faulted is not None:
            return faulted
        if kind == "error":
            return json_response({"errors": "Bad Request", "message": [argument],
                                  "statusCode": 400}, 400)  # fmt: skip
        if kind == "bad-json":
            return Response(200, b'{"candidate":{"gender":"Fem', {})
        if kind == "error-in-200":
            return json_response({"message": argument, "statusCode": 400})
        if resource.startswith("bio:"):
            return self.bio(resource.removeprefix("bio:"))
        return self.page(self.records(resource, query), query)

    def login(self, body: bytes) -> Response:
        self.hits["login"] += 1
        sent = json.loads(body)
        if sent != {"email": EMAIL, "password": PASSWORD}:
            message = f"Invalid credentials for {sent.get('email')}"
            return json_response({"message": message, "statusCode": 401}, 401)
        self.issued += 1
        token = f"issued-jwt-{self.issued}"
        self.valid_tokens.add(token)
        return json_response({self.token_field: token}, 201)

    def records(self, resource: str, query: dict[str, str]) -> list[dict]:
        if resource == "states":
            return [{"stateId": s, "name": f"State {s}"} for s in self.states]
        if resource == "elections":
            year, state = query["year"], query["stateId"]
            return [{"id": int(e), "name": f"{state} General {year}", "electionYear": int(year),
                     "officeTypeId": "G", "special": False, "stateId": state, "stages": []}
                    for e in self.elections.get((year, state), [])]  # fmt: skip
        if resource == "by_election":
            ids = self.election_candidates.get(query["electionId"], [])
        else:
            ids = self.office_candidates.get((query["officeId"], query["stateId"]), [])
        return [{"id": int(cid), "firstName": "Max", "lastName": f"Doe{cid}",
                 "ballotName": f"Max Doe{cid}", "electionYear": 2020, "electionStage": "General",
                 "officeId": 3, "officeStateId": "VT"} for cid in ids]  # fmt: skip

    def page(self, records: list[dict], query: dict[str, str]) -> Response:
        """One page of ``records``, or "Not Found" when there are none."""
        if not records:
            return json_response(NOT_FOUND, 404)
        size = min(int(query.get("perPage", 10)), self.page_size)
        last = -(-len(records) // size)
        page = 1 if self.meta_style.startswith("ignores-page") else int(query.get("page", 1))
        meta = {"currentPage": page, "lastPage": last, "perPage": size, "total": len(records)}
        if self.meta_style == "string":
            meta = {name: str(value) for name, value in meta.items()}
        elif self.meta_style == "alias":
            meta = {"current_page": page, "last_page": last}
        answer: dict = {"data": records[(page - 1) * size : page * size], "meta": meta}
        if self.meta_style in ("none", "ignores-page-bare"):
            del answer["meta"]
        return json_response(answer)

    def bio(self, candidate_id: str) -> Response:
        person = self.people[candidate_id]
        candidate = {"id": int(candidate_id), "crpId": None, "photo": self.photo_url(candidate_id),
                     "firstName": "Max", "lastName": f"Doe{candidate_id}",
                     "gender": person.gender, "homeState": "VT"}  # fmt: skip
        wrapped: dict = {"elections": [], "offices": []}
        if self.bio_wrapper == "data.candidate":
            wrapped["data"] = {"candidate": candidate}
        elif self.bio_wrapper:
            wrapped[self.bio_wrapper] = candidate
        return json_response(wrapped)
