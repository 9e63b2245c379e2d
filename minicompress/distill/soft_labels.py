"""Soft and hard labels (seed §2.2, §3.2.2): the teacher's normalised outputs.

    soft:  p_i = exp(z_i/T) / Σ_j exp(z_j/T)       (Hinton, Vinyals & Dean 2015)
    hard:  y = argmax_i z_i

seed §3.2.2 says only that the big model's outputs are "normalised"
(归一化处理) into soft labels; the softmax with a temperature T is the
normalisation that distillation uses. T = 1 is the ordinary softmax; a
larger T spreads probability onto the wrong classes, whose relative sizes
("a 2 looks a bit like a 3, hardly like a 4") are the dark knowledge.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor


def soft_labels(logits, T: float = 1.0):
    """p = softmax(z / T) along the last axis; ndarray in, ndarray out (Tensor in, Tensor out).

    Stable for any finite logits (the max is subtracted before dividing by
    T), so |z| = 1e308 is fine. An infinite logit gives the limit: all the
    probability on the +inf entries, shared equally; −inf entries get 0. A
    row with no finite or +inf entry, or a NaN, has no limit and is refused.

    Examples
    --------
    >>> soft_labels(np.array([2.0, 1.0, 0.0]), T=1).round(4)
    array([0.6652, 0.2447, 0.09  ])
    >>> soft_labels(np.array([2.0, 1.0, 0.0]), T=4).round(4)
    array([0.4192, 0.3265, 0.2543])
    """
    if isinstance(logits, Tensor):
        return F.softmax(logits, T)
    z = np.asarray(logits, dtype=np.float64)
    if not np.all(np.isfinite(z)):
        return infinite_limit(z, T)                     # ±inf: the limit; NaN: a clear error
    # --- exercise: soft_labels ---
    return F.softmax(z, T).data
    # --- end exercise ---


def infinite_limit(z: np.ndarray, T: float = 1.0) -> np.ndarray:
    """softmax(z / T) where some logits are ±inf: its limit, all mass shared equally on the +inf entries.

    −inf entries get probability 0 (exactly what softmax gives them already);
    a row with a NaN, or with every entry −inf, has no limit and is refused.
    """
    if np.isnan(z).any():
        raise ValueError("soft_labels got NaN logits: a NaN has no probability (check the model's outputs)")
    if z.size and np.any(np.all(np.isneginf(z), axis=-1)):
        raise ValueError("soft_labels got a row whose logits are all −inf: no class has any probability, "
                         "so softmax has no limit there")
    top = np.isposinf(z)
    rows = top.any(axis=-1, keepdims=True)
    limit = top / np.maximum(top.sum(axis=-1, keepdims=True), 1)
    safe = np.where(rows, 0.0, z)                       # softmax only where no entry is +inf
    return np.where(rows, limit, F.softmax(safe, T).data)


def hard_labels(logits) -> np.ndarray:
    """y = argmax_i z_i: the class the model picks (seed §2.2 "硬标签")."""
    z = logits.data if isinstance(logits, Tensor) else np.asarray(logits)
    return z.argmax(axis=-1)


def check_probabilities(p, name: str = "targets", atol: float = 1e-5) -> np.ndarray:
    """Refuse targets that are not probability vectors: negative entries or rows not summing to 1."""
    p = np.asarray(p.data if isinstance(p, Tensor) else p, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"{name} must have shape (batch, classes), got {p.shape}")
    if not np.all(np.isfinite(p)) or p.min() < 0:
        raise ValueError(f"{name} must be finite and non-negative, found {p.min():.3g}")
    sums = p.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1) > atol)
    if bad.size:
        raise ValueError(f"{name} must be probabilities summing to 1 per row; row {bad[0]} sums to "
                         f"{sums[bad[0]]:.6g} ({bad.size} rows off). Pass logits through soft_labels first")
    return p
