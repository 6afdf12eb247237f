"""The index of a run folder: the tables of its result files (:func:`nnbench.results.load_tables`)
kept as Parquet files in the hidden folder ``.nnbench-index`` inside it, so that loading a run
of 100,000 cells reads five columnar files instead of 100,000 JSON documents.

The JSON result files stay the source of truth; deleting the index loses nothing. The index
records the name, size and modification time of every result file it holds (as the data cache
does). Loading a folder lists its result files, re-reads only those added or rewritten since,
drops the rows of those removed, and writes the index anew when anything changed.

Why Parquet, not SQLite: a load reads every row, and reading 2 million rows of 70 columns is a
columnar read (pyarrow, strings without one Python object each), where SQLite hands back one
Python object per value; updates come in batches (a run's end, a load), not row by row.

Writers never corrupt it. An update holds an exclusive lock on ``.nnbench-index/lock``, and each
of its files is written to a temporary file and renamed. Every file carries the generation it
belongs to; a reader that finds files of two generations, or a damaged file, rebuilds from the
result files. A folder that cannot be written (read-only, say) is loaded without an index.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import cast

import pandas as pd

from nnbench import __version__
from nnbench.errors import ResultFileError
from nnbench.files import digest
from nnbench.parquet_files import parquet_metadata, read_parquet, write_parquet
from nnbench.result_tables import (
    COLUMNS,
    CONFUSION_COLUMNS,
    EPOCH_COLUMNS,
    SCORE_COLUMNS,
    Tables,
    tables,
)
from nnbench.schemas.result_types import ResultDoc

#: the hidden folder of a run folder's index
INDEX_DIR = ".nnbench-index"
#: the tables of :class:`Tables`, each one Parquet file of the index
TABLES = tuple(field.name for field in fields(Tables))
#: the column of an indexed table naming the result file a row comes from
FILE = "_file"
#: what the index's rows are made by: another nnbench, or other columns, means a rebuild
LAYOUT = digest([__version__, COLUMNS, EPOCH_COLUMNS, CONFUSION_COLUMNS, SCORE_COLUMNS])
MANIFEST_COLUMNS = {FILE: "string", "size": "int64", "mtime_ns": "int64", "cell_index": "int64"}

Listing = dict[str, tuple[int, int]]
#: reads and validates one result file
Reader = Callable[[Path], ResultDoc]


@dataclass(frozen=True)
class Index:
    """One folder's result files (name, size, modification time, the cell's place in its run)
    and their tables, each row naming its file in :data:`FILE`."""

    manifest: pd.DataFrame
    tables: Tables

    def listing(self) -> Listing:
        """What the index holds: each file's (size, modification time), by name."""
        names, sizes, times = (self.manifest[c].tolist() for c in (FILE, "size", "mtime_ns"))
        return dict(zip(names, zip(sizes, times, strict=True), strict=True))


def list_results(run_dir: Path, pattern: str) -> Listing:
    """The result files of ``run_dir`` (names matching the glob ``pattern``), each with its size
    and modification time in nanoseconds."""
    matches = re.compile(fnmatch.translate(pattern)).match
    found: Listing = {}
    with os.scandir(run_dir) as entries:
        for entry in entries:
            if matches(entry.name) and not entry.name.startswith("."):
                with contextlib.suppress(FileNotFoundError):  # removed while listing
                    stat = entry.stat()
                    found[entry.name] = (stat.st_size, stat.st_mtime_ns)
    return found


def index_path(run_dir: Path, name: str) -> Path:
    return run_dir / INDEX_DIR / f"{name}.parquet"


def read_index(run_dir: Path) -> Index | None:
    """The folder's index, or None where it is missing, damaged, of another layout, or mixes
    two generations."""
    paths = {name: index_path(run_dir, name) for name in ("manifest", *TABLES)}
    try:
        stamps = {json_stamp(parquet_metadata(path)) for path in paths.values()}
        if len(stamps) != 1 or next(iter(stamps))[0] != LAYOUT:
            return None
        frames = {name: read_parquet(path) for name, path in paths.items()}
    except (ResultFileError, OSError, ValueError, KeyError):
        return None
    return Index(frames.pop("manifest"), Tables(**frames))


def json_stamp(metadata: Mapping[str, object]) -> tuple[object, object]:
    """A file's (layout, generation): files of one index share both."""
    return metadata.get("layout"), metadata.get("generation")


def write_index(run_dir: Path, index: Index) -> None:
    """Write every file of ``index`` atomically, all stamped with one new generation."""
    stamp = {"layout": LAYOUT, "generation": uuid.uuid4().hex}
    for name in TABLES:
        write_parquet(index_path(run_dir, name), getattr(index.tables, name), stamp)
    write_parquet(index_path(run_dir, "manifest"), index.manifest, stamp)


@contextlib.contextmanager
def locked(run_dir: Path) -> Iterator[None]:
    """Hold the folder's index lock (where the system has ``fcntl``; elsewhere each file's
    atomic rename and the generation stamp still keep a reader from a mixed index)."""
    (run_dir / INDEX_DIR).mkdir(exist_ok=True)
    with open(run_dir / INDEX_DIR / "lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def documents_index(documents: Mapping[str, ResultDoc], listing: Listing) -> Index:
    """The index of result documents given by file name, whose files ``listing`` describes:
    their tables, whose ``run`` column names each row's file for now."""
    made = tables({name: [document] for name, document in documents.items()})
    manifest = pd.DataFrame(
        {
            FILE: list(documents),
            "size": [listing[name][0] for name in documents],
            "mtime_ns": [listing[name][1] for name in documents],
            "cell_index": [document.get("cell_index", 0) for document in documents.values()],
        }
    )
    return Index(manifest.astype(MANIFEST_COLUMNS), made)


def merged(kept: Index, added: Index) -> Index:
    """The rows of ``kept`` and ``added`` together, files in the order their cells ran (by
    ``cell_index``, then name, as :func:`nnbench.results.read_run` orders them)."""
    manifest = pd.concat([kept.manifest, added.manifest], ignore_index=True)
    manifest = manifest.sort_values(["cell_index", FILE], kind="stable", ignore_index=True)
    rank = pd.Series(range(len(manifest)), index=manifest[FILE].astype(object))

    def ordered(name: str) -> pd.DataFrame:
        table = pd.concat([getattr(kept.tables, name), getattr(added.tables, name)])
        order = table["run"].astype(object).map(rank).to_numpy()
        return cast(pd.DataFrame, table.iloc[order.argsort(kind="stable")].reset_index(drop=True))

    return Index(manifest, Tables(**{name: ordered(name) for name in TABLES}))


def without(index: Index, names: set[str]) -> Index:
    """``index`` less the rows of the files ``names``."""
    if not names:
        return index
    keep = {
        name: getattr(index.tables, name)[~getattr(index.tables, name)["run"].isin(names)]
        for name in TABLES
    }
    manifest = index.manifest[~index.manifest[FILE].isin(names)]
    return Index(manifest.reset_index(drop=True), Tables(**keep))


def refreshed(
    run_dir: Path, index: Index | None, listing: Listing, read: Reader
) -> tuple[Index, bool]:
    """``index`` brought up to ``listing`` (the folder's files now), reading with ``read`` the
    files it lacks or holds at another size or time; and whether anything changed."""
    held = index.listing() if index is not None else {}
    stale = {name for name, stat in held.items() if listing.get(name) != stat}
    new = [name for name, stat in listing.items() if held.get(name) != stat]
    if index is not None and not stale and not new:
        return index, False
    documents = {name: read(run_dir / name) for name in sorted(new)}
    kept = without(index, stale) if index is not None else documents_index({}, {})
    return merged(kept, documents_index(documents, listing)), True


def folder_tables(run_dir: Path, pattern: str, read: Reader) -> Tables:
    """The tables of the result files of ``run_dir`` (names matching ``pattern``, each read by
    ``read``), through its index: brought up to date and written back where anything changed,
    or built in memory where the folder cannot be written. Each table's ``run`` column names
    the row's result file."""
    try:
        with locked(run_dir):
            listing = list_results(run_dir, pattern)
            index, changed = refreshed(run_dir, read_index(run_dir), listing, read)
            if changed:
                write_index(run_dir, index)
    except OSError:  # the folder cannot hold an index: read-only, or full
        index, _ = refreshed(run_dir, None, list_results(run_dir, pattern), read)
    return index.tables
