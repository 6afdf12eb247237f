"""The autodiff study's arithmetic: when finite-difference times are extrapolated, and how."""

from __future__ import annotations

from nnbench.studies.autodiff import Timing, claims, linear, timing_row


def probe(dim: int, objective_s: float, fd_per_coordinate_s: float, done: int) -> Timing:
    """A net's measurements, its finite differences stopped after ``done`` coordinates."""
    info = {
        "dim": dim,
        "batch": 100,
        "objective_s": objective_s,
        "gradient_s": 2 * objective_s,
        "gradient_ratio": 2.0,
        "fd_coordinates": done,
        "fd_complete": done == dim,
        "fd_measured_s": fd_per_coordinate_s * done,
        "fd_s_per_coordinate": fd_per_coordinate_s,
        "fd_relative_error": 1e-7,
        "check_coordinates": 1000,
    }
    return Timing([dim], info)


def test_unfinished_runs_are_extrapolated_only_when_the_cost_per_coordinate_agrees():
    small = probe(1000, 0.001, 0.0011, done=1000)  # 1.1 objectives per coordinate
    large = probe(100_000, 0.002, 0.0030, done=5000)  # 1.5
    assert linear([small, large])
    assert timing_row(large, extrapolate=True)[5:8] == [
        "≈ 300.0 (extrapolated from 5,000 coordinates)",
        "≈ 150,000",
        "≈ 1.50",
    ]
    assert timing_row(small, extrapolate=True)[5:8] == ["1.10", "1,100", "1.10"]
    slow = probe(100_000, 0.002, 0.0060, done=5000)  # 3.0: not the same cost as 1.1
    assert not linear([small, slow])
    assert timing_row(slow, extrapolate=False)[5:8] == [
        "not extrapolated (5,000 coordinates measured)",
        "–",
        "–",
    ]
    lines = claims([small, slow], extrapolate=False)
    assert lines[0].startswith("Reverse mode costs at most about 5 objectives: held.")
    assert lines[1].startswith(
        "Finite differences cost about dim(θ) objectives: held (within a factor of 2)."
    )
    assert "was 1.10 to 1.10 times dim(θ)" in lines[1]  # only the finished run counts
    assert lines[2].startswith(
        "The reverse-mode and finite-difference gradients agree to 0.001 relative: held."
    )
    costly = probe(1000, 0.001, 0.0030, done=1000)  # 3.0 objectives per coordinate
    assert ": did not hold (within a factor of 2)" in claims([costly], extrapolate=False)[1]
