"""Rounding modes: how ``w/q`` becomes an integer.

=============  ==========================  ===================================
mode           rule                        used by
=============  ==========================  ===================================
half_away      ties away from zero         seed §3.2.1 and §4.1 ("四舍五入"),
                                           C's ``round``, TFLite's reference
half_even      ties to the even neighbour  IEEE 754 default, ``np.rint``,
                                           ``torch.round``, PyTorch quantize
floor          towards −∞                  fixed-point truncation of a shift
stochastic     up with probability         low-precision training; unbiased:
               ``x − floor(x)``            E[round(x)] = x
=============  ==========================  ===================================

The modes differ only where ``x`` lies exactly halfway between two
integers (and stochastic everywhere). subtle: a tie on paper is often no tie
in floating point: ``0.25/0.1`` is exactly 2.5, but ``0.15/0.1`` is
1.4999999999999998, so every mode rounds it to 1.

subtle: floor is fragile at the grid points themselves. ``(q·c)/q`` can come
out a hair below the integer c (q = 5.812702534812233, c = −3), and floor
then drops a whole step, so quantize∘dequantize∘quantize is not quantize
for floor; the nearest modes absorb such a hair.
"""

from __future__ import annotations

import numpy as np

ROUNDING_MODES = ("half_away", "half_even", "floor", "stochastic")


def round_half_away(x: np.ndarray) -> np.ndarray:
    """round(x) with ties away from zero: round(2.5) = 3, round(−2.5) = −3.

    ``t = trunc(x)``; step one further from zero when ``|x − t| ≥ 1/2``.
    subtle: the textbook ``floor(x + 0.5)`` is wrong for
    x = 0.49999999999999994, because ``x + 0.5`` rounds up to 1.0 in floating
    point; ``x − trunc(x)`` is always exact.

    Examples
    --------
    >>> round_half_away(np.array([2.5, -2.5, 0.49999999999999994, 1.4]))
    array([ 3., -3.,  0.,  1.])
    """
    # --- exercise: round_half_away ---
    t = np.trunc(x)
    return t + np.sign(x) * (np.abs(x - t) >= 0.5)
    # --- end exercise ---


def round_half_even(x: np.ndarray) -> np.ndarray:
    """round(x) with ties to the even integer: round(2.5) = 2, round(3.5) = 4 (``np.rint``).

    Examples
    --------
    >>> round_half_even(np.array([2.5, -2.5, 3.5, 1.4]))
    array([ 2., -2.,  4.,  1.])
    """
    return np.rint(x)


def round_stochastic(x: np.ndarray, rng) -> np.ndarray:
    """floor(x) + 1 with probability x − floor(x), else floor(x); so E[round(x)] = x.

    ``rng`` (seed or Generator) makes the draw repeatable.
    """
    from ..nn import as_generator
    f = np.floor(x)
    return f + (as_generator(rng).random(np.shape(x)) < (x - f))


def apply_rounding(x: np.ndarray, mode: str = "half_away", rng=None) -> np.ndarray:
    """Round ``x`` (float array) with the named mode; returns floats holding integers."""
    # --- exercise: apply_rounding ---
    if mode == "half_away":
        return round_half_away(x)
    if mode == "half_even":
        return round_half_even(x)
    if mode == "floor":
        return np.floor(x)
    if mode == "stochastic":
        if rng is None:
            raise ValueError("stochastic rounding needs rng= (a seed or numpy Generator) "
                             "so that results can be repeated")
        return round_stochastic(x, rng)
    raise ValueError(f"unknown rounding mode {mode!r}; choose one of {ROUNDING_MODES}")
    # --- end exercise ---
