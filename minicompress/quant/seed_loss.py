"""The seed's "quantization loss" (seed §4.1, §4.3), literally and as meant.

seed §4.1 writes "量化量化" as ``L(ŵ) = Σ_i (ŵ_i − y_i)²`` and calls y_i "the
true value of the model output". Taken literally this compares integer codes
with targets on another scale: codes of w = [1.2, 2.5, 3.7] at q = 0.1 are
[12, 25, 37], and against y = [1, 2, 3] the sum is 1806 (the seed prints
197, which no reading of its own numbers gives).

What quantization is judged by in practice is the reconstruction error
between the weights and what the codes stand for, ``Σ_i (q·ŵ_i − w_i)²``.
Both are here, side by side, so the difference can be seen.
"""

from __future__ import annotations

import numpy as np

from .uniform import check_finite, dequantize


def seed_quantization_loss(codes, targets) -> float:
    """L(ŵ) = Σ_i (ŵ_i − y_i)²  exactly as seed §4.1 writes it (codes against targets).

    Examples
    --------
    >>> seed_quantization_loss([12, 25, 37], [1, 2, 3])     # 11² + 23² + 34²
    1806.0
    """
    codes, targets = check_finite(codes, "codes"), check_finite(targets, "targets")
    if codes.shape != targets.shape:
        raise ValueError(f"codes and targets must have the same shape, got {codes.shape} and {targets.shape}")
    return float(np.sum((codes.astype(np.float64) - targets) ** 2))


def reconstruction_error(w, codes, q, zero_point=0, axis=None) -> float:
    """E = Σ_i (q·(ŵ_i − z) − w_i)²: how far the dequantized weights are from the originals.

    Examples
    --------
    >>> round(reconstruction_error([1.23, 2.5], [12, 25], 0.1), 12)     # (1.2 − 1.23)² + 0²
    0.0009
    """
    w = check_finite(w).astype(np.float64)
    codes = np.asarray(codes)
    if codes.shape != w.shape:
        raise ValueError(f"w and codes must have the same shape, got {w.shape} and {codes.shape}")
    return float(np.sum((dequantize(codes, q, zero_point, axis) - w) ** 2))
