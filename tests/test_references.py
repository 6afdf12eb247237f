"""References to user code: ``file.py:NAME`` and ``module:NAME``, the three kinds of model they
may name, their origin, and every way they can be wrong, named with the fix."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
import sklearn

from nnbench.errors import ConfigError, UnknownNameError
from nnbench.models import resolve_model
from nnbench.references import resolve_file

USER_FILE = '''
import numpy as np
from nnbench.models import Model


class Centroid(Model):
    """Nearest class mean."""

    def __init__(self, shrink=0.0, seed=0):
        self.shrink = shrink
        self.seed = seed

    def fit(self, x, y, *, n_classes, monitor=None):
        self.means_ = np.stack([x[y == k].mean(axis=0) for k in range(n_classes)])
        self.history_, self.info_ = [], {}
        return self

    def predict(self, x):
        return np.zeros(len(x), dtype=np.int64)

    def n_params(self):
        return int(self.means_.size)


class Voter:
    """Plain fit/predict, scikit-learn style."""

    def __init__(self, votes=3, random_state=None):
        self.votes = votes
        self.random_state = random_state

    def fit(self, x, y):
        return self

    def predict(self, x):
        return np.zeros(len(x), dtype=np.int64)


def builder(input_shape, n_classes, width=8):
    """A Keras builder."""
    raise AssertionError("not built in these tests")


class NoPredict:
    def fit(self, x, y):
        return self


def wrong_signature(images):
    return images


def clashing(input_shape, n_classes, epochs=3):
    return None


class Abstract(Model):
    pass


INSTANCE = Voter()
NUMBER = 3
'''


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "user models.py"
    path.write_text(USER_FILE)
    return path


@pytest.mark.parametrize(
    ("name", "kind", "parameters"),
    [
        ("Centroid", "model", ["shrink"]),
        ("Voter", "sklearn", ["votes", "random_state"]),
        (
            "builder",
            "keras",
            [
                "width",
                "epochs",
                "batch_size",
                "learning_rate",
                "steps_per_execution",
                "optimizer",
                "loss",
                "precision",
                "jit_compile",
            ],
        ),
    ],
)
def test_a_file_reference_gives_each_kind_with_its_parameters_and_origin(
    user_file: Path, name: str, kind: str, parameters: list[str]
):
    reference = f"{user_file}:{name}"
    spec = resolve_model(reference)
    assert (spec.kind, spec.parameter_names()) == (kind, parameters)
    assert spec.origin == {
        "kind": "file",
        "reference": reference,
        "path": str(user_file.resolve()),
        "sha256": hashlib.sha256(user_file.read_bytes()).hexdigest(),
        "adapter": kind,
    }
    assert spec.description  # the docstring's first line


def test_a_module_reference_records_the_distribution_and_version():
    spec = resolve_model("sklearn.ensemble:RandomForestClassifier")
    assert spec.kind == "sklearn"
    assert spec.origin == {
        "kind": "module",
        "reference": "sklearn.ensemble:RandomForestClassifier",
        "distribution": "scikit-learn",
        "version": sklearn.__version__,
        "adapter": "sklearn",
    }


def test_the_code_of_a_module_is_its_version_or_without_one_its_file_s_checksum(
    tmp_path: Path, monkeypatch
):
    from nnbench.files import sha256_file
    from nnbench.references import code_fingerprint, load_reference

    _, installed = load_reference("sklearn.ensemble:RandomForestClassifier")
    assert code_fingerprint(installed) == f"scikit-learn {sklearn.__version__}"
    module = tmp_path / "loose_module_nnbench_test.py"
    module.write_text("from sklearn.naive_bayes import GaussianNB as Model\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _, loose = load_reference("loose_module_nnbench_test:Model")
    assert "version" not in loose and loose["sha256"] == sha256_file(module)
    assert code_fingerprint(loose) == f"sha256:{sha256_file(module)}"
    assert code_fingerprint({"kind": "built-in", "from": "built-in"}) is None
    assert code_fingerprint({"kind": "entry point", "from": "plugin acme 1.2"}) == "plugin acme 1.2"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("NoPredict", "class NoPredict has no predict method. A model is a subclass of"),
        ("wrong_signature", "function wrong_signature takes (images). A model is a subclass of"),
        ("clashing", "clashing's parameter 'epochs' is the training loop's; rename it"),
        ("Abstract", "Abstract does not implement fit, n_params, predict."),
        ("INSTANCE", "is a Voter object; name its class instead and give its parameters"),
        ("NUMBER", "is a int, not a model. A model is a subclass of nnbench.models.Model"),
        ("Centroidd", "has no 'Centroidd'. Did you mean 'Centroid'? It defines: Abstract, "),
    ],
)
def test_a_name_that_is_not_a_model_says_why(user_file: Path, name: str, message: str):
    with pytest.raises(ConfigError) as caught:
        resolve_model(f"{user_file}:{name}")
    assert message in str(caught.value)


def test_missing_files_and_modules_are_named(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"there is no file .*nowhere\.py \(from .*\)\. Check"):
        resolve_model(f"{tmp_path / 'nowhere.py'}:Model")
    with pytest.raises(ConfigError, match="there is no module 'no_such_package'. Install the"):
        resolve_model("no_such_package.models:Net")
    with pytest.raises(
        ConfigError,
        match="sklearn.ensemble has no 'RandomForest'. Did you mean 'RandomForestRegressor'",
    ):
        resolve_model("sklearn.ensemble:RandomForest")
    with pytest.raises(UnknownNameError, match="Did you mean 'naive_bayes'"):
        resolve_model("naive_bayse")


def test_a_file_that_fails_to_import_names_the_error_and_line(tmp_path: Path):
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy\n\nx = [1, 2\n")
    with pytest.raises(ConfigError, match=r"importing .*broken\.py failed: SyntaxError: .*line 3"):
        resolve_model(f"{broken}:Net")
    raising = tmp_path / "raising.py"
    raising.write_text(
        textwrap.dedent("""
        def helper():
            raise RuntimeError("no GPU here")

        helper()
    """)
    )
    with pytest.raises(ConfigError, match=r"RuntimeError: no GPU here \(line 3\)\."):
        resolve_model(f"{raising}:Net")
    needs = tmp_path / "needs.py"
    needs.write_text("import not_installed_anywhere\n")
    with pytest.raises(ConfigError, match="No module named 'not_installed_anywhere' \\(line 1\\)"):
        resolve_model(f"{needs}:Net")


def test_file_references_in_a_suite_are_relative_to_the_suite(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suites").mkdir()
    assert resolve_file("my.py:Net", tmp_path / "suites") == "suites/my.py:Net"
    assert resolve_file("../my.py:Net", tmp_path / "suites") == "my.py:Net"
    assert resolve_file("/abs/my.py:Net", tmp_path) == "/abs/my.py:Net"
    assert resolve_file("package.module:Net", tmp_path / "suites") == "package.module:Net"
    outside = resolve_file("my.py:Net", tmp_path.parent)
    assert outside == f"{tmp_path.parent / 'my.py'}:Net"
