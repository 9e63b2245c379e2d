"""Choosing the step q (scale) and zero point z from a range of values.

symmetric (z = 0, signed, narrow range [−(2^(b−1)−1), 2^(b−1)−1]):
    q = max|w| / (2^(b−1) − 1)
affine (unsigned [0, 2^b − 1], the range first widened to contain 0):
    lo = min(min w, 0),  hi = max(max w, 0)
    q = (hi − lo) / (qmax − qmin),   z = clamp(qmin − round(lo / q), qmin, qmax)

Why widen to contain 0: zero padding and ReLU produce exact zeros, and z is
the code of real 0, so 0 must be exactly representable: q·(z − z) = 0
(Jacob et al. 2018, §2.1; gemmlowp's quantization notes).

Degenerate ranges: when every value is 0, any step represents them
exactly; minicompress then uses q = 1. A range so tiny that q underflows
to 0 gets the smallest normal float64 as its step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rounding import round_half_away
from .uniform import check_finite, dequantize, qrange, quantize

SCHEMES = ("symmetric", "affine")


@dataclass
class QParams:
    """A quantizer: step(s) ``scale``, zero point(s), integer range and channel axis."""

    scale: np.ndarray          # q, () or (channels,)
    zero_point: np.ndarray     # z, int, same shape as scale
    bits: int
    qmin: int
    qmax: int
    scheme: str
    axis: int | None = None
    signed: bool = True
    narrow: bool = False

    def quantize(self, w, rounding: str = "half_away", rng=None) -> np.ndarray:
        return quantize(w, self.scale, self.bits, self.signed, rounding, self.zero_point, self.axis,
                        self.narrow, rng)

    def dequantize(self, codes) -> np.ndarray:
        return dequantize(codes, self.scale, self.zero_point, self.axis)

    def fake_quantize(self, w, rounding: str = "half_away", rng=None) -> np.ndarray:
        return self.dequantize(self.quantize(w, rounding, rng))

    @property
    def num_channels(self) -> int:
        return int(np.size(self.scale))

    def __str__(self):
        s = np.round(np.atleast_1d(self.scale), 6)
        z = np.atleast_1d(self.zero_point)
        per = f"per-channel (axis {self.axis}, {self.num_channels} channels)" if self.axis is not None else "per-tensor"
        return (f"{self.scheme} {self.bits}-bit {per}: q = {s[:4].tolist()}{'…' if s.size > 4 else ''}, "
                f"z = {z[:4].tolist()}{'…' if z.size > 4 else ''}, codes in [{self.qmin}, {self.qmax}]")


def qparams_from_range(lo, hi, bits: int, scheme: str = "symmetric", axis: int | None = None,
                       signed: bool | None = None, narrow: bool | None = None) -> QParams:
    """QParams for values in [lo, hi] (scalars, or arrays with one entry per channel).

    Examples
    --------
    >>> print(qparams_from_range(-0.5, 1.27, 8, "symmetric"))
    symmetric 8-bit per-tensor: q = [0.01], z = [0], codes in [-127, 127]
    >>> print(qparams_from_range(-1.0, 2.0, 2, "affine"))
    affine 2-bit per-tensor: q = [1.0], z = [1], codes in [0, 3]
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {SCHEMES}")
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    if np.any(lo > hi):
        raise ValueError(f"range needs lo <= hi, got lo={lo}, hi={hi}")
    if scheme == "symmetric":
        signed = True if signed is None else signed
        narrow = True if narrow is None else narrow
        if not signed:
            raise ValueError("the symmetric scheme is signed (z = 0, codes on both sides of 0); "
                             "for non-negative values use scheme='affine', whose zero point is then qmin")
        qmin, qmax = qrange(bits, signed, narrow)
        # --- exercise: choose_qparams_symmetric ---
        bound = np.maximum(np.abs(lo), np.abs(hi))
        scale = bound / qmax                                      # q = max|w| / (2^(b−1) − 1)
        zero_point = np.zeros(np.shape(scale), dtype=np.int64)
        # --- end exercise ---
    else:
        signed = False if signed is None else signed
        narrow = False if narrow is None else narrow
        qmin, qmax = qrange(bits, signed, narrow)
        # --- exercise: choose_qparams_affine ---
        lo, hi = np.minimum(lo, 0.0), np.maximum(hi, 0.0)         # 0 must lie inside the range
        scale = (hi - lo) / (qmax - qmin)
        safe = np.where(scale > 0, scale, 1.0)
        zero_point = np.clip(qmin - round_half_away(lo / safe), qmin, qmax).astype(np.int64)
        # --- end exercise ---
    # An all-zero channel (bound 0) is represented exactly by any step: use q = 1.
    # A tiny but non-zero range (a subnormal 5e-324, found by hypothesis) makes q
    # underflow to 0: use the smallest normal float instead, so q > 0 always.
    scale = np.where(bound_or_span(lo, hi, scheme) > 0, np.maximum(scale, np.finfo(np.float64).tiny), 1.0)
    return QParams(scale, zero_point, bits, qmin, qmax, scheme, axis, signed, narrow)


def bound_or_span(lo, hi, scheme: str):
    """The width the step divides: max(|lo|, |hi|) (symmetric) or hi − lo widened to contain 0 (affine)."""
    if scheme == "symmetric":
        return np.maximum(np.abs(lo), np.abs(hi))
    return np.maximum(hi, 0.0) - np.minimum(lo, 0.0)


def tensor_range(x, axis: int | None = None) -> tuple:
    """(min, max) of ``x``, per slice along ``axis`` when given."""
    x = check_finite(x)
    if x.size == 0:
        raise ValueError("cannot choose quantization parameters from an empty array: no range to cover")
    if axis is None:
        return float(x.min()), float(x.max())
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis={axis} is out of range for an array of shape {x.shape}")
    others = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    return x.min(axis=others), x.max(axis=others)


def choose_qparams(x, bits: int, scheme: str = "symmetric", axis: int | None = None,
                   signed: bool | None = None, narrow: bool | None = None) -> QParams:
    """QParams covering the whole range of ``x`` (per channel along ``axis`` if given).

    Examples
    --------
    >>> qp = choose_qparams(np.array([-0.5, 0.25, 1.27]), 8)      # q = 1.27 / 127
    >>> float(qp.scale), qp.quantize([-0.5, 0.25, 1.27]).tolist()
    (0.01, [-50, 25, 127])
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {SCHEMES}")
    lo, hi = tensor_range(x, axis)
    return qparams_from_range(lo, hi, bits, scheme, axis, signed, narrow)
