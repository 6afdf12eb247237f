"""What a study declares: the cells it runs (a suite file, with grids and named variants), the
sections its report shows, and any published numbers it compares with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nnbench.report.document import Report, build_report
from nnbench.report.sections import Section
from nnbench.report.standard import DEFAULT_SECTIONS
from nnbench.report.tables import Published
from nnbench.result_tables import Tables

__all__ = [
    "Study",
]


@dataclass(frozen=True)
class Study:
    """A named experiment: ``suite`` (a suite file) gives its cells, ``sections`` its report,
    ``published`` the numbers its comparison shows beside a run's own. ``fallbacks`` name a
    dataset to run instead of one that is not available (the candidate photos' synthetic
    stand-in, say) when the user names no dataset."""

    name: str
    description: str
    suite: Path
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    published: Published | None = None
    fallbacks: Mapping[str, str] = field(default_factory=dict)
    #: the report's heading (default ``nnbench study: NAME``)
    title: str = ""
    #: the target test accuracies of its time-to-accuracy columns when none are asked for
    targets: tuple[float, ...] = ()

    def report(
        self, tables: Tables, targets: Sequence[float] = (), with_plots: bool = True
    ) -> Report:
        """The study's report of ``tables``: its sections, in order, with time to ``targets``
        (the study's own when none are given)."""
        title = self.title or f"nnbench study: {self.name}"
        targets = tuple(targets) or self.targets
        return build_report(tables, self.sections, targets, with_plots, self.published, title)
