"""Cell keys and the longest-first order."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.datasets import get_dataset
from nnbench.datasets.folder import write_folder
from nnbench.execute.schedule import UNKNOWN_COST_S, estimated_cost, longest_first
from nnbench.plan import Cell, build_cells
from nnbench.suite import DEFAULT_SUITE, load_suite
from tests.conftest import tiny_images
from tests.execute.common import WORKER_MODELS


def test_costs_scale_with_epochs_iterations_and_subset():
    assert estimated_cost(Cell("mnist", "cnn")) == 89.0
    assert estimated_cost(Cell("mnist", "cnn", overrides={"epochs": 2})) == pytest.approx(35.6)
    assert estimated_cost(Cell("mnist", "lasso_logit", params={"max_iter": 60})) == 116.0
    assert estimated_cost(Cell("mnist", "naive_bayes", subset=6000)) == pytest.approx(0.2)
    assert estimated_cost(Cell("mnist", f"{WORKER_MODELS}:DiesOnce")) == UNKNOWN_COST_S
    assert estimated_cost(Cell("mnist", "cnn", skip="no GPU")) == 0.0


def test_the_longest_cells_go_first_and_equal_ones_keep_the_plan_order():
    cells = build_cells(load_suite(DEFAULT_SUITE), ["mnist"], seeds=[0, 1])
    assert [(cells[i].model, cells[i].seed) for i, _ in longest_first(cells)] == [
        ("cnn", 0),
        ("cnn", 1),
        ("lasso_logit", 0),
        ("lasso_logit", 1),
        ("dense_nn", 0),
        ("dense_nn", 1),
        ("naive_bayes", 0),
        ("naive_bayes", 1),
    ]


def test_a_cell_key_changes_with_the_data_and_with_nnbench(tmp_path: Path, monkeypatch):
    folder = write_folder(tmp_path / "imgs", tiny_images(1))
    suite = load_suite(DEFAULT_SUITE)

    def key() -> str:
        [cell] = build_cells(suite, [f"folder:{folder}"], ["naive_bayes"], data_dir=tmp_path)
        return cell.cell_id

    first = key()
    get_dataset(f"folder:{folder}").load(tmp_path)  # writes its cache into the folder
    assert key() == first  # the same data, the same key
    image = next((folder / "train").rglob("*.png"))
    (image.parent / "extra.png").write_bytes(image.read_bytes())  # one more training image
    changed = key()
    assert changed != first
    monkeypatch.setattr("nnbench.plan.__version__", "99.0")
    assert key() != changed


def test_mnist_keys_hold_its_checksums_without_reading_it(tmp_path: Path):
    [cell] = build_cells(load_suite(DEFAULT_SUITE), ["mnist"], ["cnn"], data_dir=tmp_path)
    assert cell.data_fingerprint == "a76fded12c0fba3c"


def test_iterations_scale_the_cost_only_within_the_default_algorithm():
    saga = Cell("mnist", "lasso_logit", params={"max_iter": 60})
    fista = Cell("mnist", "lasso_logit", params={"solver": "fista", "max_iter": 2000})
    registered = estimated_cost(Cell("mnist", "lasso_logit"))
    assert estimated_cost(saga) == pytest.approx(2 * registered)
    assert estimated_cost(fista) == pytest.approx(registered)  # not 67 times saga's 30 passes
