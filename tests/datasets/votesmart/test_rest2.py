"""REST API 2.0 against a fake whose shapes are **inferred** from public client code, since no
recording of the live API was found (see ``inferred.py``): the login and the one re-login after a
401, a ready token, pagination, the bio under ``candidate`` or ``data``, and NestJS errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnbench.datasets.votesmart import transport
from nnbench.datasets.votesmart.credentials import Credentials
from nnbench.datasets.votesmart.rest2 import Rest2Api
from nnbench.datasets.votesmart.transport import Secrets, Transport
from nnbench.errors import CredentialsError, DataUnavailableError
from tests.datasets.votesmart.fakes import (
    EMAIL,
    FAST,
    PASSWORD,
    TOKEN,
    Person,
    assert_no_secret,
    build,
    serve,
)
from tests.datasets.votesmart.inferred import Rest2Fake
from tests.datasets.votesmart.recorded import ClassicFake

READY_TOKEN = Credentials(token=TOKEN)


def test_a_build_logs_in_once_and_sends_no_credential_to_the_photo_host(
    rest2_api: Rest2Fake, tmp_path: Path
):
    rest2_api.populate({cid: Person() for cid in "123"})
    manifest = build(rest2_api, tmp_path / "c")
    assert manifest["counts"]["kept"] == 3 and rest2_api.hits["login"] == 1
    assert len(rest2_api.photo_headers) == 3
    assert not any("Authorization" in headers for headers in rest2_api.photo_headers)
    assert_no_secret(json.dumps(manifest), folder=tmp_path / "c")


@pytest.mark.parametrize("field", ["accessToken", "access_token"])
def test_the_token_is_read_from_either_field_clients_use(
    rest2_api: Rest2Fake, tmp_path: Path, field: str
):
    rest2_api.populate({"1": Person()})
    rest2_api.token_field = field
    assert build(rest2_api, tmp_path / "c")["counts"]["kept"] == 1


def test_a_ready_token_is_used_without_a_login(rest2_api: Rest2Fake, tmp_path: Path):
    rest2_api.populate({cid: Person() for cid in "12"})
    assert build(rest2_api, tmp_path / "c", credentials=READY_TOKEN)["counts"]["kept"] == 2
    assert rest2_api.hits["login"] == 0


def test_an_expired_token_mid_run_logs_in_once_more_and_the_build_goes_on(
    rest2_api: Rest2Fake, tmp_path: Path
):
    rest2_api.populate({cid: Person() for cid in "1234"})
    rest2_api.faults = {"bio:3": ["expire"]}
    manifest = build(rest2_api, tmp_path / "c")
    assert manifest["counts"]["kept"] == 4 and manifest["complete"] is True
    assert rest2_api.hits["login"] == 2 and rest2_api.hits["bio:3"] == 2


def test_a_second_401_in_a_row_stops_the_build_and_keeps_what_it_had(
    rest2_api: Rest2Fake, tmp_path: Path, capsys
):
    rest2_api.populate({cid: Person() for cid in "1234"})
    rest2_api.faults = {"bio:3": ["401", "401"]}
    folder = tmp_path / "c"
    with pytest.raises(CredentialsError) as caught:
        build(rest2_api, folder)
    assert str(caught.value) == (
        "The Vote Smart REST API refused a fresh login's token (HTTP 401 twice). Set "
        "VOTESMART_API_KEY (or pass --api-key) for the classic API, or VOTESMART_EMAIL and "
        "VOTESMART_PASSWORD, or VOTESMART_API_TOKEN, for REST API 2.0."
    )
    assert rest2_api.hits["login"] == 2
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["complete"] is False and manifest["counts"]["kept"] == 2
    assert_no_secret(caught.value, capsys.readouterr().err, folder=folder)


def test_an_expired_ready_token_asks_for_a_login(rest2_api: Rest2Fake, tmp_path: Path):
    rest2_api.populate({cid: Person() for cid in "12"})
    rest2_api.faults = {"bio:2": ["expire"]}
    with pytest.raises(CredentialsError, match="refused the token \\(HTTP 401\\). Set VOTESMART_"):
        build(rest2_api, tmp_path / "c", credentials=READY_TOKEN)


def test_a_refused_login_names_neither_the_email_nor_the_password(
    rest2_api: Rest2Fake, tmp_path: Path
):
    rest2_api.populate({"1": Person()})
    wrong = Credentials(email=EMAIL, password=PASSWORD + "-wrong")
    with pytest.raises(CredentialsError) as caught:
        build(rest2_api, tmp_path / "c", credentials=wrong)
    assert str(caught.value).startswith("The Vote Smart REST API refused the login (HTTP 401).")
    assert_no_secret(caught.value)
    assert not (tmp_path / "c").exists()


def test_every_page_of_a_list_is_read(rest2_api: Rest2Fake):
    ids = [str(i) for i in range(1, 8)]
    rest2_api.populate({cid: Person() for cid in ids})
    api = Rest2Api(rest2_api.url, Transport(secrets=Secrets(TOKEN), **FAST), token=TOKEN)
    assert api.candidates_by_election("100") == ids[:-1]
    assert rest2_api.hits["by_election"] == 3  # 2 + 2 + 2 records
    rest2_api.page_size = 500
    assert api.candidates_by_election("100") == ids[:-1]
    assert rest2_api.hits["by_election"] == 4
    assert api.candidates_by_election("999") == []  # 404 "Not Found": nothing found
    assert api.election_ids(2020, "VT") == ["100", "101"]  # ids are numbers in REST API 2.0


@pytest.mark.parametrize("wrapper", ["candidate", "data"])
def test_the_bio_is_read_from_either_wrapper(rest2_api: Rest2Fake, tmp_path: Path, wrapper: str):
    rest2_api.populate({"1": Person(gender="Male"), "2": Person(gender="")})
    rest2_api.bio_wrapper = wrapper
    manifest = build(rest2_api, tmp_path / "c")
    assert manifest["counts"]["kept_by_gender"] == {"Male": 1}
    assert manifest["counts"]["dropped"] == {"uncoded_gender": 1}


def test_rate_limits_are_waited_out_as_retry_after_asks(
    rest2_api: Rest2Fake, tmp_path: Path, monkeypatch
):
    rest2_api.populate({cid: Person() for cid in "12"})
    rest2_api.faults = {"by_election": ["429:7", "429:120", "502"]}
    slept: list[float] = []
    monkeypatch.setattr(transport.time, "sleep", slept.append)
    assert build(rest2_api, tmp_path / "c", retries=3, backoff_s=1.0)["counts"]["kept"] == 2
    waits = [seconds for seconds in slept if seconds >= 0.01]  # not the rate limit's (1 ms)
    assert waits == [7.0, 120.0, 4.0]  # Retry-After twice, then the backoff 1 * 2**2


def test_a_wrong_api_root_is_told_apart_from_nothing_found(rest2_api: Rest2Fake, tmp_path: Path):
    rest2_api.populate({"1": Person()})
    with pytest.raises(DataUnavailableError) as caught:
        build(rest2_api, tmp_path / "c", api_url=rest2_api.url + "api/", credentials=READY_TOKEN)
    assert "answered the API error 'Cannot GET /api/v1/elections/by-year-state'" in str(
        caught.value
    )


def test_a_403_from_the_api_says_the_account_lacks_the_endpoint(
    rest2_api: Rest2Fake, tmp_path: Path
):
    rest2_api.populate({"1": Person()})
    rest2_api.faults = {"elections": ["403"]}
    with pytest.raises(CredentialsError, match="refused access to .* \\(HTTP 403\\): the account"):
        build(rest2_api, tmp_path / "c")
    assert rest2_api.hits["login"] == 1


@pytest.mark.parametrize("style", ["string", "alias", "none"])
def test_pages_are_read_to_the_end_whatever_the_meta_looks_like(rest2_api: Rest2Fake, style: str):
    ids = [str(i) for i in range(1, 8)]
    rest2_api.populate({cid: Person() for cid in ids})
    rest2_api.meta_style = style
    api = Rest2Api(rest2_api.url, Transport(secrets=Secrets(TOKEN), **FAST), token=TOKEN)
    assert api.candidates_by_election("100") == ids[:-1]
    # with lastPage: 3 pages; without: a 4th, empty page says the list is over
    assert rest2_api.hits["by_election"] == (4 if style == "none" else 3)


@pytest.mark.parametrize("style", ["ignores-page", "ignores-page-bare"])
def test_a_server_that_ignores_page_stops_the_build_instead_of_cutting_the_list(
    rest2_api: Rest2Fake, tmp_path: Path, style: str
):
    rest2_api.populate({cid: Person() for cid in "12345"})
    rest2_api.meta_style = style
    with pytest.raises(DataUnavailableError, match="page 2 came back as another page"):
        build(rest2_api, tmp_path / "c")
    assert not (tmp_path / "c").exists()


def test_an_error_body_with_http_200_is_an_api_error(rest2_api: Rest2Fake, tmp_path: Path):
    rest2_api.populate({cid: Person() for cid in "12"})
    rest2_api.faults = {"by_office_state": ["error-in-200:officeId must be a number"]}
    with pytest.raises(DataUnavailableError, match="answered the API error 'officeId must be a"):
        build(rest2_api, tmp_path / "c")


def test_a_bio_under_data_candidate_is_read_and_one_under_neither_fails(
    rest2_api: Rest2Fake, tmp_path: Path
):
    rest2_api.populate({cid: Person(gender="Male") for cid in "12"})
    rest2_api.bio_wrapper = "data.candidate"
    assert build(rest2_api, tmp_path / "c")["counts"]["kept"] == 2
    rest2_api.bio_wrapper = ""
    manifest = build(rest2_api, tmp_path / "d")
    assert manifest["counts"]["failed_by_reason"] == {
        "unexpected response (no candidate or data)": 2
    }


def test_rest2_needs_a_login_or_a_token():
    with pytest.raises(CredentialsError, match="No credentials for the Vote Smart REST API"):
        Rest2Api("http://127.0.0.1:9/", Transport(secrets=Secrets(), **FAST), email=EMAIL)


def test_the_token_follows_a_redirect_on_the_api_host_but_not_off_it(
    rest2_api: Rest2Fake, tmp_path: Path
):
    rest2_api.populate({cid: Person() for cid in "12"})
    with serve(ClassicFake()) as elsewhere:  # another host:port, as far as origins go
        elsewhere.populate({"1": Person()})
        listing = "v1/elections/by-year-state?year=2020&stateId=VT&page=1&perPage=500"
        rest2_api.faults = {
            "elections": [f"redirect:{elsewhere.url}canphoto/1.jpg"],  # not JSON: retried
            "by_office_state": [f"redirect:{rest2_api.url}{listing}"],
        }
        manifest = build(rest2_api, tmp_path / "c")
    assert manifest["counts"]["kept"] == 2
    assert elsewhere.hits["photo:1"] == 1
    assert not any("Authorization" in headers for headers in elsewhere.photo_headers)
    # the same origin kept the token: the redirected call was answered, not refused
    assert rest2_api.hits["elections"] == 3  # the redirect, its retry, then the same-origin one
