"""Which Vote Smart API a build uses, chosen by the credentials at hand or forced with ``--api``.

``VOTESMART_API_KEY`` (or ``--api-key``) is a key for the classic API; ``VOTESMART_EMAIL`` with
``VOTESMART_PASSWORD``, or a ready bearer token in ``VOTESMART_API_TOKEN``, are for REST API 2.0.
With credentials for both, REST API 2.0 is used, the one Vote Smart serves today. Credentials never
appear in a message, a file or a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nnbench.datasets.votesmart import (
    API_KEY_ENV,
    APIS,
    EMAIL_ENV,
    HOW_TO_SET,
    PASSWORD_ENV,
    TOKEN_ENV,
)
from nnbench.datasets.votesmart.api import VoteSmartApi
from nnbench.datasets.votesmart.classic import DEFAULT_URL as CLASSIC_URL
from nnbench.datasets.votesmart.classic import ClassicApi
from nnbench.datasets.votesmart.rest2 import DEFAULT_URL as REST2_URL
from nnbench.datasets.votesmart.rest2 import Rest2Api
from nnbench.datasets.votesmart.transport import Secrets, Transport
from nnbench.errors import ConfigError, CredentialsError

#: each API's class, by the name ``--api`` and the manifest give it
API_CLASSES: dict[str, type[ClassicApi] | type[Rest2Api]] = {
    "classic": ClassicApi,
    "rest2": Rest2Api,
}


@dataclass(frozen=True)
class Credentials:
    """What a user holds for either API; the repr shows which are set, never their values."""

    api_key: str | None = None
    email: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], api_key: str | None = None) -> Credentials:
        """The credentials in ``env``; ``api_key`` (``--api-key``) wins over the variable."""
        return cls(
            api_key=api_key or env.get(API_KEY_ENV) or None,
            email=env.get(EMAIL_ENV) or None,
            password=env.get(PASSWORD_ENV) or None,
            token=env.get(TOKEN_ENV) or None,
        )

    @property
    def for_classic(self) -> bool:
        return bool(self.api_key)

    @property
    def for_rest2(self) -> bool:
        return bool(self.token or (self.email and self.password))

    def secrets(self) -> Secrets:
        """Every credential, to be masked in messages."""
        return Secrets(self.api_key, self.email, self.password, self.token)

    def __repr__(self) -> str:
        held = [name for name in ("api_key", "email", "password", "token") if getattr(self, name)]
        return f"Credentials(set: {', '.join(held) or 'none'})"


def choose_api(credentials: Credentials, forced: str | None = None) -> str:
    """``forced`` when its credentials are there; else REST API 2.0 when its credentials are
    there, else classic when a key is; CredentialsError when the needed ones are missing."""
    if forced not in (None, *APIS):
        raise ConfigError(f"--api must be one of {', '.join(APIS)}, not {forced!r}.")
    prefer_rest2 = credentials.for_rest2 or not credentials.for_classic
    name = forced or ("rest2" if prefer_rest2 else "classic")
    if name == "classic":
        if credentials.for_classic:
            return name
        raise CredentialsError(f"--api classic needs a key: set {API_KEY_ENV} or pass --api-key.")
    if credentials.for_rest2:
        return name
    if credentials.email or credentials.password:
        given, missing = (
            (EMAIL_ENV, PASSWORD_ENV) if credentials.email else (PASSWORD_ENV, EMAIL_ENV)
        )
        raise CredentialsError(f"{given} is set but {missing} is not; REST API 2.0 needs both.")
    if forced:
        raise CredentialsError(f"--api rest2 needs {EMAIL_ENV} and {PASSWORD_ENV}, or {TOKEN_ENV}.")
    raise CredentialsError(f"No Vote Smart credentials. {HOW_TO_SET}")


def open_api(
    name: str, credentials: Credentials, api_url: str | None, transport: Transport
) -> VoteSmartApi:
    """The API ``name`` (from :func:`choose_api`) at ``api_url`` (its public root by default)."""
    if name == "classic":
        return ClassicApi(api_url or CLASSIC_URL, transport, credentials.api_key or "")
    return Rest2Api(
        api_url or REST2_URL,
        transport,
        email=credentials.email,
        password=credentials.password,
        token=credentials.token,
    )
