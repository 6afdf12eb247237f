"""The flags of the verbs that run cells (``all``, ``run``, ``study``): seeds, epochs,
precision, subset, image size, verbosity, the run folder and how cells run. Nothing here
imports a heavy library."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import get_args

from nnbench.cli.common import (
    data_flags,
    flag_type,
    open_unit_interval,
    positive_float,
    seed,
    seed_list,
    target_flags,
    whole_number,
)
from nnbench.models.keras.training import Precision
from nnbench.options import MAX_JOBS, MAX_REPEATS, MAX_RETRIES, MAX_SEED, image_size


def plan_flags() -> argparse.ArgumentParser:
    """The flags of every verb that runs cells: seeds, epochs, subset, image size, data,
    targets, and :func:`execution_flags`."""
    parents = [data_flags(), target_flags(), execution_flags()]
    running = argparse.ArgumentParser(add_help=False, parents=parents)
    seeding = running.add_mutually_exclusive_group()
    seeding.add_argument("--seed", type=seed, help=f"random seed, from 0 to {MAX_SEED} (default 0)")
    seeding.add_argument(
        "--seeds",
        type=seed_list,
        metavar="S,S2,...",
        help="run every cell with each seed; tables show mean ± 95%% t-interval and n",
    )
    seeding.add_argument(
        "--repeats",
        type=whole_number(1, MAX_REPEATS),
        metavar="N",
        help=f"the same as --seeds 0,1,...,N-1 (N at most {MAX_REPEATS})",
    )
    running.add_argument(
        "--epochs", type=whole_number(1), metavar="E", help="override epochs of the neural nets"
    )
    running.add_argument(
        "--precision",
        choices=get_args(Precision),
        help="Keras's dtype policy for the neural nets (default float32): mixed_bfloat16 and "
        "mixed_float16 compute in 16 bits, with float32 weights; the result records it",
    )
    running.add_argument(
        "--subset",
        type=whole_number(1),
        metavar="N",
        help="use only the first N training and first N test images (quick checks)",
    )
    running.add_argument(
        "--validation",
        type=open_unit_interval,
        metavar="F",
        help="hold out this share of the training images (stratified; the same for every model "
        "and seed) for every choice: learning curves, --target and the best of a grid read it, "
        "and the test set is scored once, after training (default: the suite's, else none)",
    )
    running.add_argument(
        "--image-size",
        type=flag_type(image_size),
        metavar="HxW",
        help="resize every image to H x W pixels with Pillow (the result records it)",
    )
    running.add_argument(
        "--verbose",
        action="store_true",
        help="show TensorFlow's own start-up and log lines on stderr (hidden by default, "
        "unless TF_CPP_MIN_LOG_LEVEL is set)",
    )
    return running


def running_flags() -> argparse.ArgumentParser:
    """The flags ``all`` and ``run`` share: ``--suite`` and :func:`plan_flags`."""
    from nnbench.suite import DEFAULT_SUITE

    running = argparse.ArgumentParser(add_help=False, parents=[plan_flags()])
    running.add_argument(
        "--suite",
        type=Path,
        default=DEFAULT_SUITE,
        metavar="FILE",
        help="suite file with each model's parameters per dataset (default: %(default)s)",
    )
    return running


def execution_flags() -> argparse.ArgumentParser:
    """Where a run's results go, and how it runs: ``--out``/``--resume``, ``--retries``,
    ``--timeout``, ``--dry-run``, and the executor's flags."""
    running = argparse.ArgumentParser(add_help=False, parents=[executor_flags()])
    folder = running.add_mutually_exclusive_group()
    folder.add_argument(
        "--out", type=Path, metavar="DIR", help="run folder (default: results/runs/<timestamp>)"
    )
    folder.add_argument(
        "--resume",
        type=Path,
        metavar="DIR",
        help="continue the run in DIR: run only the cells of the plan that have no successful "
        "result there (give the flags of that run); the report covers every cell in DIR",
    )
    running.add_argument(
        "--retries",
        type=whole_number(0, MAX_RETRIES),
        default=0,
        metavar="N",
        help="try a cell whose model fails up to N more times (default 0); a cell that fails "
        "every time stays failed, and its result file records the attempts",
    )
    running.add_argument(
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        help="stop a cell that runs longer than this on its worker (loading its data, fitting, "
        "scoring) and record it as failed with error_kind timeout; the run goes on (default: "
        "the suite's timeout, else none). Without --jobs or Dask, such a cell runs on a "
        "worker process of its own",
    )
    running.add_argument(
        "--dry-run",
        action="store_true",
        help="print the cells that would run (key, labels, parameters) and check every cell's "
        "parameters, without running anything",
    )
    return running


def executor_flags() -> argparse.ArgumentParser:
    """Where cells run: ``--executor``, ``--jobs``, ``--workers``, ``--scheduler``."""
    from nnbench.execute import EXECUTORS

    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: on this machine (default); dask: on the Dask cluster at --scheduler; "
        "dask-local: on a Dask cluster of --workers processes started for the run",
    )
    flags.add_argument(
        "--jobs",
        type=whole_number(1, MAX_JOBS),
        default=1,
        metavar="N",
        help="local executor: run cells on N worker processes, each with its share of the "
        "cores (default 1: one cell at a time in this process)",
    )
    flags.add_argument(
        "--workers",
        type=whole_number(1, MAX_JOBS),
        metavar="N",
        help="dask-local: the local cluster's single-threaded worker processes (default: "
        "one per core)",
    )
    flags.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="dask: the address of a running `dask scheduler`",
    )
    return flags
