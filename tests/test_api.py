"""docs/api.md and the code agree: each module it presents declares exactly the names the doc
lists in ``__all__``, and each of them exists."""

from __future__ import annotations

import importlib
import re

import pytest

from tests.conftest import REPO

API = (REPO / "docs" / "api.md").read_text()
#: a section presenting a module: "## Anything: `nnbench.module`"
SECTION = re.compile(r"^## [^\n]*`(nnbench[\w.]*)`\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
#: a row of a section's table: its first cell names one public name, with or without a signature
ROW = re.compile(r"^\| `(\w+)[^`]*` \|", re.MULTILINE)


def documented() -> dict[str, list[str]]:
    """Each module docs/api.md presents, with the names its tables list."""
    return {match[1]: ROW.findall(match[2]) for match in SECTION.finditer(API)}


def test_the_doc_presents_the_stable_modules():
    assert {
        "nnbench.results",
        "nnbench.testing",
        "nnbench.models",
        "nnbench.datasets",
        "nnbench.errors",
    } <= set(documented())


@pytest.mark.parametrize("module_name", sorted(documented()))
def test_all_matches_the_doc(module_name):
    module = importlib.import_module(module_name)
    names = documented()[module_name]
    assert len(names) == len(set(names)), "a name is listed twice"
    assert sorted(module.__all__) == sorted(names)
    assert all(hasattr(module, name) for name in module.__all__)


def test_the_entry_point_groups_are_the_registries():
    from nnbench.datasets import DATASETS
    from nnbench.models import MODELS

    for group in (MODELS.group, DATASETS.group):
        assert f'[project.entry-points."{group}"]' in API
