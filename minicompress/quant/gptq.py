"""GPTQ (Frantar et al. 2022) and its exact ancestor OBQ: round one weight, let the others absorb the error.

For a Linear layer W (out, in) and calibration inputs X (N, in), the output
error of a rounding is Σ_rows δᵀ H δ / 2 with the Hessian H = 2XᵀX. Rounding
weight i of a row to q_i leaves the error e = w_i − q_i; the best correction
of the weights not yet rounded (Optimal Brain Surgeon) is

    δ_F = − e / [H⁻¹]_ii · H⁻¹[F, i],       then remove i from H⁻¹.

OBQ picks, at each step, the weight whose rounding costs least,
e² / [H⁻¹]_ii (exact, O(n³) per row). GPTQ rounds the columns in a fixed
order for every row at once, and uses the upper Cholesky factor U of H⁻¹
(H⁻¹ = UᵀU): row i of U holds exactly the H⁻¹ entries that step i needs once
columns < i are gone. Updates inside a block of ``block`` columns are done
at once and pushed to the rest of the matrix lazily, one GEMM per block.

With H = I nothing is fed back and GPTQ is round-to-nearest.
"""

from __future__ import annotations

import numpy as np

from .rounding import round_half_away
from .uniform import check_finite, qrange


def hessian(X, damp: float = 0.01) -> np.ndarray:
    """H = 2XᵀX + λ·mean(diag)·I (the damping keeps H invertible when inputs are few or dead)."""
    X = check_finite(X, "X").astype(np.float64)
    H = 2.0 * X.T @ X
    dead = np.diag(H) == 0
    H[dead, dead] = 1.0                               # an input that is always 0: any weight is as good
    return H + damp * np.mean(np.diag(H)) * np.eye(len(H))


def _nearest(w, q, lo, hi):
    return np.clip(round_half_away(w / q), lo, hi)


def gptq_step(Wb, j: int, q, u, lo: int, hi: int) -> tuple:
    """One GPTQ column: round column j of the block Wb (out, B), then feed its error to the columns after it.

        c = clamp(round(Wb[:, j] / q)),   e = (Wb[:, j] − q·c) / u_j,   Wb[:, j:] −= e ⊗ u[j:]

    ``u`` is the block's row of the Cholesky factor U (H⁻¹ = UᵀU) for this
    column, from the block's first column on. Returns (c, e, the updated block).

    >>> c, e, Wb = gptq_step(np.array([[0.4, 0.4]]), 0, np.ones(1), np.array([1.0, 0.9]), -7, 7)
    >>> c.tolist(), e.tolist(), Wb.round(6).tolist()          # 0.4 rounds to 0; 0.4 − 0.4·0.9 = 0.04 is left
    ([0.0], [0.4], [[0.0, 0.04]])
    """
    Wb = np.array(Wb, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64).reshape(-1)
    # --- exercise: gptq_column ---
    c = _nearest(Wb[:, j], q, lo, hi)                           # round column j to the nearest code
    e = (Wb[:, j] - q * c) / u[j]                               # its error, in units of U_jj
    Wb[:, j:] -= np.outer(e, u[j:])                             # the columns after j absorb it
    # --- end exercise ---
    return c, e, Wb


def gptq(W, H, q, bits: int, block: int = 32) -> np.ndarray:
    """The codes (out, in) GPTQ chooses for W with per-row steps ``q`` (out,) and Hessian H (in, in)."""
    W = check_finite(W, "W").astype(np.float64).copy()
    out, n = W.shape
    q = np.broadcast_to(np.asarray(q, dtype=np.float64), (out,))[:, None]       # (out, 1)
    lo, hi = qrange(bits, True, True)
    U = np.linalg.cholesky(np.linalg.inv(H)).T                                  # upper: H⁻¹ = UᵀU
    codes = np.zeros_like(W)
    for start in range(0, n, block):
        stop = min(start + block, n)
        Wb, Err = W[:, start:stop].copy(), np.zeros((out, stop - start))
        for j in range(stop - start):
            i = start + j
            c, e, Wb = gptq_step(Wb, j, q[:, 0], U[i, start:stop], lo, hi)       # round column i, feed forward
            codes[:, i] = c
            Err[:, j] = e
        W[:, stop:] -= Err @ U[start:stop, stop:]                               # the lazy batch update
    return codes


def obq_row(w, H, q: float, bits: int) -> np.ndarray:
    """OBQ's exact greedy order for one row: always round next the weight whose rounding costs least."""
    w = np.asarray(w, dtype=np.float64).copy()
    Hinv = np.linalg.inv(H)
    lo, hi = qrange(bits, True, True)
    left = list(range(w.size))
    codes = np.zeros(w.size)
    while left:
        c = _nearest(w[left], q, lo, hi)
        cost = (w[left] - q * c) ** 2 / np.diag(Hinv)[left]
        k = int(np.argmin(cost))
        i = left[k]
        e = w[i] - q * c[k]
        w -= e / Hinv[i, i] * Hinv[:, i]                                        # the OBS correction
        w[i] = q * c[k]
        codes[i] = c[k]
        Hinv -= np.outer(Hinv[:, i], Hinv[i, :]) / Hinv[i, i]                   # remove i
        left.pop(k)
    return codes
