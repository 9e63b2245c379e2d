"""Data-free quantization (Nagel et al. 2019): cross-layer equalization and bias correction.

**Equalization.** ReLU is positively homogeneous: ReLU(x/s) = ReLU(x)/s for
s > 0. So dividing row i of W₁ (and b₁,i) by s_i and multiplying column i of
W₂ by s_i leaves the network's function exactly as it was. Choosing

    s_i = √(r₁,i / r₂,i),     r₁,i = max_j |W₁[i, j]|,  r₂,i = max_k |W₂[k, i]|

makes both ranges √(r₁,i·r₂,i), so one step per tensor fits every channel
better. Repeated over the pairs of layers until the scales settle.

**Bias correction.** Rounding W to Ŵ shifts the layer's mean output by
(Ŵ − W)·E[x]; subtracting it from the bias removes the shift:
b̂ = b − (Ŵ − W)·E[x]. E[x] here is the mean layer input on unlabelled
calibration images (the paper estimates it from batch-norm statistics,
which an MLP without batch norm does not have).
"""

from __future__ import annotations

import numpy as np

from ..nn import Linear, ReLU, Sequential


def _linears(model) -> list:
    mods = list(model)
    if not isinstance(model, Sequential) or not all(isinstance(m, (Linear, ReLU)) for m in mods):
        raise TypeError("equalization expects a Sequential of Linear and ReLU layers (an MLP)")
    return mods


def equalization_scales(W1, W2) -> np.ndarray:
    """s_i = √(r₁,i / r₂,i) for the hidden units between W₁ (h, in) and W₂ (out, h); 1 for a dead unit.

    >>> equalization_scales(np.array([[4.0, -1.0], [0.5, 1.0]]), np.array([[1.0, -4.0]])).tolist()
    [2.0, 0.5]
    """
    W1, W2 = np.asarray(W1, dtype=np.float64), np.asarray(W2, dtype=np.float64)
    # --- exercise: equalization_scales ---
    r1, r2 = np.abs(W1).max(axis=1), np.abs(W2).max(axis=0)    # unit i's range into it and out of it
    ok = (r1 > 0) & (r2 > 0)                                    # a unit with no weights keeps s = 1
    return np.where(ok, np.sqrt(np.where(ok, r1, 1.0) / np.where(ok, r2, 1.0)), 1.0)
    # --- end exercise ---


def cross_layer_equalization(model, iters: int = 20) -> Sequential:
    """A copy of the MLP with every pair of consecutive Linear layers (ReLU between) equalized."""
    mods = _linears(model)
    copy = Sequential(*[ReLU() if isinstance(m, ReLU) else _clone(m) for m in mods])
    pairs = [(i, j) for i, j in zip(range(len(mods)), range(1, len(mods)))
             if isinstance(mods[i], Linear) and isinstance(mods[j], ReLU) and j + 1 < len(mods)
             and isinstance(mods[j + 1], Linear)]
    for _ in range(iters):
        for i, j in pairs:
            a, b = copy[i], copy[j + 1]
            s = equalization_scales(a.weight.data.astype(np.float64), b.weight.data.astype(np.float64))
            a.weight.data = (a.weight.data / s[:, None]).astype(a.weight.dtype)
            a.bias.data = (a.bias.data / s).astype(a.bias.dtype)
            b.weight.data = (b.weight.data * s[None, :]).astype(b.weight.dtype)
    return copy


def _clone(m: Linear) -> Linear:
    c = Linear(m.in_features, m.out_features, bias=m.bias is not None, dtype=np.float64)
    c.load_state_dict({k: v.astype(np.float64) for k, v in m.state_dict().items()})
    return c


def bias_correction(W, W_hat, b, mean_input) -> np.ndarray:
    """b̂ = b − (Ŵ − W)·E[x]: the bias that cancels the rounding's shift of the mean output."""
    return np.asarray(b, dtype=np.float64) - (np.asarray(W_hat) - np.asarray(W)) @ np.asarray(mean_input)
