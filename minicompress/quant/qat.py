"""Quantization-aware training (QAT) and learned step sizes (LSQ): the seed's "adaptive quantization".

seed §2.1 says adaptive quantization adjusts the quantization parameters
from the model's performance, and that quantization may be optimised during
training. Two concrete ways:

* **QAT** (Jacob et al. 2018): train through fake quantization. Weights use
  per-channel symmetric steps recomputed from the current weights
  (q = max|w_c| / qmax, by ``choose_qparams``, so the dead-channel floor is
  ``qparams.MIN_STEP`` as everywhere); activations use a range tracked by the
  same moving-average observer as static PTQ while training, frozen for
  evaluation. Gradients pass the rounding by the straight-through estimator
  (``fake_quantize_ste``).
* **LSQ** (Esser et al. 2019, "Learned Step Size Quantization"): the step q
  (the paper's s) is itself a parameter, learned by gradient descent with

      ∂ŵ/∂q = round(w/q) − w/q     inside the range,   qmin or qmax outside,

  scaled by g = 1/√(N·Qp) (N weights or activations per step, Qp = qmax)
  so that the step learns at a rate comparable to the weights.

subtle: the two test "inside the range" differently on purpose. QAT's STE
asks whether the *rounded* code fits (PyTorch's rule, boundaries included);
LSQ asks whether the *unrounded* w/q lies in [qmin, qmax] (Esser et al.'s
eq. 3). A value within half a step beyond the range rounds onto qmin or
qmax: it passes the gradient in QAT and is clipped in LSQ.

``prepare_qat(model, ...)`` returns a copy of an MLP whose Linear layers do
this; it trains with the ordinary ``fit``.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import Linear, Module, Parameter, ReLU, Sequential
from .observers import MovingAverageMinMaxObserver
from .qparams import choose_qparams, qparams_from_range
from .rounding import round_half_away
from .uniform import qrange

METHODS = ("qat", "lsq")


def lsq_quant(x: Tensor, q: Tensor, qmin: int, qmax: int, grad_scale: float, axis: int | None = None) -> Tensor:
    """x̂ = q · clamp(round(x/q), qmin, qmax), differentiable in x (STE) and in the step q (LSQ).

    ∂x̂/∂x = 1 where qmin ≤ x/q ≤ qmax, else 0;
    ∂x̂/∂q = round(x/q) − x/q inside, qmin or qmax outside; times ``grad_scale`` = g.
    """
    if np.any(q.data <= 0) or not np.all(np.isfinite(q.data)):
        raise ValueError(f"LSQ step sizes must stay > 0, got {q.data.ravel()[:4].tolist()}: lower the "
                         "learning rate of the steps")
    qb = q.data if axis is None else q.data.reshape([-1 if i == axis else 1 for i in range(x.ndim)])
    v = x.data / qb
    code = np.clip(round_half_away(v), qmin, qmax)
    inside = (v >= qmin) & (v <= qmax)                    # subtle: the unrounded x/q (see above)
    out = Tensor.from_op((qb * code).astype(x.dtype), (x, q), "lsq_quant")
    if out.requires_grad:
        def _backward(grad):
            if x.requires_grad:
                x._accumulate(grad * inside)
            if q.requires_grad:
                dq = np.where(inside, code - v, code) * grad * grad_scale      # per element
                others = tuple(i for i in range(x.ndim) if i != axis)
                q._accumulate(dq.sum(axis=others).reshape(q.shape).astype(q.dtype))
        out._backward = _backward
    return out


class QATLinear(Module):
    """Linear with fake-quantized weights (symmetric, per channel) and input activations (moving range)."""

    def __init__(self, linear: Linear, weight_bits: int, act_bits: int | None, per_channel: bool = True,
                 momentum: float = 0.01):
        super().__init__()
        self.weight = Parameter(linear.weight.data.copy())
        self.bias = Parameter(linear.bias.data.copy())
        self.weight_bits, self.act_bits, self.per_channel, self.momentum = weight_bits, act_bits, per_channel, momentum
        self.observer = MovingAverageMinMaxObserver(momentum)     # the activations' range, while training

    def weight_qparams(self):
        """q = max|w_c| / qmax from the current weights (per channel, or one for the layer)."""
        return choose_qparams(self.weight.data, self.weight_bits, "symmetric",
                              axis=0 if self.per_channel else None)

    def weight_step(self) -> np.ndarray:
        return np.atleast_1d(self.weight_qparams().q)

    def act_qparams(self):
        lo, hi = self.observer.range()
        return qparams_from_range(lo, hi, self.act_bits, "affine", signed=True)

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if self.act_bits is not None:
            if self.training:
                self.observer.observe(x.data)
            if self.observer.batches:
                x = self.act_qparams().fake_quantize_ste(x)
        w = self.weight_qparams().fake_quantize_ste(self.weight)
        return F.linear(x, w, self.bias)

    def quantized_weight(self) -> np.ndarray:
        """The weights the layer computes with: q·clamp(round(w/q)), on the grid."""
        return self.weight_qparams().fake_quantize(self.weight.data).astype(self.weight.dtype)


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
            x = lsq_quant(x, self.a_step, self.amin, self.amax, self.act_grad_scale(x))
        w = lsq_quant(self.weight, self.w_step, self.wmin, self.wmax, self.weight_grad_scale(),
                      axis=0 if self.per_channel else None)
        return F.linear(x, w, self.bias)

    def weight_grad_scale(self) -> float:
        """g = 1/√(N·Qp), N the weights that share one step: a row per channel, all of them per tensor."""
        n = self.weight.data[0].size if self.per_channel else self.weight.data.size
        return 1.0 / np.sqrt(n * self.wmax)

    def act_grad_scale(self, x) -> float:
        """g = 1/√(N·Qp), N the activations of one example that share the step (as Esser et al.)."""
        return 1.0 / np.sqrt(x.data[0].size * self.amax)

    def weight_step(self) -> np.ndarray:
        return self.w_step.data

    def quantized_weight(self) -> np.ndarray:
        q = self.w_step.data.reshape(-1, 1) if self.per_channel else self.w_step.data
        return (q * np.clip(round_half_away(self.weight.data / q), self.wmin, self.wmax)).astype(self.weight.dtype)


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
    if calib is not None:                        # the calibration batch is the observers' first: it sets the range
        copy.train()
        copy(Tensor(np.asarray(calib, dtype=model[0].weight.dtype)))
    return copy


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
