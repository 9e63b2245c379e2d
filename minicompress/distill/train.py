"""``distill``: train a student on a teacher's soft labels, with the ordinary ``fit``.

The teacher's logits are computed once (the teacher is fixed) and ride along
with each minibatch as an extra target, so the loop is the same one every
other model in minicompress trains with.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..nn import Module, Sequential
from ..optim import Adam
from ..train import fit, predict_logits
from .fitnets import HintRegressor
from .kd_loss import check_alpha, kd_loss


def distill(student, teacher, data, *, T: float = 4.0, alpha: float = 0.9, epochs: int = 30,
            optimizer=None, batch_size: int = 64, rng=0, test=None, verbose=None, teacher_logits=None,
            val=None, keep_best: bool = False, patience: int | None = None):
    """Train ``student`` with ``kd_loss`` against ``teacher``'s logits on ``data`` = (X, y).

    Returns fit's history. ``teacher_logits`` may be passed to reuse them across runs.
    ``val``, ``keep_best`` and ``patience`` are ``fit``'s: the validation images
    judge the student by cross-entropy on their true labels, whatever it trains on.
    """
    F.check_temperature(T)
    check_alpha(alpha)
    X, y = data[0], data[1]
    zt = predict_logits(teacher, X) if teacher_logits is None else np.asarray(teacher_logits)
    if zt.shape[0] != len(X):
        raise ValueError(f"teacher logits cover {zt.shape[0]} examples, the data {len(X)}")
    optimizer = optimizer or Adam(student.parameters(), lr=3e-3)
    return fit(student, (X, y, zt.astype(np.float32)), epochs=epochs, batch_size=batch_size, rng=rng,
               optimizer=optimizer, test=test, verbose=verbose, label="distill  ",
               val=val, keep_best=keep_best, patience=patience,
               loss=lambda out, yb, zb: kd_loss(out, zb, yb, T=T, alpha=alpha))


class _HintedStudent(Module):
    """The student's lower layers followed by the regressor: what the hint stage trains."""

    def __init__(self, lower: Sequential, regressor: HintRegressor):
        super().__init__()
        self.lower, self.regressor = lower, regressor

    def forward(self, x):
        return self.regressor(self.lower(x))


def train_hints(student: Sequential, teacher: Sequential, X, student_upto: int, teacher_upto: int,
                epochs: int = 20, rng=0, verbose=None):
    """FitNets stage 1: fit ``student[:student_upto]`` (via a regressor) to ``teacher[:teacher_upto]``.

    The student's lower layers are shared with ``student``, so the hint training
    changes them in place; returns the regressor (used only for training).
    """
    h_t = predict_logits(teacher[:teacher_upto], X).astype(np.float32)     # (n, h_t) teacher hidden
    lower = student[:student_upto]
    width = predict_logits(lower, X[:1]).shape[1]
    regressor = HintRegressor(width, h_t.shape[1], rng=rng)
    model = _HintedStudent(lower, regressor)
    fit(model, (X, h_t), epochs=epochs, rng=rng, optimizer=Adam(model.parameters(), lr=3e-3),
        loss=lambda out, target: F.mse(out, target, reduction="mean"), verbose=verbose, label="hints    ")
    return regressor
