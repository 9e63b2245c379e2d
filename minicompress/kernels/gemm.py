"""int8 GEMM with int32 accumulation:  C[i, j] = Σ_k int32(A[i, k]) · int32(B[k, j]).

Three versions of the same sum:

* ``gemm_int8_reference``: NumPy in int64, the readable twin everything is checked against;
* ``gemm_int8_naive``: the textbook triple loop, jitted (the "plain" kernel);
* ``gemm_int8``: the fast kernel (layout, widening, register and cache blocking,
  threads; each step explained in its docstring and where it happens).

Overflow: each product lies in [−16256, 16384] (−128·−128 = 16384 is the
largest), so K products sum to at most K·16384 in magnitude; int32 holds
2^31 − 1, so K ≤ 131071 is always safe and larger K is refused.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .transpose import widen_transpose

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


# Cache blocking. A task computes a strip of C's rows; its rows of A, widened to int16
# (twice, see _block_2x2), are 128 KB at K = 512 and stay in the core's L2 (512 KB
# here). Within the strip, B is taken a tile of columns at a time, 16 KB of int16
# (16 columns at K = 512), which stays in L1 (32 KB) while every row pair of the strip
# passes over it. Without this tiling each row pair streamed all of B (512 KB at
# n = 512) from L3, at about half the speed.
MAX_ROWS_PER_TASK = 64
TILE_BYTES = 16 * 1024


@njit(cache=True, inline="always")
def _dot(a, b):
    """Σ_k a[k]·b[k] in int32: the edge case of the 2×2 block (odd M or N)."""
    acc = np.int32(0)
    for k in range(a.shape[0]):
        acc = np.int32(acc + np.int32(a[k]) * np.int32(b[k]))
    return acc


@njit(cache=True)
def _block_2x2(a0, d0, a1, d1, b0, b1, m):
    """[[Σ a0·b0, Σ a0·b1], [Σ a1·b0, Σ a1·b1]] over k: one 2×2 block of C in four int32 registers.

    Register blocking: two rows of A and two columns of B feed four multiply-adds,
    where a lone dot product needs two loads for one. ``d0``, ``d1`` are copies of
    ``a0``, ``a1`` and ``m`` is −1; why they are needed is said in the loop.
    """
    c00 = np.int32(0)
    c01 = np.int32(0)
    c10 = np.int32(0)
    c11 = np.int32(0)
    for k in range(a0.shape[0]):
        y0 = b0[k]
        y1 = b1[k]
        # subtle: np.multiply/np.add on int32 scalars stay int32 in Numba (NumPy's rules),
        # while `*` and `+` would widen to int64 and hide the pattern below.
        # subtle: LLVM turns a multiply-add reduction into vpmaddwd (16 int16 products
        # summed in pairs into 8 int32, one AVX2 instruction) only when each widened
        # operand feeds a single multiply; otherwise it emits vpmulld, at half the speed.
        # In a 2×2 block every operand feeds two, so each second use must look like a
        # different value: A's rows are read again from the copies d (the load folds into
        # vpmaddwd), B's are masked with m = −1, passed in so the compiler cannot fold
        # `& m` away (one vpand). Loads and vector operations both limit this loop; one
        # copy and one mask measured faster than two copies or two masks.
        c00 = np.add(c00, np.multiply(np.int32(a0[k]), np.int32(y0)))
        c01 = np.add(c01, np.multiply(np.int32(d0[k]), np.int32(y1)))
        c10 = np.add(c10, np.multiply(np.int32(a1[k]), np.int32(y0 & m)))
        c11 = np.add(c11, np.multiply(np.int32(d1[k]), np.int32(y1 & m)))
    return c00, c01, c10, c11


@njit(cache=True, inline="always")
def _row_strip(A, Bt16, C, i0, i1, cols, keep):
    """C[i0:i1] = A[i0:i1]·B, in 2×2 blocks over tiles of ``cols`` columns of B."""
    K = A.shape[1]
    N = Bt16.shape[0]
    a = np.empty((i1 - i0, K), dtype=np.int16)       # the strip's rows, widened once,
    d = np.empty((i1 - i0, K), dtype=np.int16)       # and a second copy for _block_2x2
    for r in range(i1 - i0):
        for k in range(K):
            a[r, k] = A[i0 + r, k]
            d[r, k] = A[i0 + r, k]
    m = keep[0]
    for j0 in range(0, N, cols):
        j1 = min(N, j0 + cols)
        for r in range(0, i1 - i0 - 1, 2):
            a0, a1 = a[r], a[r + 1]
            for j in range(j0, j1 - 1, 2):
                c00, c01, c10, c11 = _block_2x2(a0, d[r], a1, d[r + 1], Bt16[j], Bt16[j + 1], m)
                C[i0 + r, j] = c00
                C[i0 + r, j + 1] = c01
                C[i0 + r + 1, j] = c10
                C[i0 + r + 1, j + 1] = c11
            if (j1 - j0) % 2 == 1:                     # the tile's last, odd column
                C[i0 + r, j1 - 1] = _dot(a0, Bt16[j1 - 1])
                C[i0 + r + 1, j1 - 1] = _dot(a1, Bt16[j1 - 1])
        if (i1 - i0) % 2 == 1:                         # the strip's last, odd row
            for j in range(j0, j1):
                C[i1 - 1, j] = _dot(a[i1 - i0 - 1], Bt16[j])


# subtle: the parallel and serial drivers are two separate functions on purpose. Built
# from one closure they shared a qualified name, and Numba's cache (cache=True) handed
# the serial machine code to the parallel kernel. The work itself is one helper,
# _row_strip, inlined into both in Numba's IR (inline="always").

@njit(cache=True, parallel=True)
def _fast_parallel(A, Bt16, keep, rows, cols):
    M = A.shape[0]
    C = np.empty((M, Bt16.shape[0]), dtype=np.int32)
    for t in prange((M + rows - 1) // rows):          # strips of rows split between threads
        _row_strip(A, Bt16, C, t * rows, min(M, t * rows + rows), cols, keep)
    return C


@njit(cache=True)
def _fast_serial(A, Bt16, keep, rows, cols):
    M = A.shape[0]
    C = np.empty((M, Bt16.shape[0]), dtype=np.int32)
    for t in range((M + rows - 1) // rows):
        _row_strip(A, Bt16, C, t * rows, min(M, t * rows + rows), cols, keep)
    return C


_KEEP = np.full(1, -1, dtype=np.int16)      # the all-ones mask of _block_2x2, opaque to the compiler


def _compile_wide(kernel):
    """Compile ``kernel`` (or load it from Numba's cache), its 2×2 block with 256-bit vectors.

    LLVM picks the vector width from the widest type in a loop: the int32
    accumulators give 8 lanes, so vpmaddwd would read only 8 int16 (128 bits).
    ``-force-vector-width=16`` makes it 16 lanes, a full AVX2 register, and
    ``-vectorizer-maximize-bandwidth`` lets the cost model agree. Both are
    global LLVM switches, so they are on only while :func:`_block_2x2`
    compiles; the drivers that call it are compiled afterwards, without them
    (forced widths make LLVM print a remark for every loop it cannot
    vectorise), and take the block's machine code as it is.
    """
    if not hasattr(kernel, "compile"):          # NUMBA_DISABLE_JIT=1: plain Python
        return kernel
    if not _block_2x2.signatures:
        import llvmlite.binding as llvm
        from numba import types
        row = types.int16[::1]
        llvm.set_option("minicompress", "-vectorizer-maximize-bandwidth")
        llvm.set_option("minicompress", "-force-vector-width=16")
        try:
            _block_2x2.compile((row, row, row, row, row, row, types.int16))
        finally:
            llvm.set_option("minicompress", "-vectorizer-maximize-bandwidth=false")
            llvm.set_option("minicompress", "-force-vector-width=0")
    return kernel


def _run_fast(A, Bt16, parallel):
    from numba import get_num_threads
    M, K = A.shape
    # Strips of at most 64 rows, but at least two per thread when M is small, so both
    # cores get work for a batch of 64 too; tiles of B's columns of about TILE_BYTES.
    # Both even, so the 2×2 blocks tile them.
    rows = max(2, min(MAX_ROWS_PER_TASK, -(-M // (2 * get_num_threads()))))
    cols = max(2, min(256, TILE_BYTES // (2 * max(K, 1))))
    kernel = _compile_wide(_fast_parallel if parallel else _fast_serial)
    return kernel(np.ascontiguousarray(A), np.ascontiguousarray(Bt16), _KEEP, rows + rows % 2, cols - cols % 2)


def gemm_int8(A: np.ndarray, B: np.ndarray, parallel: bool = True) -> np.ndarray:
    """C = A·B, fast: int32 results identical to :func:`gemm_int8_reference`.

    What makes it fast, step by step (``bench kernels`` measures the result):

    1. layout: B is transposed once (``transpose.py``, eight bytes at a time) so the
       inner loop reads both operands contiguously (the naive kernel strides down B's columns);
    2. widening: operands are widened to int16 once (O(n²) work for O(n³)
       multiplies), so the inner loop is an int16·int16 → int32 dot product
       that LLVM vectorises with ``vpmaddwd`` (16 multiplies, 8 pair sums);
    3. register blocking: C is computed in 2×2 blocks, so each piece of B
       loaded into a register serves two rows of A (see :func:`_block_2x2`
       for what LLVM needs to see);
    4. cache blocking: strips of 64 rows × tiles of 16 KB of B keep both
       operands in L1/L2 (see ``TILE_BYTES``);
    5. threads: strips of rows are split between cores (``parallel=True``).

    Where that leaves it (AVX2 without VNNI): one vpmaddwd does 16 multiply-adds
    but needs a vpaddd to accumulate them and, for reuse, a vpand or an extra
    load; two float32 FMAs also do 16 multiply-adds, in two instructions.
    Measured here the inner loop takes about 4 cycles per 64 multiply-adds,
    about what float32 BLAS reaches per core, so the two end up close.
    """
    check_gemm_inputs(A, B)
    return _run_fast(A, widen_transpose(B), parallel)


def prepare_b(B: np.ndarray) -> np.ndarray:
    """The fast kernel's form of B: transposed and widened to int16, (N, K). Do it once for weights."""
    check_gemm_inputs(np.zeros((0, B.shape[0]), np.int8), B)
    return widen_transpose(B)


def gemm_int8_prepared(A: np.ndarray, Bt16: np.ndarray, parallel: bool = True) -> np.ndarray:
    """C = A·B with B given as ``prepare_b(B)``: skips the per-call transpose of a fixed weight."""
    if not isinstance(Bt16, np.ndarray) or Bt16.dtype != np.int16 or Bt16.ndim != 2:
        raise TypeError("Bt16 must come from prepare_b(B): a 2-D int16 array of shape (N, K)")
    check_gemm_inputs(A, np.zeros((Bt16.shape[1], 0), np.int8))
    if np.abs(Bt16).max(initial=0) > 128:
        raise ValueError("Bt16 holds values outside int8: it must come from prepare_b(B)")
    return _run_fast(A, Bt16, parallel)
