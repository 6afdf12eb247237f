"""The optimisers study's choice of learning rate: by training loss, never by the test set."""

from __future__ import annotations

import math

from nnbench.result_tables import tables
from nnbench.stats import summarise
from nnbench.studies.optimizers import by_optimizer, choose, final_loss, grid_table
from tests.test_results import make_result


def trained(variant: str, rate: float, losses: list[float], test_accuracy: float) -> dict:
    """A dense net's result at one learning rate, with its training loss per epoch."""
    return make_result(
        model="dense_nn",
        variant=f"{variant}, learning_rate={rate}",
        params={"optimizer": variant, "learning_rate": rate, "epochs": len(losses)},
        metrics={
            "train": {"accuracy": 0.9, "per_class": {"0": 0.9, "1": 0.9}, "n": 20},
            "test": {"accuracy": test_accuracy, "per_class": {"0": 0.9, "1": 0.9}, "n": 10},
        },
        history=[
            {"epoch": epoch, "train_loss": loss, "elapsed_s": float(epoch)}
            for epoch, loss in enumerate(losses, 1)
        ],
    )


def test_the_rate_of_lowest_final_training_loss_is_chosen_whatever_the_test_accuracy():
    frame = tables(
        {
            "run": [
                trained("sgd", 0.01, [2.0, 1.0], test_accuracy=0.95),  # the best test accuracy
                trained("sgd", 0.1, [2.0, 0.5], test_accuracy=0.80),  # the lowest training loss
                trained("sgd", 1.0, [2.0, math.nan], test_accuracy=0.10),  # diverged
                trained("adam", 1.0, [math.inf, math.inf], test_accuracy=0.10),
            ]
        }
    )
    cells = summarise(frame.classes)
    groups = by_optimizer(cells)
    assert list(groups) == ["sgd", "adam"]
    chosen = choose(groups["sgd"], frame.epochs)
    assert chosen.protocol["params"]["learning_rate"] == 0.1
    assert final_loss(chosen, frame.epochs) == 0.5
    assert choose(groups["adam"], frame.epochs) is None  # every rate diverged
    table = grid_table(groups, frame.epochs)
    assert table.headers == ["optimiser", "rate 0.01", "rate 0.1", "rate 1"]
    assert table.rows == [
        ["sgd", "1.0000", "0.5000 (chosen)", "diverged"],
        ["adam", "–", "–", "diverged"],
    ]
