"""Choosing the step q of symmetric weight quantization: max, percentile, or the one with least squared error.

    max:         q = max|w| / qmax                         nothing clips; the step is as coarse as the largest weight
    percentile:  q = P_p(|w|) / qmax                        the top (100 − p)% of |w| clips
    mse:         q* = argmin_q Σ (w − q·clamp(round(w/q), qmin, qmax))²

A smaller step rounds the bulk of the weights more finely but clips the
largest ones: the squared error against q is a trade-off between rounding
error (~q²/12 per weight, grows with q) and clipping error (grows as q
shrinks). At 2 bits the codes are {−1, 0, 1} and the trade-off decides
almost everything: max|w| puts nearly every weight on code 0.

The MSE step is found by a grid over q = r · max|w| / qmax, r in (0, 1], per
tensor or per channel (one step per row of a Linear weight, axis 0).
"""

from __future__ import annotations

import numpy as np

from .qparams import MIN_STEP, QParams
from .uniform import check_finite, qrange

METHODS = ("max", "percentile", "mse")


def _rows(w: np.ndarray, per_channel: bool) -> np.ndarray:
    return w.reshape(w.shape[0], -1) if per_channel else w.reshape(1, -1)


def step_error(w, bits: int, ratios, per_channel: bool = True) -> np.ndarray:
    """Σ (w − Q(w))² per channel (rows) for each ratio r of q = r·max|w|/qmax: shape (channels, ratios)."""
    w = check_finite(w, "w").astype(np.float64)
    lo, hi = qrange(bits, True, True)
    rows = _rows(w, per_channel)                                     # (C, n)
    top = np.maximum(np.abs(rows).max(axis=1, keepdims=True), MIN_STEP * hi)
    r = np.asarray(ratios, dtype=np.float64)
    q = (r[None, :] * top / hi)[:, :, None]                          # (C, R, 1)
    codes = np.clip(np.round(rows[:, None, :] / q), lo, hi)          # (C, R, n)
    return ((rows[:, None, :] - q * codes) ** 2).sum(axis=2)


def weight_step(w, bits: int, method: str = "mse", per_channel: bool = True, percentile: float = 99.9,
                grid: int = 100) -> np.ndarray:
    """The step q per channel (shape (out,)) or per tensor (shape ()) of a weight matrix, by ``method``.

    >>> w = np.array([[1.0] + [0.3, -0.3] * 10])     # one large weight, twenty small ones; error 0.47 below
    >>> float(weight_step(w, 2, "max", per_channel=False))            # q = 1: the twenty round to 0, error 1.8
    1.0
    >>> round(float(weight_step(w, 2, "mse", per_channel=False)), 2)  # 1.0 clips to 0.33, the rest are 0.03 off:
    0.33
    """
    if method not in METHODS:
        raise ValueError(f"unknown step method {method!r}; choose one of {METHODS}")
    if not 2 <= bits <= 16:
        raise ValueError(f"bits must be 2..16 for a symmetric weight step, got {bits}")
    w = check_finite(w, "w").astype(np.float64)
    _, hi = qrange(bits, True, True)
    rows = _rows(w, per_channel)
    if method == "max":
        bound = np.abs(rows).max(axis=1)
    elif method == "percentile":
        if not 0 < percentile <= 100:
            raise ValueError(f"percentile must lie in (0, 100], got {percentile}")
        bound = np.percentile(np.abs(rows), percentile, axis=1)
    else:
        ratios = np.linspace(1.0 / grid, 1.0, grid)
        best = ratios[np.argmin(step_error(w, bits, ratios, per_channel), axis=1)]
        bound = best * np.abs(rows).max(axis=1)
    q = np.maximum(bound / hi, MIN_STEP)
    return q if per_channel else q.reshape(())


def weight_qparams(w, bits: int, method: str = "mse", per_channel: bool = True, **kw) -> QParams:
    """A symmetric, narrow-range QParams with the step chosen by ``method`` (see ``weight_step``)."""
    q = weight_step(w, bits, method, per_channel, **kw)
    lo, hi = qrange(bits, True, True)
    return QParams(np.atleast_1d(q), np.zeros(np.atleast_1d(q).shape, np.int64), bits, lo, hi, "symmetric",
                   0 if per_channel else None, True, True)
