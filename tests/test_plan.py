"""The plan: a model's own parameters (``REF[KEY=VALUE]``), ``--param`` for every model, and
the cell's key, which holds the model's code."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import pytest

from nnbench import __version__
from nnbench.errors import ConfigError
from nnbench.options import model_names
from nnbench.plan import Cell, build_cells
from nnbench.suite import DEFAULT_SUITE, load_suite

KNN = "sklearn.neighbors:KNeighborsClassifier"


@pytest.fixture(scope="module")
def suite():
    return load_suite(DEFAULT_SUITE)


def test_a_model_s_own_parameters_go_to_it_alone_and_label_its_cells(suite):
    cells = build_cells(
        suite, ["mnist"], [f"{KNN}[n_neighbors=3, weights=distance]", "naive_bayes"]
    )
    knn, bayes = cells
    assert (knn.model, knn.params) == (KNN, {"n_neighbors": 3, "weights": "distance"})
    assert knn.variant == 'n_neighbors=3, weights="distance"'
    assert knn.label() == f'mnist · {KNN} [n_neighbors=3, weights="distance"] · seed 0'
    assert (bayes.params, bayes.variant) == ({"variant": "multinomial"}, None)


def test_own_parameters_go_over_param_and_the_suite_and_join_the_suite_s_label(suite):
    [cell] = build_cells(
        suite, ["mnist"], ["dense_nn[epochs=2, learning_rate=0.01]"], params={"epochs": 3}
    )
    assert cell.params == {
        "hidden_units": [128, 128, 128],
        "epochs": 2,
        "batch_size": 100,
        "learning_rate": 0.01,
    }
    assert cell.variant == "epochs=2, learning_rate=0.01"


def test_one_model_twice_with_different_values_is_two_cells(suite):
    cells = build_cells(suite, ["mnist"], [f"{KNN}[n_neighbors=1]", f"{KNN}[n_neighbors=5]"])
    assert [cell.params["n_neighbors"] for cell in cells] == [1, 5]
    assert len({cell.cell_id for cell in cells}) == 2


def test_a_bad_own_value_names_the_bracketed_model(suite):
    with pytest.raises(ConfigError, match=r"--model naive_bayes\[variant=\"nope\"\]: variant is"):
        build_cells(suite, ["mnist"], ["naive_bayes[variant=nope]"])
    with pytest.raises(ConfigError, match=r"has no parameter 'alpha'. Its parameters: variant"):
        build_cells(suite, ["mnist"], ["naive_bayes[alpha=1]"])


def test_param_that_only_some_models_take_is_refused_with_the_scoped_form_to_paste(suite):
    with pytest.raises(ConfigError) as refused:
        build_cells(suite, ["mnist"], [KNN, "naive_bayes"], params={"n_neighbors": 3})
    message = str(refused.value)
    assert message == (
        "--param n_neighbors=3 goes to every --model, and 'naive_bayes' has no parameter "
        "'n_neighbors'. To give it only to the models that take it, write it in brackets after "
        f"them: --model '{KNN}[n_neighbors=3]',naive_bayes"
    )
    pasted = shlex.split(message.rsplit(": ", 1)[1])
    assert pasted[0] == "--model"
    cells = build_cells(suite, ["mnist"], model_names(pasted[1]))
    assert cells[0].params == {"n_neighbors": 3} and cells[1].model == "naive_bayes"


def test_the_pasted_form_keeps_own_values_and_the_params_every_model_takes(suite):
    forest = "sklearn.ensemble:RandomForestClassifier"
    with pytest.raises(ConfigError) as refused:
        build_cells(
            suite, ["mnist"], [f"{KNN}[p=1]", forest], params={"n_neighbors": 3, "n_jobs": 1}
        )
    assert str(refused.value).endswith(
        f"--model '{KNN}[n_neighbors=3, p=1]',{forest} --param n_jobs=1"
    )


def test_a_param_no_model_takes_names_the_model_s_parameters(suite):
    with pytest.raises(ConfigError, match="--param: Model 'naive_bayes' has no parameter 'alpha'"):
        build_cells(suite, ["mnist"], ["naive_bayes", "lasso_logit"], params={"alpha": 1})


def test_the_key_holds_the_model_file_s_content_and_the_slot_does_not(suite, tmp_path: Path):
    model = tmp_path / "mine.py"
    model.write_text("from nnbench.models.naive_bayes import NaiveBayes as Mine\n")
    [before] = build_cells(suite, ["mnist"], [f"{model}:Mine"])
    assert before.code is not None and before.code.startswith("sha256:")
    model.write_text(model.read_text() + "# edited\n")
    from nnbench.models import resolve_model

    resolve_model.cache_clear()  # a new process would import the edited file
    [after] = build_cells(suite, ["mnist"], [f"{model}:Mine"])
    assert after.code != before.code
    assert after.cell_id != before.cell_id and after.slot_id == before.slot_id
    assert replace(after, code=before.code).cell_id == before.cell_id


def test_built_in_models_have_no_code_fingerprint_but_the_version_keys_them(suite):
    [cell] = build_cells(suite, ["mnist"], ["naive_bayes"])
    assert cell.code is None
    assert Cell("mnist", "naive_bayes").cell_id != Cell("mnist", "naive_bayes", code="x").cell_id
    assert __version__ == "0.9.0"


def test_a_time_limit_comes_from_the_suite_or_the_flag_and_is_not_part_of_the_key(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[datasets.mnist.naive_bayes]\ntimeout = 30\n[datasets.mnist.lasso_logit]\n")
    suite = load_suite(path)
    bayes, lasso = build_cells(suite, ["mnist"])
    assert (bayes.timeout, lasso.timeout) == (30.0, None)
    assert [cell.timeout for cell in build_cells(suite, ["mnist"], timeout=4.5)] == [4.5, 4.5]
    unlimited = replace(bayes, timeout=None)
    assert (bayes.cell_id, bayes.slot_id) == (unlimited.cell_id, unlimited.slot_id)
    assert bayes.cell_id == Cell("mnist", "naive_bayes").cell_id  # as before time limits
