"""QAT and LSQ: the STE against a smoothed staircase, LSQ's step gradient, ranges, accuracy, conversion."""

import numpy as np
import pytest

from minicompress import Tensor
from minicompress.data import digits_split
from minicompress.experiments import shared_teacher
from minicompress.experiments.qat import train_quantized
from minicompress.integer import IntegerMLP
from minicompress.nn import MLP
from minicompress.quant import fake_quantize_ste, qrange, quantize_model
from minicompress.quant.qat import LSQLinear, QATLinear, lsq_quant, prepare_qat, to_float_mlp
from minicompress.train import evaluate


def smoothed_staircase(x, q, qmin, qmax, beta=60.0):
    """A differentiable staircase: each step is a steep sigmoid; outside [qmin, qmax]·q it is flat."""
    v = x / q
    f = np.floor(v)
    s = q * (f + 1 / (1 + np.exp(-beta * (v - f - 0.5))))
    return np.clip(s, q * qmin, q * qmax)


def test_ste_is_the_average_slope_of_a_smoothed_staircase():
    """Over one step the smoothed staircase rises by q, so its mean slope is 1 — what the STE passes
    everywhere inside; beyond the clamp the slope is 0, and so is the STE's."""
    q, (qmin, qmax), h = 0.25, qrange(3), 1e-6
    for a, ste in ((0.0, 1.0), (-0.5, 1.0), (1.5, 0.0), (-2.0, 0.0)):
        xs = np.linspace(a, a + q, 2001)[:-1]
        slope = (smoothed_staircase(xs + h, q, qmin, qmax) - smoothed_staircase(xs - h, q, qmin, qmax)) / (2 * h)
        t = Tensor(xs, requires_grad=True)
        fake_quantize_ste(t, q, 3).sum().backward()          # 3-bit codes: [qmin, qmax] = [−4, 3]
        assert abs(slope.mean() - ste) < 0.01 and abs(t.grad.mean() - ste) < 0.01


def test_lsq_step_gradient_against_finite_differences():
    """Away from jumps, d/ds [s·round(w/s)] = round(w/s) by central differences; LSQ adds the STE term
    −w/s inside the range and equals the difference quotient (qmin or qmax) outside."""
    w, s, h = np.array([0.33, -0.71, 0.05, 2.6, -3.9]), 0.2, 1e-7
    fd = ((s + h) * np.clip(np.round(w / (s + h)), -7, 7) - (s - h) * np.clip(np.round(w / (s - h)), -7, 7)) / (2 * h)
    for i in range(len(w)):
        step = Tensor(np.array([s]), requires_grad=True)
        (lsq_quant(Tensor(w), step, -7, 7, grad_scale=1.0) * np.eye(len(w))[i]).sum().backward()
        expected = fd[i] - w[i] / s if abs(w[i] / s) <= 7 else fd[i]
        assert np.isclose(step.grad[0], expected, atol=1e-5)


def test_lsq_gradient_scale_and_per_channel_sum():
    w = np.array([[0.31, -0.2], [1.0, 0.07]])
    steps = Tensor(np.array([0.1, 0.5]), requires_grad=True)
    lsq_quant(Tensor(w), steps, -3, 3, grad_scale=0.5, axis=0).sum().backward()
    v = w / np.array([[0.1], [0.5]])
    code = np.clip(np.round(v), -3, 3)
    per = np.where(np.abs(v) <= 3, code - v, code)
    assert np.allclose(steps.grad, 0.5 * per.sum(axis=1))


def test_qat_layers_track_activation_ranges_in_training_and_freeze_in_eval():
    model = prepare_qat(MLP((3, 4, 2), rng=0), 4, 8, calib=np.zeros((2, 3), np.float32) + 0.5)
    layer = model[0]
    assert isinstance(layer, QATLinear) and layer.observer.range() == (0.5, 0.5)
    model.train()
    model(Tensor(np.full((2, 3), 2.5, np.float32)))
    assert np.isclose(layer.observer.range()[1], 0.5 + 0.01 * (2.5 - 0.5))     # moving average, c = 0.01
    frozen = layer.observer.range()
    model.eval()
    model(Tensor(np.full((2, 3), 9.0, np.float32)))
    assert layer.observer.range() == frozen


def test_qat_uses_the_ptq_observer_and_steps():
    """The same moving-average observer as static PTQ, and the same choose_qparams for the weights."""
    from minicompress.quant import choose_qparams, make_observer
    model = prepare_qat(MLP((3, 4, 2), rng=0), 4, 8, calib=np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3))
    layer = model[0]
    assert type(layer.observer) is type(make_observer("moving_average"))
    assert np.array_equal(layer.weight_step(), choose_qparams(layer.weight.data, 4, "symmetric", axis=0).q)


def test_lsq_module_scales_the_step_gradient_by_one_over_sqrt_n_qp():
    """Through LSQLinear: ∂L/∂q_c = g · Σ_k ∂L/∂ŵ_ck · (round(w/q) − w/q, or the clamp), g = 1/√(N·Qp),
    with N the weights that share the step (in_features = 5 per channel here) and Qp = 3 at 3 bits."""
    model = prepare_qat(MLP((5, 4), rng=0), 3, None, method="lsq")
    layer = model[0]
    x = np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32)
    out = layer(Tensor(x))
    upstream = np.random.default_rng(1).normal(size=out.shape).astype(np.float32)
    out.backward(upstream)
    q = layer.w_step.data.reshape(-1, 1).astype(np.float64)
    v = layer.weight.data / q
    code = np.clip(np.round(v), -3, 3)
    local = np.where(np.abs(v) <= 3, code - v, code)                  # ∂ŵ/∂q per weight
    dw = upstream.T.astype(np.float64) @ x                           # ∂L/∂ŵ: (out, in)
    g = 1 / np.sqrt(5 * 3)
    assert np.allclose(layer.w_step.grad, g * (dw * local).sum(axis=1), rtol=1e-4, atol=1e-6)
    assert not np.allclose(layer.w_step.grad, (dw * local).sum(axis=1) / np.sqrt(3), rtol=1e-2)   # N matters


def test_qat_weights_sit_on_their_grid():
    model = prepare_qat(MLP((5, 4, 3), rng=0), 3, None)
    w = model[0].quantized_weight()
    s = model[0].weight_step().reshape(-1, 1)
    assert np.allclose(w / s, np.round(w / s)) and np.abs(np.round(w / s)).max() <= 3
    lsq = prepare_qat(MLP((5, 4, 3), rng=0), 3, None, method="lsq")
    assert isinstance(lsq[0], LSQLinear) and lsq[0].w_step.shape == (4,)


def test_errors():
    m = MLP((3, 2), rng=0)
    with pytest.raises(ValueError, match="unknown method 'dorefa'"):
        prepare_qat(m, 2, 8, method="dorefa")
    with pytest.raises(ValueError, match="bits must be an integer"):
        prepare_qat(m, 0, 8)
    with pytest.raises(ValueError, match="step sizes must stay > 0"):
        lsq_quant(Tensor(np.ones(2)), Tensor(np.array([-0.1]), requires_grad=True), -1, 1, 1.0)


@pytest.mark.slow
def test_qat_reaches_the_accuracy_targets_and_converts_to_integers():
    teacher, _ = shared_teacher()
    split = digits_split()
    from minicompress.stats import paired_bootstrap
    from minicompress.train import correct_matrix
    ptq2 = quantize_model(teacher, 2, 8, mode="static", calib=split.train.X)
    qat2 = [train_quantized(teacher, split, 2, "qat", k, epochs=30)[0] for k in range(3)]
    acc2 = [evaluate(m, split.test) for m in qat2]
    acc3 = [evaluate(train_quantized(teacher, split, 3, "qat", k, epochs=30)[0], split.test) for k in range(3)]
    assert np.mean(acc2) >= 0.97 and np.mean(acc3) >= 0.975, (acc2, acc3)
    # post-training rounding to nearest at 2 bits falls far lower: by 30 points at least, on the same images
    gain = paired_bootstrap(correct_matrix(qat2, split.test), correct_matrix([ptq2], split.test))
    assert gain.low > 0.30, gain
    integer = IntegerMLP.from_float(to_float_mlp(qat2[0]), split.train.X, weight_bits=2)
    assert abs(integer.accuracy(split.test) - acc2[0]) <= 0.005
