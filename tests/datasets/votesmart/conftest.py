"""The fake Vote Smart APIs, served on 127.0.0.1: ``classic_api``, ``rest2_api``, and ``api``,
which is each in turn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.datasets.votesmart.fakes import World, serve
from tests.datasets.votesmart.inferred import Rest2Fake
from tests.datasets.votesmart.recorded import ClassicFake


@pytest.fixture
def classic_api() -> Iterator[ClassicFake]:
    with serve(ClassicFake()) as fake:
        yield fake


@pytest.fixture
def rest2_api() -> Iterator[Rest2Fake]:
    with serve(Rest2Fake()) as fake:
        yield fake


@pytest.fixture(params=["classic", "rest2"])
def api(request: pytest.FixtureRequest) -> Iterator[World]:
    with serve(ClassicFake() if request.param == "classic" else Rest2Fake()) as fake:
        yield fake
