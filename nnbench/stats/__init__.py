"""The one place for statistics: estimates over seeds (:mod:`~nnbench.stats.seeds`), intervals
over test images and paired tests between cells (:mod:`~nnbench.stats.paired`), and ranks
across datasets (:mod:`~nnbench.stats.ranks`). Report, check, compare and the studies' verdicts
all call these; none computes its own."""

from nnbench.stats.seeds import (
    CONFIDENCE,
    CellSummary,
    Estimate,
    clash,
    estimate,
    flatten,
    plain,
    protocol_changes,
    summarise,
)

__all__ = [
    "CONFIDENCE",
    "CellSummary",
    "Estimate",
    "clash",
    "estimate",
    "flatten",
    "plain",
    "protocol_changes",
    "summarise",
]
