"""SGD and Adam against updates computed by hand."""

import numpy as np
import pytest

from minicompress.nn import Parameter
from minicompress.optim import SGD, Adam


def with_grad(values, grad):
    p = Parameter(np.array(values, dtype=np.float64))
    p.grad = np.array(grad, dtype=np.float64)
    return p


def test_sgd_plain_step():
    p = with_grad([1.0, -2.0], [0.5, -1.0])
    SGD([p], lr=0.1).step()
    assert np.allclose(p.data, [0.95, -1.9])


def test_sgd_momentum_and_weight_decay_two_steps_by_hand():
    # g' = g + λw;  v = μv + g' (v = g' first);  w -= lr·v, with g = 0.5, λ = 0.1, μ = 0.9, lr = 0.1
    # step 1: g' = 0.6,   v = 0.6,                 w = 1 − 0.06 = 0.94
    # step 2: g' = 0.594, v = 0.9·0.6 + 0.594 = 1.134, w = 0.94 − 0.1134 = 0.8266
    p = with_grad([1.0], [0.5])
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    opt.step()
    assert np.isclose(p.data[0], 0.94)
    p.grad = np.array([0.5])
    opt.step()
    assert np.isclose(p.data[0], 0.8266)


def test_adam_with_a_constant_gradient_moves_lr_times_sign_each_step():
    # With g constant, bias correction makes m̂ = g and v̂ = g² exactly, so
    # each step is lr·g/(|g| + ε) ≈ lr·sign(g), whatever the size of g.
    p = with_grad([1.0, -2.0], [0.3, -4.0])
    opt = Adam([p], lr=0.01)
    for _ in range(3):
        p.grad = np.array([0.3, -4.0])
        opt.step()
    assert np.allclose(p.data, [0.97, -1.97], atol=1e-6)


def test_zero_grad_sets_none_and_step_skips_params_without_grad():
    a, b = with_grad([1.0], [1.0]), Parameter(np.array([5.0]))
    opt = SGD([a, b], lr=0.5)
    opt.step()
    assert a.data[0] == 0.5 and b.data[0] == 5.0
    opt.zero_grad()
    assert a.grad is None


def test_optimizer_input_errors():
    p = with_grad([1.0], [1.0])
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate must be a finite number > 0, got lr=0"):
        SGD([p], lr=0)
    with pytest.raises(ValueError, match="momentum"):
        SGD([p], lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="betas"):
        Adam([p], betas=(0.9, 1.0))
