"""The classic API against a fake that answers in the shapes of recordings of the live service
(see ``recorded.py``): bare objects and lists, empty gender, "Authorization failed", "No ...
found" and truncated bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.datasets.votesmart.classic import ClassicApi, classic_json, records
from nnbench.datasets.votesmart.credentials import Credentials
from nnbench.datasets.votesmart.transport import Secrets, Transport
from nnbench.errors import CredentialsError, DataUnavailableError
from tests.datasets.votesmart.fakes import FAST, KEY, Person, assert_no_secret, build
from tests.datasets.votesmart.recorded import NO_CANDIDATES, NO_ELECTIONS, ClassicFake


def client(api: ClassicFake, key: str = KEY) -> ClassicApi:
    return ClassicApi(api.url, Transport(secrets=Secrets(key), **FAST), key)


def test_a_lone_record_comes_as_a_bare_object_and_is_read_as_a_list_of_one(
    classic_api: ClassicFake,
):
    classic_api.populate({cid: Person() for cid in ("48307", "154599", "26732")})
    api = client(classic_api)
    assert api.election_ids(2020, "VT") == ["100", "101"]  # a list
    classic_api.elections[("2020", "ME")] = ["300"]
    assert api.election_ids(2020, "ME") == ["300"]  # a bare object, with a bare stage
    assert api.candidates_by_election("100") == ["48307", "154599"]
    assert api.candidates_by_election("101") == ["26732"]
    assert api.state_ids() == ["NA", "VT", "ME"]
    assert records("") == [] and records(None) == [] and records({"a": 1}) == [{"a": 1}]


def test_the_bio_is_read_from_the_recorded_shape_with_escaped_slashes(classic_api: ClassicFake):
    classic_api.populate({"76596": Person(gender="")})
    raw = classic_api.answer("GET", "CandidateBio.getBio", {"key": KEY, "candidateId": "76596"},
                             {}, b"").body  # fmt: skip
    assert b'"photo":"http:\\/\\/127.0.0.1:' in raw and b'"education":""' in raw
    bio = client(classic_api).bio("76596")
    assert (bio.gender, bio.photo) == ("", f"{classic_api.url}canphoto/76596.jpg")


@pytest.mark.parametrize(
    "message",
    [NO_CANDIDATES, NO_ELECTIONS, "No offices for this office level.", "no elections found"],
)
def test_a_listing_error_that_means_nothing_found_is_an_empty_listing(
    classic_api: ClassicFake, tmp_path: Path, message: str
):
    classic_api.populate({cid: Person() for cid in "123"})
    classic_api.faults = {"by_office_state": [f"error:{message}"]}
    manifest = build(classic_api, tmp_path / "c")
    assert manifest["counts"]["kept"] == 3
    assert classic_api.hits["by_office_state"] == 1


def test_authorization_failed_is_a_credentials_error_that_hides_the_key(
    classic_api: ClassicFake, tmp_path: Path
):
    classic_api.populate({"1": Person()})
    wrong = Credentials(api_key="not-the-key-but-still-secret")
    with pytest.raises(CredentialsError) as caught:
        build(classic_api, tmp_path / "c", credentials=wrong)
    assert str(caught.value) == (
        "The Vote Smart API rejected the API key: Authorization failed. Set VOTESMART_API_KEY "
        "or pass --api-key."
    )
    assert not (tmp_path / "c").exists()


def test_an_error_that_echoes_the_key_is_shown_masked(classic_api: ClassicFake, tmp_path: Path):
    classic_api.populate({"1": Person()})
    classic_api.faults = {"by_election": [f"error:Invalid parameter near {KEY}"]}
    with pytest.raises(DataUnavailableError) as caught:
        build(classic_api, tmp_path / "c")
    assert "'Invalid parameter near ***'" in str(caught.value)
    assert_no_secret(caught.value)


@pytest.mark.parametrize("status", ["401", "403"])
def test_http_401_or_403_from_the_api_is_a_refused_key(
    classic_api: ClassicFake, tmp_path: Path, status: str
):
    classic_api.populate({"1": Person()})
    classic_api.faults = {"elections": [status]}
    with pytest.raises(CredentialsError, match=f"refused the API key \\(HTTP {status}\\)"):
        build(classic_api, tmp_path / "c")


def test_a_body_missing_its_closing_braces_is_repaired(classic_api: ClassicFake, tmp_path: Path):
    classic_api.populate({cid: Person() for cid in "123"})
    classic_api.faults = {"bio:1": ["truncated"], "by_election": ["truncated"]}
    manifest = build(classic_api, tmp_path / "c")
    assert manifest["counts"]["kept"] == 3
    assert classic_api.hits["bio:1"] == 1 and classic_api.hits["by_election"] == 2
    assert classic_json(b'{"bio":{"candidate":{"gender":"Male"}') == {
        "bio": {"candidate": {"gender": "Male"}}
    }


def test_a_listing_cut_before_its_list_is_retried_and_never_read_as_empty(
    classic_api: ClassicFake, tmp_path: Path
):
    classic_api.populate({cid: Person() for cid in "123"})
    classic_api.faults = {"by_election": ["truncated-listing"]}
    assert build(classic_api, tmp_path / "c")["counts"]["kept"] == 3
    assert classic_api.hits["by_election"] == 3  # election 100 twice, then 101

    classic_api.faults = {"by_election": ["truncated-listing"] * 3}
    with pytest.raises(DataUnavailableError) as caught:
        build(classic_api, tmp_path / "d")
    assert "unexpected response (no candidateList.candidate; truncated?)" in str(caught.value)
    assert not (tmp_path / "d").exists()


def test_a_body_cut_mid_string_cannot_be_repaired():
    with pytest.raises(ValueError, match="malformed JSON"):
        classic_json(b'{"bio":{"candidate":{"gender":"Fem')
    with pytest.raises(ValueError, match="not a JSON object"):
        classic_json(b"[1, 2]")


@pytest.mark.parametrize("status", ["401", "404"])
def test_no_exception_in_the_chain_holds_the_key(
    classic_api: ClassicFake, tmp_path: Path, status: str
):
    """urllib's HTTPError holds the real URL, key included: it must not hang on as the
    context of the error the user sees."""
    classic_api.populate({"1": Person()})
    classic_api.faults = {"elections": [status]}
    with pytest.raises((CredentialsError, DataUnavailableError)) as caught:
        build(classic_api, tmp_path / "c")
    assert_no_secret(caught.value)
