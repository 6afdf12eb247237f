"""Which candidates a build asks about: a :class:`BuildScope` listed through either API.

``years`` gives every candidate of every election that the API lists for each year and state;
``offices`` gives the candidates of each office in each state (the API's default year). With
both, the union; each candidate once. A listing call that still fails after the retries, or that
answers an API error other than "nothing found", stops the build before it writes anything: a
partial listing would pass for a smaller dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nnbench.datasets.candidates_format import CANDIDATE_ID
from nnbench.datasets.votesmart.api import ApiError, VoteSmartApi
from nnbench.datasets.votesmart.transport import FetchError
from nnbench.errors import DataUnavailableError

SCOPE_FIELDS = ("states", "years", "offices")
SCOPE_HINT = "Check --state (two-letter ids such as VT), --year and --office"


@dataclass(frozen=True)
class BuildScope:
    """Which candidates to list."""

    states: tuple[str, ...] | None = None  # two-letter state ids; None = every state
    years: tuple[int, ...] = ()  # election years: every election of the year, every candidate
    offices: tuple[str, ...] = ()  # office ids: the candidates for the office in each state


def scope_record(scope: BuildScope) -> dict[str, Any]:
    """``scope`` as the manifest records it (its ``SCOPE_FIELDS``)."""
    states = None if scope.states is None else [state.upper() for state in scope.states]
    return {"states": states, "years": list(scope.years), "offices": list(scope.offices)}


def endpoints_called(endpoints: dict[str, str], scopes: list[dict[str, Any]]) -> list[str]:
    """Which of an API's ``endpoints`` builds of ``scopes`` (manifest records) call, in call
    order."""
    called = {
        "states": any(scope["states"] is None for scope in scopes),
        "elections": any(scope["years"] for scope in scopes),
        "by_election": any(scope["years"] for scope in scopes),
        "by_office_state": any(scope["offices"] for scope in scopes),
        "bio": True,
    }
    return [endpoints[kind] for kind, used in called.items() if used]


def list_or_stop(call: Callable[..., list[str]], *args: Any) -> list[str]:
    """``call(*args)``, a listing; a failure is DataUnavailableError, which stops the build."""
    try:
        return call(*args)
    except ApiError as exc:
        raise DataUnavailableError(
            f"Cannot list candidates: {exc.url} answered the API error {exc.message!r}. "
            f"{SCOPE_HINT}, and that --api-url is the Vote Smart API, then run the build again; "
            "nothing was written."
        ) from None
    except FetchError as exc:
        raise DataUnavailableError(
            f"Cannot list candidates: {exc.url} failed: {exc.reason}. "
            "Check the network connection and --api-url, then run the build again."
        ) from None


def list_candidates(api: VoteSmartApi, scope: BuildScope) -> list[str]:
    """The ids of every candidate in ``scope``, each once, in the order found; ids that could
    not be file names (:data:`~nnbench.datasets.candidates_format.CANDIDATE_ID`) are left out."""
    if scope.states is None:
        states = [state for state in list_or_stop(api.state_ids) if state]
    else:
        states = [state.upper() for state in scope.states]
    election_ids: dict[str, None] = {}
    for year in scope.years:
        for state in states:
            election_ids.update(dict.fromkeys(list_or_stop(api.election_ids, year, state)))
    found: list[str] = []
    for election_id in filter(None, election_ids):
        found += list_or_stop(api.candidates_by_election, election_id)
    for office in scope.offices:
        for state in states:
            found += list_or_stop(api.candidates_by_office_state, office, state)
    return list(dict.fromkeys(cid for cid in found if CANDIDATE_ID.fullmatch(cid)))
