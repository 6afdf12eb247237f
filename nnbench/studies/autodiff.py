"""The autodiff study: what a gradient costs, by reverse mode and by finite differences.

The lecture claims that reverse-mode automatic differentiation computes a gradient for at most
about 5 times the cost of the function (Griewank and Walther, 2008), where forward finite
differences cost dim(θ) times as much. Each cell is the probe
:class:`nnbench.models.gradient_cost.GradientCost` on a dense net of one width; this module
turns the timings it recorded into the study's table, claims and plot.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure as MatplotlibFigure

from nnbench.presentation import MISSING, Table
from nnbench.report.blocks import Block, Figure, Heading, Items, Paragraph, TableBlock
from nnbench.report.plots import new_figure
from nnbench.report.sections import ReportInput, environment, per_dataset, plot_name
from nnbench.report.tables import dataset_title
from nnbench.stats import CellSummary
from nnbench.studies.common import HELD, NOT_HELD, model_info, param
from nnbench.studies.study import Study

#: the lecture's bound on reverse mode: a gradient costs at most about this many objectives
REVERSE_MODE_BOUND = 5.0
#: "about dim(θ) objectives": finite differences within this factor of dim(θ) objectives
FD_FACTOR = 2.0
#: the relative error within which the two gradients must agree
AGREEMENT = 1e-3
#: finite-difference costs are extrapolated only when the cost per coordinate, in objectives,
#: varies across the nets by at most this factor (the measured ratios are then linear in dim)
LINEAR_SPREAD = 2.0


@dataclass(frozen=True)
class Timing:
    """One net's measurements (the first successful seed's)."""

    hidden_units: list[int]
    info: dict[str, Any]

    @property
    def dim(self) -> int:
        return int(self.info["dim"])

    @property
    def per_coordinate(self) -> float:
        """Finite-difference seconds per coordinate, in objectives."""
        return float(self.info["fd_s_per_coordinate"] / self.info["objective_s"])

    def fd_seconds(self, extrapolate: bool) -> float | None:
        """The finite-difference gradient's seconds: measured when it finished, else (when
        ``extrapolate``) its measured seconds per coordinate times dim(θ)."""
        if self.info["fd_complete"]:
            return float(self.info["fd_measured_s"])
        return float(self.info["fd_s_per_coordinate"]) * self.dim if extrapolate else None


def timings(cells: Sequence[CellSummary]) -> list[Timing]:
    """The measurements of every cell that ran, smallest net first."""
    found = [
        Timing(list(param(cell, "hidden_units") or []), model_info(cell)[0])
        for cell in cells
        if cell.succeeded and model_info(cell) and "dim" in model_info(cell)[0]
    ]
    return sorted(found, key=lambda timing: timing.dim)


def linear(found: Sequence[Timing]) -> bool:
    """Whether the finite-difference cost per coordinate, in objectives, is the same for every
    net within :data:`LINEAR_SPREAD`: the ratio to the objective then grows as dim(θ)."""
    costs = [timing.per_coordinate for timing in found]
    return bool(costs) and max(costs) <= LINEAR_SPREAD * min(costs)


def timing_row(timing: Timing, extrapolate: bool) -> list[str]:
    """One net's row."""
    info = timing.info
    fd = timing.fd_seconds(extrapolate)
    if fd is None:
        fd_text = f"not extrapolated ({info['fd_coordinates']:,} coordinates measured)"
    elif info["fd_complete"]:
        fd_text = f"{fd:.2f}"
    else:
        fd_text = f"≈ {fd:.1f} (extrapolated from {info['fd_coordinates']:,} coordinates)"
    about = "" if info["fd_complete"] else "≈ "  # derived from an extrapolated time
    ratio = MISSING if fd is None else f"{about}{fd / info['objective_s']:,.0f}"
    per_dim = MISSING if fd is None else f"{about}{fd / info['objective_s'] / timing.dim:.2f}"
    return [
        f"{timing.dim:,}",
        str(timing.hidden_units),
        f"{info['objective_s'] * 1e3:.3f}",
        f"{info['gradient_s'] * 1e3:.3f}",
        f"{info['gradient_ratio']:.2f}",
        fd_text,
        ratio,
        per_dim,
        f"{info['fd_relative_error']:.1e}",
    ]


def claims(found: Sequence[Timing], extrapolate: bool) -> list[str]:
    """The lecture's claims, each decided by the numbers."""
    ratios = [timing.info["gradient_ratio"] for timing in found]
    verdict = HELD if max(ratios) <= REVERSE_MODE_BOUND else NOT_HELD
    lines = [
        f"Reverse mode costs at most about {REVERSE_MODE_BOUND:g} objectives: {verdict}. "
        f"The gradient took {min(ratios):.2f} to {max(ratios):.2f} times the objective's time "
        f"over dim(θ) from {found[0].dim:,} to {found[-1].dim:,}."
    ]
    per_dim = [
        fd / timing.info["objective_s"] / timing.dim
        for timing in found
        if (fd := timing.fd_seconds(extrapolate)) is not None
    ]
    if per_dim:
        within = 1 / FD_FACTOR <= min(per_dim) and max(per_dim) <= FD_FACTOR
        lines.append(
            f"Finite differences cost about dim(θ) objectives: {HELD if within else NOT_HELD} "
            f"(within a factor of {FD_FACTOR:g}). Their time over the objective's was "
            f"{min(per_dim):.2f} to {max(per_dim):.2f} times dim(θ) (one objective per "
            "coordinate, plus the cost of moving θ)."
        )
    errors = [timing.info["fd_relative_error"] for timing in found]
    agree = HELD if max(errors) <= AGREEMENT else NOT_HELD
    checked = max(timing.info["check_coordinates"] for timing in found)
    lines.append(
        f"The reverse-mode and finite-difference gradients agree to {AGREEMENT:g} relative: "
        f"{agree}. "
        f"‖difference‖ / ‖reverse mode‖ is at most {max(errors):.1e}, computed in float64 on "
        f"the same nets and weights over up to {checked:,} coordinates drawn at random. (In "
        "float32, forward differences agree only to about 1e-3 to 1e-2: the objective's "
        "rounding over the step, and steps across ReLU's kink, swamp the small entries.)"
    )
    return lines


def worked_example_lines(example: dict[str, Any]) -> list[str]:
    """The lecture's worked example, computed, and where its numbers go wrong."""
    x1, x2 = example["point"]
    reverse, forward = example["reverse_mode"], example["finite_difference"]
    error = max(abs(r - a) / abs(a) for r, a in zip(reverse, example["analytic"], strict=True))
    return [
        f"f(x1, x2) = x1·x2 + 3·x1² at (x1, x2) = ({x1:g}, {x2:g}): f = {example['f']:g}, as "
        "the lecture's forward step finds (6 + 12 = 18).",
        f"Its gradient by reverse mode on the Keras backend is ({reverse[0]:.4f}, "
        f"{reverse[1]:.4f}), by finite differences ({forward[0]:.4f}, {forward[1]:.4f}); the "
        f"analytic (x2 + 6·x1, x1) is ({example['analytic'][0]:g}, "
        f"{example['analytic'][1]:g}), which reverse mode matches to {error:.1e} relative.",
        f"The lecture states ({example['lecture'][0]:g}, {example['lecture'][1]:g}): its "
        "∂f/∂x1 = 1·x2 + 3·2·x1 is evaluated as 1·2 + 3·2·3 = 20, with x1 and x2 swapped; at "
        f"({x1:g}, {x2:g}) it is {x2:g} + 6·{x1:g} = {example['analytic'][0]:g}. Its "
        "decomposition also writes w4 = w1 + x3 for w1 + w3.",
    ]


def ratio_plot(found: Sequence[Timing], extrapolate: bool, title: str) -> MatplotlibFigure:
    """Gradient time over objective time against dim(θ), for both gradients (log-log)."""
    figure, axes = new_figure("learning-curves", title)
    dims = [timing.dim for timing in found]
    axes.plot(dims, [t.info["gradient_ratio"] for t in found], marker="o", label="reverse mode")
    measured = [(t.dim, t.fd_seconds(extrapolate), t.info) for t in found]
    points = [(dim, fd / info["objective_s"]) for dim, fd, info in measured if fd is not None]
    if points:
        axes.plot(*zip(*points, strict=True), marker="s", label="finite differences")
    axes.plot(dims, dims, linestyle=":", color="0.4", label="dim(θ)")
    axes.axhline(REVERSE_MODE_BOUND, linestyle="--", color="0.4", label="5 (the lecture's bound)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("dim(θ): the dense net's parameters")
    axes.set_ylabel("gradient time / objective time")
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    return figure


def dataset_section(cells: Sequence[CellSummary], given: ReportInput) -> list[Block]:
    """One dataset's timings, claims, worked example and plot."""
    title = dataset_title(cells[0])
    found = timings(cells)
    if not found:
        return [Heading(f"Gradients on {title}", 2), Paragraph("No net was timed.")]
    extrapolate = linear(found)
    headers = ["dim(θ)", "hidden units", "Q(θ) ms", "gradient ms", "gradient / Q"]
    headers += ["finite differences s", "FD / Q", "FD / Q ÷ dim(θ)", "FD vs reverse (float64)"]
    rows = [timing_row(timing, extrapolate) for timing in found]
    batch = found[0].info["batch"]
    blocks: list[Block] = [
        Heading(f"Gradients on {title}", 2),
        TableBlock(Table(headers, rows, "rl" + "r" * 7), f"The cost of a gradient on {title}."),
        Paragraph(
            f"Q(θ) is the dense net's mean cross-entropy on a fixed batch of {batch} training "
            "images at its initial weights. Q and its reverse-mode gradient (Keras ops on the "
            "active backend, compiled) are the median of repeated calls after a compiling one; "
            "the forward finite-difference gradient evaluates Q once per coordinate until its "
            "time budget runs out. "
            + (
                "Its cost per coordinate, in objectives, varied by less than a factor of "
                f"{LINEAR_SPREAD:g} over the nets, so the ratios are linear in dim(θ) and the "
                "unfinished ones are extrapolated (marked ≈)."
                if extrapolate
                else "Its cost per coordinate was not the same across the nets, so unfinished "
                "runs are not extrapolated."
            )
        ),
        Items(claims(found, extrapolate)),
        Heading("The lecture's worked example", 3),
        Items(worked_example_lines(found[0].info["worked_example"])),
    ]
    if given.with_plots:
        blocks.append(
            Figure(
                f"{plot_name(cells[0].dataset)}-autodiff-ratios",
                "Gradient time over objective time against dim(θ).",
                functools.partial(
                    ratio_plot, found, extrapolate, f"{title}: the cost of a gradient"
                ),
            )
        )
    return blocks


STUDY = Study(
    name="autodiff",
    description="The cost of the dense net's gradient by reverse mode and by finite "
    "differences, against dim(θ), and the lecture's worked example.",
    suite=Path(__file__).with_name("autodiff.toml"),
    sections=(per_dataset(dataset_section), environment),
)
