"""IntegerMLP: integers only, agreement with the float64 simulation, accuracy, replay, conventions."""

import numpy as np
import pytest

from minicompress.data import digits_split
from minicompress.experiments import shared_teacher
from minicompress.integer import IntegerMLP
from minicompress.integer.mlp import simulate_layer
from minicompress.integer.replay import replay
from minicompress.nn import MLP, Linear
from minicompress.quant.conventions import activation_conventions, conventions_table, weight_conventions
from minicompress.train import evaluate


@pytest.fixture(scope="module")
def small():
    model = MLP((8, 16, 12, 4), rng=3)
    X = np.random.default_rng(0).uniform(0, 1, (200, 8)).astype(np.float32)
    return model, X, IntegerMLP.from_float(model, X)


def test_every_value_in_the_forward_pass_is_an_integer(small):
    _, X, im = small
    codes = im.forward_all(X)
    assert [c.dtype for c in codes] == [np.int8] * 4
    for L in im.layers:
        assert L.w_t.dtype == np.int8 and L.fused.packed.panels.dtype == np.int16 and L.bias.dtype == np.int32
        assert L.M0.dtype == np.int64 and L.n.dtype == np.int64
        assert isinstance(L.z_in, int) and isinstance(L.z_out, int)


def test_relu_is_a_clamp_at_the_output_zero_point(small):
    _, X, im = small
    codes = im.forward_all(X)
    for L, out in zip(im.layers, codes[1:]):
        if L.relu:
            assert out.min() >= L.z_out and L.lo == L.z_out
    assert not im.layers[-1].relu


def _tie_margin(L):
    """Where the exact value is closer than this to a half-integer, the two roundings may differ:
    the first rounding (srdhm) works at a resolution of 2^−n of the final code."""
    return 2.0 ** (-(L.n.astype(float) + 1)) + 1e-9


def test_integer_layers_equal_the_float64_simulation_away_from_ties(small):
    _, X, im = small
    codes = im.forward_all(X)
    for L, x_q, y_q in zip(im.layers, codes[:-1], codes[1:]):
        sim, v = simulate_layer(L, x_q)
        assert np.abs(sim - y_q).max() <= 1
        dist = np.abs(np.abs(v - np.trunc(v)) - 0.5)                 # distance to the nearest tie
        clear = dist > _tie_margin(L)
        assert np.array_equal(sim[clear], y_q[clear].astype(np.int64))


def test_end_to_end_logits_within_one_step_of_the_simulation(small):
    _, X, im = small
    assert np.abs(im.forward_codes(X).astype(np.int64) - im.simulate_codes(X)).max() <= 1


def test_logits_dequantize_close_to_the_float_model(small):
    model, X, im = small
    float_logits = im.float_logits(X)
    assert np.abs(im(X) - float_logits).max() < 8 * im.layers[-1].q_out


def test_dead_rows_with_tiny_weights_do_not_overflow_the_bias():
    m = MLP((4, 3, 2), rng=0)
    m[0].weight.data[1] = 1e-22                                      # a "dead" neuron
    m[0].bias.data[1] = -0.5
    X = np.random.default_rng(0).uniform(0, 1, (20, 4)).astype(np.float32)
    im = IntegerMLP.from_float(m, X)
    assert np.all(im.layers[0].w_t[:, 1] == 0)
    assert np.abs(im(X) - im.float_logits(X)).max() < 0.1


def test_replay_lands_on_the_kernel_code_and_shows_the_chain(small):
    _, X, im = small
    for layer, neuron in ((0, 3), (1, 0), (2, 2)):
        r = replay(im, X[7], layer, neuron)
        assert r["y_c"] == r["kernel_code"] == im.forward_all(X[7:8])[layer + 1][0, neuron]
        assert r["acc"] == int(r["products"].sum()) + int(im.layers[layer].b_c[neuron])
        for word in ("accumulator", "srdhm", "M0", "clamp", "the same code"):
            assert word in r["text"]
    with pytest.raises(ValueError, match="neuron must be in"):
        replay(im, X[0], 0, 99)


def test_from_float_errors():
    m = MLP((4, 3, 2), rng=0)
    with pytest.raises(ValueError, match="needs calibration data"):
        IntegerMLP.from_float(m, None)
    with pytest.raises(TypeError, match="Sequential of Linear and ReLU"):
        IntegerMLP.from_float(Linear(4, 2), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="weight_bits must be 2..8"):
        IntegerMLP.from_float(m, np.zeros((2, 4)), weight_bits=16)


def test_conventions_by_hand():
    x = np.array([-1.0, 3.0])                  # widened range [−1, 3]
    rows = {c.name: c for c in activation_conventions(x)}
    assert np.isclose(rows["PyTorch static"].q, 4 / 255) and rows["PyTorch static"].zero_point == 64
    # −1/(4/255) = −63.75: z = 0 + 63.75 → 64 with either tie rule
    assert rows["minicompress"].zero_point == -128 + 64
    assert np.isclose(rows["PyTorch dynamic"].q, 4 / 127)
    w = {c.name: c for c in weight_conventions(np.array([0.5, -2.54]))}
    assert np.isclose(w["minicompress"].q, 0.02) and np.isclose(w["PyTorch"].q, 2.54 / 127.5)
    text = conventions_table(x, np.array([0.5, -2.54]))
    assert "TFLite" in text and "ONNX Runtime" in text and "ties" in text


@pytest.mark.slow
def test_integer_only_teacher_is_within_half_a_point_of_float():
    teacher, _ = shared_teacher()
    split = digits_split()
    acc = IntegerMLP.from_float(teacher, split.train.X).accuracy(split.test)
    assert acc >= evaluate(teacher, split.test) - 0.005
