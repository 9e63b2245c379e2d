"""Every Numba kernel against its readable twin, bit for bit (CI reruns this file with NUMBA_DISABLE_JIT=1)."""

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numba.core import config

from minicompress.kernels import microkernel, twins
from minicompress.kernels.gemm import (
    MAX_K,
    PackedB,
    gemm_int8,
    gemm_int8_naive,
    gemm_int8_prepared,
    gemm_int8_reference,
    prepare_b,
)
from minicompress.kernels.microkernel import pack_b
from minicompress.kernels.pack import pack, pack_reference, unpack, unpack_reference
from minicompress.kernels.quantize import quantize_fused, quantize_reference
from minicompress.kernels.requant import (
    count_requant_mismatch,
    quantize_multiplier,
    requantize,
    requantize_reference,
    rounding_right_shift_reference,
    srdhm_reference,
)
from minicompress.kernels.twins import pack_b_reference
from minicompress.quant import quantize

pytestmark = pytest.mark.kernels


def _host_features() -> str:
    import llvmlite.binding as llvm
    return llvm.get_host_cpu_features().flatten()

SHAPES = [(1, 1, 1), (1, 5, 1), (3, 1, 4), (7, 13, 5), (16, 9, 2), (2, 33, 17)]


def int8(rng, shape):
    a = rng.integers(-128, 128, shape).astype(np.int8)
    a.flat[0] = -128                                        # always include the extreme value
    return a


@pytest.mark.parametrize("M, K, N", SHAPES)
def test_gemm_kernels_equal_the_reference(rng, M, K, N):
    A, B = int8(rng, (M, K)), int8(rng, (K, N))
    ref = gemm_int8_reference(A, B)
    assert ref.dtype == np.int32
    for C in (gemm_int8_naive(A, B), gemm_int8(A, B), gemm_int8(A, B, parallel=False),
              gemm_int8_prepared(A, prepare_b(B))):
        assert C.dtype == np.int32 and np.array_equal(C, ref)


# Shapes that cross the fast kernel's blocks: M not a multiple of the tile's 4 rows, N not
# a multiple of its 16 columns (zero-padded panels, cut off at the end), odd K (a half-empty
# last k-pair), several strips of rows (M > 64; with fewer, at least two per thread), and
# K = 1101 > 512, three passes over k (256 + 256 + 39 pairs) accumulating into C; N = 300 and 150 give
# 19 and 10 panels: with AVX-512, 4×64 tiles and then 4×16 ones for the panels left over.
BLOCK_SHAPES = [(300, 3, 300), (67, 1101, 57), (131, 9, 33), (4, 512, 16), (9, 1030, 150)]


@pytest.mark.parametrize("M, K, N", BLOCK_SHAPES)
def test_fast_gemm_across_strips_panels_and_passes(rng, M, K, N):
    A, B = int8(rng, (M, K)), int8(rng, (K, N))
    A[-1, -1], B[-1, -1] = -128, -128                       # the extremes in the last edge too
    ref = gemm_int8_reference(A, B)
    for parallel in (True, False):
        assert np.array_equal(gemm_int8(A, B, parallel=parallel), ref)


def test_fast_gemm_with_k_zero_or_no_rows():
    assert np.array_equal(gemm_int8(np.zeros((3, 0), np.int8), np.zeros((0, 5), np.int8)), np.zeros((3, 5)))
    assert gemm_int8(np.zeros((0, 4), np.int8), np.ones((4, 5), np.int8)).shape == (0, 5)


@pytest.mark.parametrize("K, N", [(1, 1), (2, 16), (3, 17), (8, 33), (33, 70), (513, 515)])
def test_pack_b_equals_the_reference(rng, K, N):
    B = int8(rng, (K, N))
    out = pack_b(B)
    assert out.dtype == np.int16 and out.flags.c_contiguous
    assert out.shape == (-(-N // 16), -(-K // 2), 32)
    assert np.array_equal(out, pack_b_reference(B))
    strided = int8(rng, (2 * K, 3 * N))[::2, ::3]                # a view: made contiguous first
    assert np.array_equal(pack_b(strided), pack_b_reference(strided))
    # pack_b picks one of two drivers by B's size (PACK_SERIAL_BELOW): both, whatever the size
    assert np.array_equal(microkernel._pack_b_parallel(B), out) and np.array_equal(microkernel._pack_b_serial(B), out)


@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2 ** 32 - 1))
def test_pack_b_property_any_shape(K, N, seed):
    # every padding case: odd and even K, whole and partial panels of 16 columns
    B = np.random.default_rng(seed).integers(-128, 128, (K, N)).astype(np.int8)
    assert np.array_equal(pack_b(B), pack_b_reference(B))


def test_pack_b_golden_by_hand():
    # K = 3, N = 2: one panel, k-pairs (0, 1) and (2, padding); per pair, column by column
    B = np.array([[1, 2], [3, 4], [5, -128]], np.int8)
    Bp = pack_b(B)
    assert Bp.shape == (1, 2, 32)
    assert Bp[0, 0, :4].tolist() == [1, 3, 2, 4]         # B[0,0], B[1,0], B[0,1], B[1,1]
    assert Bp[0, 1, :4].tolist() == [5, 0, -128, 0]      # B[2,0], pad, B[2,1], pad
    assert not Bp[0, :, 4:].any()                        # columns 2..15 of the panel: padding


def _compiled_tile(wide: bool = False):
    """A fresh jitted caller of an LLVM tile (uncached, so its machine code can be inspected)."""
    from numba import njit

    if wide:
        @njit
        def tile(a, Bp, C, pr, q, ci, k0, k1):
            microkernel._tile_wide_llvm(a, Bp, C, pr, q, ci, k0, k1)
    else:
        @njit
        def tile(a, Bp, C, pr, q, ci, k0, k1):
            microkernel._tile_llvm(a, Bp, C, pr, q, ci, k0, k1)
    return tile


@pytest.mark.skipif(config.DISABLE_JIT, reason="the LLVM tile runs only compiled")
@pytest.mark.parametrize("k0, k1", [(0, 5), (3, 9), (0, 1)])
@pytest.mark.parametrize("wide", [False, True])
def test_register_tile_equals_its_numpy_twin(rng, k0, k1, wide):
    # one 4×16 tile (or, wide, 4×16·WIDE: 4×64 with AVX-512), both the first pass (C overwritten) and a
    # later one (C accumulated)
    tile, panels = _compiled_tile(wide), microkernel.WIDE if wide else 1
    a = int8(rng, (9, 18)).astype(np.int16)                      # 9 rows, 9 k-pairs
    Bp = pack_b(int8(rng, (18, 16 * panels + 40)))               # panels + 3 panels
    C0 = rng.integers(-2 ** 20, 2 ** 20, (10, Bp.shape[0] * 16)).astype(np.int32)
    got, want = C0.copy(), C0.copy()
    tile(a, Bp, got, 5, 2, 6, k0, k1)
    for p in range(panels):
        twins.tile_reference(a, Bp, want, 5, 2 + p, 6, k0, k1)
    assert np.array_equal(got, want)
    untouched = np.ones(C0.shape, bool)
    untouched[6:10, 32:32 + 16 * panels] = False
    assert np.array_equal(got[untouched], C0[untouched])         # only its own 4×(16·panels) block is written
    with pytest.raises(Exception, match="C-contiguous 2-D int16"):
        tile(a.astype(np.int32), Bp, got, 0, 0, 0, 0, 1)


@pytest.mark.skipif(config.DISABLE_JIT or "avx2" not in _host_features(), reason="needs compiled x86 AVX2")
def test_register_tile_compiles_to_vpmaddwd():
    # the speed rests on LLVM selecting vpmaddwd for the tile's sext-mul-pair-add; a change
    # to the IR that lost it would stay exact and silently run at a third of the speed.
    # subtle: on a CPU with AVX-512 VNNI, LLVM fuses vpmaddwd and the vpaddd after it into one
    # vpdpwssd, which is the same pairwise multiply-add, accumulated in place.
    tile = _compiled_tile()
    args = (np.zeros((4, 2), np.int16), pack_b(np.zeros((2, 64), np.int8)), np.zeros((4, 64), np.int32), 0, 0, 0, 0, 1)
    tile(*args)
    asm = tile.inspect_asm(tile.signatures[0])
    assert asm.count("vpmaddwd") + asm.count("vpdpwssd") >= 8 and "vpmulld" not in asm
    if microkernel.WIDE > 1:                        # with AVX-512: the 4×64 tile, 16 multiply-adds on zmm
        wide = _compiled_tile(wide=True)
        wide(*args)
        madds = [line for line in wide.inspect_asm(wide.signatures[0]).splitlines()
                 if ("vpmaddwd" in line or "vpdpwssd" in line) and "zmm" in line]
        assert len(madds) >= 16


def test_gemm_golden_by_hand():
    A = np.array([[1, -2], [127, -128]], np.int8)
    B = np.array([[3, 0], [4, -128]], np.int8)
    # row 0: 1·3 + (−2)·4 = −5, 1·0 + (−2)(−128) = 256; row 1: 381 − 512 = −131, 0 + 16384
    expected = [[-5, 256], [-131, 16384]]
    assert gemm_int8(A, B).tolist() == expected == gemm_int8_naive(A, B).tolist()


def test_gemm_does_not_wrap_where_numpy_int8_would(rng):
    A = np.full((1, 4), -128, np.int8)
    B = np.full((4, 1), -128, np.int8)
    assert gemm_int8(A, B)[0, 0] == 4 * 16384
    assert (A @ B)[0, 0] == 0            # NumPy multiplies int8 in int8 and wraps: the trap


def test_gemm_non_contiguous_inputs(rng):
    big_a, big_b = int8(rng, (10, 12)), int8(rng, (12, 14))
    A, B = big_a[::2, 1::2], big_b[1::2, ::3]               # strided views
    assert not A.flags.c_contiguous and not B.flags.c_contiguous
    ref = gemm_int8_reference(np.ascontiguousarray(A), np.ascontiguousarray(B))
    assert np.array_equal(gemm_int8(A, B), ref) and np.array_equal(gemm_int8_naive(A, B), ref)
    assert np.array_equal(gemm_int8(np.asfortranarray(A), B), ref)


def test_gemm_bad_inputs():
    a = np.zeros((2, 3), np.int8)
    with pytest.raises(TypeError, match="A as an int8 ndarray, got float64"):
        gemm_int8(np.zeros((2, 3)), a.T.copy())
    with pytest.raises(ValueError, match=r"A \(2, 3\) @ B \(2, 3\)"):
        gemm_int8(a, a)
    with pytest.raises(OverflowError, match="K = 131072 could overflow"):
        gemm_int8(np.zeros((1, MAX_K + 1), np.int8), np.zeros((MAX_K + 1, 1), np.int8))
    with pytest.raises(TypeError, match="prepare_b"):
        gemm_int8_prepared(a, a.T.copy())
    with pytest.raises(ValueError, match=r"A \(2, 3\) @ B \(4, 2\)"):
        gemm_int8_prepared(a, prepare_b(np.zeros((4, 2), np.int8)))
    good = prepare_b(np.zeros((3, 2), np.int8))
    with pytest.raises(ValueError, match=r"shape \(1, 2, 32\), got int16 \(1, 1, 32\)"):
        PackedB(good.panels[:, :1].copy(), 3, 2)               # panels too short for K = 3
    with pytest.raises(ValueError, match="outside int8"):
        PackedB(good.panels + np.int16(200), 3, 2)


@pytest.mark.parametrize("rounding", ["half_away", "half_even", "floor"])
def test_fused_quantize_equals_quantize_per_tensor_and_per_channel(rng, rounding):
    x = (rng.normal(size=(6, 11)) * 4).astype(np.float32)
    x[0, :4] = [0.25, -0.25, 2.5, -2.5]                       # exact ties after /0.1 and /1
    for q, z, lo, hi in ((0.1, 0, -128, 127), (0.05, 7, -128, 127), (0.02, 100, 0, 255)):
        k = quantize_fused(x, q, z, lo, hi, rounding)
        assert np.array_equal(k, quantize_reference(x, q, z, lo, hi, rounding))
        assert np.array_equal(k, quantize(x, q, rounding=rounding, zero_point=z).clip(lo, hi))
    qc = np.abs(x).max(axis=1) / 127
    k = quantize_fused(x, qc, 0, -127, 127, rounding)
    assert np.array_equal(k, quantize(x, qc, 8, rounding=rounding, axis=0, narrow=True))
    assert k.dtype == np.int8 and quantize_fused(x, 0.1, 0, 0, 255).dtype == np.uint8


def test_fused_quantize_half_away_at_ties_and_their_neighbours():
    # x/q at k + 0.5 exactly, and one float32 step either side: 0.49999997 → 0, 0.5 → 1, −2.5 → −3,
    # −2.4999998 → −2; more values than one vector, so the vector loop and its tail both run
    ties = np.array([0.5, 1.5, 2.5, 126.5, -0.5, -2.5, -127.5], np.float32)
    x = np.concatenate([ties, np.nextafter(ties, np.float32(0)), np.nextafter(ties, np.float32(200) * np.sign(ties))])
    x = np.concatenate([x, x[::-1], [0.0, -0.0, 3.0]]).astype(np.float32)
    for q in (1.0, 0.5, 0.25):
        xs = (x * np.float32(q)).astype(np.float32)                     # exact: q is a power of two
        k = quantize_fused(xs, q, 0, -128, 127, "half_away")
        assert np.array_equal(k, quantize(xs, q, rounding="half_away").clip(-128, 127))
        assert k[:4].tolist() == [1, 2, 3, 127] and k[4:7].tolist() == [-1, -3, -128]
        assert k[7:11].tolist() == [0, 1, 2, 126] and k[11:14].tolist() == [0, -2, -127]
    assert k[14:18].tolist() == [1, 2, 3, 127] and k[18:21].tolist() == [-1, -3, -128]


@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=40),
       st.floats(1e-3, 100), st.integers(-20, 20), st.sampled_from(["half_away", "half_even", "floor"]))
def test_fused_quantize_property(values, q, z, rounding):
    x = np.array(values)
    assert np.array_equal(quantize_fused(x, q, z, -128, 127, rounding),
                          quantize_reference(x, q, z, -128, 127, rounding))


def test_fused_quantize_bad_inputs():
    with pytest.raises(TypeError, match="floating-point input"):
        quantize_fused(np.array([1, 2]), 0.1)
    with pytest.raises(ValueError, match="q must be > 0"):
        quantize_fused(np.ones(3), 0.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        quantize_fused(np.array([np.nan]), 0.1)
    with pytest.raises(ValueError, match="3 per-channel steps need x with 3 rows"):
        quantize_fused(np.ones((2, 2)), [0.1, 0.2, 0.3])


def test_quantize_multiplier_golden_and_accuracy():
    assert quantize_multiplier(0.75) == (1610612736, 0)          # 0.75·2^31
    assert quantize_multiplier(0.1) == (1717986918, 3)           # 0.8·2^31 rounded, 0.1 = 0.8·2^−3
    assert quantize_multiplier(1.0) == (2 ** 30, -1)             # 0.5·2^1: a left shift
    for M in np.random.default_rng(0).uniform(1e-6, 4.0, 200):
        M0, n = quantize_multiplier(float(M))
        assert 2 ** 30 <= M0 < 2 ** 31
        assert abs(M0 * 2.0 ** (-31 - n) / M - 1) < 2 ** -30
    with pytest.raises(ValueError, match="finite and > 0"):
        quantize_multiplier(0.0)


def test_srdhm_and_shift_golden():
    assert srdhm_reference(2 ** 30, 2 ** 30) == 2 ** 29                 # 0.5 · 0.5 in Q31 = 0.25
    assert srdhm_reference(-2 ** 31, -2 ** 31) == 2 ** 31 - 1           # the saturating case
    assert srdhm_reference(3, 2 ** 30) == 2                             # +1.5 rounds up to 2
    # −1.5 rounds to −1: the nudge for negative products is 1 − 2^30, one short of −2^30,
    # so exact ties go towards +∞ on both sides (gemmlowp's definition, kept as it is)
    assert srdhm_reference(-3, 2 ** 30) == -1
    assert [rounding_right_shift_reference(v, 2) for v in (5, 6, -6, 7, -7)] == [1, 2, -2, 2, -2]


def test_requantize_kernel_equals_reference(rng):
    acc = rng.integers(-2 ** 24, 2 ** 24, (9, 7)).astype(np.int32)
    acc[0, :3] = [2 ** 31 - 1, -2 ** 31, 0]
    M = rng.uniform(1e-7, 1.5, 7)
    params = [quantize_multiplier(float(m)) for m in M]
    M0, n = np.array([p[0] for p in params]), np.array([p[1] for p in params])
    for z, lo, hi in ((0, -128, 127), (-20, -20, 127), (5, -128, 127)):
        k = requantize(acc, M0, n, z, lo, hi)
        assert k.dtype == np.int8 and np.array_equal(k, requantize_reference(acc, M0, n, z, lo, hi))


def test_requantize_agrees_with_float_rounding_except_near_ties(rng):
    acc = rng.integers(-50_000, 50_000, (200, 16)).astype(np.int32)
    M = rng.uniform(1e-4, 5e-3, 16)
    differ, total = count_requant_mismatch(acc, M)
    assert total == 3200 and differ < 0.01 * total


def test_requantize_bad_inputs():
    with pytest.raises(TypeError, match="2-D int32 accumulator"):
        requantize(np.zeros((2, 2), np.int64), 2 ** 30, 0)
    with pytest.raises(ValueError, match=r"M0 must lie in \[2\^30, 2\^31\)"):
        requantize(np.zeros((2, 2), np.int32), 5, 0)


@pytest.mark.parametrize("bits", [2, 4])
@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("count", [0, 1, 3, 8, 37])
def test_pack_round_trips_and_equals_reference(rng, bits, signed, count):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    codes = rng.integers(lo, hi + 1, count)
    packed = pack(codes, bits, signed)
    assert packed.dtype == np.uint8 and packed.size == -(-count * bits // 8)
    assert np.array_equal(packed, pack_reference(codes, bits, signed))
    assert np.array_equal(unpack(packed, count, bits, signed), codes)
    assert np.array_equal(unpack_reference(packed, count, bits, signed), codes)


def test_pack_golden_and_errors():
    assert pack([1, -1, 7, -8], 4).tolist() == [0xF1, 0x87]        # low nibble first
    assert pack([1, -1, 0, -2, 1], 2).tolist() == [0b10_00_11_01, 0b01]
    with pytest.raises(ValueError, match=r"signed 4-bit codes must lie in \[-8, 7\], found \[8\]"):
        pack([8], 4)
    with pytest.raises(ValueError, match=r"unsigned 2-bit codes must lie in \[0, 3\], found \[-1\]"):
        pack([-1], 2, signed=False)
    with pytest.raises(ValueError, match="packing supports 2 or 4 bits"):
        pack([1], 3)
    with pytest.raises(ValueError, match="truncated"):
        unpack(np.zeros(1, np.uint8), 3, 4)
    with pytest.raises(TypeError, match="uint8"):
        unpack(np.zeros(1, np.int16), 1, 4)


def test_requantize_saturates_for_multipliers_of_two_and_more():
    # M = 3: quantize_multiplier gives n = −2, a left shift of 2 bits. 2^30 · 4 does not fit int32: the
    # shift saturates to INT32_MAX, so the code clamps to 127 (it used to wrap to −128 in the kernel).
    M0, n = quantize_multiplier(3.0)
    assert n == -2
    acc = np.array([[2 ** 30, -2 ** 30, 2 ** 31 - 1, -2 ** 31, 40, -40, 0, 1]], np.int32).T.copy()
    acc = np.ascontiguousarray(acc.reshape(-1, 1))
    k = requantize(acc, M0, n)
    assert np.array_equal(k, requantize_reference(acc, M0, n, 0, -128, 127))
    assert k[:4, 0].tolist() == [127, -128, 127, -128] and k[4:, 0].tolist() == [120, -120, 0, 3]


def test_requantize_refuses_shifts_it_cannot_do_exactly():
    acc = np.zeros((2, 2), np.int32)
    for bad in (-32, 63, 64):
        with pytest.raises(ValueError, match=r"shift n must lie in \[-31, 62\]"):
            requantize(acc, 2 ** 30, bad)
    with pytest.raises(ValueError, match="left shift of 31 bits"):
        quantize_multiplier(2.0 ** 30)


def test_requantize_matches_the_reference_on_extreme_and_unsaturated_accumulators(rng):
    # Multipliers from tiny to large (M ≥ 1 included), accumulators at the int32 limits and around 0 ...
    Ms = np.concatenate([10.0 ** rng.uniform(-9, 0, 24), rng.uniform(1, 40, 8)])
    params = [quantize_multiplier(float(m)) for m in Ms]
    M0, n = np.array([p[0] for p in params]), np.array([p[1] for p in params])
    extremes = np.array([-2 ** 31, 2 ** 31 - 1, 0, 1, -1, 2 ** 30, -2 ** 30 - 1], np.int64)
    acc = np.concatenate([np.repeat(extremes[:, None], len(Ms), 1),
                          rng.integers(-2 ** 31, 2 ** 31, (40, len(Ms)))]).astype(np.int32)
    assert np.array_equal(requantize(acc, M0, n), requantize_reference(acc, M0, n, 0, -128, 127))
    # ... and accumulators that mostly land inside [−128, 127], so a wrong rounding shows
    acc = rng.integers(-3000, 3000, (64, 16)).astype(np.int32)
    M = rng.uniform(0.005, 0.04, 16)
    params = [quantize_multiplier(float(m)) for m in M]
    M0, n = np.array([p[0] for p in params]), np.array([p[1] for p in params])
    k = requantize(acc, M0, n)
    inside = np.mean((k > -128) & (k < 127))
    assert inside > 0.95 and np.array_equal(k, requantize_reference(acc, M0, n, 0, -128, 127))


def test_the_jitted_high_multiply_saturates_at_int32_min_squared():
    from minicompress.kernels.requant import _srdhm
    assert int(_srdhm(np.int64(-2 ** 31), np.int64(-2 ** 31))) == 2 ** 31 - 1
    assert int(_srdhm(np.int64(2 ** 30), np.int64(2 ** 30))) == 2 ** 29
    assert int(_srdhm(np.int64(-3), np.int64(2 ** 30))) == srdhm_reference(-3, 2 ** 30) == -1


# --- the fused int8 layer and its output pipeline ----------------------------------------------

def _layer_case(rng, B, K, N, spread=100.0):
    """Weights, a folded bias and per-column multipliers that put most codes inside (−128, 127)."""
    from minicompress.kernels.requant import quantize_multiplier
    x = rng.integers(-128, 128, (B, K)).astype(np.int8)
    w = rng.integers(-128, 128, (K, N)).astype(np.int8)
    bias = rng.integers(-2 ** 14, 2 ** 14, N).astype(np.int32)
    scale = spread / (np.sqrt(max(K, 1)) * 128 * 74 + 2 ** 14)                      # ~spread codes of spread
    params = [quantize_multiplier(float(m)) for m in scale * rng.uniform(0.5, 2.0, N)]
    return x, w, bias, np.array([p[0] for p in params]), np.array([p[1] for p in params])


# (5, 64, 33): whole 4×16 tiles finish in registers, the 33rd column and 5th row through C;
# (9, 512, 32): one pass over k exactly (KC pairs); (9, 514, 32) and (130, 600, 10): two passes, all through C;
# (6, 40, 80) and (7, 33, 129): with AVX-512 a 4×64 tile (4 panels) and whole panels left for the 4×16 one;
# (9, 514, 80): the same through C.
@pytest.mark.parametrize("B,K,N", [(1, 1, 1), (3, 17, 15), (5, 64, 33), (67, 300, 17), (9, 512, 32), (9, 514, 32),
                                   (130, 600, 10), (6, 40, 80), (7, 33, 129), (9, 514, 80)])
def test_fused_layer_equals_its_three_readable_steps(rng, B, K, N):
    from minicompress.kernels.layer import layer_int8, layer_reference, prepare_layer
    x, w, bias, M0, n = _layer_case(rng, B, K, N)
    for z, lo in ((0, -128), (-7, -7), (20, 20)):                                   # lo = z: a ReLU
        expected = layer_reference(x, w, bias, M0, n, z, lo, 127)
        if lo == -128 and B * N >= 20:                                                # not a test of the clamp:
            assert np.mean((expected > -128) & (expected < 127)) > 0.8                # most codes inside
        layer = prepare_layer(w, bias, M0, n, z, lo, 127)
        for parallel in (False, True):
            got = layer_int8(x, layer, parallel=parallel, vnni=False)          # the portable tile, everywhere
            assert got.dtype == np.int8 and np.array_equal(got, expected), (z, parallel)


def test_prepared_layer_refuses_what_the_kernel_would_trust():
    from minicompress.kernels.layer import layer_int8, prepare_layer
    w = np.ones((3, 2), np.int8)
    with pytest.raises(ValueError, match=r"M0 must lie in \[2\^30, 2\^31\)"):
        prepare_layer(w, np.zeros(2), [5, 5], [0, 0], 0)
    with pytest.raises(ValueError, match=r"shifts must lie in \[-31, 62\]"):
        prepare_layer(w, np.zeros(2), [2 ** 30] * 2, [0, 63], 0)
    with pytest.raises(ValueError, match=r"bias must be a \(2,\) int32 array"):
        prepare_layer(w, np.zeros(3), [2 ** 30] * 2, [0, 0], 0)
    with pytest.raises(ValueError, match=r"clamp \[-200, 127\] must lie within int8"):
        prepare_layer(w, np.zeros(2), [2 ** 30] * 2, [0, 0], 0, lo=-200)
    with pytest.raises(OverflowError, match=r"\|bias\| \+ K·128·128 = 2147483648 > 2\^31 − 1"):
        prepare_layer(w, [2 ** 31 - 3 * 16384, 0], [2 ** 30] * 2, [0, 0], 0)
    prepare_layer(w, [2 ** 31 - 1 - 3 * 16384, 0], [2 ** 30] * 2, [0, 0], 0)          # the largest it accepts
    layer = prepare_layer(w, np.zeros(2), [2 ** 30] * 2, [0, 0], 0)
    with pytest.raises(ValueError, match=r"A's columns \(4\) must equal B's rows \(3\)"):
        layer_int8(np.ones((2, 4), np.int8), layer)
    with pytest.raises(TypeError, match="PreparedLayer"):
        layer_int8(np.ones((2, 3), np.int8), w)


@given(st.lists(st.integers(-2 ** 31, 2 ** 31 - 1), min_size=1, max_size=40),
       st.floats(1e-9, 1e3), st.integers(-128, 127))
def test_branch_free_requantize_is_gemmlowp_for_any_accumulator_and_multiplier(accs, M, z):
    """srdhm = (x·M0 + 2^30) >> 31 and RoundingDivideByPOT in int32 lanes, against the literal definitions;
    the accumulators as one row (the vector steps, then the scalar tail) and as one column (scalar only)."""
    from minicompress.kernels.requant import quantize_multiplier
    M0, n = quantize_multiplier(M)
    for acc in (np.array(accs, np.int32).reshape(1, -1), np.array(accs, np.int32).reshape(-1, 1)):
        assert np.array_equal(requantize(acc, M0, n, z), requantize_reference(acc, M0, n, z, -128, 127))


def test_requantize_ties_at_every_shift():
    """Exact halves of 2^rs, the cases the rounding identities are about, for every shift."""
    acc = np.arange(-4096, 4096, dtype=np.int32).reshape(-1, 16)        # rows of 16: the vector path
    for n in range(0, 63):
        for M0 in (2 ** 30, 2 ** 30 + 1, 2 ** 31 - 1):
            assert np.array_equal(requantize(acc, M0, n, 0), requantize_reference(acc, M0, n, 0, -128, 127)), (n, M0)


def test_the_folded_vector_form_is_gemmlowp_for_every_shift_zero_point_and_clamp(rng):
    """The vector code folds srdhm and RoundingDivideByPOT into one 64-bit sum (twins.epilogue_params);
    the scalar code follows gemmlowp's steps. Every shift n from −31 to 62 (rs = 0 doubled, M ≥ 1
    saturating, rs ≥ 32 gone), the smallest and largest M0, every accumulator extreme, and zero points
    and clamps that leave codes inside, against the plain-Python reference. 16-column rows: all vector."""
    shifts = np.arange(-31, 63)
    M0 = np.concatenate([np.full(94, 2 ** 30), np.full(94, 2 ** 31 - 1), rng.integers(2 ** 30, 2 ** 31, 94)])
    n = np.tile(shifts, 3)
    cols = 16 * -(-len(n) // 16)                                  # whole vectors; the rest repeats columns
    M0, n = np.resize(M0, cols), np.resize(n, cols)
    extremes = np.array([-2 ** 31, 2 ** 31 - 1, 0, 1, -1, 2, -2, 2 ** 30, -2 ** 30, -2 ** 30 - 1], np.int64)
    acc = np.concatenate([np.repeat(extremes[:, None], cols, 1),
                          rng.integers(-2 ** 31, 2 ** 31, (12, cols)),
                          rng.integers(-2 ** 12, 2 ** 12, (12, cols))]).astype(np.int32)
    for z, lo, hi in ((0, -128, 127), (-5, -5, 127), (100, -20, 110), (-128, -128, -100)):
        want = requantize_reference(acc, M0, n, z, lo, hi)
        assert np.array_equal(requantize(acc, M0, n, z, lo, hi), want), (z, lo, hi)
        assert len(np.unique(want)) > 5


def test_the_odd_columns_tie_rule_is_one_bitwise_step(rng):
    """With x sign-extended to 64 bits, N ^ (x & D) = N − 2^31·[x < 0], for epi's odd-column rows N and D
    (the AVX-512 code's one vpternlogq), for every shift in an odd column and the accumulator extremes;
    D = 0 exactly where there is no tie rule (rs = 0, doubled)."""
    from minicompress.kernels.twins import EPI_C_O, EPI_D_O, EPI_N_O, epilogue_params
    n = np.repeat(np.arange(-31, 63), 2)                           # each shift once in an odd column
    epi = epilogue_params(np.zeros(n.size, np.int32), rng.integers(2 ** 30, 2 ** 31, n.size), n, 0, -128, 127)
    N, D, tie = (epi[row].view(np.int64) for row in (EPI_N_O, EPI_D_O, EPI_C_O))   # one int64 per column pair
    for x in (-2 ** 31, -2 ** 30 - 1, -2, -1, 0, 1, 2 ** 30, 2 ** 31 - 1):
        assert np.array_equal(N ^ (np.int64(x) & D), N - (tie if x < 0 else 0)), x
    assert np.array_equal(D == 0, tie == 0) and (tie == 0).any() and (tie != 0).any()


def test_integer_mlp_fused_and_unfused_give_the_same_codes(rng):
    from minicompress.integer import IntegerMLP
    from minicompress.nn import MLP
    X = rng.uniform(0, 1, (150, 12)).astype(np.float32)            # ≥ 128 rows: the parallel path too
    im = IntegerMLP.from_float(MLP((12, 20, 20, 5), rng=0), X)
    fused, unfused = im.forward_all(X), im.forward_unfused(X)
    assert all(np.array_equal(a, b) for a, b in zip(fused, unfused))
    assert np.array_equal(im.forward_codes(X[:3]), fused[-1][:3])   # a small batch: the serial path


def test_quantize_tensor_is_the_reference_with_ties_and_refuses_nan(rng):
    from minicompress.kernels.quantize import quantize_tensor
    x = np.concatenate([rng.normal(0, 30, 500), [0.25, -0.25, 2.5, -2.5, 1e9, -1e9]]).astype(np.float32)
    assert np.array_equal(quantize_tensor(x, 0.1, 3), quantize_reference(x, 0.1, 3, -128, 127))
    for bad in (np.inf, np.nan):                     # refused the same way with the JIT on and off
        with pytest.raises(ValueError, match="NaN or inf"):
            quantize_tensor(np.array([1.0, bad]), 0.1)
    with pytest.raises(ValueError, match="q must be > 0"):
        quantize_tensor(x, 0.0)


# --- VNNI ------------------------------------------------------------------------------------------

def test_quad_packing_puts_each_columns_four_k_side_by_side():
    from minicompress.kernels.twins import NR, pack_b_quads
    B = np.arange(-30, 30, dtype=np.int8).reshape(6, 10)          # K = 6 (one and a half quads), N = 10
    Bq = pack_b_quads(B)
    assert Bq.shape == (1, 2, 4 * NR) and Bq.dtype == np.int8
    assert Bq[0, 0, :4].tolist() == B[0:4, 0].tolist() and Bq[0, 0, 4:8].tolist() == B[0:4, 1].tolist()
    assert Bq[0, 1, :4].tolist() == [B[4, 0], B[5, 0], 0, 0]       # zero-padded k
    assert not Bq[0, :, 4 * 10:].any()                              # zero-padded columns


def test_vnni_tile_twin_equals_the_product_with_the_shift_taken_back(rng):
    """x + 128 times B, minus 128·Σ_k B: the integer identity the VNNI path rests on, on the NumPy twin."""
    from minicompress.kernels.microkernel import _shift_rows
    from minicompress.kernels.twins import MR, NR, pack_b_quads, tile_vnni_reference
    A = rng.integers(-128, 128, (MR, 13)).astype(np.int8)
    B = rng.integers(-128, 128, (13, NR)).astype(np.int8)
    Bq = pack_b_quads(B)
    a = _shift_rows(A, 0, MR, Bq.shape[1])
    C = np.zeros((MR, NR), np.int32)
    tile_vnni_reference(a, Bq, C, 0, 0, 0, 0, Bq.shape[1])
    expected = A.astype(np.int64) @ B.astype(np.int64)
    assert np.array_equal(C - 128 * B.astype(np.int64).sum(axis=0), expected)


@pytest.mark.parametrize("B,K,N", [(1, 1, 1), (5, 7, 17), (38, 96, 48), (67, 300, 10), (130, 1030, 33),
                                   (7, 40, 112), (9, 64, 129), (9, 1030, 80)])
def test_the_vnni_layer_equals_the_readable_steps(rng, B, K, N):
    """Where the processor has vpdpbusd the compiled tile runs; with the JIT off, its NumPy twin does."""
    from minicompress.kernels.cpu import vnni_available
    from minicompress.kernels.layer import layer_int8, layer_reference, prepare_layer
    if not (vnni_available() or config.DISABLE_JIT):
        pytest.skip("this processor has no VNNI (AVX512-VNNI or AVX-VNNI); the portable tile is tested above")
    x, w, bias, M0, n = _layer_case(rng, B, K, N)
    layer = prepare_layer(w, bias, M0, n, 3, 3, 127)
    expected = layer_reference(x, w, bias, M0, n, 3, 3, 127)
    for parallel in (False, True):
        assert np.array_equal(layer_int8(x, layer, parallel=parallel, vnni=True), expected)


def test_the_vnni_kernel_really_uses_vpdpbusd(tmp_path, monkeypatch):
    """An asm guard: only where the feature exists, and compiled afresh (cached code cannot be inspected)."""
    from minicompress.kernels.cpu import vnni_available
    if config.DISABLE_JIT or not vnni_available():
        pytest.skip("needs a processor with AVX512-VNNI or AVX-VNNI, and the JIT on")
    count, wide = _asm_counts(tmp_path, "from minicompress.kernels.layer import layer_int8, prepare_layer\n"
                              "L = prepare_layer(np.ones((8, 64), np.int8), np.zeros(64, np.int32), [2 ** 30] * 64, "
                              "[0] * 64, 0)\nlayer_int8(np.ones((4, 8), np.int8), L, parallel=False, vnni=True)\n",
                              "_layer_serial_vnni", ["vpdpbusd", ("vpdpbusd", "zmm")])
    assert count >= 8                                              # 4 rows × 2 vectors per k-quad
    if microkernel.WIDE_VNNI > 1:                                  # AVX512-VNNI: the 4×64 tile on zmm
        assert wide >= 16


def _asm_counts(tmp_path, setup: str, kernel: str, words) -> list:
    """How often each of ``words`` occurs in the machine code of microkernel's ``kernel`` after ``setup``
    ran, in a child process that compiles afresh (Numba cannot inspect code it loaded from its cache).
    A tuple of words counts the lines that hold all of them."""
    import os
    import subprocess
    import sys
    code = (f"import numpy as np\nfrom minicompress.kernels import microkernel as m\n{setup}"
            f"asm = ''.join(m.{kernel}.inspect_asm().values())\n"
            f"print(*[asm.count(w) if isinstance(w, str) else sum(all(p in line for p in w) for line in asm.splitlines())"
            f" for w in {list(words)!r}])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return [int(v) for v in out.stdout.split()[-len(words):]]


def test_requantize_takes_the_odd_columns_tie_rule_in_one_vpternlogq_with_avx512(tmp_path):
    """An asm guard for the AVX-512 form of the tie rule (odd columns shifted down with vpsraq, then
    N ^ (x & D) as a vpternlogq): only where AVX-512 is compiled in, and compiled afresh."""
    from minicompress.kernels.cpu import has_avx512
    if config.DISABLE_JIT or not has_avx512():
        pytest.skip("needs AVX-512 (F and VL) compiled in, and the JIT on")
    ternlog, sraq = _asm_counts(tmp_path, "from minicompress.kernels.requant import requantize\n"
                                "requantize(np.ones((8, 64), np.int32), 2 ** 30, 5)\n",
                                "_requantize_strips", ["vpternlogq", "vpsraq"])
    assert ternlog >= 4 and sraq >= 4                              # one each per vector of 16 codes


def test_vnni_forced_where_it_is_missing_is_a_clear_error(monkeypatch):
    from minicompress.kernels.layer import layer_int8, prepare_layer
    if config.DISABLE_JIT:
        pytest.skip("with the JIT off, vnni=True runs the NumPy twin everywhere")
    monkeypatch.setenv("MINICOMPRESS_VNNI", "0")
    layer = prepare_layer(np.ones((3, 2), np.int8), np.zeros(2, np.int32), [2 ** 30] * 2, [0, 0], 0)
    from minicompress.kernels.network import network_int8
    with pytest.raises(RuntimeError, match="no vpdpbusd"):
        layer_int8(np.ones((2, 3), np.int8), layer, vnni=True)
    with pytest.raises(RuntimeError, match="no vpdpbusd"):
        network_int8(np.ones((2, 3), np.int8), [layer], vnni=True)
    assert layer_int8(np.ones((2, 3), np.int8), layer).shape == (2, 2)    # the portable tile instead
    assert network_int8(np.ones((2, 3), np.int8), [layer])[0].shape == (2, 2)


def _extreme_layer(rng, B, K, N):
    """A layer whose constants reach every corner of the output pipeline: M ≥ 2 with saturating left shifts,
    M so small that every code is the zero point (n ≥ 32), biases at the largest |bias| the kernel accepts."""
    x = rng.integers(-128, 128, (B, K)).astype(np.int8)
    w = rng.integers(-128, 128, (K, N)).astype(np.int8)
    room = 2 ** 31 - 1 - K * 128 * 128
    bias = rng.choice(np.array([0, room, -room, 12345, -777]), N).astype(np.int32)
    M0 = rng.integers(2 ** 30, 2 ** 31, N)
    n = rng.choice(np.array([-31, -20, -3, 0, 1, 7, 20, 31, 32, 40, 62]), N)
    return x, w, bias, M0, n


@pytest.mark.parametrize("B,K,N", [(36, 96, 48), (38, 40, 35), (10, 40, 80)])
def test_the_epilogue_in_registers_equals_the_readable_steps_at_every_extreme(rng, B, K, N):
    from minicompress.kernels.cpu import vnni_available
    from minicompress.kernels.layer import layer_int8, layer_reference, prepare_layer
    x, w, bias, M0, n = _extreme_layer(rng, B, K, N)
    tiles = (False, True) if (vnni_available() or config.DISABLE_JIT) else (False,)
    for z, lo, hi in ((0, -128, 127), (-5, -5, 127), (100, -20, 110)):
        expected = layer_reference(x, w, bias, M0, n, z, lo, hi)
        assert len(np.unique(expected)) > 3                     # not a test of one saturated value
        layer = prepare_layer(w, bias, M0, n, z, lo, hi)
        for vnni in tiles:
            for parallel in (False, True):
                assert np.array_equal(layer_int8(x, layer, parallel=parallel, vnni=vnni), expected), (vnni, z)


@pytest.mark.skipif(config.DISABLE_JIT, reason="the LLVM tiles run only compiled")
@pytest.mark.parametrize("saturate", [True, False])
def test_the_finishing_tile_and_the_vector_requantize_equal_their_twins(rng, saturate):
    """``_tile_out_llvm`` (GEMM + epilogue on registers), ``_requant_vec_llvm`` and ``_requant_block_llvm``
    against the Python ``_output_cols``, each writing only its own block of codes; with the saturating
    left shift compiled in (some M ≥ 1, or some M in [0.5, 1), rs = 0) and left out (every M < 0.5)."""
    from numba import literally, njit

    from minicompress.kernels.twins import epilogue_params

    # the intrinsics take ``saturate`` as a compile-time literal: ``literally`` compiles one wrapper per value
    @njit
    def finishing_tile(a, Bp, epi, out, pr, q, oi, k1, saturate):
        microkernel._tile_out_llvm(a, Bp, epi, out, pr, q, oi, k1, literally(saturate))

    @njit
    def finishing_wide_tile(a, Bp, epi, out, pr, q, oi, k1, saturate):
        microkernel._tile_out_wide_llvm(a, Bp, epi, out, pr, q, oi, k1, literally(saturate))

    @njit
    def requant_vec(C, r, c, epi, out, o, saturate):
        microkernel._requant_vec_llvm(C, r, c, epi, out, o, literally(saturate))

    @njit
    def requant_block(C, r0, r1, c, epi, out, saturate):
        microkernel._requant_block_llvm(C, r0, r1, c, epi, out, literally(saturate))

    x, w, bias, M0, n = _extreme_layer(rng, 9, 18, 48)
    n = n if saturate else np.maximum(np.abs(n), 1)        # without saturation, no left shift and no rs = 0
    epi = epilogue_params(bias, M0, n, 3, -100, 120)
    assert microkernel._saturates(epi) == saturate
    a = x.astype(np.int16)
    Bp = pack_b(w)
    got, want = np.full((12, 48), 7, np.int8), np.full((12, 48), 7, np.int8)
    finishing_tile(a, Bp, epi, got, 5, 2, 6, Bp.shape[1], saturate)
    microkernel._tile_out_twin(a, Bp, epi, want, 5, 2, 6, Bp.shape[1], saturate)
    assert np.array_equal(got, want) and (got[6:10, 32:48] != 7).any()
    untouched = np.ones(got.shape, bool)
    untouched[6:10, 32:48] = False
    assert (got[untouched] == 7).all()
    panels = microkernel.WIDE                                            # 4×64 with AVX-512, else 4×16
    x2, w2, bias2, M02, n2 = _extreme_layer(rng, 9, 18, 16 * panels + 16)
    n2 = n2 if saturate else np.maximum(np.abs(n2), 1)
    epi2 = epilogue_params(bias2, M02, n2, 3, -100, 120)
    Bp2 = pack_b(w2)
    got, want = np.full((12, w2.shape[1]), 7, np.int8), np.full((12, w2.shape[1]), 7, np.int8)
    finishing_wide_tile(x2.astype(np.int16), Bp2, epi2, got, 5, 1, 6, Bp2.shape[1], saturate)
    microkernel._tile_out_wide_twin(x2.astype(np.int16), Bp2, epi2, want, 5, 1, 6, Bp2.shape[1], saturate)
    assert np.array_equal(got, want) and (got[6:10, 16:] != 7).mean() > 0.5
    assert (got[:6] == 7).all() and (got[10:] == 7).all() and (got[:, :16] == 7).all()
    C = rng.integers(-2 ** 31, 2 ** 31, (3, 48), dtype=np.int64).astype(np.int32)
    C[0, :8] = [-2 ** 31, 2 ** 31 - 1, 0, 1, -1, 2 ** 30, -2 ** 30, 5]
    C[0, 8:16] = C[0, :8]
    C = np.where(np.abs(C.astype(np.int64) + bias) < 2 ** 31, C, 0).astype(np.int32)   # |acc + bias| < 2^31
    lanes = microkernel.LANES
    for r, c in ((0, 0), (1, 8), (2, 48 - lanes)):
        got, want = np.full((3, 48), 7, np.int8), np.full((3, 48), 7, np.int8)
        requant_vec(C, r, c, epi, got, r, saturate)
        microkernel._output_cols(C, r, c, c + lanes, epi, want, r)
        assert np.array_equal(got, want)
        assert (np.delete(got[r], np.arange(c, c + lanes)) == 7).all()
    unbiased = epilogue_params(np.zeros_like(bias), M0, n, 3, -100, 120)     # the block adds no bias
    for r0, r1, c in ((0, 3, 0), (1, 3, 16), (2, 2, 32)):
        got, want = np.full((3, 48), 7, np.int8), np.full((3, 48), 7, np.int8)
        requant_block(C, r0, r1, c, unbiased, got, saturate)
        microkernel._requant_block_twin(C, r0, r1, c, unbiased, want, saturate)
        assert np.array_equal(got, want) and (r0 == r1 or (got[r0:r1, c:c + lanes] != 7).any())
        assert (np.delete(got, np.arange(c, c + lanes), axis=1) == 7).all() and (got[:r0] == 7).all()


def _small_multipliers(rng, cols):
    """(M0, n) for M from 1e-11 to 0.49: no left shift and no rs = 0 (the row kernel's case), some gone (n ≥ 32)."""
    qm = [quantize_multiplier(float(m)) for m in np.exp(rng.uniform(np.log(1e-11), np.log(0.49), cols))]
    return np.array([p[0] for p in qm]), np.array([p[1] for p in qm])


@pytest.mark.skipif(config.DISABLE_JIT, reason="the LLVM tiles run only compiled")
@pytest.mark.parametrize("offset, clamp", [(False, False), (True, False), (False, True), (True, True)])
def test_the_64_column_row_kernel_equals_its_twin(rng, offset, clamp):
    """``_requant_rows_llvm`` (64 columns a step; with AVX-512BW narrowed by vpackssdw/vpacksswb and the zero
    point added at 16 bits) against ``_output_cols``, each of its four compiled variants, writing only rows
    r0..r1 (whole steps of ROWS_PER_STEP rows, then single rows) and columns c0 .. c0 + 64·groups. The
    accumulators reach every extreme and mostly do not saturate."""
    from numba import literally, njit

    from minicompress.kernels.twins import EPI_CHI, EPI_CLO, epilogue_params

    @njit
    def rows(C, r0, r1, c0, groups, epi, bounds, z, out, offset, clamp):
        microkernel._requant_rows_llvm(C, r0, r1, c0, groups, epi, bounds, z, out, literally(offset),
                                       literally(clamp))

    cols = 176
    M0, n = _small_multipliers(rng, cols)
    z, lo, hi = (-7 if offset else 0), *((-20, 100) if clamp else (-128, 127))
    epi = epilogue_params(np.zeros(cols, np.int32), M0, n, z, lo, hi)
    bounds = np.stack([epi[EPI_CLO], epi[EPI_CHI]]).astype(np.int8)
    C = (rng.normal(0, 40, (10, cols)) / (M0 * 2.0 ** (-31 - n))).clip(-2 ** 31, 2 ** 31 - 1).astype(np.int32)
    C[1, :10] = [-2 ** 31, 2 ** 31 - 1, 0, 1, -1, 2, -2, 2 ** 30, -2 ** 30, -2 ** 30 - 1]
    got, want = np.full(C.shape, 9, np.int8), np.full(C.shape, 9, np.int8)
    rows(C, 1, 8, 16, 2, epi, bounds, z, got, offset, clamp)        # 7 rows: ROWS_PER_STEP at a time, then one
    microkernel._requant_rows_twin(C, 1, 8, 16, 2, epi, bounds, z, want, offset, clamp)
    assert np.array_equal(got, want)
    inside = np.zeros(C.shape, bool)
    inside[1:8, 16:144] = True
    assert (got[~inside] == 9).all()
    codes = got[inside]
    assert len(np.unique(codes)) > 20 and np.mean((codes == lo) | (codes == hi)) < 0.5


@pytest.mark.parametrize("B, C", [(1, 64), (2, 16), (9, 64), (9, 80), (5, 256), (7, 48), (4, 37)])
def test_requantize_gives_the_same_codes_wherever_its_rows_start(rng, B, C):
    """``_requantize_rows`` reads acc from its first 64-byte boundary on (rows that run into the next real
    row, epi's columns extended to match) when each row starts an even number of columns before one: views of
    one buffer starting at every int32 offset, with and without a zero point and a clamp, with and without
    a column that shifts left (the column-block path), against the plain-Python reference."""
    buf = rng.integers(-2 ** 31, 2 ** 31, B * C + 16).astype(np.int32)
    buf[::3] >>= 12
    M0, n = _small_multipliers(rng, C)
    M0_left, n_left = M0.copy(), n.copy()
    M0_left[C // 2], n_left[C // 2] = quantize_multiplier(3.0)       # M ≥ 1: the saturating path
    for off in range(16):
        acc = buf[off:off + B * C].reshape(B, C)
        for (m0, nn), (z, lo, hi) in (((M0, n), (0, -128, 127)), ((M0, n), (-128, -128, 127)),
                                      ((M0, n), (5, -20, 100)), ((M0_left, n_left), (3, -128, 127))):
            assert np.array_equal(requantize(acc, m0, nn, z, lo, hi), requantize_reference(acc, m0, nn, z, lo, hi)), \
                (off, z, lo, hi)


def test_aligned_start_puts_the_chosen_item_on_a_64_byte_line():
    """The views of requantize's constants (int32), clamp bytes and codes (int8) start where their item
    ``first`` (the column the kernel starts reading rows at) lands on a 64-byte line, within the slack."""
    from minicompress.kernels.microkernel import _aligned_start
    for itemsize in (1, 4):
        for address in range(4096, 4096 + 128, itemsize):
            for first in range(0, 40, 3):
                start = _aligned_start(address, itemsize, first)
                assert 0 <= start < 64 // itemsize and (address + itemsize * (start + first)) % 64 == 0


def test_empty_codes_aligns_each_64_byte_store_as_the_loads_are():
    """``requantize``'s output array: acc's shape in int8, C-contiguous, placed so that where the kernel reads
    acc from column ``head`` on (the first 64-byte boundary), its stores at out[r, head + 64k] are aligned too."""
    from minicompress.kernels.microkernel import _aligned_head, empty_codes
    buf = np.zeros(8 * 128 + 16, np.int32)
    heads = set()
    for off in range(16):
        acc = buf[off:off + 8 * 128].reshape(8, 128)
        head, out = _aligned_head(acc.ctypes.data, 8, 128), empty_codes(acc)
        heads.add(head)
        assert out.shape == acc.shape and out.dtype == np.int8 and out.flags.c_contiguous
        assert (out.ctypes.data + head) % 64 == 0 and (head == 0 or (acc.ctypes.data + 4 * head) % 64 == 0)
    assert len(heads) == (1 if config.DISABLE_JIT else 8)           # 0 and the seven even shifts in 1..15


@pytest.mark.skipif(config.DISABLE_JIT or "avx2" not in _host_features(), reason="needs compiled x86 AVX2")
def test_requantize_compiled_for_avx2_alone_has_no_512_bit_code_and_the_same_codes(tmp_path):
    """In a process told to compile for AVX2 and nothing newer (as ``bench kernels`` does), the row kernel
    narrows each vector on its own; its codes are gemmlowp's, and its machine code has no zmm register."""
    import subprocess
    import sys

    from minicompress.bench.kernels import avx2_features
    code = (
        "import numpy as np\n"
        "from minicompress.kernels import cpu, microkernel\n"
        "from minicompress.kernels.requant import quantize_multiplier, requantize, requantize_reference\n"
        "assert not cpu.has_avx512bw()\n"
        "g = np.random.default_rng(5)\n"
        "qm = [quantize_multiplier(float(m)) for m in np.exp(g.uniform(-25, -0.7, 128))]\n"
        "M0, n = np.array([p[0] for p in qm]), np.array([p[1] for p in qm])\n"
        "acc = (g.integers(-2 ** 31, 2 ** 31, (40, 128)) >> g.integers(0, 31, (40, 128))).astype(np.int32)\n"
        "for z, lo, hi in ((0, -128, 127), (4, -128, 127), (0, -9, 127), (-6, -6, 120)):\n"
        "    assert np.array_equal(requantize(acc, M0, n, z, lo, hi), requantize_reference(acc, M0, n, z, lo, hi))\n"
        "asm = ''.join(microkernel._requantize_strips.inspect_asm().values())\n"
        "print('zmm' in asm, 'vpmovsdb' in asm or 'vpackss' in asm)\n")
    env = dict(os.environ, NUMBA_CPU_FEATURES=avx2_features(_host_features()), NUMBA_CACHE_DIR=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["False", "True"]


def test_compiled_features_follow_numba_cpu_features(monkeypatch):
    """``NUMBA_CPU_FEATURES`` decides what Numba compiles for, so it decides the tiles too (and a CPU name
    alone does not: Numba passes the host's features with it)."""
    from minicompress.kernels import cpu
    monkeypatch.setattr(cpu.config, "CPU_FEATURES", "+avx2,-avx512bw,+avx512vnni,-avx512vl")
    monkeypatch.setattr(cpu, "_HOST", {})
    assert cpu.compiled_features() == {"avx2": True, "avx512bw": False, "avx512vnni": True, "avx512vl": False}
    assert not cpu.has_avx512bw() and not cpu._host_has_vnni()        # VNNI on 256-bit vectors needs VL too
    assert not cpu.has_avx512() and cpu.has_avx2()                     # no vpsraq on 256-bit vectors either
    monkeypatch.setattr(cpu.config, "CPU_FEATURES", "+avx512bw,+avx512vl,+avx512vnni")
    monkeypatch.setattr(cpu, "_HOST", {})
    assert cpu.has_avx512bw() and cpu._host_has_vnni() and cpu.has_avx512()
    monkeypatch.setattr(cpu.config, "CPU_FEATURES", "+avx2,+avx512vl,-avx512f")
    monkeypatch.setattr(cpu, "_HOST", {})
    assert not cpu.has_avx512()
    monkeypatch.setattr(cpu.config, "CPU_FEATURES", "-avx2,+sse4.2")
    monkeypatch.setattr(cpu, "_HOST", {})
    assert not cpu.has_avx2()


@pytest.mark.parametrize("B", [0, 1, 6, 130, 301])
def test_the_network_kernel_gives_every_layers_readable_codes(rng, B):
    """One call for all layers (strips through every layer) against layer_reference, layer by layer."""
    from minicompress.kernels.cpu import vnni_available
    from minicompress.kernels.layer import layer_reference, prepare_layer
    from minicompress.kernels.network import network_int8
    widths = [37, 48, 21, 10]                        # ragged: whole tiles and edges in every layer
    x = rng.integers(-128, 128, (B, widths[0])).astype(np.int8)
    layers, expected, h = [], [], x
    for K, N in zip(widths[:-1], widths[1:]):
        _, w, bias, M0, n = _layer_case(rng, 1, K, N)
        layers.append(prepare_layer(w, bias, M0, n, -3, -3, 127))
        h = layer_reference(h, w, bias, M0, n, -3, -3, 127)
        expected.append(h)
    tiles = (False, True) if (vnni_available() or config.DISABLE_JIT) else (False,)
    for vnni in tiles:
        for parallel in (False, True):
            got = network_int8(x, layers, parallel=parallel, vnni=vnni)
            assert [g.shape for g in got] == [e.shape for e in expected]
            assert all(np.array_equal(g, e) for g, e in zip(got, expected)), (vnni, parallel)


def test_the_network_kernel_refuses_layers_that_do_not_chain():
    from minicompress.kernels.layer import prepare_layer
    from minicompress.kernels.network import network_int8, shares
    a = prepare_layer(np.ones((3, 4), np.int8), np.zeros(4), [2 ** 30] * 4, [0] * 4, 0)
    b = prepare_layer(np.ones((5, 2), np.int8), np.zeros(2), [2 ** 30] * 2, [0] * 2, 0)
    with pytest.raises(ValueError, match=r"layer 1 takes 5 inputs but layer 0 gives 4 outputs"):
        network_int8(np.ones((2, 3), np.int8), [a, b])
    with pytest.raises(TypeError, match=r"layer 0 is a ndarray, not a PreparedLayer"):
        network_int8(np.ones((2, 3), np.int8), [np.ones((3, 4), np.int8)])
    with pytest.raises(ValueError, match=r"at least one layer"):
        network_int8(np.ones((2, 3), np.int8), [])
    with pytest.raises(TypeError, match=r"gemm_int8 needs A as an int8 ndarray, got float64"):
        network_int8(np.ones((2, 3)), [a])
    strided = np.ones((2, 6), np.int8)[:, ::2]
    assert np.array_equal(network_int8(strided, [a])[0], network_int8(np.ones((2, 3), np.int8), [a])[0])
    # equal shares of whole 4-row tiles, covering every row once
    for B, threads in ((450, 2), (1, 2), (5, 3), (0, 2), (4096, 2)):
        cut = shares(B, threads)
        assert cut[0] == 0 and cut[-1] == B and np.all(np.diff(cut) >= 0) and np.all(cut[:-1] % 4 == 0)
        assert np.diff(cut).max() - np.diff(cut).min() <= 4 * (1 + (B % 4 != 0))


@pytest.mark.parametrize("B", [1, 7, 130])
def test_the_network_kernel_quantizes_its_input_as_quantize_tensor_does(rng, B):
    """The strips' quantize step gives quantize_tensor's codes (ties included), and the layers run on them."""
    from minicompress.kernels.cpu import vnni_available
    from minicompress.kernels.layer import prepare_layer
    from minicompress.kernels.network import network_from_float, network_int8
    from minicompress.kernels.quantize import quantize_tensor
    q, z = 0.25, -3
    X = (rng.integers(-600, 600, (B, 20)) / 8).astype(np.float32)      # many exact ties at q/2, and clamped codes
    _, w, bias, M0, n = _layer_case(rng, 1, 20, 33)
    layer = prepare_layer(w, bias, M0, n, 5, 5, 127)
    expected = quantize_tensor(X, q, z)
    assert np.mean(np.abs((X / q) % 1 - 0.5) < 1e-9) > 0.05                 # the ties are really there
    tiles = (False, True) if (vnni_available() or config.DISABLE_JIT) else (False,)
    for vnni in tiles:
        for parallel in (False, True):
            x_c, h = network_from_float(X, q, z, [layer], parallel=parallel, vnni=vnni)
            assert np.array_equal(x_c, expected)
            assert np.array_equal(h, network_int8(expected, [layer], vnni=vnni)[0])


def test_the_network_kernel_refuses_what_has_no_code():
    from minicompress.kernels.layer import prepare_layer
    from minicompress.kernels.network import network_from_float
    layer = prepare_layer(np.ones((3, 2), np.int8), np.zeros(2), [2 ** 30] * 2, [0, 0], 0)
    X = np.ones((200, 3), np.float32)
    X[150, 1] = np.nan
    for parallel in (False, True):
        with pytest.raises(ValueError, match="NaN or inf"):
            network_from_float(X, 0.1, 0, [layer], parallel=parallel)
    with pytest.raises(ValueError, match=r"needs X of shape \(B, 3\), got \(2, 4\)"):
        network_from_float(np.ones((2, 4)), 0.1, 0, [layer])
    with pytest.raises(ValueError, match="q_in must be > 0"):
        network_from_float(np.ones((2, 3)), 0.0, 0, [layer])
    with pytest.raises(ValueError, match="z_in must be an int8 code"):
        network_from_float(np.ones((2, 3)), 0.1, 300, [layer])
