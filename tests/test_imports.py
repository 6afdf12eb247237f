"""No import cycles among nnbench's modules, counting imports inside functions: data flows one
way (docs/development.md). `pytest tests/test_imports.py` is the check."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nnbench"


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The dotted names one import statement may load, relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module's nnbench imports, anywhere in it. A module importing its own parent package
    is left out: the package's ``__init__`` importing its children is not a cycle of concern."""
    files = {module_name(path, package): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text())):
            for target in imported_names(node, name, path.name == "__init__.py"):
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle in ``graph``, or [] when there is none."""
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return list(error.args[1])
    return []


def test_nnbench_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 100  # every module was read
    assert cycle_in(graph) == []


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    package = tmp_path / "nnbench"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from nnbench.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from nnbench import a\n    return a\n")
    cycle = cycle_in(import_graph(package))
    assert set(cycle) == {"nnbench.a", "nnbench.b"}


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from . import sibling", ["nnbench.pkg", "nnbench.pkg.sibling"]),
        ("from ..other import name", ["nnbench.other", "nnbench.other.name"]),
        ("import nnbench.pkg.sibling", ["nnbench.pkg.sibling"]),
    ],
)
def test_relative_imports_resolve_from_the_module(source, expected):
    node = ast.parse(source).body[0]
    assert imported_names(node, "nnbench.pkg.module", is_package=False) == expected
