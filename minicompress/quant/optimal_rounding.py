"""The best possible rounding of a small layer, by brute force: every up/down choice, scored on the output.

For one output row w (n weights) with step q, each weight may round down,
ŵ_i = q·⌊w_i/q⌋, or up, q·⌈w_i/q⌉ (codes clamped to [qmin, qmax]). On
calibration inputs X the row's output error is

    E(ŵ) = ‖X ŵ − X w‖² = δᵀ H δ,     δ = ŵ − w,   H = XᵀX,

a quadratic in δ: rows are independent, so a layer's best rounding is each
row's best. There are 2^n choices per row; at n ≤ 20 minicompress tries them
all. Nearest rounding minimises Σ δ_i² (H replaced by I) and ignores how the
inputs correlate, so it is in general *not* the best for the output: the
lesson of Nagel et al. (2020), "Up or Down? Adaptive Rounding for
Post-Training Quantization", which AdaRound (``adaround.py``) learns at scale.
"""

from __future__ import annotations

import numpy as np

from .uniform import check_finite, qrange, quantize

MAX_BRUTE_FORCE = 20              # 2^20 ≈ 10⁶ roundings of one row


def output_error(delta, H) -> np.ndarray:
    """δᵀ H δ for each row of ``delta`` (rows are roundings of one weight row, or the rows of a layer)."""
    delta = np.atleast_2d(delta)
    return np.einsum("ri,ij,rj->r", delta, H, delta)


def _bounds(w, q, bits):
    lo, hi = qrange(bits, True, True)
    down = np.clip(np.floor(w / q), lo, hi)
    up = np.clip(np.ceil(w / q), lo, hi)
    return down, up


def best_rounding(w, q: float, bits: int, H) -> tuple:
    """(codes, error) of the rounding of the row ``w`` with the least output error δᵀHδ, trying all 2^n.

    >>> H = np.array([[1.0, 0.9], [0.9, 1.0]])             # two strongly correlated inputs
    >>> codes, err = best_rounding(np.array([0.4, 0.4]), 1.0, 4, H)
    >>> codes.tolist(), round(float(err), 3)                 # nearest gives [0, 0]: δ = [−.4, −.4], error 0.608
    ([1.0, 0.0], 0.088)
    """
    w = check_finite(w, "w").astype(np.float64).ravel()
    n = w.size
    if n > MAX_BRUTE_FORCE:
        raise ValueError(f"brute force tries 2^n roundings; n = {n} is more than {MAX_BRUTE_FORCE} "
                         "(take fewer weights per row)")
    down, up = _bounds(w, q, bits)
    choice = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1           # (2^n, n): 1 = round up
    codes = np.where(choice == 1, up, down)
    err = output_error(q * codes - w, H)
    best = int(np.argmin(err))
    return codes[best], float(err[best])


def nearest_error(w, q: float, bits: int, H) -> float:
    """δᵀHδ of ordinary round-to-nearest (ties away from zero), for comparison with ``best_rounding``."""
    w = np.asarray(w, dtype=np.float64).ravel()
    codes = quantize(w, q, bits, narrow=True)
    return float(output_error(q * codes - w, H)[0])


def stochastic_roundings(w, q: float, bits: int, H, draws: int, rng=None) -> np.ndarray:
    """Output errors of ``draws`` stochastic roundings (up with probability w/q − ⌊w/q⌋), sorted."""
    from ..nn import as_generator
    w = np.asarray(w, dtype=np.float64).ravel()
    down, up = _bounds(w, q, bits)
    frac = w / q - np.floor(w / q)
    g = as_generator(rng)
    codes = np.where(g.random((draws, w.size)) < frac, up, down)
    return np.sort(output_error(q * codes - w, H))
