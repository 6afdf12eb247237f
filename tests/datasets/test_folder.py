"""``folder:PATH``: layout, grey and colour, order, one size or --image-size, the cache, and every
bad folder named with its fix."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.datasets import get_dataset
from nnbench.datasets.folder import CACHE_FOLDER, write_folder
from nnbench.errors import DataError
from tests.conftest import tiny_images


def load(root: Path, data_dir: Path, **kwargs):
    return get_dataset(f"folder:{root}").load(data_dir, **kwargs)


@pytest.mark.parametrize("channels", [1, 3])
def test_a_folder_loads_the_images_it_holds_in_file_name_order(tmp_path: Path, channels: int):
    data = tiny_images(channels)
    root = write_folder(tmp_path / "images", data)
    loaded = load(root, tmp_path / "data")
    assert loaded.class_names == ("a", "b", "c")
    assert loaded.x_train.dtype == np.uint8 and loaded.input_shape == (12, 10, channels)
    np.testing.assert_array_equal(loaded.x_train, data.x_train)
    np.testing.assert_array_equal(loaded.y_train, data.y_train)
    np.testing.assert_array_equal(loaded.x_test, data.x_test)
    np.testing.assert_array_equal(loaded.y_test, data.y_test)
    assert loaded.describe()["name"] == f"folder:{root}" and "resized" not in loaded.describe()


def test_jpeg_and_mixed_grey_and_colour_give_rgb(tmp_path: Path):
    root = write_folder(tmp_path / "images", tiny_images(1), suffix=".jpg")
    Image.new("RGB", (10, 12), (200, 10, 10)).save(root / "train" / "a" / "99999.JPEG")
    loaded = load(root, tmp_path / "data")
    assert loaded.input_shape == (12, 10, 3) and len(loaded.y_train) == 31
    np.testing.assert_allclose(loaded.x_train[-1, 0, 0], [200, 10, 10], atol=4)  # lossy JPEG
    grey = loaded.x_train[0]
    np.testing.assert_array_equal(grey[..., 0], grey[..., 2])  # grey images repeated in RGB


def test_a_second_load_reads_the_cache_and_a_changed_file_invalidates_it(tmp_path: Path):
    root = write_folder(tmp_path / "images", tiny_images(1))
    first = load(root, tmp_path / "data")
    key_file = root / CACHE_FOLDER / "native" / "key.json"
    written = key_file.stat().st_mtime_ns
    assert np.array_equal(load(root, tmp_path / "data").x_test, first.x_test)
    assert key_file.stat().st_mtime_ns == written  # read, not decoded again
    changed = root / "test" / "b" / "00001.png"
    Image.fromarray(np.full((12, 10), 7, np.uint8)).save(changed)
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
    again = load(root, tmp_path / "data")
    assert key_file.stat().st_mtime_ns != written
    assert (again.x_test[1] == 7).all() and not (first.x_test[1] == 7).all()
    assert json.loads(key_file.read_text())["class_names"] == ["a", "b", "c"]


def test_a_read_only_folder_is_cached_in_the_data_folder(tmp_path: Path, monkeypatch):
    root = write_folder(tmp_path / "images", tiny_images(1))
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != root)
    load(root, tmp_path / "data", limit=5)
    assert not (root / CACHE_FOLDER).exists()
    assert list((tmp_path / "data" / "folder-cache").glob("*/native/key.json"))


def test_mixed_sizes_name_one_file_against_the_common_size(tmp_path: Path):
    root = write_folder(tmp_path / "images", tiny_images(1))
    Image.fromarray(np.zeros((16, 9), np.uint8)).save(root / "train" / "b" / "00004.png")
    with pytest.raises(DataError) as caught:
        load(root, tmp_path / "data")
    assert str(caught.value) == (
        f"{root / 'train' / 'b' / '00004.png'} is 16x9 (height x width), but most images (41 of "
        "42) are 12x10. Give every image one size, or pass --image-size HxW to `run` or `all` to "
        "resize them all."
    )


def test_image_size_resizes_mixed_sizes_and_is_recorded(tmp_path: Path):
    root = write_folder(tmp_path / "images", tiny_images(3))
    Image.fromarray(np.zeros((16, 9, 3), np.uint8)).save(root / "train" / "b" / "00004.png")
    loaded = load(root, tmp_path / "data", image_size=(8, 6))
    assert loaded.input_shape == (8, 6, 3)
    assert loaded.describe()["resized"] == {"to": [8, 6], "from": [[12, 10], [16, 9]]}
    assert (root / CACHE_FOLDER / "8x6" / "key.json").is_file()
    assert load(root, tmp_path / "data", image_size=(8, 6)).describe() == loaded.describe()


def bad_folder(tmp_path: Path, how: str) -> tuple[Path, str]:
    """A folder broken in one way, and the message it must give."""
    root = write_folder(tmp_path / "images", tiny_images(1))
    train, test = root / "train", root / "test"
    if how == "corrupt image":
        (train / "c" / "00005.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
        return root, f"{train / 'c' / '00005.png'} cannot be read as an image"
    if how == "truncated image":
        path = train / "a" / "00003.png"
        path.write_bytes(path.read_bytes()[:60])
        return root, f"{path} cannot be read as an image"
    if how == "empty class folder":
        (train / "d").mkdir()
        return root, f"{train / 'd'}: no PNG or JPEG images; add some or remove the folder."
    if how == "one class":
        for name in ("b", "c"):
            for path in (train / name).iterdir():
                path.unlink()
            (train / name).rmdir()
        return root, f"{train}: 1 class folder(s) (a); a dataset needs at least two classes"
    if how == "test class not in train":
        (test / "z").mkdir()
        Image.fromarray(np.zeros((12, 10), np.uint8)).save(test / "z" / "1.png")
        return root, f"{test / 'z'}: class 'z' has test images but is not in train/ (a, b, c)"
    (root / "test").rename(root / "tests")
    return root, f"{test}: no such folder; a folder dataset holds train/<class>/ and test/<class>/"


@pytest.mark.parametrize(
    "how",
    [
        "corrupt image",
        "truncated image",
        "empty class folder",
        "one class",
        "test class not in train",
        "no test folder",
    ],
)
def test_a_bad_folder_is_named_with_the_fix(tmp_path: Path, how: str):
    root, message = bad_folder(tmp_path, how)
    with pytest.raises(DataError) as caught:
        load(root, tmp_path / "data")
    assert message in str(caught.value)
    assert not list(root.glob(f"{CACHE_FOLDER}/*/key.json"))  # nothing half-written


def test_other_files_are_ignored(tmp_path: Path, capsys):
    root = write_folder(tmp_path / "images", tiny_images(1))
    (root / "train" / "a" / "notes.txt").write_text("not an image")
    (root / "train" / "a" / ".DS_Store").write_bytes(b"\0")
    assert len(load(root, tmp_path / "data").y_train) == 30
    assert "ignoring 1 file(s) that are not PNG or JPEG, such as" in capsys.readouterr().err


def test_a_missing_folder_is_unavailable_with_the_path(tmp_path: Path):
    reason = get_dataset(f"folder:{tmp_path / 'nowhere'}").unavailable_reason(tmp_path)
    assert reason == (
        f"folder:{tmp_path / 'nowhere'}: there is no folder {tmp_path / 'nowhere'}; check the path."
    )
