"""What the verbs share: exit codes, flag types, the flags of running and reporting, and the
data folder. Nothing here imports a heavy library."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from nnbench import options

DATA_ENV = "NNBENCH_DATA"
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

T = TypeVar("T")


def flag_type(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``parse`` as an argparse type: its ValueError becomes the flag's error message."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


names = flag_type(options.names)
positive_float = flag_type(options.positive_float)
non_negative_float = flag_type(options.non_negative_float)
unit_interval = flag_type(options.unit_interval)
open_unit_interval = flag_type(options.open_unit_interval)
seed = flag_type(options.seed)
seed_list = flag_type(options.list_of(options.seed))


def whole_number(minimum: int, maximum: int = options.MAX_COUNT) -> Callable[[str], int]:
    """:func:`nnbench.options.whole_number` as an argparse type."""
    return flag_type(options.whole_number(minimum, maximum))


def seeds(args: argparse.Namespace) -> list[int]:
    """The seeds asked for by ``--seed``, ``--seeds`` or ``--repeats``; seed 0 by default."""
    if args.seeds:
        chosen: list[int] = args.seeds  # what ``seed_list`` parsed
        return chosen
    if args.repeats:
        return list(range(args.repeats))
    return [args.seed or 0]


def data_dir(args: argparse.Namespace) -> Path:
    """``--data-dir``, else $NNBENCH_DATA, else ``data/`` in the working directory."""
    return Path(args.data_dir or os.environ.get(DATA_ENV) or "data")


def data_flags() -> argparse.ArgumentParser:
    """``--data-dir``, for every verb that reads data."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--data-dir", metavar="DIR", help=f"data folder (default: ${DATA_ENV}, else ./data)"
    )
    return parser


def target_flags() -> argparse.ArgumentParser:
    """``--target``, for every verb that writes a report."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--target",
        type=unit_interval,
        action="append",
        metavar="ACC",
        help="add a time-to-accuracy table: training time to this test accuracy (repeatable)",
    )
    return parser


def option_arguments(parser: argparse.ArgumentParser, declared: tuple[options.Option, ...]) -> None:
    """Add declared options (a dataset's build options) to ``parser``."""
    for option in declared:
        default = os.environ.get(option.env) if option.env else None
        kwargs: dict[str, Any] = {"dest": option.name, "help": option.help}
        if option.switch:
            parser.add_argument(option.flag, action="store_true", **kwargs)
            continue
        if option.default is not None:
            kwargs["help"] += " (default %(default)s)"
        parser.add_argument(
            option.flag,
            type=flag_type(option.parse),
            default=default if default is not None else option.default,
            metavar=option.metavar or option.name.upper(),
            **kwargs,
        )
