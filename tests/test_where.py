"""Where to compress: Hessian traces against closed forms, thinning that keeps the function, mixed precision."""

import numpy as np
import pytest

from minicompress.nn import MLP, Linear, Sequential
from minicompress.prune.neurons import agp_schedule, keep_top, thin, unit_importance
from minicompress.quant.sensitivity import (
    exact_hessian,
    hutchinson_trace,
    layer_loss_grad,
    second_order_increase,
    softmax_regression_trace,
)
from minicompress.train import predict_logits


def _softmax_regression(seed=0, n=40, d=5, c=3):
    g = np.random.default_rng(seed)
    model = Sequential(Linear(d, c, rng=seed, dtype=np.float64))
    return model, g.normal(size=(n, d)), g.integers(0, c, n)


def test_the_exact_hessian_of_softmax_regression_matches_its_closed_form_trace():
    model, X, y = _softmax_regression()
    H = exact_hessian(model, model[0], X, y, eps=1e-5)
    assert np.allclose(H, H.T)
    assert np.trace(H) == pytest.approx(softmax_regression_trace(model[0].weight.data, X, model[0].bias.data), rel=1e-6)


def test_hutchinson_agrees_with_the_exact_trace_within_its_sampling_error():
    model, X, y = _softmax_regression(seed=1)
    exact = softmax_regression_trace(model[0].weight.data, X, model[0].bias.data)
    est = hutchinson_trace(model, model[0], X, y, samples=200, rng=0, eps=1e-5)
    assert abs(est.estimate - exact) <= 3 * est.stderr
    # and on a tiny two-layer MLP, against its full finite-difference Hessian
    mlp = MLP((4, 3, 2), rng=2)
    for m in mlp:
        if isinstance(m, Linear):
            m.weight.data = m.weight.data.astype(np.float64)
            m.bias.data = m.bias.data.astype(np.float64)
    Xs = np.random.default_rng(3).normal(size=(30, 4))
    ys = np.random.default_rng(4).integers(0, 2, 30)
    exact = np.trace(exact_hessian(mlp, mlp[0], Xs, ys, eps=1e-5))
    est = hutchinson_trace(mlp, mlp[0], Xs, ys, samples=300, rng=1, eps=1e-5)
    assert abs(est.estimate - exact) <= 3 * est.stderr + 1e-9


def test_second_order_prediction_matches_a_small_step():
    model, X, y = _softmax_regression(seed=2)
    lin = model[0]
    delta = 1e-2 * np.random.default_rng(5).normal(size=lin.weight.data.shape)
    base, g = layer_loss_grad(model, lin, X, y)
    moved, _ = layer_loss_grad(model, lin, X, y, lin.weight.data + delta)
    curvature = moved - base - np.sum(g * delta)                   # what is left after the gradient term
    assert second_order_increase(model, lin, X, y, delta, eps=1e-5) == pytest.approx(curvature, rel=1e-2)


def test_thinning_all_units_kept_is_the_same_function_and_removing_them_shrinks_it():
    model = MLP((6, 8, 7, 3), rng=0)
    x = np.random.default_rng(0).normal(size=(10, 6)).astype(np.float32)
    same = thin(model, [np.arange(8), np.arange(7)])
    assert np.array_equal(predict_logits(same, x), predict_logits(model, x))
    small = thin(model, [np.array([0, 2, 5]), np.array([1, 6])])
    assert [m.weight.data.shape for m in small if isinstance(m, Linear)] == [(3, 6), (2, 3), (3, 2)]
    # removing a unit whose outgoing weights are 0 changes nothing
    model[2].weight.data[:, 4] = 0
    model[4].weight.data[:, 3] = 0
    cut = thin(model, [np.setdiff1d(np.arange(8), [4]), np.setdiff1d(np.arange(7), [3])])
    assert np.allclose(predict_logits(cut, x), predict_logits(model, x), atol=1e-6)


def test_importances_rank_a_dead_unit_last():
    model = MLP((6, 8, 3), rng=0)
    model[0].weight.data[5] = 0                                    # unit 5 receives nothing
    model[0].bias.data[5] = -1                                     # and never fires
    X = np.random.default_rng(0).normal(size=(50, 6)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 3, 50)
    for method in ("norm", "activation", "taylor"):
        (scores,) = unit_importance(model, method, X, y)
        assert np.argmin(scores) == 5, method
        assert 5 not in keep_top([scores], 0.5)[0]
    with pytest.raises(ValueError, match="needs calibration images"):
        unit_importance(model, "activation")


def test_agp_removes_most_early_and_reaches_the_target():
    s = agp_schedule(0.8, 5)
    assert s[-1] == pytest.approx(0.8) and all(np.diff(s) > 0) and np.all(np.diff(np.diff(s)) < 0)


def test_mixed_precision_models_bill_each_layers_own_width():
    from minicompress.bill import storage_bill
    from minicompress.quant.calibrated import round_weights
    model = MLP((6, 8, 3), rng=0)
    X = np.random.default_rng(0).normal(size=(32, 6))
    bills = {bits: storage_bill(round_weights(model, bits, X, "gptq", step="max")).total
             for bits in ((2, 2), (8, 2), (2, 8), (None, 2))}
    # 48 weights in layer 1, 24 in layer 2: going from 2 to 8 bits adds 6 bits per weight
    assert bills[(8, 2)] - bills[(2, 2)] == 48 * 6 // 8
    assert bills[(2, 8)] - bills[(2, 2)] == 24 * 6 // 8
    assert bills[(None, 2)] > bills[(8, 2)]                        # a float layer stores 32 bits per weight
    with pytest.raises(ValueError, match="one per layer"):
        round_weights(model, (2, 2, 2), X)
