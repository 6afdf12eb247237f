"""Canonical JSON, the one encoder: one text per value, so that equal values give equal strings.

Two spellings are in use, and each must stay as it is: keys and fingerprints hash the spaced
one (changing it would change every cell key), while the tables and the folder index store the
compact one (changing it would split one protocol into two)."""

from __future__ import annotations

import json
from typing import Any

#: the separators of the strings stored in tables, the index and exports
COMPACT = (",", ":")
#: the separators of what keys and fingerprints hash (``nnbench.files.digest``)
SPACED = (", ", ": ")


def canonical(value: Any, separators: tuple[str, str] = COMPACT) -> str:
    """``value`` as JSON with sorted keys: ``1``, ``1.0`` and ``true`` differ, a tuple and a
    list do not, and what JSON cannot hold is written as its ``str``."""
    return json.dumps(value, sort_keys=True, separators=separators, default=str)
