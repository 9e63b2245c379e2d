"""int8 GEMM with int32 accumulation:  C[i, j] = Σ_k int32(A[i, k]) · int32(B[k, j]).

Three versions of the same sum:

* ``gemm_int8_reference``: NumPy in int64, the readable twin everything is checked against;
* ``gemm_int8_naive``: the textbook triple loop, jitted (the "plain" kernel);
* ``gemm_int8``: the fast kernel (layout + widening + threads, explained below).

Overflow: each product lies in [−16256, 16384] (−128·−128 = 16384 is the
largest), so K products sum to at most K·16384 in magnitude; int32 holds
2^31 − 1, so K ≤ 131071 is always safe and larger K is refused.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

INT32_MAX = 2 ** 31 - 1
MAX_K = INT32_MAX // (128 * 128)          # 131071


def check_gemm_inputs(A, B) -> None:
    """Refuse what would silently go wrong: wrong dtypes, shapes, K too large for int32."""
    for name, X in (("A", A), ("B", B)):
        if not isinstance(X, np.ndarray) or X.dtype != np.int8:
            got = X.dtype if isinstance(X, np.ndarray) else type(X).__name__
            raise TypeError(f"gemm_int8 needs {name} as an int8 ndarray, got {got}: quantize first "
                            "(a float or wider int would be truncated or wrapped)")
        if X.ndim != 2:
            raise ValueError(f"gemm_int8 needs 2-D {name}, got shape {X.shape}")
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"gemm_int8 shape mismatch: A {A.shape} @ B {B.shape}; "
                         f"A's columns ({A.shape[1]}) must equal B's rows ({B.shape[0]})")
    if A.shape[1] > MAX_K:
        raise OverflowError(f"K = {A.shape[1]} could overflow the int32 accumulator: K·128·128 = "
                            f"{A.shape[1] * 16384} > 2^31 − 1; split K into chunks of at most {MAX_K}")


def gemm_int8_reference(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """The readable twin: multiply in int64 (no overflow possible), then narrow to int32."""
    check_gemm_inputs(A, B)
    C = A.astype(np.int64) @ B.astype(np.int64)          # subtle: int8 @ int8 in NumPy would wrap
    return C.astype(np.int32)


@njit(cache=True)
def _naive(A, B):
    M, K = A.shape
    N = B.shape[1]
    # --- exercise: gemm_int8 ---
    C = np.zeros((M, N), dtype=np.int32)
    for i in range(M):
        for j in range(N):
            acc = np.int32(0)
            for k in range(K):
                # subtle: Numba would compute int8 * int8 in int64; the explicit int32
                # casts say what the hardware does, and np.int32(...) keeps acc 32-bit.
                acc = np.int32(acc + np.int32(A[i, k]) * np.int32(B[k, j]))
            C[i, j] = acc
    return C
    # --- end exercise ---


def gemm_int8_naive(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """C = A·B by the textbook triple loop (i, j, k), jitted; int32 accumulator."""
    check_gemm_inputs(A, B)
    return _naive(A, B)


@njit(cache=True, parallel=True)
def _widen_transpose(B):
    """Bt16[j, k] = int16(B[k, j]), in column strips of 32 so reads and writes stay in cache."""
    K, N = B.shape
    out = np.empty((N, K), dtype=np.int16)
    for jb in prange((N + 31) // 32):
        for k in range(K):
            for j in range(jb * 32, min(N, jb * 32 + 32)):
                out[j, k] = B[k, j]
    return out


# subtle: the parallel and serial kernels are two separate functions on purpose. Built
# from one closure they shared a qualified name, and Numba's cache (cache=True) handed
# the serial machine code to the parallel kernel, which then ran exactly as fast as
# serial. A shared jitted helper for the row loop cost a third of the speed (the call
# is not inlined), so the ten-line body is written out twice.

@njit(cache=True, parallel=True)
def _fast_parallel(A, Bt16):
    # A (M, K) int8; Bt16 (N, K) int16 C-contiguous: column j of B is a contiguous run.
    M, K = A.shape
    N = Bt16.shape[0]
    C = np.empty((M, N), dtype=np.int32)
    for i in prange(M):                           # rows split between threads
        a = np.empty(K, dtype=np.int16)           # row i widened once, reused for all N columns
        for k in range(K):
            a[k] = A[i, k]
        for j in range(N):
            b = Bt16[j]
            acc = np.int32(0)
            for k in range(K):
                # One int32 reduction over int16 inputs: LLVM turns this loop into
                # vpmaddwd (16 multiply-adds per AVX2 instruction). Several accumulators
                # in one loop (register blocking) made it fall back to vpmulld, twice
                # as slow, so the loop stays this simple.
                acc = np.int32(acc + np.int32(a[k]) * np.int32(b[k]))
            C[i, j] = acc
    return C


@njit(cache=True)
def _fast_serial(A, Bt16):
    M, K = A.shape
    N = Bt16.shape[0]
    C = np.empty((M, N), dtype=np.int32)
    for i in range(M):
        a = np.empty(K, dtype=np.int16)
        for k in range(K):
            a[k] = A[i, k]
        for j in range(N):
            b = Bt16[j]
            acc = np.int32(0)
            for k in range(K):
                acc = np.int32(acc + np.int32(a[k]) * np.int32(b[k]))
            C[i, j] = acc
    return C


def gemm_int8(A: np.ndarray, B: np.ndarray, parallel: bool = True) -> np.ndarray:
    """C = A·B, fast: int32 results identical to :func:`gemm_int8_reference`.

    What makes it fast, step by step:

    1. layout: B is transposed once so the inner loop reads both operands
       contiguously (the naive kernel strides down B's columns);
    2. widening: operands are widened to int16 once (O(n²) work for O(n³)
       multiplies), so the inner loop is a plain int16·int16 → int32
       dot product that LLVM vectorises with ``vpmaddwd``;
    3. threads: rows of C are split between cores (``parallel=True``).

    Measured here (``python -m minicompress bench kernels``) this reaches about
    half of NumPy's float32 BLAS, which uses hand-written assembly with
    register blocking that Numba's code generation did not reproduce.
    """
    check_gemm_inputs(A, B)
    A = np.ascontiguousarray(A)
    return (_fast_parallel if parallel else _fast_serial)(A, _widen_transpose(B))


def prepare_b(B: np.ndarray) -> np.ndarray:
    """The fast kernel's form of B: transposed and widened to int16, (N, K). Do it once for weights."""
    check_gemm_inputs(np.zeros((0, B.shape[0]), np.int8), B)
    return _widen_transpose(B)


def gemm_int8_prepared(A: np.ndarray, Bt16: np.ndarray, parallel: bool = True) -> np.ndarray:
    """C = A·B with B given as ``prepare_b(B)``: skips the per-call transpose of a fixed weight."""
    if not isinstance(Bt16, np.ndarray) or Bt16.dtype != np.int16 or Bt16.ndim != 2:
        raise TypeError("Bt16 must come from prepare_b(B): a 2-D int16 array of shape (N, K)")
    check_gemm_inputs(A, np.zeros((Bt16.shape[1], 0), np.int8))
    if np.abs(Bt16).max(initial=0) > 128:
        raise ValueError("Bt16 holds values outside int8: it must come from prepare_b(B)")
    return (_fast_parallel if parallel else _fast_serial)(np.ascontiguousarray(A), np.ascontiguousarray(Bt16))
