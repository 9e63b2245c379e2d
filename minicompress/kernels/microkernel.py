"""The fast GEMM's engine: a 4×16 tile of C held in registers while k runs.

    C[i0+r, j0+c] += Σ_kk  A[i0+r, 2kk]·B[2kk, j0+c] + A[i0+r, 2kk+1]·B[2kk+1, j0+c]
                     (r < MR = 4, c < NR = 16)

This is how every BLAS computes a matrix product (Goto & van de Geijn 2008, the BLIS
"micro-kernel"), here with int8 values widened to int16 and int32 sums:

* the 4×16 int32 tile of C lives in 8 vector registers of 8 lanes for the whole
  k loop, and is written to memory once at the end, not once per k;
* each step takes two k at a time, because x86's ``vpmaddwd`` multiplies 16 int16
  pairs and adds neighbours: lane c gets a[2kk]·b[2kk, c] + a[2kk+1]·b[2kk+1, c];
* per step it loads two vectors of B (16 columns × 2 k) and four pairs of A, each
  broadcast to every lane, and issues 8 ``vpmaddwd`` + 8 ``vpaddd``: 128
  multiply-adds (64 outputs × 2 k) for 6 loads, so the multipliers, not the
  loads, set the pace.

With AVX-512 the same tile spans four panels, 4×64, in 16-lane (zmm) vectors (``WIDE``): one
instruction then does twice the work, and 16 accumulators instead of 8 keep the multiply-add
units busy while each sum waits for the one before it (on processors with VNNI, LLVM fuses
``vpmaddwd`` and ``vpaddd`` into one ``vpdpwssd``, whose result comes 5 cycles later). Panels
left over at the right edge take the 4×16 tile.

To feed it, B is *packed* once into the order the tile reads it (``pack_b``):
panels of 16 columns, each listing k-pairs one after another, every column's
pair side by side, zero-padded to whole panels. A's rows are only widened to
int16 (``_widen_rows``): the tile reads a pair of a row as one int32.

Why this beats float32 BLAS on AVX2 without VNNI: a core issues two float32 FMAs
per cycle (2 × 8 = 16 multiply-adds) and, measured on the AMD Zen 3 cores this was
tuned on, two ``vpmaddwd`` per cycle (2 × 16 = 32); the int8 path's limit is twice
the float path's. The tile reaches about 23 per cycle on one core. The earlier kernel of this
project reduced each C[i, j] over k inside vector lanes: six loads per 64
multiply-adds made the loads the limit, at the float path's speed.

The tile is written directly in LLVM IR (a Numba ``@intrinsic``), because no
loop written in Python syntax reliably compiles to this register tile. The IR
is portable: the pair product is spelled ``sext``, ``mul``, even + odd lanes,
and LLVM's x86 back end recognises that as ``vpmaddwd``; another CPU gets its
own instructions for the same integers. ``twins.tile_reference`` is the NumPy twin,
used when ``NUMBA_DISABLE_JIT=1`` and in the tests.

The fused layer's tile does not store its int32 sums at all: after the k loop it applies
the output pipeline (bias, fixed-point multiplier, zero point, clamp) to the 8 vectors
still in registers and stores 64 int8 codes (``_tile_out_llvm``, gemmlowp's "output
pipeline"). ``_requant_ir`` builds that pipeline with no branch: gemmlowp's two roundings
folded into one 64-bit sum per code (``twins.epilogue_params`` derives it), which the
tests hold bit for bit against gemmlowp's steps. ``requantize`` runs the same pipeline on
an int32 array in memory, 64 columns a step (``_requant_rows_llvm``): where the processor
has AVX-512BW, two ``vpackssdw`` and a ``vpacksswb`` narrow four vectors at once.

Why one long file: every jitted helper lives beside the cached kernels that call it, and so
does the Python that writes their LLVM IR, because Numba's cache (``cache=True``) checks only
the calling kernel's own file and would serve stale machine code if a helper elsewhere
changed. What is not compiled (packing done offline, the epilogue's constants, the NumPy
twins) is in ``twins.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.core import cgutils, config
from numba.core.errors import TypingError
from numba.extending import intrinsic

from . import cpu
from .twins import (
    EPI_BIAS,
    EPI_C_E,
    EPI_C_O,
    EPI_CHI,
    EPI_CLO,
    EPI_D_O,
    EPI_HALF,
    EPI_HI,
    EPI_LO,
    EPI_LS,
    EPI_LSV,
    EPI_M0,
    EPI_M0_O,
    EPI_MASK,
    EPI_N_E,
    EPI_N_O,
    EPI_RS,
    EPI_SH,
    EPI_Z,
    MR,
    NR,
    tile_reference,
    tile_vnni_reference,
)

LANES = 16      # columns per step of the vector output pipeline on a block of C (two vectors of 8 on AVX2)
# With AVX-512 (32 vector registers) the finishing and GEMM tiles span WIDE panels (64 columns) in
# 16-lane vectors: MR × WIDE = 16 accumulators, enough to hide the 5-cycle latency of the fused
# multiply-add (vpdpwssd or vpdpbusd) that each one waits on; 8 ymm accumulators (the 4×16 tile) keep
# a core busy 4 cycles in 5 at most. Measured here (a Xeon with AVX-512): the 4×64 tile takes 27-34% less
# time for the whole forward than the 4×16. AVX2 has 16 registers, and the 4×16 tile stays.
WIDE, WIDE_LANES = (4, 16) if cpu.has_avx512() and cpu.has_avx512bw() else (1, 8)
KC = 256        # k-pairs per pass: a B panel's slice, 16 columns × 512 k × 2 bytes = 16 KB, stays in L1
ROWS_PER_TASK = 64
ROWS_PER_STEP = 2    # rows that share one load of the row kernel's constants (_requant_rows_llvm)
REQUANT_ROWS = 16    # rows per strip of _requantize_strips, the unit the two threads share (8 to 64 measured alike)


# --- packing -------------------------------------------------------------------------------

@njit(cache=True, inline="always")
def _widen_rows(A, i0, i1, Kh):
    """Rows i0..i1 of A widened to int16, (⌈(i1−i0)/MR⌉·MR, 2·Kh): whole tiles, zero padding."""
    a = np.zeros((-(-(i1 - i0) // MR) * MR, 2 * Kh), dtype=np.int16)
    for r in range(i1 - i0):
        for k in range(A.shape[1]):
            a[r, k] = A[i0 + r, k]
    return a


@njit(cache=True, inline="always")
def _pack_panel(B, Bp, q):
    """Panel q of B (columns NR·q ... NR·q + 15) into Bp[q]: one int32 per (k-pair, column), see _pair."""
    K, N = B.shape
    for kk in range(K // 2):
        if NR * q + NR <= N:     # a whole panel: a fixed 16-wide loop (88 µs at 512², one loop 96–129)
            for c in range(NR):
                Bp[q, kk, c] = _pair(B[2 * kk, NR * q + c], B[2 * kk + 1, NR * q + c])
        else:
            for c in range(N - NR * q):
                Bp[q, kk, c] = _pair(B[2 * kk, NR * q + c], B[2 * kk + 1, NR * q + c])
    if K % 2 == 1:                                 # odd K: the last pair's second k is zero
        for c in range(min(NR, N - NR * q)):
            Bp[q, K // 2, c] = _pair(B[K - 1, NR * q + c], np.int8(0))


# Two drivers, as for the GEMM below: a parallel region costs more than packing a small B
# (measured here: 128² takes 7.7 µs on two threads, 3.7 on one; at 512² they are even).
PACK_SERIAL_BELOW = 512 * 512      # values of B


@njit(cache=True, parallel=True)
def _pack_b_parallel(B):
    Q, Kh = -(-B.shape[1] // NR), -(-B.shape[0] // 2)
    Bp = np.zeros((Q, Kh, NR), dtype=np.int32)
    for q in prange(Q):
        _pack_panel(B, Bp, q)
    return Bp.view(np.int16).reshape(Q, Kh, 2 * NR)


@njit(cache=True)
def _pack_b_serial(B):
    Q, Kh = -(-B.shape[1] // NR), -(-B.shape[0] // 2)
    Bp = np.zeros((Q, Kh, NR), dtype=np.int32)
    for q in range(Q):
        _pack_panel(B, Bp, q)
    return Bp.view(np.int16).reshape(Q, Kh, 2 * NR)


@njit(cache=True, inline="always")
def _pair(lo, hi):
    """Two int16 in one int32, the first in the low half: in memory (little-endian, which
    every platform Numba supports) that is lo, hi, the order the tile reads."""
    return np.int32((np.int32(lo) & 0xFFFF) | (np.int32(hi) << 16))


def pack_b(B: np.ndarray) -> np.ndarray:
    """B (K, N) int8 in the tile's order, :func:`pack_b_reference`'s layout. Done once for weights."""
    B = np.ascontiguousarray(B)
    return (_pack_b_serial if B.size < PACK_SERIAL_BELOW else _pack_b_parallel)(B)


# --- the register tile ---------------------------------------------------------------------
#
# Four tiles share the code below (Python run at compile time, building LLVM IR; none of it is
# a jitted helper): pairs (vpmaddwd) or quads (vpdpbusd), and, after the k loop, either a store
# of the int32 tile into C or the output pipeline on the registers and a store of int8 codes.

def _check_arrays(name, *specs):
    for arg, arr, dtype, ndim in specs:
        if not (isinstance(arr, types.Array) and arr.dtype == dtype and arr.ndim == ndim and arr.layout == "C"):
            raise TypingError(f"{name} needs {arg} as a C-contiguous {ndim}-D {dtype} array, got {arr}")


def _tile_frame(context, builder, tys, vals, pr, q, k0, k1, k_step: int, panels: int, lanes: int) -> dict:
    """Pointers to the tile's rows of A and to panels q..q+panels−1 of B at step k0 (``k_step`` k per
    step: 2 for pairs, 4 for quads), and the accumulators: MR × (panels·NR / lanes) stack slots of
    <lanes x i32>, which LLVM promotes to registers (4×2 of 8 lanes, or 4×4 of 16 with AVX-512).
    A's row r is read one step (two int16, or four bytes) at a time, as one int32."""
    from llvmlite import ir
    aa, bp = (context.make_array(t)(context, builder, v) for t, v in zip(tys, vals))
    intp = context.get_value_type(types.intp)

    def const(v):
        return ir.Constant(intp, v)

    Kx = cgutils.unpack_tuple(builder, bp.shape, 3)[1]
    lda = cgutils.unpack_tuple(builder, aa.shape, 2)[1]
    a_row = [builder.bitcast(builder.gep(aa.data, [builder.add(builder.mul(builder.add(pr, const(r)), lda),
                                                               builder.mul(k0, const(k_step)))]),
                             ir.IntType(32).as_pointer()) for r in range(MR)]
    b_at = [builder.gep(bp.data, [builder.mul(builder.add(builder.mul(builder.add(q, const(p)), Kx), k0),
                                              const(k_step * NR))]) for p in range(panels)]
    acc = [[cgutils.alloca_once(builder, ir.VectorType(ir.IntType(32), lanes)) for _ in range(panels * NR // lanes)]
           for _ in range(MR)]
    return {"const": const, "q": q, "k0": k0, "k1": k1, "a_row": a_row, "b_at": b_at, "acc": acc, "lanes": lanes}


def _cell(context, builder, ty, val, row, col, lanes: int, bits: int):
    """A pointer to <lanes x i{bits}> at ty[row, col] of a C-contiguous 2-D array."""
    from llvmlite import ir
    arr = context.make_array(ty)(context, builder, val)
    ld = cgutils.unpack_tuple(builder, arr.shape, 2)[1]
    at = builder.gep(arr.data, [builder.add(builder.mul(row, ld), col)])
    return builder.bitcast(at, ir.VectorType(ir.IntType(bits), lanes).as_pointer())


def _splat(builder, value, lanes: int):
    """One int32 in all lanes of a vector."""
    from llvmlite import ir
    vec = ir.VectorType(ir.IntType(32), lanes)
    return builder.shuffle_vector(builder.insert_element(ir.Constant(vec, ir.Undefined), value,
                                                         ir.Constant(ir.IntType(32), 0)),
                                  ir.Constant(vec, ir.Undefined), ir.Constant(vec, None))


def _pairs_loop(builder, f) -> None:
    """acc[r][v] += Σ_kk a[r, 2kk:2kk+2]·B[2kk:2kk+2, columns of vector v] over the pass, with ``vpmaddwd``."""
    from llvmlite import ir
    n = f["lanes"]
    i16, i32 = ir.IntType(16), ir.IntType(32)
    vn32, vn16, v2n32 = ir.VectorType(i32, n), ir.VectorType(i16, 2 * n), ir.VectorType(i32, 2 * n)
    const, acc = f["const"], f["acc"]
    even = ir.Constant(vn32, list(range(0, 2 * n, 2)))
    odd = ir.Constant(vn32, list(range(1, 2 * n, 2)))

    def pair_madd(x, y):
        # 2n int16 × 2n int16 → n int32 sums of neighbouring products; this exact
        # pattern (sext, mul, even lanes + odd lanes) is what x86 selects as vpmaddwd.
        # With int8 values each product is at most 2^14 and a pair 2^15, far inside int32.
        prod = builder.mul(builder.sext(x, v2n32), builder.sext(y, v2n32))
        return builder.add(builder.shuffle_vector(prod, prod, even), builder.shuffle_vector(prod, prod, odd))

    with cgutils.for_range(builder, builder.sub(f["k1"], f["k0"])) as loop:
        kk = loop.index
        b = [builder.load(builder.bitcast(builder.gep(b_at, [builder.add(builder.mul(kk, const(2 * NR)),
                                                                         const(2 * n * v))]),
                                          vn16.as_pointer()), align=2)
             for b_at in f["b_at"] for v in range(NR // n)]
        for r in range(MR):
            # A's pair (a[2kk], a[2kk+1]) read as one int32 and copied to every lane:
            # as int16 that is a[2kk], a[2kk+1], a[2kk], a[2kk+1], ...
            a = builder.bitcast(_splat(builder, builder.load(builder.gep(f["a_row"][r], [kk]), align=4), n), vn16)
            for v in range(len(b)):
                # subtle: int32 adds wrap in LLVM as in C; the check on K in gemm.py
                # (K·128·128 ≤ 2^31 − 1) is what keeps every partial sum in range.
                builder.store(builder.add(builder.load(acc[r][v]), pair_madd(a, b[v])), acc[r][v])


def _acc_columns(builder, f):
    """The first column of each accumulator vector: NR·q + lanes·v."""
    const, n = f["const"], f["lanes"]
    return [builder.add(builder.mul(f["q"], const(NR)), const(n * v)) for v in range(len(f["acc"][0]))]


def _acc_from_c(context, builder, f, c_ty, c_val, ci):
    """The tile's vectors of C; the accumulators start at 0 on the first pass over k, at C after it."""
    from llvmlite import ir
    const, n = f["const"], f["lanes"]
    ci = context.cast(builder, ci, types.intp, types.intp)
    c_vec = [[_cell(context, builder, c_ty, c_val, builder.add(ci, const(r)), col, n, 32)
              for col in _acc_columns(builder, f)] for r in range(MR)]
    first = builder.icmp_signed("==", f["k0"], const(0))
    zero = ir.Constant(ir.VectorType(ir.IntType(32), n), None)
    for r in range(MR):
        for v, cell in enumerate(c_vec[r]):
            builder.store(builder.select(first, zero, builder.load(cell, align=4)), f["acc"][r][v])
    return c_vec


def _acc_to_c(builder, f, c_vec) -> None:
    """The accumulators back into C, once, after the k loop."""
    for r in range(MR):
        for v, cell in enumerate(c_vec[r]):
            builder.store(builder.load(f["acc"][r][v]), cell, align=4)


def _acc_from_bias(context, builder, f, epi_ty, epi_val) -> None:
    """The accumulators start at the bias (epi's first row), so the epilogue has one add fewer."""
    for v, col in enumerate(_acc_columns(builder, f)):
        bias = _epi_param(context, builder, epi_ty, epi_val, col, f["lanes"])(EPI_BIAS)
        for r in range(MR):
            builder.store(bias, f["acc"][r][v])


def _literal_flag(name, flag) -> bool:
    """A True/False written in the calling kernel: it selects code at compile time, not at run time."""
    if not isinstance(flag, types.BooleanLiteral):
        raise TypingError(f"{name} needs its last argument as a literal True or False, got {flag}")
    return flag.literal_value


def _gemm_tile(panels: int, lanes: int, quads: bool):
    """The tile that adds A·B into C (passes over k), on ``panels`` panels of B in <lanes x i32> vectors,
    with pairs (vpmaddwd) or quads (vpdpbusd)."""
    name, a_type, b_type, step = ("_tile_vnni", types.uint8, types.int8, 4) if quads else ("_tile", types.int16,
                                                                                           types.int16, 2)

    def tile(typingctx, a, Bp, C, pr, q, ci, k0, k1):
        _check_arrays(name, ("a", a, a_type, 2), ("Bp", Bp, b_type, 3), ("C", C, types.int32, 2))

        def codegen(context, builder, signature, args):
            a_, b_, c_, pr_, q_, ci_, k0_, k1_ = args
            f = _tile_frame(context, builder, signature.args[:2], (a_, b_), pr_, q_, k0_, k1_, step, panels, lanes)
            c_vec = _acc_from_c(context, builder, f, signature.args[2], c_, ci_)
            (_quads_loop if quads else _pairs_loop)(builder, f)
            _acc_to_c(builder, f, c_vec)
            return context.get_dummy_value()

        return types.void(a, Bp, C, types.intp, types.intp, types.intp, types.intp, types.intp), codegen
    tile.__name__ = tile.__qualname__ = f"{name}_{panels}x{lanes}"        # one name per tile in messages and IR
    tile.__doc__ = (f"C[ci+r, NR·q+c] (+)= Σ_{{k0 ≤ k < k1}} a[pr+r, ...]·B[..., NR·q+c] for c < {panels}·NR, "
                    f"'=' when k0 == 0 ({'quads, vpdpbusd' if quads else 'pairs, vpmaddwd'}).")
    return intrinsic(tile)


def _finishing_tile(panels: int, lanes: int, quads: bool):
    """The tile that finishes in registers: out[oi+r, NR·q+c] = the output pipeline of bias + Σ over the whole
    k range in one pass, for c < panels·NR; multiplier, zero point and clamp on the registers.
    ``saturate`` (a literal): whether any column has M ≥ 1 and so a saturating left shift."""
    name, a_type, b_type, step = ("_tile_vnni_out", types.uint8, types.int8, 4) if quads else \
        ("_tile_out", types.int16, types.int16, 2)

    def tile(typingctx, a, Bp, epi, out, pr, q, oi, k1, saturate):
        _check_arrays(name, ("a", a, a_type, 2), ("Bp", Bp, b_type, 3), ("epi", epi, types.int32, 2),
                      ("out", out, types.int8, 2))
        shifts = _literal_flag(name, saturate)

        def codegen(context, builder, signature, args):
            a_, b_, epi_, out_, pr_, q_, oi_, k1_, _ = args
            f = _tile_frame(context, builder, signature.args[:2], (a_, b_), pr_, q_, _zero(context), k1_, step,
                            panels, lanes)
            _acc_from_bias(context, builder, f, signature.args[2], epi_)
            (_quads_loop if quads else _pairs_loop)(builder, f)
            _acc_to_codes(context, builder, f, signature.args[2:4], (epi_, out_), oi_, shifts)
            return context.get_dummy_value()

        return types.void(a, Bp, epi, out, types.intp, types.intp, types.intp, types.intp, saturate), codegen
    tile.__name__ = tile.__qualname__ = f"{name}_{panels}x{lanes}"
    tile.__doc__ = _finishing_tile.__doc__
    return intrinsic(tile)


_tile_llvm = _gemm_tile(1, 8, quads=False)                 # the 4×16 tiles, on every processor
_tile_out_llvm = _finishing_tile(1, 8, quads=False)
_tile_wide_llvm = _gemm_tile(WIDE, WIDE_LANES, quads=False)     # 4×64 with AVX-512, else the same 4×16
_tile_out_wide_llvm = _finishing_tile(WIDE, WIDE_LANES, quads=False)


def _zero(context):
    from llvmlite import ir
    return ir.Constant(context.get_value_type(types.intp), 0)


def _tile_wide_twin(a, Bp, C, pr, q, ci, k0, k1, tile=tile_reference, panels=None):
    for p in range(WIDE if panels is None else panels):
        tile(a, Bp, C, pr, q + p, ci, k0, k1)


# Under NUMBA_DISABLE_JIT=1 the drivers below run as Python and cannot call LLVM IR.
_tile = tile_reference if config.DISABLE_JIT else _tile_llvm
_tile_wide = _tile_wide_twin if config.DISABLE_JIT else _tile_wide_llvm


# --- drivers: strips of rows, passes over k, panels of B ------------------------------------

@njit(cache=True, inline="always")
def _strip(A, Bp, C, i0, i1):
    """C[i0:i1] = A[i0:i1]·B: the strip's rows widened (64 rows × 512 k = 64 KB, in L2),
    then, pass by pass over k, every B panel slice (16 KB, in L1; 64 KB for the wide tile's four
    panels, which half-size passes did not measurably speed up here) meets every 4 rows."""
    Kh = Bp.shape[1]
    a = _widen_rows(A, i0, i1, Kh)
    wide = Bp.shape[0] // WIDE * WIDE                   # panels the wide tile takes; the 4×16 one the rest
    for k0 in range(0, Kh, KC):
        k1 = min(Kh, k0 + KC)
        for q in range(0, wide, WIDE):
            for pr in range(0, a.shape[0], MR):
                _tile_wide(a, Bp, C, pr, q, i0 + pr, k0, k1)
        for q in range(wide, Bp.shape[0]):
            for pr in range(0, a.shape[0], MR):
                _tile(a, Bp, C, pr, q, i0 + pr, k0, k1)


# subtle: the parallel and serial drivers are two functions on purpose. Built from one
# closure they shared a qualified name, and Numba's cache (cache=True) handed the serial
# machine code to the parallel kernel. _strip is inlined into both in Numba's IR.

@njit(cache=True, parallel=True)
def _gemm_parallel(A, Bp, rows):
    M, Kh = A.shape[0], Bp.shape[1]
    shape = (-(-M // MR) * MR, Bp.shape[0] * NR)
    C = np.zeros(shape, dtype=np.int32) if Kh == 0 else np.empty(shape, dtype=np.int32)
    for t in prange(-(-M // rows)):                      # strips of rows split between threads
        _strip(A, Bp, C, t * rows, min(M, t * rows + rows))
    return C


@njit(cache=True)
def _gemm_serial(A, Bp, rows):
    M, Kh = A.shape[0], Bp.shape[1]
    shape = (-(-M // MR) * MR, Bp.shape[0] * NR)
    C = np.zeros(shape, dtype=np.int32) if Kh == 0 else np.empty(shape, dtype=np.int32)
    for t in range(-(-M // rows)):
        _strip(A, Bp, C, t * rows, min(M, t * rows + rows))
    return C


def gemm_packed(A: np.ndarray, Bp: np.ndarray, n: int, parallel: bool = True) -> np.ndarray:
    """C = A·B (M, n) int32 with B given as ``pack_b(B)``; A int8, checked by the caller."""
    from numba import get_num_threads
    M = A.shape[0]
    if A.shape[1] > 2 * Bp.shape[1] or Bp.shape[0] * NR < n:     # the drivers do not check bounds
        raise ValueError(f"gemm_packed: A {A.shape} does not fit panels {Bp.shape} for {n} columns")
    # Strips of at most 64 rows, but at least two per thread when M is small, so both
    # cores get work for a batch of 64 too; whole tiles, so a multiple of MR.
    rows = max(MR, min(ROWS_PER_TASK, -(-M // (2 * get_num_threads()))))
    rows = -(-rows // MR) * MR
    C = (_gemm_parallel if parallel else _gemm_serial)(np.ascontiguousarray(A), Bp, rows)
    if C.shape == (M, n):
        return C
    return np.ascontiguousarray(C[:M, :n])        # the tiles' zero padding, cut off


# --- the output pipeline: bias, requantization, zero point, clamp ------------------------------
#
#     y[i, j] = clamp(z + rrs(srdhm(sat(sat(acc[i, j] + bias[j]) << ls_j), M0_j), rs_j), lo, hi)
#
# gemmlowp's "output stages". In the fused layer they run on the tile's accumulators while
# these are still in registers (``_tile_out_llvm``), so the int32 tile is never stored; where a
# tile cannot finish in one pass (K over 2·KC, or a tile at the ragged edge of the output) they
# run on a strip's block of C right after its GEMM, LANES columns at a time (``_requant_vec_llvm``).
# The readable twins of each step are in requant.py (srdhm_reference,
# saturating_left_shift_reference, rounding_right_shift_reference) and the constants come from
# twins.epilogue_params; the tests compare everything bit for bit.
#
# subtle (Numba): this code lives here, not in requant.py, because the fused kernel
# is cached (cache=True) and a cached kernel that calls a jitted helper from another
# module keeps serving the helper's old code after that module changes.

def _requant_ir(builder, acc, param, biased: bool = False, saturate: bool = True):
    """<n x i32> accumulators → <n x i8> codes, in LLVM IR; ``param(row)`` loads that row of epi for
    the vector's n columns (the first of them even). ``_output_cols`` computes the same codes with
    gemmlowp's steps; this is the folded form of ``twins.epilogue_params``, with no branch:
    ``_rounded_ir`` gives y, then + z, a saturating narrowing to int8 (one ``vpmovsdb`` on
    AVX-512) and the clamp to [lo, hi] on the 16-byte result finish the codes."""
    return _codes_ir(builder, _rounded_ir(builder, acc, param, biased, saturate), param)


def _codes_ir(builder, y, param):
    """<n x i32> y (rounded, before the zero point) → <n x i8> codes: + z, the saturating narrowing
    and the clamp to [lo, hi], from epi's rows."""
    from llvmlite import ir
    lanes = y.type.count
    v8 = ir.VectorType(ir.IntType(8), lanes)

    def c32(v):
        return ir.Constant(y.type, [v] * lanes)

    y = builder.add(y, param(EPI_Z))
    y = builder.select(builder.icmp_signed("<", y, c32(-128)), c32(-128), y)
    y = builder.select(builder.icmp_signed(">", y, c32(127)), c32(127), y)
    codes = builder.trunc(y, v8)
    lo, hi = builder.trunc(param(EPI_CLO), v8), builder.trunc(param(EPI_CHI), v8)
    codes = builder.select(builder.icmp_signed("<", codes, lo), lo, codes)
    return builder.select(builder.icmp_signed(">", codes, hi), hi, codes)


def _rounded_ir(builder, acc, param, biased: bool, saturate: bool):
    """<n x i32> accumulators → <n x i32> y = rrs(srdhm(x, M0), rs), the zero point not yet added:

    * + bias (left out when ``biased``: a finishing tile starts its sums at the bias, and
      ``requantize`` has none): a plain int32 add, exact because ``prepare_layer`` bounds
      |acc + bias| below 2^31 (the VNNI tile's raw sum may leave int32 before its corrected bias
      brings it back: int32 adds wrap modulo 2^32, and the true sum fits, so the wrapped one is it);
    * the saturating left shift (M ≥ 1, or rs = 0 doubled): y = x << ls is exact iff (y >> ls) == x,
      and otherwise x's sign chooses INT32_MIN or INT32_MAX, which is (x >> 31) ^ INT32_MAX (left
      out, at compile time, when no column shifts left: ``saturate=False``);
    * u = x·M0 + N − 2^31·[x < 0] in signed 64 bits, for the even and the odd columns apart: x and
      M0 are int32, so each product is one ``vpmuldq`` (int32 × int32 → int64, it reads the low
      half of each 64-bit lane: the odd columns are moved there first; loading them one column
      later instead was slower, as every such 64-byte load straddles two cache lines). Without a
      left shift no column is doubled, every column has the tie rule, and 2^31 is a constant.
      With AVX-512 the odd columns come down with an arithmetic shift, sign-extended, and their
      N − 2^31·[x < 0] is N ^ (x & D) (``epilogue_params``): one ``vpternlogq`` for an and and a
      subtract, so 16 codes take 10 vector instructions to here instead of 11;
    * the high halves of the even and the odd sums, interleaved back into column order (one
      ``vpermt2d`` on AVX-512), are floor(u / 2^32); one arithmetic shift by rs − 1 per column
      (``vpsravd``, which AVX2 has too) gives y = floor(u / 2^(31+rs)).
    """
    from llvmlite import ir
    lanes, half = acc.type.count, acc.type.count // 2
    v64 = ir.VectorType(ir.IntType(64), half)

    def c32(v):
        return ir.Constant(acc.type, [v] * lanes)

    def c64(v):
        return ir.Constant(v64, [v] * half)

    def pairs(row):                                  # a "pairs" row of epi as int64 lanes
        return builder.bitcast(param(row), v64)

    def low_int32(v):                                # the signed low half of each lane (vpmuldq's operand)
        return builder.ashr(builder.shl(v, c64(32)), c64(32))

    x = acc if biased else builder.add(acc, param(EPI_BIAS))
    if saturate:
        ls = param(EPI_LSV)
        y = builder.shl(x, ls)
        exact = builder.icmp_signed("==", builder.ashr(y, ls), x)
        x = builder.select(exact, y, builder.xor(builder.ashr(x, c32(31)), c32(2 ** 31 - 1)))
    x_even = builder.bitcast(x, v64)
    # AVX-512 shifts 64-bit lanes arithmetically (vpsraq, where AVX2 has only the logical vpsrlq):
    # the odd columns then come down sign-extended, and their tie rule is one vpternlogq
    sign_extended = cpu.has_avx512()
    x_odd = (builder.ashr if sign_extended else builder.lshr)(x_even, c64(32))
    sums = []
    for xs, m0, n_row, tie in ((x_even, pairs(EPI_M0), EPI_N_E, EPI_C_E), (x_odd, pairs(EPI_M0_O), EPI_N_O, EPI_C_O)):
        product = builder.mul(low_int32(xs), low_int32(m0))
        if xs is x_odd and sign_extended:                                    # N − 2^31·[x < 0] = N ^ (x & D)
            sums.append(builder.add(product, builder.xor(pairs(n_row), builder.and_(xs, pairs(EPI_D_O)))))
            continue
        sign = builder.and_(xs, pairs(tie) if saturate else c64(2 ** 31))    # 2^31·[x < 0]
        sums.append(builder.sub(builder.add(product, pairs(n_row)), sign))
    high = [2 * (i // 2) + 1 + (lanes if i % 2 else 0) for i in range(lanes)]   # 1, 17, 3, 19, ... for 16 lanes
    u_high = builder.shuffle_vector(builder.bitcast(sums[0], acc.type), builder.bitcast(sums[1], acc.type),
                                    ir.Constant(ir.VectorType(ir.IntType(32), lanes), high))
    return builder.ashr(u_high, param(EPI_SH))


def _epi_param(context, builder, epi_ty, epi_val, col, lanes: int = 8):
    """``param(row)`` for _requant_ir: epi[row, col:col+lanes] as <lanes x i32>, loaded at its first use
    and reused after (LLVM cannot merge the loads itself: to it, the stores of codes between them
    might change epi)."""
    from llvmlite import ir
    intp = context.get_value_type(types.intp)
    loaded = {}

    def param(row):
        if row not in loaded:
            loaded[row] = builder.load(_cell(context, builder, epi_ty, epi_val, ir.Constant(intp, row), col, lanes,
                                             32), align=4)
        return loaded[row]
    return param


def _acc_to_codes(context, builder, f, tys, vals, oi, saturate: bool) -> None:
    """out[oi+r, the accumulator's columns] = the output pipeline of the accumulators, straight from registers."""
    const, n = f["const"], f["lanes"]
    for v, col in enumerate(_acc_columns(builder, f)):
        param = _epi_param(context, builder, tys[0], vals[0], col, n)
        for r in range(MR):
            codes = _requant_ir(builder, builder.load(f["acc"][r][v]), param, biased=True, saturate=saturate)
            builder.store(codes, _cell(context, builder, tys[1], vals[1], builder.add(oi, const(r)), col, n, 8),
                          align=1)


@intrinsic
def _requant_vec_llvm(typingctx, C, r, c, epi, out, o, saturate):
    """out[o, c:c+LANES] = the output pipeline of C[r, c:c+LANES], vectorised (``saturate`` as in _tile_out_llvm;
    c even: epi's "pairs" rows hold an even column and the odd one after it).
    16 lanes, not the tile's 8: two independent vectors per step keep more of the core busy (0.19 → 0.15 ms on
    4096×256 here, when ``requantize`` still went row by row); on AVX2 LLVM splits them into two 8-lane halves.
    Layers use it on the ragged edges that go through a block of C."""
    _check_arrays("_requant_vec", ("C", C, types.int32, 2), ("epi", epi, types.int32, 2), ("out", out, types.int8, 2))
    shifts = _literal_flag("_requant_vec", saturate)

    def codegen(context, builder, signature, args):
        c_, r_, col, epi_, out_, o_, _ = args
        acc = builder.load(_cell(context, builder, signature.args[0], c_, r_, col, LANES, 32), align=4)
        codes = _requant_ir(builder, acc, _epi_param(context, builder, signature.args[3], epi_, col, LANES),
                            saturate=shifts)
        builder.store(codes, _cell(context, builder, signature.args[4], out_, o_, col, LANES, 8), align=1)
        return context.get_dummy_value()

    return types.void(C, types.intp, types.intp, epi, out, types.intp, saturate), codegen


@intrinsic
def _requant_block_llvm(typingctx, C, r0, r1, c, epi, out, saturate):
    """out[r, c:c+LANES] = the output pipeline of C[r, c:c+LANES] for r0 ≤ r < r1 (c even), without the
    bias add (``_requantize_rows``). The block's constants are loaded once, before the loop over rows,
    so they stay in registers: 12 zmm registers on AVX-512, spilled in part on AVX2's 16 ymm."""
    _check_arrays("_requant_block", ("C", C, types.int32, 2), ("epi", epi, types.int32, 2),
                  ("out", out, types.int8, 2))
    shifts = _literal_flag("_requant_block", saturate)

    def codegen(context, builder, signature, args):
        from llvmlite import ir
        c_, r0_, r1_, col, epi_, out_, _ = args
        intp = context.get_value_type(types.intp)
        param = _epi_param(context, builder, signature.args[4], epi_, col, LANES)
        for row in (EPI_M0, EPI_M0_O, EPI_N_E, EPI_N_O, EPI_D_O, EPI_SH, EPI_Z, EPI_CLO, EPI_CHI) + \
                ((EPI_LSV, EPI_C_E, EPI_C_O) if shifts else ()):
            param(row)                               # loaded here, before the loop: the loop reuses them
        with cgutils.for_range_slice(builder, r0_, r1_, ir.Constant(intp, 1)) as (r, _):
            acc = builder.load(_cell(context, builder, signature.args[0], c_, r, col, LANES, 32), align=4)
            codes = _requant_ir(builder, acc, param, biased=True, saturate=shifts)
            builder.store(codes, _cell(context, builder, signature.args[5], out_, r, col, LANES, 8), align=1)
        return context.get_dummy_value()

    return types.void(C, types.intp, types.intp, types.intp, epi, out, saturate), codegen


@intrinsic
def _requant_rows_llvm(typingctx, C, r0, r1, c0, groups, epi, bounds, z, out, offset, clamp):
    """out[r, c0 : c0 + 64·groups] = the output pipeline of C[r, same] for r0 ≤ r < r1, row by row and
    64 columns (four vectors of 16) per step (c0 even), for ``_requantize_rows``: no bias, no column
    shifting left (the tie rule is a constant), one zero point ``z`` for every column, and the
    clamp's bytes in ``bounds`` (2, ·) int8, column for column with epi. ``offset`` and ``clamp``
    (literals) leave out the + z and the clamp when z = 0 and [lo, hi] = [−128, 127].

    Why 64 at a time: with AVX-512BW two ``vpackssdw`` and one ``vpacksswb`` narrow the four
    vectors together (saturating, as gemmlowp clamps), z is added to the 16-bit middle stage
    (``vpaddsw``: |z| ≤ 128, so a saturated int16 stays saturated), one ``vpermd`` puts the
    64 bytes back in column order, and the clamp is two byte instructions for 64 codes: at most 8
    vector instructions where four adds of z, four ``vpmovsdb`` and their clamps took 16. With AVX2
    alone the same on 32-byte vectors, 32 codes from 4 to 8 instructions: in A/B runs compiled for
    AVX2, 25% faster than narrowing each vector on its own. Elsewhere each vector is finished on its
    own by ``_codes_ir`` (the flags then change nothing), to the same codes.

    Why row by row: the rows stream through memory in order, and the constants come from L1 as
    memory operands, which the load ports supply while the vector units are busy; ROWS_PER_STEP
    rows share each load. Measured against the column-block order (constants held in registers)
    on 4096×256 here, it was faster. Rows a step, in A/B runs of one process: 2 rows against 1, up
    to 8% faster (15 to 40% while the constants' loads were misaligned); against 4, 2 to 9% faster,
    and 12 to 17% with z and a clamp, whose constants take registers too: 4 rows hold more
    constants than the 32 vector registers can."""
    _check_arrays("_requant_rows", ("C", C, types.int32, 2), ("epi", epi, types.int32, 2),
                  ("bounds", bounds, types.int8, 2), ("out", out, types.int8, 2))
    with_z, with_clamp = _literal_flag("_requant_rows", offset), _literal_flag("_requant_rows", clamp)
    packs, avx2 = cpu.has_avx512bw(), cpu.has_avx2()

    def codegen(context, builder, signature, args):
        from llvmlite import ir
        c_, r0_, r1_, c0_, g_, epi_, b_, z_, out_, _, _ = args
        intp = context.get_value_type(types.intp)
        i32, i16, i8 = ir.IntType(32), ir.IntType(16), ir.IntType(8)
        v16i32, v32i16, v64i8 = ir.VectorType(i32, 16), ir.VectorType(i16, 32), ir.VectorType(i8, 64)

        def intrinsic_fn(name, ret, *arg_types):
            return cgutils.get_or_insert_function(builder.module, ir.FunctionType(ret, arg_types), name)

        def splat(ty, value):
            return builder.shuffle_vector(builder.insert_element(ir.Constant(ty, ir.Undefined), value,
                                                                 ir.Constant(i32, 0)),
                                          ir.Constant(ty, ir.Undefined), ir.Constant(ir.VectorType(i32, ty.count),
                                                                                     [0] * ty.count))

        def clamp_bytes(codes, col, n=64):
            lo = builder.load(_cell(context, builder, signature.args[6], b_, ir.Constant(intp, 0), col, n, 8), align=1)
            hi = builder.load(_cell(context, builder, signature.args[6], b_, ir.Constant(intp, 1), col, n, 8), align=1)
            codes = builder.select(builder.icmp_signed("<", codes, lo), lo, codes)
            return builder.select(builder.icmp_signed(">", codes, hi), hi, codes)

        z16 = splat(v32i16, builder.trunc(z_, i16))
        order = ir.Constant(v16i32, [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15])
        z16_avx2 = splat(ir.VectorType(i16, 16), builder.trunc(z_, i16))
        order_avx2 = ir.Constant(ir.VectorType(i32, 8), [0, 4, 1, 5, 2, 6, 3, 7])

        def narrow_and_store(r, col, cols, params, ys):
            if packs:
                pdw = intrinsic_fn("llvm.x86.avx512.packssdw.512", v32i16, v16i32, v16i32)
                halves = [builder.call(pdw, [ys[0], ys[1]]), builder.call(pdw, [ys[2], ys[3]])]
                if with_z:
                    add = intrinsic_fn("llvm.sadd.sat.v32i16", v32i16, v32i16, v32i16)
                    halves = [builder.call(add, [h, z16]) for h in halves]
                codes = builder.call(intrinsic_fn("llvm.x86.avx512.packsswb.512", v64i8, v32i16, v32i16), halves)
                # each 16-byte lane now holds 4 codes of each vector: put them back in column order
                codes = builder.bitcast(builder.shuffle_vector(builder.bitcast(codes, v16i32),
                                                               ir.Constant(v16i32, ir.Undefined), order), v64i8)
                if with_clamp:
                    codes = clamp_bytes(codes, col)
                builder.store(codes, _cell(context, builder, signature.args[8], out_, r, col, 64, 8), align=1)
                return
            if avx2:
                # the same on 32-byte vectors: eight halves of 8 columns, two 32-code results
                v8i32, v16i16, v32i8 = ir.VectorType(i32, 8), ir.VectorType(i16, 16), ir.VectorType(i8, 32)
                pdw = intrinsic_fn("llvm.x86.avx2.packssdw", v16i16, v8i32, v8i32)
                pwb = intrinsic_fn("llvm.x86.avx2.packsswb", v32i8, v16i16, v16i16)
                h = [builder.shuffle_vector(y, ir.Constant(v16i32, ir.Undefined),
                                            ir.Constant(v8i32, list(range(o, o + 8)))) for y in ys for o in (0, 8)]
                for part in range(2):
                    words = [builder.call(pdw, h[4 * part + 2 * j: 4 * part + 2 * j + 2]) for j in range(2)]
                    if with_z:
                        add = intrinsic_fn("llvm.sadd.sat.v16i16", v16i16, v16i16, v16i16)
                        words = [builder.call(add, [w, z16_avx2]) for w in words]
                    codes = builder.call(pwb, words)
                    # each 16-byte lane holds 4 codes of each half: back in column order
                    codes = builder.bitcast(builder.shuffle_vector(builder.bitcast(codes, v8i32),
                                                                   ir.Constant(v8i32, ir.Undefined), order_avx2), v32i8)
                    at = builder.add(col, ir.Constant(intp, 32 * part))
                    if with_clamp:
                        codes = clamp_bytes(codes, at, 32)
                    builder.store(codes, _cell(context, builder, signature.args[8], out_, r, at, 32, 8), align=1)
                return
            for cb, param, y in zip(cols, params, ys):        # elsewhere: each vector as _requant_ir does
                builder.store(_codes_ir(builder, y, param), _cell(context, builder, signature.args[8], out_, r, cb,
                                                                  LANES, 8), align=1)

        def rows(start, stop, k):
            """rows start..stop, k at a time: each step's 64 columns of constants serve k rows."""
            with cgutils.for_range_slice(builder, start, stop, ir.Constant(intp, k)) as (first, _):
                with cgutils.for_range(builder, g_) as step:
                    col = builder.add(c0_, builder.mul(step.index, ir.Constant(intp, 64)))
                    cols = [builder.add(col, ir.Constant(intp, LANES * b)) for b in range(4)]
                    params = [_epi_param(context, builder, signature.args[5], epi_, cb, LANES) for cb in cols]
                    for i in range(k):
                        r = builder.add(first, ir.Constant(intp, i))
                        ys = [_rounded_ir(builder, builder.load(_cell(context, builder, signature.args[0], c_, r, cb,
                                                                      LANES, 32), align=4),
                                          param, biased=True, saturate=False) for cb, param in zip(cols, params)]
                        narrow_and_store(r, col, cols, params, ys)

        k = ir.Constant(intp, ROWS_PER_STEP)
        whole = builder.add(r0_, builder.mul(builder.sdiv(builder.sub(r1_, r0_), k), k))
        rows(r0_, whole, ROWS_PER_STEP)
        rows(whole, r1_, 1)
        return context.get_dummy_value()

    return types.void(C, types.intp, types.intp, types.intp, types.intp, epi, bounds, types.int64, out, offset,
                      clamp), codegen


@njit(cache=True, inline="always")
def _output_cols(C, r, c0, c1, epi, out, o):
    """out[o, c0:c1] = the output pipeline of C[r, c0:c1], one value at a time: the steps of
    ``_requant_ir`` in Numba's int64, each cast explicit (the product of two int32 needs 63 bits).
    The vector tail, and the twin of ``_requant_vec_llvm`` and of the epilogue of ``_tile_out_llvm``."""
    for c in range(c0, c1):
        x = np.int64(np.int32(C[r, c] + epi[EPI_BIAS, c]))  # |acc + bias| < 2^31 (prepare_layer); VNNI: wraps back
        x = min(max(x << np.int64(epi[EPI_LS, c]), np.int64(-2147483648)), np.int64(2147483647))  # M ≥ 1, saturating
        q = (x * np.int64(epi[EPI_M0, c]) + np.int64(1073741824)) >> 31                    # srdhm
        threshold = np.int64(epi[EPI_HALF, c]) + np.int64(q < 0)
        y = (q >> np.int64(epi[EPI_RS, c])) + np.int64((q & np.int64(epi[EPI_MASK, c])) > threshold)
        y = min(max(y, np.int64(epi[EPI_LO, c])), np.int64(epi[EPI_HI, c])) + np.int64(epi[EPI_Z, c])
        out[o, c] = np.int8(y)                              # within [lo, hi] ⊂ int8: the cast is exact


def _requant_vec_twin(C, r, c, epi, out, o, saturate):
    _output_cols(C, r, c, c + LANES, epi, out, o)


def _tile_out_twin(a, Bp, epi, out, pr, q, oi, k1, saturate, tile=tile_reference, panels=1):
    C = np.zeros((pr + MR, Bp.shape[0] * NR), np.int32)
    for p in range(panels):
        tile(a, Bp, C, pr, q + p, pr, 0, k1)
    for r in range(MR):
        _output_cols(C, pr + r, NR * q, NR * (q + panels), epi, out, oi + r)


def _tile_out_wide_twin(a, Bp, epi, out, pr, q, oi, k1, saturate):
    _tile_out_twin(a, Bp, epi, out, pr, q, oi, k1, saturate, panels=WIDE)


def _requant_block_twin(C, r0, r1, c, epi, out, saturate):
    for r in range(r0, r1):
        _output_cols(C, r, c, c + LANES, epi, out, r)


def _requant_rows_twin(C, r0, r1, c0, groups, epi, bounds, z, out, offset, clamp):
    for r in range(r0, r1):
        _output_cols(C, r, c0, c0 + 64 * groups, epi, out, r)


_requant_vec = _requant_vec_twin if config.DISABLE_JIT else _requant_vec_llvm
_requant_block = _requant_block_twin if config.DISABLE_JIT else _requant_block_llvm
_requant_rows = _requant_rows_twin if config.DISABLE_JIT else _requant_rows_llvm
_tile_out = _tile_out_twin if config.DISABLE_JIT else _tile_out_llvm
_tile_out_wide = _tile_out_wide_twin if config.DISABLE_JIT else _tile_out_wide_llvm


@njit(cache=True, inline="always")
def _saturates(epi):
    """Whether the vector code shifts any column left (M ≥ 1, or rs = 0, see ``twins.epilogue_params``):
    the kernels then compile in the saturating shift."""
    most = 0
    for c in range(epi.shape[1]):
        most = max(most, epi[EPI_LSV, c])
    return most > 0


@njit(cache=True)
def _output_row(C, r, c0, c1, epi, out, o, saturate):
    """out[o, c0:c1] from C[r, c0:c1]: LANES columns per vector step, the rest one by one."""
    c = c0
    while c + LANES <= c1:
        if saturate:                                # the same for every row and column: predicted
            _requant_vec(C, r, c, epi, out, o, True)
        else:
            _requant_vec(C, r, c, epi, out, o, False)
        c += LANES
    _output_cols(C, r, c, c1, epi, out, o)


def _requantize_rows(acc, epi, out):
    """out = the output pipeline of acc (C-contiguous, as out), for ``requantize``: its accumulators
    have no bias, and the vector steps skip the add (the scalar tail adds epi's zero bias row).

    The 64-byte loads of acc are aligned. NumPy aligns large arrays to 16 bytes, so a row starts
    0, 4, 8 or 12 columns before a 64-byte boundary (a view may start anywhere); where that is an
    even number of columns and rows are a multiple of 16 columns (they then all start alike), the
    kernels run from that boundary on: "rows" that end in the first columns of the next real row, with epi's columns
    extended by its first 64 to match (an even shift keeps its pairs whole). Measured here on
    4096×256: 10 to 15% faster than loads that each straddle two cache lines."""
    if not (acc.flags.c_contiguous and out.flags.c_contiguous):
        raise ValueError("_requantize_rows needs C-contiguous acc and out: its kernels address them as one "
                         "run of memory")
    _requantize_strips(acc, epi, out)


_JIT = not config.DISABLE_JIT     # a constant to the kernel: without the JIT, rows cannot run into the next


@njit(cache=True)
def _aligned_head(address, B, C):
    """The column from which ``_requantize_strips`` reads each row of a (B, C) int32 accumulator
    at ``address``: the int32 count to the next 64-byte boundary, where it is even and every row
    starts alike (C a multiple of 16), else 0."""
    head = (64 - address % 64) % 64 // 4
    return head if _JIT and C % 16 == 0 and head % 2 == 0 and 0 < head < C and B >= 2 else 0


@njit(cache=True)
def _aligned_start(address, itemsize, first):
    """The offset, in items, from ``address`` (a multiple of ``itemsize``) of a view whose item
    ``first`` starts a 64-byte line: less than 64 / itemsize, so a buffer that many items longer
    holds the view."""
    return (64 - (address + itemsize * first) % 64) % 64 // itemsize


def empty_codes(acc: np.ndarray) -> np.ndarray:
    """An uninitialised int8 array of acc's shape for ``_requantize_rows`` to fill, placed so that
    its 64-byte stores are aligned as its 64-byte loads of acc are (where C is a multiple of 64):
    a view 64 bytes into a slightly larger buffer. Measured on 4096×256 here: 3% faster than an
    output whose every store straddles two cache lines."""
    B, C = acc.shape
    buf = np.empty(B * C + 64, np.int8)
    start = _aligned_start(buf.ctypes.data, 1, _aligned_head(acc.ctypes.data, B, C))
    return buf[start:start + B * C].reshape(B, C)


@njit(cache=True, parallel=True)
def _requantize_strips(acc, epi, out):
    """Strips of REQUANT_ROWS rows, split between threads, read from column ``head`` on (see
    ``_requantize_rows``; the two leftover pieces go one value at a time at the end). ``head`` is
    found here from acc's address, where that costs nothing (NumPy's ``ctypes`` took 1.7 µs a
    call). Without a left shift (the usual case) and with one zero point, 64 columns at a time row
    by row (``_requant_rows``); otherwise, and on the columns left over, column block by column
    block (``_requant_block``), whose constants stay in registers while the rows stream past; the
    last C mod 16 columns one value at a time."""
    saturate = _saturates(epi)
    B, C = acc.shape
    head = _aligned_head(acc.ctypes.data, B, C)
    z = epi[EPI_Z, 0] if C > 0 else 0
    offset, clamp, uniform = False, False, True
    # epi, then its first 64 columns again, placed so that column ``head`` starts a 64-byte line, as
    # acc's row does: misaligned, each 64-byte load of a constant straddles two lines (measured on
    # 4096×256: 10% slower, and 20-25% with z and a clamp, whose bytes ``bounds`` holds alike)
    R, W = epi.shape[0], C + 64
    flat = np.empty(R * W + 16, np.int32)
    start = _aligned_start(flat.ctypes.data, 4, head)
    wide = flat[start:start + R * W].reshape(R, W)
    for row in range(epi.shape[0]):
        for c in range(C):
            wide[row, c] = epi[row, c]
        src = 0                                              # c mod C, without a division per column
        for c in range(C, C + 64 if C > 0 else 0):
            wide[row, c] = epi[row, src]
            src = src + 1 if src + 1 < C else 0
    flat8 = np.empty(2 * W + 64, np.int8)
    start8 = _aligned_start(flat8.ctypes.data, 1, head)
    bounds = flat8[start8:start8 + 2 * W].reshape(2, W)
    for c in range(C + 64):
        bounds[0, c], bounds[1, c] = wide[EPI_CLO, c], wide[EPI_CHI, c]
    for c in range(C):
        offset |= epi[EPI_Z, c] != 0
        clamp |= epi[EPI_CLO, c] > -128 or epi[EPI_CHI, c] < 127
        uniform &= epi[EPI_Z, c] == z
    rows = B - 1 if head > 0 else B
    groups = C // 64 if uniform and not saturate else 0
    blocks_end = C // LANES * LANES
    for t in prange(-(-rows // REQUANT_ROWS)):
        r0, r1 = t * REQUANT_ROWS, min(rows, t * REQUANT_ROWS + REQUANT_ROWS)
        if groups > 0:
            # the literals select one of four compiled variants, at no cost per row
            if offset and clamp:
                _requant_rows(acc, r0, r1, head, groups, wide, bounds, np.int64(z), out, True, True)
            elif offset:
                _requant_rows(acc, r0, r1, head, groups, wide, bounds, np.int64(z), out, True, False)
            elif clamp:
                _requant_rows(acc, r0, r1, head, groups, wide, bounds, np.int64(z), out, False, True)
            else:
                _requant_rows(acc, r0, r1, head, groups, wide, bounds, np.int64(z), out, False, False)
        for c in range(64 * groups, blocks_end, LANES):
            if saturate:
                _requant_block(acc, r0, r1, head + c, wide, out, True)
            else:
                _requant_block(acc, r0, r1, head + c, wide, out, False)
        for r in range(r0, r1):
            _output_cols(acc, r, blocks_end, C, epi, out, r)      # none when head > 0: C is a multiple of 16
    if head > 0:
        _output_cols(acc, 0, 0, head, epi, out, 0)
        _output_cols(acc, B - 1, head, C, epi, out, B - 1)


@njit(cache=True)
def _layer_strip(A, Bp, epi, out, i0, i1, finish):
    """Rows i0..i1 of the layer. Where the k range fits one pass, every whole tile of 4 rows finishes in
    registers (``_tile_out_wide``, ``_tile_out``), the last panel too where it is cut off at the right
    edge (into a scratch block, then copied: epi is padded to whole panels); the rows left over at the
    bottom, and every tile when K is longer, go through a local int32 block of C and ``_output_row``.
    ``finish=False`` stops after the GEMM into C: the benchmark's way to time the GEMM alone."""
    Kh, n_out, rows, saturate, Q = Bp.shape[1], out.shape[1], i1 - i0, _saturates(epi), Bp.shape[0]
    a = _widen_rows(A, i0, i1, Kh)
    full_q, full_r = (n_out // NR, rows // MR * MR) if finish and Kh <= KC else (0, 0)
    wide = full_q // WIDE * WIDE
    for q in range(0, wide, WIDE):
        for pr in range(0, full_r, MR):
            if saturate:
                _tile_out_wide(a, Bp, epi, out, pr, q, i0 + pr, Kh, True)
            else:
                _tile_out_wide(a, Bp, epi, out, pr, q, i0 + pr, Kh, False)
    for q in range(wide, full_q):
        for pr in range(0, full_r, MR):
            if saturate:
                _tile_out(a, Bp, epi, out, pr, q, i0 + pr, Kh, True)
            else:
                _tile_out(a, Bp, epi, out, pr, q, i0 + pr, Kh, False)
    done_q = full_q                                     # panels finished in registers, for rows below full_r
    if full_q < Q and full_r > 0 and epi.shape[1] >= Q * NR:
        # the cut-off panel (the 10 logits of a classifier): 16 codes a row into scratch, the first few kept
        edge = np.empty((full_r, Q * NR), np.int8)
        for pr in range(0, full_r, MR):
            if saturate:
                _tile_out(a, Bp, epi, edge, pr, full_q, pr, Kh, True)
            else:
                _tile_out(a, Bp, epi, edge, pr, full_q, pr, Kh, False)
        for r in range(full_r):
            for c in range(full_q * NR, n_out):
                out[i0 + r, c] = edge[r, c]
        done_q = Q
    if done_q < Q or full_r < rows:
        C = np.zeros((a.shape[0], Q * NR), np.int32) if Kh == 0 else \
            np.empty((a.shape[0], Q * NR), np.int32)                            # k0 = 0 writes all it reads
        for k0 in range(0, Kh, KC):
            k1 = min(Kh, k0 + KC)
            for q in range(0, Q // WIDE * WIDE, WIDE):
                for pr in range(0, a.shape[0], MR):
                    if q + WIDE > done_q or pr >= full_r:                       # a panel not finished in registers
                        _tile_wide(a, Bp, C, pr, q, pr, k0, k1)
            for q in range(Q // WIDE * WIDE, Q):
                for pr in range(0, a.shape[0], MR):
                    if q >= done_q or pr >= full_r:
                        _tile(a, Bp, C, pr, q, pr, k0, k1)
        if finish:
            for r in range(rows):
                _output_row(C, r, min(done_q * NR, n_out) if r < full_r else 0, n_out, epi, out, i0 + r, saturate)


@njit(cache=True, parallel=True)
def _layer_parallel(A, Bp, epi, rows, out, finish):
    for t in prange(-(-A.shape[0] // rows)):             # strips of rows split between threads
        _layer_strip(A, Bp, epi, out, t * rows, min(A.shape[0], t * rows + rows), finish)


@njit(cache=True)
def _layer_serial(A, Bp, epi, rows, out, finish):
    for t in range(-(-A.shape[0] // rows)):
        _layer_strip(A, Bp, epi, out, t * rows, min(A.shape[0], t * rows + rows), finish)


# --- VNNI: four int8 products per lane and instruction, where the processor has it ----------------
#
# ``vpdpbusd`` (AVX512-VNNI with AVX512VL, or AVX-VNNI) multiplies 4 unsigned bytes by 4 signed
# bytes in each int32 lane and adds the 4 products to the lane: 32 multiply-adds per 256-bit
# instruction, twice ``vpmaddwd``'s 16. Its first factor is unsigned, so A's codes are shifted
# by +128 (x + 128 is in [0, 255]) and the shift is taken back exactly with a per-column constant
# computed offline:  Σ_k (x_k + 128)·w_kj = Σ_k x_k·w_kj + 128·Σ_k w_kj.  The fused layer folds
# −128·Σ_k w_kj into its bias, so the correction costs nothing at run time.
#
# The tiles below are the same 4×16 register tiles as above, reading k four at a time from B
# packed in quads (``twins.pack_b_quads``). They are compiled only on a processor that reports the
# feature (``cpu.vnni_available``, from the features LLVM detects for this host); elsewhere the
# portable tiles run, and with the JIT off the NumPy twin ``tile_vnni_reference`` does.
#
# subtle: every VNNI driver below (strip, layer, network) repeats its portable twin line for line
# with the VNNI tile. One driver for both cannot be written: a kernel that so much as names the
# VNNI tile compiles it, and on a processor without vpdpbusd LLVM cannot.

@njit(cache=True, inline="always")
def _shift_rows(A, i0, i1, Kq):
    """Rows i0..i1 of A as unsigned bytes x + 128, (⌈(i1−i0)/MR⌉·MR, 4·Kq): whole tiles, zero padding."""
    a = np.zeros((-(-(i1 - i0) // MR) * MR, 4 * Kq), dtype=np.uint8)
    for r in range(i1 - i0):
        for k in range(A.shape[1]):
            a[r, k] = np.uint8(np.int32(A[i0 + r, k]) + 128)      # int8 → [0, 255], exact
    return a


def _quads_loop(builder, f) -> None:
    """acc[r][v] += Σ_kq a[r, 4kq:4kq+4]·B[4kq:4kq+4, columns of vector v] over the pass, with ``vpdpbusd``."""
    from llvmlite import ir
    n = f["lanes"]
    vec = ir.VectorType(ir.IntType(32), n)
    # <n x i32> operands: the signature LLVM has always accepted (newer LLVM upgrades it to bytes)
    dp = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vec, [vec, vec, vec]),
                                        f"llvm.x86.avx512.vpdpbusd.{32 * n}")
    const, acc = f["const"], f["acc"]
    with cgutils.for_range(builder, builder.sub(f["k1"], f["k0"])) as loop:
        kk = loop.index
        b = [builder.load(builder.bitcast(builder.gep(b_at, [builder.add(builder.mul(kk, const(4 * NR)),
                                                                         const(4 * n * v))]),
                                          vec.as_pointer()), align=1)        # n columns × 4 k, unaligned
             for b_at in f["b_at"] for v in range(NR // n)]
        for r in range(MR):
            quad = _splat(builder, builder.load(builder.gep(f["a_row"][r], [kk]), align=1), n)   # 4 bytes of row r
            for v in range(len(b)):
                builder.store(builder.call(dp, [builder.load(acc[r][v]), quad, b[v]]), acc[r][v])


# The 512-bit vpdpbusd needs AVX512-VNNI itself; AVX-VNNI alone has only the 256-bit form.
WIDE_VNNI = WIDE if cpu.compiled_features().get("avx512vnni", False) else 1
_tile_vnni_llvm = _gemm_tile(1, 8, quads=True)
_tile_vnni_wide_llvm = _gemm_tile(WIDE_VNNI, WIDE_LANES if WIDE_VNNI > 1 else 8, quads=True)
_tile_vnni_out_llvm = _finishing_tile(1, 8, quads=True)
_tile_vnni_out_wide_llvm = _finishing_tile(WIDE_VNNI, WIDE_LANES if WIDE_VNNI > 1 else 8, quads=True)


def _tile_vnni_out_twin(a, Bq, epi, out, pr, q, oi, k1, saturate):
    _tile_out_twin(a, Bq, epi, out, pr, q, oi, k1, saturate, tile=tile_vnni_reference)


def _tile_vnni_wide_twin(a, Bq, C, pr, q, ci, k0, k1):
    _tile_wide_twin(a, Bq, C, pr, q, ci, k0, k1, tile=tile_vnni_reference, panels=WIDE_VNNI)


def _tile_vnni_out_wide_twin(a, Bq, epi, out, pr, q, oi, k1, saturate):
    _tile_out_twin(a, Bq, epi, out, pr, q, oi, k1, saturate, tile=tile_vnni_reference, panels=WIDE_VNNI)


_tile_vnni = tile_vnni_reference if config.DISABLE_JIT else _tile_vnni_llvm
_tile_vnni_out = _tile_vnni_out_twin if config.DISABLE_JIT else _tile_vnni_out_llvm
_tile_vnni_out_wide = _tile_vnni_out_wide_twin if config.DISABLE_JIT else _tile_vnni_out_wide_llvm
_tile_vnni_wide = _tile_vnni_wide_twin if config.DISABLE_JIT else _tile_vnni_wide_llvm


@njit(cache=True)
def _layer_strip_vnni(A, Bq, epi, out, i0, i1, finish):
    """``_layer_strip`` with the VNNI tiles: A as unsigned bytes, B in k-quads, epi's bias corrected."""
    Kq, n_out, rows, saturate, Q = Bq.shape[1], out.shape[1], i1 - i0, _saturates(epi), Bq.shape[0]
    a = _shift_rows(A, i0, i1, Kq)
    full_q, full_r = (n_out // NR, rows // MR * MR) if finish and Kq <= KC else (0, 0)
    wide = full_q // WIDE_VNNI * WIDE_VNNI
    for q in range(0, wide, WIDE_VNNI):
        for pr in range(0, full_r, MR):
            if saturate:
                _tile_vnni_out_wide(a, Bq, epi, out, pr, q, i0 + pr, Kq, True)
            else:
                _tile_vnni_out_wide(a, Bq, epi, out, pr, q, i0 + pr, Kq, False)
    for q in range(wide, full_q):
        for pr in range(0, full_r, MR):
            if saturate:
                _tile_vnni_out(a, Bq, epi, out, pr, q, i0 + pr, Kq, True)
            else:
                _tile_vnni_out(a, Bq, epi, out, pr, q, i0 + pr, Kq, False)
    done_q = full_q
    if full_q < Q and full_r > 0 and epi.shape[1] >= Q * NR:
        edge = np.empty((full_r, Q * NR), np.int8)
        for pr in range(0, full_r, MR):
            if saturate:
                _tile_vnni_out(a, Bq, epi, edge, pr, full_q, pr, Kq, True)
            else:
                _tile_vnni_out(a, Bq, epi, edge, pr, full_q, pr, Kq, False)
        for r in range(full_r):
            for c in range(full_q * NR, n_out):
                out[i0 + r, c] = edge[r, c]
        done_q = Q
    if done_q < Q or full_r < rows:
        C = np.zeros((a.shape[0], Q * NR), np.int32) if Kq == 0 else np.empty((a.shape[0], Q * NR), np.int32)
        for k0 in range(0, Kq, KC):
            k1 = min(Kq, k0 + KC)
            for q in range(0, Q // WIDE_VNNI * WIDE_VNNI, WIDE_VNNI):
                for pr in range(0, a.shape[0], MR):
                    if q + WIDE_VNNI > done_q or pr >= full_r:
                        _tile_vnni_wide(a, Bq, C, pr, q, pr, k0, k1)
            for q in range(Q // WIDE_VNNI * WIDE_VNNI, Q):
                for pr in range(0, a.shape[0], MR):
                    if q >= done_q or pr >= full_r:
                        _tile_vnni(a, Bq, C, pr, q, pr, k0, k1)
        if finish:
            for r in range(rows):
                _output_row(C, r, min(done_q * NR, n_out) if r < full_r else 0, n_out, epi, out, i0 + r, saturate)


@njit(cache=True, parallel=True)
def _layer_parallel_vnni(A, Bq, epi, rows, out, finish):
    for t in prange(-(-A.shape[0] // rows)):
        _layer_strip_vnni(A, Bq, epi, out, t * rows, min(A.shape[0], t * rows + rows), finish)


@njit(cache=True)
def _layer_serial_vnni(A, Bq, epi, rows, out, finish):
    for t in range(-(-A.shape[0] // rows)):
        _layer_strip_vnni(A, Bq, epi, out, t * rows, min(A.shape[0], t * rows + rows), finish)


# --- quantizing the input: real numbers become int8 codes ---------------------------------------
#
#     x_c = clamp(round_half_away(x / q) + z, qmin, qmax)
#
# The division is in float64, as in quant.quantize, so the codes are the same bit for bit.

@njit(cache=True, inline="always")
def _half_away_block(flat, i0, i1, q, z, qmin, qmax, out):
    """Per-tensor, ties away from zero, no data-dependent branch: the loop vectorizes. Returns how many
    values were not finite (their codes are garbage, and the caller refuses the input)."""
    # subtle (Numba): index slices from 0, not flat[i] for i in range(i0, i1). An index that might be
    # negative gets NumPy's wrap-around, and LLVM then loads with gathers and stores byte by byte:
    # 2.0 ns a value here, against 0.7 with the slices (where the float64 division sets the pace).
    src, dst = flat[i0:i1], out[i0:i1]
    bad = 0
    for j in range(src.shape[0]):
        s = np.float64(src[j]) / q
        t = np.trunc(s)
        d = s - t                                      # exact: the fraction bits of s, in (−1, 1)
        r = t + (1.0 if d >= 0.5 else (-1.0 if d <= -0.5 else 0.0)) + z   # selects, not branches
        bad += np.int64(not (abs(s) < np.inf))         # NaN, ±inf: counted, not branched on
        # exact: an integer in range. subtle: max(qmin, r), not max(r, qmin): for a NaN r, Python's max
        # keeps its first argument, so with the JIT off the store gets qmin instead of failing on NaN
        dst[j] = min(max(qmin, r), qmax)
    return bad


@njit(cache=True, parallel=True)
def _half_away_parallel(flat, q, z, qmin, qmax, out):
    n, parts = flat.shape[0], 8
    bad = np.zeros(parts, dtype=np.int64)           # one count per part: no shared reduction variable
    for p in prange(parts):
        bad[p] = _half_away_block(flat, p * n // parts, (p + 1) * n // parts, q, z, qmin, qmax, out)
    return bad.sum()


@njit(cache=True)
def _half_away_serial(flat, q, z, qmin, qmax, out):
    return _half_away_block(flat, 0, flat.shape[0], q, z, qmin, qmax, out)


# --- the whole network: every layer of a strip of rows, one parallel region -----------------------
#
# outs[l] holds layer l's codes for all rows; each strip first quantizes its rows of the float input
# X into x_c, then computes its own rows of every layer in turn, so a strip's activations (64 rows ×
# 256 codes = 16 KB) go from one layer to the next in cache, and a forward pass starts the threads once
# instead of once per layer. Thread p takes the rows bounds[p]..bounds[p+1] (equal shares, whole tiles),
# in strips of at most ``rows``. panels and epis are tuples, one entry per layer (Numba indexes a tuple
# of same-typed arrays with a loop variable). Each driver returns how many inputs were not finite.

@njit(cache=True)
def _network_rows(X, q, z, x_c, panels, epis, outs, lo, hi, rows):
    K, bad = X.shape[1], 0
    flat, codes = X.reshape(-1), x_c.reshape(-1)
    for i0 in range(lo, hi, rows):
        i1 = min(hi, i0 + rows)
        bad += _half_away_block(flat, i0 * K, i1 * K, q, z, -128.0, 127.0, codes)
        _layer_strip(x_c, panels[0], epis[0], outs[0], i0, i1, True)
        for ell in range(1, len(panels)):
            _layer_strip(outs[ell - 1], panels[ell], epis[ell], outs[ell], i0, i1, True)
    return bad


@njit(cache=True, parallel=True)
def _network_parallel(X, q, z, x_c, panels, epis, outs, bounds, rows):
    bad = np.zeros(bounds.shape[0] - 1, np.int64)        # one count per share: no shared reduction variable
    for p in prange(bounds.shape[0] - 1):
        bad[p] = _network_rows(X, q, z, x_c, panels, epis, outs, bounds[p], bounds[p + 1], rows)
    return bad.sum()


@njit(cache=True)
def _network_serial(X, q, z, x_c, panels, epis, outs, bounds, rows):
    return _network_rows(X, q, z, x_c, panels, epis, outs, bounds[0], bounds[-1], rows)


# The VNNI network drivers repeat the portable ones for the reason given at the VNNI section.

@njit(cache=True)
def _network_rows_vnni(X, q, z, x_c, quads, epis, outs, lo, hi, rows):
    K, bad = X.shape[1], 0
    flat, codes = X.reshape(-1), x_c.reshape(-1)
    for i0 in range(lo, hi, rows):
        i1 = min(hi, i0 + rows)
        bad += _half_away_block(flat, i0 * K, i1 * K, q, z, -128.0, 127.0, codes)
        _layer_strip_vnni(x_c, quads[0], epis[0], outs[0], i0, i1, True)
        for ell in range(1, len(quads)):
            _layer_strip_vnni(outs[ell - 1], quads[ell], epis[ell], outs[ell], i0, i1, True)
    return bad


@njit(cache=True, parallel=True)
def _network_parallel_vnni(X, q, z, x_c, quads, epis, outs, bounds, rows):
    bad = np.zeros(bounds.shape[0] - 1, np.int64)
    for p in prange(bounds.shape[0] - 1):
        bad[p] = _network_rows_vnni(X, q, z, x_c, quads, epis, outs, bounds[p], bounds[p + 1], rows)
    return bad.sum()


@njit(cache=True)
def _network_serial_vnni(X, q, z, x_c, quads, epis, outs, bounds, rows):
    return _network_rows_vnni(X, q, z, x_c, quads, epis, outs, bounds[0], bounds[-1], rows)
