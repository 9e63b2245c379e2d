"""Fake quantization, twice with one signature: in NumPy, and as an autograd op with the straight-through estimator.

    forward:   w̃ = q · (clamp(round(w/q) + z, qmin, qmax) − z)
    backward:  ∂w̃/∂w ≈ 1 where qmin ≤ round(w/q) + z ≤ qmax, else 0     (STE)

Simulating quantization this way ("fake quant") lets a float model compute
with exactly the values the integer codes stand for. round() has derivative
0 almost everywhere, which would stop all learning; the straight-through
estimator (Bengio et al. 2013) passes the gradient straight through the
rounding and stops it only where the clamp is active.

subtle: the range test uses the rounded code, boundaries included, as
PyTorch's fake_quantize does: a value that rounds onto qmin or qmax is still
represented, so it still learns. LSQ (``qat.lsq_quant``) tests the unrounded
w/q instead, as Esser et al. write it, so the two differ for values within
half a step outside the range: they round onto qmin or qmax, pass the
gradient here and are clipped there.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from .uniform import dequantize, quantize, quantize_steps


def fake_quantize(w, q, bits: int | None = None, signed: bool = True, rounding: str = "half_away",
                  zero_point=0, axis: int | None = None, narrow: bool = False, rng=None) -> np.ndarray:
    """w̃ = q · (clamp(round(w/q) + z, qmin, qmax) − z) in NumPy (arguments as ``quantize``).

    Examples
    --------
    >>> fake_quantize([0.26, -1.0], 0.1, bits=4)      # codes 3 and −8 (clamped)
    array([ 0.3, -0.8])
    """
    return dequantize(quantize(w, q, bits, signed, rounding, zero_point, axis, narrow, rng), q, zero_point, axis)


def fake_quantize_ste(w, q, bits: int | None = None, signed: bool = True, rounding: str = "half_away",
                      zero_point=0, axis: int | None = None, narrow: bool = False, rng=None) -> Tensor:
    """The same w̃ as :func:`fake_quantize`, as a Tensor whose gradient is the straight-through estimator.

    Examples
    --------
    >>> x = Tensor(np.array([0.26, -1.0]), requires_grad=True)
    >>> fake_quantize_ste(x, 0.1, bits=4).sum().backward()
    >>> x.grad                                       # −1.0 was clamped: no gradient
    array([1., 0.])
    """
    if not isinstance(w, Tensor):
        w = np.asarray(w)
        if w.dtype.kind != "f":
            raise TypeError(f"fake_quantize_ste takes real values, got dtype {w.dtype}: integer codes are "
                            "already quantized (use dequantize to get their real values)")
        w = Tensor(w)
    s = quantize_steps(w.data, q, bits, signed, rounding, zero_point, axis, narrow, rng)
    inside = s.inside
    out = Tensor.from_op((s.q * (s.clamped - s.z)).astype(w.dtype), (w,), "fake_quantize")
    if out.requires_grad:
        def _backward(grad):
            w._accumulate(grad * inside)                          # STE: 1 inside the range, 0 where clamped
        out._backward = _backward
    return out
