"""The sections a report shows when no study declares otherwise."""

from __future__ import annotations

from nnbench.report.evidence import paired_evidence
from nnbench.report.scores_section import metrics
from nnbench.report.sections import Section, comparisons, environment

DEFAULT_SECTIONS: tuple[Section, ...] = (comparisons(), metrics, paired_evidence(), environment)
