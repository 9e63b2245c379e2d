"""Packing B for the fast GEMM:  Bt16[j, k] = int16(B[k, j])  (transpose, then widen).

The fast GEMM reads both operands along k, so B (K, N) must be turned into
Bt16 (N, K). Moving one byte at a time costs a load and a store per element,
which at n = 512 took about a tenth of the whole GEMM.

Eight rows of eight int8 values fit in eight 64-bit words, and an 8×8 block of
bytes transposes inside those words in three rounds of masked swaps (the
classic bit-matrix transpose, Hacker's Delight §7-3):

    round 1 swaps single bytes between word pairs (0,1) (2,3) (4,5) (6,7),
    round 2 swaps 2-byte pieces between pairs (0,2) (1,3) (4,6) (5,7),
    round 3 swaps 4-byte pieces between pairs (0,4) (1,5) (2,6) (3,7).

Each swap of the pieces selected by mask ``m`` at distance ``s`` is
``t = ((x >> s) ^ y) & m;  y ^= t;  x ^= t << s``: 64 bytes move with 8 loads,
8 stores and 72 register operations. Byte c of a word is element c of the row
only on a little-endian machine; elsewhere the plain loop is used.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit, prange


def widen_transpose_reference(B: np.ndarray) -> np.ndarray:
    """The readable twin: Bt16 = int16(Bᵀ), C-contiguous (N, K)."""
    return np.ascontiguousarray(B.T).astype(np.int16)


@njit(cache=True, inline="always")
def _swap(x, y, mask, shift):
    """Exchange the pieces of x selected by ``mask << shift`` with those of y selected by ``mask``."""
    t = ((x >> shift) ^ y) & mask
    return x ^ (t << shift), y ^ t


@njit(cache=True, parallel=True)
def _transpose_widen(W, TW, out):
    """out = int16 of the transposed bytes: TW (Np, Kp/8) ← W (Kp, Np/8) block by block, then widened.

    One parallel loop does both steps for a column block of B, so the eight rows just
    written are widened while they are still in cache, and the threads start once.
    """
    m1, m2, m4 = np.uint64(0x00FF00FF00FF00FF), np.uint64(0x0000FFFF0000FFFF), np.uint64(0x00000000FFFFFFFF)
    s1, s2, s4 = np.uint64(8), np.uint64(16), np.uint64(32)
    T = TW.view(np.int8)
    N, K = out.shape
    for jb in prange(W.shape[1]):                 # one block of 8 columns of B per task
        j = 8 * jb
        for kb in range(W.shape[0] // 8):
            k = 8 * kb
            x0, x1, x2, x3 = W[k, jb], W[k + 1, jb], W[k + 2, jb], W[k + 3, jb]
            x4, x5, x6, x7 = W[k + 4, jb], W[k + 5, jb], W[k + 6, jb], W[k + 7, jb]
            x0, x1 = _swap(x0, x1, m1, s1)       # round 1: bytes
            x2, x3 = _swap(x2, x3, m1, s1)
            x4, x5 = _swap(x4, x5, m1, s1)
            x6, x7 = _swap(x6, x7, m1, s1)
            x0, x2 = _swap(x0, x2, m2, s2)       # round 2: byte pairs
            x1, x3 = _swap(x1, x3, m2, s2)
            x4, x6 = _swap(x4, x6, m2, s2)
            x5, x7 = _swap(x5, x7, m2, s2)
            x0, x4 = _swap(x0, x4, m4, s4)       # round 3: 4-byte halves
            x1, x5 = _swap(x1, x5, m4, s4)
            x2, x6 = _swap(x2, x6, m4, s4)
            x3, x7 = _swap(x3, x7, m4, s4)
            TW[j, kb], TW[j + 1, kb], TW[j + 2, kb], TW[j + 3, kb] = x0, x1, x2, x3
            TW[j + 4, kb], TW[j + 5, kb], TW[j + 6, kb], TW[j + 7, kb] = x4, x5, x6, x7
        for r in range(j, min(N, j + 8)):          # widen the block's rows, dropping the padding
            for k in range(K):
                out[r, k] = T[r, k]


@njit(cache=True, parallel=True)
def _plain(B):
    """One element at a time, in 32×32 blocks so a block's reads and writes stay in L1."""
    K, N = B.shape
    out = np.empty((N, K), dtype=np.int16)
    for jb in prange((N + 31) // 32):
        j0, j1 = jb * 32, min(N, jb * 32 + 32)
        for k0 in range(0, K, 32):
            for j in range(j0, j1):
                for k in range(k0, min(K, k0 + 32)):
                    out[j, k] = B[k, j]
    return out


def widen_transpose(B: np.ndarray) -> np.ndarray:
    """Bt16[j, k] = int16(B[k, j]) for an int8 B (K, N); equal to :func:`widen_transpose_reference`."""
    if not isinstance(B, np.ndarray) or B.dtype != np.int8 or B.ndim != 2:
        raise TypeError(f"widen_transpose needs a 2-D int8 array, got "
                        f"{getattr(B, 'dtype', type(B).__name__)} with shape {getattr(B, 'shape', '?')}")
    K, N = B.shape
    if sys.byteorder != "little" or K == 0 or N == 0:
        return _plain(np.ascontiguousarray(B))
    Kp, Np = -(-K // 8) * 8, -(-N // 8) * 8
    if (Kp, Np) == (K, N) and B.flags.c_contiguous:
        padded = B
    else:                                         # pad to whole 8×8 blocks (zeros, dropped again below)
        padded = np.zeros((Kp, Np), dtype=np.int8)
        padded[:K, :N] = B
    T = np.empty((Np, Kp), dtype=np.int8)
    out = np.empty((N, K), dtype=np.int16)
    _transpose_widen(padded.view(np.uint64), T.view(np.uint64), out)
    return out
