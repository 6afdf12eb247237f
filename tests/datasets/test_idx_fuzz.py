"""Hypothesis fuzzing of the IDX reader: any bytes give an array or a DataError naming the file,
and a folder reported as data has labels within its classes, every test class in train."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nnbench.datasets import get_dataset
from nnbench.datasets.idx import (
    IMAGES_MAGIC,
    LABELS_MAGIC,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    encode_idx,
    parse_idx,
    read_idx_file,
)
from nnbench.errors import DataError

IMAGES = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)


@st.composite
def damaged(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` cut short, lengthened, and with some bytes (mostly the header's) replaced."""
    raw = bytearray(valid[: draw(st.integers(0, len(valid)))])
    raw += draw(st.binary(max_size=8))
    for _ in range(draw(st.integers(0, 4))):
        if raw:
            position = draw(st.integers(0, min(len(raw), 16) - 1))
            raw[position] = draw(st.integers(0, 255))
    return bytes(raw)


def parses_or_is_named(raw: bytes, magic: int) -> np.ndarray | None:
    try:
        array = parse_idx(raw, "some/file", magic)
    except DataError as exc:
        assert str(exc).startswith("some/file: ")
        return None
    assert array.dtype == np.uint8
    assert array.size == len(raw) - 4 - 4 * array.ndim  # the header's counts match the body
    return array


@given(st.binary(max_size=64))
def test_any_bytes_give_an_array_or_a_data_error(raw):
    parses_or_is_named(raw, IMAGES_MAGIC)
    parses_or_is_named(raw, LABELS_MAGIC)


@given(damaged(encode_idx(IMAGES)))
def test_a_damaged_file_gives_an_array_or_a_data_error(raw):
    array = parses_or_is_named(raw, IMAGES_MAGIC)
    if raw == encode_idx(IMAGES):
        np.testing.assert_array_equal(array, IMAGES)


@given(st.binary(max_size=40))
def test_a_damaged_gzip_file_is_a_data_error(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.gz"
        path.write_bytes(b"\x1f\x8b" + raw)
        with pytest.raises(DataError, match=r"x.gz: "):
            read_idx_file(path, IMAGES_MAGIC)


LABELS = st.lists(st.integers(0, 255), min_size=1, max_size=12)


def write_folder(folder: Path, train: list[int], test: list[int]) -> None:
    """An MNIST-format folder of 2x2 images with these labels."""
    for stem, labels in ((TRAIN_LABELS, train), (TEST_LABELS, test)):
        (folder / stem).write_bytes(encode_idx(np.array(labels, dtype=np.uint8)))
    for stem, labels in ((TRAIN_IMAGES, train), (TEST_IMAGES, test)):
        images = np.zeros((len(labels), 2, 2), dtype=np.uint8)
        (folder / stem).write_bytes(encode_idx(images))


@given(train=LABELS, test=LABELS)
def test_a_folder_read_as_data_has_labels_within_its_classes(train, test):
    with tempfile.TemporaryDirectory() as folder:
        write_folder(Path(folder), train, test)
        classes = set(range(max(train) + 1))
        valid = set(train) == classes and set(test) <= classes and len(classes) >= 2
        try:
            data = get_dataset(f"idx:{folder}").load(Path(folder))
        except DataError as exc:
            assert not valid, f"labels 0..K-1 refused: {exc}"
            # the message names the file, or the dataset when it has fewer than 2 classes
            assert "labels-idx1-ubyte" in str(exc) or "it needs at least 2" in str(exc)
            return
    assert valid
    k = len(data.class_names)
    assert k == max(train) + 1
    assert data.y_train.min() >= 0 and data.y_train.max() < k
    assert set(data.y_test.tolist()) <= set(data.y_train.tolist())


@pytest.mark.slow
@given(k=st.integers(2, 12), position=st.integers(8, 19), value=st.integers(0, 255))
def test_one_damaged_label_byte_is_refused_or_kept_within_the_classes(k, position, value):
    train = list(range(k))  # a valid task: labels 0..K-1, each with images
    assume(position < 8 + k)
    with tempfile.TemporaryDirectory() as folder:
        write_folder(Path(folder), train, train)
        path = Path(folder) / TEST_LABELS
        raw = bytearray(path.read_bytes())
        raw[position] = value
        path.write_bytes(bytes(raw))
        try:
            data = get_dataset(f"idx:{folder}").load(Path(folder))
        except DataError as exc:
            assert value >= len(train)
            assert f"{TEST_LABELS}: class {value} has test images" in str(exc)
            assert f"label {value} at index {position - 8}" in str(exc)
            return
    assert value < len(train)
    assert data.y_test[position - 8] == value and len(data.class_names) == len(train)
