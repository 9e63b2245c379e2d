"""Modules: Linear, ReLU, Sequential, MLP, with PyTorch's interface.

A ``Module`` finds its parameters and sub-modules from its attributes, so
``named_parameters()`` gives dotted names (``"0.weight"``) and
``state_dict()`` is a flat ``{name: ndarray}`` that saves to ``.npz``.

Shapes: ``Linear.weight`` is ``(out_features, in_features)``, as in PyTorch,
so row ``o`` holds the weights of output neuron ``o``; per-channel
quantization therefore works along axis 0.
"""

from __future__ import annotations

import numpy as np

from . import functional as F
from .autograd import Tensor


def as_generator(rng) -> np.random.Generator:
    """A Generator from a seed (int), a Generator, or None (seed 0: deterministic by default)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(0 if rng is None else int(rng))
    raise TypeError(f"rng must be an int seed, a numpy.random.Generator or None, got {type(rng).__name__}")


class Parameter(Tensor):
    """A Tensor that a Module owns and an optimizer updates (requires_grad=True)."""

    def __init__(self, data):
        super().__init__(data, requires_grad=True)

    def __repr__(self):
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


class Module:
    """Base class: subclasses set attributes in ``__init__`` and define ``forward``."""

    def __init__(self):
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_params" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}.__init__ must call super().__init__() "
                               "before setting attributes")
        self._params.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._params[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # --- traversal -----------------------------------------------------------
    def named_modules(self, prefix: str = ""):
        yield prefix, self
        for name, m in self._modules.items():
            yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def named_parameters(self, prefix: str = ""):
        for mod_name, m in self.named_modules(prefix):
            for name, p in m._params.items():
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> "Module":
        for _, m in self.named_modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def to(self, dtype) -> "Module":
        """Cast every parameter to ``dtype`` in place (``model.to(np.float64)`` for gradcheck)."""
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = None
        return self

    # --- state ---------------------------------------------------------------
    def state_dict(self) -> dict:
        """A flat ``{name: copy of the array}``."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict) -> None:
        """Copy arrays into the parameters; names and shapes must match exactly."""
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state))
        extra = sorted(set(state) - set(own))
        wrong = [f"{k}: model {own[k].shape}, given {np.shape(state[k])}"
                 for k in own if k in state and np.shape(state[k]) != own[k].shape]
        if missing or extra or wrong:
            parts = []
            if missing:
                parts.append(f"missing entries {missing}")
            if extra:
                parts.append(f"unexpected entries {extra}")
            if wrong:
                parts.append("shape mismatches " + "; ".join(wrong))
            raise ValueError(f"load_state_dict into {type(self).__name__}: " + ", ".join(parts)
                             + f". The model has {sorted(own)}")
        for k, p in own.items():
            p.data = np.array(state[k], dtype=p.dtype, copy=True)
            p.grad = None

    def save(self, path) -> None:
        """Write ``state_dict()`` to an ``.npz`` file, bit for bit."""
        np.savez(path, **self.state_dict())

    def load(self, path) -> "Module":
        with np.load(path) as f:
            self.load_state_dict({k: f[k] for k in f.files})
        return self

    def __repr__(self):
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        inner = "\n".join(f"  ({n}): " + repr(m).replace("\n", "\n  ") for n, m in self._modules.items())
        return f"{type(self).__name__}(\n{inner}\n)"

    def extra_repr(self) -> str:
        return ""


class Linear(Module):
    """y = x Wᵀ + b,  W: (out_features, in_features),  b: (out_features,).

    Initialisation (PyTorch's default for ``nn.Linear``): every weight and
    bias is drawn from U(−1/√in_features, +1/√in_features), so the output's
    variance does not grow with the number of inputs.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, rng=None,
                 dtype=np.float32):
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear needs in_features, out_features >= 1, got {in_features}, {out_features}")
        g = as_generator(rng)
        bound = 1.0 / np.sqrt(in_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(g.uniform(-bound, bound, (out_features, in_features)).astype(dtype))
        self.bias = Parameter(g.uniform(-bound, bound, out_features).astype(dtype)) if bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """y = max(x, 0)."""

    def forward(self, x):
        return (x if isinstance(x, Tensor) else Tensor(x)).relu()


class Sequential(Module):
    """Apply modules in order; ``model[i]`` and ``model[a:b]`` as in PyTorch."""

    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i):
        mods = list(self._modules.values())
        return Sequential(*mods[i]) if isinstance(i, slice) else mods[i]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class MLP(Sequential):
    """Linear → ReLU → … → Linear for layer widths ``sizes``, e.g. (64, 256, 256, 10).

    ``rng`` (seed or Generator) draws every layer's initial weights, one
    generator for all layers so they differ from each other.
    """

    def __init__(self, sizes, rng=None, dtype=np.float32):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output width, got sizes={sizes}")
        g = as_generator(rng)
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(a, b, rng=g, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(ReLU())
        super().__init__(*layers)
        object.__setattr__(self, "sizes", sizes)

    @classmethod
    def from_state_dict(cls, state: dict) -> "MLP":
        """Rebuild an MLP from its state dict alone (widths come from the weight shapes)."""
        weights = [state[k] for k in sorted((k for k in state if k.endswith(".weight")),
                                            key=lambda k: int(k.split(".")[0]))]
        if not weights:
            raise ValueError("state dict holds no '<i>.weight' entries to rebuild an MLP from")
        sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
        model = cls(sizes, dtype=weights[0].dtype)
        model.load_state_dict(state)
        return model

    @classmethod
    def load_file(cls, path) -> "MLP":
        with np.load(path) as f:
            return cls.from_state_dict({k: f[k] for k in f.files})
