"""Layers and losses as functions of Tensors: linear, softmax, cross-entropy, MSE.

``linear``, ``softmax``, ``log_softmax`` and ``cross_entropy`` are fused ops:
each computes its result in one NumPy expression and defines its backward
right under it, as PyTorch does, instead of chaining a dozen elementary
nodes. The tests check each against central differences and against the
same formula built from elementary Tensor ops.
"""

from __future__ import annotations

import numpy as np

from .autograd import Tensor


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def check_temperature(T) -> float:
    """The one check of a temperature, used by every function that takes one (softmax, KD losses)."""
    if isinstance(T, bool) or not isinstance(T, (int, float, np.integer, np.floating)) or not np.isfinite(T) or T <= 0:
        raise ValueError(f"temperature T must be a finite number > 0, got T={T}: "
                         "softmax divides the logits by T")
    return float(T)


def linear(x, weight, bias=None) -> Tensor:
    """y = x Wᵀ + b, with W of shape (out, in) as in PyTorch.

    Backward: ∂L/∂x = ∂L/∂y · W,  ∂L/∂W = (∂L/∂y)ᵀ x,  ∂L/∂b = Σ_batch ∂L/∂y.
    """
    x, weight = _as_tensor(x), _as_tensor(weight)
    bias = None if bias is None else _as_tensor(bias)
    if x.ndim != 2 or weight.ndim != 2 or x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit a weight of shape {weight.shape}; "
            f"expected input (batch, {weight.shape[1] if weight.ndim == 2 else 'in'}) "
            "for a weight (out_features, in_features)")
    y = x.data @ weight.data.T                                   # (B, out)
    parents = (x, weight) if bias is None else (x, weight, bias)
    if bias is not None:
        y += bias.data
    out = Tensor.from_op(y, parents, "linear")
    if out.requires_grad:
        def _backward(grad):
            g = grad                                         # (B, out)
            if x.requires_grad:
                x._accumulate(g @ weight.data)       # (B, in)
            if weight.requires_grad:
                weight._accumulate(g.T @ x.data)     # (out, in)
            if bias is not None and bias.requires_grad:
                bias._accumulate(g.sum(axis=0))      # (out,)
        out._backward = _backward
    return out


def _stable_log_softmax(z: np.ndarray, axis: int, T: float = 1.0) -> np.ndarray:
    """log softmax(z / T): the max is subtracted before dividing by T."""
    # subtle: exp(1e4) overflows; shifting by the max changes nothing
    # mathematically (log-sum-exp is shift-invariant) and keeps exp ≤ 1.
    # Shift first, divide second: 1e308 / 0.5 would overflow to inf, and
    # inf − inf is NaN; (1e308 − 1e308) / 0.5 is 0.
    with np.errstate(over="ignore"):                 # −1e308 / 0.5 → −inf, whose exp is exactly 0
        shifted = (z - z.max(axis=axis, keepdims=True)) / T
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax(z, T: float = 1.0, axis: int = -1) -> Tensor:
    """log p_i = z_i/T − log Σ_j exp(z_j/T), computed with the max subtracted.

    Backward: ∂L/∂z_i = (g_i − p_i Σ_j g_j) / T, where g = ∂L/∂log p.
    """
    z, T = _as_tensor(z), check_temperature(T)
    logp = _stable_log_softmax(z.data, axis, T)
    out = Tensor.from_op(logp, (z,), "log_softmax")
    if out.requires_grad:
        def _backward(grad):
            g = grad
            z._accumulate((g - np.exp(logp) * g.sum(axis=axis, keepdims=True)) / T)
        out._backward = _backward
    return out


def softmax(z, T: float = 1.0, axis: int = -1) -> Tensor:
    """p_i = exp(z_i/T) / Σ_j exp(z_j/T)  (seed §3.2.2's "normalised outputs").

    Large T flattens p towards uniform; T → 0 sharpens it towards one-hot.
    Backward: ∂L/∂z_i = p_i (g_i − Σ_j g_j p_j) / T, where g = ∂L/∂p.

    Examples
    --------
    >>> softmax(np.array([[0.0, np.log(3.0)]])).data.round(6)
    array([[0.25, 0.75]])
    """
    z, T = _as_tensor(z), check_temperature(T)
    p = np.exp(_stable_log_softmax(z.data, axis, T))
    out = Tensor.from_op(p, (z,), "softmax")
    if out.requires_grad:
        def _backward(grad):
            g = grad
            z._accumulate(p * (g - (g * p).sum(axis=axis, keepdims=True)) / T)
        out._backward = _backward
    return out


def check_labels(labels, batch: int, classes: int) -> np.ndarray:
    """Validate class labels: integer, one per example, each in [0, classes)."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}: "
                        "cast them with labels.astype(int) if they are whole numbers")
    if labels.shape != (batch,):
        raise ValueError(f"expected one label per example, shape ({batch},), got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)]
        raise ValueError(f"labels must lie in [0, {classes}) for {classes} classes, "
                         f"found {bad[:5].tolist()}")
    return labels


def cross_entropy(logits, labels, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """CE = −(1/B) Σ_b Σ_c t_bc log softmax(z_b)_c,  t_b = (1 − ε) onehot(y_b) + ε/C

    for integer labels y; ε = ``label_smoothing`` (0 gives the usual
    −log softmax(z_b)[y_b]; Szegedy et al. 2016, PyTorch's same-named argument).
    A smoothed target is a soft label that knows nothing about the image: the
    control that tells what a teacher's soft labels add beyond softness.

    Backward: ∂CE/∂z_b = (softmax(z_b) − t_b) / B.

    Examples
    --------
    >>> round(cross_entropy(np.zeros((1, 4)), np.array([2])).item(), 6)   # ln 4
    1.386294
    """
    z = _as_tensor(logits)
    if z.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (batch, classes), got {z.shape}")
    B, C = z.shape
    if B == 0:
        raise ValueError("cross_entropy got an empty batch (0 examples): its mean is undefined")
    y = check_labels(labels, B, C)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing is the share ε of the target spread over all classes; "
                         f"it must lie in [0, 1], got {label_smoothing}")
    logp = _stable_log_softmax(z.data, axis=1)                   # (B, C)
    target = np.full((B, C), label_smoothing / C, dtype=logp.dtype)
    target[np.arange(B), y] += 1.0 - label_smoothing             # (B, C) rows sum to 1
    picked = -(target * logp).sum(axis=1)                        # (B,)
    scale = 1.0 / B if reduction == "mean" else 1.0
    out = Tensor.from_op(np.asarray(picked.sum() * scale, dtype=z.dtype), (z,), "cross_entropy")
    if out.requires_grad:
        def _backward(grad):
            z._accumulate((np.exp(logp) - target) * (grad * scale))
        out._backward = _backward
    return out


def mse(a, b, reduction: str = "sum") -> Tensor:
    """MSE = Σ_i (a_i − b_i)²   (reduction="sum", the seed's §4.1 form)
    or (1/n) Σ_i (a_i − b_i)²   (reduction="mean", PyTorch's default).

    Built from elementary ops, so its backward is theirs: ∂/∂a_i = 2(a_i − b_i).
    The shapes must match exactly: a silent broadcast of (B,) against (B, 1)
    would compare every a with every b.

    Examples
    --------
    >>> round(mse(np.array([0.9, 0.1, 0.0]), np.array([0.8, 0.2, 0.1])).item(), 6)
    0.03
    """
    a, b = _as_tensor(a), _as_tensor(b)
    if a.shape != b.shape:
        raise ValueError(f"mse needs equal shapes, got {a.shape} and {b.shape}: "
                         "broadcasting here would silently compare unrelated entries")
    d = a - b
    total = (d * d).sum()
    if reduction == "sum":
        return total
    if reduction == "mean":
        return total * (1.0 / max(a.data.size, 1))
    raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
