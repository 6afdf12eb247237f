"""Cells and the runner: parameters, overrides, failures recorded, results written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from nnbench import runner
from nnbench.errors import ConfigError
from nnbench.files import sha256_file
from nnbench.models.naive_bayes import NaiveBayes
from nnbench.plan import Cell, build_cells, make_model
from nnbench.results import read_run
from nnbench.runner import default_run_dir, run_cells
from nnbench.suite import DEFAULT_SUITE, load_suite
from tests.conftest import REPO, tiny_images

EXPLODING = "tests.test_runner:ExplodingModel"


class ExplodingModel(NaiveBayes):
    """A model whose fit always raises."""

    def fit(self, x, y, **kwargs):
        raise RuntimeError("out of coffee")


class ChoosyModel(NaiveBayes):
    """A model that finds its configuration wrong only when it sees the data."""

    def fit(self, x, y, **kwargs):
        raise ConfigError("threshold 300 is above the largest pixel value, 255")


def test_cells_take_suite_parameters_and_seeds():
    cells = build_cells(load_suite(DEFAULT_SUITE), ["mnist"], ["lasso_logit", "cnn"], seeds=[0, 1])
    assert [(c.model, c.seed) for c in cells] == [
        ("lasso_logit", 0),
        ("lasso_logit", 1),
        ("cnn", 0),
        ("cnn", 1),
    ]
    assert cells[0].params == {"C": 0.1, "solver": "fista", "tol": 0.0001, "max_iter": 2000}


def test_cell_ids_are_stable_and_distinct():
    a = Cell("mnist", "cnn", 0, {"epochs": 1})
    assert a.cell_id == Cell("mnist", "cnn", 0, {"epochs": 1}).cell_id
    assert (
        a == Cell("mnist", "cnn", 0, {"epochs": 1})
        and len({a, Cell("mnist", "cnn", 0, {"epochs": 1})}) == 1
    )
    assert a.cell_id != Cell("mnist", "cnn", 1, {"epochs": 1}).cell_id
    assert a.cell_id != Cell("mnist", "cnn", 0, {"epochs": 2}).cell_id


def test_repeated_names_and_seeds_run_once():
    cells = build_cells(load_suite(DEFAULT_SUITE), ["mnist", "mnist"], ["cnn", "cnn"], seeds=[1, 1])
    assert [(c.dataset, c.model, c.seed) for c in cells] == [("mnist", "cnn", 1)]


def test_epochs_override_applies_only_to_models_with_epochs():
    assert (
        make_model(
            Cell("mnist", "dense_nn", params={"epochs": 5}, overrides={"epochs": 1})
        ).training.epochs
        == 1
    )
    assert make_model(Cell("mnist", "naive_bayes", overrides={"epochs": 1})).get_params() == {
        "variant": "multinomial"
    }


def test_unknown_names_fail_before_anything_runs():
    suite = load_suite(DEFAULT_SUITE)
    with pytest.raises(KeyError, match="Unknown model 'nosuch'.*Or name your own model"):
        build_cells(suite, ["mnist"], ["nosuch"])
    with pytest.raises(KeyError, match="Unknown dataset 'mnits'. Did you mean 'mnist'"):
        build_cells(suite, ["mnits"], ["cnn"])


def test_failed_model_is_recorded_and_the_others_finish(tmp_path: Path, small_idx_folder: Path):
    dataset = f"idx:{small_idx_folder}"
    cells = [Cell(dataset, EXPLODING), Cell(dataset, "naive_bayes")]
    results = run_cells(cells, tmp_path / "data", tmp_path / "run")
    assert [r["status"] for r in results] == ["failed", "ok"]
    assert results[0]["error"] == "RuntimeError: out of coffee"
    assert results[0]["error_kind"] == "model"
    assert results[0]["model_origin"] == {
        "kind": "module",
        "reference": EXPLODING,
        "sha256": sha256_file(REPO / "tests" / "test_runner.py"),  # no distribution has it
        "adapter": "model",
        "code": None,  # a cell made by hand, not planned: its key holds no code
    }
    assert "out of coffee" in results[0]["traceback"]
    assert results[0]["metrics"] == {} and results[0]["n_params"] is None
    stored = read_run(tmp_path / "run")
    assert [r["model"] for r in stored] == [EXPLODING, "naive_bayes"]
    ok = stored[1]
    assert ok["metrics"]["test"]["n"] == 500 and ok["metrics"]["train"]["n"] == 2000
    assert len(ok["metrics"]["test"]["per_class"]) == 10
    assert ok["metrics"]["test"]["accuracy"] > 0.6
    assert ok["env"]["device"] == "cpu" and ok["env"]["cores"] >= 1
    assert {
        "python",
        "numpy",
        "sklearn",
        "tensorflow",
        "keras",
        "keras_backend",
        "device",
        "cpu",
        "cores",
        "git_commit",
        "started_at",
    } <= set(ok["env"])
    assert ok["data"]["synthetic"] is False


def test_bad_parameters_stop_the_run_before_training(tmp_path: Path, small_idx_folder: Path):
    cells = [
        Cell(f"idx:{small_idx_folder}", "naive_bayes"),
        Cell(f"idx:{small_idx_folder}", "lasso_logit", params={"alpha": 1}),
    ]
    with pytest.raises(ConfigError, match="'lasso_logit' has no parameter 'alpha'"):
        run_cells(cells, tmp_path, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_run_folder_with_results_is_not_reused(tmp_path: Path, small_idx_folder: Path):
    cells = [Cell(f"idx:{small_idx_folder}", "naive_bayes")]
    run_cells(cells, tmp_path, tmp_path / "run")
    with pytest.raises(ConfigError, match="already holds result files"):
        run_cells(cells, tmp_path, tmp_path / "run")
    assert len(list((tmp_path / "run").glob("*.json"))) == 1


def test_suite_skips_apply_unless_the_model_is_named():
    suite = load_suite(DEFAULT_SUITE)
    by_default = {c.model: c.skip for c in build_cells(suite, ["candidates"])}
    assert "6.4 GB" in by_default["lasso_logit"]
    assert by_default["cnn"] is None
    named = build_cells(suite, ["candidates"], ["lasso_logit"])
    assert [c.skip for c in named] == [None]
    assert [c.dataset for c in build_cells(suite)] == ["mnist"] * 4 + ["candidates"] * 4


def test_skipped_and_unavailable_cells_are_recorded_with_reasons(
    tmp_path: Path, small_idx_folder: Path
):
    cells = [
        Cell(f"idx:{small_idx_folder}", "lasso_logit", skip="too slow for this test"),
        Cell(f"idx:{small_idx_folder}", "naive_bayes", subset=300),
        Cell("candidates", "naive_bayes"),
    ]
    results = run_cells(cells, tmp_path / "data", tmp_path / "run")
    assert [r["status"] for r in results] == ["skipped", "ok", "skipped"]
    assert results[0]["skip_reason"] == "too slow for this test"
    assert results[0]["metrics"] == {} and results[0]["data"]["synthetic"] is False
    assert results[1]["metrics"]["train"]["n"] == 300 and results[1]["data"]["subset"] == 300
    assert "No candidate photos at" in results[2]["skip_reason"]
    assert "nnbench data build candidates" in results[2]["skip_reason"]
    assert "docs/data.md#candidate-photos" in results[2]["skip_reason"]
    assert [r["status"] for r in read_run(tmp_path / "run")] == ["skipped", "ok", "skipped"]


def test_absent_data_is_the_reason_even_where_the_suite_skips_the_model(tmp_path: Path):
    cell = Cell("candidates", "lasso_logit", skip="costly on 44,550 inputs")
    [result] = run_cells([cell], tmp_path / "data", tmp_path / "run")
    assert result["status"] == "skipped"
    assert result["skip_reason"].startswith("No candidate photos at ")


def test_resume_reruns_a_cell_whose_data_changed_and_sets_its_old_result_aside(
    tmp_path: Path, capsys
):
    from nnbench.datasets.folder import write_folder

    folder = write_folder(tmp_path / "imgs", tiny_images(1))
    suite = load_suite(DEFAULT_SUITE)

    def plan() -> list[Cell]:
        dataset, data = [f"folder:{folder}"], tmp_path / "data"
        return build_cells(suite, dataset, ["naive_bayes"], seeds=[0, 1], data_dir=data)

    first = run_cells(plan(), tmp_path / "data", tmp_path / "run")
    first_image = sorted((folder / "train" / "a").iterdir())[0]
    (folder / "train" / "a" / "extra.png").write_bytes(first_image.read_bytes())
    capsys.readouterr()
    again = run_cells(plan(), tmp_path / "data", tmp_path / "run", resume=True)
    err = capsys.readouterr().err
    assert "nnbench: running 2 cells again, as the data (" in err
    assert f"their results: folder:{folder} · naive_bayes · seed 0; folder:" in err
    assert [r["data"]["n_train"] for r in again] == [31, 31]
    assert {r["cell_id"] for r in again}.isdisjoint(r["cell_id"] for r in first)
    assert [r["cell_id"] for r in read_run(tmp_path / "run")] == [r["cell_id"] for r in again]
    assert len(list((tmp_path / "run" / "superseded").glob("*.json"))) == 2


def test_a_dataset_that_fails_to_load_fails_its_cells_only(tmp_path: Path, small_idx_folder: Path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03truncated")
    cells = [
        Cell(f"idx:{broken}", "naive_bayes"),
        Cell(f"idx:{broken}", "lasso_logit"),
        Cell(f"idx:{small_idx_folder}", "naive_bayes", subset=200),
    ]
    results = run_cells(cells, tmp_path / "data", tmp_path / "run")
    assert [r["status"] for r in results] == ["failed", "failed", "ok"]
    assert results[0]["error"].startswith("DataError: ") and str(broken) in results[0]["error"]
    assert results[1]["error"] == results[0]["error"]
    assert [r.get("error_kind") for r in results] == ["data", "data", None]


def test_a_full_disk_while_loading_fails_that_dataset_only(
    tmp_path: Path, small_idx_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    from nnbench.datasets.folder import ImageFolder, write_folder

    def full_disk(self, data_dir, limit=None, image_size=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ImageFolder, "read", full_disk)
    images = write_folder(tmp_path / "images", tiny_images(1))
    cells = [
        Cell(f"folder:{images}", "naive_bayes"),
        Cell(f"idx:{small_idx_folder}", "naive_bayes"),
    ]
    results = run_cells(cells, tmp_path / "data", tmp_path / "run")
    assert [r["status"] for r in results] == ["failed", "ok"]
    assert results[0]["error"] == "OSError: [Errno 28] No space left on device"


def test_default_run_folders_of_one_second_do_not_collide(tmp_path: Path, monkeypatch):
    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 30, 16, 5, 9)

    monkeypatch.setattr(runner, "datetime", Frozen)
    made = []
    for _ in range(3):
        made.append(default_run_dir(tmp_path))
        made[-1].mkdir()
    assert [path.name for path in made] == [
        "20261130-160509",
        "20261130-160509-2",
        "20261130-160509-3",
    ]


def test_paths_named_on_the_command_line_are_spelled_one_way(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(REPO)
    cells = build_cells(
        load_suite(DEFAULT_SUITE),
        ["folder:./data/../data/imgs", f"idx:{tmp_path}"],
        ["./examples/my_models.py:NearestMean"],
    )
    assert [(c.dataset, c.model) for c in cells] == [
        ("folder:data/imgs", "examples/my_models.py:NearestMean"),
        (f"idx:{tmp_path}", "examples/my_models.py:NearestMean"),
    ]


def test_a_suites_paths_are_relative_to_its_folder(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suites").mkdir()
    suite = tmp_path / "suites" / "mine.toml"
    suite.write_text(
        '[suite]\nall = ["folder:../imgs"]\n[datasets."folder:../imgs"."../models.py:Net"]\n'
    )
    loaded = load_suite(suite)
    assert list(loaded.protocol) == ["folder:imgs"]
    assert [config.params for config in loaded.configs("folder:imgs", "models.py:Net")] == [{}]
    assert loaded.default_datasets == ("folder:imgs",)


class FlakyModel(NaiveBayes):
    """A model whose fit fails on its first ``FAILURES`` calls in this process, then works."""

    FAILURES = 2
    calls = 0

    def fit(self, x, y, **kwargs):
        type(self).calls += 1
        if type(self).calls <= self.FAILURES:
            raise RuntimeError(f"flaky, call {type(self).calls}")
        return super().fit(x, y, **kwargs)


@pytest.mark.parametrize(("retries", "status", "attempts"), [(2, "ok", 3), (1, "failed", 2)])
def test_retries_try_a_failing_model_again_and_record_the_attempts(
    retries, status, attempts, tmp_path: Path, small_idx_folder, monkeypatch
):
    monkeypatch.setattr(FlakyModel, "calls", 0)
    cells = [Cell(f"idx:{small_idx_folder}", "tests.test_runner:FlakyModel")]
    [result] = run_cells(cells, tmp_path, tmp_path / "run", retries=retries)
    assert (result["status"], result["attempts"], FlakyModel.calls) == (status, attempts, attempts)
    if status == "failed":  # stays visible as failed, with the last error
        assert result["error"] == "RuntimeError: flaky, call 2"
    assert read_run(tmp_path / "run")[0]["attempts"] == attempts


def test_bad_input_is_not_retried(tmp_path: Path, small_idx_folder):
    cells = [Cell(f"idx:{small_idx_folder}", "tests.test_runner:ChoosyModel")]
    [result] = run_cells(cells, tmp_path, tmp_path / "run", retries=3)
    assert (result["error_kind"], result["attempts"]) == ("config", 1)


def test_the_writer_updates_the_folders_index_when_it_is_due(tmp_path: Path, monkeypatch):
    from nnbench.execute.base import Task
    from nnbench.results_index import read_index
    from nnbench.synthetic_results import SyntheticCell, synthetic_result

    def task(index: int) -> Task:
        return Task(index, Cell("synthetic-digits", "dense_nn", index), f"[{index}]", "data")

    writer = runner.ResultWriter(tmp_path, "a-study", {})  # due in a minute: not yet
    writer.write(task(0), synthetic_result(SyntheticCell(seed=0)))
    assert read_index(tmp_path) is None
    monkeypatch.setattr(runner, "INDEX_EVERY_S", 0.0)
    writer = runner.ResultWriter(tmp_path, "a-study", {})
    writer.write(task(1), synthetic_result(SyntheticCell(seed=1)))
    index = read_index(tmp_path)
    assert index is not None and len(index.manifest) == 2  # both files, the first one too
    assert index.manifest["cell_index"].tolist() == [0, 1]
    assert [result["study"] for result in read_run(tmp_path)] == ["a-study", "a-study"]
