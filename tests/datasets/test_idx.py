"""IDX parsing and the generic ``idx:PATH`` dataset."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from nnbench.datasets import ImageData, get_dataset
from nnbench.datasets.idx import (
    IMAGES_MAGIC,
    LABELS_MAGIC,
    TRAIN_LABELS,
    encode_idx,
    parse_idx,
    read_idx_folder,
)
from nnbench.errors import DataError
from tests.conftest import write_idx_folder

IMAGES = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)


def tiny_data(n_train: int = 4, n_test: int = 2) -> ImageData:
    rng = np.random.default_rng(0)
    return ImageData(
        name="tiny",
        x_train=rng.integers(0, 256, (n_train, 5, 5, 1), dtype=np.uint8),
        y_train=np.arange(n_train) % 3,
        x_test=rng.integers(0, 256, (n_test, 5, 5, 1), dtype=np.uint8),
        y_test=np.arange(n_test) % 3,
        class_names=("0", "1", "2"),
    )


def test_encode_then_parse_gives_the_same_array():
    raw = encode_idx(IMAGES)
    assert raw[:4] == bytes([0, 0, 0x08, 3])
    assert struct.unpack(">3I", raw[4:16]) == (2, 3, 4)
    np.testing.assert_array_equal(parse_idx(raw, "x", IMAGES_MAGIC), IMAGES)


def test_truncated_file_is_named_with_the_sizes():
    raw = encode_idx(IMAGES)[:-5]
    with pytest.raises(DataError, match=r"f\.idx: truncated: the header promises 40 bytes"):
        parse_idx(raw, "f.idx", IMAGES_MAGIC)


def test_truncated_inside_header():
    with pytest.raises(DataError, match="truncated inside the header"):
        parse_idx(encode_idx(IMAGES)[:9], "f", IMAGES_MAGIC)


def test_trailing_bytes_are_rejected():
    with pytest.raises(DataError, match="longer than its header says"):
        parse_idx(encode_idx(IMAGES) + b"\0", "f", IMAGES_MAGIC)


def test_wrong_magic_number_names_both_values():
    labels = encode_idx(np.zeros(3, dtype=np.uint8))
    with pytest.raises(DataError, match="magic number 0x00000801, expected 0x00000803"):
        parse_idx(labels, "f", IMAGES_MAGIC)
    with pytest.raises(DataError, match="too short"):
        parse_idx(b"\0\0", "f", LABELS_MAGIC)


@pytest.mark.parametrize("gzipped", [False, True])
def test_folder_round_trip(tmp_path: Path, gzipped: bool):
    data = tiny_data()
    folder = write_idx_folder(tmp_path / "d", data, gzipped=gzipped)
    loaded = read_idx_folder(folder, name="d")
    np.testing.assert_array_equal(loaded.x_train, data.x_train)
    np.testing.assert_array_equal(loaded.y_test, data.y_test)
    assert loaded.x_train.dtype == np.uint8
    assert loaded.input_shape == (5, 5, 1)
    assert loaded.class_names == ("0", "1", "2")


def test_image_label_count_mismatch(tmp_path: Path):
    folder = write_idx_folder(tmp_path / "d", tiny_data())
    (folder / TRAIN_LABELS).write_bytes(encode_idx(np.zeros(3, dtype=np.uint8)))
    with pytest.raises(DataError, match="holds 4 images but train-labels-idx1-ubyte holds 3"):
        read_idx_folder(folder, name="d")


def test_missing_file_and_missing_folder(tmp_path: Path):
    folder = write_idx_folder(tmp_path / "d", tiny_data())
    (folder / TRAIN_LABELS).unlink()
    with pytest.raises(DataError, match="no train-labels-idx1-ubyte"):
        read_idx_folder(folder, name="d")
    with pytest.raises(DataError, match="no such folder"):
        read_idx_folder(tmp_path / "absent", name="absent")


def test_corrupt_gzip_is_a_data_error(tmp_path: Path):
    folder = write_idx_folder(tmp_path / "d", tiny_data(), gzipped=True)
    path = folder / f"{TRAIN_LABELS}.gz"
    good = path.read_bytes()
    path.write_bytes(good[:-4])  # truncated
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz: cannot be read"):
        read_idx_folder(folder, name="d")
    path.write_bytes(good[:10] + bytes([good[10] ^ 0xFF]) + good[11:])  # a flipped byte
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz: cannot be read"):
        read_idx_folder(folder, name="d")


def test_splits_must_share_an_image_size_and_hold_images(tmp_path: Path):
    data = tiny_data()
    small = ImageData("x", data.x_train, data.y_train, data.x_test[:, :4, :4], data.y_test, ("0",))
    folder = f"idx:{write_idx_folder(tmp_path / 'a', small)}"
    with pytest.raises(DataError, match=r"train images are \(5, 5, 1\) but test images are \(4"):
        get_dataset(folder).load(tmp_path)
    resized = get_dataset(folder).load(tmp_path, image_size=(3, 3))  # --image-size mends it
    assert resized.input_shape == (3, 3, 1) and resized.resized_from == ((4, 4), (5, 5))
    empty = ImageData("x", data.x_train, data.y_train, data.x_test[:0], data.y_test[:0], ("0",))
    with pytest.raises(DataError, match="the test split holds no images"):
        read_idx_folder(write_idx_folder(tmp_path / "b", empty), name="b")


def test_idx_dataset_by_name(tmp_path: Path):
    folder = write_idx_folder(tmp_path / "mine", tiny_data(), gzipped=True)
    data = get_dataset(f"idx:{folder}").load(tmp_path / "unused")
    assert data.name == f"idx:{folder}"
    assert len(data.y_train) == 4 and len(data.y_test) == 2
    assert not data.synthetic


def labelled(y_train: list[int], y_test: list[int]) -> ImageData:
    data = tiny_data(len(y_train), len(y_test))
    return ImageData(
        "x", data.x_train, np.array(y_train), data.x_test, np.array(y_test), data.class_names
    )


@pytest.mark.parametrize(
    ("y_train", "y_test", "message"),
    [
        (
            [0, 1, 2, 255, 1],
            [0, 1],
            "train-labels-idx1-ubyte: label 255 at index 3 skips classes 3..254, which no "
            "training image has; labels must be 0..K-1 with training images of every class.",
        ),
        (
            [0, 2, 2, 0],
            [0, 2],
            "train-labels-idx1-ubyte: label 2 at index 1 skips class 1, which no training",
        ),
        (
            [0, 1, 2, 1],
            [0, 1, 255, 7, 255],
            "t10k-labels-idx1-ubyte: class 7, 255 has test images but no training images "
            "(the first: label 255 at index 2)",
        ),
    ],
)
def test_a_corrupt_label_is_named_with_its_file_value_and_index(
    tmp_path: Path, y_train: list[int], y_test: list[int], message: str
):
    folder = write_idx_folder(tmp_path / "d", labelled(y_train, y_test))
    with pytest.raises(DataError) as caught:
        read_idx_folder(folder, name="d")
    assert f"{folder}/{message}" in str(caught.value)


def test_labels_beyond_the_subset_are_checked_and_set_the_class_count(tmp_path: Path):
    good = write_idx_folder(tmp_path / "good", labelled([0, 0, 1, 2], [0, 0, 0]))
    loaded = get_dataset(f"idx:{good}").load(tmp_path, limit=2)
    assert loaded.class_names == ("0", "1", "2")
    np.testing.assert_array_equal(loaded.y_train, [0, 0])
    bad = write_idx_folder(tmp_path / "bad", labelled([0, 1, 2, 200], [0, 1, 2]))
    with pytest.raises(DataError, match="label 200 at index 3 skips classes 3..199"):
        get_dataset(f"idx:{bad}").load(tmp_path, limit=2)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\0\0\x08\x01" + struct.pack(">I", 2**32 - 1), "header promises 4,294,967,303 bytes"),
        (b"\0\0\x08\x03" + struct.pack(">3I", 0, 2**32 - 1, 2**32 - 1), "cannot be an array"),
        (b"\0\0\x08\x03" + struct.pack(">3I", 2**32 - 1, 2**32 - 1, 2**32 - 1), "promises"),
        (b"\x1f\x8b\x08\x00", "magic number 0x1f8b0800, expected 0x00000803"),
        (b"\0\0\x08\x03\0\0", "truncated inside the header (6 bytes)"),
    ],
)
def test_a_damaged_header_is_a_data_error_naming_the_file(raw: bytes, message: str):
    magic = LABELS_MAGIC if raw[3] == 1 else IMAGES_MAGIC
    with pytest.raises(DataError, match=r"^f\.idx: ") as caught:
        parse_idx(raw, "f.idx", magic)
    assert message in str(caught.value)
