"""quantize / dequantize: golden examples, rounding modes, properties, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minicompress.quant import ROUNDING_MODES, dequantize, fake_quantize, qrange, quantize
from minicompress.quant.rounding import apply_rounding, round_half_away

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
weights = arrays(np.float64, st.integers(1, 40), elements=finite)
steps = st.floats(1e-3, 10.0)
bit_widths = st.integers(2, 16)


# --- golden examples, small enough to check by hand -------------------------------------------

def test_seed_example_codes():
    assert quantize([1.2, 2.5, 3.7], 0.1).tolist() == [12, 25, 37]


@pytest.mark.parametrize("x, away, even, floor", [
    (2.5, 3, 2, 2), (-2.5, -3, -2, -3), (3.5, 4, 4, 3), (0.5, 1, 0, 0), (-0.5, -1, 0, -1),
    (1.4, 1, 1, 1), (-1.6, -2, -2, -2), (0.49999999999999994, 0, 0, 0)])
def test_rounding_modes_by_hand(x, away, even, floor):
    assert quantize([x], 1.0, rounding="half_away")[0] == away
    assert quantize([x], 1.0, rounding="half_even")[0] == even
    assert quantize([x], 1.0, rounding="floor")[0] == floor


def test_ties_that_are_and_are_not_ties_in_float64():
    assert 0.25 / 0.1 == 2.5                            # a true tie: the modes differ
    assert quantize([0.25], 0.1).tolist() == [3] and quantize([0.25], 0.1, rounding="half_even").tolist() == [2]
    assert 0.15 / 0.1 < 1.5                             # not a tie: both give 1
    assert quantize([0.15], 0.1).tolist() == quantize([0.15], 0.1, rounding="half_even").tolist() == [1]


def test_clamping_and_zero_point_by_hand():
    assert quantize([-1.0, 0.3, 5.0], 0.1, bits=4).tolist() == [-8, 3, 7]
    assert quantize([-1.0, 0.3, 5.0], 0.1, bits=4, signed=False).tolist() == [0, 3, 15]
    assert quantize([-0.2, 0.0, 0.2], 0.1, bits=4, signed=False, zero_point=8).tolist() == [6, 8, 10]
    assert dequantize(np.array([6, 8, 10]), 0.1, zero_point=8).tolist() == pytest.approx([-0.2, 0.0, 0.2])
    assert quantize([-1.3], 1.0, bits=8, narrow=True).tolist() == [-1]


def test_qrange_by_hand():
    assert qrange(8) == (-128, 127) and qrange(8, narrow=True) == (-127, 127)
    assert qrange(8, signed=False) == (0, 255) and qrange(1) == (-1, 0) and qrange(1, signed=False) == (0, 1)
    assert qrange(16) == (-32768, 32767)


def test_per_channel_steps_run_along_the_given_axis():
    w = np.array([[1.0, -1.0], [10.0, 5.0]])
    codes = quantize(w, [0.5, 5.0], bits=8, axis=0)
    assert codes.tolist() == [[2, -2], [2, 1]]
    codes_cols = quantize(w, [0.5, 5.0], bits=8, axis=1)
    assert codes_cols.tolist() == [[2, 0], [20, 1]]
    assert np.allclose(dequantize(codes, [0.5, 5.0], axis=0), [[1.0, -1.0], [10.0, 5.0]])


# --- properties --------------------------------------------------------------------------------

@given(weights, steps, bit_widths, st.booleans(), st.sampled_from(ROUNDING_MODES))
def test_codes_lie_in_the_integer_range(w, q, bits, signed, rounding):
    codes = quantize(w, q, bits, signed, rounding, rng=0)
    lo, hi = qrange(bits, signed)
    assert codes.dtype == np.int32 and codes.min() >= lo and codes.max() <= hi


@given(weights, steps, st.sampled_from(["half_away", "half_even"]))
def test_error_is_at_most_half_a_step_inside_the_range(w, q, rounding):
    bits = 16
    lo, hi = qrange(bits)
    inside = (w / q >= lo) & (w / q <= hi)
    err = np.abs(fake_quantize(w, q, bits, rounding=rounding) - w)
    # exact in real arithmetic; the float64 products q·ŵ add at most a few ulps of |w|
    assert np.all(err[inside] <= q / 2 + 4 * np.spacing(np.abs(w[inside]) + q))


@given(weights, steps)
def test_floor_error_is_below_one_step(w, q):
    err = fake_quantize(w, q, rounding="floor") - w
    assert np.all(err <= 1e-9 * (1 + np.abs(w))) and np.all(err > -q - 1e-9 * (1 + np.abs(w)))


@given(weights, steps, bit_widths, st.sampled_from(["half_away", "half_even"]))
def test_quantize_dequantize_quantize_is_quantize(w, q, bits, rounding):
    codes = quantize(w, q, bits, rounding=rounding)
    assert np.array_equal(quantize(dequantize(codes, q), q, bits, rounding=rounding), codes)


def test_floor_is_not_idempotent_in_floating_point():
    """(q·c)/q can land a hair below c, and floor then drops a whole step (found by hypothesis)."""
    q = 5.812702534812233
    assert (q * -3) / q < -3
    codes = quantize([-12.0], q, bits=3, rounding="floor")
    assert codes.tolist() == [-3]
    assert quantize(dequantize(codes, q), q, bits=3, rounding="floor").tolist() == [-4]


@given(arrays(np.float64, 50, elements=st.floats(-20, 20)))
def test_half_away_is_symmetric_and_matches_a_decimal_reference(x):
    r = round_half_away(x)
    assert np.array_equal(r, -round_half_away(-x))
    from decimal import ROUND_HALF_UP, Decimal
    ref = [float(Decimal(v).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for v in x.tolist()]
    assert r.tolist() == ref


def test_stochastic_rounding_is_unbiased_and_seeded():
    x = np.full(200_000, 0.3)
    r = apply_rounding(x, "stochastic", rng=0)
    assert set(np.unique(r)) == {0.0, 1.0}
    # mean of 200,000 Bernoulli(0.3): standard error 0.001, so ±0.005 is 5 standard errors
    assert abs(r.mean() - 0.3) < 0.005
    assert np.array_equal(r, apply_rounding(x, "stochastic", rng=0))
    y = np.random.default_rng(1).normal(size=100_000) * 3
    assert abs(np.mean(apply_rounding(y, "stochastic", rng=2) - y)) < 0.01


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("q", [0.0, -0.1, float("nan"), float("inf")])
def test_bad_step(q):
    with pytest.raises(ValueError, match="q must be > 0 and finite"):
        quantize([1.0], q)


def test_bad_inputs_name_the_value():
    with pytest.raises(ValueError, match=r"w contains nan at index \(1,\)"):
        quantize([1.0, np.nan], 0.1)
    with pytest.raises(ValueError, match="w contains inf"):
        quantize([np.inf], 0.1)
    for bits in (0, 17, 2.5, True):
        with pytest.raises(ValueError, match="bits must be an integer from 1 to 16"):
            quantize([1.0], 0.1, bits=bits)
    with pytest.raises(ValueError, match="unknown rounding mode 'banker'"):
        quantize([1.0], 0.1, rounding="banker")
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        quantize(np.ones((2, 2)), [0.1, 0.2], axis=2)
    with pytest.raises(ValueError, match="axis= must say"):
        quantize(np.ones((2, 2)), [0.1, 0.2])
    with pytest.raises(ValueError, match="stochastic rounding needs rng"):
        quantize([0.5], 1.0, rounding="stochastic")
    with pytest.raises(OverflowError, match="beyond int32"):
        quantize([1e12], 1e-3)
    with pytest.raises(TypeError, match="codes must be integers"):
        dequantize(np.array([1.5]), 0.1)
    with pytest.raises(ValueError, match="fewer than two codes"):
        qrange(1, narrow=True)
