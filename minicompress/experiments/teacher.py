"""The standard float "teacher": a 64-256-256-10 MLP trained on the digits, and its per-process cache.

Every compression method starts from this model, so its recipe lives in one
place: Adam (lr 1e-3, L2 weight decay 1e-4), batch 64, up to 40 epochs over
the training images and their one-pixel shifts (``data.shift_augment``),
ending with the weights of the epoch whose validation loss was lowest. The
validation images decide the epoch; the test images only report.
"""

from __future__ import annotations

from ..data import Split, digits_split, shift_augment
from ..nn import MLP
from ..optim import Adam
from ..train import fit

TEACHER_SIZES = (64, 256, 256, 10)


def train_teacher(split: Split | None = None, seed: int = 0, epochs: int = 40, sizes=TEACHER_SIZES,
                  verbose=None):
    """Train the teacher; returns ``(model, history)``. Deterministic for a seed.

    With a validation set in ``split`` the model keeps its best epoch by
    validation loss (``fit(keep_best=True)``); without one it keeps the last.
    """
    split = split or digits_split()
    model = MLP(sizes, rng=seed)
    history = fit(model, shift_augment(split.train), epochs=epochs, batch_size=64, rng=seed,
                  optimizer=Adam(model.parameters(), lr=1e-3, weight_decay=1e-4),
                  test=split.test, val=split.val, keep_best=split.val is not None,
                  verbose=verbose, label="teacher  ")
    return model, history


_TRAINED = {}


def shared_teacher(seed: int = 0, epochs: int = 40):
    """The teacher for the standard split, trained once per process and then reused.

    Figures and stages that only read the teacher share this one; do not
    modify it (quantization and distillation work on copies).
    """
    key = (seed, epochs)
    if key not in _TRAINED:
        _TRAINED[key] = train_teacher(seed=seed, epochs=epochs)
    return _TRAINED[key]
