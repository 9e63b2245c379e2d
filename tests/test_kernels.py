"""Every Numba kernel against its readable twin, bit for bit (CI reruns this file with NUMBA_DISABLE_JIT=1)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minicompress.kernels.gemm import (MAX_K, gemm_int8, gemm_int8_naive, gemm_int8_prepared,
                                       gemm_int8_reference, prepare_b)
from minicompress.kernels.pack import pack, pack_reference, unpack, unpack_reference
from minicompress.kernels.quantize import quantize_fused, quantize_reference
from minicompress.kernels.transpose import _plain as _plain_transpose
from minicompress.kernels.transpose import widen_transpose, widen_transpose_reference
from minicompress.kernels.requant import (count_requant_mismatch, quantize_multiplier, requantize,
                                          requantize_reference, rounding_right_shift_reference,
                                          srdhm_reference)
from minicompress.quant import quantize

pytestmark = pytest.mark.kernels

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


# Shapes that cross the fast kernel's blocks: odd M and N (the edges of the 2×2 blocks),
# several row strips (M > 64 rows per strip; with fewer, at least two strips per thread),
# several column tiles (300 columns > 256; at K = 300 a tile is 26 columns, so 57 = 26 + 26 + 5).
BLOCK_SHAPES = [(300, 3, 300), (67, 300, 57), (131, 9, 33)]


@pytest.mark.parametrize("M, K, N", BLOCK_SHAPES)
def test_fast_gemm_across_strips_and_tiles(rng, M, K, N):
    A, B = int8(rng, (M, K)), int8(rng, (K, N))
    A[-1, -1], B[-1, -1] = -128, -128                       # the extremes in the last edge too
    ref = gemm_int8_reference(A, B)
    for parallel in (True, False):
        assert np.array_equal(gemm_int8(A, B, parallel=parallel), ref)


@pytest.mark.parametrize("K, N", [(1, 1), (8, 8), (16, 24), (7, 13), (9, 8), (8, 9), (33, 70)])
def test_widen_transpose_equals_the_reference(rng, K, N):
    B = int8(rng, (K, N))
    out = widen_transpose(B)
    assert out.dtype == np.int16 and out.flags.c_contiguous
    assert np.array_equal(out, widen_transpose_reference(B))
    assert np.array_equal(_plain_transpose(B), widen_transpose_reference(B))   # big-endian fallback
    strided = int8(rng, (2 * K, 3 * N))[::2, ::3]                # a view: padded and copied first
    assert np.array_equal(widen_transpose(strided), widen_transpose_reference(strided))


@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2 ** 32 - 1))
def test_widen_transpose_property_any_shape(K, N, seed):
    # every padding case of the 8×8 word blocks: K and N from 1 to 40, any values
    B = np.random.default_rng(seed).integers(-128, 128, (K, N)).astype(np.int8)
    assert np.array_equal(widen_transpose(B), widen_transpose_reference(B))


def test_widen_transpose_of_an_empty_matrix():
    assert widen_transpose(np.zeros((0, 5), np.int8)).shape == (5, 0)
    assert widen_transpose(np.zeros((3, 0), np.int8)).shape == (0, 3)


def test_widen_transpose_golden_8x8_block():
    # one whole 8×8 block, the case the 64-bit word swaps handle: B[k, j] = 10·k + j − 40
    B = (10 * np.arange(8)[:, None] + np.arange(8)[None, :] - 40).astype(np.int8)
    Bt = widen_transpose(B)
    assert Bt[0].tolist() == [-40, -30, -20, -10, 0, 10, 20, 30]     # column 0 of B
    assert Bt[7].tolist() == [-33, -23, -13, -3, 7, 17, 27, 37]      # column 7 of B
    with pytest.raises(TypeError, match="2-D int8 array, got float64"):
        widen_transpose(np.zeros((2, 2)))


def test_fast_gemm_reuses_the_one_wide_compiled_block(rng):
    # _compile_wide compiles the 2×2 block once with 256-bit vectors; a driver that called it
    # with other argument types would silently get a second, narrow compilation
    from minicompress.kernels import gemm
    A, B = int8(rng, (9, 40)), int8(rng, (40, 7))
    gemm_int8(A, B), gemm_int8(A, B, parallel=False), gemm_int8_prepared(A, prepare_b(B))
    if hasattr(gemm._block_2x2, "signatures"):                  # not under NUMBA_DISABLE_JIT=1
        assert len(gemm._block_2x2.signatures) == 1


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
