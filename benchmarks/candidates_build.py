"""The candidates builder against loopback fakes of both Vote Smart APIs, without a rate limit:
how long the builder itself takes per candidate (requests, JPEG decoding, the PNG), beside what
the default rate limit of 2 requests per second costs. The fakes are the tests'
(``tests/datasets/votesmart/``): the classic API in recorded shapes, REST API 2.0 in inferred
ones; no live service is called.

    python benchmarks/candidates_build.py
    python benchmarks/candidates_build.py --candidates 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from perf_files import PERF_DIR, ROOT, write_perf

sys.path.insert(0, str(ROOT))  # the tests' fakes

from nnbench.presentation import Table, markdown_table  # noqa: E402
from tests.datasets.votesmart.fakes import Person, World, build, serve  # noqa: E402
from tests.datasets.votesmart.inferred import Rest2Fake  # noqa: E402
from tests.datasets.votesmart.recorded import ClassicFake  # noqa: E402

#: the lecture's candidates and the builder's default rate limit
LECTURE_CANDIDATES = 40_932
DEFAULT_RATE = 2.0


def run(fake: World, candidates: int) -> dict[str, Any]:
    """Build ``candidates`` candidates from ``fake``; the time and the requests it took."""
    with serve(fake), tempfile.TemporaryDirectory() as folder:
        fake.populate(
            {str(1000 + i): Person("Male" if i % 2 else "Female") for i in range(candidates)}
        )
        if isinstance(fake, Rest2Fake):
            fake.page_size = 500
        started = time.perf_counter()
        manifest = build(fake, Path(folder) / "candidates", rate_limit=1e6, timeout=30.0)
        build_s = time.perf_counter() - started
    requests = sum(fake.hits.values())
    return {
        "api": fake.api_name,
        "candidates": candidates,
        "kept": manifest["counts"]["kept"],
        "requests": requests,
        "build_s": build_s,
        "ms_per_candidate": 1000 * build_s / candidates,
        "rate_limited_hours_for_lecture": LECTURE_CANDIDATES
        * requests
        / candidates
        / DEFAULT_RATE
        / 3600,
    }


def table(rows: list[dict[str, Any]]) -> Table:
    headers = ["API", "candidates", "kept", "requests", "build s", "ms / candidate"]
    headers += [f"hours for {LECTURE_CANDIDATES:,} at {DEFAULT_RATE:g} requests/s"]
    body = [
        [
            row["api"],
            f"{row['candidates']:,}",
            f"{row['kept']:,}",
            f"{row['requests']:,}",
            f"{row['build_s']:.2f}",
            f"{row['ms_per_candidate']:.1f}",
            f"{row['rate_limited_hours_for_lecture']:.1f}",
        ]
        for row in rows
    ]
    return Table(headers, body, "lrrrrrr")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=PERF_DIR)
    args = parser.parse_args(argv)
    rows = [run(fake, args.candidates) for fake in (ClassicFake(), Rest2Fake())]
    title = (
        f"The candidates builder, {args.candidates:,} candidates from loopback fakes of each "
        "Vote Smart API (no live service), no rate limit, one build each."
    )
    write_perf(args.out, "candidates_build", title, markdown_table(table(rows)), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
