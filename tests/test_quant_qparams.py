"""choose_qparams: formulas by hand, zero exactly representable, per-channel, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minicompress.quant import MIN_STEP, choose_qparams, qparams_from_range, quant_error, quantize

values = arrays(np.float64, st.integers(1, 60), elements=st.floats(-100, 100))


def test_symmetric_formula_by_hand():
    qp = choose_qparams(np.array([-0.5, 0.25, 1.27]), 8)
    assert np.isclose(qp.q, 1.27 / 127) and qp.zero_point == 0 and (qp.qmin, qp.qmax) == (-127, 127)
    qp4 = choose_qparams(np.array([-3.5, 1.0]), 4)          # q = 3.5 / 7 = 0.5
    assert np.isclose(qp4.q, 0.5) and qp4.quantize([-3.5, 1.0, 1.25]).tolist() == [-7, 2, 3]


def test_affine_formula_by_hand():
    qp = choose_qparams(np.array([-1.0, 2.0]), 2, "affine")  # q = 3/3 = 1, z = 0 − round(−1) = 1
    assert np.isclose(qp.q, 1.0) and qp.zero_point == 1
    assert qp.quantize([-1.0, 0.0, 1.0, 2.0]).tolist() == [0, 1, 2, 3]
    pos = choose_qparams(np.array([0.5, 6.0]), 8, "affine")  # range widened to [0, 6]: z = 0
    assert pos.zero_point == 0 and np.isclose(pos.q, 6 / 255)


@given(values, st.integers(2, 16))
def test_affine_zero_is_exactly_representable(x, bits):
    qp = choose_qparams(x, bits, "affine")
    assert qp.dequantize(qp.quantize(np.array([0.0])))[0] == 0.0
    assert qp.qmin <= qp.zero_point <= qp.qmax


@given(values, st.integers(2, 16), st.sampled_from(["symmetric", "affine"]))
def test_the_chosen_range_covers_the_data_within_half_a_step(x, bits, scheme):
    qp = choose_qparams(x, bits, scheme)
    err = np.abs(qp.fake_quantize(x) - x)
    # affine too: z = qmin − round(lo/q) puts the lowest grid point within q/2 of lo, and the top
    # one within q/2 of hi, so every value is within half a step (a truncated z is not)
    assert np.all(err <= float(qp.q) / 2 + 1e-9)


def test_affine_zero_point_is_rounded_by_hand():
    """[−1.0, 0.6] at 2 bits: q = 1.6/3 = 0.5333, lo/q = −1.875, so z = 0 − round(−1.875) = 2.

    The grid is q·(c − 2) for c = 0..3: −1.0667, −0.5333, 0, 0.5333; −1.0 and 0.6 are both 0.0667 away.
    A zero point truncated to 1 would shift the grid up a step, and −1.0 would be 0.4667 away (> q/2)."""
    qp = qparams_from_range(-1.0, 0.6, 2, "affine")
    assert np.isclose(qp.q, 1.6 / 3) and int(qp.zero_point) == 2
    assert qp.quantize([-1.0, 0.0, 0.6]).tolist() == [0, 2, 3]
    assert np.abs(qp.fake_quantize([-1.0, 0.6]) - [-1.0, 0.6]).max() <= float(qp.q) / 2


@given(arrays(np.float64, (4, 6), elements=st.floats(-10, 10)), st.integers(2, 8))
def test_per_channel_worst_case_bound_never_exceeds_per_tensor(w, bits):
    """Each channel's step is at most the tensor's, so its error bound q_c/2 is at most q/2.

    (An all-zero row gets the floor MIN_STEP; any step represents it exactly.)
    """
    t = choose_qparams(w, bits, "symmetric")
    c = choose_qparams(w, bits, "symmetric", axis=0)
    used = np.abs(w).max(axis=1) > 0
    assert np.all(c.q[used] <= t.q * (1 + 1e-12))
    err = np.abs(c.fake_quantize(w) - w)
    assert np.all(err.max(axis=1) <= c.q / 2 + 1e-9) and np.all(err[~used] == 0)
    assert err.max() <= float(t.q) / 2 + 1e-9


def test_per_channel_mse_is_not_always_smaller_a_counterexample_by_hand():
    """A finer grid is not always closer: per channel can lose on a particular tensor.

    Row 1 = [0.6, 0.3] at 8 bits. Per tensor (q = 1/127) the codes 76 and 38 leave
    errors 0.2q and 0.1q. Per channel (q = 0.6/127) 0.6 is exact but 0.3 sits at
    63.5 steps, a tie, error 0.5·0.6/127 — larger in total.
    """
    w = np.array([[1.0, 1.0], [0.6, 0.3]])
    t = choose_qparams(w, 8, "symmetric")
    c = choose_qparams(w, 8, "symmetric", axis=0)
    mse_t = np.mean((t.fake_quantize(w) - w) ** 2)
    mse_c = np.mean((c.fake_quantize(w) - w) ** 2)
    assert mse_c > mse_t


def test_per_channel_mse_is_smaller_on_rows_of_different_scale():
    """The usual case: rows of very different magnitudes, as in trained layers."""
    g = np.random.default_rng(0)
    w = g.normal(size=(64, 128)) * g.uniform(0.05, 2.0, (64, 1))
    for bits in (2, 4, 8):
        t = choose_qparams(w, bits, "symmetric")
        c = choose_qparams(w, bits, "symmetric", axis=0)
        assert np.mean((c.fake_quantize(w) - w) ** 2) < 0.8 * np.mean((t.fake_quantize(w) - w) ** 2)


def test_all_zero_input_and_dead_channels_get_the_one_floor():
    qp = choose_qparams(np.zeros(5), 8, "affine")
    assert qp.q == MIN_STEP == np.finfo(np.float32).eps and qp.fake_quantize(np.zeros(5)).tolist() == [0.0] * 5
    pc = choose_qparams(np.array([[0.0, 0.0], [1.0, -2.0], [1e-22, -3e-22]]), 4, axis=0)
    assert pc.q[0] == MIN_STEP and np.isclose(pc.q[1], 2 / 7) and pc.q[2] == MIN_STEP
    assert pc.quantize(np.array([[0.0, 0.0], [1.0, -2.0], [1e-22, -3e-22]]))[2].tolist() == [0, 0]


def test_errors():
    with pytest.raises(ValueError, match="unknown scheme 'asym'"):
        choose_qparams(np.ones(3), 8, "asym")
    with pytest.raises(ValueError, match="empty array"):
        choose_qparams(np.array([]), 8)
    with pytest.raises(ValueError, match="axis=3 is out of range"):
        choose_qparams(np.ones((2, 2)), 8, axis=3)
    with pytest.raises(ValueError, match="contains nan"):
        choose_qparams(np.array([1.0, np.nan]), 8)
    with pytest.raises(ValueError, match="symmetric scheme is signed"):
        qparams_from_range(0.0, 1.0, 8, "symmetric", signed=False)
    with pytest.raises(ValueError, match="lo <= hi"):
        qparams_from_range(1.0, 0.0, 8)
    with pytest.raises(ValueError, match="bits must be an integer from 1 to 16"):
        choose_qparams(np.ones(3), 17)


def test_quant_error_splits_exactly_into_rounding_and_clipping():
    w = np.random.default_rng(3).normal(size=5000) * 2
    e = quant_error(w, 0.05, bits=6)
    assert np.isclose(e.rounding_mse + e.clipping_mse, e.mse) and e.clipped_fraction > 0
    assert e.max_abs_in_range <= 0.025 + 1e-12 and e.max_abs > 0.5
    assert np.isclose(e.sqnr_db, 10 * np.log10(np.sum(w ** 2) / (e.mse * w.size)))
    assert quantize(w, 0.05, bits=6).min() == -32


def test_a_subnormal_range_still_gets_a_positive_step():
    """Found by hypothesis: 5e-324 / 3 underflows to 0; the step is the floor MIN_STEP instead."""
    qp = choose_qparams(np.array([5e-324, 1.0]), 3, axis=None)
    assert qp.q > 0
    tiny = choose_qparams(np.array([[5e-324, 0.0], [1.0, 0.0]]), 3, axis=0)
    assert tiny.q[0] == MIN_STEP and np.isclose(tiny.q[1], 1 / 3)
    assert np.all(tiny.fake_quantize(np.array([[5e-324, 0.0], [1.0, 0.0]])) == [[0.0, 0.0], [1.0, 0.0]])
