"""Where a report goes: the rules that turn a format and an output path into files, and the
printing and writing of the report. Used by ``nnbench report``, ``all`` and ``run``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from nnbench.errors import ConfigError
from nnbench.files import writing
from nnbench.report.document import Report
from nnbench.report.output import render_text, write_report
from nnbench.report.render import FORMATS


def publish(
    report_of: Callable[[bool], Report],
    folder: Path | None,
    format_name: str | None,
    output: str | None,
    flag: str = "--output",
) -> None:
    """Print and write the report that ``report_of(with_plots)`` builds (a study's report of
    the loaded results).

    With no ``format_name``: every format and the plots go into ``output`` (a folder), else
    ``folder``, and the Markdown (report.md) is printed. With one: that format goes to the file
    ``output`` (a folder, existing or written with a trailing ``/``, gets its usual file name),
    with the plots beside it, or is printed when there is no ``output`` (Markdown and LaTeX then
    leave the plots out; HTML embeds them). A failure to write names ``output`` as ``flag``, or
    ``folder``, the default, as the run folder, with ``flag`` as the way to write elsewhere.
    """
    printed_only = format_name in ("md", "latex") and output is None
    report = report_of(not printed_only)
    if format_name is None:
        folder = Path(output) if output else folder
        if folder is None:
            raise ConfigError(
                "A report over several run folders needs --output DIR for its files "
                "(or --format FORMAT to print one format)."
            )
        files = {name: folder / file_name for name, file_name in FORMATS.items()}
        print(render_text(report, "md"), end="")
    elif output is None:
        print(render_text(report, format_name), end="")
        return
    else:
        as_folder = Path(output).is_dir() or output.endswith(("/", os.sep))
        files = {format_name: Path(output, FORMATS[format_name]) if as_folder else Path(output)}
    target = next(iter(files.values()))
    if output is None:
        fix = f"Pass {flag} DIR to write it elsewhere."
        where = writing("the report into the run folder", target.parent, fix)
    else:
        where = writing(flag, target.parent if format_name is None else target)
    with where:
        written = write_report(report, files)
    plots = sum(path.suffix == ".png" for path in written)
    names = ", ".join(str(path) for path in written if path.suffix not in (".png", ".svg"))
    extra = f" and {plots} plots (PNG and SVG) in {written[0].parent}" if plots else ""
    print(f"nnbench: wrote {names}{extra}", file=sys.stderr)
