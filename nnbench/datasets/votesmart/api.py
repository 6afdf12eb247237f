"""What the builder needs from either Vote Smart API, and the errors an API call can end in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from nnbench.datasets.votesmart.transport import FetchError, Transport


class ApiError(FetchError):
    """An answer that is an error message from the API, e.g. an unknown parameter."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(f"API error: {message}", url, status)
        self.message = message


@dataclass(frozen=True)
class Bio:
    """What a candidate's bio says, as given: the gender and the photo URL, not yet checked."""

    gender: Any
    photo: Any


class VoteSmartApi(Protocol):
    """One Vote Smart API. Listings return ids as strings, [] when the API says it found
    nothing, and raise ApiError or FetchError otherwise; rejected credentials raise
    CredentialsError."""

    name: str  # "classic" or "rest2", as the manifest records it
    url: str  # the API root
    #: the endpoint of each kind of call ("states", "elections", "by_election",
    #: "by_office_state", "bio"), as the manifest names it
    endpoints: dict[str, str]
    transport: Transport

    def state_ids(self) -> list[str]: ...

    def election_ids(self, year: int, state: str) -> list[str]: ...

    def candidates_by_election(self, election_id: str) -> list[str]: ...

    def candidates_by_office_state(self, office: str, state: str) -> list[str]: ...

    def bio(self, candidate_id: str) -> Bio: ...


def id_text(value: Any) -> str:
    """An id as text: "48307" for "48307" or 48307; "" for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value).strip()
