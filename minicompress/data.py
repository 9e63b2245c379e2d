"""Data: the bundled 8x8 digits, two 2-D toy sets, a seeded split and batches.

The digits are the UCI "Optical Recognition of Handwritten Digits" test set
(Alpaydin & Kaynak, 1998; CC BY 4.0): 1,797 images of 8x8 pixels, each pixel
a count 0..16, ten classes. They ship inside the package as
``datasets/digits.csv.gz`` (64 pixel columns, then the label), so nothing
is downloaded.
"""

from __future__ import annotations

import gzip
from importlib import resources
from typing import NamedTuple

import numpy as np

from .nn import as_generator


class Dataset(NamedTuple):
    """Inputs ``X`` (n, features) float32 and labels ``y`` (n,) int64."""

    X: np.ndarray
    y: np.ndarray

    def __len__(self):
        return len(self.y)


class Split(NamedTuple):
    """Training images (fit the weights), test images (only report), and validation images.

    ``val`` is carved from the training images; every choice (epochs, T, α,
    a bias shift, a bit allocation) is made on it, so the test set is never
    used to decide anything. ``train_test_split`` leaves it ``None``.
    """

    train: Dataset
    test: Dataset
    val: Dataset | None = None


def load_digits(scale: bool = True) -> Dataset:
    """The 1,797 bundled digits; ``scale`` divides pixels by 16 so x ∈ [0, 1]."""
    with resources.files("minicompress.datasets").joinpath("digits.csv.gz").open("rb") as raw:
        table = np.loadtxt(gzip.open(raw), delimiter=",", dtype=np.float32)
    X, y = table[:, :64], table[:, 64].astype(np.int64)
    return Dataset(X / 16.0 if scale else X, y)


def train_test_split(data: Dataset, test_fraction: float = 0.25, seed=0) -> Split:
    """Stratified split: each class keeps the same share in train and test.

    Within each class the order is shuffled with ``seed``, then the first
    ``round(n_class · test_fraction)`` examples go to the test set.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    g = as_generator(seed)
    test_idx = []
    for c in np.unique(data.y):
        idx = np.flatnonzero(data.y == c)
        g.shuffle(idx)
        test_idx.append(idx[: int(round(len(idx) * test_fraction))])
    test_idx = np.sort(np.concatenate(test_idx))
    is_test = np.zeros(len(data), bool)
    is_test[test_idx] = True
    return Split(Dataset(data.X[~is_test], data.y[~is_test]), Dataset(data.X[is_test], data.y[is_test]))


def digits_split(test_fraction: float = 0.25, val_fraction: float = 0.2, seed=0) -> Split:
    """The project's standard digits split: 1,078 train, 269 validation and 450 test images for seed 0.

    The test images are the same 450 for any ``val_fraction``: first the test
    set is split off (stratified, ``test_fraction`` of each class), then the
    validation set is split off what is left (``val_fraction`` of each class
    of the remaining images, drawn from the same generator). ``val_fraction=0``
    gives no validation set and all 1,347 images to train on.
    """
    g = as_generator(seed)
    outer = train_test_split(load_digits(), test_fraction, g)
    if val_fraction == 0:
        return outer
    inner = train_test_split(outer.train, val_fraction, g)
    return Split(inner.train, outer.test, inner.test)


def shift_augment(data: Dataset) -> Dataset:
    """The digits plus four copies moved by one pixel (right, left, down, up).

    A stroke drawn one pixel further over is still the same digit; training
    on the shifted copies teaches the MLP that, which a fully connected layer
    cannot know on its own. Pixels moved in at the border are 0 (background).
    """
    imgs = data.X.reshape(-1, 8, 8)                                # (n, 8, 8)
    copies = [imgs]
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        moved = np.zeros_like(imgs)
        src_y, dst_y = slice(max(-dy, 0), 8 - max(dy, 0)), slice(max(dy, 0), 8 - max(-dy, 0))
        src_x, dst_x = slice(max(-dx, 0), 8 - max(dx, 0)), slice(max(dx, 0), 8 - max(-dx, 0))
        moved[:, dst_y, dst_x] = imgs[:, src_y, src_x]
        copies.append(moved)
    return Dataset(np.concatenate(copies).reshape(-1, 64), np.tile(data.y, len(copies)))


def make_moons(n: int = 200, noise: float = 0.1, rng=0) -> Dataset:
    """Two interleaving half circles in 2-D (class 0 upper, class 1 lower), with Gaussian noise."""
    g = as_generator(rng)
    n0 = n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    X = X + g.normal(0, noise, X.shape)
    y = np.r_[np.zeros(n0, np.int64), np.ones(n - n0, np.int64)]
    return Dataset(X.astype(np.float32), y)


def make_spirals(n: int = 300, classes: int = 3, noise: float = 0.2, rng=0) -> Dataset:
    """``classes`` interleaved spiral arms in 2-D (the CS231n toy set), radius 0..1."""
    g = as_generator(rng)
    per = [n // classes + (1 if c < n % classes else 0) for c in range(classes)]
    X, y = [], []
    for c, m in enumerate(per):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, m) + g.normal(0, noise, m)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(m, c, np.int64))
    return Dataset(np.concatenate(X).astype(np.float32), np.concatenate(y))


def batches(arrays, batch_size: int, rng=None, shuffle: bool = True):
    """Yield tuples of aligned minibatches from equally long arrays.

    With ``shuffle`` the order is a permutation drawn from ``rng`` (seed or
    Generator); the last batch may be smaller; no example is dropped.
    """
    arrays = tuple(arrays)
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"arrays to batch must be equally long, got lengths {[len(a) for a in arrays]}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = as_generator(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield tuple(a[idx] for a in arrays)
