"""Quantization error: how big it is, where it comes from, and a step-by-step trace.

For e = w̃ − w with w̃ = q·(ŵ − z):

    MSE = (1/n) Σ e²,   SQNR = 10·log10(Σ w² / Σ e²) dB

Inside the range, nearest rounding moves each value by at most q/2, and if
w/q is spread over many steps the error is close to uniform on
(−q/2, q/2), whose mean square is q²/12 (the "uniform noise model";
Widrow & Kollár, *Quantization Noise*, 2008). Values beyond the range are
clamped, and their error (clipping error) can be much larger; MSE splits
exactly into the two parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .uniform import quantize_steps


@dataclass
class QuantError:
    mse: float
    max_abs: float
    max_abs_in_range: float   # ≤ q/2 for nearest rounding
    sqnr_db: float
    rounding_mse: float       # share of MSE from values inside the range
    clipping_mse: float       # share of MSE from clamped values; rounding + clipping = mse
    clipped_fraction: float
    uniform_model_mse: float  # mean of q²/12 over the elements

    def __str__(self):
        return (f"MSE {self.mse:.3e} (rounding {self.rounding_mse:.3e} + clipping {self.clipping_mse:.3e}; "
                f"q²/12 predicts {self.uniform_model_mse:.3e}), max |e| {self.max_abs:.3e}, "
                f"SQNR {self.sqnr_db:.1f} dB, {100 * self.clipped_fraction:.2f}% clipped")


def quant_error(w, q, bits: int | None = None, signed: bool = True, zero_point=0, axis=None,
                narrow: bool = False, rounding: str = "half_away", rng=None) -> QuantError:
    """Measure the error of quantizing ``w`` with step ``q`` (arguments as :func:`quantize`).

    Examples
    --------
    Codes [0, 0, 3, 3] in [−4, 3]; errors 0, −0.04, +0.04 inside the range and
    −0.7 for the clipped 1.0, so rounding MSE = 2·0.04²/4 and clipping MSE = 0.7²/4:

    >>> e = quant_error([0.0, 0.04, 0.26, 1.0], 0.1, bits=3)
    >>> round(e.rounding_mse, 6), round(e.clipping_mse, 6), round(e.max_abs, 6)
    (0.0008, 0.1225, 0.7)
    """
    s = quantize_steps(w, q, bits, signed, rounding, zero_point, axis, narrow, rng)
    w = s.w
    if w.size == 0:
        raise ValueError("quant_error of an empty array is undefined")
    e = s.q * (s.clamped - s.z) - w                               # w̃ − w
    clipped = ~s.inside
    n = w.size
    signal, noise = float(np.sum(w * w)), float(np.sum(e * e))
    return QuantError(
        mse=noise / n,
        max_abs=float(np.abs(e).max()),
        max_abs_in_range=float(np.abs(e[~clipped]).max(initial=0.0)),
        sqnr_db=float("inf") if noise == 0 else 10 * np.log10(signal / noise) if signal > 0 else float("-inf"),
        rounding_mse=float(np.sum(e[~clipped] ** 2)) / n,
        clipping_mse=float(np.sum(e[clipped] ** 2)) / n,
        clipped_fraction=float(clipped.mean()),
        uniform_model_mse=float(np.mean(np.broadcast_to(s.q, w.shape) ** 2)) / 12)


class QuantTrace(list):
    """Rows of :func:`explain_quantize`; prints as a table."""

    columns = ("w", "w/q", "rounded", "+z", "clamped", "w̃ = q(ŵ−z)", "error")

    def __str__(self):
        head = "".join(f"{c:>13}" for c in self.columns)
        lines = [head, "-" * len(head)]
        for r in self:
            lines.append(f"{r['w']:>13.6g}{r['w/q']:>13.6g}{r['rounded']:>13.0f}{r['+z']:>13.0f}"
                         f"{r['clamped']:>13.0f}{r['dequantized']:>13.6g}{r['error']:>+13.3e}")
        return "\n".join(lines)


def explain_quantize(w, q, bits: int | None = None, signed: bool = True, zero_point=0, axis=None,
                     narrow: bool = False, rounding: str = "half_away", rng=None) -> QuantTrace:
    """Every intermediate for each element: w, w/q, rounded, +z, clamped, dequantized, error.

    Examples
    --------
    >>> print(explain_quantize([0.25, 1.0], 0.1, bits=3))          # doctest: +NORMALIZE_WHITESPACE
                w          w/q      rounded           +z      clamped  w̃ = q(ŵ−z)        error
    -------------------------------------------------------------------------------------------
             0.25          2.5            3            3            3          0.3   +5.000e-02
                1           10           10           10            3          0.3   -7.000e-01
    """
    s = quantize_steps(w, q, bits, signed, rounding, zero_point, axis, narrow, rng)
    deq = s.q * (s.clamped - s.z)                                 # w̃ = q·(ŵ − z)
    rows = QuantTrace()
    for i in np.ndindex(s.w.shape):
        rows.append({"index": i, "w": s.w[i], "w/q": s.scaled[i], "rounded": s.rounded[i], "+z": s.shifted[i],
                     "clamped": s.clamped[i], "dequantized": deq[i], "error": deq[i] - s.w[i]})
    return rows
