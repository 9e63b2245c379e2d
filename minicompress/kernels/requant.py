"""Requantization: int32 accumulator → int8 output with integer arithmetic only.

A layer's accumulator holds ``acc = Σ (x_c − z_x)·w_c + b_c`` (codes), which stands for
``q_x·q_w·acc`` in real numbers (q_x, q_w the steps). The output code is

    y_c = clamp(z_y + round(M · acc), qmin, qmax),     M = q_x·q_w / q_y

M is a real number, so it is stored offline as an integer fraction
(gemmlowp; Jacob et al. 2018 §2.2):

    M = M0 · 2^(−31) · 2^(−n),   M0 ∈ [2^30, 2^31) an int32 (a Q31 number in [0.5, 1))

and applied at run time with two integer steps:

1. ``srdhm(acc, M0)``: saturating rounding doubling high multiply,
   round(acc·M0 / 2^31), the top 32 bits of the 64-bit product. subtle: its
   exact ties go towards +∞ on both sides (+1.5 → 2 but −1.5 → −1), because
   the nudge for negative products is 1 − 2^30, one short of −2^30;
2. ``rounding_right_shift(v, n)``: round(v / 2^n), ties away from zero
   (n < 0 means a left shift before step 1, for M ≥ 1; that shift saturates
   at the int32 limits, as gemmlowp's SaturatingLeftShift does, so a large
   accumulator times M ≥ 2 clamps instead of wrapping).

The shifts the integer path can do exactly are n in [−31, 62]
(``MIN_SHIFT``, ``MAX_SHIFT``): ``quantize_multiplier`` never returns others
and ``requantize`` refuses them.

subtle: this rounds twice (once in each step), so on rare values it differs
by one from round(acc·M) computed in exact arithmetic;
``count_requant_mismatch`` measures how often on real layers.

The vector kernels compute both steps as one floor (for n ≥ 1; ``twins.epilogue_params``):

    y = ⌊(acc·M0 + 2^30 + 2^(30+n) − 2^31·[acc < 0]) / 2^(31+n)⌋

which is the same double rounding, tie for tie, not round(acc·M): folding the
steps saves instructions, it does not change a code.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
MIN_SHIFT, MAX_SHIFT = -31, 62          # left shifts up to 31 bits; right shifts that fit an int64 mask


def quantize_multiplier(M: float) -> tuple:
    """(M0, n) with M ≈ M0·2^(−31−n), M0 in [2^30, 2^31). Offline, float code.

    Examples
    --------
    >>> quantize_multiplier(0.75)            # 0.75 = 0.75·2^0: M0 = 0.75·2^31
    (1610612736, 0)
    >>> quantize_multiplier(0.1)             # 0.1 = 0.8·2^−3
    (1717986918, 3)
    """
    if not (math.isfinite(M) and M > 0):
        raise ValueError(f"the requantization multiplier must be finite and > 0, got M={M}")
    m, e = math.frexp(M)                          # M = m·2^e, m in [0.5, 1)
    M0 = int(round(m * 2 ** 31))
    if M0 == 2 ** 31:                             # m rounded up to 1.0: renormalise
        M0 //= 2
        e += 1
    n = -e
    if n < -30:
        raise ValueError(f"M={M} needs a left shift of {-n} bits; the accumulator would overflow int32")
    # A tiny M (a layer row whose weights are all but zero) needs a long right shift.
    # The shift runs in int64, so up to 62 bits are exact; beyond that every
    # int32 accumulator rounds to 0 anyway, and 62 gives that same 0.
    return M0, min(n, 62)


# --- the readable twin: Python integers, one value at a time -----------------------------------

def srdhm_reference(a: int, b: int) -> int:
    """Saturating rounding doubling high multiply, as gemmlowp defines it, in Python integers."""
    # --- exercise: requantize ---
    if a == b == INT32_MIN:
        return INT32_MAX                          # the one product that does not fit
    ab = a * b
    nudge = 2 ** 30 if ab >= 0 else 1 - 2 ** 30
    v = ab + nudge
    q = abs(v) // 2 ** 31                         # C's integer division truncates towards 0
    return q if v >= 0 else -q
    # --- end exercise ---


def saturating_left_shift_reference(x: int, s: int) -> int:
    """x·2^s clamped to int32 (gemmlowp's SaturatingLeftShift), for the left shift of M ≥ 1."""
    return min(max(x << s, INT32_MIN), INT32_MAX)


def rounding_right_shift_reference(x: int, n: int) -> int:
    """round(x / 2^n) with ties away from zero."""
    if n == 0:
        return x
    # --- exercise: requantize ---
    mask = (1 << n) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> n) + (1 if remainder > threshold else 0)
    # --- end exercise ---


def requantize_reference(acc, M0, n, zero_point: int, qmin: int, qmax: int) -> np.ndarray:
    """int32 (B, C) accumulators → codes, per channel (M0, n) along the last axis; plain Python."""
    acc = np.asarray(acc, dtype=np.int64)
    M0 = np.broadcast_to(np.asarray(M0, dtype=np.int64), acc.shape[-1:])
    n = np.broadcast_to(np.asarray(n, dtype=np.int64), acc.shape[-1:])
    out = np.empty(acc.shape, dtype=np.int64)
    for idx in np.ndindex(acc.shape):
        c = idx[-1]
        x = saturating_left_shift_reference(int(acc[idx]), max(-int(n[c]), 0))
        v = rounding_right_shift_reference(srdhm_reference(x, int(M0[c])), max(int(n[c]), 0))
        out[idx] = min(max(v + zero_point, qmin), qmax)
    return out


# --- the kernel ----------------------------------------------------------------------------------

@njit(cache=True)
def _srdhm(a, b):
    # Everything in explicit int64: the product of two int32 needs 63 bits.
    if a == -2147483648 and b == -2147483648:
        return np.int64(2147483647)
    ab = np.int64(a) * np.int64(b)
    nudge = np.int64(1073741824) if ab >= 0 else np.int64(-1073741823)
    v = ab + nudge
    q = v >> 31                                   # arithmetic shift rounds towards −∞ ...
    if v < 0 and (v & np.int64(2147483647)) != 0:
        q += 1                                    # ... C's division truncates towards 0
    return q


@njit(cache=True)
def _saturating_left_shift(x, s):
    # x is an int32 value held in int64 and s <= 31, so x << s fits in 63 bits: shift, then clamp.
    v = np.int64(x) << s
    if v > np.int64(2147483647):
        return np.int64(2147483647)
    if v < np.int64(-2147483648):
        return np.int64(-2147483648)
    return v


@njit(cache=True)
def _rounding_right_shift(x, n):
    if n == 0:
        return x
    mask = (np.int64(1) << n) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> n) + (1 if remainder > threshold else 0)


@njit(cache=True, parallel=True)
def _requantize_scalar(acc, M0, n, zero_point, qmin, qmax, out):
    """The first kernel: one value at a time, with branches (LLVM vectorises its loop over columns
    anyway, in 64-bit lanes). ``requantize`` now runs the branch-free ``microkernel._requantize_rows``
    for int8 outputs; this one stays for wider code ranges and as the "before" of ``bench kernels``."""
    B, C = acc.shape
    for i in prange(B):
        for c in range(C):
            x = np.int64(acc[i, c])
            if n[c] < 0:
                x = _saturating_left_shift(x, -n[c])          # M ≥ 1: clamp, never wrap
            v = _rounding_right_shift(_srdhm(x, M0[c]), max(n[c], 0)) + zero_point
            if v < qmin:
                v = qmin
            elif v > qmax:
                v = qmax
            out[i, c] = v


def requantize(acc: np.ndarray, M0, n, zero_point: int = 0, qmin: int = -128, qmax: int = 127) -> np.ndarray:
    """int32 accumulators (B, C) → int8 codes with per-channel (M0, n); integer arithmetic only."""
    if not isinstance(acc, np.ndarray) or acc.dtype != np.int32 or acc.ndim != 2:
        raise TypeError(f"requantize needs a 2-D int32 accumulator, got "
                        f"{getattr(acc, 'dtype', type(acc).__name__)} {getattr(acc, 'shape', '')}")
    C = acc.shape[1]
    M0 = np.ascontiguousarray(np.broadcast_to(np.asarray(M0, dtype=np.int64), (C,)))
    n = np.ascontiguousarray(np.broadcast_to(np.asarray(n, dtype=np.int64), (C,)))
    if np.any(M0 < 2 ** 30) or np.any(M0 >= 2 ** 31):
        raise ValueError("M0 must lie in [2^30, 2^31) (a Q31 number in [0.5, 1)); use quantize_multiplier")
    if np.any(n < MIN_SHIFT) or np.any(n > MAX_SHIFT):
        raise ValueError(f"shift n must lie in [{MIN_SHIFT}, {MAX_SHIFT}], got {n.min()}..{n.max()}: a longer "
                         "left shift overflows any int32 accumulator, and a longer right shift does not fit the "
                         "kernel's int64 mask; quantize_multiplier returns only shifts in range")
    if not (-(2 ** 31) <= qmin < qmax <= 2 ** 31 - 1):
        raise ValueError(f"need qmin < qmax within int32, got [{qmin}, {qmax}]")
    if qmin >= -128 and qmax <= 127 and -128 <= zero_point <= 127:
        # int8 codes: the vectorised, branch-free kernel (it lives beside the fused layer, see microkernel.py)
        from .microkernel import _requantize_rows, empty_codes
        from .twins import epilogue_params
        acc = np.ascontiguousarray(acc)
        out = empty_codes(acc)
        _requantize_rows(acc, epilogue_params(np.zeros(C, np.int32), M0, n, zero_point, qmin, qmax), out)
        return out
    out = np.empty(acc.shape, dtype=np.int32)
    _requantize_scalar(acc, M0, n, np.int64(zero_point), np.int64(qmin), np.int64(qmax), out)
    return out


def requantize_float(acc, M, zero_point: int, qmin: int, qmax: int) -> np.ndarray:
    """clamp(z + round(acc·M)) in float64 with ties away from zero: what the integers approximate."""
    v = np.asarray(acc, dtype=np.float64) * np.asarray(M, dtype=np.float64)
    t = np.trunc(v)
    r = t + np.sign(v) * (np.abs(v - t) >= 0.5)
    return np.clip(r + zero_point, qmin, qmax).astype(np.int64)


def count_requant_mismatch(acc, M, zero_point: int = 0, qmin: int = -128, qmax: int = 127) -> tuple:
    """(how many codes differ, total) between the fixed-point path and round(acc·M) in float64."""
    acc = np.asarray(acc, dtype=np.int32)
    M = np.atleast_1d(np.asarray(M, dtype=np.float64))
    params = [quantize_multiplier(float(m)) for m in np.broadcast_to(M, acc.shape[-1:])]
    M0 = np.array([p[0] for p in params])
    n = np.array([p[1] for p in params])
    fixed = requantize(acc.reshape(-1, acc.shape[-1]), M0, n, zero_point, qmin, qmax).astype(np.int64)
    exact = requantize_float(acc.reshape(-1, acc.shape[-1]), M, zero_point, qmin, qmax)
    return int(np.sum(fixed != exact)), int(fixed.size)
