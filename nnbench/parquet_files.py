"""Tables as Parquet files (pyarrow), written atomically, with nnbench's own metadata beside
pandas': the result schema and nnbench version that wrote them, and what a caller adds. A table
read back has the columns, order and pandas dtypes it was written with."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nnbench import __version__
from nnbench.errors import ResultFileError
from nnbench.files import atomic_writer
from nnbench.schemas.result import SCHEMA

#: the key of nnbench's metadata in a Parquet file's schema metadata (JSON)
METADATA_KEY = b"nnbench"


def write_parquet(path: Path, frame: pd.DataFrame, metadata: Mapping[str, Any] = {}) -> Path:
    """Write ``frame`` (without its index) to ``path`` atomically, with ``metadata`` and the
    result schema and nnbench version under :data:`METADATA_KEY`; return ``path``."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    ours = {"schema": SCHEMA, "nnbench": __version__, **metadata}
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(ours).encode("utf-8")}
    )
    with atomic_writer(path) as handle:
        pq.write_table(table, handle)
    return path


def parquet_metadata(path: Path) -> dict[str, Any]:
    """nnbench's metadata of a Parquet file written by :func:`write_parquet`."""
    try:
        stored = (pq.read_schema(path).metadata or {}).get(METADATA_KEY)
    except (OSError, pa.ArrowException) as exc:
        raise ResultFileError(f"{path}: cannot be read as Parquet ({exc}).") from None
    return json.loads(stored) if stored else {}


def read_parquet(path: Path) -> pd.DataFrame:
    """The table of a Parquet file written by :func:`write_parquet`, with its pandas dtypes."""
    try:
        return cast(pd.DataFrame, pq.read_table(path).to_pandas())  # pyarrow has no types
    except (OSError, pa.ArrowException) as exc:
        raise ResultFileError(f"{path}: cannot be read as Parquet ({exc}).") from None
