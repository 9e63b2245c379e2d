"""Hint (feature) distillation in the manner of FitNets (Romero et al. 2014, "FitNets: Hints for Thin Deep Nets").

    L_hint = (1/(B·H_t)) Σ ‖ r(h_student) − h_teacher ‖²,     r(h) = h·W_rᵀ + b_r

The student's hidden layer is usually narrower than the teacher's, so a
learned linear regressor r maps it to the teacher's width before the MSE.
The regressor is trained together with the student and thrown away after.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import Linear, Module, Sequential


class HintRegressor(Module):
    """r: student hidden (B, h_s) → teacher hidden width (B, h_t)."""

    def __init__(self, student_width: int, teacher_width: int, rng=0):
        super().__init__()
        self.proj = Linear(student_width, teacher_width, rng=rng)

    def forward(self, h):
        return self.proj(h)


def hidden(model: Sequential, x, upto: int):
    """The output of ``model[:upto]`` (e.g. upto=2: after the first Linear and its ReLU)."""
    if not isinstance(model, Sequential):
        raise TypeError(f"hint distillation reads a hidden layer of a Sequential, got {type(model).__name__}")
    if not 0 < upto < len(model):
        raise ValueError(f"upto must be in (0, {len(model)}) to name a hidden layer, got {upto}")
    return model[:upto](x if isinstance(x, Tensor) else Tensor(x))


def hint_loss(student_hidden, teacher_hidden, regressor: HintRegressor) -> Tensor:
    """Mean squared distance between r(h_s) and h_t (the teacher side is a constant target)."""
    target = np.asarray(teacher_hidden.data if isinstance(teacher_hidden, Tensor) else teacher_hidden)
    mapped = regressor(student_hidden)
    if mapped.shape != target.shape:
        raise ValueError(f"the regressor maps the student's hidden layer to {mapped.shape}, but the "
                         f"teacher's is {target.shape}")
    return F.mse(mapped, target.astype(mapped.dtype), reduction="mean")
