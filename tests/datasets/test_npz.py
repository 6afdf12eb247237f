"""``npz:FILE``: a NumPy archive of uint8 images and integer labels, each bad archive named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnbench.datasets import get_dataset
from nnbench.errors import DataError
from tests.conftest import tiny_images


def save(path: Path, **arrays) -> Path:
    data = tiny_images(3)
    defaults = {
        "x_train": data.x_train,
        "y_train": data.y_train,
        "x_test": data.x_test,
        "y_test": data.y_test,
    }
    np.savez(path, **{**defaults, **arrays})
    return path


def load(path: Path, **kwargs):
    return get_dataset(f"npz:{path}").load(path.parent, **kwargs)


def test_an_archive_loads_with_its_class_names(tmp_path: Path):
    data = tiny_images(3)
    path = save(tmp_path / "d.npz", class_names=np.array(["cat", "dog", "emu"]))
    loaded = load(path)
    assert loaded.class_names == ("cat", "dog", "emu")
    np.testing.assert_array_equal(loaded.x_train, data.x_train)
    assert loaded.y_test.dtype == np.int64 and loaded.input_shape == (12, 10, 3)
    assert len(load(path, limit=4).y_train) == 4


def test_grey_images_without_channels_and_names_from_labels(tmp_path: Path):
    data = tiny_images(1)
    path = save(tmp_path / "d.npz", x_train=data.x_train[..., 0], x_test=data.x_test[..., 0])
    loaded = load(path)
    assert loaded.input_shape == (12, 10, 1) and loaded.class_names == ("0", "1", "2")


def test_image_size_resizes_and_is_recorded(tmp_path: Path):
    loaded = load(save(tmp_path / "d.npz"), image_size=(6, 5))
    assert loaded.input_shape == (6, 5, 3)
    assert loaded.describe()["resized"] == {"to": [6, 5], "from": [[12, 10]]}


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            {"x_train": np.zeros((30, 12, 10, 3), np.float32)},
            "x_train is float32, not uint8. Convert it: "
            "np.clip(np.rint(x * 255), 0, 255).astype(np.uint8) for values in [0, 1]",
        ),
        ({"y_train": np.arange(30) % 3 * 1.0}, "y_train are float64, not integers"),
        (
            {"y_test": np.full(12, 5), "class_names": np.array(["a", "b", "c"])},
            "y_test range from 5 to 5; they must be 0..2 for 3 classes. The first outside is 5 "
            "at index 0: correct or remove it.",
        ),
        (
            {"y_test": np.r_[0, 1, 7, 5, np.zeros(8, int)]},
            "d.npz: y_test: class 5, 7 has test images but no training images (the first: label 7 at "
            "index 2)",
        ),
        ({"y_train": np.full(30, -1)}, "y_train range from -1 to -1; they must be 0 or more"),
        (
            {"class_names": np.array(["a", "b"])},
            "y_train range from 0 to 2; they must be 0..1 for 2 classes. The first outside is 2 "
            "at index 2",
        ),
        ({"y_train": np.zeros(30, int)}, "class 1, 2 has test images but no training images"),
        ({"y_train": np.zeros((30, 3), int)}, "y_train have shape (30, 3) for 30 images"),
        (
            {"x_test": np.zeros((12, 5), np.uint8)},
            "x_test has shape (12, 5); images must be N x H x W x C with N, H, W and C above 0.",
        ),
        (
            {"x_train": np.zeros((30, 0, 10, 3), np.uint8)},
            "x_train has shape (30, 0, 10, 3); images must be N x H x W x C with N, H, W and C",
        ),
        (
            {"class_names": np.array([object(), 1, 2], dtype=object)},
            "class_names cannot be read (Object arrays cannot be loaded when allow_pickle=False); "
            "save it as a plain array",
        ),
    ],
)
def test_a_bad_archive_is_named_with_the_fix(tmp_path: Path, arrays: dict, message: str):
    with pytest.raises(DataError) as caught:
        load(save(tmp_path / "d.npz", **arrays))
    assert message in str(caught.value)


def test_a_missing_array_or_a_file_that_is_no_archive(tmp_path: Path):
    path = tmp_path / "d.npz"
    np.savez(path, x_train=np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(DataError, match="has no 'y_train' \\(it holds x_train\\); an npz dataset"):
        load(path)
    path.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="cannot be read as an npz archive"):
        load(path)


def test_a_single_array_file_is_not_an_archive(tmp_path: Path):
    path = tmp_path / "x.npy"
    np.save(path, np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(DataError, match="holds one array, not an npz archive of x_train"):
        get_dataset(f"npz:{path}").load(tmp_path)
