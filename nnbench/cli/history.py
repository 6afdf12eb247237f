"""``nnbench history``: (being written)."""

from __future__ import annotations

import argparse


def add_parsers(verbs: argparse._SubParsersAction) -> None:
    verbs.add_parser("history", help="(being written)")
