"""Uniform quantization: ŵ = clamp(round(w/q) + z, qmin, qmax),  w̃ = q·(ŵ − z).

seed §4.1 writes only ``ŵ = round(w/q)``: no zero point and no clamp, so
every real number gets a code and nothing bounds the number of bits. A real
quantizer stores codes in ``bits`` bits, so ``quantize`` clamps to the
integer range when ``bits`` is given, and supports a zero point ``z`` so
that an asymmetric range (like ReLU outputs in [0, 6]) uses all codes.

Per-channel quantization gives each slice along ``axis`` its own step: for
a Linear weight of shape (out, in), ``axis=0`` means one step per output
neuron. The fake quantizers built on these functions (NumPy and
straight-through, same signature) are in ``fake_quant.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rounding import ROUNDING_MODES, apply_rounding


def qrange(bits: int, signed: bool = True, narrow: bool = False) -> tuple:
    """The integer range [qmin, qmax] of ``bits``-bit codes.

    signed: [−2^(b−1), 2^(b−1) − 1];  unsigned: [0, 2^b − 1].
    ``narrow`` drops the lowest code (signed int8 becomes [−127, 127], symmetric
    about 0, as TFLite's int8 weights; unsigned becomes [1, 2^b − 1]).

    Examples
    --------
    >>> qrange(8), qrange(8, narrow=True), qrange(4, signed=False), qrange(2)
    ((-128, 127), (-127, 127), (0, 15), (-2, 1))
    """
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 1 <= bits <= 16:
        raise ValueError(f"bits must be an integer from 1 to 16, got {bits!r}: codes are stored "
                         "in at most 16 bits (int32 holds them with room for zero points)")
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    lo += int(narrow)
    if lo >= hi:
        raise ValueError(f"a {bits}-bit {'signed' if signed else 'unsigned'}"
                         f"{' narrow' if narrow else ''} range [{lo}, {hi}] has fewer than two codes")
    return int(lo), int(hi)


def _per_channel(value, shape: tuple, axis, name: str) -> np.ndarray:
    """Reshape a per-channel step or zero point so it broadcasts along ``axis`` of an array of ``shape``."""
    value = np.asarray(value, dtype=np.float64) if name == "q" else check_zero_point(value)
    ndim = len(shape)
    if value.ndim == 0 or value.size == 1:                 # one value for every channel
        return value.reshape(())
    if axis is None:
        raise ValueError(f"{name} has shape {value.shape} (one value per channel), so axis= must say "
                         "which axis of w the channels run along")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis={axis} is out of range for an array with {ndim} dimensions")
    if value.ndim != 1 or value.size != shape[axis]:
        raise ValueError(f"{name} needs w.shape[axis] = {shape[axis]} values (one per channel along axis "
                         f"{axis}), got shape {value.shape}")
    view = [1] * ndim
    view[axis] = -1
    return value.reshape(view)


def check_zero_point(zero_point, qmin=None, qmax=None) -> np.ndarray:
    """The zero point as int64, refused unless it is whole and (given a range) a code in [qmin, qmax].

    A zero point is the code that stands for 0.0; a fractional one would be
    silently truncated and one outside the codes would clamp every value.
    """
    z = np.asarray(zero_point)
    if z.dtype.kind not in "iuf" or (z.dtype.kind == "f" and not np.all(np.isfinite(z))):
        raise TypeError(f"zero_point must be a whole number (or one per channel), got {zero_point!r}")
    if z.dtype.kind == "f":
        if not np.all(z == np.round(z)):
            raise ValueError(f"zero_point must be a whole number: it is the code that stands for 0.0, "
                             f"got {z.ravel()[:4].tolist()}")
    elif z.dtype.kind == "u" and z.size and z.max() > np.iinfo(np.int64).max:
        raise ValueError(f"zero_point {z.max()} does not fit in int64")
    z = z.astype(np.int64)
    if qmin is not None and z.size and (z.min() < qmin or z.max() > qmax):
        raise ValueError(f"zero_point must be one of the codes [{qmin}, {qmax}], got {z.ravel()[:4].tolist()}: "
                         "outside them every value would clamp to one end")
    return z


def check_step(q) -> np.ndarray:
    q = np.asarray(q, dtype=np.float64)
    if q.size == 0 or not np.all(np.isfinite(q)) or np.any(q <= 0):
        bad = q[~(np.isfinite(q) & (q > 0))] if q.size else q
        raise ValueError(f"q must be > 0 and finite, got q={bad.ravel()[:4].tolist() if q.ndim else float(q)}: "
                         "the step size divides w")
    return q


def check_finite(w, name: str = "w") -> np.ndarray:
    w = np.asarray(w)
    if w.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be a numeric array, got dtype {w.dtype}")
    if w.dtype.kind == "f" and not np.all(np.isfinite(w)):
        bad = np.argwhere(~np.isfinite(w))[0]
        raise ValueError(f"{name} contains {w[tuple(bad)]} at index {tuple(int(i) for i in bad)}: "
                         "NaN or inf has no quantized code")
    return w


@dataclass
class QuantSteps:
    """Every intermediate of ``quantize``, each an array of w's shape (``q`` and ``z`` broadcast)."""

    w: np.ndarray
    q: np.ndarray
    z: np.ndarray
    scaled: np.ndarray       # step 1: w/q
    rounded: np.ndarray      # step 2: round(w/q)
    shifted: np.ndarray      # step 3: + z
    clamped: np.ndarray      # step 4: clamp to [qmin, qmax] (±inf when bits is None)

    @property
    def inside(self) -> np.ndarray:
        """Where the rounded code needed no clamping (boundaries included)."""
        return self.shifted == self.clamped


def quantize_steps(w, q, bits: int | None = None, signed: bool = True, rounding: str = "half_away",
                   zero_point=0, axis: int | None = None, narrow: bool = False, rng=None) -> QuantSteps:
    """The four steps of ŵ = clamp(round(w/q) + z, qmin, qmax), each kept (arguments as :func:`quantize`).

    ``quantize``, the fake quantizers (NumPy and straight-through) and the
    error analysis all run these same four lines.
    """
    w = check_finite(w).astype(np.float64, copy=False)
    if rounding not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {rounding!r}; choose one of {ROUNDING_MODES}")
    q = _per_channel(check_step(q), w.shape, axis, "q")
    z = _per_channel(zero_point, w.shape, axis, "zero_point")
    lo, hi = qrange(bits, signed, narrow) if bits is not None else (-np.inf, np.inf)
    if bits is not None:
        check_zero_point(z, lo, hi)
    scaled = w / q                                              # step 1: divide by the step
    rounded = apply_rounding(scaled, rounding, rng)             # step 2: round
    shifted = rounded + z                                       # step 3: shift
    clamped = np.clip(shifted, lo, hi)                          # step 4: clamp
    return QuantSteps(w, q, z, scaled, rounded, shifted, clamped)


def quantize(w, q, bits: int | None = None, signed: bool = True, rounding: str = "half_away",
             zero_point=0, axis: int | None = None, narrow: bool = False, rng=None) -> np.ndarray:
    """ŵ = clamp(round(w / q) + z, qmin, qmax)  (seed §4.1 is the case z = 0, no clamp).

    Parameters
    ----------
    w : array_like
        Real values, finite.
    q : float or array
        The step, > 0 (PyTorch calls it ``scale``). An array gives one step per channel along ``axis``.
    bits : int, optional
        Clamp to the ``bits``-bit range (see :func:`qrange`); None leaves codes unbounded.
    rounding : {"half_away", "half_even", "floor", "stochastic"}
        See :mod:`minicompress.quant.rounding`; "stochastic" needs ``rng``.
    zero_point : int or array
        The code that stands for real 0.

    Returns
    -------
    ndarray of int32
        The codes.

    Examples
    --------
    The seed's worked example (§4.3):

    >>> quantize([1.2, 2.5, 3.7], 0.1)
    array([12, 25, 37], dtype=int32)
    >>> quantize([0.25, -0.25], 0.1, rounding="half_away"), quantize([0.25, -0.25], 0.1, rounding="half_even")
    (array([ 3, -3], dtype=int32), array([ 2, -2], dtype=int32))
    >>> quantize([-1.0, 0.3, 5.0], 0.1, bits=4)          # clamped to [-8, 7]
    array([-8,  3,  7], dtype=int32)
    """
    s = quantize_steps(w, q, bits, signed, rounding, zero_point, axis, narrow, rng)
    if bits is None and s.clamped.size and np.abs(s.clamped).max() > 2 ** 31 - 1:
        raise OverflowError(f"w/q reaches {np.abs(s.scaled).max():.3g}, beyond int32: give bits= to clamp, "
                            "or a larger step q")
    return s.clamped.astype(np.int32)


def dequantize(codes, q, zero_point=0, axis: int | None = None) -> np.ndarray:
    """w̃ = q · (ŵ − z).

    Examples
    --------
    >>> dequantize(np.array([12, 25, 37]), 0.1)
    array([1.2, 2.5, 3.7])
    """
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers, got dtype {codes.dtype}: dequantize expects the "
                        "output of quantize()")
    if codes.dtype.kind == "u" and codes.size and codes.max() > np.iinfo(np.int64).max:
        raise ValueError(f"code {codes.max()} does not fit in int64: codes come from quantize(), "
                         "at most 32 bits wide")
    q = _per_channel(check_step(q), codes.shape, axis, "q")
    z = _per_channel(zero_point, codes.shape, axis, "zero_point")
    return q * (codes.astype(np.int64) - z)
