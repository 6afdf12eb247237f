"""Render a :class:`~nnbench.report.document.Report` as Markdown, LaTeX, HTML or CSV."""

from __future__ import annotations

import base64
import html
import unicodedata
from collections.abc import Mapping, Sequence

from nnbench.presentation import Table, markdown_table
from nnbench.report.blocks import Figure, Heading, Items, Paragraph, TableBlock
from nnbench.report.document import Report

FORMATS = {"md": "report.md", "latex": "report.tex", "html": "report.html", "csv": "report.csv"}
PLOTS_FOLDER = "plots"
#: how each LaTeX special character, and each character pdflatex cannot read as it is, is written
LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "±": r"\ensuremath{\pm}",
    "≥": r"\ensuremath{\geq}",
    "×": r"\ensuremath{\times}",
    "·": r"\textperiodcentered{}",
    "–": "--",
    "“": "``",
    "”": "''",
}
#: a page that may load nothing from anywhere: images are data: URLs, styles are inline
CONTENT_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #ccc; }
thead th { border-bottom: 2px solid #333; }
td.r, th.r { text-align: right; white-space: nowrap; }
td.l, th.l { text-align: left; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
"""


def markdown(report: Report) -> str:
    """The report as Markdown; figures link ``plots/<stem>.png``."""
    parts = []
    for block in report.blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Items):
            parts.append("\n".join(f"- {line}" for line in block.lines))
        elif isinstance(block, TableBlock):
            parts.append(markdown_table(block.table))
        else:
            parts.append(f"![{block.caption}]({PLOTS_FOLDER}/{block.stem}.png)")
    return "\n\n".join(parts) + "\n"


def latex_character(character: str) -> str:
    """One character as pdflatex reads it: escaped when special; ASCII and Latin-1 as they are
    (UTF-8 input); anything else as its ASCII letter when it has one (ő as o), else its code
    point written out (``[U+03B1]``), since pdflatex stops at a character it has no glyph for."""
    if character in LATEX_ESCAPES:
        return LATEX_ESCAPES[character]
    if ord(character) < 0x80 or 0xA0 <= ord(character) <= 0xFF:
        return character
    folded = unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode("ascii")
    return latex_escape(folded) if folded else f"[U+{ord(character):04X}]"


def latex_escape(text: str) -> str:
    """``text`` with every LaTeX special character escaped, ready for pdflatex."""
    return "".join(map(latex_character, text))


def latex_table(table: Table, caption: str) -> str:
    """A booktabs table, every cell escaped, in a ``table`` float with its caption."""

    def line(cells: Sequence[str]) -> str:
        return " & ".join(latex_escape(cell) for cell in cells) + r" \\"

    return "\n".join(
        [
            r"\begin{table}[H]",
            r"\centering\small",
            rf"\caption{{{latex_escape(caption)}}}",
            rf"\begin{{tabular}}{{{table.align}}}",
            r"\toprule",
            line(table.headers),
            r"\midrule",
            *(line(row) for row in table.rows),
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{table}",
        ]
    )


def latex(report: Report) -> str:
    """The report as a LaTeX document for pdflatex, with booktabs, geometry, graphicx and
    float (whose ``[H]`` keeps each table and figure where it is written, so that no number
    of them overflows LaTeX's float queue); figures include ``plots/<stem>.png``."""
    sections = {1: "section*", 2: "subsection*", 3: "subsubsection*"}
    body = []
    for block in report.blocks:
        if isinstance(block, Heading) and block.level == 1:
            body.append(rf"\title{{{latex_escape(block.text)}}}\author{{}}\date{{}}\maketitle")
        elif isinstance(block, Heading):
            body.append(rf"\{sections[block.level]}{{{latex_escape(block.text)}}}")
        elif isinstance(block, Paragraph):
            body.append(latex_escape(block.text))
        elif isinstance(block, Items):
            items = "\n".join(rf"\item {latex_escape(line)}" for line in block.lines)
            body.append(f"\\begin{{itemize}}\n{items}\n\\end{{itemize}}")
        elif isinstance(block, TableBlock):
            body.append(latex_table(block.table, block.caption))
        else:
            body.append(
                "\n".join(
                    [
                        r"\begin{figure}[H]",
                        r"\centering",
                        rf"\includegraphics[width=0.8\linewidth,height=0.7\textheight,keepaspectratio]"
                        rf"{{{PLOTS_FOLDER}/{block.stem}.png}}",
                        rf"\caption{{{latex_escape(block.caption)}}}",
                        r"\end{figure}",
                    ]
                )
            )
    preamble = [
        r"\documentclass{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[margin=1.5cm,landscape]{geometry}",
        r"\usepackage{booktabs}",
        r"\usepackage{graphicx}",
        r"\usepackage{float}",
        r"\begin{document}",
    ]
    return "\n\n".join(["\n".join(preamble), *body, r"\end{document}"]) + "\n"


def html_table(table: Table, caption: str) -> str:
    """An HTML table with a caption, each cell escaped and aligned."""

    def cells(tag: str, row: list[str]) -> str:
        return "".join(
            f'<{tag} class="{align}">{html.escape(cell)}</{tag}>'
            for cell, align in zip(row, table.align, strict=True)
        )

    body = "\n".join(f"<tr>{cells('td', row)}</tr>" for row in table.rows)
    return (
        f"<table>\n<caption>{html.escape(caption)}</caption>\n"
        f"<thead><tr>{cells('th', table.headers)}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    )


def html_page(report: Report, images: Mapping[str, bytes]) -> str:
    """The report as one self-contained HTML page: tables, and every figure embedded as a PNG
    ``data:`` URL from ``images`` (by stem). The page loads nothing else."""
    title = next(block.text for block in report.blocks if isinstance(block, Heading))
    body = []
    for block in report.blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Items):
            items = "".join(f"<li>{html.escape(line)}</li>" for line in block.lines)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(block, TableBlock):
            body.append(html_table(block.table, block.caption))
        elif isinstance(block, Figure):
            data = base64.b64encode(images[block.stem]).decode("ascii")
            body.append(
                f'<figure id="{html.escape(block.stem)}"><img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(block.caption)}"><figcaption>{html.escape(block.caption)}'
                "</figcaption></figure>"
            )
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    return head + "\n".join(body) + "\n</body>\n</html>\n"


def csv_text(report: Report) -> str:
    """The report's numbers as CSV: one row per (cell, metric, split, class)."""
    return report.summary.to_csv(index=False)
