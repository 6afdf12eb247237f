"""Progress on stderr: one-line status messages and byte-count bars. Results never go here."""

from __future__ import annotations

import sys

from tqdm import tqdm


def info(message: str) -> None:
    """Print one progress line to stderr."""
    print(message, file=sys.stderr, flush=True)


def byte_bar(description: str, total: int | None) -> tqdm:
    """A download bar on stderr counting bytes; ``total`` is None when the size is unknown."""
    return tqdm(
        total=total,
        desc=description,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        leave=False,
        mininterval=0.5,
    )
