"""Progress on stderr: one-line status messages, byte-count bars, and a run's cell counts with
elapsed time and ETA. Results never go here."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from tqdm import tqdm


def info(message: str) -> None:
    """Print one progress line to stderr (above a progress bar, when one is showing)."""
    tqdm.write(message, file=sys.stderr)
    sys.stderr.flush()


def counted(count: int, noun: str) -> str:
    """``1 cell``, ``2 cells``: a count with its noun (an English plural in -s)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def duration(seconds: float) -> str:
    """``8.2 s``, ``1 min 46 s``, ``2 h 5 min``: a wall time as people read it."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, whole = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {whole} s"
    return f"{minutes // 60} h {minutes % 60} min"


def byte_bar(description: str, total: int | None) -> tqdm:
    """A download bar on stderr counting bytes (on a terminal only: a log gets no bar);
    ``total`` is None when the size is unknown."""
    return tqdm(
        total=total,
        desc=description,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        leave=False,
        mininterval=0.5,
        disable=not sys.stderr.isatty(),
    )


class CellProgress:
    """Cells done, running, failed and left, elapsed time and ETA, for ``total`` cells to run.

    On a terminal it is a tqdm bar; elsewhere (a CI log) one plain line per finished cell, so
    that the log stays readable. ``running`` says how many cells are running now.
    """

    def __init__(
        self, total: int, running: Callable[[], int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.total, self.running, self.clock = total, running, clock
        self.done = self.failed = 0
        self.started = clock()
        plain = not sys.stderr.isatty()
        self.bar = tqdm(total=total, desc="cells", unit="cell", file=sys.stderr, disable=plain)

    def finished(self, status: str) -> None:
        """Count one finished cell of ``status`` ("ok", "failed", "skipped")."""
        self.done += 1
        self.failed += status == "failed"
        counts = f"{self.running()} running · {self.failed} failed · {self.total - self.done} left"
        if not self.bar.disable:
            self.bar.set_postfix_str(counts, refresh=False)
            self.bar.update()
            return
        elapsed = self.clock() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        info(
            f"nnbench: {self.done}/{self.total} done · {counts} · elapsed "
            f"{tqdm.format_interval(elapsed)} · ETA {tqdm.format_interval(eta)}"
        )

    def __enter__(self) -> CellProgress:
        return self

    def __exit__(self, *exception: object) -> None:
        self.bar.close()
