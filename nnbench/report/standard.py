"""The sections a report shows when no study declares otherwise."""

from __future__ import annotations

from nnbench.report.cost_section import cost
from nnbench.report.evidence import paired_evidence
from nnbench.report.scores_section import metrics
from nnbench.report.sections import Section, comparisons, environment

DEFAULT_SECTIONS: tuple[Section, ...] = (
    comparisons(),
    metrics,
    paired_evidence(),
    cost,
    environment,
)


def with_cost(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """``sections`` with the cost section, which every report has: where they list it, else
    just before the environment, else last."""
    if cost in sections:
        return sections
    at = sections.index(environment) if environment in sections else len(sections)
    return (*sections[:at], cost, *sections[at:])
