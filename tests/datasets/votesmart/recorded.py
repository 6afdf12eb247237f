"""The classic Vote Smart API, answering in the shapes that recordings of the live service show.

**Confirmed by recordings.** Each shape reproduces, in our own code, what these public recordings
hold (nothing is copied from them but field names and messages):

* decktools/votesmart ``tests/fixtures/*.yml`` (HTTP recordings of api.votesmart.org, 2023):
  ``candidates_get_by_office_state.yml`` (a ``candidate`` list under ``generalInfo``),
  ``candidates_get_by_lastname_false.yml`` (a lone candidate as a bare object),
  ``election_get_election_by_year_state.yml`` (``election`` and ``stage`` each a list or a bare
  object), and the errors "No candidates found matching this criteria." and "No elections found
  matching this criteria.", all with HTTP 200, ``content-type: application/json`` and ``\\/``
  escaped slashes; ``R/request.R`` appends ``}}`` to a body it cannot parse (truncated JSON);
* Freespoke/go-votesmart ``testdata/state_get_state_ids.json`` (``stateList.list.state``) and
  ``testdata/candidates_get_by_electionid.json`` (2023-24);
* AdamMc331/OurGovernment ``CandidateBio.kt`` (2017): a ``CandidateBio.getBio`` body with
  ``"gender": ""``, the photo at ``http://static.votesmart.org/canphoto/<id>.jpg``, empty
  sections as ``""`` and ``office.name`` a list;
* netroots/ruby-votesmart ``spec/responses/authorization_failed.js``:
  ``{"error":{"errorMessage":"Authorization failed"}}``.

Ids are strings of digits. No recording has a coded "Female"; the fake serves what each
:class:`~tests.datasets.votesmart.fakes.Person` says.

Faults of this API: "error:<message>" (an API error, HTTP 200), "truncated" (the body without
its closing ``}}``), "truncated-listing" (a listing cut after ``generalInfo``).
"""

from __future__ import annotations

from typing import Any

from tests.datasets.votesmart.fakes import KEY, Response, World, json_response

NO_CANDIDATES = "No candidates found matching this criteria."
NO_ELECTIONS = "No elections found matching this criteria."
AUTHORIZATION_FAILED = "Authorization failed"
METHODS = {
    "State.getStateIDs": "states",
    "Election.getElectionByYearState": "elections",
    "Candidates.getByElection": "by_election",
    "Candidates.getByOfficeState": "by_office_state",
}


def one_or_list(items: list[dict]) -> dict | list[dict]:
    """The API's quirk: a list of one comes back as the element alone."""
    return items[0] if len(items) == 1 else items


def general_info(title: str, link: str = "http://votesmart.org/") -> dict[str, str]:
    return {"title": f"Project Vote Smart - {title}", "linkBack": link}


def error(message: str) -> dict:
    return {"error": {"errorMessage": message}}


def candidate_row(candidate_id: str, year: str) -> dict[str, str]:
    """A listed candidate, with the fields of the recorded ``candidateList.candidate``."""
    return {
        "candidateId": candidate_id, "firstName": "Max", "nickName": "", "middleName": "",
        "preferredName": "Max", "lastName": f"Doe{candidate_id}", "suffix": "", "title": "",
        "ballotName": f"Max Doe{candidate_id}", "electionParties": "Independent",
        "electionStatus": "Running", "electionStage": "General", "electionDistrictId": "",
        "electionDistrictName": "", "electionOffice": "Governor", "electionOfficeId": "3",
        "electionStateId": "VT", "electionOfficeTypeId": "G", "electionYear": year,
        "electionSpecial": "f", "electionDate": f"11/03/{year}", "officeParties": "",
        "officeStatus": "", "officeDistrictId": "", "officeDistrictName": "", "officeStateId": "",
        "officeId": "", "officeName": "", "officeTypeId": "", "runningMateId": "",
        "runningMateName": "",
    }  # fmt: skip


def election_row(election_id: str, year: str, state: str) -> dict[str, Any]:
    """An election as recorded: its ``stage`` a bare object when there is one stage."""
    stage = {"stageId": "G", "electionElectionstageId": f"6{election_id}", "name": "General",
             "stateId": state, "electionDate": f"{year}-11-03", "filingDeadline": "",
             "npatMailed": "f"}  # fmt: skip
    return {"electionId": election_id, "name": f"{state} General {year}", "stateId": state,
            "officeTypeId": "G", "special": "f", "electionYear": year, "stage": stage}  # fmt: skip


class ClassicFake(World):
    """Answers ``GET /<Class.method>?key=KEY&o=JSON`` like api.votesmart.org."""

    api_name = "classic"

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               body: bytes) -> Response:  # fmt: skip
        if query.get("key") != KEY:
            return json_response(error(AUTHORIZATION_FAILED))
        resource = f"bio:{query['candidateId']}" if path == "CandidateBio.getBio" else METHODS[path]
        kind, argument = self.fault(resource)
        faulted = self.common_fault(kind, argument)
        if faulted is not None:
            return faulted
        if kind == "error":
            return json_response(error(argument))
        if kind == "bad-json":
            return Response(200, b'{"bio":{"candidate":{"gender":"Fem', {})
        answer = json_response(self.body(resource, query), escape_slashes=True)
        if kind == "truncated":
            answer.body = answer.body.removesuffix(b"}}")
        elif kind == "truncated-listing":
            answer.body = answer.body[: answer.body.index(b',"candidate"')]
        return answer

    def body(self, resource: str, query: dict[str, str]) -> dict:
        if resource == "states":
            states = [{"stateId": s, "name": f"State {s}"} for s in self.states]
            info = general_info("States", "http://votesmart.org/mystate_statefacts.php")
            return {"stateList": {"generalInfo": info, "list": {"state": states}}}
        if resource == "elections":
            year, state = query["year"], query["stateId"]
            found = [election_row(e, year, state) for e in self.elections.get((year, state), [])]
            if not found:
                return error(NO_ELECTIONS)
            return {"elections": {"generalInfo": general_info("Elections"),
                                  "election": one_or_list(found)}}  # fmt: skip
        if resource == "by_election":
            return self.candidates(self.election_candidates.get(query["electionId"], []))
        if resource == "by_office_state":
            key = (query["officeId"], query["stateId"])
            return self.candidates(self.office_candidates.get(key, []))
        return self.bio(query["candidateId"])

    def candidates(self, ids: list[str]) -> dict:
        if not ids:
            return error(NO_CANDIDATES)
        found = [candidate_row(cid, "2020") for cid in ids]
        info = general_info("Search Candidates")
        return {"candidateList": {"generalInfo": info, "candidate": one_or_list(found)}}

    def bio(self, candidate_id: str) -> dict:
        """``CandidateBio.getBio`` in the recorded shape: empty sections are ``""``."""
        person = self.people[candidate_id]
        candidate = {
            "candidateId": candidate_id, "crpId": "", "photo": self.photo_url(candidate_id),
            "firstName": "Max", "nickName": "", "middleName": "R.", "preferredName": "Max",
            "lastName": f"Doe{candidate_id}", "suffix": "", "birthDate": "", "birthPlace": "",
            "pronunciation": "", "gender": person.gender, "family": "", "homeCity": "",
            "homeState": "VT", "education": "", "profession": "", "political": "",
            "religion": "", "congMembership": "", "orgMembership": "", "specialMsg": "",
        }  # fmt: skip
        office = {"name": ["Mayor", "Mayor"], "parties": "", "title": "", "shortTitle": "",
                  "type": "Local Executive", "status": "active", "district": "At-Large",
                  "districtId": "31279", "stateId": "VT"}  # fmt: skip
        link = f"http://votesmart.org/bio.php?can_id={candidate_id}"
        info = general_info(f"Bio -  Max Doe{candidate_id}", link)
        return {"bio": {"generalInfo": info, "candidate": candidate, "office": office}}
