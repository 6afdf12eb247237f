"""The uint8 array store: round trip, prefixes, and no half-written folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnbench.datasets.arrays import ArrayStore
from nnbench.errors import DataError

SHAPE = (3, 2, 1)


def chunks_of(images: np.ndarray, labels: np.ndarray, size: int):
    """``(images, labels)`` in pieces of ``size`` rows."""
    return ((images[i : i + size], labels[i : i + size]) for i in range(0, len(images), size))


def example(rows: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    images = (np.arange(rows * 6).reshape(rows, *SHAPE) + offset).astype(np.uint8)
    return images, np.arange(rows, dtype=np.int64) % 2


def write(store: ArrayStore, key: dict, train_rows: int = 7, test_rows: int = 3) -> None:
    train, test = example(train_rows), example(test_rows, offset=100)
    store.write(
        key,
        SHAPE,
        {"train": (train_rows, chunks_of(*train, 3)), "test": (test_rows, chunks_of(*test, 2))},
    )


def test_round_trip_prefix_and_key(tmp_path: Path):
    store = ArrayStore(tmp_path / "store")
    assert store.key() is None
    write(store, {"version": 1})
    assert store.key() == {"version": 1}
    loaded = store.load()
    np.testing.assert_array_equal(loaded["train"][0], example(7)[0])
    np.testing.assert_array_equal(loaded["test"][0], example(3, offset=100)[0])
    assert loaded["train"][1].dtype == np.int64
    assert loaded["train"][0].dtype == np.uint8
    first = store.load(limit=2)
    assert [len(first[split][0]) for split in ("train", "test")] == [2, 2]
    np.testing.assert_array_equal(first["train"][0], example(7)[0][:2])


def test_rewrite_replaces_the_store_whole(tmp_path: Path):
    store = ArrayStore(tmp_path / "store")
    write(store, {"version": 1})
    write(store, {"version": 2}, train_rows=4)
    assert store.key() == {"version": 2}
    assert len(store.load()["train"][0]) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_short_source_leaves_nothing_behind(tmp_path: Path):
    store = ArrayStore(tmp_path / "store")
    images, labels = example(5)
    with pytest.raises(DataError, match="train split: expected 9 images, the source gave 5"):
        store.write({}, SHAPE, {"train": (9, chunks_of(images, labels, 2))})
    assert list(tmp_path.iterdir()) == []


def test_damaged_store_names_the_folder_and_the_fix(tmp_path: Path):
    store = ArrayStore(tmp_path / "store")
    write(store, {"version": 1})
    (tmp_path / "store" / "test_images.npy").write_bytes(b"not numpy")
    with pytest.raises(DataError, match=r"store is damaged .*Delete .*store and run again"):
        store.load()
