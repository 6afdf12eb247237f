"""The README opens with the two set-up commands, and CI runs the second one verbatim."""

from __future__ import annotations

from tests.conftest import REPO

RUN_COMMAND = "pip install -e . && python -m nnbench all"
TEST_COMMAND = "pip install -e '.[test]' && pytest"


def test_readme_opens_with_the_two_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    block_start = lines.index("```bash")
    assert all(not line.startswith("```") for line in lines[:block_start])
    assert lines[block_start + 1 : block_start + 4] == [RUN_COMMAND, TEST_COMMAND, "```"]


def test_ci_runs_the_readmes_test_command():
    script = (REPO / ".ci" / "run").read_text().splitlines()
    assert TEST_COMMAND in script


def test_ci_checks_the_mnist_run_against_the_committed_baseline():
    script = (REPO / ".ci" / "run").read_text()
    assert 'python -m nnbench all --dataset mnist --out "$run_dir"' in script
    assert (
        'python -m nnbench check "$run_dir" --baseline results/baselines/mnist-cpu.json' in script
    )
