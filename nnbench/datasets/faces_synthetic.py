"""Synthetic stand-in for the candidate photos: seeded, colour "face-like" images.

Same shape (135 high x 110 wide x 3) and split sizes (35,935 train, 4,997 test) as the real
photos, with classes ``Female`` (0) and ``Male`` (1), but generated, so that the suite can run
where the photos cannot be had.

Each image is a head on a coloured background: a skin-toned ellipse with eyes and a mouth, hair
behind it and shoulders below it, all with jittered position, size and colour, plus uniform
colour noise (-20 .. 20 per pixel and channel). Two things depend on the class:

* Five small patches (8 or 12 px square) inside the face, at jittered places on a 3 x 3 grid.
  Each shows the image's own class's texture with probability 0.8 and the other class's
  otherwise: class 0's is a checkerboard of 1-px cells, class 1's one of 2-px cells. Both cover
  exactly half the patch and draw tint, contrast and polarity from the same distribution, so
  they leave the colour statistics alike; only the local grain differs.
* Long hair, down to the shoulders: probability 0.75 for class 0 and 0.25 for class 1. The
  real photos have such a global cue too. Alone it allows 0.75, and it keeps small-sample
  training from stalling at chance: without it, a CNN (two conv 64 / max-pool blocks, softmax)
  trained on 3,000 images sat at chance (loss 0.693) for four epochs.

For a reader who sees every patch right, the Bayes-optimal accuracy is 0.942, the patches'
majority vote, P(at least 3 of 5 at 0.8): one patch's likelihood ratio (4) outweighs the
hair's (3), so the hair never overturns a majority.

Images come in blocks of :data:`BLOCK`, each drawn from its own generator seeded with
``(seed, split, block index)``: image i is the same whatever window asked for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from nnbench.datasets.arrays import SPLITS, ArrayStore
from nnbench.datasets.base import Dataset, ImageData, Size
from nnbench.datasets.candidates_format import CLASS_NAMES, IMAGE_HEIGHT, IMAGE_WIDTH
from nnbench.files import digest
from nnbench.options import Option
from nnbench.progress import info

NAME = "faces-synthetic"
#: bump whenever the images change, so that stores written by an older generator are rebuilt
GENERATOR_VERSION = 1
N_TRAIN, N_TEST = 35935, 4997
SPLIT_SIZES = {"train": N_TRAIN, "test": N_TEST}
#: images per independently seeded block
BLOCK = 500
N_PATCHES = 5
#: chance that a patch shows the image's own class's texture
OWN_TEXTURE_PROBABILITY = 0.8
#: multiples of 4, so that both checkerboards fill exactly half of a patch
PATCH_SIZES = (8, 12)
#: chance of long hair, by class
LONG_HAIR_PROBABILITY = np.array([0.75, 0.25])
#: range of a patch's brightness change; its sign is random
CONTRAST = (45, 80)
NOISE = 20

_ROWS = np.arange(IMAGE_HEIGHT, dtype=np.float32)[None, :, None]
_COLUMNS = np.arange(IMAGE_WIDTH, dtype=np.float32)[None, None, :]
_SKIN_LIGHT = np.array([236, 200, 176], dtype=np.float32)
_SKIN_DARK = np.array([92, 60, 42], dtype=np.float32)
_HAIR_DARK = np.array([20, 14, 10], dtype=np.float32)
_HAIR_LIGHT = np.array([205, 165, 95], dtype=np.float32)
_MOUTH_SHADE = np.array([0.62, 0.35, 0.35], dtype=np.float32)
#: patch centres, as fractions of the face's half-height and half-width
_CELLS = np.array([(dy, dx) for dy in (-0.5, 0.0, 0.5) for dx in (-0.5, 0.0, 0.5)])
_BOX = max(PATCH_SIZES)


def texture_masks() -> np.ndarray:
    """0/1 masks indexed [class, size], each centred in a box of the largest size."""
    masks = np.zeros((2, len(PATCH_SIZES), _BOX, _BOX), dtype=np.int16)
    for index, size in enumerate(PATCH_SIZES):
        cells = np.arange(size)
        lo = (_BOX - size) // 2
        box = slice(lo, lo + size)
        masks[0, index, box, box] = (cells[:, None] + cells[None, :]) % 2
        masks[1, index, box, box] = (cells[:, None] // 2 + cells[None, :] // 2) % 2
    return masks


_TEXTURES = texture_masks()


def _inside(cy: np.ndarray, cx: np.ndarray, ry: np.ndarray, rx: np.ndarray) -> np.ndarray:
    """Boolean ellipse masks, n x H x W, one per row of the parameters."""
    dy = (_ROWS - cy[:, None, None]) / ry[:, None, None]
    dx = (_COLUMNS - cx[:, None, None]) / rx[:, None, None]
    inside: np.ndarray = dy * dy + dx * dx <= 1
    return inside


def _uniform(
    rng: np.random.Generator, low: float, high: float, size: int | tuple[int, ...]
) -> np.ndarray:
    """Uniform draws as float32."""
    return rng.uniform(low, high, size).astype(np.float32)


def _block(split: str, block: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """All BLOCK images (uint8) and labels (int64) of one block."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, SPLITS.index(split), block]))
    labels = rng.integers(0, 2, BLOCK)
    long_hair = rng.random(BLOCK) < LONG_HAIR_PROBABILITY[labels]
    face = (
        IMAGE_HEIGHT * 0.47 + _uniform(rng, -6, 6, BLOCK),
        IMAGE_WIDTH * 0.5 + _uniform(rng, -7, 7, BLOCK),
        _uniform(rng, 42, 52, BLOCK),
        _uniform(rng, 32, 40, BLOCK),
    )
    images = _portraits(rng, face, long_hair)
    _add_patches(rng, images, face, labels)
    images += rng.integers(-NOISE, NOISE + 1, images.shape, dtype=np.int8)
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.int64)


def _portraits(
    rng: np.random.Generator, face: tuple[np.ndarray, ...], long_hair: np.ndarray
) -> np.ndarray:
    """Heads on backgrounds, int16 n x H x W x 3, for faces given as (cy, cx, ry, rx) arrays."""
    cy, cx, ry, rx = face
    n = len(cy)
    skin = _SKIN_LIGHT + _uniform(rng, 0, 1, (n, 1)) * (_SKIN_DARK - _SKIN_LIGHT)
    skin += _uniform(rng, -12, 12, (n, 3))
    hair = _HAIR_DARK + _uniform(rng, 0, 1, (n, 1)) * (_HAIR_LIGHT - _HAIR_DARK)
    hair += _uniform(rng, -10, 10, (n, 3))
    eye_y, eye_ry, eye_rx = cy - ry * 0.2, np.full(n, 3.0, np.float32), np.full(n, 5.5, np.float32)
    mouth_ry = np.full(n, 2.5, np.float32)
    # (mask, colour) from back to front; the background has no mask
    layers = [
        (None, _uniform(rng, 20, 235, (n, 3))),
        (_inside(cy + ry + 22, cx, ry * 0.6, rx * 1.5), _uniform(rng, 10, 245, (n, 3))),
        (_inside(cy + ry * 0.35, cx, ry * 0.95, rx * 1.3) & long_hair[:, None, None], hair),
        (_inside(cy - ry * 0.12, cx, ry * 1.08, rx * 1.12), hair),
        (_inside(cy, cx, ry, rx), skin),
        (_inside(eye_y, cx - rx * 0.4, eye_ry, eye_rx), skin * 0.3),
        (_inside(eye_y, cx + rx * 0.4, eye_ry, eye_rx), skin * 0.3),
        (_inside(cy + ry * 0.55, cx, mouth_ry, rx * 0.3), skin * _MOUTH_SHADE),
    ]
    layer = np.zeros((n, IMAGE_HEIGHT, IMAGE_WIDTH), dtype=np.uint8)
    for number, (mask, _) in enumerate(layers[1:], start=1):
        layer[mask] = number
    colours = np.rint(np.stack([colour for _, colour in layers], axis=1)).astype(np.int16)
    images: np.ndarray = colours[np.arange(n)[:, None, None], layer]
    shading = _uniform(rng, -40, 40, (n, 1, 1, 1)) * (_ROWS[..., None] / IMAGE_HEIGHT - 0.5)
    images += np.rint(shading).astype(np.int16)
    return images


def _add_patches(
    rng: np.random.Generator, images: np.ndarray, face: tuple[np.ndarray, ...], labels: np.ndarray
) -> None:
    """Add N_PATCHES textured patches to each face, in place."""
    cy, cx, ry, rx = face
    n = len(images)
    own = rng.random((n, N_PATCHES)) < OWN_TEXTURE_PROBABILITY
    textures = np.where(own, labels[:, None], 1 - labels[:, None])
    sizes = rng.integers(0, len(PATCH_SIZES), (n, N_PATCHES))
    cells = np.argsort(rng.random((n, len(_CELLS))), axis=1)[:, :N_PATCHES]
    jitter = rng.integers(-2, 3, (n, N_PATCHES, 2))
    sign = np.where(rng.random((n, N_PATCHES, 1)) < 0.5, -1, 1)
    tint = sign * rng.uniform(*CONTRAST, (n, N_PATCHES, 1))
    tint = np.rint(tint + rng.uniform(-25, 25, (n, N_PATCHES, 3))).astype(np.int16)
    window = np.arange(_BOX)
    for k in range(N_PATCHES):
        top = np.rint(cy + _CELLS[cells[:, k], 0] * ry).astype(int) + jitter[:, k, 0] - _BOX // 2
        left = np.rint(cx + _CELLS[cells[:, k], 1] * rx).astype(int) + jitter[:, k, 1] - _BOX // 2
        rows = top[:, None, None] + window[None, :, None]
        columns = left[:, None, None] + window[None, None, :]
        mask = _TEXTURES[textures[:, k], sizes[:, k]][..., None]
        images[np.arange(n)[:, None, None], rows, columns] += mask * tint[:, k, None, None, :]


def generate(split: str, start: int, count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images ``start`` .. ``start + count - 1`` of ``split`` (uint8, N x H x W x 3) and labels."""
    if split not in SPLIT_SIZES:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    stop = start + count
    if start < 0 or count < 0 or stop > SPLIT_SIZES[split]:
        raise ValueError(
            f"images {start}..{stop - 1} are outside {split}'s 0..{SPLIT_SIZES[split] - 1}"
        )
    images = np.empty((count, IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)
    labels = np.empty(count, dtype=np.int64)
    for block in range(start // BLOCK, -(-stop // BLOCK) if count else 0):
        block_images, block_labels = _block(split, block, seed)
        lo, hi = max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)
        rows = slice(lo - block * BLOCK, hi - block * BLOCK)
        images[lo - start : hi - start] = block_images[rows]
        labels[lo - start : hi - start] = block_labels[rows]
    return images, labels


class FacesSynthetic(Dataset):
    """The generated faces, stored once as arrays in ``data_dir / "faces-synthetic"``.

    ``sizes`` (train, test) defaults to the real photos' split sizes; smaller sizes (for tests)
    give the first images of the full-size dataset.
    """

    synthetic: ClassVar[bool] = True
    build_options = (Option("force", "generate again even if a stored copy exists", switch=True),)

    def __init__(self, seed: int = 0, sizes: tuple[int, int] = (N_TRAIN, N_TEST)) -> None:
        self.seed = seed
        self.sizes = dict(zip(SPLITS, sizes, strict=True))
        for split, size in self.sizes.items():
            if not 0 <= size <= SPLIT_SIZES[split]:
                raise ValueError(f"{split} size must be 0..{SPLIT_SIZES[split]}, got {size}")

    def key(self) -> dict[str, Any]:
        """What a stored copy must have been made from to be used."""
        return {
            "dataset": NAME,
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "sizes": self.sizes,
        }

    def fingerprint(self, data_dir: Path) -> str:
        """What the images are generated from."""
        return digest(self.key())

    def generate(self, data_dir: Path, force: bool = False) -> Path:
        """Generate and store all images, unless a copy with the same key is there already."""
        folder = data_dir / NAME
        store = ArrayStore(folder)
        if not force and store.key() == self.key():
            return folder
        info(f"Generating {sum(self.sizes.values()):,} synthetic faces into {folder} ...")
        store.write(
            self.key(),
            (IMAGE_HEIGHT, IMAGE_WIDTH, 3),
            {split: (size, self._blocks(split, size)) for split, size in self.sizes.items()},
        )
        return folder

    def build(self, data_dir: Path, **options: Any) -> dict[str, Any]:
        """``nnbench data build faces-synthetic [--force]``."""
        return {"folder": str(self.generate(data_dir, force=bool(options.get("force"))))}

    def stored_at(self, data_dir: Path) -> Path:
        return data_dir / NAME

    def fetch(self, data_dir: Path, force: bool = False) -> Path:
        """Nothing to download: generating is fetching."""
        return self.generate(data_dir, force)

    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        """The stored images; a ``limit`` below both split sizes is generated without files."""
        store = ArrayStore(data_dir / NAME)
        if store.key() == self.key():
            arrays = store.load(limit)
        elif limit is not None and limit < min(self.sizes.values()):
            arrays = {split: generate(split, 0, limit, self.seed) for split in SPLITS}
        else:
            arrays = ArrayStore(self.generate(data_dir)).load(limit)
        return ImageData.from_splits(NAME, arrays, CLASS_NAMES, synthetic=True)

    def _blocks(self, split: str, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The first ``size`` images of ``split``, a block at a time, with progress lines."""
        for start in range(0, size, BLOCK):
            if start and start % (10 * BLOCK) == 0:
                info(f"  {split}: {start:,} of {size:,} images")
            yield generate(split, start, min(BLOCK, size - start), self.seed)
