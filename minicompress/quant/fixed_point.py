"""Fractional ("小数量化", seed §2.1) and low-precision float formats.

Fixed point Qm.n (ARM's convention): a signed number with m integer bits,
n fractional bits and a sign bit, 1 + m + n bits in all. It is uniform
quantization with the step fixed to a power of two::

    q = 2^−n,   range [−2^m, 2^m − 2^−n],   saturating at both ends

Low-precision floats keep a sign, an exponent and a shorter mantissa, so
their step grows with the magnitude (relative precision is constant):

    float32: 8 exponent bits, 23 mantissa bits   ("full precision", seed §2.1)
    float16: 5 exponent bits, 10 mantissa bits   (IEEE 754 half)
    bfloat16: 8 exponent bits, 7 mantissa bits   (float32's range, less precision)

``round_to_float`` emulates them in NumPy with round-to-nearest-even on the
mantissa, subnormals, and overflow to ±inf, exactly as IEEE 754 does; the
tests compare it bit for bit with NumPy's own float16.
"""

from __future__ import annotations

import numpy as np

from .uniform import dequantize, quantize

FLOAT_FORMATS = {"float32": (8, 23), "float16": (5, 10), "bfloat16": (8, 7)}


def fixed_range(int_bits: int, frac_bits: int, signed: bool = True) -> tuple:
    """(lo, hi, q) of Qm.n: q = 2^−n; signed [−2^m, 2^m − q], unsigned [0, 2^m − q].

    Examples
    --------
    >>> fixed_range(3, 4)            # Q3.4: 8 bits
    (-8.0, 7.9375, 0.0625)
    """
    if int_bits < 0 or frac_bits < 0 or int_bits + frac_bits + int(signed) < 1:
        raise ValueError(f"Qm.n needs m >= 0, n >= 0 and at least one bit, got m={int_bits}, n={frac_bits}")
    if int_bits + frac_bits + int(signed) > 16:
        raise ValueError(f"Q{int_bits}.{frac_bits} needs {int_bits + frac_bits + int(signed)} bits; "
                         "minicompress stores codes in at most 16")
    q = 2.0 ** -frac_bits
    lo = -(2.0 ** int_bits) if signed else 0.0
    return lo, 2.0 ** int_bits - q, q


def fixed_codes(w, int_bits: int, frac_bits: int, signed: bool = True, rounding: str = "half_away") -> np.ndarray:
    """Integer codes of ``w`` in Qm.n: clamp(round(w · 2^n)), saturating at the ends."""
    fixed_range(int_bits, frac_bits, signed)  # validates
    return quantize(w, 2.0 ** -frac_bits, int_bits + frac_bits + int(signed), signed, rounding)


def to_fixed(w, int_bits: int, frac_bits: int, signed: bool = True, rounding: str = "half_away") -> np.ndarray:
    """The Qm.n value nearest to ``w``: 2^−n · clamp(round(w · 2^n)).

    Examples
    --------
    >>> to_fixed([0.1, 1.03125, 100.0, -9.0], 3, 4)     # q = 1/16, range [−8, 7.9375]
    array([ 0.125 ,  1.0625,  7.9375, -8.    ])
    """
    return dequantize(fixed_codes(w, int_bits, frac_bits, signed, rounding), 2.0 ** -frac_bits)


def round_to_float(x, exponent_bits: int, mantissa_bits: int) -> np.ndarray:
    """Round to the nearest value of a float format with the given field widths (ties to even).

    With e exponent bits, emax = 2^(e−1) − 1 and emin = 1 − emax. A value
    whose leading bit is 2^E (E clamped below at emin, where subnormals
    begin) sits on a grid of spacing 2^(E − mantissa_bits); round to that
    grid, and anything beyond the largest finite value becomes ±inf.

    Examples
    --------
    >>> round_to_float([0.1, 1.0 + 2**-11, 70000.0], 5, 10)     # float16
    array([0.09997559, 1.        ,        inf])
    """
    x = np.asarray(x, dtype=np.float64)
    emax = 2 ** (exponent_bits - 1) - 1
    emin = 1 - emax
    finite = np.isfinite(x) & (x != 0)
    _, e = np.frexp(np.where(finite, x, 1.0))                   # x = m·2^e with m in [0.5, 1)
    lead = np.maximum(e - 1, emin)                               # exponent of the leading bit
    spacing = np.ldexp(1.0, lead - mantissa_bits)
    y = np.where(finite, np.rint(x / spacing) * spacing, x)      # rint: ties to even
    largest = (2.0 - 2.0 ** -mantissa_bits) * 2.0 ** emax
    return np.where(np.abs(y) > largest, np.copysign(np.inf, x), y)


def to_low_precision(x, fmt: str) -> np.ndarray:
    """Round ``x`` to ``fmt`` ("float32", "float16" or "bfloat16") and return it as float64."""
    if fmt not in FLOAT_FORMATS:
        raise ValueError(f"unknown float format {fmt!r}; choose one of {sorted(FLOAT_FORMATS)}")
    return round_to_float(x, *FLOAT_FORMATS[fmt])
