"""Fake quantization as an autograd op, with the straight-through estimator (STE).

    forward:   x̃ = q · (clamp(round(x/q) + z, qmin, qmax) − z)
    backward:  ∂x̃/∂x ≈ 1 where qmin ≤ round(x/q) + z ≤ qmax, else 0

round() has derivative 0 almost everywhere, which would stop all learning;
the STE (Bengio et al. 2013) passes the gradient straight through the
rounding and stops it only where the clamp is active. The range test uses
the rounded code, boundaries included, as PyTorch's fake_quantize does: a
value that rounds onto qmin or qmax is still represented, so it still learns.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from .rounding import round_half_away


def fake_quant(x, scale, zero_point=0, qmin: int = -128, qmax: int = 127, axis: int | None = None) -> Tensor:
    """x̃ = q·(clamp(round(x/q) + z) − z) with the STE gradient; ``scale`` per channel along ``axis``."""
    if not isinstance(x, Tensor):
        x = np.asarray(x)
        if x.dtype.kind != "f":
            raise TypeError(f"fake_quant takes real values, got dtype {x.dtype}: integer codes are "
                            "already quantized (use dequantize to get their real values)")
        x = Tensor(x)
    q = np.asarray(scale, dtype=np.float64)
    if q.size == 0 or not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise ValueError(f"scale must be > 0 and finite, got {q.ravel()[:4].tolist()}: it divides x")
    if not qmin < qmax:
        raise ValueError(f"need qmin < qmax, got qmin={qmin}, qmax={qmax}")
    z = np.asarray(zero_point, dtype=np.float64)
    if axis is not None and q.ndim == 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        q, z = q.reshape(shape), (z.reshape(shape) if z.ndim == 1 else z)
    codes = round_half_away(x.data / q) + z
    inside = (codes >= qmin) & (codes <= qmax)
    out = Tensor.from_op((q * (np.clip(codes, qmin, qmax) - z)).astype(x.dtype), (x,), "fake_quant")
    if out.requires_grad:
        def _backward(grad):
            x._accumulate(grad * inside, fresh=True)
        out._backward = _backward
    return out
