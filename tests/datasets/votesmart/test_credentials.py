"""Which API a build uses, from the credentials at hand; credentials never shown."""

from __future__ import annotations

import pytest

from nnbench.datasets.votesmart.credentials import Credentials, choose_api
from nnbench.errors import ConfigError, CredentialsError
from tests.datasets.votesmart.fakes import EMAIL, KEY, PASSWORD, TOKEN, assert_no_secret

ENV = {
    "key": {"VOTESMART_API_KEY": KEY},
    "login": {"VOTESMART_EMAIL": EMAIL, "VOTESMART_PASSWORD": PASSWORD},
    "token": {"VOTESMART_API_TOKEN": TOKEN},
}


@pytest.mark.parametrize(
    ("held", "forced", "chosen"),
    [
        (["key"], None, "classic"),
        (["login"], None, "rest2"),
        (["token"], None, "rest2"),
        (["key", "login"], None, "rest2"),  # both: today's API
        (["key", "login"], "classic", "classic"),
        (["key", "token"], "rest2", "rest2"),
    ],
)
def test_the_credentials_choose_the_api_and_api_forces_it(
    held: list[str], forced: str | None, chosen: str
):
    env = {name: value for kind in held for name, value in ENV[kind].items()}
    assert choose_api(Credentials.from_env(env), forced) == chosen


@pytest.mark.parametrize(
    ("env", "forced", "message"),
    [
        ({}, None, "No Vote Smart credentials. Set VOTESMART_API_KEY (or pass --api-key)"),
        (ENV["login"], "classic", "--api classic needs a key: set VOTESMART_API_KEY"),
        (ENV["key"], "rest2", "--api rest2 needs VOTESMART_EMAIL and VOTESMART_PASSWORD, or "),
        ({"VOTESMART_EMAIL": EMAIL}, None, "VOTESMART_EMAIL is set but VOTESMART_PASSWORD is not"),
        ({"VOTESMART_PASSWORD": PASSWORD}, "rest2", "VOTESMART_PASSWORD is set but VOTESMART_EM"),
    ],
)
def test_missing_credentials_say_which_to_set(env: dict, forced: str | None, message: str):
    with pytest.raises(CredentialsError) as caught:
        choose_api(Credentials.from_env(env), forced)
    assert str(caught.value).startswith(message)
    assert_no_secret(caught.value)


def test_an_unknown_api_is_a_config_error():
    with pytest.raises(ConfigError, match="--api must be one of classic, rest2, not 'rest3'"):
        choose_api(Credentials(api_key=KEY), "rest3")


def test_the_flag_wins_over_the_variable_and_empty_values_count_as_unset():
    credentials = Credentials.from_env({"VOTESMART_API_KEY": "from-env", "VOTESMART_EMAIL": ""},
                                       api_key="from-flag")  # fmt: skip
    assert credentials.api_key == "from-flag" and credentials.email is None


def test_credentials_never_show_in_their_repr_or_once_scrubbed():
    credentials = Credentials(api_key=KEY, email=EMAIL, password=PASSWORD, token=TOKEN)
    assert repr(credentials) == "Credentials(set: api_key, email, password, token)"
    assert repr(Credentials()) == "Credentials(set: none)"
    secrets = credentials.secrets()
    leaked = f"{KEY} {EMAIL} {EMAIL.replace('@', '%40')} {PASSWORD} Bearer {TOKEN}"
    assert secrets.scrub(leaked) == "*** *** *** *** Bearer ***"
    secrets.add("issued-jwt-9")
    assert secrets.scrub("token issued-jwt-9 expired") == "token *** expired"
