"""int8 GEMM with int32 accumulation:  C[i, j] = Σ_k int32(A[i, k]) · int32(B[k, j]).

Three versions of the same sum:

* ``gemm_int8_reference``: NumPy in int64, the readable twin everything is checked against;
* ``gemm_int8_naive``: the textbook triple loop, jitted (the "plain" kernel);
* ``gemm_int8``: the fast kernel (packing, a register tile, cache blocking,
  threads; the steps are listed in its docstring, the code is ``microkernel.py``).

Overflow: each product lies in [−16256, 16384] (−128·−128 = 16384 is the
largest), so K products sum to at most K·16384 in magnitude; int32 holds
2^31 − 1, so K ≤ 131071 is always safe and larger K is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .microkernel import NR, gemm_packed, pack_b

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


@dataclass(frozen=True)
class PackedB:
    """B (K, N) in the fast kernel's order (``microkernel.pack_b``), with the shape it came from.

    Checked once, here: the kernel trusts the panels' shape to stay inside them.
    """
    panels: np.ndarray       # (⌈N/16⌉, ⌈K/2⌉, 32) int16, values in [−128, 127]
    k: int
    n: int

    def __post_init__(self):
        want = (-(-self.n // NR), -(-self.k // 2), 2 * NR)
        P = self.panels
        if not (isinstance(P, np.ndarray) and P.dtype == np.int16 and P.shape == want and P.flags.c_contiguous):
            got = f"{P.dtype} {P.shape}" if isinstance(P, np.ndarray) else type(P).__name__
            raise ValueError(f"PackedB for a ({self.k}, {self.n}) B needs C-contiguous int16 panels of shape "
                             f"{want}, got {got}: make it with prepare_b(B)")
        if P.size and (P.min() < -128 or P.max() > 127):
            raise ValueError("PackedB panels hold values outside int8 [−128, 127]: make it with prepare_b(B)")


def gemm_int8(A: np.ndarray, B: np.ndarray, parallel: bool = True) -> np.ndarray:
    """C = A·B, fast: int32 results identical to :func:`gemm_int8_reference`.

    What makes it fast, step by step (``bench kernels`` measures the result;
    ``microkernel.py`` holds the code and the details):

    1. packing: B is rearranged once into panels of 16 columns, k in pairs, and A's
       rows are widened to int16 (O(n²) work for O(n³) multiply-adds);
    2. a register tile: a 4×16 block of C stays in eight vector registers while k
       runs, and each step is 8 ``vpmaddwd`` (16 int16 products summed in pairs,
       one instruction) + 8 ``vpaddd`` for 6 loads, so loads never hold it up;
    3. cache blocking: 64 rows of A (64 KB, in L2) meet one 16 KB slice of a B
       panel (in L1) at a time;
    4. threads: strips of rows are split between cores (``parallel=True``).

    On AVX2 without VNNI (measured on AMD Zen 3) a core issues two ``vpmaddwd`` per
    cycle (32 multiply-adds) but only two float32 FMAs (16): the int8 kernel's
    ceiling is twice float32 BLAS's.
    """
    check_gemm_inputs(A, B)
    return gemm_packed(A, pack_b(B), B.shape[1], parallel)


def prepare_b(B: np.ndarray) -> PackedB:
    """B in the fast kernel's order, done once for a weight matrix (inference reuses it)."""
    check_gemm_inputs(np.zeros((0, B.shape[0] if getattr(B, "ndim", 0) == 2 else 0), np.int8), B)
    return PackedB(pack_b(B), B.shape[0], B.shape[1])


def gemm_int8_prepared(A: np.ndarray, packed: PackedB, parallel: bool = True) -> np.ndarray:
    """C = A·B with B given as ``prepare_b(B)``: skips packing a fixed weight on every call."""
    if not isinstance(packed, PackedB):
        raise TypeError(f"gemm_int8_prepared needs B as prepare_b(B), got {type(packed).__name__}: "
                        "the fast kernel reads B in its own packed order")
    check_gemm_inputs(A, np.broadcast_to(np.int8(0), (packed.k, packed.n)))   # B's shape, no copy
    return gemm_packed(A, packed.panels, packed.n, parallel)
