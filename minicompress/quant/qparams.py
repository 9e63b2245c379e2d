"""Choosing the step q and zero point z from a range of values (PyTorch calls q the ``scale``).

symmetric (z = 0, signed, narrow range [−(2^(b−1)−1), 2^(b−1)−1]):
    q = max|w| / (2^(b−1) − 1)
affine (unsigned [0, 2^b − 1], the range first widened to contain 0):
    lo = min(min w, 0),  hi = max(max w, 0)
    q = (hi − lo) / (qmax − qmin),   z = clamp(qmin − round(lo / q), qmin, qmax)

Why widen to contain 0: zero padding and ReLU produce exact zeros, and z is
the code of real 0, so 0 must be exactly representable: q·(z − z) = 0
(Jacob et al. 2018, §2.1; gemmlowp's quantization notes).

The floor on the step, ``MIN_STEP``: a range so small that its step would
fall below float32's machine epsilon (2^−23 ≈ 1.19e-7) gets q = MIN_STEP
instead. That covers an all-zero range (any step represents 0 exactly), a
dead channel (a ReLU unit whose weights weight decay shrank to 1e-22), and a
subnormal range whose step would underflow to 0. PyTorch's observers clamp
their scale to the same epsilon. Every quantizer of minicompress (PTQ, QAT,
the integer path) takes its steps from here, so they share this one floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fake_quant import fake_quantize_ste
from .rounding import round_half_away
from .uniform import check_finite, dequantize, qrange, quantize

SCHEMES = ("symmetric", "affine")
MIN_STEP = float(np.finfo(np.float32).eps)     # 2^−23: the smallest step minicompress chooses


@dataclass
class QParams:
    """A quantizer: step(s) ``q``, zero point(s), integer range and channel axis."""

    q: np.ndarray              # the step, () or (channels,)
    zero_point: np.ndarray     # z, int, same shape as q
    bits: int
    qmin: int
    qmax: int
    scheme: str
    axis: int | None = None
    signed: bool = True
    narrow: bool = False

    def quantize(self, w, rounding: str = "half_away", rng=None) -> np.ndarray:
        return quantize(w, self.q, self.bits, self.signed, rounding, self.zero_point, self.axis,
                        self.narrow, rng)

    def dequantize(self, codes) -> np.ndarray:
        return dequantize(codes, self.q, self.zero_point, self.axis)

    def fake_quantize(self, w, rounding: str = "half_away", rng=None) -> np.ndarray:
        return self.dequantize(self.quantize(w, rounding, rng))

    def fake_quantize_ste(self, w, rounding: str = "half_away", rng=None):
        """The same values as a Tensor with the straight-through gradient (for training through it)."""
        return fake_quantize_ste(w, self.q, self.bits, self.signed, rounding, self.zero_point, self.axis,
                                 self.narrow, rng)

    @property
    def num_channels(self) -> int:
        return int(np.size(self.q))

    def __str__(self):
        s = np.round(np.atleast_1d(self.q), 6)
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
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        raise ValueError(f"range needs finite ends, got lo={lo}, hi={hi}: NaN or inf in the data "
                         "(check the calibration data) has no step")
    if np.any(lo > hi):
        raise ValueError(f"range needs lo <= hi, got lo={lo}, hi={hi}")
    with np.errstate(over="ignore"):
        width = np.maximum(np.abs(lo), np.abs(hi)) if scheme == "symmetric" else np.maximum(hi, 0) - np.minimum(lo, 0)
    if not np.all(np.isfinite(width)):
        raise ValueError(f"range [{lo}, {hi}] is too wide: its width overflows float64, so no finite step covers it")
    if scheme == "symmetric":
        signed = True if signed is None else signed
        narrow = True if narrow is None else narrow
        if not signed:
            raise ValueError("the symmetric scheme is signed (z = 0, codes on both sides of 0); "
                             "for non-negative values use scheme='affine', whose zero point is then qmin")
        qmin, qmax = qrange(bits, signed, narrow)
        # --- exercise: choose_qparams_symmetric ---
        bound = np.maximum(np.abs(lo), np.abs(hi))
        q = np.maximum(bound / qmax, MIN_STEP)                    # q = max|w| / (2^(b−1) − 1), floored
        zero_point = np.zeros(np.shape(q), dtype=np.int64)
        # --- end exercise ---
    else:
        signed = False if signed is None else signed
        narrow = False if narrow is None else narrow
        qmin, qmax = qrange(bits, signed, narrow)
        # --- exercise: choose_qparams_affine ---
        lo, hi = np.minimum(lo, 0.0), np.maximum(hi, 0.0)         # 0 must lie inside the range
        q = np.maximum((hi - lo) / (qmax - qmin), MIN_STEP)       # floored, so lo / q is finite
        # subtle: round, not truncate: z = qmin − trunc(lo/q) would put the lowest
        # code up to a whole step above lo; rounding keeps every value within q/2.
        zero_point = np.clip(qmin - round_half_away(lo / q), qmin, qmax).astype(np.int64)
        # --- end exercise ---
    return QParams(q, zero_point, bits, qmin, qmax, scheme, axis, signed, narrow)


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
    >>> float(qp.q), qp.quantize([-0.5, 0.25, 1.27]).tolist()
    (0.01, [-50, 25, 127])
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {SCHEMES}")
    lo, hi = tensor_range(x, axis)
    return qparams_from_range(lo, hi, bits, scheme, axis, signed, narrow)
