"""Observers and quantize_model: calibration, static/dynamic/weight-only, accuracy on the digits."""

import numpy as np
import pytest

from minicompress.data import digits_split
from minicompress.experiments import shared_teacher
from minicompress.nn import MLP, Linear, Sequential
from minicompress.quant import choose_qparams, make_observer, quantize_model, round_model
from minicompress.quant.model import layer_inputs
from minicompress.quant.observers import MovingAverageMinMaxObserver
from minicompress.train import evaluate, predict_logits


def test_minmax_and_moving_average_by_hand():
    mm = make_observer("minmax").observe(np.array([0.0, 2.0])).observe(np.array([-1.0, 1.0]))
    assert mm.range() == (-1.0, 2.0)
    ma = MovingAverageMinMaxObserver(averaging_constant=0.5)
    ma.observe(np.array([0.0, 2.0]))            # first batch sets [0, 2]
    ma.observe(np.array([-2.0, 4.0]))           # lo = 0 + 0.5(−2 − 0) = −1, hi = 2 + 0.5(4 − 2) = 3
    assert ma.range() == (-1.0, 3.0)


def test_percentile_clips_an_outlier_and_mse_prefers_a_tighter_range():
    g = np.random.default_rng(0)
    x = np.concatenate([g.uniform(0, 1, 100_000), [50.0]])
    lo, hi = make_observer("percentile", percentile=99.9).observe(x).range()
    assert 0.99 < hi < 1.0 and lo >= 0
    mse = make_observer("mse").observe(x)
    qp_mse, qp_mm = mse.qparams(4), make_observer("minmax").observe(x).qparams(4)
    assert qp_mse.q < qp_mm.q / 10
    assert np.mean((qp_mse.fake_quantize(x) - x) ** 2) < np.mean((qp_mm.fake_quantize(x) - x) ** 2)
    factors, curve = mse.curve
    assert len(factors) == len(curve) == 100 and curve.min() == curve[np.argmin(curve)]


def test_observer_errors():
    with pytest.raises(ValueError, match="observed no data"):
        make_observer("minmax").qparams(8)
    with pytest.raises(ValueError, match="unknown observer 'kl'"):
        make_observer("kl")
    with pytest.raises(ValueError, match="empty batch"):
        make_observer("minmax").observe(np.array([]))


def tiny_mlp():
    return MLP((4, 6, 3), rng=0)


def test_weight_only_model_uses_exactly_the_dequantized_codes():
    m = tiny_mlp()
    q = quantize_model(m, 4, mode="weight_only", per_channel=True)
    lin = q[0]
    qp = choose_qparams(m[0].weight.data, 4, "symmetric", axis=0)
    assert np.array_equal(lin.weight_codes, qp.quantize(m[0].weight.data))
    assert np.allclose(lin.weight.data, qp.dequantize(lin.weight_codes))
    assert np.abs(lin.weight_codes).max() <= 7
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    w1, w2 = q[0].weight.data, q[2].weight.data
    expected = np.maximum(x @ w1.T + m[0].bias.data, 0) @ w2.T + m[2].bias.data
    assert np.allclose(predict_logits(q, x), expected, atol=1e-5)


def test_the_float_model_is_not_modified():
    m = tiny_mlp()
    before = m.state_dict()
    quantize_model(m, 2, 2, mode="static", calib=np.ones((3, 4), np.float32))
    round_model(m, "bfloat16")
    assert all(np.array_equal(before[k], v) for k, v in m.state_dict().items())


def test_static_activations_use_the_calibrated_grid_and_dynamic_the_batch_range():
    m = tiny_mlp()
    calib = np.random.default_rng(0).uniform(0, 1, (32, 4)).astype(np.float32)
    static = quantize_model(m, 8, 4, mode="static", calib=calib)
    qp = static[0].act.qp
    hi = calib.max()
    assert np.isclose(qp.q, hi / 15) and qp.zero_point == 0      # range widened to [0, hi]
    x = np.array([[0.13, 0.5, 0.77, 5.0]], np.float32)
    assert np.allclose(static[0].act(x), qp.fake_quantize(x))            # 5.0 is clipped to the range
    assert static[0].act(x).max() <= hi + 1e-6
    dynamic = quantize_model(m, 8, 4, mode="dynamic")
    assert np.isclose(dynamic[0].act(x).max(), 5.0)                       # its own range covers 5.0
    hidden = layer_inputs(m, calib)[1]
    assert static[2].act.qp.q == choose_qparams(hidden, 4, "affine").q


def test_model_errors():
    m = tiny_mlp()
    with pytest.raises(ValueError, match="static quantization needs calibration data"):
        quantize_model(m, 8, 8, mode="static")
    with pytest.raises(ValueError, match="unknown mode 'adaptive'"):
        quantize_model(m, 8, 8, mode="adaptive")
    with pytest.raises(TypeError, match="Sequential of Linear and ReLU"):
        quantize_model(Linear(3, 2), 8)
    with pytest.raises(TypeError, match="Sequential of Linear and ReLU"):
        quantize_model(Sequential(Linear(3, 2), MLP((2, 2))), 8)
    with pytest.raises(ValueError, match="bits must be an integer from 1 to 16"):
        quantize_model(m, 0, mode="weight_only")


@pytest.mark.slow
def test_digits_int8_static_loses_at_most_half_a_point_and_low_bits_are_reported():
    teacher, _ = shared_teacher()
    split = digits_split()
    base = evaluate(teacher, split.test)
    int8 = quantize_model(teacher, 8, 8, mode="static", per_channel=True, calib=split.train.X)
    acc8 = evaluate(int8, split.test)
    assert acc8 >= base - 0.005, f"int8 static {acc8:.4f} vs float {base:.4f}"
    acc2 = evaluate(quantize_model(teacher, 2, mode="weight_only", per_channel=False), split.test)
    assert acc2 < base - 0.3            # 2-bit per-tensor (codes −1, 0, 1) loses most of the accuracy
