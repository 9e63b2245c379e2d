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

# The rows of the epilogue's parameter block ``epi`` (EPI_ROWS, N'), one int32 per output column each.
# The first nine hold gemmlowp's steps, which the scalar code (``microkernel._output_cols``) follows:
EPI_BIAS, EPI_LS, EPI_M0, EPI_RS, EPI_MASK, EPI_HALF, EPI_Z, EPI_LO, EPI_HI = range(9)
# The others hold the same arithmetic folded into one 64-bit sum per code, for the vector code
# (``microkernel._requant_ir``; see ``epilogue_params``). Rows marked "pairs" hold, at the even
# column 2i and the odd column 2i+1 together, one 64-bit value per column pair: read as 8 int64
# lanes, 16 int32 columns become 8 lanes for the even columns (…_E) or for the odd ones (…_O).
(EPI_LSV,        # the saturating left shift of the vector code (ls, or ls + 1 where rs = 0)
 EPI_M0_O,       # pairs: M0 of the odd column, in the low half (vpmuldq reads only the low int32)
 EPI_N_E,        # pairs: the int64 constant N added to x·M0, of the even column ...
 EPI_N_O,        # ... and of the odd column
 EPI_SH,         # rs' − 1: the arithmetic right shift of the sum's high half (one int32 per column)
 EPI_C_E,        # pairs: 2^31 where the tie rule applies (rs ≥ 1): a negative x takes it off the sum,
                 # so its halves round away from zero; even column ...
 EPI_C_O,        # ... and odd column
 EPI_CLO,        # the clamp [lo, hi] of the code itself, after + z
 EPI_CHI,
 EPI_D_O,        # pairs: N ^ (N − 2^31) of the odd column where it has the tie rule, else 0: with
                 # x sign-extended to 64 bits, N ^ (x & D) is N − 2^31·[x < 0] in one instruction
 ) = range(9, 19)
EPI_ROWS = 19


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
    """epi (EPI_ROWS, width) int32: per output column j, the constants of

        y[j] = clamp(z + rrs(srdhm(sat(sat(acc + bias_j) << ls_j), M0_j), rs_j), lo, hi)

    in the forms the kernels use (offline, NumPy; ``width`` ≥ N pads with inert columns).

    gemmlowp's steps, for the scalar code:

    * ls = max(−n, 0), the left shift of M ≥ 1; rs = max(n, 0), the rounding right shift;
    * mask = 2^rs − 1 and half = mask >> 1: gemmlowp's RoundingDivideByPOT,
      (q >> rs) + [(q & mask) > half + [q < 0]], all in int32;
    * rs ≥ 32 becomes M0 = 0, rs = 0: srdhm gives |q| < 2^31, and q / 2^rs with rs ≥ 32 rounds
      to 0 for every such q, which M0 = 0 gives exactly and keeps every shift below 32;
    * lo − z and hi − z: the clamp comes before the zero point, so no int32 sum can wrap.

    The same function folded into one sum, for the vector code. With x the shifted accumulator,
    srdhm is floor((x·M0 + 2^30) / 2^31) and RoundingDivideByPOT is floor((q + 2^(rs−1) − [q<0]) / 2^rs),
    and two floors of integer quotients make one:

        y = floor((x·M0 + K − 2^31·[x < 0]) / 2^(31+rs)),   K = 2^30 + 2^(30+rs)   (rs ≥ 1)

    ([x < 0] may stand for [q < 0]: they differ only where q = 0, and there both round to 0).
    The sum fits a signed 64-bit lane (|x·M0| < 2^62, K ≤ 2^61 + 2^30), and its high 32 bits are
    floor(sum / 2^32), so an arithmetic shift of that half by rs − 1 gives y; z is added after.
    rs = 0 has no rounding step; it becomes rs' = 1 with x doubled (the left shift gains one bit,
    saturating: a code that saturates there saturates in both forms), K = 2^31 and no tie rule.
    M0 = 0 takes K = 2^31 with the tie rule: the sum is 2^31 or 0, whose high half is 0 either way,
    so every column but the doubled ones has the tie rule, and code without a left shift may apply
    it to all columns alike.
    Where x is at hand sign-extended to 64 bits (every bit from 31 up is [x < 0]), the tie rule is
    one bitwise step: K − 2^31·[x < 0] = K ^ (x & D) with D = K ^ (K − 2^31), the bits that taking
    2^31 off K changes (its borrow runs up from bit 31, where x has its sign); D = 0 without the rule.
    The tests compare the two forms bit for bit.
    """
    bias = np.asarray(bias, dtype=np.int64)
    N = bias.shape[0]
    width = N if width is None else width
    M0 = np.broadcast_to(np.asarray(M0, dtype=np.int64), (N,))
    n = np.broadcast_to(np.asarray(n, dtype=np.int64), (N,))
    ls, rs = np.maximum(-n, 0), np.maximum(n, 0)
    gone = rs >= 32
    rs = np.where(gone, 0, rs)
    M0 = np.where(gone, 0, M0)
    mask = (np.int64(1) << rs) - 1
    epi = np.zeros((EPI_ROWS, width), np.int64)
    epi[:9, :N] = [bias, ls, M0, rs, mask, mask >> 1, np.full(N, z), np.full(N, lo - z), np.full(N, hi - z)]
    # the folded form, for every column (padding, and one more where width is odd: M0 = 0, code 0)
    wp = width + width % 2                                    # pairs need an even count
    col = lambda v: np.concatenate([v, np.zeros(wp - N, np.int64)])   # noqa: E731
    M0w, lsw, rsw = col(M0), col(ls), col(rs)
    doubled = (rsw == 0) & (M0w != 0)
    lsv = np.where(doubled, np.minimum(lsw + 1, 31), lsw)     # ls = 31 saturates any x ≠ 0, −1 alike
    rs1 = np.where(rsw == 0, 1, rsw)
    K = np.where((M0w == 0) | doubled, 2 ** 31, 2 ** 30 + (np.int64(1) << (30 + rs1)))
    tie = np.where(doubled, 0, 2 ** 31)
    folded = np.zeros((EPI_ROWS - 9, wp), np.int64)
    folded[EPI_LSV - 9] = lsv
    folded[EPI_SH - 9] = rs1 - 1
    for row, v in ((EPI_M0_O, M0w[1::2]), (EPI_C_E, tie[0::2]), (EPI_C_O, tie[1::2])):
        folded[row - 9, 0::2] = v                             # the low half of the pair; the high half 0
    D = np.where(tie != 0, K ^ (K - 2 ** 31), 0)             # the bits 2^31·[x < 0] changes in K
    for row, v in ((EPI_N_E, K[0::2]), (EPI_N_O, K[1::2]), (EPI_D_O, D[1::2])):
        folded[row - 9, 0::2], folded[row - 9, 1::2] = v & 0xFFFFFFFF, v >> 32
    folded[EPI_CLO - 9, :N], folded[EPI_CHI - 9, :N] = lo, hi
    epi[9:] = folded[:, :width]
    return (epi & 0xFFFFFFFF).astype(np.uint32).view(np.int32)   # two's complement: 2^31 is INT32_MIN


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
