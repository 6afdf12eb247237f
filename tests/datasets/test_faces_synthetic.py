"""The synthetic faces: deterministic, window-stable, learnable from local texture, and stored."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from nnbench.datasets import faces_synthetic
from nnbench.datasets.candidates_format import CLASS_NAMES
from nnbench.datasets.faces_synthetic import (
    N_TEST,
    N_TRAIN,
    FacesSynthetic,
    generate,
    texture_masks,
)

SMALL = (1200, 300)


@pytest.fixture(scope="module")
def train_2500() -> tuple[np.ndarray, np.ndarray]:
    """The first 2,500 training images, seed 0 (seconds to make: the tests using it are slow)."""
    return generate("train", 0, 2500)


@pytest.mark.slow
def test_images_have_the_photos_shape_and_binary_labels(train_2500):
    images, labels = train_2500
    assert images.shape == (2500, 135, 110, 3)
    assert images.dtype == np.uint8
    assert labels.dtype == np.int64
    assert set(np.unique(labels)) == {0, 1}
    assert (N_TRAIN, N_TEST) == (35935, 4997)


@pytest.mark.slow
def test_the_generator_is_pinned(train_2500):
    # a deliberate change of the images must bump GENERATOR_VERSION and update this digest
    digest = hashlib.sha256(train_2500[0][:3].tobytes()).hexdigest()
    assert (faces_synthetic.GENERATOR_VERSION, digest[:16]) == (1, "303ad8015a88fc42")


@pytest.mark.slow
def test_same_seed_same_images_and_another_seed_other_images(train_2500):
    images, labels = generate("train", 0, 10)
    assert np.array_equal(images, train_2500[0][:10])
    assert np.array_equal(labels, train_2500[1][:10])
    other_images, _ = generate("train", 0, 10, seed=1)
    assert not np.array_equal(other_images, images)


@pytest.mark.slow
def test_an_image_does_not_depend_on_the_window_that_made_it(train_2500):
    first, second = generate("train", 0, 1200), generate("train", 1200, 1300)
    assert np.array_equal(np.concatenate([first[0], second[0]]), train_2500[0])
    assert np.array_equal(np.concatenate([first[1], second[1]]), train_2500[1])
    assert generate("train", 2500, 0)[0].shape == (0, 135, 110, 3)


@pytest.mark.slow
def test_train_and_test_are_different_images(train_2500):
    test_images, _ = generate("test", 0, 10)
    assert not np.any(np.all(test_images == train_2500[0][:10], axis=(1, 2, 3)))


@pytest.mark.parametrize(
    ("split", "start", "count"),
    [("valid", 0, 1), ("train", -1, 2), ("train", 35935, 1), ("test", 4990, 8)],
)
def test_windows_outside_the_splits_are_refused(split, start, count):
    with pytest.raises(ValueError):
        generate(split, start, count)


@pytest.mark.slow
def test_classes_are_balanced(train_2500):
    counts = np.bincount(train_2500[1])
    assert counts.tolist() == [1225, 1275]
    assert abs(counts[0] / counts.sum() - 0.5) < 0.03


def test_both_textures_fill_exactly_half_of_each_patch():
    masks = texture_masks()
    assert masks.shape == (2, 2, 12, 12)
    assert masks.sum(axis=(2, 3)).tolist() == [[32, 72], [32, 72]]
    assert masks[0, 0, 2, 2:6].tolist() == [0, 1, 0, 1]  # 1-px grain
    assert masks[1, 0, 2, 2:6].tolist() == [0, 0, 1, 1]  # 2-px grain


def grain_energy(gray: np.ndarray, step: int) -> np.ndarray:
    """Per image, the energy of a 2 x 2 checkerboard filter whose taps are ``step`` pixels apart."""
    response = gray[:, :-step, :-step] - gray[:, :-step, step:]
    response -= gray[:, step:, :-step]
    response += gray[:, step:, step:]
    return np.einsum("nij,nij->n", response, response)


def block_means(images: np.ndarray, size: int = 5) -> np.ndarray:
    """Mean colour of each size x size block (n x rows x cols x 3): layout without fine detail."""
    n, h, w, c = images.shape
    cropped = images[:, : h // size * size, : w // size * size].astype(np.float32)
    return cropped.reshape(n, h // size, size, w // size, size, c).mean(axis=(2, 4)) / 255


@pytest.mark.slow
def test_the_class_lives_in_local_texture_not_in_colour_or_layout(train_2500):
    images, labels = train_2500
    fit, held_out = slice(0, 2000), slice(2000, None)
    # no fitting: class 0's patches have a 1-px grain, class 1's a 2-px grain
    gray = images.mean(axis=3, dtype=np.float32)
    says_fine = grain_energy(gray, 1) > grain_energy(gray, 2)
    texture_accuracy = np.mean(says_fine == (labels == 0))
    blocks = block_means(images)
    colour = np.concatenate([blocks.mean(axis=(1, 2)), blocks.std(axis=(1, 2))], axis=1)
    colour_model = LogisticRegression(max_iter=1000).fit(colour[fit], labels[fit])
    colour_accuracy = colour_model.score(colour[held_out], labels[held_out])
    layout = blocks.reshape(len(blocks), -1)
    layout_model = GaussianNB().fit(layout[fit], labels[fit])
    layout_accuracy = layout_model.score(layout[held_out], labels[held_out])
    assert texture_accuracy > 0.8  # 0.842 here
    assert colour_accuracy < 0.58
    assert layout_accuracy < 0.76  # the hair cue alone allows 0.75; the Bayes-optimal rule 0.942


@pytest.mark.slow
def test_a_small_load_is_generated_in_memory(tmp_path: Path):
    data = FacesSynthetic().load(tmp_path, limit=300)
    assert (len(data.x_train), len(data.x_test)) == (300, 300)
    assert data.input_shape == (135, 110, 3)
    assert (data.name, data.class_names, data.synthetic) == ("faces-synthetic", CLASS_NAMES, True)
    assert np.array_equal(data.x_test, generate("test", 0, 300)[0])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_build_stores_the_generated_images_once(tmp_path: Path, train_2500, monkeypatch):
    dataset = FacesSynthetic(sizes=SMALL)
    assert dataset.build(tmp_path) == {"folder": str(tmp_path / "faces-synthetic")}
    folder = tmp_path / "faces-synthetic"
    key = json.loads((folder / "key.json").read_text())
    assert key == {
        "dataset": "faces-synthetic",
        "generator_version": faces_synthetic.GENERATOR_VERSION,
        "seed": 0,
        "sizes": {"train": 1200, "test": 300},
    }
    test_images, test_labels = generate("test", 0, 300)
    monkeypatch.setattr(faces_synthetic, "generate", no_generating)
    assert dataset.generate(tmp_path) == folder
    data = dataset.load(tmp_path)
    assert np.array_equal(data.x_train, train_2500[0][:1200])
    assert np.array_equal(data.y_train, train_2500[1][:1200])
    assert np.array_equal(data.x_test, test_images)
    assert np.array_equal(data.y_test, test_labels)
    assert (data.class_names, data.synthetic) == (CLASS_NAMES, True)
    assert np.array_equal(dataset.load(tmp_path, limit=100).x_train, train_2500[0][:100])


@pytest.mark.slow
def test_a_store_from_another_generator_version_is_rebuilt(tmp_path: Path, monkeypatch):
    dataset = FacesSynthetic(seed=3, sizes=(5, 5))
    dataset.build(tmp_path)
    monkeypatch.setattr(faces_synthetic, "GENERATOR_VERSION", faces_synthetic.GENERATOR_VERSION + 1)
    data = dataset.load(tmp_path)
    key = json.loads((tmp_path / "faces-synthetic" / "key.json").read_text())
    assert key["generator_version"] == faces_synthetic.GENERATOR_VERSION
    assert np.array_equal(data.x_test, generate("test", 0, 5, seed=3)[0])


def test_sizes_beyond_the_real_ones_are_refused():
    with pytest.raises(ValueError):
        FacesSynthetic(sizes=(N_TRAIN + 1, N_TEST))


def no_generating(*args, **kwargs):
    raise AssertionError("generated again instead of reading the store")
