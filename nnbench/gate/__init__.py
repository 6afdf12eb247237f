"""The accuracy-regression gate behind ``nnbench check``: baselines made from runs, a run's
cells checked against one (one row and verdict per metric), and the check rendered as Markdown
or JUnit XML."""

from nnbench.gate.baseline import make_baseline, read_baseline, write_baseline
from nnbench.gate.render import baseline_summary, junit_xml, render_check
from nnbench.gate.rows import check
from nnbench.gate.verdicts import Row, Tolerances, Verdict

__all__ = [
    "Row",
    "Tolerances",
    "Verdict",
    "baseline_summary",
    "check",
    "junit_xml",
    "make_baseline",
    "read_baseline",
    "render_check",
    "write_baseline",
]
