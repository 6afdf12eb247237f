"""The candidates loader: the builder's folder format, its uint8 cache, and clear errors."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.datasets import candidates as module
from nnbench.datasets.candidates import Candidates
from nnbench.datasets.candidates_format import (
    CLASS_NAMES,
    IMAGE_HEIGHT,
    IMAGE_WIDTH,
    LABEL_COLUMNS,
    split_for,
)
from nnbench.errors import DataError, DataUnavailableError

#: candidate id -> (gender, split)
PEOPLE = {
    "101": ("Female", "train"),
    "102": ("Male", "train"),
    "103": ("Male", "train"),
    "104": ("Female", "test"),
    "105": ("Male", "test"),
}


def photo(seed: int, size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT)) -> np.ndarray:
    """A random colour image, ``size`` = (width, height)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


def write_labels(folder: Path, rows: list[dict[str, str]]) -> None:
    with open(folder / "labels.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=LABEL_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def make_folder(data_dir: Path, people: dict[str, tuple[str, str]] = PEOPLE) -> Path:
    """A candidates folder in the builder's format, with checksums."""
    folder = data_dir / "candidates"
    (folder / "images").mkdir(parents=True)
    rows = []
    for candidate_id, (gender, split) in people.items():
        path = folder / "images" / f"{candidate_id}.png"
        Image.fromarray(photo(int(candidate_id))).save(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        rows.append(
            {
                "candidate_id": candidate_id,
                "gender": gender,
                "split": split,
                "photo_url": f"https://example.org/{candidate_id}.jpg",
                "sha256": digest,
            }
        )
    write_labels(folder, rows)
    return folder


def read_rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "labels.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_loads_the_folder_with_labels_in_file_order(tmp_path: Path):
    make_folder(tmp_path)
    data = Candidates().load(tmp_path)
    assert data.x_train.shape == (3, IMAGE_HEIGHT, IMAGE_WIDTH, 3)
    assert data.x_train.dtype == np.uint8
    assert data.y_train.tolist() == [0, 1, 1]
    assert data.y_test.tolist() == [0, 1]
    np.testing.assert_array_equal(data.x_test[1], photo(105))
    assert data.class_names == CLASS_NAMES == ("Female", "Male")
    assert data.synthetic is False
    limited = Candidates().load(tmp_path, limit=1)
    assert (len(limited.y_train), len(limited.y_test)) == (1, 1)


def test_cache_is_reused_until_labels_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = make_folder(tmp_path)
    Candidates().load(tmp_path)
    assert (tmp_path / "candidates.cache" / "key.json").is_file()

    def no_decoding(*args):
        raise AssertionError("decoded again")

    monkeypatch.setattr(module, "read_image", no_decoding)
    assert len(Candidates().load(tmp_path).y_train) == 3  # from the cache
    write_labels(folder, read_rows(folder)[1:])  # drop candidate 101
    monkeypatch.undo()
    data = Candidates().load(tmp_path)
    assert data.y_train.tolist() == [1, 1]


def test_blank_split_follows_the_hashed_rule_and_gender_codes_are_free(tmp_path: Path):
    people = {"101": ("f", ""), "113": ("M", ""), "128": ("FEMALE", "")}
    assert [split_for(i) for i in people] == ["train", "test", "test"]
    make_folder(tmp_path, people)
    data = Candidates().load(tmp_path)
    assert data.y_train.tolist() == [0]
    assert data.y_test.tolist() == [1, 0]
    np.testing.assert_array_equal(data.x_test[0], photo(113))


def test_missing_folder_says_how_to_get_it(tmp_path: Path):
    reason = Candidates().unavailable_reason(tmp_path)
    assert reason == (
        f"No candidate photos at {tmp_path / 'candidates'}: build them with `nnbench data build "
        "candidates --year YEAR` (Vote Smart credentials needed) or bring your own copy: "
        "docs/data.md#candidate-photos."
    )
    with pytest.raises(DataUnavailableError, match=r"No candidate photos at .*candidates"):
        Candidates().load(tmp_path)
    make_folder(tmp_path)
    assert Candidates().unavailable_reason(tmp_path) is None


def break_image(folder: Path, how: str) -> None:
    path = folder / "images" / "102.png"
    if how == "missing":
        path.unlink()
    elif how == "unreadable":
        path.write_bytes(b"\x89PNG but not really")
    elif how == "wrong size":
        Image.fromarray(photo(102, size=(100, 135))).save(path)
    elif how == "changed":
        Image.fromarray(photo(999)).save(path)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("missing", r"102.png is missing; restore or replace it, or drop its row in labels.csv"),
        ("unreadable", r"102.png cannot be read as an image .*; restore or replace it, or drop"),
        ("wrong size", r"102.png is 100 wide x 135 high; every image must be 110 x 135"),
        ("changed", r"102.png does not match the sha256 in labels.csv"),
    ],
)
def test_bad_images_are_named_with_the_fix(tmp_path: Path, how: str, message: str):
    break_image(make_folder(tmp_path), how)
    with pytest.raises(DataError, match=message):
        Candidates().load(tmp_path)
    assert not (tmp_path / "candidates.cache").exists()


def test_unknown_gender_and_empty_split_are_named(tmp_path: Path):
    folder = make_folder(tmp_path)
    rows = read_rows(folder)
    rows[2]["gender"] = "unknown"
    write_labels(folder, rows)
    with pytest.raises(DataError, match=r"labels.csv, line 4: unknown gender 'unknown'.*103"):
        Candidates().load(tmp_path)
    rows[2]["gender"] = "Male"
    write_labels(folder, [row for row in rows if row["split"] == "train"])
    with pytest.raises(DataError) as caught:
        Candidates().load(tmp_path)
    assert str(caught.value) == (
        f"{folder / 'labels.csv'}: the test split is empty. Add images (build a wider scope) or, "
        "for your own copy, set the split column (blank uses the hashed rule)."
    )
    (folder / "labels.csv").write_text("id,sex\n1,Male\n")
    with pytest.raises(DataError, match=r"missing column\(s\) candidate_id, gender"):
        Candidates().load(tmp_path)


def test_a_build_that_stopped_early_is_unavailable_until_it_finishes(tmp_path: Path):
    folder = make_folder(tmp_path)
    (folder / "manifest.json").write_text(json.dumps({"dataset": "candidates", "complete": False}))
    reason = (
        f"The candidates build in {folder} stopped before it finished (manifest.json says "
        "complete: false). Run `nnbench data build candidates` again with the same scope to "
        "resume it."
    )
    assert Candidates().unavailable_reason(tmp_path) == reason
    for read in (Candidates().fetch, Candidates().load):
        with pytest.raises(DataUnavailableError) as caught:
            read(tmp_path)
        assert str(caught.value) == reason
    (folder / "manifest.json").write_text(json.dumps({"dataset": "candidates", "complete": True}))
    assert Candidates().unavailable_reason(tmp_path) is None
    assert Candidates().load(tmp_path).y_train.tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    ("text", "cause"),
    [("{not json", "Expecting property name"), ("[1, 2]", "not a JSON object")],
)
def test_an_unreadable_manifest_is_named(tmp_path: Path, text: str, cause: str):
    folder = make_folder(tmp_path)
    (folder / "manifest.json").write_text(text)
    with pytest.raises(DataError) as caught:
        Candidates().unavailable_reason(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{folder / 'manifest.json'} cannot be read ({cause}")
    assert message.endswith("or delete manifest.json if the folder is your own copy.")


def test_duplicate_ids_are_named_with_both_lines(tmp_path: Path):
    folder = make_folder(tmp_path)
    rows = read_rows(folder)
    write_labels(folder, [*rows, rows[1]])
    with pytest.raises(DataError, match=r"labels.csv, lines 3 and 7: candidate 102 appears twice"):
        Candidates().load(tmp_path)


@pytest.mark.parametrize("candidate_id", ["../x", "a b", "", "x.png"])
def test_ids_that_are_not_plain_file_names_are_rejected(tmp_path: Path, candidate_id: str):
    folder = make_folder(tmp_path)
    rows = read_rows(folder)
    rows[0]["candidate_id"] = candidate_id
    write_labels(folder, rows)
    expected = (
        f"labels.csv, line 2: candidate_id {candidate_id!r} must be letters, digits, - and _ only"
    )
    with pytest.raises(DataError, match=re.escape(expected)):
        Candidates().load(tmp_path)
