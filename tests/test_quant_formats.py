"""Fixed point and low-precision floats: bit-exact against NumPy's float16 and the bfloat16 bit rule."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minicompress.quant import fixed_codes, fixed_range, round_to_float, to_fixed, to_low_precision


def bfloat16_by_bits(x32: np.ndarray) -> np.ndarray:
    """Round float32 to bfloat16 on the bit pattern: add 0x7FFF plus the lowest kept bit, cut 16 bits."""
    bits = x32.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


special = np.array([0.0, -0.0, 1.0, 0.1, 65504.0, 65519.99, 65520.0, 6.1e-5, 5.96e-8, 2.98e-8, 2.99e-8,
                    1 + 2 ** -11, 1 + 3 * 2 ** -11, -7.5e-6, 1e-9, 3e38])


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
def test_float16_equals_numpy_bit_for_bit_on_special_values():
    ours = round_to_float(special, 5, 10)
    assert np.array_equal(ours, special.astype(np.float16).astype(np.float64))


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
@given(arrays(np.float64, 64, elements=st.floats(-7e4, 7e4, allow_nan=False) | st.floats(-1e-4, 1e-4)))
def test_float16_equals_numpy_on_random_values(x):
    assert np.array_equal(round_to_float(x, 5, 10), x.astype(np.float16).astype(np.float64))


@given(arrays(np.float32, 64, elements=st.floats(width=32, allow_nan=False, allow_infinity=False)))
def test_bfloat16_equals_the_bit_rule_on_float32_values(x):
    assert np.array_equal(to_low_precision(x, "bfloat16"), bfloat16_by_bits(x).astype(np.float64))


def test_float32_format_is_the_identity_on_float32_values():
    x = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    assert np.array_equal(to_low_precision(x, "float32"), x.astype(np.float64))


def test_fixed_point_by_hand():
    assert fixed_range(3, 4) == (-8.0, 7.9375, 0.0625)
    assert fixed_range(0, 7) == (-1.0, 1 - 2 ** -7, 2 ** -7)          # Q0.7: int8 in [−1, 1)
    assert fixed_range(4, 4, signed=False) == (0.0, 16 - 1 / 16, 1 / 16)
    assert to_fixed([0.1, 1.03125, 100.0, -9.0], 3, 4).tolist() == [0.125, 1.0625, 7.9375, -8.0]
    assert fixed_codes([0.1, 100.0], 3, 4).tolist() == [2, 127]


@given(arrays(np.float64, 30, elements=st.floats(-20, 20)), st.integers(0, 6), st.integers(0, 8))
def test_fixed_point_saturates_and_stays_within_half_a_step(w, m, n):
    lo, hi, q = fixed_range(m, n)
    f = to_fixed(w, m, n)
    assert f.min() >= lo and f.max() <= hi
    inside = (w >= lo) & (w <= hi)
    assert np.all(np.abs(f - w)[inside] <= q / 2 + 1e-12)
    assert np.all(f[w > hi] == hi) and np.all(f[w < lo] == lo)


def test_format_errors():
    with pytest.raises(ValueError, match="unknown float format 'float8'"):
        to_low_precision(1.0, "float8")
    with pytest.raises(ValueError, match="needs 18 bits"):
        fixed_range(9, 8)
    with pytest.raises(ValueError, match="m >= 0"):
        fixed_range(-1, 4)
