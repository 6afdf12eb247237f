"""The performance scripts of ``benchmarks/`` run, on little work, and write what they promise:
a table headed by the command and the machine, and JSON rows with the environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_script(name: str, out: Path, data_dir: Path, *args: str) -> dict:
    """Run ``benchmarks/<name>.py`` with ``args``; its JSON document."""
    command = [sys.executable, str(REPO / "benchmarks" / f"{name}.py"), *args]
    command += ["--data-dir", str(data_dir), "--out", str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    table = (out / f"{name}.md").read_text()
    assert f"`python benchmarks/{name}.py {' '.join(args)}" in table
    assert table.count("\n| ") >= 2  # the header and at least one row
    document = json.loads((out / f"{name}.json").read_text())
    assert document["env"]["python"] and document["env"]["keras_backend"]
    return document


@pytest.mark.slow
@pytest.mark.usefixtures("mnist")
def test_vs_plain_times_both_paths_and_the_deterministic_model_agrees(tmp_path, data_dir):
    (row,) = run_script("vs_plain", tmp_path, data_dir, "--models", "naive_bayes")["rows"]
    assert row["plain"]["fit_s"] > 0 and row["nnbench"]["fit_s"] > 0
    assert row["fit_speedup"] == pytest.approx(row["plain"]["fit_s"] / row["nnbench"]["fit_s"])
    # multinomial naive Bayes has no randomness: both paths give the committed accuracy
    assert row["plain"]["test_accuracy"] == row["nnbench"]["test_accuracy"] == 0.8357
    assert row["accuracy_difference"] == 0 and row["beyond_seed_noise"] is False


@pytest.mark.slow
@pytest.mark.usefixtures("mnist")
def test_l1_solvers_reports_each_objective_against_the_best(tmp_path, data_dir):
    settings = "fista:0.01:20,fista:0.001:60"
    rows = run_script("l1_solvers", tmp_path, data_dir, "--settings", settings)["rows"]
    assert [(row["solver"], row["max_iter"]) for row in rows] == [("fista", 20), ("fista", 60)]
    # more iterations at a tighter tolerance reach a lower objective
    assert 0.34 < rows[1]["objective"] < rows[0]["objective"] < 1.0


@pytest.mark.slow
@pytest.mark.usefixtures("mnist")
def test_keras_paths_give_the_same_accuracy_on_the_device_and_in_chunks(tmp_path, data_dir):
    args = ["--models", "dense_nn", "--subset", "2000", "--epochs", "2", "--chunks", "3"]
    rows = run_script("keras_paths", tmp_path, data_dir, *args, "--precisions", "float32")["rows"]
    assert [row["path"] for row in rows] == ["device", "chunks of 3"]
    assert rows[0]["test_accuracy"] == pytest.approx(rows[1]["test_accuracy"], abs=0.002)
    assert all(row["later_epoch_s"] > 0 for row in rows)


@pytest.mark.slow
@pytest.mark.usefixtures("mnist")
def test_scaling_fits_an_exponent_and_draws_the_plot(tmp_path, data_dir):
    args = ["--models", "naive_bayes", "--sizes", "5000,20000,60000"]
    (row,) = run_script("scaling", tmp_path, data_dir, *args)["rows"]
    assert row["sizes"] == [5000, 20000, 60000] and len(row["seconds"]) == 3
    assert 0 < row["exponent"] < 2  # naive Bayes's counts grow about linearly
    assert (tmp_path / "scaling.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_candidates_build_times_both_apis_on_the_loopback_fakes(tmp_path):
    script = [sys.executable, str(REPO / "benchmarks" / "candidates_build.py")]
    command = [*script, "--candidates", "6", "--out", str(tmp_path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "`python benchmarks/candidates_build.py --candidates 6" in (
        (tmp_path / "candidates_build.md").read_text()
    )
    rows = json.loads((tmp_path / "candidates_build.json").read_text())["rows"]
    assert [(row["api"], row["kept"]) for row in rows] == [("classic", 6), ("rest2", 6)]
    # 4 listing calls, then a bio and a photo each; REST API 2.0 also logs in
    assert [row["requests"] for row in rows] == [4 + 12, 1 + 4 + 12]
    for row in rows:
        assert row["ms_per_candidate"] == pytest.approx(1000 * row["build_s"] / 6)
        hours = 40_932 * row["requests"] / 6 / 2.0 / 3600
        assert row["rate_limited_hours_for_lecture"] == pytest.approx(hours)


@pytest.mark.slow
@pytest.mark.usefixtures("mnist")
def test_cost_writes_the_cost_table_the_plots_and_the_sampler_overhead(tmp_path, data_dir):
    args = ("--models", "naive_bayes", "--subset", "2000", "--repeats", "1")
    document = run_script("cost", tmp_path, data_dir, *args)
    cell, *timed = document["rows"]
    assert cell["model"] == "naive_bayes" and cell["test_accuracy"] > 0.5
    assert cell["cost"]["memory"]["samples"] == cell["samples"] > 0
    assert cell["cost"]["inference"]["throughput_batch"] == 1000
    assert [row["model"] for row in timed] == ["naive_bayes", "dense_nn"]
    assert all(
        row["ratio"] == pytest.approx(row["median_with_s"] / row["median_without_s"], rel=1e-3)
        for row in timed
    )
    table = (tmp_path / "cost.md").read_text()
    assert "### Cost on mnist" in table and "| naive_bayes |" in table
    assert "sampler CPU ÷ cell s" in table and "with: median (range)" in table
    for kind in ("fit-time", "latency", "memory"):
        assert (tmp_path / "plots" / f"cost-accuracy-vs-{kind}.png").stat().st_size > 1000
