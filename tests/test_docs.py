"""The README and docs/: the two commands, every nnbench command they show parses, and the
blocks marked as runnable run."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from nnbench.cli import build_parser
from tests.conftest import REPO

RUN_COMMAND = "pip install -e . && python -m nnbench all"
TEST_COMMAND = "pip install -e '.[test]' && pytest"
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
#: a fenced block whose previous line is this marker runs in these tests
RUNS = "<!-- runs in tests/test_docs.py -->"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(path: Path, language: str) -> list[tuple[str, bool]]:
    """Every fenced block of ``language`` in ``path``, and whether it is marked runnable."""
    text = path.read_text()
    found = []
    for match in FENCE.finditer(text):
        if match.group(1) == language:
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            found.append((match.group(2), before == RUNS))
    return found


def nnbench_commands(block: str) -> list[list[str]]:
    """The nnbench commands of a shell block, as words after ``nnbench``."""
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line.split(" #", 1)[0]) if line.strip() else []
        if words[:3] == ["python", "-m", "nnbench"]:
            commands.append(words[3:])
        elif words[:1] == ["nnbench"]:
            commands.append(words[1:])
    return commands


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


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_every_nnbench_command_in_the_docs_parses(path: Path):
    commands = [command for block, _ in blocks(path, "bash") for command in nnbench_commands(block)]
    for command in commands:
        assert build_parser().parse_args(command).verb, command


def test_the_docs_show_commands_of_every_verb():
    verbs = {
        build_parser().parse_args(command).verb
        for path in DOCS
        for block, _ in blocks(path, "bash")
        for command in nnbench_commands(block)
    }
    assert verbs == {
        "all",
        "run",
        "study",
        "data",
        "report",
        "baseline",
        "check",
        "compare",
        "history",
        "export",
    }


def test_the_ci_recipe_runs_commands_nnbench_accepts():
    workflow = (REPO / ".github" / "workflows" / "accuracy-gate.yml").read_text()
    commands = [
        line.split("run: ", 1)[1]
        for line in workflow.splitlines()
        if "run: python -m nnbench" in line
    ]
    verbs = [build_parser().parse_args(nnbench_commands(c)[0]).verb for c in commands]
    assert verbs == ["data", "all", "check", "all", "baseline"]
    assert "--junit results/runs/ci/junit.xml" in workflow
    assert "report_paths: results/runs/ci/junit.xml" in workflow


def test_the_pandas_example_runs(tmp_path, capsys):
    from nnbench.results import write_result
    from tests.report.sample import sample_results

    for index, result in enumerate(sample_results()):
        write_result({**result, "cell_id": f"c{index}", "cell_index": index}, tmp_path)
    example = blocks(REPO / "docs" / "reports.md", "python")[0][0]
    exec(example.replace("results/runs/baseline-mnist-cpu", str(tmp_path)), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["mean", "std", "count"] and printed[1].split() == ["model"]
    rows = {line.split()[0]: [float(value) for value in line.split()[1:]] for line in printed[2:]}
    # naive Bayes ran on both of the sample's datasets (0.75 and 0.84), the dense net twice
    assert rows == {
        "naive_bayes": [pytest.approx(0.795), pytest.approx(0.0636396, rel=1e-5), 2],
        "dense_nn": [pytest.approx(0.9), 0.0, 2],
    }


def runnable(language: str) -> list[tuple[Path, str]]:
    return [(path, block) for path in DOCS for block, runs in blocks(path, language) if runs]


def in_a_scratch_folder(tmp_path: Path, data_dir: Path) -> dict[str, str]:
    """A working folder like a clone's (``examples/`` in it), and the environment to run in:
    this Python first on PATH, MNIST where the tests keep it."""
    (tmp_path / "examples").symlink_to(REPO / "examples")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "NNBENCH_DATA": str(data_dir)}


@pytest.mark.slow
@pytest.mark.parametrize("path, block", runnable("bash"), ids=lambda value: str(value)[-40:])
def test_a_runnable_shell_block_runs_as_written(path, block, tmp_path, data_dir, mnist):
    env = in_a_scratch_folder(tmp_path, data_dir)
    for line in block.splitlines():
        done = subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{line}\n{done.stderr[-3000:]}"
        assert "| naive_bayes " in done.stdout or "| sklearn.ensemble:Random" in done.stdout
    assert len(list((tmp_path / "results" / "runs").iterdir())) == len(block.splitlines())


@pytest.mark.parametrize("path, block", runnable("python"), ids=lambda value: str(value)[-40:])
def test_a_runnable_python_block_runs_as_written(
    path, block, tmp_path, data_dir, monkeypatch, capsys
):
    in_a_scratch_folder(tmp_path, data_dir)
    monkeypatch.chdir(tmp_path)
    exec(block, {})
    assert capsys.readouterr().out.strip() == "check_same_seed_same_predictions"


def test_readme_sections_are_a_guide():
    readme = (REPO / "README.md").read_text()
    headings = [line for line in readme.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What it does",
        "## Concepts",
        "## Compare your own model",
        "## Bring your own data",
        "## Candidate photos",
        "## Running on several processes or a cluster",
        "## The lecture's other claims, as studies",
        "## Across commits, and into other tools",
        "## Speed",
        "## Commands",
        "## Documentation",
    ]


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_relative_links_lead_to_files_that_exist(path: Path):
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text())
    assert links or path.name == "gpu.md"
    for link in links:
        assert (path.parent / link).exists(), link
