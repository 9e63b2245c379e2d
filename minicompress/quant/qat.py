"""Quantization-aware training (QAT) and learned step sizes (LSQ): the seed's "adaptive quantization".

seed §2.1 says adaptive quantization adjusts the quantization parameters
from the model's performance, and that quantization may be optimised during
training. Two concrete ways:

* **QAT** (Jacob et al. 2018): train through fake quantization. Weights use
  per-channel symmetric steps recomputed from the current weights
  (q = max|w_c| / qmax); activations use a range tracked by a moving average
  during training and frozen for evaluation. Gradients pass the rounding
  by the straight-through estimator (``fake_quant``).
* **LSQ** (Esser et al. 2019, "Learned Step Size Quantization"): the step s
  is itself a parameter, learned by gradient descent with

      ∂ŵ/∂s = round(w/s) − w/s     inside the range,   qmin or qmax outside,

  scaled by g = 1/√(N·Qp) (N weights or activations per step, Qp = qmax)
  so that the step learns at a rate comparable to the weights.

``prepare_qat(model, ...)`` returns a copy of an MLP whose Linear layers do
this; it trains with the ordinary ``fit``.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import Linear, Module, Parameter, ReLU, Sequential
from .fake_quant import fake_quant
from .qparams import qparams_from_range
from .rounding import round_half_away
from .uniform import qrange

METHODS = ("qat", "lsq")


def lsq_quant(x: Tensor, s: Tensor, qmin: int, qmax: int, grad_scale: float, axis: int | None = None) -> Tensor:
    """x̂ = s · clamp(round(x/s), qmin, qmax), differentiable in x (STE) and in s (LSQ).

    ∂x̂/∂x = 1 inside the range, 0 outside;
    ∂x̂/∂s = round(x/s) − x/s inside, qmin or qmax outside; times ``grad_scale``.
    """
    if np.any(s.data <= 0) or not np.all(np.isfinite(s.data)):
        raise ValueError(f"LSQ step sizes must stay > 0, got {s.data.ravel()[:4].tolist()}: lower the "
                         "learning rate of the steps")
    sb = s.data if axis is None else s.data.reshape([-1 if i == axis else 1 for i in range(x.ndim)])
    v = x.data / sb
    code = np.clip(round_half_away(v), qmin, qmax)
    inside = (v >= qmin) & (v <= qmax)
    out = Tensor.from_op((sb * code).astype(x.dtype), (x, s), "lsq_quant")
    if out.requires_grad:
        def _backward(grad):
            if x.requires_grad:
                x._accumulate(grad * inside, fresh=True)
            if s.requires_grad:
                ds = np.where(inside, code - v, code) * grad * grad_scale      # per element
                if axis is None:
                    s._accumulate(np.asarray(ds.sum(), dtype=s.dtype).reshape(s.shape), fresh=True)
                else:
                    others = tuple(i for i in range(x.ndim) if i != axis)
                    s._accumulate(ds.sum(axis=others).astype(s.dtype), fresh=True)
        out._backward = _backward
    return out


class QATLinear(Module):
    """Linear with fake-quantized weights (per-channel, symmetric) and input activations (moving range)."""

    def __init__(self, linear: Linear, weight_bits: int, act_bits: int | None, per_channel: bool = True,
                 momentum: float = 0.01):
        super().__init__()
        self.weight = Parameter(linear.weight.data.copy())
        self.bias = Parameter(linear.bias.data.copy())
        self.weight_bits, self.act_bits, self.per_channel, self.momentum = weight_bits, act_bits, per_channel, momentum
        self.wmin, self.wmax = qrange(weight_bits, signed=True, narrow=True)
        self.act_range = None            # (lo, hi), tracked while training

    def weight_scale(self) -> np.ndarray:
        w = np.abs(self.weight.data)
        bound = w.max(axis=1) if self.per_channel else np.array(w.max())
        return np.maximum(bound, np.finfo(np.float32).eps) / self.wmax

    def act_qparams(self):
        lo, hi = self.act_range
        return qparams_from_range(lo, hi, self.act_bits, "affine", signed=True)

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if self.act_bits is not None:
            if self.training:                     # track the range: moving average, as PyTorch's observer
                lo, hi = float(x.data.min()), float(x.data.max())
                if self.act_range is None:
                    self.act_range = (lo, hi)
                else:
                    c = self.momentum
                    self.act_range = (self.act_range[0] + c * (lo - self.act_range[0]),
                                      self.act_range[1] + c * (hi - self.act_range[1]))
            if self.act_range is not None:
                qp = self.act_qparams()
                x = fake_quant(x, float(qp.scale), int(qp.zero_point), qp.qmin, qp.qmax)
        s = self.weight_scale()
        w = fake_quant(self.weight, s, 0, self.wmin, self.wmax, axis=0 if self.per_channel else None)
        return F.linear(x, w, self.bias)

    def quantized_weight(self) -> np.ndarray:
        """The weights the layer computes with: s·clamp(round(w/s)), on the grid."""
        return fake_quant(self.weight.data, self.weight_scale(), 0, self.wmin, self.wmax,
                          axis=0 if self.per_channel else None).data

    def storage_bytes(self) -> int:
        n_channels = self.weight.shape[0] if self.per_channel else 1
        return -(-self.weight.data.size * self.weight_bits // 8) + 4 * n_channels + 4 * self.bias.data.size + 8


class LSQLinear(Module):
    """Linear whose weight steps (per channel) and activation step are learned (LSQ)."""

    def __init__(self, linear: Linear, weight_bits: int, act_bits: int | None, per_channel: bool = True):
        super().__init__()
        w = linear.weight.data
        self.weight = Parameter(w.copy())
        self.bias = Parameter(linear.bias.data.copy())
        self.weight_bits, self.act_bits, self.per_channel = weight_bits, act_bits, per_channel
        self.wmin, self.wmax = qrange(weight_bits, signed=True, narrow=True)
        init = 2 * np.abs(w).mean(axis=1 if per_channel else None) / np.sqrt(self.wmax)   # Esser et al.'s start
        self.w_step = Parameter(np.atleast_1d(init).astype(w.dtype))
        self.a_step = None                   # set from the first batch
        self.amin, self.amax = (0, 2 ** act_bits - 1) if act_bits else (0, 0)

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if self.act_bits is not None:
            # Inputs of these layers are pixels in [0, 1] or ReLU outputs: unsigned codes, zero point 0.
            if self.a_step is None:
                self.a_step = Parameter(np.array([2 * np.abs(x.data).mean() / np.sqrt(self.amax) + 1e-8],
                                                 dtype=x.dtype))
            g_a = 1.0 / np.sqrt(x.data[0].size * self.amax)
            x = lsq_quant(x, self.a_step, self.amin, self.amax, g_a)
        g_w = 1.0 / np.sqrt(self.weight.data[0].size * self.wmax)
        w = lsq_quant(self.weight, self.w_step, self.wmin, self.wmax, g_w, axis=0 if self.per_channel else None)
        return F.linear(x, w, self.bias)

    def quantized_weight(self) -> np.ndarray:
        s = self.w_step.data.reshape(-1, 1) if self.per_channel else self.w_step.data
        return (s * np.clip(round_half_away(self.weight.data / s), self.wmin, self.wmax)).astype(self.weight.dtype)

    def storage_bytes(self) -> int:
        return -(-self.weight.data.size * self.weight_bits // 8) + 4 * self.w_step.data.size + \
            4 * self.bias.data.size + 4


def prepare_qat(model, weight_bits: int = 4, act_bits: int | None = 8, per_channel: bool = True,
                method: str = "qat", calib=None) -> Sequential:
    """A copy of ``model`` (an MLP) whose Linear layers train through quantization.

    ``calib`` (inputs) initialises the activation ranges / steps before training,
    so the very first forward pass is already quantized.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    qrange(weight_bits, signed=True, narrow=True)
    if act_bits is not None:
        qrange(act_bits)
    if not isinstance(model, Sequential) or not all(isinstance(m, (Linear, ReLU)) for m in model):
        raise TypeError("prepare_qat expects a Sequential of Linear and ReLU layers (an MLP)")
    layer = QATLinear if method == "qat" else LSQLinear
    copy = Sequential(*[ReLU() if isinstance(m, ReLU) else layer(m, weight_bits, act_bits, per_channel)
                        for m in model])
    if calib is not None:
        copy.train()
        copy(Tensor(np.asarray(calib, dtype=model[0].weight.dtype)))
        if method == "qat":                      # start from the calibration range itself
            h = Tensor(np.asarray(calib, dtype=model[0].weight.dtype))
            for m in copy:
                if isinstance(m, QATLinear) and act_bits is not None:
                    m.act_range = (float(h.data.min()), float(h.data.max()))
                h = m(h)
    return copy


def qat_storage_bytes(model: Sequential) -> int:
    return int(sum(m.storage_bytes() for m in model if hasattr(m, "storage_bytes")))


def to_float_mlp(model: Sequential) -> Sequential:
    """The plain MLP that computes with the QAT model's quantized weights (for ``IntegerMLP.from_float``)."""
    layers = []
    for m in model:
        if isinstance(m, ReLU):
            layers.append(ReLU())
            continue
        lin = Linear(m.weight.shape[1], m.weight.shape[0], dtype=m.weight.dtype)
        lin.load_state_dict({"weight": m.quantized_weight(), "bias": m.bias.data})
        layers.append(lin)
    return Sequential(*layers)
