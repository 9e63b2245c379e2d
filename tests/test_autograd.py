"""Every Tensor op against central differences, including broadcasting; graph and no_grad."""

import numpy as np
import pytest

from minicompress import Tensor, gradcheck, no_grad


def check(fn, *inputs):
    report = gradcheck(fn, *inputs)
    assert report.ok, "\n" + str(report)


def away_from_zero(rng, shape, low=0.5, high=2.0):
    """Values with |x| in [low, high] and random signs: no hidden zeros, no kinks nearby."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


@pytest.mark.parametrize("shape_a, shape_b", [((3, 4), (3, 4)), ((5, 3), (3,)), ((4, 1), (1, 6)),
                                              ((2, 3, 4), (3, 1)), ((), (3, 2))])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_ops_with_broadcasting(rng, op, shape_a, shape_b):
    a, b = away_from_zero(rng, shape_a), away_from_zero(rng, shape_b)
    fns = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y,
           "mul": lambda x, y: x * y, "div": lambda x, y: x / y}
    check(fns[op], a, b)


def test_ops_with_python_numbers_and_arrays_on_the_left(rng):
    a = away_from_zero(rng, (3, 2))
    check(lambda x: 2.0 - x, a)
    check(lambda x: 3.0 / x, a)
    check(lambda x: np.full((3, 2), 1.5) * x + 1, a)


@pytest.mark.parametrize("p", [2, 3, 0.5, -1.0])
def test_power(rng, p):
    check(lambda x: x ** p, rng.uniform(0.5, 2.0, (3, 4)))


def test_negation_exp_log(rng):
    x = rng.uniform(0.3, 2.0, (4, 3))
    check(lambda t: -t, x)
    check(lambda t: t.exp(), x - 1)
    check(lambda t: t.log(), x)


def test_relu_gradient_is_one_above_and_zero_below(rng):
    x = away_from_zero(rng, (5, 4))  # no element within 0.5 of the kink
    check(lambda t: t.relu(), x)
    t = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    t.relu().sum().backward()
    assert t.grad.tolist() == [0.0, 0.0, 1.0]  # 0 at the kink, as PyTorch


@pytest.mark.parametrize("shapes", [((4, 3), (3, 5)), ((3,), (3, 2)), ((2, 3), (3,)), ((4,), (4,))])
def test_matmul(rng, shapes):
    check(lambda a, b: a @ b, away_from_zero(rng, shapes[0]), away_from_zero(rng, shapes[1]))


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 2), False), (-1, True)])
@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
def test_reductions(rng, reduction, axis, keepdims):
    x = rng.permutation(24).reshape(2, 3, 4) * 0.37 - 3.0  # distinct values: a unique max
    check(lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims), x)


def test_max_splits_the_gradient_between_ties():
    t = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]), requires_grad=True)
    t.max(axis=1).sum().backward()
    assert t.grad.tolist() == [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]


def test_reshape_transpose_and_T(rng):
    x = away_from_zero(rng, (2, 3, 4))
    check(lambda t: t.reshape(6, 4) * np.arange(24.0).reshape(6, 4), x)
    check(lambda t: t.transpose(2, 0, 1) * np.arange(24.0).reshape(4, 2, 3), x)
    check(lambda t: t.reshape(6, 4).T @ np.ones((6, 2)), x)


def test_indexing_by_integer_arrays_adds_repeated_picks(rng):
    x = away_from_zero(rng, (4, 3))
    rows, cols = np.array([0, 1, 1, 3]), np.array([2, 0, 0, 1])  # (1, 0) is picked twice
    check(lambda t: t[rows, cols] * np.array([1.0, 2.0, 3.0, 4.0]), x)
    t = Tensor(x, requires_grad=True)
    t[rows, cols].sum().backward()
    assert t.grad[1, 0] == 2.0 and t.grad[2].sum() == 0.0
    check(lambda t: t[1:3, ::2], x)


def test_chain_of_ops_like_a_layer(rng):
    x, W, b = away_from_zero(rng, (5, 4)), away_from_zero(rng, (4, 3)), away_from_zero(rng, (3,))
    check(lambda x, W, b: ((x @ W + b).relu() ** 2).mean(axis=0).log().sum(), x, W, b)


def test_a_tensor_used_twice_gets_both_contributions():
    x = Tensor([3.0], requires_grad=True)
    (x * x + x).sum().backward()           # d/dx (x² + x) = 2x + 1 = 7
    assert x.grad.tolist() == [7.0]


def test_gradients_accumulate_over_two_backward_passes_like_pytorch():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(2):
        (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 8.0]    # 2 × 2x


def test_a_gradient_passed_on_unchanged_is_never_shared():
    """a + b hands both inputs the very gradient it received; each must still own its .grad."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    y = a + b
    (y + y).sum().backward()                  # each of a and b gets 1 + 1 = 2
    assert a.grad.tolist() == b.grad.tolist() == [2.0, 2.0]
    assert a.grad is not b.grad and a.grad.flags.writeable and b.grad.flags.writeable
    a.grad += 10                              # a student's in-place edit of one gradient ...
    assert b.grad.tolist() == [2.0, 2.0]      # ... leaves the other alone
    upstream = np.ones(2)
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x + 0.0).backward(upstream)
    (x + 0.0).backward(upstream)              # the second pass adds into x.grad, not into `upstream`
    assert x.grad.tolist() == [2.0, 2.0] and upstream.tolist() == [1.0, 1.0]


def test_backward_of_non_scalar_needs_a_gradient():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"non-scalar tensor of shape \(2, 3\)"):
        (x * 2).backward()
    (x * 2).backward(np.ones((2, 3)))
    assert x.grad.tolist() == [[2.0] * 3] * 2
    with pytest.raises(ValueError, match=r"needs shape \(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_no_grad_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (x * 3).sum()
    assert not y.requires_grad and y._parents == ()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_graph_lists_ops_in_topological_order_with_shapes():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    g = ((a + b).relu().sum()).graph()
    assert [n.op for n in g] == ["leaf", "leaf", "add", "relu", "sum"]
    assert g[-1].shape == () and g[2].shape == (2, 3) and g[2].dtype == "float64"
    for n in g:
        assert all(i < n.index for i in n.inputs)   # inputs come first
    assert "relu" in str(g) and "(2, 3)" in str(g)


def test_float32_stays_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (x * 2.5 + 1).exp().sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_bad_inputs_have_clear_errors():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.array([1, 2], dtype=np.int8))
    with pytest.raises(ValueError, match=r"matmul shape mismatch: \(3, 4\) @ \(5, 2\)"):
        Tensor(np.ones((3, 4))) @ Tensor(np.ones((5, 2)))
    with pytest.raises(ValueError, match="cannot reshape"):
        Tensor(np.ones(6)).reshape(4, 2)
    with pytest.raises(TypeError, match="constant number"):
        Tensor(np.ones(2)) ** Tensor(np.ones(2))


def test_deep_chain_does_not_hit_the_recursion_limit():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    assert np.isclose(x.grad[0], 1.0001 ** 5000)
