"""The bundled digits, the split, augmentation, toy sets and batching."""

import numpy as np
import pytest

from minicompress.data import (
    Dataset,
    batches,
    digits_split,
    load_digits,
    make_moons,
    make_spirals,
    shift_augment,
    train_test_split,
)


def test_digits_are_the_real_uci_set():
    raw = load_digits(scale=False)
    assert raw.X.shape == (1797, 64) and raw.y.shape == (1797,)
    assert raw.X.min() == 0 and raw.X.max() == 16 and np.all(raw.X == np.round(raw.X))
    assert np.bincount(raw.y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # the first image is a 0: its centre column is empty and the ring around it is inked
    first = raw.X[0].reshape(8, 8)
    assert raw.y[0] == 0 and first[3:5, 3:5].sum() < first.sum() / 10
    assert np.allclose(load_digits().X, raw.X / 16)


def test_split_is_stratified_disjoint_and_deterministic():
    s = digits_split(seed=0)
    assert (len(s.train), len(s.val), len(s.test)) == (1078, 269, 450)
    full = load_digits()
    counts = np.bincount(full.y)
    assert np.all(np.abs(np.bincount(s.test.y) - 0.25 * counts) <= 1)       # every class 25% ± 1
    assert np.all(np.abs(np.bincount(s.val.y) - 0.2 * 0.75 * counts) <= 1.5)  # 20% of the rest ± 1
    rows = {name: {r.tobytes() for r in part.X} for name, part in (("train", s.train), ("val", s.val))}
    for a, b in (("train", s.test), ("val", s.test)):
        assert sum(r.tobytes() in rows[a] for r in b.X) <= 2   # the UCI set itself holds a couple of twins
    assert sum(r.tobytes() in rows["train"] for r in s.val.X) <= 2
    again = digits_split(seed=0)
    assert np.array_equal(again.test.X, s.test.X) and np.array_equal(again.train.y, s.train.y)
    assert np.array_equal(again.val.X, s.val.X)
    assert not np.array_equal(digits_split(seed=1).test.y, s.test.y)


def test_the_validation_set_comes_out_of_training_only():
    with_val, without = digits_split(seed=0), digits_split(seed=0, val_fraction=0)
    assert without.val is None and len(without.train) == 1347
    assert np.array_equal(with_val.test.X, without.test.X)                # the same 450 test images
    pool = {r.tobytes() for r in without.train.X}
    assert all(r.tobytes() in pool for r in np.concatenate([with_val.train.X, with_val.val.X]))


def test_split_rejects_bad_fractions():
    with pytest.raises(ValueError, match=r"test_fraction must lie in \(0, 1\), got 1.5"):
        train_test_split(load_digits(), 1.5)


def test_shift_augment_moves_every_pixel_by_one_by_hand():
    img = np.zeros((1, 64), np.float32)
    img[0, 3 * 8 + 4] = 1.0                         # a single pixel at row 3, column 4
    aug = shift_augment(Dataset(img, np.array([7])))
    assert aug.X.shape == (5, 64) and aug.y.tolist() == [7] * 5
    where = [tuple(np.argwhere(x.reshape(8, 8))[0]) for x in aug.X]
    assert where == [(3, 4), (3, 5), (3, 3), (4, 4), (2, 4)]   # as is, right, left, down, up
    edge = np.zeros((1, 64), np.float32)
    edge[0, 7] = 1.0                                # top-right corner: moving right drops it
    assert shift_augment(Dataset(edge, np.array([1]))).X[1].sum() == 0


def test_toy_sets_are_seeded_and_shaped():
    m1, m2 = make_moons(101, rng=3), make_moons(101, rng=3)
    assert m1.X.shape == (101, 2) and np.bincount(m1.y).tolist() == [50, 51]
    assert np.array_equal(m1.X, m2.X) and not np.array_equal(m1.X, make_moons(101, rng=4).X)
    s = make_spirals(301, classes=3, rng=0)
    assert s.X.shape == (301, 2) and np.bincount(s.y).tolist() == [101, 100, 100]
    assert np.abs(s.X).max() < 1.01


def test_batches_cover_every_example_once_and_are_seeded():
    X, y = np.arange(10).reshape(10, 1), np.arange(10)
    got = list(batches((X, y), 4, rng=0))
    assert [len(b[1]) for b in got] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in got]).tolist()) == list(range(10))
    assert all(np.array_equal(b[0][:, 0], b[1]) for b in got)                # rows stay aligned
    again = list(batches((X, y), 4, rng=0))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(got, again))
    assert [b[1].tolist() for b in batches((X, y), 5, shuffle=False)] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    with pytest.raises(ValueError, match="equally long"):
        next(batches((X, y[:3]), 2))

