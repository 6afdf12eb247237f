"""The README opens with the two set-up commands, and CI runs the second one verbatim."""

from __future__ import annotations

import shlex

import pytest

from nnbench.cli import build_parser
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


def test_the_readme_workflow_runs_commands_nnbench_accepts():
    readme = (REPO / "README.md").read_text()
    workflow = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    commands = [
        line.split("run: ", 1)[1]
        for line in workflow.splitlines()
        if "run: python -m nnbench" in line
    ]
    verbs = []
    for command in commands:
        words = shlex.split(command)
        assert words[:3] == ["python", "-m", "nnbench"]
        verbs.append(build_parser().parse_args(words[3:]).verb)
    assert verbs == ["data", "all", "check", "all", "baseline"]
    assert "--junit results/runs/ci/junit.xml" in workflow
    assert "report_paths: results/runs/ci/junit.xml" in workflow


def reports_section() -> str:
    readme = (REPO / "README.md").read_text()
    return readme.split("\n## Reports\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_report_commands_parse():
    block = reports_section().split("```bash\n", 1)[1].split("```", 1)[0]
    for line in block.splitlines():
        words = shlex.split(line)
        assert words[:4] == ["python", "-m", "nnbench", "report"]
        assert build_parser().parse_args(words[3:]).verb == "report"


def test_the_readme_pandas_example_runs(tmp_path, capsys):
    from nnbench.results import write_result
    from tests.report.sample import sample_results

    for index, result in enumerate(sample_results()):
        write_result({**result, "cell_id": f"c{index}", "cell_index": index}, tmp_path)
    example = reports_section().split("```python\n", 1)[1].split("```", 1)[0]
    exec(example.replace("results/runs/report-mnist-3seeds", str(tmp_path)), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["mean", "std", "count"] and printed[1].split() == ["model"]
    rows = {line.split()[0]: [float(value) for value in line.split()[1:]] for line in printed[2:]}
    # naive Bayes ran on both of the sample's datasets (0.75 and 0.84), the dense net twice
    assert rows == {
        "naive_bayes": [pytest.approx(0.795), pytest.approx(0.0636396, rel=1e-5), 2],
        "dense_nn": [pytest.approx(0.9), 0.0, 2],
    }
