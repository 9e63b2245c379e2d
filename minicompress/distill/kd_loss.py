"""Hinton, Vinyals & Dean (2015), "Distilling the Knowledge in a Neural Network":

    L = α·T²·KL(p_teacher^T ‖ p_student^T) + (1 − α)·CE(z_student, y)

with p^T = softmax(z / T) and KL averaged over the batch ("batchmean").
Every function here takes ``(student_logits, teacher_logits, ...)``, input
then target as PyTorch's losses do, with ``T`` and ``alpha`` keyword-only;
the temperature is checked by ``functional.check_temperature``.

subtle: the KL direction. KL(p_t ‖ p_s) = Σ_i p_t,i (log p_t,i − log p_s,i)
weights the student's log-probabilities by the *teacher's* probabilities,
so it is the cross-entropy of the student against the teacher's soft labels
minus a constant (the teacher's entropy). KL(p_s ‖ p_t) is another loss.

subtle: the T² factor. ∂/∂z_s of T²·KL = T·(p_s − p_t) per example: the
softmax at temperature T divides the gradient by T, and T² restores it to
the size of the hard-label term, so α keeps its meaning as T changes. For
large T and zero-mean logits, T·(p_s − p_t) → (z_s − z_t)/N (N classes):
distillation becomes logit matching.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from .soft_labels import check_probabilities, soft_labels


def check_alpha(alpha) -> float:
    """α weighs the soft-label term against the hard-label one, so it must lie in [0, 1]."""
    if not np.isfinite(alpha) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha must lie in [0, 1] (the weight of the soft-label term), got alpha={alpha}")
    return float(alpha)


def _constant(x) -> np.ndarray:
    """Teacher outputs are targets: no gradient flows into the teacher."""
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def _student(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float64))


def soft_cross_entropy(logits, targets, *, T: float = 1.0) -> Tensor:
    """CE = −(1/B) Σ_b Σ_i p_b,i · log softmax(z_b / T)_i  for probability targets p.

    Examples
    --------
    >>> round(soft_cross_entropy(np.zeros((1, 4)), np.full((1, 4), 0.25)).item(), 6)   # ln 4
    1.386294
    """
    z = _student(logits)
    p = check_probabilities(targets)
    if p.shape != z.shape:
        raise ValueError(f"targets {p.shape} and logits {z.shape} must have the same shape")
    return -(F.log_softmax(z, T) * p.astype(z.dtype)).sum() * (1.0 / z.shape[0])


def kl_divergence(student_logits, teacher_logits, *, T: float = 1.0) -> Tensor:
    """KL(p_t ‖ p_s) = (1/B) Σ_b Σ_i p_t,i (log p_t,i − log p_s,i),  p = softmax(z / T)  (batchmean).

    The student's log-probabilities are weighted by the *teacher's*
    probabilities; the value is ≥ 0, and 0 exactly when the two agree.

    Examples
    --------
    >>> z = np.array([[1.0, 2.0, 0.5]])
    >>> round(kl_divergence(z, z).item(), 12)        # identical distributions
    0.0
    >>> round(kl_divergence(np.array([[np.log(4.0), 0.0]]), np.zeros((1, 2))).item(), 4)   # KL([.5,.5] ‖ [.8,.2])
    0.2231
    """
    zs, zt = _student(student_logits), _constant(teacher_logits)
    check_logit_pair(zs.shape, zt.shape)
    log_pt = F.log_softmax(zt, T).data                         # (B, C) constants: the teacher is fixed
    pt = Tensor(np.exp(log_pt).astype(zs.dtype))
    log_ps = F.log_softmax(zs, T)                              # (B, C) Tensor
    return (pt * (Tensor(log_pt.astype(zs.dtype)) - log_ps)).sum() * (1.0 / zs.shape[0])


def kd_loss(student_logits, teacher_logits, labels=None, *, T: float = 4.0, alpha: float = 0.9) -> Tensor:
    """L = α·T²·KL(p_t^T ‖ p_s^T) + (1 − α)·CE(z_s, y)  (Hinton et al. 2015), KL batch-averaged.

    ``labels`` may be omitted only when α = 1 (pure soft-label distillation).

    Examples
    --------
    With T = 1 and α = 0 it is the ordinary cross-entropy:

    >>> z, y = np.array([[2.0, 0.0, -1.0]]), np.array([0])
    >>> bool(np.isclose(kd_loss(z, np.zeros((1, 3)), y, T=1, alpha=0).item(), F.cross_entropy(z, y).item()))
    True
    """
    F.check_temperature(T)
    check_alpha(alpha)
    zs = _student(student_logits)
    # --- exercise: kd_loss ---
    loss = kl_divergence(zs, teacher_logits, T=T) * (alpha * T * T) if alpha > 0 else None
    if alpha < 1:
        if labels is None:
            raise ValueError(f"kd_loss with alpha={alpha} < 1 needs labels for its (1 − α)·CE term")
        ce = F.cross_entropy(zs, labels) * (1 - alpha)
        loss = ce if loss is None else loss + ce
    return loss
    # --- end exercise ---


def check_logit_pair(student_shape, teacher_shape, one_example: bool = False) -> None:
    """Student and teacher logits: the same (batch, classes), batch ≥ 1, never broadcast
    (``one_example`` also accepts a single (classes,) pair)."""
    ranks = (1, 2) if one_example else (2,)
    if tuple(teacher_shape) != tuple(student_shape) or len(student_shape) not in ranks:
        raise ValueError(f"student logits {student_shape} and teacher logits {teacher_shape} must have the same "
                         "shape (batch, classes): both models must classify the same examples into the same classes")
    if student_shape[0] == 0:
        raise ValueError("got an empty batch (0 examples): a batch-averaged KL of nothing is undefined")


def kd_gradient(student_logits, teacher_logits, *, T: float) -> np.ndarray:
    """The closed form ∂(T²·KL)/∂z_s = T·(p_s − p_t) per example (before batch averaging)."""
    check_logit_pair(np.shape(getattr(student_logits, "data", student_logits)),
                     np.shape(getattr(teacher_logits, "data", teacher_logits)), one_example=True)
    # --- exercise: kd_gradient ---
    return T * (soft_labels(student_logits, T) - soft_labels(teacher_logits, T))
    # --- end exercise ---
