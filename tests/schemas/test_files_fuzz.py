"""Hypothesis fuzzing of the files nnbench reads back: random mutations of a real result file and
a real baseline file. Every verb that reads them ends with exit 0 (or 1, a regression, for the
gate), or exit 2 with a message naming the file, and never with a traceback."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbench.cli import main
from nnbench.datasets.folder import write_folder
from nnbench.errors import ResultFileError
from nnbench.gate import read_baseline
from nnbench.results import load, read_predictions
from tests.conftest import tiny_images

#: any value a JSON file can hold, numbers beyond int64 and NaN among them
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real run of naive Bayes and a 1-epoch dense net, and a baseline made from it."""
    root = tmp_path_factory.mktemp("fuzz")
    data = "folder:" + str(write_folder(root / "imgs", tiny_images(1)))
    out, baseline = root / "run", root / "baseline.json"
    argv = ["run", "--model", "naive_bayes,dense_nn", "--dataset", data, "--epochs", "1"]
    assert main([*argv, "--out", str(out)]) == 0
    assert main(["baseline", str(out), "--out", str(baseline)]) == 0
    return out, baseline


def paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """The path of every value inside ``node``, the root's children first."""
    if isinstance(node, (dict, list)):
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            yield (*prefix, key)
            yield from paths(child, (*prefix, key))


@st.composite
def mutated(draw: st.DrawFn, document: dict) -> dict:
    """``document`` with one to three values replaced by random JSON or deleted."""
    changed = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        found = list(paths(changed))
        if not found:
            break
        *parents, last = draw(st.sampled_from(found))
        target = changed
        for key in parents:
            target = target[key]
        if draw(st.booleans()):
            target[last] = draw(JSON_VALUES)
        else:
            del target[last]
    return changed


def exit_code(argv: list[str], capsys) -> int:
    """``main(argv)``'s exit code; a message comes with exit 2, and no traceback ever does."""
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code == 2:
        assert "nnbench: error: " in err
    return code


def result_file(run_dir: Path, model: str) -> Path:
    [path] = run_dir.glob(f"*__{model}__seed0__*.json")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("model", ["naive_bayes", "dense_nn"])
@settings(max_examples=60)  # three verbs per example
@given(data=st.data())
def test_a_mutated_result_file_is_read_or_named(run, model, data, capsys):
    good_run, baseline = run
    document = json.loads(result_file(good_run, model).read_text())
    with tempfile.TemporaryDirectory() as folder:
        run_dir = Path(folder) / "run"
        shutil.copytree(good_run, run_dir)
        path = result_file(run_dir, model)
        path.write_text(json.dumps(data.draw(mutated(document))))
        codes = {
            exit_code(["baseline", str(run_dir), "--out", f"{folder}/b.json"], capsys),
            exit_code(["check", str(run_dir), "--baseline", str(baseline)], capsys),
        }
        report = exit_code(["report", str(run_dir), "--format", "md", "--target", "0.5"], capsys)
        if codes == {2} and report == 2:
            return
        if report == 2 and codes <= {0, 1}:
            # only the report reads the per-image predictions: a record that no longer matches
            # its sidecar file is refused there, and only there
            with pytest.raises(ResultFileError, match="predictions"):
                read_predictions(run_dir, json.loads(path.read_text()))
            return
        codes.add(report)
        table = load(run_dir)  # what was accepted is within its declared ranges
    assert codes <= {0, 1}
    assert table.seed.between(0, 2**32 - 1).all()
    assert table.accuracy.dropna().between(0, 1).all()
    assert (table.fit_s.dropna() >= 0).all() and (table.n_images.dropna() >= 0).all()


@pytest.mark.slow
@given(data=st.data())
def test_a_mutated_baseline_file_is_read_or_named(run, data, capsys):
    good_run, baseline = run
    document = json.loads(baseline.read_text())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "baseline.json"
        path.write_text(json.dumps(data.draw(mutated(document))))
        code = exit_code(["check", str(good_run), "--baseline", str(path)], capsys)
        if code == 2:
            return
        accepted = read_baseline(path)  # what check compared against is within its ranges
    assert code in (0, 1)
    for cell in accepted["cells"]:
        assert 0 <= cell["test_accuracy"]["mean"] <= 1 and cell["test_accuracy"]["n"] >= 1
        assert all(0 <= seed < 2**32 for seed in cell["seeds"])
