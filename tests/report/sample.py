"""Hand-made result documents for report tests: names with LaTeX's special characters, two
seeds with learning histories, confusion matrices and costs (nnbench 0.7), a failed and a
skipped cell, and MNIST, whose lecture numbers the comparison shows."""

from __future__ import annotations

from collections.abc import Sequence

from nnbench.report.document import Report
from nnbench.result_tables import Tables, tables
from nnbench.studies import get_study
from tests.test_results import make_result

DATASET = "idx:/data/hand_made 100%"
CLASSES = ["cat_1", "dog 50%"]
ENV = {
    "python": "3.11.7",
    "numpy": "2.4.6",
    "sklearn": "1.9.1",
    "tensorflow": "2.21.0",
    "keras": "3.15.1",
    "pandas": "3.1.1",
    "nnbench": "0.2.0",
    "keras_backend": "tensorflow",
    "device": "cpu",
    "platform": "Linux",
    "cpu": "Test CPU",
    "cores": 2,
    "git_commit": "abc123",
    "started_at": "2026-11-27T10:00:00+00:00",
}
#: an error that holds every character LaTeX treats specially, and some it cannot print
NASTY_ERROR = "ValueError: x_{1} & y^2 ~ 100% #3 $5 \\path <a|b> α ✓ ő"


def split_metrics(confusion: list[list[int]]) -> dict:
    """Accuracy, per class, support and confusion of one split, from its confusion matrix."""
    total = sum(map(sum, confusion))
    hits = [row[i] for i, row in enumerate(confusion)]
    return {
        "accuracy": sum(hits) / total,
        "per_class": {name: hits[i] / sum(confusion[i]) for i, name in enumerate(CLASSES)},
        "support": {name: sum(confusion[i]) for i, name in enumerate(CLASSES)},
        "confusion": confusion,
        "n": total,
    }


#: each dense seed's cost: load seconds, whether its data was loaded already, peak MB, single-
#: image latency p50 and p95 in ms, and images per second
DENSE_COSTS = {0: (0.4, False, 512, 1.1, 1.5, 85000.0), 1: (0.0, True, 520, 1.3, 1.9, 83000.0)}


def measured(seed: int, fit_s: float) -> dict:
    """A dense seed's phases, data and cost as nnbench 0.7 records them (:data:`DENSE_COSTS`)."""
    load_s, cached, peak_mb, p50_ms, p95_ms, throughput = DENSE_COSTS[seed]
    phases = {"load_s": load_s, "build_s": 0.05, "compile_s": 0.7, "score_s": 0.3}
    phases["train_s"] = fit_s - phases["build_s"] - phases["compile_s"]
    memory = {"start_rss_bytes": 900 * 10**6, "interval_s": 0.01, "samples": 300}
    inference = {"latency_n": 200, "throughput_batch": 1000, "throughput_images": 3000}
    return {
        "timing": {"fit_s": fit_s, "predict_s": 0.01, **phases},
        "data": {"cached": cached},
        "cost": {
            "memory": {**memory, "peak_rss_bytes": peak_mb * 10**6, "sampler_cpu_s": 0.004},
            "inference": {
                **inference,
                "latency_p50_s": p50_ms / 1e3,
                "latency_p95_s": p95_ms / 1e3,
                "throughput_per_s": throughput,
            },
            "size": {"parameter_bytes": 168, "saved_bytes": 1_250_000, "saved_format": "keras"},
        },
    }


def dense(seed: int, test_confusion: list[list[int]], history: list[tuple[float, float]]) -> dict:
    """A dense net's seed: test accuracy per epoch with training seconds, and its cost."""
    return make_result(
        dataset=DATASET,
        model="dense_nn",
        seed=seed,
        params={"hidden_units": [8], "epochs": len(history)},
        n_params=42,
        metrics={
            "train": split_metrics([[45, 5], [4, 46]]),
            "test": split_metrics(test_confusion),
        },
        history=[
            {
                "epoch": epoch,
                "train_loss": 0.5 / epoch,
                "test_accuracy": accuracy,
                "elapsed_s": seconds,
            }  # fmt: skip
            for epoch, (accuracy, seconds) in enumerate(history, 1)
        ],
        env=ENV,
        **measured(seed, history[-1][1]),
    )


def sample_results() -> list[dict]:
    """Every cell kind the report shows, on two datasets."""
    bayes = make_result(
        dataset=DATASET,
        metrics={
            "train": split_metrics([[40, 10], [12, 38]]),
            "test": split_metrics([[8, 2], [3, 7]]),
        },
        timing={"fit_s": 0.25, "predict_s": 0.01},
        env=ENV,
    )
    failed = make_result(
        dataset=DATASET, model="cnn", status="failed", error=NASTY_ERROR, n_params=None,
        metrics={}, timing={}, env=ENV,
    )  # fmt: skip
    skipped = make_result(
        dataset=DATASET, model="lasso_logit", status="skipped", skip_reason="costly: 50% & more",
        n_params=None, metrics={}, timing={}, env=ENV,
    )  # fmt: skip
    mnist = make_result(env=ENV)  # no confusion matrix: a result file from before nnbench 0.2
    return [
        bayes,
        dense(0, [[9, 1], [1, 9]], [(0.7, 1.0), (0.9, 2.0)]),
        dense(1, [[10, 0], [2, 8]], [(0.8, 1.25), (0.9, 2.5)]),
        failed,
        skipped,
        mnist,
    ]


def sample_tables():
    """The sample as the tables of ``results.load_tables``."""
    return tables({"runs/sample": sample_results()})


def lecture_report(
    tables: Tables, targets: Sequence[float] = (), with_plots: bool = True
) -> Report:
    """The lecture study's report of ``tables``: what ``nnbench report`` writes for a plain run."""
    return get_study("lecture").report(tables, targets, with_plots)
