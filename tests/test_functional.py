"""linear, softmax, log_softmax, cross_entropy, mse: gradients, closed forms, stability, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minicompress.functional as F
from minicompress import Tensor, gradcheck


def check(fn, *inputs):
    report = gradcheck(fn, *inputs)
    assert report.ok, "\n" + str(report)


def composed_log_softmax(z, T):
    """The same formula from elementary ops, to compare the fused op with."""
    s = z / T
    shifted = s - Tensor(s.data.max(axis=-1, keepdims=True))
    return shifted - shifted.exp().sum(axis=-1, keepdims=True).log()


def test_linear_gradients_with_and_without_bias(rng):
    x, W, b = rng.normal(size=(4, 5)), rng.normal(size=(3, 5)), rng.normal(size=3)
    check(lambda x, W, b: F.linear(x, W, b), x, W, b)
    check(lambda x, W: F.linear(x, W), x, W)


def test_linear_equals_x_times_w_transposed_plus_b(rng):
    x, W, b = rng.normal(size=(4, 5)), rng.normal(size=(3, 5)), rng.normal(size=3)
    assert np.allclose(F.linear(x, W, b).data, x @ W.T + b)


@pytest.mark.parametrize("T", [1.0, 0.5, 4.0])
def test_softmax_and_log_softmax_gradients(rng, T):
    z = rng.normal(0, 2, (3, 6))
    check(lambda z: F.softmax(z, T), z)
    check(lambda z: F.log_softmax(z, T), z)


@pytest.mark.parametrize("T", [1.0, 3.0])
def test_fused_log_softmax_equals_the_composed_formula(rng, T):
    z = rng.normal(0, 3, (4, 7))
    weights = rng.normal(size=(4, 7))
    a, b = Tensor(z, requires_grad=True), Tensor(z, requires_grad=True)
    fa, fb = F.log_softmax(a, T), composed_log_softmax(b, T)
    assert np.allclose(fa.data, fb.data, atol=1e-12)
    (fa * weights).sum().backward()
    (fb * weights).sum().backward()
    assert np.allclose(a.grad, b.grad, atol=1e-12)


def test_softmax_golden_and_temperature_limits():
    assert np.allclose(F.softmax(np.array([0.0, np.log(3.0)])).data, [0.25, 0.75])
    z = np.array([2.0, 1.0, 0.0])
    assert np.allclose(F.softmax(z, T=1e6).data, 1 / 3, atol=1e-6)        # T → ∞: uniform
    assert np.allclose(F.softmax(z, T=1e-3).data, [1, 0, 0], atol=1e-12)  # T → 0: one-hot


def test_log_softmax_is_stable_for_huge_logits():
    z = np.array([[1e4, 0.0, -1e4], [5e3, 5e3, 5e3]])
    logp = F.log_softmax(z).data
    assert np.all(np.isfinite(logp))
    assert np.allclose(logp[0], [0.0, -1e4, -2e4])
    assert np.allclose(logp[1], -np.log(3))
    assert np.allclose(F.softmax(z).data[0], [1.0, 0.0, 0.0])


@given(st.lists(st.floats(-50, 50), min_size=2, max_size=12), st.floats(0.1, 20))
def test_softmax_is_a_distribution_and_shift_invariant(values, T):
    z = np.array(values)
    p = F.softmax(z, T).data
    assert np.all(p >= 0) and np.isclose(p.sum(), 1.0)
    assert np.allclose(F.softmax(z + 123.0, T).data, p, atol=1e-12)


def test_cross_entropy_golden_gradient_and_reductions(rng):
    assert np.isclose(F.cross_entropy(np.zeros((2, 4)), np.array([1, 3])).item(), np.log(4))
    # logits [ln 1, ln 3] with label 1: −log(3/4)
    assert np.isclose(F.cross_entropy(np.array([[0.0, np.log(3.0)]]), np.array([1])).item(), -np.log(0.75))
    z, y = rng.normal(0, 2, (5, 4)), rng.integers(0, 4, 5)
    check(lambda z: F.cross_entropy(z, y), z)
    check(lambda z: F.cross_entropy(z, y, reduction="sum"), z)
    assert np.isclose(F.cross_entropy(z, y, "sum").item(), 5 * F.cross_entropy(z, y).item())


def test_label_smoothing_by_hand_and_by_central_differences(rng):
    # Two classes, logits [0, ln 3] (p = [1/4, 3/4]), label 1, ε = 0.2: target [0.1, 0.9]
    z = np.array([[0.0, np.log(3.0)]])
    got = F.cross_entropy(z, np.array([1]), label_smoothing=0.2).item()
    assert np.isclose(got, -(0.1 * np.log(0.25) + 0.9 * np.log(0.75)))
    # ε = 1: the target is uniform whatever the label
    assert np.isclose(F.cross_entropy(z, np.array([0]), label_smoothing=1.0).item(),
                      F.cross_entropy(z, np.array([1]), label_smoothing=1.0).item())
    z, y = rng.normal(0, 2, (5, 4)), rng.integers(0, 4, 5)
    check(lambda z: F.cross_entropy(z, y, label_smoothing=0.1), z)
    check(lambda z: F.cross_entropy(z, y, reduction="sum", label_smoothing=0.3), z)
    with pytest.raises(ValueError, match=r"label_smoothing .* must lie in \[0, 1\], got 1.5"):
        F.cross_entropy(z, y, label_smoothing=1.5)


def test_cross_entropy_equals_nll_of_log_softmax(rng):
    z, y = rng.normal(0, 2, (6, 5)), rng.integers(0, 5, 6)
    nll = -F.log_softmax(z).data[np.arange(6), y].mean()
    assert np.isclose(F.cross_entropy(z, y).item(), nll)


def test_cross_entropy_label_errors():
    z = np.zeros((3, 4))
    with pytest.raises(TypeError, match="integer class indices, got dtype float64"):
        F.cross_entropy(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"must lie in \[0, 4\) for 4 classes, found \[4, -1\]"):
        F.cross_entropy(z, np.array([4, 0, -1]))
    with pytest.raises(ValueError, match=r"one label per example, shape \(3,\), got \(2,\)"):
        F.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"\(batch, classes\)"):
        F.cross_entropy(np.zeros(4), np.array([1]))


def test_mse_sum_and_mean_golden_and_gradient(rng):
    a, b = np.array([0.9, 0.1, 0.0]), np.array([0.6, 0.3, 0.1])
    assert np.isclose(F.mse(a, b).item(), 0.09 + 0.04 + 0.01)       # 0.14, by hand
    assert np.isclose(F.mse(a, b, "mean").item(), 0.14 / 3)
    check(lambda a, b: F.mse(a, b), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))
    check(lambda a, b: F.mse(a, b, "mean"), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))


def test_mse_refuses_broadcasting_and_unknown_reductions():
    with pytest.raises(ValueError, match=r"equal shapes, got \(4,\) and \(4, 1\)"):
        F.mse(np.zeros(4), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="reduction"):
        F.mse(np.zeros(2), np.zeros(2), reduction="max")


@pytest.mark.parametrize("T", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperature(T):
    with pytest.raises(ValueError, match="temperature T must be a finite number > 0"):
        F.softmax(np.zeros(3), T)


def test_linear_shape_error_names_the_shapes():
    with pytest.raises(ValueError, match=r"input of shape \(4, 6\) does not fit a weight of shape \(3, 5\)"):
        F.linear(np.zeros((4, 6)), np.zeros((3, 5)))
