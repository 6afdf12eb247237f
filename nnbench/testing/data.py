"""The small SYNTHETIC dataset the contract rules fit models on, unless given data of yours."""

from __future__ import annotations

import numpy as np

from nnbench.datasets import ImageData

#: the middle of the 28 x 28 image, where each bar lies
SPAN = np.arange(8, 20)
EDGE_NEAR, MIDDLE, EDGE_FAR = np.full(12, 5), np.full(12, 14), np.full(12, 22)
#: each class's bright bar(s), as (name, rows, columns) of the pixels set to 255
BARS = (
    ("-", MIDDLE, SPAN),
    ("|", SPAN, MIDDLE),
    ("\\", SPAN, SPAN),
    ("/", SPAN, 27 - SPAN),
    ("- top", EDGE_NEAR, SPAN),
    ("- bottom", EDGE_FAR, SPAN),
    ("| left", SPAN, EDGE_NEAR),
    ("| right", SPAN, EDGE_FAR),
    ("+", np.concatenate([MIDDLE, SPAN]), np.concatenate([SPAN, MIDDLE])),
    ("x", np.concatenate([SPAN, SPAN]), np.concatenate([SPAN, 27 - SPAN])),
)


def synthetic_digits(
    seed: int = 0, n_train: int = 240, n_test: int = 90, n_classes: int = 3
) -> ImageData:
    """A small SYNTHETIC dataset for contract checks: 28 x 28 grey images of ``n_classes``
    classes (2 to 10), each a bright bar (horizontal, vertical, diagonal, ...) on noise."""
    if not 2 <= n_classes <= len(BARS):
        raise ValueError(f"n_classes is {n_classes}: should be 2 to {len(BARS)}")
    rng = np.random.default_rng(seed)

    def split(count: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.arange(count) % n_classes
        images = rng.integers(0, 60, (count, 28, 28), dtype=np.uint8)
        for index, label in enumerate(labels):
            _, rows, columns = BARS[label]
            images[index, rows, columns] = 255
        return images[..., np.newaxis], labels.astype(np.int64)

    (x_train, y_train), (x_test, y_test) = split(n_train), split(n_test)
    names = tuple(name for name, _, _ in BARS[:n_classes])
    return ImageData("contract-check (synthetic)", x_train, y_train, x_test, y_test, names, True)
