"""The readable side of ``microkernel.py``: its offline packing and the NumPy twins of its LLVM tiles.

Nothing here is jitted. The packing runs once per weight matrix, offline; the twins
compute, in NumPy int64, what each register tile computes, and run in the tests and
wherever ``NUMBA_DISABLE_JIT=1`` makes the LLVM tiles unavailable.

    pack_b_reference   Bp[q, kk, 2c + t] = B[2kk + t, NR·q + c]      (pairs, for vpmaddwd)
    pack_b_quads       Bq[q, kq, 4c + t] = B[4kq + t, NR·q + c]      (quads, for vpdpbusd)
    epilogue_params    the output pipeline's per-column constants, one int32 row each
    tile_reference, tile_vnni_reference: one 4×16 tile of C = A·B
"""

from __future__ import annotations

import numpy as np

MR = 4          # rows of the register tile
NR = 16         # columns of the register tile: two vectors of 8 int32 lanes

# The rows of the epilogue's parameter block ``epi`` (9, N'), one int32 per output column each:
EPI_BIAS, EPI_LS, EPI_M0, EPI_RS, EPI_MASK, EPI_HALF, EPI_Z, EPI_LO, EPI_HI = range(9)


def pack_b_reference(B: np.ndarray) -> np.ndarray:
    """Bp[q, kk, 2c + t] = B[2kk + t, NR·q + c], zero-padded: (⌈N/NR⌉, ⌈K/2⌉, 2·NR) int16."""
    K, N = B.shape
    Bz = np.zeros((2 * (-(-K // 2)), -(-N // NR) * NR), np.int16)
    Bz[:K, :N] = B
    Kh, Q = Bz.shape[0] // 2, Bz.shape[1] // NR
    return Bz.reshape(Kh, 2, Q, NR).transpose(2, 0, 3, 1).reshape(Q, Kh, 2 * NR)


def pack_b_quads(B: np.ndarray) -> np.ndarray:
    """Bq[q, kq, 4c + t] = B[4kq + t, NR·q + c], zero-padded: (⌈N/NR⌉, ⌈K/4⌉, 4·NR) int8. Done once."""
    K, N = B.shape
    Bz = np.zeros((4 * (-(-K // 4)), -(-N // NR) * NR), np.int8)
    Bz[:K, :N] = B
    Kq, Q = Bz.shape[0] // 4, Bz.shape[1] // NR
    return np.ascontiguousarray(Bz.reshape(Kq, 4, Q, NR).transpose(2, 0, 3, 1).reshape(Q, Kq, 4 * NR))


def epilogue_params(bias, M0, n, z: int, lo: int, hi: int, width: int | None = None) -> np.ndarray:
    """epi (9, width) int32: per output column j, the constants of

        y[j] = clamp(z + rrs(srdhm(sat(sat(acc + bias_j) << ls_j), M0_j), rs_j), lo, hi)

    in the form the kernels use (offline, NumPy; ``width`` ≥ N pads with inert columns):

    * ls = max(−n, 0), the left shift of M ≥ 1; rs = max(n, 0), the rounding right shift;
    * mask = 2^rs − 1 and half = mask >> 1: gemmlowp's RoundingDivideByPOT,
      (q >> rs) + [(q & mask) > half + [q < 0]], all in int32;
    * rs ≥ 32 becomes M0 = 0, rs = 0: srdhm gives |q| < 2^31, and q / 2^rs with rs ≥ 32 rounds
      to 0 for every such q, which M0 = 0 gives exactly and keeps every shift below 32;
    * lo − z and hi − z: the clamp comes before the zero point, so no int32 sum can wrap.
    """
    bias = np.asarray(bias, dtype=np.int64)
    N = bias.shape[0]
    width = N if width is None else width
    M0 = np.broadcast_to(np.asarray(M0, dtype=np.int64), (N,))
    n = np.broadcast_to(np.asarray(n, dtype=np.int64), (N,))
    ls, rs = np.maximum(-n, 0), np.maximum(n, 0)
    gone = rs >= 32
    rs = np.where(gone, 0, rs)
    mask = (np.int64(1) << rs) - 1
    epi = np.zeros((9, width), np.int64)
    epi[:, :N] = [bias, ls, np.where(gone, 0, M0), rs, mask, mask >> 1, np.full(N, z), np.full(N, lo - z),
                  np.full(N, hi - z)]
    return epi.astype(np.int32)


def tile_reference(a, Bp, C, pr, q, ci, k0, k1):
    """The NumPy twin of ``microkernel._tile_llvm``: the same update of C[ci:ci+MR, NR·q : NR·q+NR]."""
    x = a[pr:pr + MR, 2 * k0:2 * k1].astype(np.int64)              # x[r, k]
    y = Bp[q, k0:k1].reshape(k1 - k0, NR, 2).astype(np.int64)      # y[kk, c, t] = B[2kk + t, NR·q + c]
    part = x @ y.transpose(0, 2, 1).reshape(2 * (k1 - k0), NR)
    cols = slice(NR * q, NR * q + NR)
    C[ci:ci + MR, cols] = part if k0 == 0 else C[ci:ci + MR, cols] + part


def tile_vnni_reference(a, Bq, C, pr, q, ci, k0, k1):
    """The NumPy twin of ``microkernel._tile_vnni_llvm``: C[ci:ci+MR, NR·q:NR·q+NR] (+)= a's rows · B's quads."""
    x = a[pr:pr + MR, 4 * k0:4 * k1].astype(np.int64)                  # unsigned, x + 128
    y = Bq[q, k0:k1].reshape(k1 - k0, NR, 4).astype(np.int64)          # y[kq, c, t] = B[4kq + t, NR·q + c]
    part = x @ y.transpose(0, 2, 1).reshape(4 * (k1 - k0), NR)
    cols = slice(NR * q, NR * q + NR)
    C[ci:ci + MR, cols] = part if k0 == 0 else C[ci:ci + MR, cols] + part
