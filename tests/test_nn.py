"""Modules: names, state dicts, save/load, errors, and gradcheck of every layer."""

import numpy as np
import pytest

from minicompress import gradcheck
from minicompress.autograd import Tensor
from minicompress.nn import MLP, Linear, Module, Parameter, ReLU, Sequential


def test_mlp_structure_and_names():
    m = MLP((64, 32, 16, 10), rng=0)
    names = [n for n, _ in m.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert m[0].weight.shape == (32, 64)             # (out_features, in_features)
    assert isinstance(m[1], ReLU) and len(m) == 5
    assert m.num_parameters() == 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10


def test_linear_init_is_uniform_within_the_documented_bound():
    w = Linear(100, 400, rng=3).weight.data
    assert np.abs(w).max() <= 0.1 and np.abs(w).max() > 0.099   # U(−1/√100, 1/√100), 40,000 draws
    assert abs(w.mean()) < 0.002


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = MLP((8, 4, 2), rng=1), MLP((8, 4, 2), rng=1), MLP((8, 4, 2), rng=2)
    for (_, pa), (_, pb), (_, pc) in zip(a.named_parameters(), b.named_parameters(), c.named_parameters()):
        assert np.array_equal(pa.data, pb.data) and not np.array_equal(pa.data, pc.data)


def test_every_layer_passes_gradcheck(rng):
    x = rng.normal(size=(4, 6))
    for layer in [Linear(6, 3, rng=0), Linear(6, 3, bias=False, rng=0), MLP((6, 5, 3), rng=0)]:
        layer.to(np.float64)
        params = [p.data.copy() for p in layer.parameters()]
        report = gradcheck(lambda x, *ps: _forward_with(layer, x, ps), x, *params)
        assert report.ok, f"{layer}\n{report}"
    assert gradcheck(lambda x: ReLU()(x), np.array([[-1.5, 0.7], [2.0, -0.3]])).ok


def _forward_with(layer, x, params):
    """Run ``layer`` with its parameters swapped for the given Tensors, so gradcheck sees them."""
    slots = [(mod, name) for _, mod in layer.named_modules() for name in mod._params]
    saved = [mod._params[name] for mod, name in slots]
    for (mod, name), p in zip(slots, params):
        object.__setattr__(mod, name, p)
    try:
        return layer(x)
    finally:
        for (mod, name), p in zip(slots, saved):
            object.__setattr__(mod, name, p)


def test_state_dict_is_a_flat_copy():
    m = MLP((4, 3, 2), rng=0)
    sd = m.state_dict()
    assert set(sd) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    sd["0.weight"][:] = 0
    assert np.abs(m[0].weight.data).sum() > 0


def test_save_and_load_npz_loses_nothing(tmp_path):
    m = MLP((64, 16, 10), rng=5)
    m.save(tmp_path / "m.npz")
    fresh = MLP((64, 16, 10), rng=99).load(tmp_path / "m.npz")
    rebuilt = MLP.load_file(tmp_path / "m.npz")
    assert rebuilt.sizes == (64, 16, 10)
    for (n, p), (_, q), (_, r) in zip(m.named_parameters(), fresh.named_parameters(), rebuilt.named_parameters()):
        assert p.data.dtype == q.data.dtype == r.data.dtype == np.float32
        assert p.data.tobytes() == q.data.tobytes() == r.data.tobytes(), n


def test_load_state_dict_names_missing_extra_and_misshaped_entries():
    m = MLP((4, 3, 2), rng=0)
    sd = m.state_dict()
    del sd["2.bias"]
    sd["9.weight"] = np.zeros(1)
    sd["0.weight"] = np.zeros((4, 3))
    with pytest.raises(ValueError) as e:
        m.load_state_dict(sd)
    msg = str(e.value)
    assert "missing entries ['2.bias']" in msg and "unexpected entries ['9.weight']" in msg
    assert "0.weight: model (3, 4), given (4, 3)" in msg


def test_train_eval_zero_grad_and_sequential_slicing():
    m = MLP((4, 3, 2), rng=0)
    assert m.training and m[0].training
    m.eval()
    assert not m.training and not m[0].training
    out = m(Tensor(np.ones((2, 4))))
    out.sum().backward()
    # eval() changes how layers behave, not gradient tracking (as in PyTorch)
    assert m[0].weight.grad is not None
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_custom_module_registers_parameters_and_submodules():
    class Affine(Module):
        def __init__(self):
            super().__init__()
            self.scale = Parameter(np.ones(3))
            self.inner = Linear(3, 3, rng=0)

        def forward(self, x):
            return self.inner(x) * self.scale

    m = Affine()
    assert [n for n, _ in m.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    hidden = Sequential(m, ReLU())[:1]
    assert isinstance(hidden, Sequential) and len(hidden) == 1


def test_module_without_super_init_says_so():
    class Broken(Module):
        def __init__(self):
            self.w = 1

    with pytest.raises(RuntimeError, match=r"must call super\(\).__init__\(\)"):
        Broken()


def test_ops_on_a_parameter_give_plain_tensors():
    p = Parameter(np.array([[1.0, -2.0], [3.0, 4.0]]))
    for out in (p.sum(), p[0], p.T, p.reshape(4), p * 2.0):
        assert type(out) is Tensor
    p.max(axis=1).sum().backward()
    assert p.grad.tolist() == [[1.0, 0.0], [0.0, 1.0]]
