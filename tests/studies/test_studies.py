"""Each study end to end on a tiny subset with 1 epoch: its cells, its report's tables, claims
and plots; re-reporting and resuming its run folder; and the choice of study for a report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nnbench.cli import main
from nnbench.errors import ConfigError
from nnbench.presentation import Table
from nnbench.report.blocks import Items, TableBlock
from nnbench.results import load_tables
from nnbench.studies import STUDIES, get_study, study_of

TINY = ["--subset", "200", "--epochs", "1"]
#: the autodiff probe's budgets, cut to fractions of a second
QUICK_PROBE = ["--param", "budget_s=0.2", "--param", "repeats=2"]


def run_study(name: str, out: Path, data_dir: Path, *flags: str) -> int:
    """``nnbench study NAME`` on the tiny subset, into ``out``."""
    return main(["study", name, *TINY, "--data-dir", str(data_dir), "--out", str(out), *flags])


def results_of(out: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(out.glob("*__*.json"))]


def report_tables(name: str, out: Path) -> dict[str, Table]:
    """The study's report of ``out``: its tables by caption."""
    report = get_study(name).report(load_tables(out), with_plots=False)
    return {block.caption: block.table for block in report.blocks if isinstance(block, TableBlock)}


def report_items(name: str, out: Path) -> list[str]:
    report = get_study(name).report(load_tables(out), with_plots=False)
    return [line for block in report.blocks if isinstance(block, Items) for line in block.lines]


def test_help_lists_every_study(capsys):
    with pytest.raises(SystemExit):
        main(["study", "--help"])
    text = capsys.readouterr().out
    names = ["lecture", "optimizers", "activations", "losses", "autodiff"]
    assert [entry.name for entry in STUDIES.entries()] == names
    for name in names:
        assert re.search(rf"^  {name} +\S", text, re.MULTILINE), name


def test_an_unknown_study_is_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["study", "optimiser"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'optimiser'" in capsys.readouterr().err


def test_results_of_two_studies_are_not_reported_together():
    assert study_of([None, None]).name == "lecture"  # a plain run: the lecture's comparison
    assert study_of(["losses", None]).name == "losses"
    with pytest.raises(ConfigError, match="different studies \\(activations, losses\\)"):
        study_of(["losses", "activations"])


@pytest.mark.slow
def test_optimizers_study(tmp_path: Path, data_dir, mnist, capsys):
    out = tmp_path / "optimizers"
    assert run_study("optimizers", out, data_dir) == 0
    printed = capsys.readouterr()
    results = results_of(out)
    assert len(results) == 6 * 4 + 1  # six optimisers at four rates, and L-BFGS
    assert {r["study"] for r in results} == {"optimizers"}
    assert all(r["status"] == "ok" for r in results), [r["error"] for r in results]
    gd = [r for r in results if (r["variant"] or "").startswith("gd,")]
    assert {r["params"]["batch_size"] for r in gd} == {60000}  # a full batch of the subset
    assert {r["params"]["epochs"] for r in results if r["model"] == "dense_nn"} == {1}
    tables = report_tables("optimizers", out)
    chosen = tables["Optimisers on mnist."]
    assert chosen.headers == [
        "optimiser",
        "learning rate",
        "test acc",
        "train acc",
        "train loss by epoch",
        "fit s",
        "time to test acc ≥ 0.95",
    ]
    names = [row[0] for row in chosen.rows]
    assert names == [
        "gd",
        "sgd",
        "momentum",
        "adagrad",
        "rmsprop",
        "adam",
        "L-BFGS (scipy)",
    ]
    grid = tables["Final training loss on mnist."]
    assert grid.headers == ["optimiser", "rate 0.001", "rate 0.01", "rate 0.1", "rate 1"]
    for row, table_row in zip(grid.rows, chosen.rows, strict=False):  # the chosen rate is marked
        marked = [
            header for header, cell in zip(grid.headers, row, strict=True) if "(chosen)" in cell
        ]
        assert marked == [f"rate {table_row[1]}"], row
    assert chosen.rows[-1][1] == "– (line search)"
    claims = report_items("optimizers", out)
    verdict = r"(held|did not hold|not decided: difference within noise)"
    assert re.match(
        rf"Full-batch gradient descent is too slow for the net: {verdict}\. ", claims[0]
    )
    assert "McNemar p = " in claims[0]  # decided by the paired test on the test images
    assert re.match(
        rf"L-BFGS \(scipy\) falls behind every minibatch optimiser: {verdict}\. \d+ "
        r"iterations on 200 images in ",
        claims[1],
    )
    assert "nnbench.models.lbfgs:LbfgsNet · seed 0 · step 20 · loss " in printed.err
    assert "# nnbench study: optimizers" in printed.out
    assert sorted(p.name for p in (out / "plots").iterdir()) == [
        "mnist-optimizers-train-loss.png",
        "mnist-optimizers-train-loss.svg",
    ]


@pytest.mark.slow
def test_activations_study(tmp_path: Path, data_dir, mnist):
    out = tmp_path / "activations"
    assert run_study("activations", out, data_dir) == 0
    table = report_tables("activations", out)["Hidden activations on mnist."]
    assert [row[0] for row in table.rows] == [
        "relu",
        "leaky_relu",
        "sigmoid",
        "linear",
        "binary_step",
        "multinomial logit (scikit-learn, L2, C = 1)",
        "multinomial logit (the lecture's LASSO, L1, C = 0.1)",
    ]
    assert table.headers[:3] == ["hidden activation", "test acc", "train acc"]
    claims = report_items("activations", out)
    assert re.match(
        r"The linear net is no better than the multinomial logit: (held|did not hold)\. ",
        claims[0],
    )
    assert "McNemar p = " in claims[0]
    assert claims[1].startswith(
        "The binary step cannot train by gradient: held for the layers below it. 3 of "
        "its 3 hidden layers ended training with exactly their initial weights"
    )
    assert "against chance 1/10 = 0.1000" in claims[1]


@pytest.mark.slow
def test_losses_study_runs_the_synthetic_stand_in_when_the_photos_are_absent(
    tmp_path: Path, data_dir, mnist, capsys
):
    out = tmp_path / "losses"
    assert run_study("losses", out, data_dir) == 0
    printed = capsys.readouterr()
    assert "candidates is not available, so faces-synthetic runs" in printed.err
    results = results_of(out)
    assert sorted((r["dataset"], r["variant"]) for r in results) == [
        ("faces-synthetic", "cross_entropy"),
        ("faces-synthetic", "hinge"),
        ("mnist", "cross_entropy"),
        ("mnist", "quadratic"),
    ]
    assert all(r["status"] == "ok" for r in results), [r["error"] for r in results]
    tables = report_tables("losses", out)
    binary = tables["Comparison on faces-synthetic (synthetic data)."]
    assert [row[0] for row in binary.rows] == ["dense_nn [cross_entropy]", "dense_nn [hinge]"]
    assert [row[0] for row in tables["Comparison on mnist."].rows] == [
        "dense_nn [cross_entropy]",
        "dense_nn [quadratic]",
    ]
    assert "SYNTHETIC data: faces-synthetic is a generated stand-in" in printed.out
    claims = [line for line in report_items("losses", out) if line.startswith("Cross-entropy")]
    verdict = r"(held|did not hold|not decided: difference within noise)"
    assert [
        re.match(
            rf"Cross-entropy trains a better classifier than the (\w+) loss: {verdict}\. ", line
        ).group(1)
        for line in claims
    ] == ["quadratic", "hinge"]  # MNIST first, as the suite lists it
    assert all("McNemar p = " in line for line in claims)


@pytest.mark.slow
def test_autodiff_study_times_both_gradients_and_checks_them(tmp_path: Path, data_dir, mnist):
    out = tmp_path / "autodiff"
    assert run_study("autodiff", out, data_dir, *QUICK_PROBE) == 0
    results = results_of(out)
    dims = sorted(r["model_info"]["dim"] for r in results)
    assert dims == [805, 3190, 12730, 26506, 59210, 134_794]
    for result in results:
        info = result["model_info"]
        assert info["objective_s"] > 0 and info["gradient_s"] > 0
        assert info["fd_relative_error"] <= 1e-3, info
        example = info["worked_example"]
        assert example["f"] == 18
        assert example["reverse_mode"] == pytest.approx([15, 2], rel=1e-6)
        assert example["finite_difference"] == pytest.approx([15, 2], rel=1e-3)
    table = report_tables("autodiff", out)["The cost of a gradient on mnist."]
    assert [row[0] for row in table.rows] == [
        "805",
        "3,190",
        "12,730",
        "26,506",
        "59,210",
        "134,794",
    ]
    assert table.headers[4] == "gradient / Q"
    largest = table.rows[-1][5]  # 0.2 s cannot finish it: extrapolated, or said not to be
    assert re.fullmatch(
        r"(≈ [\d.]+ \(extrapolated from |not extrapolated \()[\d,]+ coordinates.*", largest
    )
    items = report_items("autodiff", out)
    assert any("The lecture states (20, 2)" in line and "= 15" in line for line in items)
    assert any(
        line.startswith("The reverse-mode and finite-difference gradients agree") for line in items
    )


@pytest.mark.slow
def test_a_study_run_is_re_reported_as_that_study_and_resumed(
    tmp_path: Path, data_dir, mnist, capsys
):
    out = tmp_path / "autodiff"
    assert run_study("autodiff", out, data_dir, *QUICK_PROBE) == 0
    (out / "report.md").unlink()
    capsys.readouterr()
    assert main(["report", str(out), "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# nnbench study: autodiff\n")
    first = {path.name: path.stat().st_mtime_ns for path in out.glob("*__*.json")}
    resumed = ["study", "autodiff", *TINY, *QUICK_PROBE, "--data-dir", str(data_dir)]
    assert main([*resumed, "--resume", str(out)]) == 0
    assert "6 cells, 6 of them done already; running 0" in capsys.readouterr().err
    assert {path.name: path.stat().st_mtime_ns for path in out.glob("*__*.json")} == first


def test_a_study_runs_on_a_dataset_it_does_not_list(tmp_path: Path, data_dir, mnist, capsys):
    out = tmp_path / "activations"
    flags = ["--dataset", "faces-synthetic", "--dry-run"]
    assert main(["study", "activations", *TINY, "--data-dir", str(data_dir), *flags]) == 0
    plan = capsys.readouterr().out
    assert plan.count("faces-synthetic") >= 7 and "mnist" not in plan
    assert not out.exists()


def test_the_lecture_study_plans_what_nnbench_all_runs(data_dir, mnist, capsys):
    flags = [*TINY, "--data-dir", str(data_dir), "--dry-run"]
    assert main(["all", *flags]) == 0
    plain = capsys.readouterr().out
    assert main(["study", "lecture", *flags]) == 0
    assert capsys.readouterr().out == plain
    assert "mnist" in plain and "cnn" in plain
