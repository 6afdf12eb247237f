"""Installed plugins: models and datasets found through entry points, listed with where they
came from, and run like built-ins. A distribution's metadata on sys.path is all it takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnbench.cli import main
from nnbench.datasets import DATASETS
from nnbench.models import MODELS

PLUGIN = '''
import numpy as np
from nnbench.datasets import Dataset
from nnbench.models import Model
from nnbench.testing import synthetic_digits


class Majority(Model):
    """Predicts the commonest training class."""

    def __init__(self, seed=0):
        self.seed = seed

    def fit(self, x, y, *, n_classes, monitor=None):
        self.label_ = int(np.bincount(y, minlength=n_classes).argmax())
        self.history_, self.info_ = [], {}
        return self

    def predict(self, x):
        return np.full(len(x), self.label_)

    def n_params(self):
        return 1


class Bars(Dataset):
    """Synthetic bars."""

    synthetic = True

    def read(self, data_dir, limit, image_size):
        return synthetic_digits().subset(limit)
'''


def install_plugin(root: Path) -> Path:
    """A plugin distribution, as pip would leave it, in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "demo_plugin.py").write_text(PLUGIN)
    info = root / "nnbench_demo_plugin-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: nnbench-demo-plugin\nVersion: 1.2\n"
    )
    (info / "entry_points.txt").write_text(
        "[nnbench.models]\nmajority = demo_plugin:Majority\nnaive_bayes = demo_plugin:Majority\n\n"
        "[nnbench.datasets]\nbars = demo_plugin:Bars\n"
    )
    return root


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = install_plugin(tmp_path / "site")
    monkeypatch.syspath_prepend(str(root))
    return root


def test_plugins_are_found_without_being_imported(plugin: Path):
    assert MODELS.names() == ["naive_bayes", "lasso_logit", "dense_nn", "cnn", "majority"]
    assert "bars" in DATASETS and "demo_plugin" not in sys.modules
    entry = MODELS.entry("majority")
    assert (entry.target, entry.origin) == (
        "demo_plugin:Majority",
        "plugin nnbench-demo-plugin 1.2",
    )
    assert MODELS.entry("naive_bayes").origin == "built-in"  # a built-in name wins


@pytest.mark.slow
def test_a_plugin_model_runs_on_a_plugin_dataset_and_records_its_origin(
    plugin: Path, tmp_path: Path, capsys
):
    out = tmp_path / "run"
    argv = ["run", "--model", "majority,naive_bayes", "--dataset", "bars", "--out", str(out)]
    assert main([*argv, "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "## bars (synthetic data)" in printed and "| majority " in printed
    results = {r["model"]: r for r in map(json.loads, map(Path.read_text, out.glob("*.json")))}
    assert results["majority"]["model_origin"] == {
        "kind": "entry point",
        "reference": "majority",
        "target": "demo_plugin:Majority",
        "from": "plugin nnbench-demo-plugin 1.2",
        "code": "plugin nnbench-demo-plugin 1.2",
        "adapter": "model",
    }
    assert results["majority"]["metrics"]["test"]["accuracy"] == pytest.approx(1 / 3)
    assert results["naive_bayes"]["data"]["synthetic"] is True


def test_nnbench_list_shows_plugins_with_where_they_came_from(tmp_path: Path):
    root = install_plugin(tmp_path / "site")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "nnbench", "list"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert any(
        line.split()
        == ["majority", "from", "plugin", "nnbench-demo-plugin", "1.2", "(demo_plugin:Majority)"]
        for line in lines
    )
    assert any(line.split()[:2] == ["bars", "from"] for line in lines)
