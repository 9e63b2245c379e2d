"""The seed's label variants (seed §2.2), made concrete.

* hard-label distillation (硬蒸馏): the student learns the teacher's argmax as if it were a label;
* soft-label distillation (软蒸馏): the student matches softmax(z_t / T) (``kd_loss`` with α = 1);
* mixed-label distillation (混合标签): targets α·softmax(z_t/T) + (1 − α)·onehot(y);
* multi-teacher ("multi-label", 多模型蒸馏, seed §8.2): several teachers' soft labels combined,
  either by averaging their probabilities or by averaging their logits first.
  The two differ whenever the teachers' confidences differ: averaging logits
  adds log-odds (a renormalised geometric mean of the distributions), so a
  teacher with a large logit gap pulls the result further than its
  probabilities, which saturate at 1, can.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .kd_loss import _constant, check_alpha, soft_cross_entropy
from .soft_labels import hard_labels, soft_labels

MULTI_MODES = ("probs", "logits")


def hard_label_loss(student_logits, teacher_logits):
    """CE(z_s, argmax z_t): the teacher's decisions as labels; its dark knowledge is thrown away."""
    return F.cross_entropy(student_logits, hard_labels(_constant(teacher_logits)))


def mixed_targets(teacher_logits, labels, *, T: float, alpha: float) -> np.ndarray:
    """α·softmax(z_t / T) + (1 − α)·onehot(y): a probability vector per example."""
    F.check_temperature(T)
    check_alpha(alpha)
    p = soft_labels(_constant(teacher_logits), T)
    y = F.check_labels(labels, p.shape[0], p.shape[1])
    onehot = np.eye(p.shape[1])[y]
    return alpha * p + (1 - alpha) * onehot


def mixed_label_loss(student_logits, teacher_logits, labels, *, T: float = 4.0, alpha: float = 0.5):
    """CE of the student against the mixed targets (at T = 1 on the student's side)."""
    return soft_cross_entropy(student_logits, mixed_targets(teacher_logits, labels, T=T, alpha=alpha))


def multi_teacher_targets(teacher_logits_list, *, T: float = 4.0, mode: str = "probs") -> np.ndarray:
    """Soft labels from several teachers: mean of softmax(z_k/T) ("probs") or softmax(mean z_k / T) ("logits").

    Examples
    --------
    Two teachers that disagree equally give the same answer either way; when
    one is far more confident, the two rules part:

    >>> a, b = np.array([[4.0, 0.0]]), np.array([[0.0, 4.0]])
    >>> multi_teacher_targets([a, b], T=1, mode="probs").round(3), multi_teacher_targets([a, b], T=1, mode="logits")
    (array([[0.5, 0.5]]), array([[0.5, 0.5]]))
    >>> c = np.array([[8.0, 0.0]])                          # a much more confident first teacher
    >>> multi_teacher_targets([c, b], T=1, mode="probs").round(3), multi_teacher_targets([c, b], T=1, mode="logits").round(3)
    (array([[0.509, 0.491]]), array([[0.881, 0.119]]))
    """
    if mode not in MULTI_MODES:
        raise ValueError(f"unknown multi-teacher mode {mode!r}; choose one of {MULTI_MODES}")
    zs = [_constant(z) for z in teacher_logits_list]
    if not zs:
        raise ValueError("multi-teacher distillation needs at least one teacher")
    if any(z.shape != zs[0].shape for z in zs):
        raise ValueError(f"teachers must give logits of the same shape, got {[z.shape for z in zs]}")
    if mode == "probs":
        return np.mean([soft_labels(z, T) for z in zs], axis=0)
    return soft_labels(np.mean(zs, axis=0), T)
