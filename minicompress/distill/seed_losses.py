"""The seed's two distillation losses (seed §4.1), exactly as written: sums of squares.

    L_g(ŷ, y_g) = Σ_i (ŷ_i − y_g,i)²     "model distillation": soft label vs the big model's output
    L_s(ŷ, y_s) = Σ_i (ŷ_i − y_s,i)²     "parameter distillation": soft label vs the small model's output

Both are the squared-error ``mse(·, ·, reduction="sum")``; only L_s depends on
the student, so only L_s can train it. The seed's worked example (§4.3),
recomputed: with ŷ = [0.9, 0.1, 0], y_g = [0.8, 0.2, 0.1], y_s = [0.6, 0.3, 0.1],

    L_g = 0.1² + 0.1² + 0.1² = 0.03      (the seed prints 0.02)
    L_s = 0.3² + 0.2² + 0.1² = 0.14      (the seed prints 0.26)
"""

from __future__ import annotations

from .. import functional as F


def seed_model_distillation_loss(soft, teacher_out):
    """L_g(ŷ, y_g) = Σ_i (ŷ_i − y_g,i)² (seed §4.1), differentiable.

    Examples
    --------
    >>> import numpy as np
    >>> round(seed_model_distillation_loss(np.array([0.9, 0.1, 0.0]), np.array([0.8, 0.2, 0.1])).item(), 12)
    0.03
    """
    return F.mse(soft, teacher_out, reduction="sum")


def seed_parameter_distillation_loss(soft, student_out):
    """L_s(ŷ, y_s) = Σ_i (ŷ_i − y_s,i)² (seed §4.1), differentiable.

    Examples
    --------
    >>> import numpy as np
    >>> round(seed_parameter_distillation_loss(np.array([0.9, 0.1, 0.0]), np.array([0.6, 0.3, 0.1])).item(), 12)
    0.14
    """
    return F.mse(soft, student_out, reduction="sum")
