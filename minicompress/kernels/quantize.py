"""Fused quantize:  ŵ = clamp(round(w / q) + z, qmin, qmax), cast, in one pass over memory.

The NumPy expression makes a temporary array for every step (divide, round,
add, clip, cast); the kernel reads each value once and writes one small
integer. Its arithmetic is the same as ``minicompress.quant.quantize``: the
division happens in float64 and the rounding rules are identical, so the
codes match bit for bit. Per-channel steps run along axis 0.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# The per-tensor kernels live beside the whole-network kernel, which quantizes each strip of its
# input with the same loop (Numba's cache needs a jitted helper in its callers' file).
from .microkernel import _half_away_parallel, _half_away_serial

MODES = {"half_away": 0, "half_even": 1, "floor": 2}


def code_dtype(qmin: int, qmax: int):
    """The smallest integer dtype that holds [qmin, qmax]."""
    for dt in (np.int8, np.uint8, np.int16, np.uint16, np.int32):
        info = np.iinfo(dt)
        if info.min <= qmin and qmax <= info.max:
            return dt
    raise ValueError(f"code range [{qmin}, {qmax}] does not fit in 32 bits")


def quantize_reference(x, q, zero_point, qmin: int, qmax: int, rounding: str = "half_away") -> np.ndarray:
    """The readable twin, in NumPy: one temporary array per step."""
    x = np.asarray(x, dtype=np.float64)
    shape = (-1,) + (1,) * (x.ndim - 1)
    q = np.asarray(q, dtype=np.float64).reshape(shape if np.size(q) > 1 else ())
    z = np.asarray(zero_point, dtype=np.int64).reshape(shape if np.size(zero_point) > 1 else ())
    s = x / q                                                     # step 1: divide by the step q
    if rounding == "half_away":                                   # step 2: round
        t = np.trunc(s)
        r = t + np.sign(s) * (np.abs(s - t) >= 0.5)
    elif rounding == "half_even":
        r = np.rint(s)
    elif rounding == "floor":
        r = np.floor(s)
    else:
        raise ValueError(f"unknown rounding mode {rounding!r}; the kernel supports {sorted(MODES)}")
    return np.clip(r + z, qmin, qmax).astype(code_dtype(qmin, qmax))   # steps 3, 4 and the cast


@njit(cache=True, parallel=True)
def _quantize(flat, q, z, per, qmin, qmax, mode, out):
    n = flat.shape[0]
    for i in prange(n):
        c = i // per if q.shape[0] > 1 else 0                     # channel of element i (axis 0)
        s = np.float64(flat[i]) / q[c]
        if mode == 0:                                             # ties away from zero
            t = np.trunc(s)
            r = t
            if s - t >= 0.5:
                r = t + 1.0
            elif t - s >= 0.5:
                r = t - 1.0
        elif mode == 1:                                           # ties to even
            r = np.rint(s)
        else:
            r = np.floor(s)
        r = r + z[c]
        if r < qmin:
            r = qmin
        elif r > qmax:
            r = qmax
        out[i] = np.int32(r)                                      # exact: r is an integer in range


PARALLEL_FROM = 1 << 16      # values; fewer fill no second core (measured with `bench kernels`)


def quantize_tensor(x, q: float, zero_point: int = 0, qmin: int = -128, qmax: int = 127) -> np.ndarray:
    """Per-tensor codes with ties away from zero, in one branch-free pass (the integer MLP's input).

    The same codes as :func:`quantize_reference` and :func:`quantize_fused`; NaN and inf are
    refused after the pass (counted inside it, so the check costs no second pass over memory).
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        raise TypeError(f"quantize_tensor takes floating-point input, got {x.dtype}")
    if not (np.isfinite(q) and q > 0):
        raise ValueError(f"q must be > 0 and finite, got {q}: the step size divides x")
    if qmin >= qmax:
        raise ValueError(f"need qmin < qmax, got [{qmin}, {qmax}]")
    flat = np.ascontiguousarray(x).ravel()
    out = np.empty(flat.size, dtype=code_dtype(qmin, qmax))
    kernel = _half_away_parallel if flat.size >= PARALLEL_FROM else _half_away_serial
    if kernel(flat, np.float64(q), np.float64(zero_point), np.float64(qmin), np.float64(qmax), out):
        raise ValueError("x contains NaN or inf, which have no quantized code")
    return out.reshape(x.shape)


def quantize_fused(x, q, zero_point=0, qmin: int = -128, qmax: int = 127,
                   rounding: str = "half_away") -> np.ndarray:
    """Codes of ``x`` in one pass; ``q`` and ``zero_point`` scalars or one per row (axis 0)."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        raise TypeError(f"quantize_fused takes floating-point input, got {x.dtype}")
    if rounding not in MODES:
        raise ValueError(f"unknown rounding mode {rounding!r}; the kernel supports {sorted(MODES)}")
    if qmin >= qmax:
        raise ValueError(f"need qmin < qmax, got [{qmin}, {qmax}]")
    qv = np.atleast_1d(np.asarray(q, dtype=np.float64)).ravel()
    zv = np.atleast_1d(np.asarray(zero_point, dtype=np.int64)).ravel()
    if not np.all(np.isfinite(qv)) or np.any(qv <= 0):
        raise ValueError(f"q must be > 0 and finite, got {qv[:4].tolist()}: the step size divides x")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf, which have no quantized code")
    channels = max(qv.size, zv.size)
    if channels > 1 and (x.ndim == 0 or x.shape[0] != channels):
        raise ValueError(f"{channels} per-channel steps need x with {channels} rows (axis 0), got {x.shape}")
    qv = np.broadcast_to(qv, (channels,)).copy()
    zv = np.broadcast_to(zv, (channels,)).copy()
    flat = np.ascontiguousarray(x).ravel()
    out = np.empty(flat.size, dtype=code_dtype(qmin, qmax))
    per = max(flat.size // channels, 1)
    _quantize(flat, qv, zv, per, qmin, qmax, MODES[rounding], out)
    return out.reshape(x.shape)
